import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { verifyDatabase } from '../src/app/audit/verify.ts';
import { deliverStreamsDue } from '../src/app/epcis/stream-deliverer.ts';
import { verifySignature } from '../src/domain/webhook.ts';
import { parseVerifierKey } from '../src/log/note-key.ts';
import { borderCast, clearedLot } from './support/border.ts';
import { addParty, api, expectError } from './support/http.ts';
import type { Reply } from './support/http.ts';
import { eachDialect } from './support/test-node.ts';
import type { TestNode } from './support/test-node.ts';

const CONTEXT = ['https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld', { ct: 'urn:coldtrace:epcis:' }];
const SHIPPING = 'https://ref.gs1.org/cbv/BizStep-shipping';
const enc = encodeURIComponent;
const eventsOf = (doc: Record<string, unknown>) =>
  (doc.epcisBody as { queryResults: { resultsBody: { eventList: Record<string, unknown>[] } } }).queryResults
    .resultsBody.eventList;

function plainEvent(i: number) {
  return {
    type: 'ObjectEvent',
    action: 'OBSERVE',
    bizStep: i % 2 ? 'receiving' : 'shipping',
    disposition: i % 2 ? 'in_progress' : 'in_transit',
    eventTime: new Date(Date.parse('2026-01-01T00:00:00Z') + i * 60_000).toISOString(),
    eventTimeZoneOffset: '+08:00',
    epcList: [`urn:epc:id:sgtin:4012345.011111.${1000 + i}`],
    readPoint: { id: `urn:epc:id:sgln:4012345.00001.${i % 3}` },
    bizLocation: { id: `urn:epc:id:sgln:4012345.00002.${i % 2}` },
  };
}

/** capture posts one event and returns its eventID. */
async function capture(n: TestNode, token: string, i: number): Promise<string> {
  const r = await api(n.app, 'POST', '/epcis/events', { token, body: { '@context': CONTEXT, ...plainEvent(i) } });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return String(r.body.eventID);
}

interface Receiver {
  url: string;
  got: { signature: string | undefined; body: string }[];
  down: boolean;
  close(): Promise<void>;
}

