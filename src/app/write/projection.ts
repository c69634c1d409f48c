import type { RowWrite } from '../../store/rows.ts';
import type { ProjectedTable } from '../../store/schema.ts';
import type { Entry, EntryType } from './entry.ts';
import { temperatureRows } from '../temperature/projection.ts';
import { capturedRows, derivedRows } from '../epcis/rows.ts';
import { presenceMoves } from '../../domain/presence.ts';

type Rec = Readonly<Record<string, unknown>>;

const snapshot =
  (table: ProjectedTable, toRow: (r: Rec) => Record<string, unknown> = (r) => ({ ...r })) =>
  (r: Rec, index: number): RowWrite[] => [{ table, row: { ...toRow(r), logIndex: index } }];

const partyRow = (r: Rec) => ({ ...r, roles: JSON.stringify(r.roles) });
const tokenRow = (r: Rec) => ({
  ...r,
  tokenHash: Buffer.from(String(r.tokenHash), 'hex'),
  ...(r.qa === undefined ? {} : { qa: r.qa ? 1 : 0 }),
});
// A lot's reason lists are JSON columns; peerReasons only where the entry carries them (app/recognition).
const lotRow = (r: Rec) => ({
  ...r,
  statusReasons: JSON.stringify(r.statusReasons),
  ...(r.peerReasons === undefined ? {} : { peerReasons: JSON.stringify(r.peerReasons) }),
});
const vehicleRow = (r: Rec) => ({ ...r, refrigerated: r.refrigerated ? 1 : 0 });
const workerRow = (r: Rec) => {
  const { idNumber, ...rest } = r as Rec & { idNumber: { commitment: string; ref: string } };
  return { ...rest, idCommitment: idNumber.commitment, personalRef: idNumber.ref };
};
const settingRow = (r: Rec) => ({ ...r, value: JSON.stringify(r.value) });
const epcisQueryRow = (r: Rec) => ({ ...r, query: JSON.stringify(r.query) });
const epcisSubscriptionRow = (r: Rec) => ({
  ...r,
  stream: r.stream ? 1 : 0,
  reportIfEmpty: r.reportIfEmpty ? 1 : 0,
  schedule: r.schedule === null ? null : JSON.stringify(r.schedule),
});
const webhookRow = (r: Rec) => ({ ...r, kinds: r.kinds === null ? null : JSON.stringify(r.kinds) });

/**
 * PARTS maps the named parts of a border or custody record to the table each part is a row of. A
 * part is the whole row, except `lotStatus`, which patches a lot's status columns.
 */
const PARTS: Readonly<
  Record<string, { table: ProjectedTable; patch?: true; toRow?: (r: Rec) => Record<string, unknown> }>
> = {
  lot: { table: 'lots', toRow: lotRow },
  lotStatus: { table: 'lots', patch: true, toRow: lotRow },
  document: { table: 'documents' },
  suspension: { table: 'suspensions' },
  booking: { table: 'bookings' },
  disinfection: { table: 'disinfections' },
  sample: { table: 'samples' },
  exitCertificate: { table: 'exitCertificates' },
  cartonRange: { table: 'cartonRanges' },
  // A movement carries the new state of every holding it changes, as a list.
  // A sale handed over at the seller's has no vehicle or driver (null in the log); the columns keep ''.
  shipment: {
    table: 'shipments',
    toRow: (r) => ({
      ...r,
      vehicleId: r.vehicleId ?? '',
      driverWorkerId: r.driverWorkerId ?? '',
      handlerWorkerIds: JSON.stringify(r.handlerWorkerIds),
      flags: JSON.stringify(r.flags),
    }),
  },
  incident: {
    table: 'incidents',
    toRow: (r) => ({
      ...r,
      trigger: JSON.stringify(r.trigger),
      scope: JSON.stringify(r.scope),
      regions: JSON.stringify(r.regions),
    }),
  },
  incidentAction: { table: 'incidentActions' },
  transformation: { table: 'transformations' },
  disposal: { table: 'disposals' },
  retailSale: { table: 'retailSales' },
  // Another platform registered here (app/platforms); its codes are a JSON column.
  platform: { table: 'platforms', toRow: (r) => ({ ...r, codes: JSON.stringify(r.codes) }) },
  // An acknowledgement is a row of its own: alerts never change once raised (see app/alerts.ts).
  alertAck: { table: 'alertAcks' },
};

