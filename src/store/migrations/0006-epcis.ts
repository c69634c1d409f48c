import type { Kysely, Migration } from 'kysely';

// Frozen in time: this migration uses Kysely<any> and never the app's current types.

/**
 * epcis creates the GS1 EPCIS 2.0 event store: epcis_events (one row per event, captured or derived from a
 * custody entry; a projection of the log), epcis_event_epcs (the identifiers each event names, for the MATCH_
 * query parameters; a projection too) and epcis_capture_jobs (the capture jobs of the REST binding; operational,
 * not projected).
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
      await backfill(db);
    },
  };
}

/**
 * backfill projects the EPCIS form of the custody entries a node logged before this migration, so that its
 * epcis_events are what `coldtrace verify` re-derives from the log. It replays the projection itself (derivedRows),
 * the one definition of those rows; a derived event's eventID is its own hash ID, so that code must never change
 * what it derives from an existing entry anyway.
 */
async function backfill(db: Kysely<any>) {
  const { decodeEntry } = await import('../../app/write/entry.ts');
  const { derivedRows } = await import('../../app/epcis/rows.ts');
  for (let from = 0; ; from += 2000) {
    const entries = await db
      .selectFrom('log_entries')
      .select(['idx', 'data'])
      .where('idx', '>=', from)
      .where('idx', '<', from + 2000)
      .orderBy('idx')
      .execute();
    if (entries.length === 0) break;
    for (const e of entries) {
      for (const w of derivedRows(decodeEntry(e.data as Uint8Array), Number(e.idx))) {
        await db
          .insertInto(w.table === 'epcisEvents' ? 'epcis_events' : 'epcis_event_epcs')
          .values(w.row)
          .execute();
      }
    }
  }
}
