import type { Generated } from 'kysely';

// Schema is the database as Kysely sees it, camelCase (CamelCasePlugin maps to snake_case columns).
// Times are epoch ms, booleans are 0/1, lists are JSON text, hashes and log entries are bytes.

export interface PartyRow {
  id: string;
  uscc: string;
  nameZh: string | null;
  nameEn: string | null;
  roles: string;
  region: string;
  level: string | null;
  createdAt: number;
  updatedAt: number;
  logIndex: number;
}

export interface TokenRow {
  id: string;
  partyId: string;
  tokenHash: Buffer;
  label: string | null;
  createdAt: number;
  revokedAt: number | null;
  logIndex: number;
}

export interface LocationRow {
  id: string;
  ownerPartyId: string;
  filingNo: string;
  name: string;
  address: string;
  region: string;
  kind: string;
  tempClass: string;
  createdAt: number;
  updatedAt: number;
  logIndex: number;
}

export interface VehicleRow {
  id: string;
  plate: string;
  carrierPartyId: string;
  refrigerated: number;
  createdAt: number;
  updatedAt: number;
  logIndex: number;
}

export interface WorkerRow {
  id: string;
  employerPartyId: string;
  name: string;
  role: string;
  idCommitment: string;
  personalRef: string;
  createdAt: number;
  updatedAt: number;
  logIndex: number;
}

export interface WorkerTestRow {
  id: string;
  workerId: string;
  sampledAt: number;
  result: string;
  institution: string;
  createdAt: number;
  logIndex: number;
}

export interface ProducerRow {
  id: string;
  country: string;
  registrationNo: string;
  name: string;
  nameZh: string | null;
  createdAt: number;
  updatedAt: number;
  logIndex: number;
}

export interface SettingRow {
  key: string;
  value: string;
  updatedAt: number;
  logIndex: number;
}

export interface PersonalDataRow {
  id: string;
  kind: string;
  commitment: string;
  salt: Buffer | null;
  value: string | null;
  masked: string | null;
  createdAt: number;
  erasedAt: number | null;
}

export interface LogEntryRow {
  idx: number;
  leafHash: Buffer;
  data: Buffer;
}

export interface LogStateRow {
  id: number;
  size: number;
}

export interface LogCheckpointRow {
  size: number;
  root: Buffer;
  note: string;
  createdAt: number;
}

export interface LogTileRow {
  level: number;
  idx: number;
  width: number;
  data: Buffer;
}

export interface IdempotencyRow {
  partyId: string;
  key: string;
  fingerprint: string;
  status: number;
  body: string;
  createdAt: number;
}

export interface LotRow {
  id: string;
  code: string;
  importerPartyId: string;
  region: string;
  declarationNo: string;
  portOfEntry: string;
  arrivalDate: string;
  containerNo: string;
  billOfLading: string;
  productNameZh: string | null;
  productNameEn: string | null;
  category: string;
  hsCode: string;
  gtin: string | null;
  batchNo: string;
  originCountry: string;
  producerId: string;
  netGrams: number;
  cartons: number;
  productionDate: string;
  expiryDate: string;
  status: string;
  statusReasons: string;
  createdAt: number;
  updatedAt: number;
  logIndex: number;
}

export interface DocumentRow {
  id: string;
  lotId: string;
  kind: string;
  number: string;
  issuer: string;
  issuedOn: string;
  sha256: string;
  mediaType: string;
  sizeBytes: number;
  createdAt: number;
  logIndex: number;
}

export interface SuspensionRow {
  id: string;
  producerId: string;
  kind: string;
  startsAt: number;
  endsAt: number;
  reason: string;
  findingNumber: number | null;
  lotId: string | null;
  sampleId: string | null;
  createdAt: number;
  logIndex: number;
}

export interface BookingRow {
  id: string;
  lotId: string;
  ownerPartyId: string;
  warehousePartyId: string;
  locationId: string;
  vehicleId: string;
  driverWorkerId: string;
  destination: string;
  slotStart: number;
  slotEnd: number;
  arrivedAt: number | null;
  createdAt: number;
  updatedAt: number;
  logIndex: number;
}

