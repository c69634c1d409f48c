import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { writeFileSync } from 'node:fs';
import { extname } from 'node:path';
import { AppError, invalid } from '../app/errors.ts';
import type { Deps } from '../app/deps.ts';
import { fsma204Report } from '../app/recall/fsma204.ts';
import { nodeOptionsFrom, openNode } from '../app/write/node.ts';
import { incidentReport } from '../app/recall/reports.ts';
import { authenticate } from '../app/registry/tokens.ts';
import type { Actor } from '../domain/access.ts';
import type { FsmaCte } from '../reports/fsma204.ts';
import { FSMA_CTES, fsmaCsv } from '../reports/fsma204.ts';
import { fsmaXlsx } from '../reports/fsma204-xlsx.ts';
import { incidentReportPdf } from '../reports/incident-pdf.ts';
import { incidentReportCsv } from '../reports/incident-report.ts';

const dataOpt = ['--data <dir>', 'data directory (env COLDTRACE_DATA, default ./data)'] as const;
const tokenOpt = [
  '--token <token>',
  "report as this token's party sees it (default: the node operator, who sees everything)",
] as const;

/** NODE_READER is the node's operator reading its own records for a report: it sees everything, as an auditor. */
const NODE_READER: Actor = { partyId: '', roles: ['auditor'], region: '', national: true };

async function withDeps<T>(flags: { data?: string }, fn: (deps: Deps) => Promise<T>): Promise<T> {
  // These commands read, or write about parties that must already exist: never start a node.
  const deps = await openNode(nodeOptionsFrom(flags), { existing: true });
  try {
    return await fn(deps);
  } finally {
    await deps.dialect.close();
  }
}

async function readerOf(deps: Deps, token: string | undefined): Promise<Actor> {
  if (!token) return NODE_READER;
  const actor = await authenticate(deps, token);
  if (!actor) throw new AppError('Unauthenticated', { field: '--token', reason: 'unknown or revoked token' });
  return actor;
}

/** formatOf is --format (refused, naming it, when not allowed), else the extension of --out when allowed, else the fallback. */
function formatOf<F extends string>(
  given: string | undefined,
  out: string | undefined,
  allowed: readonly F[],
  fallback: F,
): F {
  const ok = (f: string): f is F => (allowed as readonly string[]).includes(f);
  if (given !== undefined) {
    if (!ok(given)) throw invalid('--format', `must be one of ${allowed.join(', ')}`);
    return given;
  }
  const ext = out ? extname(out).slice(1).toLowerCase() : '';
  return ok(ext) ? ext : fallback;
}

function timeOf(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const ms = /^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:?\d\d)$/i.test(value) ? Date.parse(value) : NaN;
  if (Number.isNaN(ms))
    throw invalid(flag, 'must be an ISO 8601 date-time with an offset, e.g. 2026-11-25T00:00:00+08:00');
  return ms;
}

/** emit writes the report to --out (printing what was written as JSON) or, without --out, to standard output. */
function emit(body: Buffer | string, out: string | undefined, format: string) {
  if (!out) {
    process.stdout.write(body);
    return;
  }
  writeFileSync(out, body);
  process.stdout.write(`${JSON.stringify({ out, format, bytes: Buffer.byteLength(body) }, null, 2)}\n`);
}

/** addReportCommands adds `report incident ID` and `report fsma204` to the CLI. */
export function addReportCommands(program: Command): void {
  const report = program
    .command('report')
    .description('write reports: an incident report, the FDA FSMA 204 sortable spreadsheet');
  report
    .command('incident')
    .description('the report of an incident (what, where, who, quantities, timeline, contacts) as JSON, CSV or PDF')
    .argument('<id>', 'incident id (inc_…)')
    .option('--format <format>', 'json, csv or pdf (default: from the --out extension, else json)')
    .option('--out <file>', 'write to this file (default: standard output)')
    .option(...tokenOpt)
    .option(...dataOpt)
    .action((id: string, o: { format?: string; out?: string; token?: string; data?: string }) =>
      withDeps(o, async (deps) => {
        const format = formatOf(o.format, o.out, ['json', 'csv', 'pdf'] as const, 'json');
        const r = await incidentReport(deps, await readerOf(deps, o.token), id);
        const body =
          format === 'pdf'
            ? await incidentReportPdf(r)
            : format === 'csv'
              ? incidentReportCsv(r)
              : `${JSON.stringify(r, null, 2)}\n`;
        emit(body, o.out, format);
      }),
    );
  report
    .command('fsma204')
    .description(
      'the FDA FSMA 204 electronic sortable spreadsheet for lots and a date range, as XLSX (one tab per CTE) or CSV',
    )
    .requiredOption('--lots <list>', 'comma-separated lot ids or trace codes')
    .option('--from <time>', 'first event time, ISO 8601 with offset')
    .option('--to <time>', 'last event time, ISO 8601 with offset')
    .option('--expand', 'add every lot in the trace of the given ones, forward and backward')
    .option('--format <format>', 'xlsx or csv (default: from the --out extension, else xlsx)')
    .option('--cte <tab>', `CSV only: one tab (${FSMA_CTES.join(', ')})`, (v: string) => {
      if (!(FSMA_CTES as readonly string[]).includes(v))
        throw new InvalidArgumentError(`must be one of ${FSMA_CTES.join(', ')}`);
      return v;
    })
    .option('--out <file>', 'write to this file (default: standard output)')
    .option(...tokenOpt)
    .option(...dataOpt)
    .action(
      (o: {
        lots: string;
        from?: string;
        to?: string;
        expand?: boolean;
        format?: string;
        cte?: FsmaCte;
        out?: string;
        token?: string;
        data?: string;
      }) =>
        withDeps(o, async (deps) => {
          const format = formatOf(o.format, o.out, ['xlsx', 'csv'] as const, 'xlsx');
          const from = timeOf('--from', o.from);
          const to = timeOf('--to', o.to);
          const { sheets } = await fsma204Report(deps, await readerOf(deps, o.token), {
            lots: o.lots
              .split(',')
              .map((s) => s.trim())
              .filter(Boolean),
            expand: o.expand === true,
            ...(from !== undefined ? { from } : {}),
            ...(to !== undefined ? { to } : {}),
          });
          emit(
            format === 'csv' ? fsmaCsv(sheets, o.cte) : await fsmaXlsx(sheets, new Date(deps.clock.now())),
            o.out,
            format,
          );
        }),
    );
}
