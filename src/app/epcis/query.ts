import type { ExpressionBuilder, Kysely, SelectQueryBuilder } from 'kysely';
import { sql } from 'kysely';
import type { Actor } from '../../domain/access.ts';
import { listScope } from '../../domain/access.ts';
import { CT_NS, CT_PREFIX, EPCIS_CONTEXT, MATCH_KINDS, canonicalId, cbvUri, lotRef } from '../../epcis/identifiers.ts';
import type { Schema } from '../../store/schema.ts';
import { invalid, notFound } from '../errors.ts';
import type { Deps } from '../deps.ts';

type Rec = Record<string, unknown>;

/** LIST_PARAMS are the query parameters that take a list of values (pipe-separated, or the parameter repeated). */
export const LIST_PARAMS = [
  'eventType',
  'EQ_action',
  'EQ_bizStep',
  'EQ_disposition',
  'EQ_readPoint',
  'EQ_bizLocation',
  'EQ_eventID',
  ...Object.keys(MATCH_KINDS),
] as const;
/** TIME_PARAMS bound the event and record times (GE_ inclusive, LT_ exclusive). */
export const TIME_PARAMS = ['GE_eventTime', 'LT_eventTime', 'GE_recordTime', 'LT_recordTime'] as const;

export const DEFAULT_PER_PAGE = 30;
export const MAX_PER_PAGE = 1000;

/** EventQuery is a parsed and checked SimpleEventQuery. */
export interface EventQuery {
  readonly lists: Readonly<Partial<Record<(typeof LIST_PARAMS)[number], readonly string[]>>>;
  readonly times: Readonly<Partial<Record<(typeof TIME_PARAMS)[number], number>>>;
  readonly perPage: number;
  readonly after: readonly [number, string] | null;
}

const ACTIONS = ['ADD', 'OBSERVE', 'DELETE'];

/**
 * parseQuery checks the query parameters of GET /epcis/events; a bad one is ValidationFailed naming it. A list is
 * pipe-separated or repeated; a time is ISO 8601 with an offset (a '+' that arrived as a space is taken back).
 */
export function parseQuery(raw: Readonly<Record<string, unknown>>): EventQuery {
  const lists: Record<string, string[]> = {};
  for (const name of LIST_PARAMS) {
    const v = raw[name];
    if (v === undefined) continue;
    const values = (Array.isArray(v) ? v : [v]).flatMap((x) => String(x).split('|')).map((x) => x.trim());
    if (values.some((x) => x === '')) throw invalid(name, 'has an empty value');
    if (name === 'EQ_action' && values.some((x) => !ACTIONS.includes(x)))
      throw invalid(name, `must be ${ACTIONS.join(', ')}`);
    lists[name] = values;
  }
  const times: Record<string, number> = {};
  for (const name of TIME_PARAMS) {
    const v = raw[name];
    if (v === undefined) continue;
    const text = String(v).replace(/ (\d\d:?\d\d)$/, '+$1');
    const ms = /^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:?\d\d)$/i.test(text) ? Date.parse(text) : NaN;
    if (Number.isNaN(ms))
      throw invalid(name, 'must be an ISO 8601 date-time with an offset, e.g. 2026-11-25T08:00:00Z');
    times[name] = ms;
  }
  const perPage = raw.perPage === undefined ? DEFAULT_PER_PAGE : Number(raw.perPage);
  if (!Number.isInteger(perPage) || perPage < 1 || perPage > MAX_PER_PAGE)
    throw invalid('perPage', `must be an integer from 1 to ${MAX_PER_PAGE}`);
  return {
    lists,
    times,
    perPage,
    after: raw.nextPageToken === undefined ? null : pageToken(String(raw.nextPageToken)),
  };
}

function pageToken(token: string): readonly [number, string] {
  try {
    const v = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(v) && v.length === 2 && Number.isInteger(v[0]) && typeof v[1] === 'string')
      return [v[0] as number, v[1]];
  } catch {
    // fall through to the refusal
  }
  throw invalid('nextPageToken', 'is not a token this server gave');
}

