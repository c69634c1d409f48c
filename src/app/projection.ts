import type { ProjectedTable } from '../store/schema.ts';
import type { Entry, EntryType } from './entry.ts';

/** RowWrite is one projected row to upsert, whole, keyed by its table's primary key. */
export interface RowWrite {
  readonly table: ProjectedTable;
  readonly row: Readonly<Record<string, unknown>>;
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
};

/** rowsFor returns the projected rows that entry (at log index) writes. Pure. */
export function rowsFor(entry: Entry, index: number): RowWrite[] {
  return PROJECTIONS[entry.type](entry.record, index);
}
