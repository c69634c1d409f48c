import type { Kysely, Migration } from 'kysely';

// Frozen in time: this migration uses Kysely<any> and never the app's current types.

/**
 * temperature creates temperature uploads, their raw points, breaches and the lots each breach affects, and gives
 * tokens a QA flag (a token that may close its party's breaches).
 *
 * temperature_points is not a projection: an upload of many thousands of points does not fit in a log entry, so the
 * upload's entry carries the SHA-256 of the points' canonical encoding and `coldtrace verify` checks the points
 * against it. Its subject columns repeat the upload's, so that readings of one vehicle, location or lot are one
 * index range.
 */
export function temperature(): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .alterTable('tokens')
        .addColumn('qa', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();

      await db.schema
        .createTable('temperature_uploads')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('subject_kind', 'text', (c) => c.notNull())
        .addColumn('subject_id', 'text', (c) => c.notNull())
        .addColumn('device_id', 'text')
        .addColumn('uploader_party_id', 'text', (c) => c.notNull().references('parties.id'))
        .addColumn('region', 'text', (c) => c.notNull())
        .addColumn('temp_class', 'text', (c) => c.notNull())
        .addColumn('source', 'text', (c) => c.notNull())
        .addColumn('count', 'integer', (c) => c.notNull())
        .addColumn('first_at', 'bigint', (c) => c.notNull())
        .addColumn('last_at', 'bigint', (c) => c.notNull())
        .addColumn('points_sha256', 'text', (c) => c.notNull())
        .addColumn('suspect_gaps', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('log_index', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('temperature_uploads_subject')
        .on('temperature_uploads')
        .columns(['subject_kind', 'subject_id', 'first_at'])
        .execute();
      await db.schema
        .createIndex('temperature_uploads_uploader')
        .on('temperature_uploads')
        .column('uploader_party_id')
        .execute();

      await db.schema
        .createTable('temperature_points')
        .addColumn('upload_id', 'text', (c) => c.notNull().references('temperature_uploads.id'))
        .addColumn('seq', 'integer', (c) => c.notNull())
        .addColumn('subject_kind', 'text', (c) => c.notNull())
        .addColumn('subject_id', 'text', (c) => c.notNull())
        .addColumn('at', 'bigint', (c) => c.notNull())
        .addColumn('celsius', 'double precision', (c) => c.notNull())
        .addPrimaryKeyConstraint('temperature_points_pk', ['upload_id', 'seq'])
        .execute();
      await db.schema
        .createIndex('temperature_points_subject')
        .on('temperature_points')
        .columns(['subject_kind', 'subject_id', 'at'])
        .execute();

      await db.schema
        .createTable('temperature_breaches')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('upload_id', 'text', (c) => c.notNull().references('temperature_uploads.id'))
        .addColumn('subject_kind', 'text', (c) => c.notNull())
        .addColumn('subject_id', 'text', (c) => c.notNull())
        .addColumn('uploader_party_id', 'text', (c) => c.notNull())
        .addColumn('region', 'text', (c) => c.notNull())
        .addColumn('start_at', 'bigint', (c) => c.notNull())
        .addColumn('end_at', 'bigint', (c) => c.notNull())
        .addColumn('min_celsius', 'double precision', (c) => c.notNull())
        .addColumn('max_celsius', 'double precision', (c) => c.notNull())
        .addColumn('end_reason', 'text', (c) => c.notNull())
        .addColumn('rule', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('closed_by_party_id', 'text')
        .addColumn('closed_at', 'bigint')
        .addColumn('close_comment', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addColumn('log_index', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('temperature_breaches_subject')
        .on('temperature_breaches')
        .columns(['subject_kind', 'subject_id'])
        .execute();

      await db.schema
        .createTable('temperature_breach_lots')
        .addColumn('breach_id', 'text', (c) => c.notNull().references('temperature_breaches.id'))
        .addColumn('lot_id', 'text', (c) => c.notNull().references('lots.id'))
        .addColumn('log_index', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('temperature_breach_lots_pk', ['breach_id', 'lot_id'])
        .execute();
      await db.schema
        .createIndex('temperature_breach_lots_lot')
        .on('temperature_breach_lots')
        .column('lot_id')
        .execute();
    },
  };
}