export interface DisinfectionRow {
  id: string;
  lotId: string;
  warehousePartyId: string;
  agent: string;
  concentration: string;
  operatorWorkerId: string;
  performedAt: number;
  createdAt: number;
  logIndex: number;
}

export interface SampleRow {
  id: string;
  lotId: string;
  warehousePartyId: string;
  labPartyId: string;
  point: string;
  takenAt: number;
  result: string;
  ctValue: number | null;
  method: string | null;
  resultedAt: number | null;
  createdAt: number;
  updatedAt: number;
  logIndex: number;
}

export interface ExitCertificateRow {
  id: string;
  number: string;
  lotId: string;
  warehousePartyId: string;
  issuedAt: number;
  logIndex: number;
}

export interface CartonRangeRow {
  id: string;
  lotId: string;
  firstSerial: number;
  lastSerial: number;
  createdAt: number;
  logIndex: number;
}

export interface HoldingRow {
  id: string;
  lotId: string;
  partyId: string;
  locationId: string | null;
  grams: number;
  cartons: number;
  updatedAt: number;
  logIndex: number;
}

export interface ShipmentRow {
  id: string;
  lotId: string;
  fromPartyId: string;
  fromLocationId: string | null;
  toPartyId: string;
  toLocationId: string | null;
  grams: number;
  cartons: number;
  purpose: string;
  vehicleId: string;
  driverWorkerId: string;
  handlerWorkerIds: string;
  departedAt: number;
  referenceDoc: string | null;
  flags: string;
  status: string;
  receivedGrams: number | null;
  receivedCartons: number | null;
  receivedAt: number | null;
  createdAt: number;
  updatedAt: number;
  logIndex: number;
}

export interface Schema {
  parties: PartyRow;
  tokens: TokenRow;
  locations: LocationRow;
  vehicles: VehicleRow;
  workers: WorkerRow;
  workerTests: WorkerTestRow;
  producers: ProducerRow;
  settings: SettingRow;
  personalData: PersonalDataRow;
  logEntries: LogEntryRow;
  logState: LogStateRow;
  logCheckpoints: LogCheckpointRow;
  logTiles: LogTileRow;
  idempotencyKeys: IdempotencyRow;
  lots: LotRow;
  documents: DocumentRow;
  suspensions: SuspensionRow;
  bookings: BookingRow;
  disinfections: DisinfectionRow;
  samples: SampleRow;
  exitCertificates: ExitCertificateRow;
  cartonRanges: CartonRangeRow;
  holdings: HoldingRow;
  shipments: ShipmentRow;
}

/** ProjectedTable names the tables that are pure projections of the log, and so re-derivable by verify. */
export type ProjectedTable =
  | 'parties'
  | 'tokens'
  | 'locations'
  | 'vehicles'
  | 'workers'
  | 'workerTests'
  | 'producers'
  | 'settings'
  | 'lots'
  | 'documents'
  | 'suspensions'
  | 'bookings'
  | 'disinfections'
  | 'samples'
  | 'exitCertificates'
  | 'cartonRanges'
  | 'holdings'
  | 'shipments';

/** PROJECTED_KEYS gives each projected table's primary-key columns. */
export const PROJECTED_KEYS: Readonly<Record<ProjectedTable, readonly string[]>> = {
  parties: ['id'],
  tokens: ['id'],
  locations: ['id'],
  vehicles: ['id'],
  workers: ['id'],
  workerTests: ['id'],
  producers: ['id'],
  settings: ['key'],
  lots: ['id'],
  documents: ['id'],
  suspensions: ['id'],
  bookings: ['id'],
  disinfections: ['id'],
  samples: ['id'],
  exitCertificates: ['id'],
  cartonRanges: ['id'],
  holdings: ['id'],
  shipments: ['id'],
};

export type { Generated };