/** receiver is a webhook receiver on loopback that answers 503 while down, 200 otherwise. */
async function receiver(): Promise<Receiver> {
  const r: Receiver = { url: '', got: [], down: false, close: async () => {} };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (r.down) {
        res.writeHead(503).end();
        return;
      }
      r.got.push({
        signature: req.headers['gs1-signature'] as string | undefined,
        body: Buffer.concat(chunks).toString(),
      });
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  r.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/epcis-callback`;
  r.close = async () => {
    server.closeAllConnections();
    await new Promise<void>((ok) => server.close(() => ok()));
  };
  return r;
}

/** receivedIds checks every delivery's GS1-Signature under token and returns the eventIDs delivered, in order. */
function receivedIds(r: Receiver, token: string, nowSec: number): string[] {
  return r.got.flatMap((g) => {
    const m = /^t=(\d+),(v1=[0-9a-f]+)$/.exec(g.signature ?? '');
    expect(m, `GS1-Signature ${g.signature}`).not.toBeNull();
    expect(verifySignature(token, m![2]!, Number(m![1]), g.body, nowSec)).toBe(true);
    expect(verifySignature('not-the-token', m![2]!, Number(m![1]), g.body, nowSec)).toBe(false);
    return eventsOf(JSON.parse(g.body) as Record<string, unknown>).map((e) => String(e.eventID));
  });
}

async function verifyOk(n: TestNode) {
  await n.checkpoint();
  const v = await verifyDatabase(n.deps.db, n.deps.log.origin, [parseVerifierKey(n.deps.log.signer.verifierKey)]);
  expect(v.problem).toBeUndefined();
}

const tick = (n: TestNode) => deliverStreamsDue(n.deps, { random: () => 0.5, timeoutMs: 2000 });

eachDialect(
  'EPCIS named queries, subscriptions and navigation',
  (node) => {
    it('creates, lists, reads and deletes named queries, naming the field of bad input', async () => {
      const n = node();
      const owner = await addParty(n.app, n.adminToken, ['wholesaler']);
      const other = await addParty(n.app, n.adminToken, ['wholesaler']);
      const size = (await api(n.app, 'GET', '/healthz')).body.logSize;
      const body = { name: 'shipped', query: { EQ_bizStep: ['shipping'], eventType: 'ObjectEvent' } };
      const made = await api(n.app, 'POST', '/epcis/queries', { token: owner.token, body });
      expect(made.status, JSON.stringify(made.body)).toBe(201);
      expect(made.headers.location).toBe('/epcis/queries/shipped');
      expect(made.body).toMatchObject({
        name: 'shipped',
        query: { EQ_bizStep: ['shipping'], eventType: ['ObjectEvent'] },
      });
      expect((await api(n.app, 'GET', '/healthz')).body.logSize).toBe(size + 1);
      expectError(await api(n.app, 'POST', '/epcis/queries', { token: other.token, body }), 409, 'Conflict', 'name');
      const bad = async (b: unknown, field: string) =>
        expectError(
          await api(n.app, 'POST', '/epcis/queries', { token: owner.token, body: b }),
          400,
          'ValidationFailed',
          field,
        );
      await bad({ name: 'has space', query: {} }, 'name');
      await bad({ name: 'q1', query: { EQ_action: 'JUMP' } }, 'query.EQ_action');
      await bad({ name: 'q1', query: { GE_eventTime: 'yesterday' } }, 'query.GE_eventTime');
      await bad({ name: 'q1', query: { perPage: '3' } }, 'query.perPage');
      await bad({ name: 'q1', query: { EQ_bizStep: [] } }, 'query.EQ_bizStep');
      expect(
        (await api(n.app, 'GET', '/epcis/queries', { token: owner.token })).body.map((q: { name: string }) => q.name),
      ).toEqual(['shipped']);
      expect((await api(n.app, 'GET', '/epcis/queries', { token: other.token })).body).toEqual([]);
      expect((await api(n.app, 'GET', '/epcis/queries/shipped', { token: owner.token })).body.name).toBe('shipped');
      expectError(
        await api(n.app, 'GET', '/epcis/queries/shipped', { token: other.token }),
        404,
        'NotFound',
        'queryName',
      );
      expectError(
        await api(n.app, 'DELETE', '/epcis/queries/shipped', { token: other.token }),
        404,
        'NotFound',
        'queryName',
      );
      const a = await capture(n, owner.token, 2);
      await capture(n, owner.token, 3);
      const b = await capture(n, owner.token, 4);
      const page1 = await api(n.app, 'GET', '/epcis/queries/shipped/events?perPage=1', { token: owner.token });
      expect(eventsOf(page1.body).map((e) => e.eventID)).toEqual([a]);
      expect(page1.body.epcisBody.queryResults.queryName).toBe('shipped');
      const next = /<([^>]+)>; rel="next"/.exec(String(page1.headers.link))![1]!;
      expect(eventsOf((await api(n.app, 'GET', next, { token: owner.token })).body).map((e) => e.eventID)).toEqual([b]);
      expect((await api(n.app, 'DELETE', '/epcis/queries/shipped', { token: owner.token })).status).toBe(204);
      expectError(
        await api(n.app, 'GET', '/epcis/queries/shipped', { token: owner.token }),
        404,
        'NotFound',
        'queryName',
      );
      // A deleted query's name may be taken again.
      expect((await api(n.app, 'POST', '/epcis/queries', { token: other.token, body })).status).toBe(201);
      await verifyOk(n);
    });

    it('streams matching events to a webhook, signed, in order, again after the receiver was down, and only what the subscriber may see', async () => {
      const n = node();
      const owner = await addParty(n.app, n.adminToken, ['wholesaler']);
      const stranger = await addParty(n.app, n.adminToken, ['wholesaler']);
      const mine = await receiver();
      const theirs = await receiver();
      try {
        const query = { name: 'objects', query: { eventType: ['ObjectEvent'] } };
        expect((await api(n.app, 'POST', '/epcis/queries', { token: owner.token, body: query })).status).toBe(201);
        const q2 = { name: 'stranger-objects', query: { eventType: ['ObjectEvent'] } };
        expect((await api(n.app, 'POST', '/epcis/queries', { token: stranger.token, body: q2 })).status).toBe(201);
        const subscribe = (token: string, name: string, body: unknown) =>
          api(n.app, 'POST', `/epcis/queries/${name}/subscriptions`, { token, body });
        const badSub = async (body: unknown, field: string) =>
          expectError(await subscribe(owner.token, 'objects', body), 400, 'ValidationFailed', field);
        await badSub({ dest: mine.url }, 'stream');
        await badSub({ dest: 'http://example.com/hook', stream: true }, 'dest');
        await badSub({ dest: 'https://10.0.0.1/hook', stream: true }, 'dest');
        await badSub({ dest: mine.url, schedule: { hour: '25' } }, 'schedule.hour');
        await badSub({ dest: mine.url, schedule: { hour: '1' }, stream: true }, 'stream');
        expectError(
          await subscribe(stranger.token, 'objects', { dest: theirs.url, stream: true }),
          404,
          'NotFound',
          'queryName',
        );
        const before = await capture(n, owner.token, 10);
        const sub = await subscribe(owner.token, 'objects', { dest: mine.url, signatureToken: 'tok-1', stream: true });
        expect(sub.status, JSON.stringify(sub.body)).toBe(201);
        expect(sub.body).toMatchObject({ dest: mine.url, stream: true });
        expect(JSON.stringify(sub.body)).not.toContain('tok-1');
        expect(
          (
            await subscribe(stranger.token, 'stranger-objects', {
              dest: theirs.url,
              signatureToken: 'tok-2',
              stream: true,
            })
          ).status,
        ).toBe(201);

        const first = [
          await capture(n, owner.token, 11),
          await capture(n, owner.token, 12),
          await capture(n, owner.token, 13),
        ];
        expect(await tick(n)).toBe(3);
        const nowSec = () => Math.floor(n.clock.now() / 1000);
        expect(receivedIds(mine, 'tok-1', nowSec())).toEqual(first);
        expect(receivedIds(mine, 'tok-1', nowSec())).not.toContain(before);
        expect(await tick(n)).toBe(0);

        // The receiver goes down: the event waits with back-off, and a newer one waits behind it.
        mine.down = true;
        const late = [await capture(n, owner.token, 14)];
        expect(await tick(n)).toBe(1);
        late.push(await capture(n, owner.token, 15));
        expect(await tick(n)).toBe(0);
        n.clock.advance(5_000);
        expect(await tick(n)).toBe(0);
        mine.down = false;
        n.clock.advance(10_000);
        expect(await tick(n)).toBe(2);
        expect(receivedIds(mine, 'tok-1', nowSec())).toEqual([...first, ...late]);
        const listed = await api(n.app, 'GET', '/epcis/queries/objects/subscriptions', { token: owner.token });
        expect(listed.body).toHaveLength(1);
        expect(listed.body[0].lastNotifiedAt).toBeDefined();

        // The stranger's query matches the same events, but it may read none of them.
        expect(theirs.got).toEqual([]);

        // Unsubscribed, nothing more is sent.
        const id = sub.body.subscriptionID as string;
        expect(
          (await api(n.app, 'GET', `/epcis/queries/objects/subscriptions/${id}`, { token: owner.token })).status,
        ).toBe(200);
        expect(
          (await api(n.app, 'DELETE', `/epcis/queries/objects/subscriptions/${id}`, { token: owner.token })).status,
        ).toBe(204);
        await capture(n, owner.token, 16);
        expect(await tick(n)).toBe(0);
        expect(mine.got).toHaveLength(2);
        await verifyOk(n);
      } finally {
        await mine.close();
        await theirs.close();
      }
    });

    it('reports on a schedule: the events recorded since the last run, and an empty report when asked', async () => {
      const n = node();
      const owner = await addParty(n.app, n.adminToken, ['wholesaler']);
      const hook = await receiver();
      try {
        const body = { name: 'scheduled', query: { EQ_bizStep: 'shipping' } };
        expect((await api(n.app, 'POST', '/epcis/queries', { token: owner.token, body })).status).toBe(201);
        const early = await capture(n, owner.token, 40);
        n.clock.advance(1000);
        // Every minute at :30, UTC; the test clock starts at 08:00:00.
        const sub = await api(n.app, 'POST', '/epcis/queries/scheduled/subscriptions', {
          token: owner.token,
          body: { dest: hook.url, signatureToken: 'tok-s', schedule: { second: '30' }, reportIfEmpty: true },
        });
        expect(sub.status, JSON.stringify(sub.body)).toBe(201);
        expect(sub.body).toMatchObject({ stream: false, schedule: { second: '30' }, reportIfEmpty: true });
        const ids = [await capture(n, owner.token, 42), await capture(n, owner.token, 44)];
        await capture(n, owner.token, 43); // receiving: not this query's
        expect(await tick(n)).toBe(0);
        n.clock.advance(29_000);
        expect(await tick(n)).toBe(2);
        const nowSec = () => Math.floor(n.clock.now() / 1000);
        expect(receivedIds(hook, 'tok-s', nowSec())).toEqual(ids);
        expect(receivedIds(hook, 'tok-s', nowSec())).not.toContain(early);
        // Nothing new by the next run: an empty report, as reportIfEmpty asks.
        n.clock.advance(60_000);
        expect(await tick(n)).toBe(1);
        expect(hook.got).toHaveLength(2);
        expect(eventsOf(JSON.parse(hook.got[1]!.body) as Record<string, unknown>)).toEqual([]);
        expect(await tick(n)).toBe(0);
      } finally {
        await hook.close();
      }
    });

    it('streams the EPCIS events of custody writes too, to those who may see them', async () => {
      const n = node();
      const cast = await borderCast(n.app, n.adminToken);
      const stranger = await addParty(n.app, n.adminToken, ['wholesaler']);
      const mine = await receiver();
      const theirs = await receiver();
      try {
        for (const [p, name, dest] of [
          [cast.importer, 'custody-mine', mine.url],
          [stranger, 'custody-theirs', theirs.url],
        ] as const) {
          const body = { name, query: { EQ_bizStep: ['commissioning'] } };
          expect((await api(n.app, 'POST', '/epcis/queries', { token: p.token, body })).status).toBe(201);
          const sub = await api(n.app, 'POST', `/epcis/queries/${name}/subscriptions`, {
            token: p.token,
            body: { dest, signatureToken: `tok-${name}`, stream: true },
          });
          expect(sub.status, JSON.stringify(sub.body)).toBe(201);
        }
        const lot = await clearedLot(n, cast, { netKg: 500, cartons: 25 });
        await tick(n);
        const got = receivedIds(mine, 'tok-custody-mine', Math.floor(n.clock.now() / 1000));
        expect(got).toHaveLength(1);
        const served = await api(n.app, 'GET', `/epcis/events/${enc(got[0]!)}`, { token: cast.importer.token });
        const event = eventsOf(served.body)[0]!;
        expect(event.bizStep).toBe('commissioning');
        expect(JSON.stringify(event)).toContain(String(lot.code));
        expect(theirs.got).toEqual([]);
      } finally {
        await mine.close();
        await theirs.close();
      }
    });

    it('streams matching events over a WebSocket, and nothing the subscriber may not see', async () => {
      const n = node();
      const owner = await addParty(n.app, n.adminToken, ['wholesaler']);
      const stranger = await addParty(n.app, n.adminToken, ['wholesaler']);
      for (const [p, name] of [
        [owner, 'ws-mine'],
        [stranger, 'ws-theirs'],
      ] as const)
        expect(
          (
            await api(n.app, 'POST', '/epcis/queries', {
              token: p.token,
              body: { name, query: { EQ_bizStep: 'shipping' } },
            })
          ).status,
        ).toBe(201);
      await n.app.listen({ port: 0, host: '127.0.0.1' });
      const port = (n.app.server.address() as AddressInfo).port;
      const open = async (token: string, name: string) => {
        const ws = new WebSocket(`ws://127.0.0.1:${port}/epcis/queries/${name}/subscriptions?stream=true`, {
          headers: { authorization: `Bearer ${token}` },
        });
        const messages: Record<string, unknown>[] = [];
        ws.on('message', (d) => messages.push(JSON.parse(String(d)) as Record<string, unknown>));
        await new Promise<void>((ok, fail) => {
          ws.once('error', fail);
          const t = setInterval(() => {
            if (messages.length > 0) {
              clearInterval(t);
              ok();
            }
          }, 10);
        });
        expect(messages[0]).toEqual({ type: 'subscribed', queryName: name });
        return { ws, messages };
      };
      const mine = await open(owner.token, 'ws-mine');
      const theirs = await open(stranger.token, 'ws-theirs');
      try {
        const shipped = [await capture(n, owner.token, 20), await capture(n, owner.token, 22)];
        await capture(n, owner.token, 21); // receiving: not this query's
        const deadline = Date.now() + 3000;
        const got = () => mine.messages.slice(1).flatMap((m) => eventsOf(m).map((e) => String(e.eventID)));
        while (got().length < 2 && Date.now() < deadline) await new Promise((ok) => setTimeout(ok, 20));
        expect(got()).toEqual(shipped);
        await new Promise((ok) => setTimeout(ok, 300));
        expect(theirs.messages).toHaveLength(1);
      } finally {
        mine.ws.close();
        theirs.ws.close();
      }
      // A WebSocket on a query one may not see is closed with a reason.
      const refused = new WebSocket(`ws://127.0.0.1:${port}/epcis/queries/ws-mine/subscriptions?stream=true`, {
        headers: { authorization: `Bearer ${stranger.token}` },
      });
      const code = await new Promise<number>((ok) => refused.on('close', (c) => ok(c)));
      expect(code).toBe(4404);
      // Without a token there is no upgrade: the answer is 401.
      const anonymous = new WebSocket(`ws://127.0.0.1:${port}/epcis/queries/ws-mine/subscriptions?stream=true`);
      const status = await new Promise<number>((ok) => {
        anonymous.on('unexpected-response', (_req, res) => ok(res.statusCode ?? 0));
        anonymous.on('error', () => {});
      });
      expect(status).toBe(401);
    });

    it('lists the navigation resources, paged, with the events of each member', async () => {
      const n = node();
      const owner = await addParty(n.app, n.adminToken, ['wholesaler']);
      const stranger = await addParty(n.app, n.adminToken, ['wholesaler']);
      const ids = [
        await capture(n, owner.token, 30),
        await capture(n, owner.token, 31),
        await capture(n, owner.token, 32),
      ];
      const get = (url: string, token = owner.token): Promise<Reply> => api(n.app, 'GET', url, { token });
      const types = await get('/epcis/eventTypes');
      expect(types.body).toMatchObject({ type: 'Collection' });
      expect(types.body.member).toContain('ObjectEvent');
      expect(types.body.member).toHaveLength(5);
      const steps1 = await get('/epcis/bizSteps?perPage=1');
      expect(steps1.body.member).toHaveLength(1);
      const next = /<([^>]+)>; rel="next"/.exec(String(steps1.headers.link))![1]!;
      const steps2 = await get(next);
      expect([...steps1.body.member, ...steps2.body.member].sort()).toEqual([
        'https://ref.gs1.org/cbv/BizStep-receiving',
        SHIPPING,
      ]);
      expect(steps2.headers.link).toBeUndefined();
      const shipping = await get(`/epcis/bizSteps/${enc(SHIPPING)}/events`);
      expect(eventsOf(shipping.body).map((e) => e.eventID)).toEqual([ids[0], ids[2]]);
      const epcs = await get('/epcis/epcs');
      // Members are canonical (GS1 Digital Link); an EPC is found by either of its forms.
      expect(epcs.body.member).toContain('https://id.gs1.org/01/04012345111118/21/1031');
      for (const epc of ['https://id.gs1.org/01/04012345111118/21/1031', 'urn:epc:id:sgtin:4012345.011111.1031']) {
        const one = await get(`/epcis/epcs/${enc(epc)}/events`);
        expect(eventsOf(one.body).map((e) => e.eventID)).toEqual([ids[1]]);
      }
      expect((await get('/epcis/readPoints')).body.member).toHaveLength(3);
      expect((await get('/epcis/bizLocations')).body.member).toHaveLength(2);
      expect((await get('/epcis/dispositions')).body.member).toHaveLength(2);
      expect((await get('/epcis/dispositions', stranger.token)).body.member).toEqual([]);
      expect(eventsOf((await get(`/epcis/bizSteps/${enc(SHIPPING)}/events`, stranger.token)).body)).toEqual([]);
      expectError(await get('/epcis/bizSteps?nextPageToken=%21%21'), 400, 'ValidationFailed', 'nextPageToken');
    });
  },
  { allowHttpWebhooks: true },
);

describe('gs1Signature', () => {
  it('is the HMAC the receiver checks', async () => {
    const { gs1Signature } = await import('../src/app/epcis/stream-deliverer.ts');
    const s = gs1Signature('k', 1700000000, '{}');
    expect(s).toMatch(/^t=1700000000,v1=[0-9a-f]{64}$/);
    expect(verifySignature('k', s.split(',')[1]!, 1700000000, '{}', 1700000000)).toBe(true);
  });
});
