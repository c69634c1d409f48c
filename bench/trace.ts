import Database from 'better-sqlite3';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { commit } from '../src/app/write/commit.ts';
import type { Deps } from '../src/app/deps.ts';
import { systemClock } from '../src/app/deps.ts';
import { openIncidentWith } from '../src/app/recall/incidents.ts';
import { bootstrapAdmin, openNode } from '../src/app/write/node.ts';
import { traceGraph } from '../src/app/recall/trace.ts';
import { SCALE_VERSION, generateScale } from '../src/demo/scale.ts';
import type { ScaleStats } from '../src/demo/scale.ts';
import { createPostgresDatabase, dropPostgresDatabase } from '../src/store/dialect.ts';
import { lotLinks } from '../src/store/trace.ts';
import type { BenchOptions, DatabaseKind, Figure } from './measure.ts';
import { figure, qualified } from './measure.ts';

// The trace and incident bench: on a `coldtrace demo --scale` dataset, trace-forward latency from the wide import lots
// (about a thousand holdings each), the time to open an incident on one of them (freeze included), and memory.
//
// The dataset is generated once per (generator version, size, seed) into COLDTRACE_BENCH_CACHE (default
// $TMPDIR/coldtrace-bench-cache) and reused: every run works on a copy (SQLite: the file; PostgreSQL: the tables copied
// into a scratch database), since opening incidents changes it. Size: COLDTRACE_BENCH_TRACE_LOTS import lots, default
// 1,500 (about 190,000 events and 800 MB, ten minutes to generate on two busy cores); 8,000 lots make about 1,000,000
// events (about 40 minutes, once).

const SEED = 1;
/** TRACE_ROUNDS is how many traces each latency figure is taken over. */
export const TRACE_ROUNDS = 40;
const INCIDENTS = 3;

/** Dataset is a cached `coldtrace demo --scale` dataset: its directory (node.key, coldtrace.db) and its stats. */
export interface Dataset {
  readonly dir: string;
  readonly stats: ScaleStats;
}

