import type { Kysely, Migration } from 'kysely';
import { sql } from 'kysely';

// Frozen in time: this migration uses Kysely<any> and never the app's current types.

/** foundation creates parties, tokens, master data, personal data, the log and idempotency keys. */
export function foundation(bytesType: 'blob' | 'bytea', sequenceKeyType: 'integer' | 'bigint'): Migration {
  return {
    async up(db: Kysely<any>) {
      const bytes = sql.raw(bytesType);
      await db.schema
        .createTable('parties')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('uscc', 'text', (c) => c.notNull().unique())
        .addColumn('name_zh', 'text')
        .addColumn('name_en', 'text')
        .addColumn('roles', 'text', (c) => c.notNull())
        .addColumn('region', 'text', (c) => c.notNull())
        .addColumn('level', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addColumn('log_index', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('parties_region').on('parties').column('region').execute();

      await db.schema
        .createTable('tokens')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('party_id', 'text', (c) => c.notNull().references('parties.id'))
        .addColumn('token_hash', bytes, (c) => c.notNull().unique())
        .addColumn('label', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('revoked_at', 'bigint')
        .addColumn('log_index', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('tokens_party').on('tokens').column('party_id').execute();

      await db.schema
        .createTable('locations')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('owner_party_id', 'text', (c) => c.notNull().references('parties.id'))
        .addColumn('filing_no', 'text', (c) => c.notNull().unique())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('address', 'text', (c) => c.notNull())
        .addColumn('region', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('temp_class', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addColumn('log_index', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('locations_owner').on('locations').column('owner_party_id').execute();
      await db.schema.createIndex('locations_region').on('locations').column('region').execute();

      await db.schema
        .createTable('vehicles')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('plate', 'text', (c) => c.notNull().unique())
        .addColumn('carrier_party_id', 'text', (c) => c.notNull().references('parties.id'))
        .addColumn('refrigerated', 'integer', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addColumn('log_index', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('vehicles_carrier').on('vehicles').column('carrier_party_id').execute();

      await db.schema
        .createTable('workers')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('employer_party_id', 'text', (c) => c.notNull().references('parties.id'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('role', 'text', (c) => c.notNull())
        .addColumn('id_commitment', 'text', (c) => c.notNull())
        .addColumn('personal_ref', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addColumn('log_index', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('workers_employer').on('workers').column('employer_party_id').execute();

      await db.schema
        .createTable('worker_tests')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('worker_id', 'text', (c) => c.notNull().references('workers.id'))
        .addColumn('sampled_at', 'bigint', (c) => c.notNull())
        .addColumn('result', 'text', (c) => c.notNull())
        .addColumn('institution', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('log_index', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('worker_tests_worker')
        .on('worker_tests')
        .columns(['worker_id', 'sampled_at'])
        .execute();

      await db.schema
        .createTable('producers')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('country', 'text', (c) => c.notNull())
        .addColumn('registration_no', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('name_zh', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addColumn('log_index', 'bigint', (c) => c.notNull())
        .addUniqueConstraint('producers_country_reg', ['country', 'registration_no'])
        .execute();

      await db.schema
        .createTable('settings')
        .addColumn('key', 'text', (c) => c.primaryKey())
        .addColumn('value', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addColumn('log_index', 'bigint', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('personal_data')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('commitment', 'text', (c) => c.notNull())
        .addColumn('salt', bytes)
        .addColumn('value', 'text')
        .addColumn('masked', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('erased_at', 'bigint')
        .execute();

      await db.schema
        .createTable('log_entries')
        .addColumn('idx', sequenceKeyType, (c) => c.primaryKey())
        .addColumn('leaf_hash', bytes, (c) => c.notNull())
        .addColumn('data', bytes, (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('log_state')
        .addColumn('id', 'integer', (c) => c.primaryKey())
        .addColumn('size', 'bigint', (c) => c.notNull())
        .execute();
      await db.insertInto('log_state').values({ id: 1, size: 0 }).execute();
      await db.schema
        .createTable('log_checkpoints')
        .addColumn('size', 'bigint', (c) => c.primaryKey())
        .addColumn('root', bytes, (c) => c.notNull())
        .addColumn('note', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('log_tiles')
        .addColumn('level', 'integer', (c) => c.notNull())
        .addColumn('idx', 'bigint', (c) => c.notNull())
        .addColumn('width', 'integer', (c) => c.notNull())
        .addColumn('data', bytes, (c) => c.notNull())
        .addPrimaryKeyConstraint('log_tiles_pk', ['level', 'idx'])
        .execute();

      await db.schema
        .createTable('idempotency_keys')
        .addColumn('party_id', 'text', (c) => c.notNull())
        .addColumn('key', 'text', (c) => c.notNull())
        .addColumn('fingerprint', 'text', (c) => c.notNull())
        .addColumn('status', 'integer', (c) => c.notNull())
        .addColumn('body', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('idempotency_keys_pk', ['party_id', 'key'])
        .execute();
    },
  };
}
