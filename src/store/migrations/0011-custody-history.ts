import type { Kysely, Migration } from 'kysely';
import { presenceMoves } from '../../domain/presence.ts';

// Frozen in time: this migration uses Kysely<any> and never the app's current types.

/**
 * custodyHistory creates lot_presence (each move of a lot into or out of a place, at its event time; a projection of
 * the custody entries, so that a breach at a place reaches every lot that was there during it) and carrier_jobs (a
 * shipper's job offered to a carrier and the carrier's acceptance; a projection too), and names the carrier on
 * shipments and bookings. It backfills lot_presence from the custody entries already logged.
 */
export function custodyHistory(): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('lot_presence')
        .addColumn('log_index', 'bigint', (c) => c.notNull())
        .addColumn('seq', 'integer', (c) => c.notNull())
        .addColumn('lot_id', 'text', (c) => c.notNull())
        .addColumn('party_id', 'text', (c) => c.notNull())
        .addColumn('location_id', 'text', (c) => c.notNull())
        .addColumn('direction', 'text', (c) => c.notNull())
        .addColumn('grams', 'bigint', (c) => c.notNull())
        .addColumn('cartons', 'integer', (c) => c.notNull())
        .addColumn('at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('lot_presence_pk', ['log_index', 'seq'])
        .execute();
      await db.schema.createIndex('lot_presence_place').on('lot_presence').columns(['location_id', 'at']).execute();
      await db.schema.createIndex('lot_presence_lot').on('lot_presence').columns(['lot_id', 'location_id']).execute();

      await db.schema
        .createTable('carrier_jobs')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('shipper_party_id', 'text', (c) => c.notNull())
        .addColumn('carrier_party_id', 'text', (c) => c.notNull())
        .addColumn('valid_from', 'bigint', (c) => c.notNull())
        .addColumn('valid_to', 'bigint')
        .addColumn('note', 'text')
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('accepted_at', 'bigint')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addColumn('log_index', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('carrier_jobs_pair')
        .on('carrier_jobs')
        .columns(['shipper_party_id', 'carrier_party_id'])
        .execute();
      await db.schema.createIndex('carrier_jobs_carrier').on('carrier_jobs').column('carrier_party_id').execute();

      await db.schema.alterTable('shipments').addColumn('carrier_party_id', 'text').execute();
      await db.schema.alterTable('bookings').addColumn('carrier_party_id', 'text').execute();
      await backfillPresence(db);
    },
  };
}

/**
 * backfillPresence projects the presence moves of the custody entries a node logged before this migration, so that
 * lot_presence is what `coldtrace verify` re-derives from the log. It calls presenceMoves, the one definition of
 * those moves, which must therefore never change what it derives from an existing entry.
 */
export async function backfillPresence(db: Kysely<any>) {
  for (let from = 0; ; from += 2000) {
    const entries = await db
      .selectFrom('log_entries')
      .select(['idx', 'data'])
      .where('idx', '>=', from)
      .where('idx', '<', from + 2000)
      .orderBy('idx')
      .execute();
    if (entries.length === 0) break;
    for (const e of entries) {
      const entry = JSON.parse(Buffer.from(e.data as Uint8Array).toString('utf8')) as {
        type: string;
        record: Record<string, unknown>;
      };
      for (const [seq, m] of presenceMoves(entry.type, entry.record).entries()) {
        await db
          .insertInto('lot_presence')
          .values({
            log_index: Number(e.idx),
            seq,
            lot_id: m.lotId,
            party_id: m.partyId,
            location_id: m.locationId,
            direction: m.direction,
            grams: m.grams,
            cartons: m.cartons,
            at: m.at,
          })
          .execute();
      }
    }
  }
}
