import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import type { Deps } from '../src/app/deps.ts';
import { systemClock } from '../src/app/deps.ts';
import { followPeer } from '../src/app/federation/mirror.ts';
import { activePeers, addPeer } from '../src/app/federation/peers.ts';
import { traceGraph } from '../src/app/recall/trace.ts';
import type { TraceScope } from '../src/app/recall/trace.ts';
import { vouching } from '../src/app/recognition/peer-trace.ts';
import { recognisePeer } from '../src/app/recognition/recognition.ts';
import { actorOf } from '../src/app/registry/parties.ts';
import { appendToken } from '../src/app/registry/tokens.ts';
import { checkpointOnce } from '../src/app/write/checkpointer.ts';
import { commit } from '../src/app/write/commit.ts';
import { ADMIN_USCC, openNode } from '../src/app/write/node.ts';
import { buildApp } from '../src/http/app.ts';
import { openCheckpoint } from '../src/log/checkpoint.ts';
import { leafHash } from '../src/log/hash.ts';
import { parseVerifierKey } from '../src/log/note-key.ts';
import { decodeEntryBundle, entriesPath, TILE_WIDTH } from '../src/log/tiles.ts';
import type { Schema } from '../src/store/schema.ts';
import type { BenchOptions, Figure } from './measure.ts';
import { figure, openScratchNode } from './measure.ts';
import { TRACE_ROUNDS, dataset, datasetLots, percentile } from './trace.ts';

// A trace across provinces against a local trace of the same shape. Node A is a copy of the trace bench's
// `coldtrace demo --scale` dataset, served on loopback; node B is a fresh node peered with A that mirrors A's whole log
// and indexes and recognises it (the catch-up, timed). Then the same wide import lots are traced forward on A over
// its own tables (the baseline) and on B over the peer rows it indexed, for a national regulator; B must find the
// same holdings (count and kg) as A, or the bench fails. SQLite only.
//
// Issue 14 asks for 1,000,000 events per node; the default dataset is 1,500 import lots, about 190,000 events.
// COLDTRACE_BENCH_TRACE_LOTS=8000 makes about 1,000,000 (about 40 minutes to generate, once, on two cores).

type Graph = Awaited<ReturnType<typeof traceGraph>>;

/** heldOf is what a trace says is held now: how many holdings, and how many grams in all. */
const heldOf = (g: Graph) => ({
  holdings: g.holdings.length,
  grams: g.holdings.reduce((n, h) => n + Math.round(h.quantity.kg * 1000), 0),
});

