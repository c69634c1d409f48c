import type { Kysely } from 'kysely';
import type { RowWrite } from '../../store/rows.ts';
import { applyRows } from '../../store/rows.ts';
import type { Schema } from '../../store/schema.ts';
import { derivedRows } from '../epcis/rows.ts';
import { decodeEntry } from './entry.ts';
import { presenceRows } from './projection.ts';
import type { Entry } from './entry.ts';

/**
 * BACKFILLS are the projections a migration may ask the node to derive from the entries it logged before the
 * migration: the migration creates the tables and leaves a note named here, because a frozen migration cannot import
 * the projection code. Each derives rows from one entry, exactly as the write path and verify do.
 */
const BACKFILLS: Readonly<Record<string, (entry: Entry, index: number) => RowWrite[]>> = {
  'epcis-derived': derivedRows,
  'lot-presence': presenceRows,
};

const BATCH = 2000;

/**
 * runBackfills runs the backfills that migrations have noted, each in one transaction with the removal of its note,
 * so a crash leaves the note and the next start runs it again from scratch. A note with a name this code does not
 * know is an error: the database was migrated by a newer coldtrace.
 */
export async function runBackfills(db: Kysely<Schema>): Promise<string[]> {
  const tables = await db.introspection.getTables();
  if (!tables.some((t) => t.name === 'projection_backfills')) return [];
  const notes = await db.selectFrom('projectionBackfills').select('name').orderBy('name').execute();
  for (const { name } of notes) {
    const rowsOf = BACKFILLS[name];
    if (!rowsOf)
      throw new Error(`unknown projection backfill ${name}: was this database migrated by a newer coldtrace?`);
    await db.transaction().execute(async (trx) => {
      for (let from = 0; ; from += BATCH) {
        const entries = await trx
          .selectFrom('logEntries')
          .select(['idx', 'data'])
          .where('idx', '>=', from)
          .where('idx', '<', from + BATCH)
          .orderBy('idx')
          .execute();
        if (entries.length === 0) break;
        await applyRows(
          trx,
          entries.flatMap((e) => rowsOf(decodeEntry(e.data as Uint8Array), Number(e.idx))),
        );
      }
      await trx.deleteFrom('projectionBackfills').where('name', '=', name).execute();
    });
  }
  return notes.map((n) => n.name);
}
