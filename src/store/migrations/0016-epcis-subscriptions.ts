import type { Kysely, Migration } from 'kysely';

// Frozen in time: this migration uses Kysely<any> and never the app's current types.

/**
 * epcisSubscriptions creates the named queries and the query subscriptions of the EPCIS REST binding (projected from
 * the log), and the operational tables the log does not hold: each subscription's signature token, which must be kept
 * to sign, when each scheduled subscription last ran, and the queue of events to deliver to each streaming subscription, written with the events.
 */
export function epcisSubscriptions(): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('epcis_queries')
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('party_id', 'text', (c) => c.notNull())
        .addColumn('query', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('deleted_at', 'bigint')
        .addColumn('log_index', 'bigint', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('epcis_subscriptions')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('query_name', 'text', (c) => c.notNull())
        .addColumn('party_id', 'text', (c) => c.notNull())
        .addColumn('dest', 'text', (c) => c.notNull())
        .addColumn('stream', 'integer', (c) => c.notNull())
        .addColumn('schedule', 'text')
        .addColumn('report_if_empty', 'integer', (c) => c.notNull())
        .addColumn('token_sha256', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('cancelled_at', 'bigint')
        .addColumn('log_index', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('epcis_subscriptions_query')
        .on('epcis_subscriptions')
        .columns(['query_name', 'cancelled_at'])
        .execute();

      await db.schema
        .createTable('epcis_subscription_secrets')
        .addColumn('subscription_id', 'text', (c) => c.primaryKey())
        .addColumn('token', 'text', (c) => c.notNull())
        .execute();

      // When each scheduled subscription last ran: its next run reports the events recorded since.
      await db.schema
        .createTable('epcis_schedule_state')
        .addColumn('subscription_id', 'text', (c) => c.primaryKey())
        .addColumn('last_run_at', 'bigint', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('epcis_deliveries')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('subscription_id', 'text', (c) => c.notNull())
        .addColumn('event_id', 'text', (c) => c.notNull())
        .addColumn('event_log_index', 'bigint', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull())
        .addColumn('next_at', 'bigint')
        .addColumn('last_error', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      // The deliverer finds subscriptions with due deliveries, then takes each one's in log order.
      await db.schema
        .createIndex('epcis_deliveries_due')
        .on('epcis_deliveries')
        .columns(['status', 'next_at'])
        .execute();
      await db.schema
        .createIndex('epcis_deliveries_order')
        .on('epcis_deliveries')
        .columns(['subscription_id', 'status', 'event_log_index', 'id'])
        .execute();
    },
  };
}
