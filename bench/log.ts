import Database from 'better-sqlite3';
import Fastify from 'fastify';
import type { FastifyInstance } from 'fastify';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import pg from 'pg';
import type { Actor } from '../src/domain/access.ts';
import { createParty } from '../src/app/registry/parties.ts';
import { createProducer } from '../src/app/registry/producers.ts';
import { verifyDatabase } from '../src/app/audit/verify.ts';
import { buildApp } from '../src/http/app.ts';
import { parseVerifierKey } from '../src/log/note-key.ts';
import { TILE_WIDTH, tilePath } from '../src/log/tiles.ts';
import { HASH_SIZE } from '../src/log/hash.ts';
import { logSize } from '../src/store/log-store.ts';
import type { BenchOptions, DatabaseKind, Figure, ScratchNode } from './measure.ts';
import { benchUscc, elapsed, figure, openScratchNode, qualified } from './measure.ts';
import { entryBytes, producerInput, seedLog } from './seed.ts';

/** Sizes is how much work each figure does on one database. */
interface Sizes {
  appends: number;
  appendWarmup: number;
  logEntries: number;
  checkpointEvery: number;
  tileRequests: number;
}

/**
 * SIZES keeps a full run near two minutes. PostgreSQL, not the headline, gets less: every write there
 * is several round trips. Quick sizes are a smoke check, not a measurement.
 */
const SIZES: Readonly<Record<'quick' | DatabaseKind, Sizes>> = {
  sqlite: { appends: 2000, appendWarmup: 200, logEntries: 100_000, checkpointEvery: 1000, tileRequests: 2000 },
  postgres: { appends: 600, appendWarmup: 60, logEntries: 30_000, checkpointEvery: 1000, tileRequests: 1000 },
  quick: { appends: 150, appendWarmup: 30, logEntries: 5000, checkpointEvery: 1000, tileRequests: 300 },
};

/** ROUNDS alternates code under test and baseline, so drift in the machine hits both alike. */
const ROUNDS = 3;
/** VERIFY_ROUNDS passes over the whole log are made each way; the best of them counts. */
const VERIFY_ROUNDS = 2;
/** TILE_CONCURRENCY is how many tile requests are in flight at once, as from a few auditors. */
const TILE_CONCURRENCY = 8;

/**
 * benchLog measures the transparency log on each database in opts.kinds: log.append (sequential
 * writes through the producer-creation use case), log.verify (verifyDatabase over a seeded log) and
 * log.tiles (full level-0 tiles over HTTP), each against a baseline measured in the same run.
 */
export async function benchLog(opts: BenchOptions): Promise<Figure[]> {
  const figures: Figure[] = [];
  for (const kind of opts.kinds) {
    const sizes = SIZES[opts.quick ? 'quick' : kind];
    const node = await openScratchNode(kind, opts.pgAdminUrl);
    try {
      figures.push(await appendFigure(node, sizes, opts));
      opts.say(`${kind}: seeding a log of ${sizes.logEntries} entries`);
      await seedLog(node.deps, node.adminId, sizes.logEntries - (await logSize(node.deps.db)), sizes.checkpointEvery);
      figures.push(await verifyFigure(node, opts));
      figures.push(await tilesFigure(node, sizes, opts));
    } finally {
      await node.close();
    }
  }
  return figures;
}

/** BareTable is the append baseline: one insert of the entry bytes per transaction, nothing else. */
interface BareTable {
  insert(idx: number, data: Buffer): Promise<void>;
  close(): Promise<void>;
}

