import type { Transaction } from 'kysely';
import type { RowWrite } from '../app/projection.ts';
import { PROJECTED_KEYS } from './schema.ts';
import type { Schema } from './schema.ts';

/** applyRows upserts projected rows, whole, by primary key, and applies patches to existing rows. */
export async function applyRows(trx: Transaction<Schema>, rows: readonly RowWrite[]): Promise<void> {
  for (const { table, row, patch } of rows) {
    const keys = PROJECTED_KEYS[table];
    const update = Object.fromEntries(Object.entries(row).filter(([k]) => !keys.includes(k)));
    if (patch) {
      // eslint-disable-next-line @typescript-eslint/no-explicit-any -- generic over the projected tables
      let q = (trx as Transaction<any>).updateTable(table).set(update);
      for (const k of keys) q = q.where(k, '=', row[k]);
      const r = await q.executeTakeFirst();
      if (Number(r.numUpdatedRows) !== 1) throw new Error(`applyRows: patch of ${table} ${String(row[keys[0]!])} found no row`);
      continue;
    }
    // The projected tables share no static row type, so this one generic upsert is typed loosely.
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- generic over the projected tables
    await (trx as Transaction<any>)
      .insertInto(table)
      .values(row)
      .onConflict((oc) => oc.columns(keys as string[]).doUpdateSet(update))
      .execute();
  }
}
