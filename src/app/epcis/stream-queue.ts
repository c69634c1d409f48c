import type { Transaction } from 'kysely';
import type { Actor, Role } from '../../domain/access.ts';
import type { Schema } from '../../store/schema.ts';
import type { Deps } from '../deps.ts';
import { newId } from '../write/ids.ts';
import { canonicalId, cbvUri } from '../../epcis/identifiers.ts';
import { filtered, parseQuery } from './query.ts';

/** WrittenEvent is an EPCIS event row a transaction wrote (its epcis_events row: eventId, logIndex, columns). */
export type WrittenEvent = Readonly<Record<string, unknown>> & { readonly eventId: string; readonly logIndex: number };

// The query parameters that name a column of the event row, and the canonical form that column holds.
const COLUMN_PARAMS: readonly [string, string, (v: string) => string][] = [
  ['eventType', 'eventType', (v) => v],
  ['EQ_action', 'action', (v) => v],
  ['EQ_bizStep', 'bizStep', (v) => cbvUri('BizStep', v)],
  ['EQ_disposition', 'disposition', (v) => cbvUri('Disp', v)],
  ['EQ_readPoint', 'readPoint', canonicalId],
  ['EQ_bizLocation', 'bizLocation', canonicalId],
  ['EQ_eventID', 'eventId', (v) => v],
];

/**
 * mayMatch is the cheap first look: false when one of the query's column parameters rules the event out, as the SQL
 * of GET /epcis/events would; the rest (times, identifiers, access) is left to that SQL.
 */
function mayMatch(params: Readonly<Record<string, unknown>>, event: WrittenEvent): boolean {
  for (const [param, column, canonical] of COLUMN_PARAMS) {
    const v = params[param];
    if (v === undefined) continue;
    const values = (Array.isArray(v) ? (v as string[]) : [String(v)]).map(canonical);
    if (!values.includes(String(event[column]))) return false;
  }
  return true;
}

const IN_LIST = 500;

/**
 * actorOfParty is the actor a subscriber's party acts as: app/registry/parties.ts actorOf, which this module cannot
 * import (the registry writes through commit, and commit calls this module).
 */
export const actorOfParty = (p: { id: string; roles: string; region: string; level: string | null }): Actor => {
  const roles = JSON.parse(p.roles) as Role[];
  return { partyId: p.id, roles, region: p.region, national: roles.includes('regulator') && p.level === 'national' };
};

/**
 * queueStreamDeliveries queues, in trx, a pending delivery of every event the transaction wrote to every active
 * streaming subscription whose named query matches it and whose subscriber may see it (the access rules of GET
 * /epcis/events, read through trx so that the transaction's own rows count). commit calls it in the transaction that
 * wrote the events, so an event committed is an event queued, whatever happens next. A subscription whose column
 * parameters (eventType, EQ_bizStep, …) rule every written event out costs nothing more; the others are matched in
 * SQL, restricted to the events written. With no active streaming subscription it costs one small indexed read.
 */
export async function queueStreamDeliveries(
  deps: Deps,
  trx: Transaction<Schema>,
  events: readonly WrittenEvent[],
  now: number,
): Promise<void> {
  if (events.length === 0) return;
  const subs = await trx
    .selectFrom('epcisSubscriptions as s')
    .innerJoin('epcisQueries as q', 'q.name', 's.queryName')
    .innerJoin('parties as p', 'p.id', 's.partyId')
    .select(['s.id', 'q.query', 'p.id as partyId', 'p.roles', 'p.region', 'p.level'])
    .where('s.stream', '=', 1)
    .where('s.cancelledAt', 'is', null)
    .where('q.deletedAt', 'is', null)
    .execute();
  if (subs.length === 0) return;
  const logIndexOf = new Map(events.map((e) => [e.eventId, e.logIndex]));
  const rows: Schema['epcisDeliveries'][] = [];
  for (const s of subs) {
    const params = JSON.parse(s.query) as Record<string, unknown>;
    const ids = events.filter((e) => mayMatch(params, e)).map((e) => e.eventId);
    if (ids.length === 0) continue;
    const actor = actorOfParty({ id: s.partyId, roles: s.roles, region: s.region, level: s.level });
    const query = parseQuery(params);
    for (let i = 0; i < ids.length; i += IN_LIST) {
      const q = await filtered(deps, actor, query, trx);
      const matched = (await q.where('epcisEvents.eventId', 'in', ids.slice(i, i + IN_LIST)).execute()) as unknown as {
        eventId: string;
      }[];
      for (const m of matched)
        rows.push({
          id: newId('sdl'),
          subscriptionId: s.id,
          eventId: m.eventId,
          eventLogIndex: logIndexOf.get(m.eventId)!,
          status: 'pending',
          attempts: 0,
          nextAt: now,
          lastError: null,
          createdAt: now,
          updatedAt: now,
        });
    }
  }
  for (let i = 0; i < rows.length; i += IN_LIST)
    await trx
      .insertInto('epcisDeliveries')
      .values(rows.slice(i, i + IN_LIST))
      .execute();
}
