import type { Transaction } from 'kysely';
import type { RowWrite } from '../app/projection.ts';
import { PROJECTED_KEYS } from './schema.ts';
import type { Schema } from './schema.ts';

/** applyRows upserts projected rows, whole, by primary key. */
export async function applyRows(trx: Transaction<Schema>, rows: readonly RowWrite[]): Promise<void> {
  for (const { table, row } of rows) {
    const keys = PROJECTED_KEYS[table];
    const update = Object.fromEntries(Object.entries(row).filter(([k]) => !keys.includes(k)));
    // The projected tables share no static row type, so this one generic upsert is typed loosely.
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- generic over the projected tables
    await (trx as Transaction<any>)
      .insertInto(table)
      .values(row)
      .onConflict((oc) => oc.columns(keys as string[]).doUpdateSet(update))
      .execute();
  }
}
