import type { Kysely, Migration } from 'kysely';

// Frozen in time: this migration uses Kysely<any> and never the app's current types.

/**
 * incidents creates the incident, the lots it froze, the quantities each holder must account for, what each holder
 * did with them, and the vehicles, workers and places that touched the goods.
 */
export function incidents(): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('incidents')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('number', 'integer', (c) => c.notNull().unique())
        .addColumn('title', 'text', (c) => c.notNull())
        .addColumn('trigger_kind', 'text', (c) => c.notNull())
        .addColumn('trigger', 'text', (c) => c.notNull())
        .addColumn('scope', 'text', (c) => c.notNull())
        .addColumn('window_from', 'bigint', (c) => c.notNull())
        .addColumn('window_to', 'bigint', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('regions', 'text', (c) => c.notNull())
        .addColumn('opened_by', 'text')
        .addColumn('opened_at', 'bigint', (c) => c.notNull())
        .addColumn('closed_by', 'text')
        .addColumn('closed_at', 'bigint')
        .addColumn('close_reason', 'text')
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addColumn('log_index', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('incidents_status').on('incidents').column('status').execute();

      await db.schema
        .createTable('incident_lots')
        .addColumn('incident_id', 'text', (c) => c.notNull().references('incidents.id'))
        .addColumn('lot_id', 'text', (c) => c.notNull().references('lots.id'))
        .addColumn('reason', 'text', (c) => c.notNull())
        .addColumn('depth', 'integer', (c) => c.notNull())
        .addColumn('cleared_at', 'bigint')
        .addColumn('cleared_by', 'text')
        .addColumn('log_index', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('incident_lots_pk', ['incident_id', 'lot_id'])
        .execute();
      await db.schema.createIndex('incident_lots_lot').on('incident_lots').column('lot_id').execute();

      await db.schema
        .createTable('incident_holdings')
        .addColumn('incident_id', 'text', (c) => c.notNull().references('incidents.id'))
        .addColumn('holding_id', 'text', (c) => c.notNull())
        .addColumn('lot_id', 'text', (c) => c.notNull())
        .addColumn('party_id', 'text', (c) => c.notNull())
        .addColumn('location_id', 'text')
        .addColumn('region', 'text', (c) => c.notNull())
        .addColumn('grams', 'bigint', (c) => c.notNull())
        .addColumn('cartons', 'integer', (c) => c.notNull())
        .addColumn('in_transit', 'integer', (c) => c.notNull())
        .addColumn('log_index', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('incident_holdings_pk', ['incident_id', 'holding_id'])
        .execute();
      await db.schema
        .createIndex('incident_holdings_party')
        .on('incident_holdings')
        .columns(['party_id', 'incident_id'])
        .execute();

      await db.schema
        .createTable('incident_actions')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('incident_id', 'text', (c) => c.notNull().references('incidents.id'))
        .addColumn('holding_id', 'text', (c) => c.notNull())
        .addColumn('lot_id', 'text', (c) => c.notNull())
        .addColumn('party_id', 'text', (c) => c.notNull())
        .addColumn('location_id', 'text')
        .addColumn('action', 'text', (c) => c.notNull())
        .addColumn('grams', 'bigint', (c) => c.notNull())
        .addColumn('cartons', 'integer', (c) => c.notNull())
        .addColumn('reference_doc', 'text')
        .addColumn('note', 'text')
        .addColumn('at', 'bigint', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('recorded_by', 'text', (c) => c.notNull())
        .addColumn('decided_by', 'text')
        .addColumn('decided_at', 'bigint')
        .addColumn('decision_note', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addColumn('log_index', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('incident_actions_incident')
        .on('incident_actions')
        .columns(['incident_id', 'holding_id'])
        .execute();

      await db.schema
        .createTable('incident_contacts')
        .addColumn('incident_id', 'text', (c) => c.notNull().references('incidents.id'))
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('ref_id', 'text', (c) => c.notNull())
        .addColumn('label', 'text', (c) => c.notNull())
        .addColumn('party_id', 'text')
        .addColumn('first_at', 'bigint', (c) => c.notNull())
        .addColumn('last_at', 'bigint', (c) => c.notNull())
        .addColumn('lot_ids', 'text', (c) => c.notNull())
        .addColumn('log_index', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('incident_contacts_pk', ['incident_id', 'kind', 'ref_id'])
        .execute();
    },
  };
}
