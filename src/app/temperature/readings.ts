import type { Actor } from '../../domain/access.ts';
import { listScope } from '../../domain/access.ts';
import { findLot } from '../../store/border.ts';
import { findLocation, findVehicle } from '../../store/master.ts';
import type { Subject } from '../../store/temperature.ts';
import { invalid, notFound } from '../errors.ts';
import type { Deps } from '../deps.ts';
import { iso } from '../access/paging.ts';
import { uploadScope } from './breaches.ts';

/** Readings are points, not resources: a page holds up to MAX_READINGS_PAGE of them (default DEFAULT_READINGS_PAGE). */
export const DEFAULT_READINGS_PAGE = 500;
export const MAX_READINGS_PAGE = 5000;

/**
 * seesWholeSubject tells whether the actor may read every reading of a subject: the national level; a regulator or
 * auditor of the subject's region; the location's owner or the vehicle's carrier; a party that holds or held the lot.
 * Others see only the readings of uploads they may see (their own, and those whose breaches affect their goods).
 * Undefined when there is no such subject.
 */
async function seesWholeSubject(deps: Deps, actor: Actor, subject: Subject): Promise<boolean | undefined> {
  const scope = listScope(actor);
  const overseer = (region: string) => scope.kind === 'all' || (scope.kind === 'region' && scope.region === region);
  if (subject.kind === 'location') {
    const loc = await findLocation(deps.db, subject.id);
    return loc && (loc.ownerPartyId === actor.partyId || overseer(loc.region));
  }
  if (subject.kind === 'vehicle') {
    const v = await findVehicle(deps.db, subject.id);
    return v && (v.carrierPartyId === actor.partyId || overseer(v.region));
  }
  const lot = await findLot(deps.db, subject.id);
  if (!lot) return undefined;
  const held = await deps.db
    .selectFrom('holdings')
    .select('id')
    .where('lotId', '=', lot.id)
    .where('partyId', '=', actor.partyId)
    .executeTakeFirst();
  return held !== undefined || overseer(lot.region);
}

const cursorOf = (p: { at: number; uploadId: string; seq: number }) =>
  Buffer.from(`${p.at}~${p.uploadId}~${p.seq}`).toString('base64url');

function afterOf(cursor: string): { at: number; uploadId: string; seq: number } {
  const m = /^(\d{1,16})~(tpu_[0-9A-Z]{26})~(\d{1,9})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!m) throw invalid('cursor', 'is not a cursor this server gave');
  return { at: Number(m[1]), uploadId: m[2]!, seq: Number(m[3]) };
}

/**
 * listReadings serves the raw points of a subject in time order (ties by upload), exactly as they were uploaded,
 * from `from` (inclusive) to `to` (exclusive), a page at a time. A subject the actor may see nothing of is not found.
 */
export async function listReadings(
  deps: Deps,
  actor: Actor,
  q: { subject: Subject; from?: number; to?: number; limit?: number; cursor?: string },
) {
  const limit = q.limit ?? DEFAULT_READINGS_PAGE;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_READINGS_PAGE)
    throw invalid('limit', `must be an integer from 1 to ${MAX_READINGS_PAGE}`);
  if (q.from !== undefined && q.to !== undefined && q.to <= q.from) throw invalid('to', 'must be after from');
  const whole = await seesWholeSubject(deps, actor, q.subject);
  const visibleUploads = deps.db
    .selectFrom('temperatureUploads')
    .select('id')
    .where('subjectKind', '=', q.subject.kind)
    .where('subjectId', '=', q.subject.id)
    .where(uploadScope(actor));
  if (whole === undefined || (!whole && (await visibleUploads.executeTakeFirst()) === undefined)) {
    throw notFound('NotFound', 'subjectId', q.subject.id);
  }
  let query = deps.db
    .selectFrom('temperaturePoints')
    .select(['at', 'celsius', 'uploadId', 'seq'])
    .where('subjectKind', '=', q.subject.kind)
    .where('subjectId', '=', q.subject.id)
    .orderBy('at')
    .orderBy('uploadId')
    .orderBy('seq')
    .limit(limit + 1);
  if (!whole) query = query.where('uploadId', 'in', visibleUploads);
  if (q.from !== undefined) query = query.where('at', '>=', q.from);
  if (q.to !== undefined) query = query.where('at', '<', q.to);
  if (q.cursor) {
    const a = afterOf(q.cursor);
    query = query.where((eb) =>
      eb.or([
        eb('at', '>', a.at),
        eb.and([
          eb('at', '=', a.at),
          eb.or([eb('uploadId', '>', a.uploadId), eb.and([eb('uploadId', '=', a.uploadId), eb('seq', '>', a.seq)])]),
        ]),
      ]),
    );
  }
  const rows = await query.execute();
  const kept = rows.slice(0, limit);
  const last = kept[kept.length - 1];
  return {
    subject: q.subject,
    items: kept.map((p) => ({ at: iso(p.at), celsius: p.celsius, uploadId: p.uploadId })),
    nextCursor: rows.length > limit && last ? cursorOf(last) : null,
  };
}