/** dataset returns the cached SQLite dataset of `lots` lots, generating it first when it is missing. */
export async function dataset(lots: number, say: (line: string) => void): Promise<Dataset> {
  const cache = process.env.COLDTRACE_BENCH_CACHE ?? join(tmpdir(), 'coldtrace-bench-cache');
  const dir = join(cache, `scale-v${SCALE_VERSION}-lots${lots}-seed${SEED}`);
  if (existsSync(join(dir, 'scale.json')))
    return { dir, stats: JSON.parse(readFileSync(join(dir, 'scale.json'), 'utf8')) as ScaleStats };
  const tmp = `${dir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  say(`generating ${lots} lots once into ${dir} (cached for later runs)`);
  const deps = await openNode({ dataDir: tmp, publicUrl: 'http://bench.coldtrace.test', clock: systemClock });
  try {
    await bootstrapAdmin(deps);
    const stats = await generateScale(deps, { lots, seed: SEED, progress: (l) => say(l) });
    writeFileSync(join(tmp, 'scale.json'), `${JSON.stringify(stats, null, 2)}\n`);
  } finally {
    await deps.dialect.close();
  }
  renameSync(tmp, dir);
  return { dir, stats: JSON.parse(readFileSync(join(dir, 'scale.json'), 'utf8')) as ScaleStats };
}

/** datasetLots is the number of import lots of the dataset the trace benches use: COLDTRACE_BENCH_TRACE_LOTS. */
export const datasetLots = (opts: BenchOptions) =>
  Number(process.env.COLDTRACE_BENCH_TRACE_LOTS ?? (opts.quick ? 60 : 1500));

/** copyToPostgres copies every table of the SQLite dataset into the freshly migrated PostgreSQL database at url. */
async function copyToPostgres(sqlitePath: string, url: string): Promise<void> {
  const src = new Database(sqlitePath, { readonly: true });
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    // The rows were consistent in SQLite; foreign keys are not rechecked row by row on the way in.
    await client.query('SET session_replication_role = replica');
    await client.query('BEGIN');
    const tables = (
      src
        .prepare(
          "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'kysely_%'",
        )
        .all() as { name: string }[]
    ).map((t) => t.name);
    for (const t of tables) {
      await client.query(`DELETE FROM "${t}"`);
      let batch: Record<string, unknown>[] = [];
      const flush = async () => {
        if (batch.length === 0) return;
        const cols = Object.keys(batch[0]!);
        const values: unknown[] = [];
        const rows = batch.map((row) => `(${cols.map((c) => `$${values.push(row[c])}`).join(',')})`);
        await client.query(
          `INSERT INTO "${t}" (${cols.map((c) => `"${c}"`).join(',')}) VALUES ${rows.join(',')}`,
          values,
        );
        batch = [];
      };
      for (const row of src.prepare(`SELECT * FROM "${t}"`).iterate() as IterableIterator<Record<string, unknown>>) {
        batch.push(row);
        if (batch.length * Object.keys(row).length > 30_000) await flush();
      }
      await flush();
    }
    await client.query('COMMIT');
    for (const t of tables) await client.query(`ANALYZE "${t}"`);
  } finally {
    await client.end();
    src.close();
  }
}

/** percentile is the p-th percentile of xs (nearest rank). */
export const percentile = (xs: readonly number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
};

/** measure takes the figures on one open node. */
async function measure(
  deps: Deps,
  kind: DatabaseKind,
  wide: readonly string[],
  say: (line: string) => void,
): Promise<Figure[]> {
  const rss0 = process.memoryUsage().rss;
  let peak = rss0;
  const sample = () => {
    peak = Math.max(peak, process.memoryUsage().rss);
  };
  // Warm up both paths once on every lot.
  const families = new Map<string, string[]>();
  for (const lot of wide) {
    families.set(lot, [...(await lotLinks(deps.db, [lot], 'forward')).depth.keys()]);
    await traceGraph(deps.db, [lot], 'forward');
  }
  const traced: number[] = [];
  const plain: number[] = [];
  let holdings = 0;
  for (let i = 0; i < TRACE_ROUNDS; i++) {
    const lot = wide[i % wide.length]!;
    let t = performance.now();
    const g = await traceGraph(deps.db, [lot], 'forward');
    traced.push(performance.now() - t);
    holdings = Math.max(holdings, g.holdings.length);
    sample();
    t = performance.now();
    await deps.db
      .selectFrom('holdings')
      .selectAll()
      .where('lotId', 'in', families.get(lot)!)
      .where('grams', '>', 0)
      .execute();
    plain.push(performance.now() - t);
  }
  say(
    `${kind}: trace forward over ${wide.length} wide lots (up to ${holdings} holdings each): p50 ${percentile(traced, 50).toFixed(1)} ms, p95 ${percentile(traced, 95).toFixed(1)} ms`,
  );
  const opened: number[] = [];
  const bulk: number[] = [];
  for (const lot of wide.slice(0, INCIDENTS)) {
    const ids = families.get(lot)!;
    let t = performance.now();
    // The same holdings, written back as they are, in one transaction: the floor for a write of that many rows.
    await deps.db.transaction().execute((trx) =>
      trx
        .updateTable('holdings')
        .set((eb) => ({ grams: eb.ref('grams') }))
        .where('lotId', 'in', ids)
        .execute(),
    );
    bulk.push(performance.now() - t);
    t = performance.now();
    const inc = await commit(deps, undefined, (w) =>
      openIncidentWith(w, deps, null, { trigger: { kind: 'lot', lotIds: [lot] } }),
    );
    opened.push(performance.now() - t);
    sample();
    say(
      `${kind}: incident ${inc.number} on ${lot}: ${inc.lots} lots, ${inc.holders} holders, ${inc.affectedKg} kg frozen in ${opened[opened.length - 1]!.toFixed(0)} ms`,
    );
  }
  const mb = (b: number) => b / 1024 / 1024;
  const us = (ms: number) => ms * 1000;
  return [
    // Microseconds: the baseline is well under a millisecond, which the table would print as 0 ms.
    figure(qualified('trace.forward.p50', kind), 'µs', us(percentile(traced, 50)), us(percentile(plain, 50))),
    figure(qualified('trace.forward.p95', kind), 'µs', us(percentile(traced, 95)), us(percentile(plain, 95))),
    figure(qualified('incident.open', kind), 'ms', percentile(opened, 50), percentile(bulk, 50)),
    figure(qualified('incident.open.max', kind), 'ms', Math.max(...opened), Math.max(...bulk)),
    figure(qualified('trace.rss', kind), 'MB', mb(peak), mb(rss0)),
  ];
}

/**
 * benchTrace measures trace-forward latency (p50, p95) from the dataset's wide import lots against a plain indexed
 * SELECT of the same holdings, the time to open an incident on a wide lot (affected set, freeze, entries) against one
 * bulk UPDATE of the same holdings, and peak RSS against RSS before the first trace, on SQLite and PostgreSQL.
 */
export async function benchTrace(opts: BenchOptions): Promise<Figure[]> {
  const lots = datasetLots(opts);
  const data = await dataset(lots, opts.say);
  opts.say(
    `dataset: ${data.stats.events.toLocaleString('en-US')} events, ${data.stats.importLots} import lots, ${data.stats.holdings.toLocaleString('en-US')} holdings (generated in ${(data.stats.ms / 1000).toFixed(0)} s)`,
  );
  const wide = data.stats.wide.lotIds;
  const figures: Figure[] = [];
  for (const kind of opts.kinds) {
    const work = mkdtempSync(join(tmpdir(), 'coldtrace-bench-trace-'));
    const pgName = kind === 'postgres' ? `ct_bench_trace_${process.pid}` : undefined;
    try {
      copyFileSync(join(data.dir, 'node.key'), join(work, 'node.key'));
      let databaseUrl: string | undefined;
      if (pgName) {
        databaseUrl = await createPostgresDatabase(opts.pgAdminUrl, pgName);
        // Opening the node migrates the empty database; the copy then fills its tables.
        await (
          await openNode({ dataDir: work, databaseUrl, publicUrl: 'http://bench.coldtrace.test' })
        ).dialect.close();
        const t = performance.now();
        await copyToPostgres(join(data.dir, 'coldtrace.db'), databaseUrl);
        opts.say(`postgres: dataset copied in ${((performance.now() - t) / 1000).toFixed(0)} s`);
      } else {
        copyFileSync(join(data.dir, 'coldtrace.db'), join(work, 'coldtrace.db'));
      }
      const deps = await openNode({
        dataDir: work,
        databaseUrl,
        publicUrl: 'http://bench.coldtrace.test',
        clock: systemClock,
      });
      try {
        figures.push(...(await measure(deps, kind, wide, opts.say)));
      } finally {
        await deps.dialect.close();
      }
    } finally {
      if (pgName) await dropPostgresDatabase(opts.pgAdminUrl, pgName);
      rmSync(work, { recursive: true, force: true });
    }
  }
  return figures;
}
