import Database from 'better-sqlite3';
import Fastify from 'fastify';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { followPeer } from '../src/app/federation/mirror.ts';
import { activePeers, addPeer } from '../src/app/federation/peers.ts';
import { startFederation } from '../src/app/federation/worker.ts';
import type { FederationWorker } from '../src/app/federation/worker.ts';
import { startCheckpointer } from '../src/app/write/checkpointer.ts';
import { commit } from '../src/app/write/commit.ts';
import { checkpointOnce } from '../src/app/write/checkpointer.ts';
import { buildApp } from '../src/http/app.ts';
import { openCheckpoint } from '../src/log/checkpoint.ts';
import { leafHash } from '../src/log/hash.ts';
import { cosignerFromSeed, parseVerifierKey } from '../src/log/note-key.ts';
import { decodeEntryBundle, entriesPath, TILE_WIDTH } from '../src/log/tiles.ts';
import { rootFromLeafHashes } from '../src/log/tree.ts';
import type { BenchOptions, Figure, ScratchNode } from './measure.ts';
import { figure, openScratchNode } from './measure.ts';

// Federation: how fast a node catches up with a peer's log, how far behind a mirror follows a node that writes at a
// steady rate (with push hints and without), and how many add-checkpoint requests a witness answers. SQLite only.

interface Served {
  node: ScratchNode;
  url: string;
  /** follow makes the node's push hints wake this worker (the app is built once, the workers change per run). */
  follow(worker: FederationWorker | undefined): void;
  close(): Promise<void>;
}

async function serve(name: string, opts: BenchOptions): Promise<Served> {
  const node = await openScratchNode('sqlite', opts.pgAdminUrl, `bench.coldtrace.test/${name}`);
  let current: FederationWorker | undefined;
  const relay: FederationWorker = {
    runOnce: async () => current?.runOnce(),
    kick: (origin) => current?.kick(origin),
    stop: async () => {},
  };
  const app = await buildApp(node.deps, { federation: relay });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  return {
    node,
    url,
    follow: (w) => {
      current = w;
    },
    close: async () => (await app.close(), await node.close()),
  };
}

async function fill(node: ScratchNode, n: number) {
  for (let done = 0; done < n; done += 1000) {
    await commit(node.deps, undefined, async (w) => {
      for (let i = done; i < Math.min(n, done + 1000); i++)
        await w.append('setting.updated', null, { key: `bench${i}`, value: i, updatedAt: w.now });
    });
  }
  await checkpointOnce(node.deps.db, node.deps.log, node.deps.clock);
}

const peerOf = (to: Served) => ({
  name: to.node.deps.log.origin,
  baseUrl: to.url,
  logVkey: to.node.deps.log.signer.verifierKey,
  witnessVkey: to.node.deps.witness.verifierKey,
  credential: to.node.adminToken,
});

/** bareCatchUp fetches the same entry bundles over HTTP, hashes them and checks the root: no storage, no tiles. */
async function bareCatchUp(a: Served) {
  const note = await (await fetch(`${a.url}/log/checkpoint`)).text();
  const cp = openCheckpoint(note, a.node.deps.log.origin, [
    parseVerifierKey(a.node.deps.log.signer.verifierKey),
  ]).checkpoint;
  const leaves: Buffer[] = [];
  for (let n = 0; n * TILE_WIDTH < cp.size; n++) {
    const width = Math.min(TILE_WIDTH, cp.size - n * TILE_WIDTH);
    const res = await fetch(`${a.url}/log/${entriesPath(n, width)}`, {
      headers: { authorization: `Bearer ${a.node.adminToken}` },
    });
    for (const e of decodeEntryBundle(Buffer.from(await res.arrayBuffer()), width)) leaves.push(leafHash(e));
  }
  if (!rootFromLeafHashes(leaves).equals(cp.root)) throw new Error('bare catch-up: root mismatch');
  return cp.size;
}

const percentile = (xs: number[], p: number) => {
  const s = [...xs].sort((x, y) => x - y);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};

