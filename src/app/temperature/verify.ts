import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import { encodeReadings } from '../../domain/temperature.ts';
import type { Schema } from '../../store/schema.ts';
import { uploadPoints } from '../../store/temperature.ts';

const PAGE = 10_000;

/**
 * temperaturePointsProblem checks the raw points of every temperature upload against its record on the log: the
 * same number of points, numbered 0..count−1, of the upload's subject, whose canonical encoding (encodeReadings) has
 * the SHA-256 the entry committed to. The upload rows themselves are checked against the log with the other projected
 * rows, so a point edited, added or removed in the database is found here. Returns the first problem, naming the
 * upload and its entry, or null.
 */
export async function temperaturePointsProblem(db: Kysely<Schema>): Promise<string | null> {
  const uploads = await db
    .selectFrom('temperatureUploads')
    .select(['id', 'subjectKind', 'subjectId', 'count', 'pointsSha256', 'logIndex'])
    .orderBy('id')
    .execute();
  for (const u of uploads) {
    const hash = createHash('sha256');
    let seen = 0;
    for (;;) {
      const page = await uploadPoints(db, u.id, seen - 1, PAGE);
      for (const p of page) {
        if (p.seq !== seen)
          return `temperature upload ${u.id}: point ${seen} is missing (entry ${u.logIndex} logged ${u.count} points)`;
        if (p.subjectKind !== u.subjectKind || p.subjectId !== u.subjectId)
          return `temperature upload ${u.id}: point ${seen} is not of the upload's ${u.subjectKind} ${u.subjectId}`;
        hash.update(encodeReadings([{ at: Number(p.at), celsius: p.celsius }]));
        seen++;
      }
      if (page.length < PAGE) break;
    }
    if (seen !== u.count)
      return `temperature upload ${u.id}: ${seen} points are stored, but entry ${u.logIndex} logged ${u.count}`;
    if (hash.digest('hex') !== u.pointsSha256)
      return `temperature upload ${u.id}: its stored points do not match the SHA-256 in entry ${u.logIndex} (a point was changed)`;
  }
  const stray = await db
    .selectFrom('temperaturePoints')
    .select('uploadId')
    .where('uploadId', 'not in', db.selectFrom('temperatureUploads').select('id'))
    .limit(1)
    .executeTakeFirst();
  return stray ? `temperature points of upload ${stray.uploadId} are stored, but no entry logged that upload` : null;
}
