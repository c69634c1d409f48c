import type { Actor } from '../../domain/access.ts';
import type { Deps } from '../deps.ts';
import type { EventQuery } from './query.ts';
import { filtered, queryDocument } from './query.ts';

/** Cursor is a place in the event stream: after log index `index` (and, at that index, after `eventId` if given). */
export interface Cursor {
  readonly index: number;
  readonly eventId: string | null;
}

/** streamStart is the cursor of events stored from now on: after the last event stored so far. */
export async function streamStart(deps: Deps): Promise<Cursor> {
  const row = await deps.db
    .selectFrom('epcisEvents')
    .select((eb) => eb.fn.max('logIndex').as('m'))
    .executeTakeFirst();
  return { index: row?.m === null || row?.m === undefined ? -1 : Number(row.m), eventId: null };
}

/**
 * eventsAfter returns the events of query that actor may see stored after cursor, in log order, at most limit, as an
 * EPCISQueryDocument (null when there are none), with the cursor after them. A WebSocket subscription polls it.
 */
export async function eventsAfter(
  deps: Deps,
  actor: Actor,
  query: EventQuery,
  cursor: Cursor,
  limit: number,
): Promise<{ document: Record<string, unknown> | null; cursor: Cursor }> {
  let q = await filtered(deps, actor, query);
  q = q.where((eb) =>
    cursor.eventId === null
      ? eb('epcisEvents.logIndex', '>', cursor.index)
      : eb.or([
          eb('epcisEvents.logIndex', '>', cursor.index),
          eb.and([eb('epcisEvents.logIndex', '=', cursor.index), eb('epcisEvents.eventId', '>', cursor.eventId)]),
        ]),
  );
  const rows = (await q
    .orderBy('epcisEvents.logIndex')
    .orderBy('epcisEvents.eventId')
    .limit(limit)
    .execute()) as unknown as { eventId: string; json: string; logIndex: number }[];
  const last = rows[rows.length - 1];
  if (!last) return { document: null, cursor };
  return {
    document: queryDocument(
      rows.map((r) => JSON.parse(r.json) as Record<string, unknown>),
      deps.clock.now(),
    ),
    cursor: { index: Number(last.logIndex), eventId: last.eventId },
  };
}
