import type { Kysely, Migration } from 'kysely';

// Frozen in time: this migration uses Kysely<any> and never the app's current types.

/**
 * epcis creates the GS1 EPCIS 2.0 event store: epcis_events (one row per event, captured or derived from a
 * custody entry; a projection of the log), epcis_event_epcs (the identifiers each event names, for the MATCH_
 * query parameters; a projection too) and epcis_capture_jobs (the capture jobs of the REST binding; operational,
 * not projected), and notes in projection_backfills that the node must project the EPCIS form of its earlier entries.
 */
export function epcis(): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('epcis_events')
        .addColumn('event_id', 'text', (c) => c.primaryKey())
        .addColumn('hash_id', 'text', (c) => c.notNull())
        .addColumn('event_type', 'text', (c) => c.notNull())
        .addColumn('action', 'text')
        .addColumn('biz_step', 'text')
        .addColumn('disposition', 'text')
        .addColumn('read_point', 'text')
        .addColumn('biz_location', 'text')
        .addColumn('event_time', 'bigint', (c) => c.notNull())
        .addColumn('record_time', 'bigint', (c) => c.notNull())
        .addColumn('parent_id', 'text')
        .addColumn('party_id', 'text')
        .addColumn('source', 'text', (c) => c.notNull())
        .addColumn('superseded_by', 'text')
        .addColumn('json', 'text', (c) => c.notNull())
        .addColumn('log_index', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('epcis_events_order').on('epcis_events').columns(['log_index', 'event_id']).execute();
      await db.schema.createIndex('epcis_events_hash').on('epcis_events').column('hash_id').execute();
      await db.schema.createIndex('epcis_events_event_time').on('epcis_events').column('event_time').execute();
      await db.schema.createIndex('epcis_events_record_time').on('epcis_events').column('record_time').execute();
      await db.schema.createIndex('epcis_events_party').on('epcis_events').column('party_id').execute();

      await db.schema
        .createTable('epcis_event_epcs')
        .addColumn('event_id', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('value', 'text', (c) => c.notNull())
        .addColumn('log_index', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('epcis_event_epcs_pk', ['event_id', 'kind', 'value'])
        .execute();
      await db.schema.createIndex('epcis_event_epcs_value').on('epcis_event_epcs').columns(['value', 'kind']).execute();

      await db.schema
        .createTable('epcis_capture_jobs')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('party_id', 'text', (c) => c.notNull())
        .addColumn('behaviour', 'text', (c) => c.notNull())
        .addColumn('running', 'integer', (c) => c.notNull())
        .addColumn('success', 'integer', (c) => c.notNull())
        .addColumn('event_count', 'integer', (c) => c.notNull())
        .addColumn('captured_count', 'integer', (c) => c.notNull())
        .addColumn('errors', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('finished_at', 'bigint')
        .execute();
      await db.schema
        .createIndex('epcis_capture_jobs_party')
        .on('epcis_capture_jobs')
        .columns(['party_id', 'id'])
        .execute();
      // The custody entries logged before this migration have an EPCIS form too. Deriving it takes the projection
      // code of the day, which a frozen migration must not import, so the migration only leaves a note: the node
      // runs the backfill named here after migrating (app/write/backfills.ts), and removes the note when done.
      await db.schema
        .createTable('projection_backfills')
        .ifNotExists()
        .addColumn('name', 'text', (c) => c.primaryKey())
        .execute();
      const logged = await db.selectFrom('log_entries').select('idx').limit(1).executeTakeFirst();
      if (logged) {
        await db
          .insertInto('projection_backfills')
          .values({ name: 'epcis-derived' })
          .onConflict((oc) => oc.column('name').doNothing())
          .execute();
      }
    },
  };
}