async function openBareTable(node: ScratchNode): Promise<BareTable> {
  if (node.kind === 'sqlite') {
    // A fresh file beside the node's, with the node's durability pragmas (see store/dialect.ts).
    const db = new Database(join(node.dataDir, 'bare.db'));
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.exec('CREATE TABLE bare (idx INTEGER PRIMARY KEY, data BLOB NOT NULL)');
    const stmt = db.prepare('INSERT INTO bare (idx, data) VALUES (?, ?)');
    return {
      insert: async (idx, data) => {
        stmt.run(idx, data);
      },
      close: async () => {
        db.close();
      },
    };
  }
  const client = new pg.Client({ connectionString: node.databaseUrl });
  await client.connect();
  await client.query('CREATE TABLE bare (idx bigint PRIMARY KEY, data bytea NOT NULL)');
  return {
    insert: async (idx, data) => {
      await client.query({
        name: 'bare-insert',
        text: 'INSERT INTO bare (idx, data) VALUES ($1, $2)',
        values: [idx, data],
      });
    },
    close: () => client.end(),
  };
}

/**
 * appendFigure times sequential createProducer calls (validate, one transaction with the duplicate
 * check, index reservation, entry insert, projection upsert and read-back), then inserts the very
 * entry bytes those calls logged into a bare table, one transaction each.
 */
async function appendFigure(node: ScratchNode, sizes: Sizes, opts: BenchOptions): Promise<Figure> {
  const { deps } = node;
  const { party } = await createParty(deps, null, {
    uscc: benchUscc(),
    name: { zh: '基准海关', en: 'Bench customs' },
    roles: ['customs'],
    region: '410000',
  });
  const customs: Actor = { partyId: party.id, roles: ['customs'], region: '410000', national: false };
  const bare = await openBareTable(node);
  try {
    let n = 0;
    let bareIdx = 0;
    const writeReal = async (count: number) => {
      for (let i = 0; i < count; i++) await createProducer(deps, customs, producerInput(n++, 'A'));
    };
    const writeBare = async (bytes: readonly Buffer[]) => {
      for (const b of bytes) await bare.insert(bareIdx++, b);
    };
    const logged = async (fn: () => Promise<void>) => {
      const from = await logSize(deps.db);
      const ms = await elapsed(fn);
      return { ms, bytes: await entryBytes(deps.db, from, await logSize(deps.db)) };
    };

    const warm = await logged(() => writeReal(sizes.appendWarmup));
    await writeBare(warm.bytes);
    let realMs = 0;
    let bareMs = 0;
    let bytesTotal = 0;
    const per = Math.ceil(sizes.appends / ROUNDS);
    for (let r = 0; r < ROUNDS; r++) {
      const real = await logged(() => writeReal(per));
      realMs += real.ms;
      bareMs += await elapsed(() => writeBare(real.bytes));
      bytesTotal += real.bytes.reduce((s, b) => s + b.length, 0);
    }
    const count = per * ROUNDS;
    opts.say(
      `${node.kind}: ${count} appends of ${Math.round(bytesTotal / count)} B entries: ` +
        `${(realMs / count).toFixed(3)} ms each, bare insert ${(bareMs / count).toFixed(3)} ms`,
    );
    return figure(qualified('log.append', node.kind), 'entries/s', (count * 1000) / realMs, (count * 1000) / bareMs);
  } finally {
    await bare.close();
  }
}

const PAGE = 10_000;

/** readEntryPages reads idx, leaf_hash and data of the whole log in verifyDatabase's pages. */
async function readEntryPages(node: ScratchNode, size: number): Promise<number> {
  let count = 0;
  for (let from = 0; from < size; from += PAGE) {
    const rows = await node.deps.db
      .selectFrom('logEntries')
      .select(['idx', 'leafHash', 'data'])
      .where('idx', '>=', from)
      .where('idx', '<', Math.min(from + PAGE, size))
      .orderBy('idx')
      .execute();
    count += rows.length;
  }
  return count;
}

