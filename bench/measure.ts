import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { Deps } from '../src/app/deps.ts';
import { systemClock } from '../src/app/deps.ts';
import { bootstrapAdmin, openNode } from '../src/app/write/node.ts';
import { orgCodeCheckChar, usccCheckChar } from '../src/domain/uscc.ts';
import { createPostgresDatabase, dropPostgresDatabase } from '../src/store/dialect.ts';

/**
 * Figure is one result: value measured on the code under test, baseline measured in the same run on
 * the simplest thing doing the same I/O, and ratio = value / baseline. For rates, higher is better.
 */
export interface Figure {
  readonly name: string;
  readonly value: number;
  readonly unit: string;
  readonly baseline: number;
  readonly ratio: number;
}

/** figure rounds value and baseline to three significant digits and computes their ratio. */
export function figure(name: string, unit: string, value: number, baseline: number): Figure {
  return { name, value: round3(value), unit, baseline: round3(baseline), ratio: Number((value / baseline).toFixed(3)) };
}

function round3(n: number): number {
  return Number(n.toPrecision(3));
}

/** DatabaseKind is a database the bench runs on. SQLite is the headline; PostgreSQL runs when reachable. */
export type DatabaseKind = 'sqlite' | 'postgres';

/** BenchOptions is what the runner hands every bench module. */
export interface BenchOptions {
  /** quick runs a smaller version of every figure, as a smoke check. */
  readonly quick: boolean;
  /** kinds lists the databases to run on, SQLite first. */
  readonly kinds: readonly DatabaseKind[];
  /** pgAdminUrl is the server scratch PostgreSQL databases are created on. */
  readonly pgAdminUrl: string;
  /** say prints one progress line. */
  say(line: string): void;
}

/** BenchModule measures one area and returns its figures; the runner calls each in turn. */
export type BenchModule = (opts: BenchOptions) => Promise<Figure[]>;

/** qualified names a figure: the bare name on SQLite (the headline), suffixed on any other database. */
export function qualified(name: string, kind: DatabaseKind): string {
  return kind === 'sqlite' ? name : `${name}.${kind}`;
}

/** ScratchNode is a node on a fresh database in a temp dir, with a national admin, dropped by close. */
export interface ScratchNode {
  readonly kind: DatabaseKind;
  readonly deps: Deps;
  readonly dataDir: string;
  /** databaseUrl is the scratch PostgreSQL database, or undefined on SQLite. */
  readonly databaseUrl: string | undefined;
  readonly adminId: string;
  readonly adminToken: string;
  close(): Promise<void>;
}

/** openScratchNode opens a node of kind on a fresh database, as `coldtrace serve` would on first start. */
export async function openScratchNode(kind: DatabaseKind, pgAdminUrl: string, origin?: string): Promise<ScratchNode> {
  const dataDir = mkdtempSync(join(tmpdir(), 'coldtrace-bench-'));
  const pgName = kind === 'postgres' ? `ct_bench_${process.pid}_${Math.random().toString(36).slice(2, 8)}` : undefined;
  const databaseUrl = pgName ? await createPostgresDatabase(pgAdminUrl, pgName) : undefined;
  const drop = async () => {
    if (pgName) await dropPostgresDatabase(pgAdminUrl, pgName);
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    const deps = await openNode({
      dataDir,
      databaseUrl,
      publicUrl: 'http://bench.coldtrace.test',
      clock: systemClock,
      origin,
    });
    const admin = (await bootstrapAdmin(deps))!;
    return {
      kind,
      deps,
      dataDir,
      databaseUrl,
      adminId: admin.partyId,
      adminToken: admin.token,
      close: async () => {
        await deps.dialect.close();
        await drop();
      },
    };
  } catch (err) {
    await drop();
    throw err;
  }
}

/** postgresReachable tells whether a PostgreSQL server answers at url within a second. */
export async function postgresReachable(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

let serial = 0;

/** benchUscc makes a fresh valid unified social credit code for a company in region. */
export function benchUscc(region = '410100'): string {
  serial++;
  const body = `MB${String(serial).padStart(6, '0')}`;
  const first17 = `91${region}${body}${orgCodeCheckChar(body)}`;
  return first17 + usccCheckChar(first17);
}

/** elapsed runs fn and returns its wall time in milliseconds. */
export async function elapsed(fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}
