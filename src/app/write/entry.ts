import canonicalizeModule from 'canonicalize';
import { AppError } from '../errors.ts';

// canonicalize is CommonJS whose typings claim an ES default export; at runtime the default import is the function.
const canonicalize = canonicalizeModule as unknown as (input: unknown) => string | undefined;

/** ENTRY_TYPES lists every kind of log entry. A type never changes meaning once entries of it exist. */
export const ENTRY_TYPES = [
  'party.created',
  'party.updated',
  'token.created',
  'token.revoked',
  'location.created',
  'location.updated',
  'vehicle.created',
  'vehicle.updated',
  'worker.created',
  'worker.updated',
  'worker.test.recorded',
  'producer.created',
  'producer.updated',
  'setting.updated',
  'personal.erased',
  'lot.declared',
  'document.attached',
  'suspension.recorded',
  'booking.created',
  'booking.arrived',
  'disinfection.recorded',
  'sample.taken',
  'sample.resulted',
  'exit.issued',
  'cartons.issued',
  'shipment.departed',
  'shipment.received',
  'holding.transferred',
  'holding.disposed',
  'notice.sent',
  'alerts.raised',
  'alert.acknowledged',
  'webhook.created',
  'webhook.disabled',
  'epcis.captured',
  'temperature.uploaded',
  'temperature.breach.opened',
  'temperature.breach.lots',
  'temperature.breach.closed',
  'lot.transformed',
  'sale.handed_over',
  'retail.sold',
  'incident.opened',
  'incident.extended',
  'incident.action.recorded',
  'incident.action.decided',
  'incident.lot.released',
  'incident.closed',
  'peer.added',
  'peer.removed',
  'peer.forked',
  'lot.family.recomputed',
  'carrier.job.offered',
  'carrier.job.accepted',
  'parties.recognised',
  'shipment.recognised',
  'shipment.receipt.recognised',
  'lots.peer.updated',
  'lot.recognised',
  'epcis.query.created',
  'epcis.query.deleted',
  'epcis.subscription.created',
  'epcis.subscription.cancelled',
  'platform.registered',
  'platform.lot.recorded',
  'platform.received',
] as const;
export type EntryType = (typeof ENTRY_TYPES)[number];

/**
 * Entry is one log entry: the record, its type, the submitting party (null for the node itself) and
 * the time in epoch ms. Its bytes are the RFC 8785 canonical JSON of this object.
 */
export interface Entry {
  readonly v: 1;
  readonly type: EntryType;
  readonly party: string | null;
  readonly time: number;
  readonly record: Readonly<Record<string, unknown>>;
}

/** MAX_ENTRY_BYTES is the largest entry: entry bundles prefix each entry with a 16-bit length. */
export const MAX_ENTRY_BYTES = 65535;

/** encodeEntry returns the canonical bytes of e, or throws EntryTooLarge above MAX_ENTRY_BYTES. */
export function encodeEntry(e: Entry): Buffer {
  const text = canonicalize(e);
  if (text === undefined) throw new Error('encodeEntry: entry is not JSON');
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length > MAX_ENTRY_BYTES) {
    throw new AppError('EntryTooLarge', {
      reason: `the record is ${bytes.length} bytes; a log entry holds at most ${MAX_ENTRY_BYTES}`,
    });
  }
  return bytes;
}

/** decodeEntry parses entry bytes, checking the envelope's shape (not the record's). */
export function decodeEntry(bytes: Uint8Array): Entry {
  const e = JSON.parse(Buffer.from(bytes).toString('utf8')) as Partial<Entry>;
  if (
    e.v !== 1 ||
    typeof e.type !== 'string' ||
    !(ENTRY_TYPES as readonly string[]).includes(e.type) ||
    (e.party !== null && typeof e.party !== 'string') ||
    typeof e.time !== 'number' ||
    typeof e.record !== 'object' ||
    e.record === null
  ) {
    throw new Error('decodeEntry: not a coldtrace entry');
  }
  return e as Entry;
}
