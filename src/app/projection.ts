import type { ProjectedTable } from '../store/schema.ts';
import type { Entry, EntryType } from './entry.ts';

/**
 * RowWrite is one projected row keyed by its table's primary key: upserted whole, or (patch) some
 * columns of a row an earlier entry wrote.
 */
export interface RowWrite {
  readonly table: ProjectedTable;
  readonly row: Readonly<Record<string, unknown>>;
  readonly patch?: true;
}

type Rec = Readonly<Record<string, unknown>>;

const snapshot =
  (table: ProjectedTable, toRow: (r: Rec) => Record<string, unknown> = (r) => ({ ...r })) =>
  (r: Rec, index: number): RowWrite[] => [{ table, row: { ...toRow(r), logIndex: index } }];

const partyRow = (r: Rec) => ({ ...r, roles: JSON.stringify(r.roles) });
const tokenRow = (r: Rec) => ({ ...r, tokenHash: Buffer.from(String(r.tokenHash), 'hex') });
const vehicleRow = (r: Rec) => ({ ...r, refrigerated: r.refrigerated ? 1 : 0 });
const workerRow = (r: Rec) => {
  const { idNumber, ...rest } = r as Rec & { idNumber: { commitment: string; ref: string } };
  return { ...rest, idCommitment: idNumber.commitment, personalRef: idNumber.ref };
};
const settingRow = (r: Rec) => ({ ...r, value: JSON.stringify(r.value) });

/**
 * PARTS maps the named parts of a border or custody record to the table each part is a row of. A
 * part is the whole row, except `lotStatus`, which patches a lot's status columns.
 */
const PARTS: Readonly<Record<string, { table: ProjectedTable; patch?: true; toRow?: (r: Rec) => Record<string, unknown> }>> = {
  lot: { table: 'lots', toRow: (r) => ({ ...r, statusReasons: JSON.stringify(r.statusReasons) }) },
  lotStatus: { table: 'lots', patch: true, toRow: (r) => ({ ...r, statusReasons: JSON.stringify(r.statusReasons) }) },
  document: { table: 'documents' },
  suspension: { table: 'suspensions' },
  booking: { table: 'bookings' },
  disinfection: { table: 'disinfections' },
  sample: { table: 'samples' },
  exitCertificate: { table: 'exitCertificates' },
  cartonRange: { table: 'cartonRanges' },
  // A movement carries the new state of every holding it changes, as a list.
  shipment: { table: 'shipments', toRow: (r) => ({ ...r, handlerWorkerIds: JSON.stringify(r.handlerWorkerIds), flags: JSON.stringify(r.flags) }) },
};

// Parts are written in PARTS order (then holdings), not in the record's key order: the log keeps keys
// sorted, and a row must come after the rows its foreign keys point at (a lot before its holdings).
const PART_ORDER = [...Object.keys(PARTS), 'holdings'];

const parts = (r: Rec, index: number): RowWrite[] =>
  PART_ORDER.flatMap((name): RowWrite[] => {
    const value = r[name];
    if (value === null || value === undefined) return [];
    if (name === 'holdings' && Array.isArray(value)) {
      return value.map((h) => ({ table: 'holdings' as const, row: { ...(h as Rec), logIndex: index } }));
    }
    const part = PARTS[name]!;
    const row = { ...(part.toRow ? part.toRow(value as Rec) : (value as Rec)), logIndex: index };
    return [part.patch ? { table: part.table, row, patch: true as const } : { table: part.table, row }];
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
  'holding.disposed': parts,
};

/** rowsFor returns the projected rows that entry (at log index) writes. Pure. */
export function rowsFor(entry: Entry, index: number): RowWrite[] {
  return PROJECTIONS[entry.type](entry.record, index);
}
