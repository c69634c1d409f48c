import websocket from '@fastify/websocket';
import type { FastifyReply } from 'fastify';
import type { Deps } from '../../../app/deps.ts';
import {
  createQuery,
  deleteQuery,
  findQuery,
  getQuery,
  listQueries,
  namedQueryEvents,
  queryOf,
} from '../../../app/epcis/queries.ts';
import { MAX_PER_PAGE } from '../../../app/epcis/query.ts';
import { eventsAfter, streamStart } from '../../../app/epcis/stream-cursor.ts';
import type { Cursor } from '../../../app/epcis/stream-cursor.ts';
import {
  cancelSubscription,
  createSubscription,
  getSubscription,
  listSubscriptions,
} from '../../../app/epcis/subscriptions.ts';
import { AppError } from '../../../app/errors.ts';
import { requireActor } from '../../auth.ts';
import { secured } from '../../schemas.ts';
import type { Api } from '../../schemas.ts';
import { namedQuery, namedQueryList, subscription, subscriptionList } from './query-replies.ts';

/** QueryRouteOptions: allowHttpWebhooks admits http subscription destinations on this machine (COLDTRACE_WEBHOOK_ALLOW_HTTP). */
export interface QueryRouteOptions {
  readonly allowHttpWebhooks: boolean;
  /** pollMs is how often a WebSocket subscription looks for new events (100 ms). */
  readonly pollMs?: number;
}

const VERSIONS = { 'GS1-EPCIS-Version': '2.0.0', 'GS1-CBV-Version': '2.0.0' };
const PER_PAGE = 30;
const tags = ['epcis'];
const anyDocument = {
  type: 'object',
  additionalProperties: true,
  description: 'An EPCISQueryDocument (GS1 EPCIS 2.0)',
};
const nameParam = {
  type: 'object',
  required: ['queryName'],
  properties: { queryName: { type: 'string', minLength: 1, maxLength: 100 } },
} as const;
const paging = {
  type: 'object',
  additionalProperties: false,
  properties: {
    perPage: { type: 'integer', minimum: 1, maximum: MAX_PER_PAGE, default: PER_PAGE },
    nextPageToken: { type: 'string', maxLength: 500 },
  },
} as const;

const nextLink = (reply: FastifyReply, path: string, perPage: number, token: string | null) => {
  if (token !== null)
    void reply.header(
      'link',
      `<${path}?${new URLSearchParams({ perPage: String(perPage), nextPageToken: token }).toString()}>; rel="next"`,
    );
};

/**
 * queryRoutes serves the named queries of the EPCIS 2.0 REST binding and their subscriptions: webhooks (stream only),
 * and WebSockets on GET /epcis/queries/{queryName}/subscriptions?stream=true, which send each new matching event the
 * subscriber may see as an EPCISQueryDocument.
 */
