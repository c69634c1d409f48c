import type { FastifyInstance } from 'fastify';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { startStreamDeliverer } from '../src/app/epcis/stream-deliverer.ts';
import { buildApp } from '../src/http/app.ts';
import type { BenchOptions, DatabaseKind, Figure } from './measure.ts';
import { benchUscc, figure, openScratchNode, qualified } from './measure.ts';

// EPCIS subscription delivery latency: a streaming webhook subscription on a named query, a receiver on 127.0.0.1, and
// single events captured over HTTP at a steady rate. Each event's latency runs from the capture's 201 (the write has
// committed by then) to the moment the receiver has the POST that carries it; the stream deliverer runs as `coldtrace
// serve` runs it (a pass every 100 ms). The baseline is a bare loopback POST round trip of a body of the same size to
// the same receiver, measured in the same run.

const CONTEXT = ['https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld', { ct: 'urn:coldtrace:epcis:' }];
const SUBSCRIBERS = 10;
const SIZES = { quick: { events: 40, perSecond: 20 }, full: { events: 400, perSecond: 20 } };

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON replies of many shapes
type Json = any;

const percentile = (xs: readonly number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};
const sleep = (ms: number) => new Promise((ok) => setTimeout(ok, ms));

function event(i: number) {
  return {
    '@context': CONTEXT,
    type: 'ObjectEvent',
    action: 'OBSERVE',
    bizStep: 'shipping',
    eventTime: new Date(Date.parse('2026-01-01T00:00:00Z') + i * 1000).toISOString(),
    eventTimeZoneOffset: '+08:00',
    epcList: [`urn:epc:id:sgtin:4012345.011111.${100000 + i}`],
    readPoint: { id: 'urn:epc:id:sgln:4012345.00001.0' },
  };
}