type Q = SelectQueryBuilder<Schema, 'epcisEvents', Rec>;
type Eb = ExpressionBuilder<Schema, 'epcisEvents'>;

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/** patternPrefix turns an identifier ending in '*' (an EPC pattern) into the prefix its canonical matches start with. */
function patternPrefix(value: string): string {
  const probe = 'QQSENTINELQQ';
  const concrete = `${value.slice(0, -1).replace(/^urn:epc:idpat:/, 'urn:epc:id:')}${probe}`;
  const canonical = canonicalId(concrete);
  const at = canonical.indexOf(probe);
  return at >= 0 ? canonical.slice(0, at) : value.slice(0, -1);
}

async function lotIdsNamed(db: Kysely<Schema>, values: readonly string[], publicUrl: string): Promise<string[]> {
  const ids: string[] = [];
  for (const v of values) {
    const ref = lotRef(v, publicUrl);
    if (!ref) continue;
    let q = db.selectFrom('lots').select('id');
    q =
      ref.by === 'lgtin'
        ? q.where('gtin', '=', ref.gtin).where('batchNo', '=', ref.batch)
        : ref.by === 'code'
          ? q.where('code', '=', ref.code)
          : q.where('id', '=', ref.id);
    ids.push(...(await q.execute()).map((r) => r.id));
  }
  return ids;
}

/** scoped restricts events to what the actor may see: regulators and auditors see all; a business what it recorded, or what names a lot it declared, holds or held, or that is shipped to it. */
function scoped(q: Q, actor: Actor): Q {
  if (listScope(actor).kind !== 'own') return q;
  return q.where((eb: Eb) =>
    eb.or([
      eb('epcisEvents.partyId', '=', actor.partyId),
      eb.exists(
        eb
          .selectFrom('epcisEventEpcs as x')
          .select('x.eventId')
          .whereRef('x.eventId', '=', 'epcisEvents.eventId')
          .where('x.kind', '=', 'lot')
          .where((e2) =>
            e2.or([
              e2(
                'x.value',
                'in',
                e2.selectFrom('lots').select('lots.id').where('lots.importerPartyId', '=', actor.partyId),
              ),
              e2(
                'x.value',
                'in',
                e2.selectFrom('holdings').select('holdings.lotId').where('holdings.partyId', '=', actor.partyId),
              ),
              e2(
                'x.value',
                'in',
                e2.selectFrom('shipments').select('shipments.lotId').where('shipments.toPartyId', '=', actor.partyId),
              ),
            ]),
          ),
      ),
    ]),
  );
}

/** filtered selects the events of query that actor may see, reading through db (a transaction's own, when given). */
export async function filtered(deps: Deps, actor: Actor, query: EventQuery, db: Kysely<Schema> = deps.db): Promise<Q> {
  let q = db
    .selectFrom('epcisEvents')
    .select(['epcisEvents.eventId', 'epcisEvents.json', 'epcisEvents.logIndex'])
    .where('epcisEvents.supersededBy', 'is', null) as unknown as Q;
  const { lists: l, times: t } = query;
  const inList = (
    column: 'eventType' | 'action' | 'bizStep' | 'disposition' | 'readPoint' | 'bizLocation' | 'eventId',
    values: readonly string[] | undefined,
  ) => {
    if (values) q = q.where(`epcisEvents.${column}`, 'in', values);
  };
  inList('eventType', l.eventType);
  inList('action', l.EQ_action);
  inList(
    'bizStep',
    l.EQ_bizStep?.map((v) => cbvUri('BizStep', v)),
  );
  inList(
    'disposition',
    l.EQ_disposition?.map((v) => cbvUri('Disp', v)),
  );
  inList('readPoint', l.EQ_readPoint?.map(canonicalId));
  inList('bizLocation', l.EQ_bizLocation?.map(canonicalId));
  inList('eventId', l.EQ_eventID);
  if (t.GE_eventTime !== undefined) q = q.where('epcisEvents.eventTime', '>=', t.GE_eventTime);
  if (t.LT_eventTime !== undefined) q = q.where('epcisEvents.eventTime', '<', t.LT_eventTime);
  if (t.GE_recordTime !== undefined) q = q.where('epcisEvents.recordTime', '>=', t.GE_recordTime);
  if (t.LT_recordTime !== undefined) q = q.where('epcisEvents.recordTime', '<', t.LT_recordTime);
  for (const [param, kinds] of Object.entries(MATCH_KINDS)) {
    const values = l[param as keyof typeof l];
    if (!values) continue;
    const exact = values.filter((v) => !v.endsWith('*')).map(canonicalId);
    const prefixes = values.filter((v) => v.endsWith('*')).map(patternPrefix);
    const lots = await lotIdsNamed(db, values, deps.config.publicUrl);
    q = q.where((eb: Eb) =>
      eb.exists(
        eb
          .selectFrom('epcisEventEpcs as m')
          .select('m.eventId')
          .whereRef('m.eventId', '=', 'epcisEvents.eventId')
          .where((e2) => {
            const any = [
              ...(exact.length ? [e2.and([e2('m.kind', 'in', kinds), e2('m.value', 'in', exact)])] : []),
              ...prefixes.map((p) =>
                e2.and([
                  e2('m.kind', 'in', kinds),
                  sql<boolean>`${sql.ref('m.value')} like ${`${escapeLike(p)}%`} escape '\\'`,
                ]),
              ),
              ...(lots.length ? [e2.and([e2('m.kind', '=', 'lot'), e2('m.value', 'in', lots)])] : []),
            ];
            return any.length ? e2.or(any) : sql<boolean>`1 = 0`;
          }),
      ),
    );
  }
  return scoped(q, actor);
}

