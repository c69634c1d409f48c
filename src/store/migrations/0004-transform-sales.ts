import type { Kysely, Migration } from 'kysely';

// Frozen in time: this migration uses Kysely<any> and never the app's current types.

/**
 * transformSales adds derived lots (made by repacking or processing), the transformations that made
 * them and their input and output lots, disposals, retail sales to consumers, and the way a sale was
 * handed over on shipments. Adding a column with a constant default is one statement on both
 * databases, and existing rows read the default.
 */
export function transformSales(): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .alterTable('lots')
        .addColumn('origin', 'text', (c) => c.notNull().defaultTo('imported'))
        .execute();
      await db.schema.alterTable('lots').addColumn('transformation_id', 'text').execute();
      // A sale handed over at the seller's stall has no vehicle or driver. SQLite cannot drop NOT NULL
      // from a column without rebuilding the table, so such a shipment says so here and stores ''.
      await db.schema
        .alterTable('shipments')
        .addColumn('mode', 'text', (c) => c.notNull().defaultTo('delivered'))
        .execute();

      await db.schema
        .createTable('transformations')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('party_id', 'text', (c) => c.notNull().references('parties.id'))
        .addColumn('location_id', 'text')
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('at', 'bigint', (c) => c.notNull())
        .addColumn('loss_grams', 'bigint', (c) => c.notNull())
        .addColumn('reference_doc', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('log_index', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('transformations_party').on('transformations').column('party_id').execute();

      await db.schema
        .createTable('transformation_lots')
        .addColumn('transformation_id', 'text', (c) => c.notNull().references('transformations.id'))
        .addColumn('lot_id', 'text', (c) => c.notNull().references('lots.id'))
        .addColumn('role', 'text', (c) => c.notNull())
        .addColumn('location_id', 'text')
        .addColumn('grams', 'bigint', (c) => c.notNull())
        .addColumn('cartons', 'integer', (c) => c.notNull())
        .addColumn('log_index', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('transformation_lots_pk', ['transformation_id', 'lot_id'])
        .execute();
      await db.schema.createIndex('transformation_lots_lot').on('transformation_lots').column('lot_id').execute();

      await db.schema
        .createTable('disposals')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('lot_id', 'text', (c) => c.notNull().references('lots.id'))
        .addColumn('party_id', 'text', (c) => c.notNull().references('parties.id'))
        .addColumn('location_id', 'text')
        .addColumn('grams', 'bigint', (c) => c.notNull())
        .addColumn('cartons', 'integer', (c) => c.notNull())
        .addColumn('method', 'text', (c) => c.notNull())
        .addColumn('reference_doc', 'text', (c) => c.notNull())
        .addColumn('at', 'bigint', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('log_index', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('disposals_lot').on('disposals').column('lot_id').execute();

      await db.schema
        .createTable('retail_sales')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('lot_id', 'text', (c) => c.notNull().references('lots.id'))
        .addColumn('party_id', 'text', (c) => c.notNull().references('parties.id'))
        .addColumn('location_id', 'text')
        .addColumn('day', 'text', (c) => c.notNull())
        .addColumn('grams', 'bigint', (c) => c.notNull())
        .addColumn('cartons', 'integer', (c) => c.notNull())
        .addColumn('sold_at', 'bigint', (c) => c.notNull())
        .addColumn('buyer_ref', 'text')
        .addColumn('buyer_commitment', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('log_index', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('retail_sales_lot_day').on('retail_sales').columns(['lot_id', 'day']).execute();
      await db.schema.createIndex('retail_sales_party').on('retail_sales').column('party_id').execute();
    },
  };
}
