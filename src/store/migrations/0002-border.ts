import type { Kysely, Migration } from 'kysely';

// Frozen in time: this migration uses Kysely<any> and never the app's current types.

/** border creates lots, documents, suspensions and the supervision-warehouse records. */
export function border(): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('lots')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('code', 'text', (c) => c.notNull().unique())
        .addColumn('importer_party_id', 'text', (c) => c.notNull().references('parties.id'))
        .addColumn('region', 'text', (c) => c.notNull())
        .addColumn('declaration_no', 'text', (c) => c.notNull())
        .addColumn('port_of_entry', 'text', (c) => c.notNull())
        .addColumn('arrival_date', 'text', (c) => c.notNull())
        .addColumn('container_no', 'text', (c) => c.notNull())
        .addColumn('bill_of_lading', 'text', (c) => c.notNull())
        .addColumn('product_name_zh', 'text')
        .addColumn('product_name_en', 'text')
        .addColumn('category', 'text', (c) => c.notNull())
        .addColumn('hs_code', 'text', (c) => c.notNull())
        .addColumn('gtin', 'text')
        .addColumn('batch_no', 'text', (c) => c.notNull())
        .addColumn('origin_country', 'text', (c) => c.notNull())
        .addColumn('producer_id', 'text', (c) => c.notNull().references('producers.id'))
        .addColumn('net_grams', 'bigint', (c) => c.notNull())
        .addColumn('cartons', 'integer', (c) => c.notNull())
        .addColumn('production_date', 'text', (c) => c.notNull())
        .addColumn('expiry_date', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('status_reasons', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addColumn('log_index', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('lots_importer').on('lots').column('importer_party_id').execute();
      await db.schema.createIndex('lots_region').on('lots').column('region').execute();
      await db.schema.createIndex('lots_producer').on('lots').column('producer_id').execute();
      await db.schema.createIndex('lots_container').on('lots').column('container_no').execute();
      await db.schema.createIndex('lots_gtin_batch').on('lots').columns(['gtin', 'batch_no']).execute();
      await db.schema.createIndex('lots_declaration').on('lots').column('declaration_no').execute();

      await db.schema
        .createTable('documents')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('lot_id', 'text', (c) => c.notNull().references('lots.id'))
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('number', 'text', (c) => c.notNull())
        .addColumn('issuer', 'text', (c) => c.notNull())
        .addColumn('issued_on', 'text', (c) => c.notNull())
        .addColumn('sha256', 'text', (c) => c.notNull())
        .addColumn('media_type', 'text', (c) => c.notNull())
        .addColumn('size_bytes', 'integer', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('log_index', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('documents_lot').on('documents').columns(['lot_id', 'kind']).execute();

      await db.schema
        .createTable('suspensions')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('producer_id', 'text', (c) => c.notNull().references('producers.id'))
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('starts_at', 'bigint', (c) => c.notNull())
        .addColumn('ends_at', 'bigint', (c) => c.notNull())
        .addColumn('reason', 'text', (c) => c.notNull())
        .addColumn('finding_number', 'integer')
        .addColumn('lot_id', 'text')
        .addColumn('sample_id', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('log_index', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('suspensions_producer')
        .on('suspensions')
        .columns(['producer_id', 'ends_at'])
        .execute();

      await db.schema
        .createTable('bookings')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('lot_id', 'text', (c) => c.notNull().references('lots.id'))
        .addColumn('owner_party_id', 'text', (c) => c.notNull())
        .addColumn('warehouse_party_id', 'text', (c) => c.notNull())
        .addColumn('location_id', 'text', (c) => c.notNull())
        .addColumn('vehicle_id', 'text', (c) => c.notNull())
        .addColumn('driver_worker_id', 'text', (c) => c.notNull())
        .addColumn('destination', 'text', (c) => c.notNull())
        .addColumn('slot_start', 'bigint', (c) => c.notNull())
        .addColumn('slot_end', 'bigint', (c) => c.notNull())
        .addColumn('arrived_at', 'bigint')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addColumn('log_index', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('bookings_lot').on('bookings').column('lot_id').execute();
      await db.schema.createIndex('bookings_warehouse').on('bookings').column('warehouse_party_id').execute();

      await db.schema
        .createTable('disinfections')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('lot_id', 'text', (c) => c.notNull().references('lots.id'))
        .addColumn('warehouse_party_id', 'text', (c) => c.notNull())
        .addColumn('agent', 'text', (c) => c.notNull())
        .addColumn('concentration', 'text', (c) => c.notNull())
        .addColumn('operator_worker_id', 'text', (c) => c.notNull())
        .addColumn('performed_at', 'bigint', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('log_index', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('disinfections_lot').on('disinfections').column('lot_id').execute();

      await db.schema
        .createTable('samples')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('lot_id', 'text', (c) => c.notNull().references('lots.id'))
        .addColumn('warehouse_party_id', 'text', (c) => c.notNull())
        .addColumn('lab_party_id', 'text', (c) => c.notNull())
        .addColumn('point', 'text', (c) => c.notNull())
        .addColumn('taken_at', 'bigint', (c) => c.notNull())
        .addColumn('result', 'text', (c) => c.notNull())
        .addColumn('ct_value', 'double precision')
        .addColumn('method', 'text')
        .addColumn('resulted_at', 'bigint')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addColumn('log_index', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('samples_lot').on('samples').column('lot_id').execute();
      await db.schema.createIndex('samples_lab').on('samples').columns(['lab_party_id', 'result']).execute();

      await db.schema
        .createTable('exit_certificates')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('number', 'text', (c) => c.notNull().unique())
        .addColumn('lot_id', 'text', (c) => c.notNull().unique().references('lots.id'))
        .addColumn('warehouse_party_id', 'text', (c) => c.notNull())
        .addColumn('issued_at', 'bigint', (c) => c.notNull())
        .addColumn('log_index', 'bigint', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('carton_ranges')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('lot_id', 'text', (c) => c.notNull().references('lots.id'))
        .addColumn('first_serial', 'integer', (c) => c.notNull())
        .addColumn('last_serial', 'integer', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('log_index', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('carton_ranges_lot').on('carton_ranges').column('lot_id').execute();
    },
  };
}