/** benchFederation measures catch-up, replication lag and the witness. */
export async function benchFederation(opts: BenchOptions): Promise<Figure[]> {
  const figures: Figure[] = [];
  const entries = opts.quick ? 2_000 : 20_000;
  const [a, b] = [await serve('a', opts), await serve('b', opts)];
  try {
    await fill(a.node, entries);
    const size = (await a.node.deps.db
      .selectFrom('logEntries')
      .select((e) => e.fn.countAll().as('n'))
      .executeTakeFirst())!.n;
    await addPeer(b.node.deps, null, peerOf(a));
    await addPeer(a.node.deps, null, peerOf(b));

    // Catch-up: the mirror from nothing to the whole log, against the bare loop over the same bundles.
    const base0 = performance.now();
    await bareCatchUp(a);
    const bareSeconds = (performance.now() - base0) / 1000;
    const peer = (await activePeers(b.node.deps))[0]!;
    const t0 = performance.now();
    for (let more = true; more;) more = (await followPeer(b.node.deps, peer)).more;
    const seconds = (performance.now() - t0) / 1000;
    const n = Number(size);
    figures.push(figure('federation.catchUp', 'entries/s', n / seconds, n / bareSeconds));
    opts.say(
      `catch-up of ${n} entries: ${(n / seconds).toFixed(0)}/s, bare fetch-and-hash ${(n / bareSeconds).toFixed(0)}/s`,
    );

    // Replication lag at a steady write rate on A, with and without push hints.
    for (const hints of [true, false]) {
      const rate = 20;
      const seconds = opts.quick ? 3 : 8;
      const checkpointer = startCheckpointer(a.node.deps.db, a.node.deps.log, a.node.deps.clock, 250, () => {});
      const fa = startFederation(a.node.deps, { tickMs: 100, pollMs: 3_600_000, hints });
      const fb = startFederation(b.node.deps, { tickMs: 100, pollMs: 1_000 });
      b.follow(fb);
      const lags: number[] = [];
      const written: { index: number; at: number }[] = [];
      const writer = setInterval(() => {
        void commit(a.node.deps, undefined, (w) =>
          w.append('setting.updated', null, { key: 'lag', value: w.now, updatedAt: w.now }),
        ).then((index) => written.push({ index, at: performance.now() }));
      }, 1000 / rate);
      const watch = setInterval(async () => {
        const m = await b.node.deps.db.selectFrom('mirrors').select('verifiedSize').executeTakeFirst();
        const v = Number(m?.verifiedSize ?? 0);
        while (written.length > 0 && written[0]!.index < v) lags.push(performance.now() - written.shift()!.at);
      }, 20);
      await new Promise((ok) => setTimeout(ok, seconds * 1000));
      clearInterval(writer);
      await new Promise((ok) => setTimeout(ok, 3_000));
      clearInterval(watch);
      b.follow(undefined);
      await fa.stop();
      await fb.stop();
      await checkpointer.stop();
      const name = hints ? 'federation.lag.hinted' : 'federation.lag.polled';
      figures.push(figure(`${name}.p50`, 'ms', percentile(lags, 50), 250));
      figures.push(figure(`${name}.p95`, 'ms', percentile(lags, 95), 250));
      opts.say(
        `${name}: p50 ${percentile(lags, 50).toFixed(0)} ms, p95 ${percentile(lags, 95).toFixed(0)} ms over ${lags.length} writes (baseline: the checkpoint interval)`,
      );
    }

    // Witness: B cosigns A's checkpoint again and again (old size = size), against a bare route that signs the same
    // cosignature and does one fsync'd SQLite update.
    await checkpointOnce(a.node.deps.db, a.node.deps.log, a.node.deps.clock);
    const note = await (await fetch(`${a.url}/log/checkpoint`)).text();
    const cpSize = openCheckpoint(note, a.node.deps.log.origin, [parseVerifierKey(a.node.deps.log.signer.verifierKey)])
      .checkpoint.size;
    const first = await fetch(`${b.url}/witness/add-checkpoint`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: `old 0\n\n${note}`,
    });
    const held = first.status === 409 ? Number((await first.text()).trim()) : cpSize;
    const body = held === cpSize ? `old ${cpSize}\n\n${note}` : `old ${held}\n\n${note}`;
    const requests = opts.quick ? 200 : 2_000;
    const hammer = async (url: string, payload: string) => {
      let left = requests;
      const t = performance.now();
      await Promise.all(
        Array.from({ length: 8 }, async () => {
          while (left-- > 0) {
            const r = await fetch(url, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: payload });
            await r.text();
          }
        }),
      );
      return requests / ((performance.now() - t) / 1000);
    };
    const bare = Fastify();
    const db = new Database(join(b.node.dataDir, 'bare-witness.db'));
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.exec('CREATE TABLE w (origin TEXT PRIMARY KEY, size INTEGER, note TEXT)');
    db.prepare('INSERT INTO w VALUES (?, 0, ?)').run('o', '');
    const update = db.prepare('UPDATE w SET size = ?, note = ? WHERE origin = ?');
    const signer = cosignerFromSeed('bench/witness', Buffer.alloc(32, 1), () => Math.floor(Date.now() / 1000));
    bare.addContentTypeParser('text/plain', { parseAs: 'string' }, (_r, s, done) => done(null, s));
    bare.post('/add', async (req) => {
      const text = String(req.body);
      const sig = signer.sign(Buffer.from(text));
      update.run(cpSize, text, 'o');
      return sig.toString('base64');
    });
    await bare.listen({ port: 0, host: '127.0.0.1' });
    const bareUrl = `http://127.0.0.1:${(bare.server.address() as AddressInfo).port}/add`;
    const bareRate = await hammer(bareUrl, body);
    const rate = await hammer(`${b.url}/witness/add-checkpoint`, body);
    await bare.close();
    db.close();
    figures.push(figure('federation.witness.addCheckpoint', 'req/s', rate, bareRate));
    opts.say(`witness add-checkpoint: ${rate.toFixed(0)}/s, bare sign-and-update route ${bareRate.toFixed(0)}/s`);
  } finally {
    await a.close();
    await b.close();
  }
  return figures;
}
