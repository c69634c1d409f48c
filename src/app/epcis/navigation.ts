import { sql } from 'kysely';
import type { Actor } from '../../domain/access.ts';
import { EPCIS_CONTEXT, MATCH_KINDS } from '../../epcis/identifiers.ts';
import { invalid } from '../errors.ts';
import type { Deps } from '../deps.ts';
import { filtered, parseQuery } from './query.ts';

// The navigation resources of the EPCIS REST binding: the event types, EPCs, business steps, business locations,
// read points and dispositions in the repository (each a Collection, paged), and the events of each.

/** RESOURCES maps each navigation resource to the column its members come from and the query parameter of its events. */
export const RESOURCES = {
  eventTypes: { column: null, param: 'eventType' },
  epcs: { column: null, param: 'MATCH_anyEPC' },
  bizSteps: { column: 'bizStep', param: 'EQ_bizStep' },
  bizLocations: { column: 'bizLocation', param: 'EQ_bizLocation' },
  readPoints: { column: 'readPoint', param: 'EQ_readPoint' },
  dispositions: { column: 'disposition', param: 'EQ_disposition' },
} as const;
export type Resource = keyof typeof RESOURCES;

/** EVENT_TYPES are the event types this repository stores: the five of EPCIS 2.0. */
export const EVENT_TYPES = [
  'ObjectEvent',
  'AggregationEvent',
  'TransactionEvent',
  'TransformationEvent',
  'AssociationEvent',
] as const;

const token = (v: string) => Buffer.from(v, 'utf8').toString('base64url');
const untoken = (t: string) => {
  const v = Buffer.from(t, 'base64url').toString('utf8');
  if (v === '' || token(v) !== t) throw invalid('nextPageToken', 'is not a token this server gave');
  return v;
};

/**
 * listMembers returns one page of a navigation resource as a Collection, in value order, with the token of the next
 * page (null on the last). Values come only from events the actor may see (the access rules of GET /epcis/events),
 * except the event types, which are the binding's fixed list.
 */
export async function listMembers(
  deps: Deps,
  actor: Actor,
  resource: Resource,
  perPage: number,
  nextPageToken: string | null,
): Promise<{ collection: Record<string, unknown>; nextPageToken: string | null }> {
  const after = nextPageToken === null ? null : untoken(nextPageToken);
  let values: string[];
  if (resource === 'eventTypes') {
    values = [...EVENT_TYPES]
      .sort()
      .filter((v) => after === null || v > after)
      .slice(0, perPage + 1);
  } else {
    const visible = (await filtered(deps, actor, parseQuery({}))).clearSelect().select('epcisEvents.eventId');
    const column = RESOURCES[resource].column;
    if (column === null) {
      let q = deps.db
        .selectFrom('epcisEventEpcs')
        .select('value')
        .distinct()
        .where('kind', 'in', MATCH_KINDS.MATCH_anyEPC!)
        .where('eventId', 'in', visible);
      if (after !== null) q = q.where('value', '>', after);
      values = (
        await q
          .orderBy('value')
          .limit(perPage + 1)
          .execute()
      ).map((r) => r.value);
    } else {
      let q = visible
        .clearSelect()
        .select(sql<string>`${sql.ref(`epcisEvents.${column}`)}`.as('value'))
        .distinct()
        .where(`epcisEvents.${column}`, 'is not', null);
      if (after !== null) q = q.where(`epcisEvents.${column}`, '>', after);
      const rows = (await q
        .orderBy(sql.ref('value'))
        .limit(perPage + 1)
        .execute()) as unknown as { value: string }[];
      values = rows.map((r) => r.value);
    }
  }
  const more = values.length > perPage;
  const member = values.slice(0, perPage);
  return {
    collection: { '@context': EPCIS_CONTEXT, type: 'Collection', member },
    nextPageToken: more ? token(member[member.length - 1]!) : null,
  };
}
