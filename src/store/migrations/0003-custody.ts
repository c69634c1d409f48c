import type { Kysely, Migration } from 'kysely';

// Frozen in time: this migration uses Kysely<any> and never the app's current types.

/** custody creates holdings per (lot, holder, location) and shipments between holders. */
export function custody(): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('holdings')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('lot_id', 'text', (c) => c.notNull().references('lots.id'))
        .addColumn('party_id', 'text', (c) => c.notNull().references('parties.id'))
        .addColumn('location_id', 'text')
        .addColumn('grams', 'bigint', (c) => c.notNull())
        .addColumn('cartons', 'integer', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addColumn('log_index', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('holdings_lot').on('holdings').column('lot_id').execute();
      await db.schema.createIndex('holdings_party').on('holdings').column('party_id').execute();

      await db.schema
        .createTable('shipments')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('lot_id', 'text', (c) => c.notNull().references('lots.id'))
        .addColumn('from_party_id', 'text', (c) => c.notNull())
        .addColumn('from_location_id', 'text')
        .addColumn('to_party_id', 'text', (c) => c.notNull())
        .addColumn('to_location_id', 'text')
        .addColumn('grams', 'bigint', (c) => c.notNull())
        .addColumn('cartons', 'integer', (c) => c.notNull())
        .addColumn('purpose', 'text', (c) => c.notNull())
        .addColumn('vehicle_id', 'text', (c) => c.notNull())
        .addColumn('driver_worker_id', 'text', (c) => c.notNull())
        .addColumn('handler_worker_ids', 'text', (c) => c.notNull())
        .addColumn('departed_at', 'bigint', (c) => c.notNull())
        .addColumn('reference_doc', 'text')
        .addColumn('flags', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('received_grams', 'bigint')
        .addColumn('received_cartons', 'integer')
        .addColumn('received_at', 'bigint')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addColumn('log_index', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('shipments_lot').on('shipments').column('lot_id').execute();
      await db.schema.createIndex('shipments_to').on('shipments').columns(['to_party_id', 'status']).execute();
      await db.schema.createIndex('shipments_from').on('shipments').column('from_party_id').execute();
    },
  };
}
