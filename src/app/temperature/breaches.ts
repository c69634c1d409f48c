import { sql } from 'kysely';
import type { Expression, ExpressionBuilder, Kysely, SqlBool } from 'kysely';
import type { Actor } from '../../domain/access.ts';
import { isRegulator, listScope, mayAttempt } from '../../domain/access.ts';
import type { Breach } from '../../domain/lot-status.ts';
import type { TemperatureBreach } from '../../domain/temperature.ts';
import { breachFact } from '../../domain/temperature.ts';
import { findLot } from '../../store/border.ts';
import type { Schema, TemperatureBreachRow } from '../../store/schema.ts';
import { breachLotIds, findBreach, lotsAtLocation, lotsOnVehicle, ruleLimit } from '../../store/temperature.ts';
import { AppError, invalid, notFound } from '../errors.ts';
import { forbid } from '../access/authorize.ts';
import type { Writer } from '../write/commit.ts';
import { commit } from '../write/commit.ts';
import type { Deps } from '../deps.ts';
import { newId } from '../write/ids.ts';
import { collectFacts, statusPatch } from '../border/lot-facts.ts';
import { iso } from '../access/paging.ts';
import type { RuleInForce } from './rules.ts';

/** MAX_BREACHES_PER_UPLOAD bounds the breaches one upload may open: more means a faulty logger, not a faulty truck. */
export const MAX_BREACHES_PER_UPLOAD = 500;
/** LOTS_PER_ENTRY keeps a breach's entry within a log entry's 64 KiB: further lots go in `temperature.breach.lots` entries. */
const LOTS_PER_ENTRY = 100;

const toBreach = (b: TemperatureBreachRow, lotIds: string[]) => ({
  id: b.id,
  uploadId: b.uploadId,
  subject: { kind: b.subjectKind, id: b.subjectId },
  uploaderPartyId: b.uploaderPartyId,
  region: b.region,
  startAt: iso(b.startAt),
  endAt: iso(b.endAt),
  minutes: Math.round((b.endAt - b.startAt) / 60_000),
  minCelsius: b.minCelsius,
  maxCelsius: b.maxCelsius,
  endReason: b.endReason,
  rule: JSON.parse(b.rule) as RuleInForce['rule'] & { tempClass: string; setBy: string },
  lotIds,
  status: b.status,
  closed: b.closedAt === null ? null : { byPartyId: b.closedByPartyId, at: iso(b.closedAt), comment: b.closeComment },
  createdAt: iso(b.createdAt),
  updatedAt: iso(b.updatedAt),
  logIndex: b.logIndex,
});
export type BreachView = ReturnType<typeof toBreach>;

type Upload = { id: string; subjectKind: string; subjectId: string; uploaderPartyId: string; region: string };

/**
 * affectedLots are the lots a breach of a subject concerns: the lot itself, those at the location at any time during
 * the breach (event times: including those that came late in it or have left since), or those on the vehicle then.
 */
async function affectedLots(w: Writer, upload: Upload, b: TemperatureBreach): Promise<string[]> {
  if (upload.subjectKind === 'lot') return [upload.subjectId];
  if (upload.subjectKind === 'location') return lotsAtLocation(w.trx, upload.subjectId, b.startAt, b.endAt);
  return lotsOnVehicle(w.trx, upload.subjectId, b.startAt, b.endAt);
}

/** statusesWith recomputes the status of each lot with `change` applied to its open breaches. */
async function statusesWith(w: Writer, lotIds: readonly string[], change: (open: readonly Breach[]) => Breach[]) {
  const out = [];
  for (const id of lotIds) {
    const lot = (await findLot(w.trx, id))!;
    const facts = await collectFacts(w.trx, lot);
    out.push(statusPatch(lot, { ...facts, openBreaches: change(facts.openBreaches ?? []) }, w.now));
  }
  return out;
}

const chunks = <T>(xs: readonly T[]): T[][] => {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += LOTS_PER_ENTRY) out.push(xs.slice(i, i + LOTS_PER_ENTRY));
  return out.length > 0 ? out : [[]];
};

/**
 * openBreach appends one breach found in an upload, with the rule in force copied into it, the lots it affects and
 * each lot's recomputed status (yellow, with the breach as a reason), in the caller's commit.
 */