async function once(kind: DatabaseKind, opts: BenchOptions): Promise<Figure[]> {
  const sizes = opts.quick ? SIZES.quick : SIZES.full;
  const node = await openScratchNode(kind, opts.pgAdminUrl);
  const app: FastifyInstance = await buildApp(node.deps, { allowHttpWebhooks: true });
  const arrived = new Map<string, number>();
  let bodyBytes = 0;
  const receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const at = performance.now();
      const text = Buffer.concat(chunks).toString();
      if (req.url === '/hook') {
        bodyBytes = Math.max(bodyBytes, text.length);
        const doc = JSON.parse(text) as Json;
        for (const e of doc.epcisBody.queryResults.resultsBody.eventList as Json[])
          if (!arrived.has(e.eventID)) arrived.set(e.eventID, at);
      }
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((ok) => receiver.listen(0, '127.0.0.1', ok));
  const dest = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  const deliverer = startStreamDeliverer(node.deps);
  try {
    const base = await app.listen({ port: 0, host: '127.0.0.1' });
    const call = async (method: string, url: string, token: string, body?: unknown) => {
      const res = await fetch(`${base}${url}`, {
        method,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      if (res.status >= 300) throw new Error(`${method} ${url}: ${res.status} ${text.slice(0, 300)}`);
      return (text ? JSON.parse(text) : null) as Json;
    };
    const wholesaler = async () => {
      const party = await call('POST', '/v1/parties', node.adminToken, {
        uscc: benchUscc(),
        name: { zh: '基准批发', en: 'Bench Wholesale' },
        roles: ['wholesaler'],
        region: '410000',
      });
      return (await call('POST', `/v1/parties/${party.id}/tokens`, node.adminToken, { label: 'bench' }))
        .token as string;
    };
    const token = await wholesaler();
    const otherToken = await wholesaler();

    // What queuing costs a capture: single captures with no subscription, then with SUBSCRIBERS streaming ones whose
    // bizStep rules every event out (the first look in memory), then with SUBSCRIBERS more that match every event.
    const captureTimes = async (from: number) => {
      const times: number[] = [];
      for (let i = 0; i < sizes.events; i++) {
        const s = performance.now();
        await call('POST', '/epcis/events', token, event(from + i));
        times.push(performance.now() - s);
      }
      return times;
    };
    const bare = await captureTimes(1_000_000);
    for (let i = 0; i < SUBSCRIBERS; i++) {
      await call('POST', '/epcis/queries', otherToken, { name: `other${i}`, query: { EQ_bizStep: ['receiving'] } });
      await call('POST', `/epcis/queries/other${i}/subscriptions`, otherToken, { dest: `${dest}/load`, stream: true });
    }
    const others = await captureTimes(3_000_000);
    for (let i = 0; i < SUBSCRIBERS; i++) {
      await call('POST', '/epcis/queries', token, { name: `load${i}`, query: { EQ_bizStep: ['shipping'] } });
      await call('POST', `/epcis/queries/load${i}/subscriptions`, token, { dest: `${dest}/load`, stream: true });
    }
    const loaded = await captureTimes(2_000_000);
    // Let those deliveries drain before latency is measured.
    const pending = () =>
      node.deps.db
        .selectFrom('epcisDeliveries')
        .select((eb) => eb.fn.countAll().as('n'))
        .where('status', '=', 'pending')
        .executeTakeFirstOrThrow();
    while (Number((await pending()).n) > 0) await sleep(50);
    await call('POST', '/epcis/queries', token, { name: 'bench', query: { eventType: ['ObjectEvent'] } });
    await call('POST', '/epcis/queries/bench/subscriptions', token, {
      dest: `${dest}/hook`,
      signatureToken: 'bench-token',
      stream: true,
    });

    const committed = new Map<string, number>();
    const gap = 1000 / sizes.perSecond;
    const t0 = performance.now();
    for (let i = 0; i < sizes.events; i++) {
      const wait = t0 + i * gap - performance.now();
      if (wait > 0) await sleep(wait);
      const captured = await call('POST', '/epcis/events', token, event(i));
      committed.set(captured.eventID as string, performance.now());
    }
    const deadline = performance.now() + 30_000;
    while (arrived.size < committed.size && performance.now() < deadline) await sleep(20);
    if (arrived.size < committed.size) throw new Error(`only ${arrived.size} of ${committed.size} events arrived`);
    const latencies = [...committed].map(([id, at]) => arrived.get(id)! - at);

    // Baseline: a bare POST round trip of the same size to the same receiver, at the same rate of a few.
    const body = 'x'.repeat(bodyBytes);
    const trips: number[] = [];
    for (let i = 0; i < Math.min(sizes.events, 100); i++) {
      const s = performance.now();
      const res = await fetch(`${dest}/baseline`, { method: 'POST', body });
      await res.text();
      trips.push(performance.now() - s);
    }
    opts.say(
      `  ${kind}: ${sizes.events} events at ${sizes.perSecond}/s; delivery p50 ${percentile(latencies, 50).toFixed(1)} ms, p95 ${percentile(latencies, 95).toFixed(1)} ms, max ${Math.max(...latencies).toFixed(1)} ms; loopback POST p50 ${percentile(trips, 50).toFixed(2)} ms`,
    );
    opts.say(
      `  ${kind}: capture p50 ${percentile(bare, 50).toFixed(1)} ms with no subscription, ${percentile(others, 50).toFixed(1)} ms with ${SUBSCRIBERS} streaming subscriptions on another bizStep, ${percentile(loaded, 50).toFixed(1)} ms with ${SUBSCRIBERS} more matching every event`,
    );
    return [
      figure(
        qualified(`subscriptions.captureP50With${SUBSCRIBERS}Other`, kind),
        'ms',
        percentile(others, 50),
        percentile(bare, 50),
      ),
      figure(
        qualified(`subscriptions.captureP50With${SUBSCRIBERS}Matching`, kind),
        'ms',
        percentile(loaded, 50),
        percentile(bare, 50),
      ),
      figure(qualified('subscriptions.deliveryP50', kind), 'ms', percentile(latencies, 50), percentile(trips, 50)),
      figure(qualified('subscriptions.deliveryP95', kind), 'ms', percentile(latencies, 95), percentile(trips, 95)),
    ];
  } finally {
    await deliverer.stop();
    await app.close();
    receiver.closeAllConnections();
    await new Promise<void>((ok) => receiver.close(() => ok()));
    await node.close();
  }
}

/**
 * benchSubscriptions measures how long a streamed EPCIS event takes from its capture's commit to a webhook receiver on
 * loopback, p50 and p95 in ms at a steady capture rate, against a bare loopback POST round trip.
 */
export async function benchSubscriptions(opts: BenchOptions): Promise<Figure[]> {
  const figures: Figure[] = [];
  for (const kind of opts.kinds) figures.push(...(await once(kind, opts)));
  return figures;
}
