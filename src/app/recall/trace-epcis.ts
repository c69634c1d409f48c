import type { Actor } from '../../domain/access.ts';
import { mayAttempt } from '../../domain/access.ts';
import { inChunks, lotLinks } from '../../store/trace.ts';
import { forbid } from '../access/authorize.ts';
import type { Deps } from '../deps.ts';
import { QUERY_CONTEXT } from '../epcis/query.ts';
import type { TraceDirection } from './trace.ts';
import { resolveTraceStart } from './trace.ts';

type Rec = Record<string, unknown>;

/**
 * traceEpcis answers GET /v1/lots/{ref}/trace.epcis: the trace of the lots `ref` names (see resolveTraceStart) in
 * `direction`, as an EPCIS 2.0 EPCISDocument whose eventList holds every EPCIS event of every lot in the trace, in log
 * order: the events derived from our custody records (see src/epcis/custody-events.ts) and the events captured
 * through /epcis, each once (a captured event that became a custody fact stands for it). For regulators, customs and
 * auditors, as the trace itself.
 */
export async function traceEpcis(
  deps: Deps,
  actor: Actor,
  ref: string,
  direction: TraceDirection,
  field = 'id',
): Promise<Rec> {
  if (!mayAttempt(actor, 'lot.trace')) throw forbid('lot.trace');
  const start = await resolveTraceStart(deps.db, ref, field);
  const [forward, backward] = await Promise.all([
    direction === 'backward' ? null : lotLinks(deps.db, start.lotIds, 'forward'),
    direction === 'forward' ? null : lotLinks(deps.db, start.lotIds, 'backward'),
  ]);
  const lotIds = [...new Set([...start.lotIds, ...(forward?.depth.keys() ?? []), ...(backward?.depth.keys() ?? [])])];
  const rows = await inChunks(lotIds, (c) =>
    deps.db
      .selectFrom('epcisEvents')
      .innerJoin('epcisEventEpcs', 'epcisEventEpcs.eventId', 'epcisEvents.eventId')
      .select(['epcisEvents.eventId as eventId', 'epcisEvents.json as json', 'epcisEvents.logIndex as logIndex'])
      .where('epcisEventEpcs.kind', '=', 'lot')
      .where('epcisEventEpcs.value', 'in', c)
      .where('epcisEvents.supersededBy', 'is', null)
      .execute(),
  );
  const events = [...new Map(rows.map((r) => [r.eventId, r])).values()]
    .sort(
      (a, b) => Number(a.logIndex) - Number(b.logIndex) || (a.eventId < b.eventId ? -1 : a.eventId > b.eventId ? 1 : 0),
    )
    .map((r) => JSON.parse(r.json) as Rec);
  return {
    '@context': QUERY_CONTEXT,
    type: 'EPCISDocument',
    schemaVersion: '2.0',
    creationDate: new Date(deps.clock.now()).toISOString(),
    epcisBody: { eventList: events },
  };
}
