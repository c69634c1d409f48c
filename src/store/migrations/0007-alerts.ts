import type { Kysely, Migration } from 'kysely';

// Frozen in time: this migration uses Kysely<any> and never the app's current types.

/**
 * alerts creates the inbox (alerts and their acknowledgements, projected from the log), the webhook
 * subscriptions (projected), and the operational tables the log does not hold: the webhook secrets,
 * which must be kept to sign, and the delivery queue with every attempt.
 */
export function alerts(): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('alerts')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('party_id', 'text', (c) => c.notNull().references('parties.id'))
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('severity', 'text', (c) => c.notNull())
        .addColumn('title_zh', 'text')
        .addColumn('title_en', 'text')
        .addColumn('body', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('log_index', 'bigint', (c) => c.notNull())
        .execute();
      // The inbox pages by id; the event stream reads a party's alerts in log order.
      await db.schema.createIndex('alerts_party_id').on('alerts').columns(['party_id', 'id']).execute();
      await db.schema.createIndex('alerts_party_log').on('alerts').columns(['party_id', 'log_index']).execute();

      await db.schema
        .createTable('alert_acks')
        .addColumn('alert_id', 'text', (c) => c.primaryKey().references('alerts.id'))
        .addColumn('party_id', 'text', (c) => c.notNull())
        .addColumn('acknowledged_at', 'bigint', (c) => c.notNull())
        .addColumn('acknowledged_by', 'text', (c) => c.notNull())
        .addColumn('note', 'text')
        .addColumn('log_index', 'bigint', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('webhooks')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('party_id', 'text', (c) => c.notNull().references('parties.id'))
        .addColumn('url', 'text', (c) => c.notNull())
        .addColumn('kinds', 'text')
        .addColumn('secret_sha256', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('disabled_at', 'bigint')
        .addColumn('disabled_reason', 'text')
        .addColumn('log_index', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('webhooks_party').on('webhooks').column('party_id').execute();

      await db.schema
        .createTable('webhook_secrets')
        .addColumn('webhook_id', 'text', (c) => c.primaryKey().references('webhooks.id'))
        .addColumn('secret', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('alert_deliveries')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('alert_id', 'text', (c) => c.notNull().references('alerts.id'))
        .addColumn('webhook_id', 'text', (c) => c.notNull().references('webhooks.id'))
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull())
        .addColumn('next_at', 'bigint')
        .addColumn('claim', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('alert_deliveries_due')
        .on('alert_deliveries')
        .columns(['status', 'next_at'])
        .execute();
      await db.schema
        .createIndex('alert_deliveries_webhook')
        .on('alert_deliveries')
        .columns(['webhook_id', 'id'])
        .execute();
      await db.schema
        .createIndex('alert_deliveries_alert_webhook')
        .on('alert_deliveries')
        .columns(['alert_id', 'webhook_id'])
        .unique()
        .execute();

      await db.schema
        .createTable('delivery_attempts')
        .addColumn('delivery_id', 'text', (c) => c.notNull().references('alert_deliveries.id'))
        .addColumn('attempt', 'integer', (c) => c.notNull())
        .addColumn('webhook_id', 'text', (c) => c.notNull())
        .addColumn('started_at', 'bigint', (c) => c.notNull())
        .addColumn('duration_ms', 'integer', (c) => c.notNull())
        .addColumn('http_status', 'integer')
        .addColumn('error', 'text')
        .addColumn('next_at', 'bigint')
        .addPrimaryKeyConstraint('delivery_attempts_pk', ['delivery_id', 'attempt'])
        .execute();
    },
  };
}
