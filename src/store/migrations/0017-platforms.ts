import type { Kysely, Migration } from 'kysely';

// Frozen in time: this migration uses Kysely<any> and never the app's current types.

/**
 * platforms lets a regulator register other platforms (not coldtrace nodes) whose codes are recognised here.
 * platforms is a projection of 'platform.registered' entries; the credential a platform is read with is kept outside
 * the log (platform_credentials), which holds its SHA-256. platform_state is how reading each platform goes, and
 * platform_deliveries the queue of notices pushed to a platform's channel: both operational.
 */
export function platforms(): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('platforms')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('codes', 'text', (c) => c.notNull())
        .addColumn('query_url', 'text', (c) => c.notNull())
        .addColumn('credential_sha256', 'text')
        .addColumn('notice_url', 'text')
        .addColumn('party_id', 'text', (c) => c.notNull())
        .addColumn('registered_at', 'bigint', (c) => c.notNull())
        .addColumn('log_index', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('platform_credentials')
        .addColumn('platform_id', 'text', (c) => c.primaryKey())
        .addColumn('credential', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('platform_state')
        .addColumn('platform_id', 'text', (c) => c.primaryKey())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('since', 'bigint', (c) => c.notNull())
        .addColumn('last_fetched_at', 'bigint')
        .addColumn('last_error', 'text')
        .addColumn('failures', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('refresh_after', 'text', (c) => c.notNull().defaultTo(''))
        .execute();
      await db.schema
        .createTable('platform_deliveries')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('platform_id', 'text', (c) => c.notNull())
        .addColumn('lot_id', 'text', (c) => c.notNull())
        .addColumn('reason_key', 'text', (c) => c.notNull())
        .addColumn('body', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('next_at', 'bigint', (c) => c.notNull())
        .addColumn('delivered_at', 'bigint')
        .addColumn('last_error', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addUniqueConstraint('platform_deliveries_once', ['platform_id', 'lot_id', 'reason_key'])
        .execute();
      await db.schema
        .createIndex('platform_deliveries_due')
        .on('platform_deliveries')
        .columns(['status', 'next_at'])
        .execute();
    },
  };
}