export async function queryRoutes(app: Api, deps: Deps, opts: QueryRouteOptions): Promise<void> {
  await app.register(async (scope) => {
    await scope.register(websocket);
    // A refused upgrade (no token, say) is answered in plain HTTP on a socket that no HTTP server tracks any more:
    // end it, or it stays open and the node cannot close.
    scope.addHook('onResponse', async (req, reply) => {
      if (req.raw.headers.upgrade && reply.statusCode >= 400) req.raw.socket.destroy();
    });
    scope.addHook('onSend', async (_req, reply) => {
      void reply.headers(VERSIONS);
    });

    scope.post(
      '/epcis/queries',
      {
        schema: {
          tags,
          summary: 'Name a query (GET /epcis/events parameters); an entry on the log',
          security: secured,
          body: {
            type: 'object',
            required: ['name', 'query'],
            properties: { name: { type: 'string', maxLength: 200 }, query: { type: 'object' } },
          },
          response: { 201: namedQuery },
        },
      },
      async (req, reply) => {
        const created = await createQuery(deps, requireActor(req), req.body as { name: string; query: unknown });
        void reply.header('location', `/epcis/queries/${encodeURIComponent(created.name)}`);
        return reply.status(201).send(created);
      },
    );

    scope.get(
      '/epcis/queries',
      {
        schema: {
          tags,
          summary: 'Named queries you may see, by name',
          security: secured,
          querystring: paging,
          response: { 200: namedQueryList },
        },
      },
      async (req, reply) => {
        const q = req.query as { perPage?: number; nextPageToken?: string };
        const perPage = q.perPage ?? PER_PAGE;
        const page = await listQueries(deps, requireActor(req), perPage, q.nextPageToken ?? null);
        nextLink(reply, '/epcis/queries', perPage, page.next);
        return page.queries;
      },
    );

    scope.get(
      '/epcis/queries/:queryName',
      {
        schema: { tags, summary: 'A named query', security: secured, params: nameParam, response: { 200: namedQuery } },
      },
      async (req) => getQuery(deps, requireActor(req), (req.params as { queryName: string }).queryName),
    );

    scope.delete(
      '/epcis/queries/:queryName',
      {
        schema: {
          tags,
          summary: 'Delete a named query you made; its subscriptions end with it',
          security: secured,
          params: nameParam,
          response: { 204: { description: 'Deleted', type: 'null' } },
        },
      },
      async (req, reply) => {
        await deleteQuery(deps, requireActor(req), (req.params as { queryName: string }).queryName);
        return reply.status(204).send();
      },
    );

    scope.get(
      '/epcis/queries/:queryName/events',
      {
        schema: {
          tags,
          summary: 'The events of a named query, perPage at a time',
          security: secured,
          params: nameParam,
          querystring: paging,
          response: { 200: anyDocument },
        },
      },
      async (req, reply) => {
        const { queryName } = req.params as { queryName: string };
        const q = req.query as { perPage?: number; nextPageToken?: string };
        const { document, nextPageToken } = await namedQueryEvents(deps, requireActor(req), queryName, q);
        nextLink(reply, `/epcis/queries/${encodeURIComponent(queryName)}/events`, q.perPage ?? PER_PAGE, nextPageToken);
        return document;
      },
    );

    scope.route({
      method: 'GET',
      url: '/epcis/queries/:queryName/subscriptions',
      schema: {
        tags,
        summary:
          'Your subscriptions to a named query; with a WebSocket upgrade and stream=true, a live stream of its new events',
        security: secured,
        params: nameParam,
        querystring: {
          type: 'object',
          properties: { stream: { type: 'boolean' } },
        },
        response: { 200: subscriptionList },
      },
      handler: async (req) =>
        listSubscriptions(deps, requireActor(req), (req.params as { queryName: string }).queryName),
      wsHandler: (socket, req) => {
        const close = (code: number, reason: string) => socket.close(code, reason.slice(0, 120));
        const start = async () => {
          const actor = requireActor(req);
          if ((req.query as { stream?: boolean }).stream !== true)
            throw new AppError('ValidationFailed', { field: 'stream', reason: 'must be true' });
          const query = queryOf(await findQuery(deps.db, actor, (req.params as { queryName: string }).queryName));
          let cursor: Cursor = await streamStart(deps);
          let busy = false;
          const timer = setInterval(() => {
            if (busy) return;
            busy = true;
            eventsAfter(deps, actor, query, cursor, 100)
              .then((r) => {
                cursor = r.cursor;
                if (r.document) {
                  const results = (r.document.epcisBody as { queryResults: Record<string, unknown> }).queryResults;
                  results.queryName = (req.params as { queryName: string }).queryName;
                  socket.send(JSON.stringify(r.document));
                }
              })
              .catch((err: unknown) => req.log.error({ err }, 'websocket subscription pass failed'))
              .finally(() => {
                busy = false;
              });
          }, opts.pollMs ?? 100);
          socket.on('close', () => clearInterval(timer));
          socket.send(
            JSON.stringify({ type: 'subscribed', queryName: (req.params as { queryName: string }).queryName }),
          );
        };
        start().catch((err: unknown) => {
          const e = err instanceof AppError ? err : null;
          close(
            e?.code === 'NotFound' ? 4404 : e ? 4400 : 1011,
            e ? `${e.code}: ${String(e.details.reason ?? '')}` : 'error',
          );
        });
      },
    });

    scope.post(
      '/epcis/queries/:queryName/subscriptions',
      {
        schema: {
          tags,
          summary: 'Subscribe a webhook to a named query (stream: true); events arrive signed in GS1-Signature',
          security: secured,
          params: nameParam,
          body: {
            type: 'object',
            properties: {
              dest: { type: 'string', maxLength: 2000 },
              signatureToken: { type: 'string', maxLength: 500 },
              stream: { type: 'boolean' },
              reportIfEmpty: { type: 'boolean' },
              schedule: { type: 'object' },
            },
          },
          response: { 201: subscription },
        },
      },
      async (req, reply) => {
        const { queryName } = req.params as { queryName: string };
        const created = await createSubscription(
          deps,
          requireActor(req),
          queryName,
          req.body as object,
          opts.allowHttpWebhooks,
        );
        void reply.header(
          'location',
          `/epcis/queries/${encodeURIComponent(queryName)}/subscriptions/${created.subscriptionID}`,
        );
        return reply.status(201).send(created);
      },
    );

    const subParams = {
      type: 'object',
      required: ['queryName', 'subscriptionID'],
      properties: {
        queryName: { type: 'string', minLength: 1, maxLength: 100 },
        subscriptionID: { type: 'string', minLength: 1, maxLength: 64 },
      },
    } as const;

    scope.get(
      '/epcis/queries/:queryName/subscriptions/:subscriptionID',
      {
        schema: {
          tags,
          summary: 'One of your subscriptions',
          security: secured,
          params: subParams,
          response: { 200: subscription },
        },
      },
      async (req) => {
        const p = req.params as { queryName: string; subscriptionID: string };
        return getSubscription(deps, requireActor(req), p.queryName, p.subscriptionID);
      },
    );

    scope.delete(
      '/epcis/queries/:queryName/subscriptions/:subscriptionID',
      {
        schema: {
          tags,
          summary: 'Unsubscribe',
          security: secured,
          params: subParams,
          response: { 204: { description: 'Unsubscribed', type: 'null' } },
        },
      },
      async (req, reply) => {
        const p = req.params as { queryName: string; subscriptionID: string };
        await cancelSubscription(deps, requireActor(req), p.queryName, p.subscriptionID);
        return reply.status(204).send();
      },
    );
  });
}