/** counting returns db with a plugin that counts the statements run through it, by kind and table. */
function counting(db: Kysely<Schema>) {
  const counts = new Map<string, number>();
  const counted = db.withPlugin({
    transformQuery(args) {
      type Table = { table?: { identifier?: { name?: string } }; node?: Table };
      const node = args.node as { kind: string; from?: { froms?: Table[] } };
      const from = node.from?.froms?.[0];
      const table = (from?.table ?? from?.node?.table)?.identifier?.name ?? '?';
      const key = `${node.kind.replace(/QueryNode$/, '')} ${table}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
      return args.node;
    },
    transformResult: async (args) => args.result,
  });
  return { counted, counts };
}

/** bareFetch fetches A's entry bundles over HTTP, hashes every entry and checks the root: no storage, no index. */
async function bareFetch(url: string, deps: Deps, token: string): Promise<number> {
  const note = await (await fetch(`${url}/log/checkpoint`)).text();
  const cp = openCheckpoint(note, deps.log.origin, [parseVerifierKey(deps.log.signer.verifierKey)]).checkpoint;
  const leaves: Buffer[] = [];
  for (let n = 0; n * TILE_WIDTH < cp.size; n++) {
    const width = Math.min(TILE_WIDTH, cp.size - n * TILE_WIDTH);
    const res = await fetch(`${url}/log/${entriesPath(n, width)}`, { headers: { authorization: `Bearer ${token}` } });
    for (const e of decodeEntryBundle(Buffer.from(await res.arrayBuffer()), width)) leaves.push(leafHash(e));
  }
  if (leaves.length !== cp.size) throw new Error('bare fetch: wrong number of entries');
  return cp.size;
}

/**
 * benchTraceAcross measures trace-forward latency (p50, p95) from the dataset's wide import lots on a node that holds
 * them only as a peer's mirrored facts, against the same trace on the node that holds them as its own; the catch-up
 * that makes the peer's facts traceable (mirror, index, recognise: entries/s) against a bare fetch-and-hash of the same
 * bundles; and peak RSS against RSS before the first trace.
 */
export async function benchTraceAcross(opts: BenchOptions): Promise<Figure[]> {
  const lots = datasetLots(opts);
  const data = await dataset(lots, opts.say);
  opts.say(
    `dataset: ${data.stats.events.toLocaleString('en-US')} events, ${data.stats.importLots} import lots, ${data.stats.holdings.toLocaleString('en-US')} holdings` +
      (lots < 8000
        ? ` (issue 14 asks for 1,000,000 events per node: COLDTRACE_BENCH_TRACE_LOTS=8000, about 40 minutes to generate once)`
        : ''),
  );
  const wide = data.stats.wide.lotIds;
  const figures: Figure[] = [];
  const work = mkdtempSync(join(tmpdir(), 'coldtrace-bench-across-'));
  copyFileSync(join(data.dir, 'node.key'), join(work, 'node.key'));
  copyFileSync(join(data.dir, 'coldtrace.db'), join(work, 'coldtrace.db'));
  const a = await openNode({ dataDir: work, publicUrl: 'http://bench.coldtrace.test', clock: systemClock });
  const app = await buildApp(a);
  let b: Awaited<ReturnType<typeof openScratchNode>> | undefined;
  try {
    // A's peers read its log with a token of A's national regulator.
    const admin = await a.db.selectFrom('parties').selectAll().where('uscc', '=', ADMIN_USCC).executeTakeFirstOrThrow();
    const { secret } = await commit(a, undefined, (w) => appendToken(w, null, admin.id, 'bench peer'));
    await checkpointOnce(a.db, a.log, a.clock);
    await app.listen({ port: 0, host: '127.0.0.1' });
    const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;

    b = await openScratchNode('sqlite', opts.pgAdminUrl, 'bench.coldtrace.test/province-b');
    await addPeer(b.deps, null, {
      name: a.log.origin,
      baseUrl: url,
      logVkey: a.log.signer.verifierKey,
      witnessVkey: a.witness.verifierKey,
      credential: secret,
    });
    const peer = (await activePeers(b.deps))[0]!;

    // Catch-up: mirror A's whole log, then index and recognise it.
    const bare0 = performance.now();
    const size = await bareFetch(url, a, secret);
    const bareSeconds = (performance.now() - bare0) / 1000;
    const t0 = performance.now();
    for (let more = true; more;) more = (await followPeer(b.deps, peer)).more;
    const t1 = performance.now();
    let indexed = 0;
    for (let more = true; more;) {
      const r = await recognisePeer(b.deps, a.log.origin);
      indexed += r.indexed;
      more = r.more;
    }
    const t2 = performance.now();
    if (indexed !== size) throw new Error(`catch-up: B indexed ${indexed} of A's ${size} entries`);
    const peerRows = Number(
      (
        await b.deps.db
          .selectFrom('peerRows')
          .select((e) => e.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
    const rate = size / ((t2 - t0) / 1000);
    opts.say(
      `catch-up of ${size.toLocaleString('en-US')} entries: mirror ${((t1 - t0) / 1000).toFixed(1)} s, index and recognise ${((t2 - t1) / 1000).toFixed(1)} s ` +
        `(${peerRows.toLocaleString('en-US')} peer rows): ${rate.toFixed(0)} entries/s; bare fetch-and-hash ${(size / bareSeconds).toFixed(0)}/s`,
    );
    figures.push(figure('traceAcross.catchUp', 'entries/s', rate, size / bareSeconds));

    const bAdmin = await b.deps.db
      .selectFrom('parties')
      .selectAll()
      .where('id', '=', b.adminId)
      .executeTakeFirstOrThrow();
    const actor = actorOf(bAdmin);
    if (!actor.national) throw new Error("B's admin is not a national actor");
    const across = async (db: Kysely<Schema>, lot: string) => {
      const scope: TraceScope = { vouching: await vouching(b!.deps), actor };
      return traceGraph(db, [lot], 'forward', scope);
    };

    // Warm up both paths once on every lot, and check that B finds what A holds.
    for (const lot of wide) {
      const here = heldOf(await traceGraph(a.db, [lot], 'forward'));
      const there = heldOf(await across(b.deps.db, lot));
      if (here.holdings !== there.holdings || here.grams !== there.grams)
        throw new Error(
          `trace across: on ${lot} B finds ${there.holdings} holdings, ${there.grams / 1000} kg; A holds ${here.holdings}, ${here.grams / 1000} kg`,
        );
    }
    const rss0 = process.memoryUsage().rss;
    let peak = rss0;
    const local: number[] = [];
    const remote: number[] = [];
    let held = { holdings: 0, grams: 0 };
    for (let i = 0; i < TRACE_ROUNDS; i++) {
      const lot = wide[i % wide.length]!;
      let t = performance.now();
      await traceGraph(a.db, [lot], 'forward');
      local.push(performance.now() - t);
      t = performance.now();
      const g = await across(b.deps.db, lot);
      remote.push(performance.now() - t);
      if (g.holdings.length > held.holdings) held = heldOf(g);
      peak = Math.max(peak, process.memoryUsage().rss);
    }

    // Where the time goes: statements per trace, by kind and table, on a wide lot and on the deepest of the dataset's
    // sample lots and some repacked lots (the wide lots are not repacked: their forward graph has no level below the
    // start). B must find the same holdings as A on these too.
    const profile = async (lot: string) => {
      const { counted, counts } = counting(b!.deps.db);
      const g = await across(counted, lot);
      const statements = [...counts.values()].reduce((n, c) => n + c, 0);
      const top = [...counts.entries()]
        .sort((x, y) => y[1] - x[1])
        .map(([k, n]) => `${k} ×${n}`)
        .join(', ');
      return { levels: Math.max(...g.lots.map((l) => l.depth)), lots: g.lots.length, statements, top };
    };
    let deepest = { lot: wide[0]!, levels: 0 };
    const repacked = await a.db
      .selectFrom('transformationLots')
      .select('lotId')
      .distinct()
      .where('role', '=', 'input')
      .orderBy('lotId')
      .limit(20)
      .execute();
    for (const l of [...data.stats.lots, ...repacked.map((r) => ({ id: r.lotId }))]) {
      const g = await traceGraph(a.db, [l.id], 'forward');
      const levels = Math.max(...g.lots.map((x) => x.depth));
      if (levels > deepest.levels) deepest = { lot: l.id, levels };
      const here = heldOf(g);
      const there = heldOf(await across(b.deps.db, l.id));
      if (here.holdings !== there.holdings || here.grams !== there.grams)
        throw new Error(
          `trace across: on ${l.id} B finds ${there.holdings} holdings, ${there.grams / 1000} kg; A holds ${here.holdings}, ${here.grams / 1000} kg`,
        );
    }
    opts.say(
      `trace forward over ${wide.length} wide lots (up to ${held.holdings} holdings, ${(held.grams / 1000).toLocaleString('en-US')} kg each; B finds the same as A on every lot): ` +
        `across p50 ${percentile(remote, 50).toFixed(1)} ms, p95 ${percentile(remote, 95).toFixed(1)} ms; local p50 ${percentile(local, 50).toFixed(1)} ms, p95 ${percentile(local, 95).toFixed(1)} ms`,
    );
    for (const lot of new Set([wide[0]!, deepest.lot])) {
      const p = await profile(lot);
      opts.say(
        `one trace across from ${lot} (${p.lots} lots, ${p.levels} level${p.levels === 1 ? '' : 's'} deep) runs ${p.statements} statements: ${p.top}`,
      );
    }
    const mb = (x: number) => x / 1024 / 1024;
    figures.push(
      figure('traceAcross.forward.p50', 'ms', percentile(remote, 50), percentile(local, 50)),
      figure('traceAcross.forward.p95', 'ms', percentile(remote, 95), percentile(local, 95)),
      figure('traceAcross.rss', 'MB', mb(peak), mb(rss0)),
    );
  } finally {
    await app.close();
    await a.dialect.close();
    await b?.close();
    rmSync(work, { recursive: true, force: true });
  }
  return figures;
}
