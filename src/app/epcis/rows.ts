import { CUSTODY_CONTEXT, custodyEvent } from '../../epcis/custody-events.ts';
import { eventHashId } from '../../epcis/event-hash.ts';
import { canonicalId, cbvUri, eventIdentifiers } from '../../epcis/identifiers.ts';
import type { Entry } from '../write/entry.ts';
import type { RowWrite } from '../../store/rows.ts';

// The projection of EPCIS events: pure functions of an entry, called by rowsFor on the write path and by verify.

type Rec = Readonly<Record<string, unknown>>;

const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
const idOf = (v: unknown): string | null => {
  const id = str((v as Rec | null | undefined)?.id);
  return id === null ? null : canonicalId(id);
};

/** EventMeta is what a stored event's row needs besides the event itself. */
interface EventMeta {
  readonly hashId: string;
  readonly recordTime: number;
  readonly partyId: string | null;
  readonly source: 'capture' | 'custody';
  readonly lotIds: readonly string[];
}

/** eventRows returns the epcis_events row of a stored event (with its eventID) and its identifier rows. */
function eventRows(event: Rec, meta: EventMeta, index: number): RowWrite[] {
  const eventId = String(event.eventID);
  const row = {
    eventId,
    hashId: meta.hashId,
    eventType: String(event.type),
    action: str(event.action),
    bizStep: str(event.bizStep) && cbvUri('BizStep', str(event.bizStep)!),
    disposition: str(event.disposition) && cbvUri('Disp', str(event.disposition)!),
    readPoint: idOf(event.readPoint),
    bizLocation: idOf(event.bizLocation),
    eventTime: Date.parse(String(event.eventTime)),
    recordTime: meta.recordTime,
    parentId: str(event.parentID) && canonicalId(str(event.parentID)!),
    partyId: meta.partyId,
    source: meta.source,
    supersededBy: null,
    json: JSON.stringify(event),
    logIndex: index,
  };
  const ids = [...eventIdentifiers(event), ...meta.lotIds.map((value) => ({ kind: 'lot', value }))];
  return [
    { table: 'epcisEvents', row },
    ...[...new Map(ids.map((i) => [`${i.kind} ${i.value}`, i])).values()].map((i) => ({
      table: 'epcisEventEpcs' as const,
      row: { eventId, ...i, logIndex: index },
    })),
  ];
}

/**
 * capturedRows projects an `epcis.captured` entry: the event as captured (with its eventID and recordTime), its
 * identifiers and the lots it concerns, and the derived events it stands for (the custody facts it became), which
 * it marks as superseded so that each fact is served once.
 */
export function capturedRows(r: Rec, index: number): RowWrite[] {
  const event = r.event as Rec;
  const rows = eventRows(
    event,
    {
      hashId: String(r.hashId),
      recordTime: Number(r.recordTime),
      partyId: str(r.partyId),
      source: 'capture',
      lotIds: Array.isArray(r.lots) ? (r.lots as string[]) : [],
    },
    index,
  );
  const supersedes = Array.isArray(r.supersedes) ? (r.supersedes as string[]) : [];
  return [
    ...rows,
    ...supersedes.map((eventId) => ({
      table: 'epcisEvents' as const,
      row: { eventId, supersededBy: String(event.eventID) },
      patch: true as const,
    })),
  ];
}

/**
 * derivedEvent returns the EPCIS event a custody entry stands for, complete with its eventID (its own event hash ID)
 * and recordTime (the entry's time), or null when the entry has no EPCIS form.
 */
export function derivedEvent(entry: Entry, index: number) {
  const derived = custodyEvent(entry.type, entry.record, index);
  if (!derived) return null;
  const hashId = eventHashId(derived.event, { context: CUSTODY_CONTEXT as never });
  const event = { ...derived.event, eventID: hashId, recordTime: new Date(entry.time).toISOString() };
  return { ...derived, event, hashId };
}

/** derivedRows projects the EPCIS form of a custody entry (none for other entries). */
export function derivedRows(entry: Entry, index: number): RowWrite[] {
  const d = derivedEvent(entry, index);
  if (!d) return [];
  return eventRows(
    d.event,
    { hashId: d.hashId, recordTime: entry.time, partyId: d.partyId, source: 'custody', lotIds: d.lotIds },
    index,
  );
}
