import { CompiledQuery } from 'kysely';
import type { Transaction } from 'kysely';
import { PROJECTED_KEYS } from './schema.ts';
import type { ProjectedTable, Schema } from './schema.ts';

/**
 * RowWrite is one projected row keyed by its table's primary key: upserted whole, or (patch) some
 * columns of a row an earlier entry wrote.
 */
export interface RowWrite {
  readonly table: ProjectedTable;
  readonly row: Readonly<Record<string, unknown>>;
  readonly patch?: true;
}

// Bound values per statement, well inside both databases' limits (SQLite 32,766, PostgreSQL 65,535), and rows per
// statement: an incident writes a thousand rows of one table, which should be a few statements, not a thousand.
const MAX_VALUES = 30_000;
const MAX_ROWS = 500;

/**
 * applyRows upserts projected rows, whole, by primary key, and applies patches to existing rows, in order. Consecutive
 * whole rows of one table with the same columns and distinct keys go in one multi-row INSERT … ON CONFLICT, so a
 * later row still replaces an earlier one with its key exactly as it would one statement at a time.
 */
export async function applyRows(trx: Transaction<Schema>, rows: readonly RowWrite[]): Promise<void> {
  let batch: RowWrite[] = [];
  let seen = new Set<string>();
  const flush = async () => {
    if (batch.length > 0)
      await upsert(
        trx,
        batch[0]!.table,
        batch.map((w) => w.row),
      );
    batch = [];
    seen = new Set();
  };
  for (const w of rows) {
    if (w.patch) {
      await flush();
      await patch(trx, w.table, w.row);
      continue;
    }
    const keys = PROJECTED_KEYS[w.table];
    const key = keys.map((k) => String(w.row[k])).join('\u0000');
    const first = batch[0];
    const fits =
      first !== undefined &&
      first.table === w.table &&
      sameColumns(first.row, w.row) &&
      !seen.has(key) &&
      batch.length < Math.min(MAX_ROWS, Math.floor(MAX_VALUES / Object.keys(w.row).length));
    if (!fits) await flush();
    batch.push(w);
    seen.add(key);
  }
  await flush();
}

function sameColumns(a: Readonly<Record<string, unknown>>, b: Readonly<Record<string, unknown>>): boolean {
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return ka.length === kb.length && ka.every((k, i) => k === kb[i]);
}

// The SQL of an upsert depends only on the table, the columns, the number of rows and the database, so it is built
// by Kysely once per shape and then run with each write's values: building the statement was a large share of a
// small write's CPU. Keyed by the dialect adapter's class, since SQLite and PostgreSQL write their placeholders apart.
const upsertSql = new Map<unknown, Map<string, string>>();

async function upsert(
  trx: Transaction<Schema>,
  table: ProjectedTable,
  rows: readonly Readonly<Record<string, unknown>>[],
) {
  const keys = PROJECTED_KEYS[table];
  const all = Object.keys(rows[0]!);
  const parameters = rows.flatMap((r) => all.map((c) => r[c]));
  const dialect = trx.getExecutor().adapter.constructor;
  const shape = `${table}|${rows.length}|${all.join(',')}`;
  const cached = upsertSql.get(dialect)?.get(shape);
  if (cached !== undefined) {
    await trx.executeQuery(CompiledQuery.raw(cached, parameters));
    return;
  }
  const columns = all.filter((k) => !keys.includes(k));
  // The projected tables share no static row type, so this one generic upsert is typed loosely.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- generic over the projected tables
  const compiled = (trx as Transaction<any>)
    .insertInto(table)
    .values(rows as Record<string, unknown>[])
    .onConflict((oc) => {
      const target = oc.columns(keys as string[]);
      return columns.length === 0
        ? target.doNothing()
        : target.doUpdateSet((eb) => Object.fromEntries(columns.map((c) => [c, eb.ref(`excluded.${c}`)])));
    })
    .compile();
  // Only a statement whose values are exactly the rows' values, column by column and row by row, is reused.
  const reusable =
    compiled.parameters.length === parameters.length && compiled.parameters.every((v, i) => v === parameters[i]);
  if (reusable) {
    if (!upsertSql.has(dialect)) upsertSql.set(dialect, new Map());
    const forDialect = upsertSql.get(dialect)!;
    if (forDialect.size >= 2000) forDialect.clear();
    forDialect.set(shape, compiled.sql);
  }
  await trx.executeQuery(compiled);
}

async function patch(trx: Transaction<Schema>, table: ProjectedTable, row: Readonly<Record<string, unknown>>) {
  const keys = PROJECTED_KEYS[table];
  const columns = Object.keys(row).filter((k) => !keys.includes(k));
  const parameters = [...columns.map((c) => row[c]), ...keys.map((k) => row[k])];
  const dialect = trx.getExecutor().adapter.constructor;
  const shape = `patch|${table}|${columns.join(',')}`;
  const query = upsertSql.get(dialect)?.get(shape);
  if (query === undefined) {
    const update = Object.fromEntries(columns.map((c) => [c, row[c]]));
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- generic over the projected tables
    let q = (trx as Transaction<any>).updateTable(table).set(update);
    for (const k of keys) q = q.where(k, '=', row[k]);
    const compiled = q.compile();
    const r = await trx.executeQuery(compiled);
    if (Number(r.numAffectedRows) !== 1)
      throw new Error(`applyRows: patch of ${table} ${String(row[keys[0]!])} found no row`);
    if (compiled.parameters.length === parameters.length && compiled.parameters.every((v, i) => v === parameters[i])) {
      if (!upsertSql.has(dialect)) upsertSql.set(dialect, new Map());
      upsertSql.get(dialect)!.set(shape, compiled.sql);
    }
    return;
  }
  const r = await trx.executeQuery(CompiledQuery.raw(query, parameters));
  if (Number(r.numAffectedRows) !== 1)
    throw new Error(`applyRows: patch of ${table} ${String(row[keys[0]!])} found no row`);
}