/** verifyFigure times verifyDatabase over the whole log against reading its entry rows, best of VERIFY_ROUNDS. */
async function verifyFigure(node: ScratchNode, opts: BenchOptions): Promise<Figure> {
  const { deps } = node;
  const size = await logSize(deps.db);
  const verifiers = [parseVerifierKey(deps.log.signer.verifierKey)];
  const readMs: number[] = [];
  const verifyMs: number[] = [];
  for (let r = 0; r < VERIFY_ROUNDS; r++) {
    readMs.push(
      await elapsed(async () => {
        const read = await readEntryPages(node, size);
        if (read !== size) throw new Error(`read ${read} entries of ${size}`);
      }),
    );
    verifyMs.push(
      await elapsed(async () => {
        const report = await verifyDatabase(deps.db, deps.log.origin, verifiers);
        if (!report.ok || report.entries !== size) throw new Error(`verify failed: ${JSON.stringify(report)}`);
      }),
    );
  }
  const v = Math.min(...verifyMs);
  const b = Math.min(...readMs);
  opts.say(`${node.kind}: verify ${size} entries in ${v.toFixed(0)} ms (read alone ${b.toFixed(0)} ms)`);
  return figure(qualified('log.verify', node.kind), 'entries/s', (size * 1000) / v, (size * 1000) / b);
}

/** mulberry32 is a small seeded PRNG, so every run asks for the same tiles. */
function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const FULL_TILE_BYTES = TILE_WIDTH * HASH_SIZE;

/** load sends count GETs to app, TILE_CONCURRENCY at a time, and checks each is a full tile. */
async function load(app: FastifyInstance, urls: readonly string[], token: string): Promise<void> {
  let next = 0;
  const headers = { authorization: `Bearer ${token}` };
  const worker = async () => {
    while (next < urls.length) {
      const url = urls[next++]!;
      const res = await app.inject({ method: 'GET', url, headers });
      if (res.statusCode !== 200 || res.rawPayload.length !== FULL_TILE_BYTES) {
        throw new Error(`GET ${url}: ${res.statusCode} with ${res.rawPayload.length} bytes`);
      }
    }
  };
  await Promise.all(Array.from({ length: TILE_CONCURRENCY }, worker));
}

/**
 * tilesFigure times GETs of random full level-0 tiles through the whole app (auth, routing, the
 * tile read) against a bare Fastify app answering the same URLs with an 8 KiB buffer.
 */
async function tilesFigure(node: ScratchNode, sizes: Sizes, opts: BenchOptions): Promise<Figure> {
  const size = await logSize(node.deps.db);
  const full = Math.floor(size / TILE_WIDTH);
  const rand = mulberry32(1);
  const urls = (count: number) => Array.from({ length: count }, () => `/log/${tilePath(0, Math.floor(rand() * full))}`);
  const app = await buildApp(node.deps);
  const bare = Fastify();
  const payload = randomBytes(FULL_TILE_BYTES);
  bare.get('/log/tile/*', async (_req, reply) =>
    reply.header('content-type', 'application/octet-stream').send(payload),
  );
  try {
    await Promise.all([app.ready(), bare.ready()]);
    const warm = urls(Math.ceil(sizes.tileRequests / 10));
    await load(app, warm, node.adminToken);
    await load(bare, warm, node.adminToken);
    let appMs = 0;
    let bareMs = 0;
    const per = Math.ceil(sizes.tileRequests / ROUNDS);
    for (let r = 0; r < ROUNDS; r++) {
      const batch = urls(per);
      appMs += await elapsed(() => load(app, batch, node.adminToken));
      bareMs += await elapsed(() => load(bare, batch, node.adminToken));
    }
    const count = per * ROUNDS;
    opts.say(
      `${node.kind}: ${count} tile GETs over ${full} full tiles, ${(appMs / count).toFixed(3)} ms each, ` +
        `bare ${(bareMs / count).toFixed(3)} ms`,
    );
    return figure(qualified('log.tiles', node.kind), 'requests/s', (count * 1000) / appMs, (count * 1000) / bareMs);
  } finally {
    await Promise.all([app.close(), bare.close()]);
  }
}