/**
 * LIST_PARTS are the parts that carry a list of rows: a movement carries the new state of every holding it changes,
 * and an incident every lot it freezes (with each lot's status patch), every quantity a holder must account for and
 * every contact.
 */
const LIST_PARTS: Readonly<
  Record<string, { table: ProjectedTable; patch?: true; toRow?: (r: Rec) => Record<string, unknown> }>
> = {
  // A transformation carries the new lots it makes (before their holdings) and its input and output lots.
  // What a node recognises of its peers' directories, registers and lots (app/recognition), before any part naming
  // them (see PART_ORDER).
  recognisedParties: { table: 'parties', toRow: partyRow },
  recognisedProducers: { table: 'producers' },
  recognisedLots: { table: 'lots', toRow: lotRow },
  derivedLots: { table: 'lots', toRow: lotRow },
  transformationLots: { table: 'transformationLots' },
  holdings: { table: 'holdings' },
  incidentLots: { table: 'incidentLots' },
  incidentHoldings: { table: 'incidentHoldings' },
  incidentContacts: { table: 'incidentContacts', toRow: (r) => ({ ...r, lotIds: JSON.stringify(r.lotIds) }) },
  lotStatuses: { table: 'lots', patch: true, toRow: lotRow },
  // Any entry may raise alerts to parties, after the other parts (app/alerts.ts alertsPart).
  alerts: { table: 'alerts', toRow: (r) => ({ ...r, body: JSON.stringify(r.body) }) },
};

// Parts are written in PARTS order, then LIST_PARTS order, not in the record's key order: the log keeps keys sorted,
// and a row must come after the rows its foreign keys point at (a lot before its holdings, an incident before its lots).
// Recognised parties, producers and lots come first of all: the other parts may name them.
const RECOGNISED = ['recognisedParties', 'recognisedProducers', 'recognisedLots'];
const PART_ORDER = [
  ...RECOGNISED,
  ...Object.keys(PARTS),
  ...Object.keys(LIST_PARTS).filter((k) => !RECOGNISED.includes(k)),
];

const rowWrite = (
  part: { table: ProjectedTable; patch?: true; toRow?: (r: Rec) => Record<string, unknown> },
  value: Rec,
  index: number,
): RowWrite => {
  const row = { ...(part.toRow ? part.toRow(value) : value), logIndex: index };
  return part.patch ? { table: part.table, row, patch: true as const } : { table: part.table, row };
};

const parts = (r: Rec, index: number): RowWrite[] =>
  PART_ORDER.flatMap((name): RowWrite[] => {
    const value = r[name];
    if (value === null || value === undefined) return [];
    const list = LIST_PARTS[name];
    if (list) return (value as Rec[]).map((v) => rowWrite(list, v, index));
    return [rowWrite(PARTS[name]!, value as Rec, index)];
  });

/**
 * PROJECTIONS maps each entry type to the rows it writes. Every entry carries the whole new state of
 * what it touches, so a row is a pure function of the last entry that wrote it: the write path and
 * `coldtrace verify` both call rowsFor, and a row edited by hand cannot match.
 */
