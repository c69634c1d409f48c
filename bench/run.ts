import { benchSubscriptions } from './subscriptions.ts';
import { writeFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { labelBench } from './labels.ts';
import { benchLog } from './log.ts';
import { benchPublic } from './public.ts';
import { benchTrace } from './trace.ts';
import { benchTraceAcross } from './trace-across.ts';
import { benchEpcis } from './epcis.ts';
import { benchFederation } from './federation.ts';
import { benchRecognition } from './recognition.ts';
import type { BenchModule, BenchOptions, DatabaseKind, Figure } from './measure.ts';
import { postgresReachable } from './measure.ts';

// The bench harness: `npm run bench [-- --quick] [--no-pg] [--only <module>] [--out <file>]`. Every
// figure is printed beside a baseline measured in the same run and written to bench/results.json
// (a --quick run writes only with --out). PostgreSQL runs when COLDTRACE_BENCH_PG_URL (default
// postgres://postgres@127.0.0.1:5432/postgres) answers; each run creates and drops its own database.

/** MODULES are the bench modules, in the order they run; later issues add theirs here. */
const MODULES: ReadonlyArray<readonly [string, BenchModule]> = [
  ['log', benchLog],
  ['labels', labelBench],
  ['public', benchPublic],
  ['trace', benchTrace],
  ['traceAcross', benchTraceAcross],
  ['epcis', benchEpcis],
  ['federation', benchFederation],
  ['recognition', benchRecognition],
  ['subscriptions', benchSubscriptions],
];

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    'no-pg': { type: 'boolean', default: false },
    out: { type: 'string' },
    only: { type: 'string' },
  },
});
const quick = args.quick ?? false;
const pgAdminUrl = process.env.COLDTRACE_BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
// A quick run is a smoke check: it writes results only when asked to with --out.
const out = args.out
  ? resolve(args.out)
  : quick
    ? undefined
    : join(dirname(fileURLToPath(import.meta.url)), 'results.json');

const kinds: DatabaseKind[] = ['sqlite'];
if (!args['no-pg']) {
  if (await postgresReachable(pgAdminUrl)) kinds.push('postgres');
  else console.log(`postgres: not reachable at ${pgAdminUrl}; SQLite only`);
}

const opts: BenchOptions = { quick, kinds, pgAdminUrl, say: (line) => console.log(`  ${line}`) };
console.log(`coldtrace bench${quick ? ' (quick)' : ''}: node ${process.version}, ${kinds.join(' + ')}, ${machine()}`);
const started = performance.now();
const figures: Figure[] = [];
for (const [name, run] of MODULES) {
  if (args.only && name !== args.only) continue;
  console.log(`${name}:`);
  figures.push(...(await run(opts)));
}

console.log(`\n${formatTable(figures)}`);
console.log(
  `\nratio = value / baseline, both measured in this run; ${((performance.now() - started) / 1000).toFixed(1)} s in all; ${machine()}`,
);
if (out) {
  writeFileSync(out, `${JSON.stringify(figures, null, 2)}\n`);
  console.log(`wrote ${out}`);
}

/**
 * machine describes the CPUs and their load. Baselines are measured beside each figure so ratios
 * survive a busy machine better than absolute rates, but not entirely: the baselines wait on I/O
 * while the code under test also needs CPU, so a loaded machine lowers the ratios too.
 */
function machine(): string {
  const cpus = availableParallelism();
  const load = loadavg()[0]!;
  return `${cpus} CPUs, load ${load.toFixed(1)}${load > cpus ? ' (busy: figures are low)' : ''}`;
}

/** formatTable lays figures out as aligned columns: name, value, baseline, ratio. */
function formatTable(rows: readonly Figure[]): string {
  const fmt = (n: number, unit: string) => `${n.toLocaleString('en-US', { maximumFractionDigits: 0 })} ${unit}`;
  const cells = [
    ['figure', 'value', 'baseline', 'ratio'],
    ...rows.map((f) => [f.name, fmt(f.value, f.unit), fmt(f.baseline, f.unit), f.ratio.toFixed(3)]),
  ];
  const widths = [0, 1, 2, 3].map((i) => Math.max(...cells.map((c) => c[i]!.length)));
  return cells
    .map((c) => c.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('   '))
    .join('\n');
}