/** QUERY_CONTEXT is the @context of the query documents we serve: the EPCIS context plus our ct namespace. */
export const QUERY_CONTEXT = [EPCIS_CONTEXT, { [CT_PREFIX]: CT_NS }];

/** queryDocument wraps events as an EPCISQueryDocument (the SimpleEventQuery's results). */
export function queryDocument(events: readonly Rec[], now: number): Rec {
  return {
    '@context': QUERY_CONTEXT,
    type: 'EPCISQueryDocument',
    schemaVersion: '2.0',
    creationDate: new Date(now).toISOString(),
    epcisBody: { queryResults: { queryName: 'SimpleEventQuery', resultsBody: { eventList: events } } },
  };
}

/**
 * queryEvents runs a SimpleEventQuery for the actor: matching events in log order, perPage at a time, as an
 * EPCISQueryDocument, with the token of the next page (null on the last).
 */
export async function queryEvents(
  deps: Deps,
  actor: Actor,
  query: EventQuery,
): Promise<{ document: Rec; nextPageToken: string | null }> {
  let q = await filtered(deps, actor, query);
  if (query.after) {
    const [index, id] = query.after;
    q = q.where((eb: Eb) =>
      eb.or([
        eb('epcisEvents.logIndex', '>', index),
        eb.and([eb('epcisEvents.logIndex', '=', index), eb('epcisEvents.eventId', '>', id)]),
      ]),
    );
  }
  const rows = (await q
    .orderBy('epcisEvents.logIndex')
    .orderBy('epcisEvents.eventId')
    .limit(query.perPage + 1)
    .execute()) as unknown as { eventId: string; json: string; logIndex: number }[];
  const more = rows.length > query.perPage;
  const kept = more ? rows.slice(0, query.perPage) : rows;
  const last = kept[kept.length - 1];
  return {
    document: queryDocument(
      kept.map((r) => JSON.parse(r.json) as Rec),
      deps.clock.now(),
    ),
    nextPageToken:
      more && last ? Buffer.from(JSON.stringify([Number(last.logIndex), last.eventId])).toString('base64url') : null,
  };
}

/** getEvent returns one event the actor may see, by eventID, as an EPCISQueryDocument. */
export async function getEvent(deps: Deps, actor: Actor, eventId: string): Promise<Rec> {
  let q = deps.db
    .selectFrom('epcisEvents')
    .select(['epcisEvents.eventId', 'epcisEvents.json'])
    .where('epcisEvents.eventId', '=', eventId) as unknown as Q;
  q = scoped(q, actor);
  const row = (await q.executeTakeFirst()) as { json: string } | undefined;
  if (!row) throw notFound('NotFound', 'eventID', eventId);
  return queryDocument([JSON.parse(row.json) as Rec], deps.clock.now());
}