const PROJECTIONS: Readonly<Record<EntryType, (r: Rec, index: number) => RowWrite[]>> = {
  'party.created': snapshot('parties', partyRow),
  'party.updated': snapshot('parties', partyRow),
  'token.created': snapshot('tokens', tokenRow),
  'token.revoked': snapshot('tokens', tokenRow),
  'location.created': snapshot('locations'),
  'location.updated': snapshot('locations'),
  'vehicle.created': snapshot('vehicles', vehicleRow),
  'vehicle.updated': snapshot('vehicles', vehicleRow),
  'worker.created': snapshot('workers', workerRow),
  'worker.updated': snapshot('workers', workerRow),
  'worker.test.recorded': snapshot('workerTests'),
  'producer.created': snapshot('producers'),
  'producer.updated': snapshot('producers'),
  'setting.updated': snapshot('settings', settingRow),
  // An erasure changes only the erasable personal-data table, which is not a projection.
  'personal.erased': () => [],
  'lot.declared': parts,
  'document.attached': parts,
  'suspension.recorded': parts,
  'booking.created': parts,
  'booking.arrived': parts,
  'disinfection.recorded': parts,
  'sample.taken': parts,
  'sample.resulted': parts,
  'exit.issued': parts,
  'cartons.issued': parts,
  'shipment.departed': parts,
  'shipment.received': parts,
  // Transfers and disposals are recorded in the log; their rows are the holdings they change.
  'holding.transferred': parts,
  // A disposal recorded before disposals had a table carries no id, and writes only its holdings.
  'holding.disposed': (r, index) =>
    parts((r.disposal as Rec | undefined)?.id === undefined ? { ...r, disposal: null } : r, index),
  // An upload's raw points are not projected: its record carries their hash (see temperature-projection.ts).
  'temperature.uploaded': temperatureRows,
  'temperature.breach.opened': temperatureRows,
  'temperature.breach.lots': temperatureRows,
  'temperature.breach.closed': temperatureRows,
  'lot.transformed': parts,
  'sale.handed_over': parts,
  'retail.sold': parts,
  // A captured EPCIS event; the EPCIS form of every custody entry is added in rowsFor (see epcis-rows.ts).
  'epcis.captured': capturedRows,
  'incident.opened': parts,
  'incident.extended': parts,
  'incident.action.recorded': parts,
  'incident.action.decided': parts,
  // A release carries the lot's incident row and status patch; its `release` part (the reason) stays in the log.
  'incident.lot.released': parts,
  'incident.closed': parts,
  // The statuses of lots made from lots whose status an earlier entry of the same write changed (see commit.ts).
  'lot.family.recomputed': parts,
  'notice.sent': parts,
  'alerts.raised': parts,
  'alert.acknowledged': parts,
  'webhook.created': snapshot('webhooks', webhookRow),
  'webhook.disabled': snapshot('webhooks', webhookRow),
  'peer.added': snapshot('peers'),
  'peer.removed': snapshot('peers'),
  // A fork is a fact on this node's log, with the alerts to its regulators; the evidence is in the record.
  'peer.forked': parts,
  'carrier.job.offered': snapshot('carrierJobs'),
  'carrier.job.accepted': snapshot('carrierJobs'),
  // Recognition (app/recognition): each entry names the peer's entry that caused it in its `source` part.
  'parties.recognised': parts,
  'shipment.recognised': parts,
  'shipment.receipt.recognised': parts,
  'lots.peer.updated': parts,
  'lot.recognised': parts,
  // Named queries and query subscriptions of the EPCIS REST binding (app/epcis/queries.ts, subscriptions.ts).
  'epcis.query.created': snapshot('epcisQueries', epcisQueryRow),
  'epcis.query.deleted': snapshot('epcisQueries', epcisQueryRow),
  'epcis.subscription.created': snapshot('epcisSubscriptions', epcisSubscriptionRow),
  'epcis.subscription.cancelled': snapshot('epcisSubscriptions', epcisSubscriptionRow),
  // Other platforms (app/platforms): what is learned from one names the document it came from in `source`.
  'platform.registered': parts,
  'platform.lot.recorded': parts,
  'platform.received': parts,
};

/** presenceRows projects the moves into and out of places that a custody entry stands for (domain/presence.ts). */
export const presenceRows = (entry: Entry, index: number): RowWrite[] =>
  presenceMoves(entry.type, entry.record).map((m, seq) => ({
    table: 'lotPresence',
    row: { logIndex: index, seq, ...m },
  }));

/** rowsFor returns the projected rows that entry (at log index) writes. Pure. */
export function rowsFor(entry: Entry, index: number): RowWrite[] {
  return [...PROJECTIONS[entry.type](entry.record, index), ...presenceRows(entry, index), ...derivedRows(entry, index)];
}