export async function openBreach(
  w: Writer,
  actor: Actor,
  upload: Upload,
  b: TemperatureBreach,
  inForce: RuleInForce,
): Promise<BreachView> {
  const lotIds = await affectedLots(w, upload, b);
  const breach = {
    id: newId('tbr'),
    uploadId: upload.id,
    subjectKind: upload.subjectKind,
    subjectId: upload.subjectId,
    uploaderPartyId: upload.uploaderPartyId,
    region: upload.region,
    startAt: b.startAt,
    endAt: b.endAt,
    minCelsius: b.minCelsius,
    maxCelsius: b.maxCelsius,
    endReason: b.endReason,
    rule: { ...b.rule, tempClass: inForce.tempClass, setBy: inForce.setBy },
    status: 'open',
    closedByPartyId: null,
    closedAt: null,
    closeComment: null,
    createdAt: w.now,
    updatedAt: w.now,
  };
  const fact = breachFact({ ...breach, limitCelsius: b.rule.maxCelsius });
  for (const [i, group] of chunks(lotIds).entries()) {
    const breachLots = group.map((lotId) => ({ breachId: breach.id, lotId }));
    const lotStatuses = await statusesWith(w, group, (open) => [...open, fact]);
    await w.append(
      i === 0 ? 'temperature.breach.opened' : 'temperature.breach.lots',
      actor.partyId,
      i === 0 ? { breach, breachLots, lotStatuses } : { breachLots, lotStatuses },
    );
  }
  const row = (await findBreach(w.trx, breach.id))!;
  return toBreach(row, lotIds);
}

/** Arrival is goods of a lot coming into a place, or loaded on a vehicle, at an event time, as a custody fact records it. */
export interface Arrival {
  readonly lotId: string;
  readonly locationId?: string | null;
  readonly vehicleId?: string | null;
  readonly at: number;
}

/**
 * reachArrivals adds lots to the open breaches of the places they came into and the vehicles they were loaded on,
 * when a custody fact recorded after the breach puts them there during it (goods received, moved in, made or shipped
 * with an event time inside an already recorded breach), with each lot's recomputed status, in the caller's commit.
 * A lot a breach already lists is left alone; a closed breach was reviewed as it stood and is not reopened.
 */
export async function reachArrivals(w: Writer, partyId: string, arrivals: readonly Arrival[]): Promise<void> {
  const bySubject = new Map<string, { kind: 'location' | 'vehicle'; id: string; here: Arrival[] }>();
  for (const a of arrivals) {
    for (const [kind, id] of [
      ['location', a.locationId],
      ['vehicle', a.vehicleId],
    ] as const) {
      if (!id) continue;
      const k = `${kind} ${id}`;
      bySubject.set(k, { kind, id, here: [...(bySubject.get(k)?.here ?? []), a] });
    }
  }
  for (const { kind, id, here } of bySubject.values()) {
    const open = await w.trx
      .selectFrom('temperatureBreaches')
      .selectAll()
      .where('subjectKind', '=', kind)
      .where('subjectId', '=', id)
      .where('status', '=', 'open')
      .where('endAt', '>=', Math.min(...here.map((a) => a.at)))
      .orderBy('id')
      .execute();
    for (const b of open) {
      const present = new Set(
        kind === 'location'
          ? await lotsAtLocation(w.trx, id, b.startAt, b.endAt)
          : await lotsOnVehicle(w.trx, id, b.startAt, b.endAt),
      );
      const listed = new Set(await breachLotIds(w.trx, b.id));
      const added = [...new Set(here.map((a) => a.lotId))].filter((l) => present.has(l) && !listed.has(l)).sort();
      if (added.length === 0) continue;
      const fact = breachFact({ ...b, limitCelsius: ruleLimit(b) });
      for (const group of chunks(added)) {
        const breachLots = group.map((lotId) => ({ breachId: b.id, lotId }));
        const lotStatuses = await statusesWith(w, group, (o) => [...o, fact]);
        await w.append('temperature.breach.lots', partyId, { breachLots, lotStatuses });
      }
    }
  }
}

type Scope<T extends keyof Schema> = (eb: ExpressionBuilder<Schema, T>) => Expression<SqlBool>;
const everything = sql<SqlBool>`1 = 1`;

/**
 * breachScope restricts breaches to those the actor may see: the national level sees all; a regulator or auditor
 * those of its region or affecting a lot of its region; anyone the breaches it uploaded, those of its own locations
 * and vehicles, and those affecting a lot it holds or held.
 */
