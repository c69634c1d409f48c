import type { StreamCursor } from '../../../app/recall/alerts.ts';
import { alertsAfter, streamCursorAt } from '../../../app/recall/alerts.ts';
import type { Deps } from '../../../app/deps.ts';
import { requireActor } from '../../auth.ts';
import { secured } from '../../schemas.ts';
import type { Api } from '../../schemas.ts';

/** HEARTBEAT_MS is how often an idle stream sends a comment, so proxies and clients know it is alive. */
export const HEARTBEAT_MS = 15_000;
/**
 * POLL_MS is how often a stream also reads the database: alerts committed by another API process on
 * the same database reach this one's streams within it (this process's own arrive at once, by its bus).
 */
export const POLL_MS = 5_000;
const BATCH = 100;

/**
 * alertStreamRoute serves GET /v1/alerts/stream: the actor's new alerts as server-sent events, each with
 * `id:` the alert id, `event: alert` and the alert as JSON. With Last-Event-ID it first resends every
 * alert raised after that one. Streams end cleanly when the server closes.
 */
export async function alertStreamRoute(app: Api, deps: Deps) {
  const open = new Set<() => void>();
  app.addHook('preClose', async () => {
    for (const close of [...open]) close();
  });

  app.get(
    '/v1/alerts/stream',
    {
      schema: {
        tags: ['alerts'],
        summary: 'Your new alerts as server-sent events (text/event-stream); Last-Event-ID resends what you missed',
        description:
          'Authenticate with the usual Authorization: Bearer header. Browsers cannot set headers on EventSource, so consoles read the stream with fetch() and a ReadableStream reader. A comment line is sent every 15 s.',
        security: secured,
        headers: {
          type: 'object',
          properties: {
            'last-event-id': { type: 'string', maxLength: 64, description: 'the id of the last alert received' },
          },
        },
        response: {
          200: {
            description: 'events `alert` (id: the alert id; data: the alert as JSON) and heartbeat comments',
            content: { 'text/event-stream': { schema: { type: 'string' } } },
          },
        },
      },
    },
    async (req, reply) => {
      const actor = requireActor(req);
      // Errors up to here are ordinary JSON errors; after hijacking, the stream is ours to end.
      let cursor: StreamCursor = await streamCursorAt(deps, actor, req.headers['last-event-id'] as string | undefined);
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-store',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
      res.write(': coldtrace alerts\nretry: 3000\n\n');

      let closed = false;
      let busy = false;
      let again = false;
      const pump = async (): Promise<void> => {
        if (busy) {
          again = true;
          return;
        }
        busy = true;
        try {
          do {
            again = false;
            const batch = await alertsAfter(deps.db, actor.partyId, cursor, BATCH);
            for (const { alert, cursor: at } of batch) {
              if (closed) return;
              res.write(`id: ${alert.id}\nevent: alert\ndata: ${JSON.stringify(alert)}\n\n`);
              cursor = at;
            }
            if (batch.length === BATCH) again = true;
          } while (again && !closed);
        } catch (err) {
          req.log.error({ err }, 'alert stream failed; closing it');
          close();
        } finally {
          busy = false;
        }
      };
      const unsubscribe = deps.events.on('alert.created', (e) => {
        if (e.partyId === actor.partyId) void pump();
      });
      const heartbeat = setInterval(() => res.write(': heartbeat\n\n'), HEARTBEAT_MS);
      const poll = setInterval(() => void pump(), POLL_MS);
      const close = () => {
        if (closed) return;
        closed = true;
        clearInterval(heartbeat);
        clearInterval(poll);
        unsubscribe();
        open.delete(close);
        if (!res.writableEnded) res.end();
      };
      open.add(close);
      req.raw.on('close', close);
      res.on('close', close);
      await pump();
    },
  );
}
