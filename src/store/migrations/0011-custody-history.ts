import type { Kysely, Migration } from 'kysely';

// Frozen in time: this migration uses Kysely<any> and never the app's current types.

/**
 * custodyHistory creates lot_presence (each move of a lot into or out of a place, at its event time; a projection of
 * the custody entries, so that a breach at a place reaches every lot that was there during it) and carrier_jobs (a
 * shipper's job offered to a carrier and the carrier's acceptance; a projection too), and names the carrier on
 * shipments and bookings. The node backfills lot_presence from the custody entries already logged.
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
      // The custody entries logged before this migration moved lots in and out of places too. Deriving those moves
      // takes the projection code of the day, which a frozen migration must not import: it leaves a note that the
      // node runs after migrating (app/write/backfills.ts).
      await db.schema
        .createTable('projection_backfills')
        .ifNotExists()
        .addColumn('name', 'text', (c) => c.primaryKey())
        .execute();
      const logged = await db.selectFrom('log_entries').select('idx').limit(1).executeTakeFirst();
      if (logged) {
        await db
          .insertInto('projection_backfills')
          .values({ name: 'lot-presence' })
          .onConflict((oc) => oc.column('name').doNothing())
          .execute();
      }
    },
  };
}
