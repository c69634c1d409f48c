import type { Kysely, Migration } from 'kysely';

// Frozen in time: this migration uses Kysely<any> and never the app's current types.

/**
 * recognition lets a node hold what it recognises of its peers' records, always as entries of its own log: parties,
 * producers, lots and shipments gain the origin of the log they come from (null for this node's own), a lot the
 * status reasons that its peers' logs give it, and an incident the incident on a peer's log that it follows.
 * peer_rows is an index of the rows that the peers' mirrored entries project (rebuildable from the mirror at any
 * time), and peer_index_state how far each peer's mirror has been indexed and acted on.
 */
export function recognition(): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema.alterTable('parties').addColumn('home_origin', 'text').execute();
      await db.schema.alterTable('producers').addColumn('home_origin', 'text').execute();
      await db.schema.alterTable('lots').addColumn('home_origin', 'text').execute();
      await db.schema
        .alterTable('lots')
        .addColumn('peer_reasons', 'text', (c) => c.notNull().defaultTo('[]'))
        .execute();
      await db.schema.alterTable('shipments').addColumn('home_origin', 'text').execute();
      await db.schema.alterTable('shipments').addColumn('home_index', 'bigint').execute();
      await db.schema.alterTable('shipments').addColumn('home_leaf_hash', 'text').execute();
      await db.schema.alterTable('incidents').addColumn('root_origin', 'text').execute();
      await db.schema.alterTable('incidents').addColumn('root_incident_id', 'text').execute();
      await db.schema
        .createIndex('incidents_root')
        .on('incidents')
        .columns(['root_origin', 'root_incident_id'])
        .execute();

      await db.schema
        .createTable('peer_rows')
        .addColumn('origin', 'text', (c) => c.notNull())
        .addColumn('tbl', 'text', (c) => c.notNull())
        .addColumn('key', 'text', (c) => c.notNull())
        .addColumn('lot_id', 'text')
        .addColumn('party_id', 'text')
        .addColumn('ref_id', 'text')
        .addColumn('data', 'text', (c) => c.notNull())
        .addColumn('log_index', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('peer_rows_pk', ['origin', 'tbl', 'key'])
        .execute();
      await db.schema.createIndex('peer_rows_lot').on('peer_rows').columns(['tbl', 'lot_id']).execute();
      await db.schema.createIndex('peer_rows_party').on('peer_rows').columns(['tbl', 'party_id']).execute();
      await db.schema.createIndex('peer_rows_ref').on('peer_rows').columns(['tbl', 'ref_id']).execute();
      await db.schema.createIndex('peer_rows_key').on('peer_rows').columns(['tbl', 'key']).execute();

      await db.schema
        .createTable('peer_index_state')
        .addColumn('origin', 'text', (c) => c.primaryKey())
        .addColumn('indexed_size', 'bigint', (c) => c.notNull())
        .addColumn('refused', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
    },
  };
}