export function breachScope(actor: Actor): Scope<'temperatureBreaches'> {
  const scope = listScope(actor);
  const me = actor.partyId;
  return (eb) => {
    if (scope.kind === 'all') return everything;
    const lots = eb
      .selectFrom('temperatureBreachLots as bl')
      .select('bl.lotId')
      .whereRef('bl.breachId', '=', 'temperatureBreaches.id');
    if (scope.kind === 'region') {
      return eb.or([
        eb('temperatureBreaches.region', '=', scope.region),
        eb('temperatureBreaches.uploaderPartyId', '=', me),
        eb.exists(lots.innerJoin('lots', 'lots.id', 'bl.lotId').where('lots.region', '=', scope.region)),
      ]);
    }
    return eb.or([
      eb('temperatureBreaches.uploaderPartyId', '=', me),
      eb.exists(lots.innerJoin('holdings as h', 'h.lotId', 'bl.lotId').where('h.partyId', '=', me)),
      eb.and([
        eb('temperatureBreaches.subjectKind', '=', 'location'),
        eb(
          'temperatureBreaches.subjectId',
          'in',
          eb.selectFrom('locations').select('id').where('ownerPartyId', '=', me),
        ),
      ]),
      eb.and([
        eb('temperatureBreaches.subjectKind', '=', 'vehicle'),
        eb(
          'temperatureBreaches.subjectId',
          'in',
          eb.selectFrom('vehicles').select('id').where('carrierPartyId', '=', me),
        ),
      ]),
    ]);
  };
}

/** uploadScope restricts uploads as breachScope does breaches: an upload is seen by whoever may see its subject's data or one of its breaches. */
export function uploadScope(actor: Actor): Scope<'temperatureUploads'> {
  const scope = listScope(actor);
  const me = actor.partyId;
  return (eb) => {
    if (scope.kind === 'all') return everything;
    // An upload whose breaches affect a lot the actor holds or held.
    const held = eb
      .selectFrom('temperatureBreaches as tb')
      .innerJoin('temperatureBreachLots as bl', 'bl.breachId', 'tb.id')
      .innerJoin('holdings as h', 'h.lotId', 'bl.lotId')
      .select('tb.id')
      .whereRef('tb.uploadId', '=', 'temperatureUploads.id')
      .where('h.partyId', '=', me);
    if (scope.kind === 'region') {
      return eb.or([
        eb('temperatureUploads.region', '=', scope.region),
        eb('temperatureUploads.uploaderPartyId', '=', me),
      ]);
    }
    return eb.or([
      eb('temperatureUploads.uploaderPartyId', '=', me),
      eb.exists(held),
      eb.and([
        eb('temperatureUploads.subjectKind', '=', 'location'),
        eb(
          'temperatureUploads.subjectId',
          'in',
          eb.selectFrom('locations').select('id').where('ownerPartyId', '=', me),
        ),
      ]),
      eb.and([
        eb('temperatureUploads.subjectKind', '=', 'vehicle'),
        eb(
          'temperatureUploads.subjectId',
          'in',
          eb.selectFrom('vehicles').select('id').where('carrierPartyId', '=', me),
        ),
      ]),
    ]);
  };
}

/** breachesOfUpload lists an upload's breaches in time order. */
export async function breachesOfUpload(db: Kysely<Schema>, uploadId: string): Promise<BreachView[]> {
  const rows = await db
    .selectFrom('temperatureBreaches')
    .selectAll()
    .where('uploadId', '=', uploadId)
    .orderBy('startAt')
    .execute();
  return Promise.all(rows.map(async (b) => toBreach(b, await breachLotIds(db, b.id))));
}

/** getBreach returns a breach the actor may see. */
export async function getBreach(deps: Deps, actor: Actor, id: string) {
  const b = await deps.db
    .selectFrom('temperatureBreaches')
    .selectAll()
    .where('id', '=', id)
    .where(breachScope(actor))
    .executeTakeFirst();
  if (!b) throw notFound('NotFound', 'id', id);
  return toBreach(b, await breachLotIds(deps.db, b.id));
}

/** listBreaches lists the breaches the actor may see, newest first, optionally of one lot, subject or status. */
export async function listBreaches(
  deps: Deps,
  actor: Actor,
  q: {
    lotId?: string;
    status?: 'open' | 'closed';
    subjectKind?: string;
    subjectId?: string;
    limit?: number;
    cursor?: string;
  },
) {
  const limit = q.limit ?? 50;
  let query = deps.db
    .selectFrom('temperatureBreaches')
    .selectAll()
    .where(breachScope(actor))
    .orderBy('id', 'desc')
    .limit(limit + 1);
  if (q.lotId)
    query = query.where(
      'id',
      'in',
      deps.db.selectFrom('temperatureBreachLots').select('breachId').where('lotId', '=', q.lotId),
    );
  if (q.status) query = query.where('status', '=', q.status);
  if (q.subjectKind) query = query.where('subjectKind', '=', q.subjectKind);
  if (q.subjectId) query = query.where('subjectId', '=', q.subjectId);
  if (q.cursor) {
    const after = Buffer.from(q.cursor, 'base64url').toString('utf8');
    if (!/^tbr_[0-9A-Z]{26}$/.test(after)) throw invalid('cursor', 'is not a cursor this server gave');
    query = query.where('id', '<', after);
  }
  const rows = await query.execute();
  const kept = rows.slice(0, limit);
  const items = await Promise.all(kept.map(async (b) => toBreach(b, await breachLotIds(deps.db, b.id))));
  const last = kept[kept.length - 1];
  return { items, nextCursor: rows.length > limit && last ? Buffer.from(last.id).toString('base64url') : null };
}

