import type { Kysely, Migration } from 'kysely';

// Frozen in time: this migration uses Kysely<any> and never the app's current types.

/**
 * federation creates the peer list (projected from the log), the credentials used to read each peer's tiles (kept
 * outside the log; the log holds their SHA-256), and the operational state of the three federation roles:
 * the witness (what it last cosigned per origin, and the evidence of refused checkpoints), the log's own
 * cosignatures collected from its peers' witnesses, and the mirror of each peer (its verified checkpoint, state, and
 * the tiles and entry bundles exactly as the peer served them).
 */
export function federation(bytes: 'blob' | 'bytea'): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('peers')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('region', 'text')
        .addColumn('base_url', 'text', (c) => c.notNull())
        .addColumn('log_origin', 'text', (c) => c.notNull())
        .addColumn('log_vkey', 'text', (c) => c.notNull())
        .addColumn('witness_vkey', 'text')
        .addColumn('credential_sha256', 'text')
        .addColumn('added_by', 'text', (c) => c.notNull())
        .addColumn('added_at', 'bigint', (c) => c.notNull())
        .addColumn('removed_at', 'bigint')
        .addColumn('log_index', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('peers_origin').on('peers').column('log_origin').execute();

      await db.schema
        .createTable('peer_credentials')
        .addColumn('peer_id', 'text', (c) => c.primaryKey())
        .addColumn('credential', 'text', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('witness_checkpoints')
        .addColumn('origin', 'text', (c) => c.primaryKey())
        .addColumn('origin_hash', 'text', (c) => c.notNull().unique())
        .addColumn('size', 'bigint', (c) => c.notNull())
        .addColumn('root', bytes, (c) => c.notNull())
        .addColumn('note', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('federation_evidence')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('origin', 'text', (c) => c.notNull())
        .addColumn('peer_id', 'text')
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('reason', 'text', (c) => c.notNull())
        .addColumn('earlier_note', 'text')
        .addColumn('later_note', 'text', (c) => c.notNull())
        .addColumn('recorded_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('federation_evidence_origin')
        .on('federation_evidence')
        .columns(['origin', 'id'])
        .execute();

      await db.schema
        .createTable('checkpoint_cosignatures')
        .addColumn('size', 'bigint', (c) => c.notNull())
        .addColumn('witness_vkey', 'text', (c) => c.notNull())
        .addColumn('line', 'text', (c) => c.notNull())
        .addColumn('received_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('checkpoint_cosignatures_pk', ['size', 'witness_vkey'])
        .execute();

      await db.schema
        .createTable('witness_submissions')
        .addColumn('peer_id', 'text', (c) => c.primaryKey())
        .addColumn('size', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('mirrors')
        .addColumn('origin', 'text', (c) => c.primaryKey())
        .addColumn('origin_hash', 'text', (c) => c.notNull().unique())
        .addColumn('peer_id', 'text', (c) => c.notNull())
        .addColumn('size', 'bigint', (c) => c.notNull())
        .addColumn('verified_size', 'bigint', (c) => c.notNull())
        .addColumn('root', bytes)
        .addColumn('note', 'text')
        .addColumn('final_size', 'bigint', (c) => c.notNull().defaultTo(0))
        .addColumn('final_note', 'text')
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('state_since', 'bigint', (c) => c.notNull())
        .addColumn('peer_size', 'bigint')
        .addColumn('last_checked_at', 'bigint')
        .addColumn('last_error', 'text')
        .addColumn('failures', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('next_attempt_at', 'bigint', (c) => c.notNull().defaultTo(0))
        .execute();

      await db.schema
        .createTable('mirror_tiles')
        .addColumn('origin', 'text', (c) => c.notNull())
        .addColumn('level', 'integer', (c) => c.notNull())
        .addColumn('idx', 'bigint', (c) => c.notNull())
        .addColumn('width', 'integer', (c) => c.notNull())
        .addColumn('data', bytes, (c) => c.notNull())
        .addPrimaryKeyConstraint('mirror_tiles_pk', ['origin', 'level', 'idx'])
        .execute();
    },
  };
}