/**
 * mayClose tells whether the actor may close the breach: a regulator of its region or of an affected lot's region (or
 * the national one), or a QA token of a holder: the party that uploaded it, owns its location, runs its vehicle, or
 * holds or held an affected lot. A holder's ordinary token is refused with the reason.
 */
async function mayClose(w: Writer, actor: Actor, b: TemperatureBreachRow, lotIds: readonly string[]): Promise<void> {
  const lotRegions = await Promise.all(lotIds.map(async (id) => (await findLot(w.trx, id))!.region));
  if (isRegulator(actor) && (actor.national || b.region === actor.region || lotRegions.includes(actor.region))) return;
  const me = actor.partyId;
  const owns =
    b.uploaderPartyId === me ||
    (b.subjectKind === 'location' &&
      (await w.trx
        .selectFrom('locations')
        .select('id')
        .where('id', '=', b.subjectId)
        .where('ownerPartyId', '=', me)
        .executeTakeFirst()) !== undefined) ||
    (b.subjectKind === 'vehicle' &&
      (await w.trx
        .selectFrom('vehicles')
        .select('id')
        .where('id', '=', b.subjectId)
        .where('carrierPartyId', '=', me)
        .executeTakeFirst()) !== undefined) ||
    (lotIds.length > 0 &&
      (await w.trx
        .selectFrom('holdings')
        .select('id')
        .where('lotId', 'in', lotIds)
        .where('partyId', '=', me)
        .executeTakeFirst()) !== undefined);
  if (owns && actor.qa === true) return;
  throw new AppError('Forbidden', {
    action: 'breach.close',
    reason: owns
      ? 'closing a breach needs a regulator or your quality assurance (QA) token; this token is not a QA token'
      : 'only a regulator of the region or the QA of a holder of the goods may close this breach',
  });
}

/**
 * closeBreach closes an open breach after review, keeping who closed it, when and their comment, and recomputes the
 * status of every lot it affects in the same entry (green again when nothing else is wrong). Closing a closed breach
 * is a 409.
 */
export async function closeBreach(deps: Deps, actor: Actor, id: string, comment: string) {
  if (!mayAttempt(actor, 'breach.close')) throw forbid('breach.close');
  const text = comment.trim();
  if (text.length === 0) throw invalid('comment', 'must say what was reviewed and decided');
  if (text.length > 2000) throw invalid('comment', 'must be at most 2000 characters');
  return commit(deps, undefined, async (w) => {
    const b = await w.trx
      .selectFrom('temperatureBreaches')
      .selectAll()
      .where('id', '=', id)
      .where(breachScope(actor))
      .executeTakeFirst();
    if (!b) throw notFound('NotFound', 'id', id);
    const lotIds = await breachLotIds(w.trx, b.id);
    await mayClose(w, actor, b, lotIds);
    if (b.status !== 'open')
      throw new AppError('Conflict', { field: 'id', reason: `this breach was already closed at ${iso(b.closedAt)}` });
    const { logIndex: _, ...prior } = b;
    const breach = {
      ...prior,
      rule: JSON.parse(b.rule) as unknown,
      status: 'closed',
      closedByPartyId: actor.partyId,
      closedAt: w.now,
      closeComment: text,
      updatedAt: w.now,
    };
    let logIndex = -1;
    for (const [i, group] of chunks(lotIds).entries()) {
      const lotStatuses = await statusesWith(w, group, (open) => open.filter((o) => o.id !== b.id));
      const index = await w.append(
        i === 0 ? 'temperature.breach.closed' : 'temperature.breach.lots',
        actor.partyId,
        i === 0 ? { breach, lotStatuses } : { lotStatuses },
      );
      if (i === 0) logIndex = index;
    }
    return { ...toBreach((await findBreach(w.trx, id))!, lotIds), logIndex };
  });
}
