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
  /** homeOrigin is the log origin of the node whose directory the party is in; null for this node's own. */
  homeOrigin?: string | null;
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
  /** qa is 1 for a token of the party's quality assurance, which may close the party's temperature breaches. */
  qa: number;
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
  /** homeOrigin is the log origin of the node whose register the producer is in; null for this node's own. */
  homeOrigin?: string | null;
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
  /** origin is 'imported' (declared at the border) or 'derived' (made by a transformation). */
  origin: string;
  transformationId: string | null;
  /** homeOrigin is the log origin of the node where a recognised lot was declared or made; null for own lots. */
  homeOrigin?: string | null;
  /** peerReasons are the status reasons that peers' logs give the lot, each naming its origin (JSON). */
  peerReasons?: string;
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
  /** carrierPartyId is the carrier whose vehicle or driver the booking names, under an accepted carrier job; else null. */
  carrierPartyId: string | null;
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
  /** carrierPartyId is the carrier whose vehicle or crew the shipment names, under an accepted carrier job; else null. */
  carrierPartyId: string | null;
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
  /** mode is 'delivered' (by vehicle) or 'handover' (a sale collected at the seller's; vehicle and driver are ''). */
  mode: string;
  /** A shipment recognised from a peer's log: that log's origin, and the index and leaf hash of its entry. */
  homeOrigin?: string | null;
  homeIndex?: number | null;
  homeLeafHash?: string | null;
  createdAt: number;
  updatedAt: number;
  logIndex: number;
}

export interface TransformationRow {
  id: string;
  partyId: string;
  locationId: string | null;
  kind: string;
  at: number;
  lossGrams: number;
  referenceDoc: string | null;
  createdAt: number;
  logIndex: number;
}

export interface TransformationLotRow {
  transformationId: string;
  lotId: string;
  role: string;
  locationId: string | null;
  grams: number;
  cartons: number;
  logIndex: number;
}

export interface DisposalRow {
  id: string;
  lotId: string;
  partyId: string;
  locationId: string | null;
  grams: number;
  cartons: number;
  method: string;
  referenceDoc: string;
  at: number;
  createdAt: number;
  logIndex: number;
}

export interface RetailSaleRow {
  id: string;
  lotId: string;
  partyId: string;
  locationId: string | null;
  day: string;
  grams: number;
  cartons: number;
  soldAt: number;
  buyerRef: string | null;
  buyerCommitment: string | null;
  createdAt: number;
  logIndex: number;
}

export interface IncidentRow {
  id: string;
  number: number;
  title: string;
  triggerKind: string;
  trigger: string;
  scope: string;
  windowFrom: number;
  windowTo: number;
  status: string;
  regions: string;
  openedBy: string | null;
  openedAt: number;
  closedBy: string | null;
  closedAt: number | null;
  closeReason: string | null;
  /** An incident that follows one on a peer's log names the incident it all started from; else null. */
  rootOrigin?: string | null;
  rootIncidentId?: string | null;
  updatedAt: number;
  logIndex: number;
}

export interface IncidentLotRow {
  incidentId: string;
  lotId: string;
  reason: string;
  depth: number;
  clearedAt: number | null;
  clearedBy: string | null;
  logIndex: number;
}

export interface IncidentHoldingRow {
  incidentId: string;
  holdingId: string;
  lotId: string;
  partyId: string;
  locationId: string | null;
  region: string;
  grams: number;
  cartons: number;
  inTransit: number;
  logIndex: number;
}

export interface IncidentActionRow {
  id: string;
  incidentId: string;
  holdingId: string;
  lotId: string;
  partyId: string;
  locationId: string | null;
  action: string;
  grams: number;
  cartons: number;
  referenceDoc: string | null;
  note: string | null;
  at: number;
  status: string;
  recordedBy: string;
  decidedBy: string | null;
  decidedAt: number | null;
  decisionNote: string | null;
  createdAt: number;
  updatedAt: number;
  logIndex: number;
}

export interface IncidentContactRow {
  incidentId: string;
  kind: string;
  refId: string;
  label: string;
  partyId: string | null;
  firstAt: number;
  lastAt: number;
  lotIds: string;
  logIndex: number;
}

export interface TemperatureUploadRow {
  id: string;
  subjectKind: string;
  subjectId: string;
  deviceId: string | null;
  uploaderPartyId: string;
  region: string;
  tempClass: string;
  source: string;
  count: number;
  firstAt: number;
  lastAt: number;
  pointsSha256: string;
  suspectGaps: string;
  createdAt: number;
  logIndex: number;
}

/** TemperaturePointRow is one raw reading of an upload; not a projection (see migrations/0005-temperature.ts). */
export interface TemperaturePointRow {
  uploadId: string;
  seq: number;
  subjectKind: string;
  subjectId: string;
  at: number;
  celsius: number;
}

export interface TemperatureBreachRow {
  id: string;
  uploadId: string;
  subjectKind: string;
  subjectId: string;
  uploaderPartyId: string;
  region: string;
  startAt: number;
  endAt: number;
  minCelsius: number;
  maxCelsius: number;
  endReason: string;
  rule: string;
  status: string;
  closedByPartyId: string | null;
  closedAt: number | null;
  closeComment: string | null;
  createdAt: number;
  updatedAt: number;
  logIndex: number;
}

export interface TemperatureBreachLotRow {
  breachId: string;
  lotId: string;
  logIndex: number;
}

/** EpcisEventRow is one EPCIS 2.0 event, captured or derived from a custody entry (a projection of the log). */
export interface EpcisEventRow {
  eventId: string;
  hashId: string;
  eventType: string;
  action: string | null;
  bizStep: string | null;
  disposition: string | null;
  readPoint: string | null;
  bizLocation: string | null;
  eventTime: number;
  recordTime: number;
  parentId: string | null;
  partyId: string | null;
  /** source is 'capture' (posted to /epcis) or 'custody' (derived from a /v1 write). */
  source: string;
  /** supersededBy is the captured event that stands for this derived one (the same fact, as it was sent). */
  supersededBy: string | null;
  json: string;
  logIndex: number;
}

/** EpcisEventEpcRow is one identifier an EPCIS event names, canonicalised, for the MATCH_ query parameters. */
export interface EpcisEventEpcRow {
  eventId: string;
  /** kind is epc, child, parent, input, output, class, childClass, inputClass, outputClass, or lot (our lot id). */
  kind: string;
  value: string;
  logIndex: number;
}

/** EpcisQueryRow is a named query of the EPCIS REST binding: its query parameters as JSON (a projection of the log). */
export interface EpcisQueryRow {
  name: string;
  partyId: string;
  query: string;
  createdAt: number;
  deletedAt: number | null;
  logIndex: number;
}

/** EpcisSubscriptionRow is a webhook subscription to a named query; the signature token is only committed to. */
export interface EpcisSubscriptionRow {
  id: string;
  queryName: string;
  partyId: string;
  dest: string;
  stream: number;
  schedule: string | null;
  reportIfEmpty: number;
  tokenSha256: string | null;
  createdAt: number;
  cancelledAt: number | null;
  logIndex: number;
}

/** EpcisSubscriptionSecretRow keeps a subscription's signature token; not a projection. */
export interface EpcisSubscriptionSecretRow {
  subscriptionId: string;
  token: string;
}

/** EpcisScheduleStateRow is when a scheduled subscription last ran; operational. */
export interface EpcisScheduleStateRow {
  subscriptionId: string;
  lastRunAt: number;
}

/** EpcisDeliveryRow is one event queued for one streaming subscription; operational, written with the event. */
export interface EpcisDeliveryRow {
  id: string;
  subscriptionId: string;
  eventId: string;
  eventLogIndex: number;
  /** status is pending, delivered or failed. */
  status: string;
  attempts: number;
  nextAt: number | null;
  lastError: string | null;
  createdAt: number;
  updatedAt: number;
}

/** EpcisCaptureJobRow is a capture job of the EPCIS REST binding; operational, not a projection. */
export interface EpcisCaptureJobRow {
  id: string;
  partyId: string;
  behaviour: string;
  running: number;
  success: number;
  eventCount: number;
  capturedCount: number;
  errors: string;
  createdAt: number;
  finishedAt: number | null;
}

/** AlertRow is one alert in a party's inbox; body is JSON text. Immutable: acknowledgements are AlertAckRows. */
export interface AlertRow {
  id: string;
  partyId: string;
  kind: string;
  severity: string;
  titleZh: string | null;
  titleEn: string | null;
  body: string;
  createdAt: number;
  logIndex: number;
}

export interface AlertAckRow {
  alertId: string;
  partyId: string;
  acknowledgedAt: number;
  acknowledgedBy: string;
  note: string | null;
  logIndex: number;
}

/** WebhookRow is a webhook subscription; kinds is a JSON list or null for every kind; the secret is only committed to. */
export interface WebhookRow {
  id: string;
  partyId: string;
  url: string;
  kinds: string | null;
  secretSha256: string;
  createdAt: number;
  disabledAt: number | null;
  disabledReason: string | null;
  logIndex: number;
}

/** WebhookSecretRow keeps a webhook's signing secret; not a projection (see migrations/0007-alerts.ts). */
export interface WebhookSecretRow {
  webhookId: string;
  secret: string;
  createdAt: number;
}

/** AlertDeliveryRow is one alert queued for one webhook; operational, not a projection. */
export interface AlertDeliveryRow {
  id: string;
  alertId: string;
  webhookId: string;
  /** status is pending, delivered, failed or cancelled. */
  status: string;
  attempts: number;
  nextAt: number | null;
  claim: string | null;
  createdAt: number;
  updatedAt: number;
}

export interface DeliveryAttemptRow {
  deliveryId: string;
  attempt: number;
  webhookId: string;
  startedAt: number;
  durationMs: number;
  httpStatus: number | null;
  error: string | null;
  nextAt: number | null;
}

/** PeerRow is another node this node federates with; a projection of peer.added and peer.removed. */
export interface PeerRow {
  id: string;
  name: string;
  region: string | null;
  baseUrl: string;
  logOrigin: string;
  logVkey: string;
  witnessVkey: string | null;
  credentialSha256: string | null;
  addedBy: string;
  addedAt: number;
  removedAt: number | null;
  logIndex: number;
}

/** PlatformRow is another platform (not a coldtrace node) registered here, with the codes it issues (JSON). */
export interface PlatformRow {
  id: string;
  name: string;
  codes: string;
  queryUrl: string;
  credentialSha256: string | null;
  noticeUrl: string | null;
  /** partyId is the recognised party that stands for the platform as the source of its lots. */
  partyId: string;
  registeredAt: number;
  logIndex: number;
}

/** PlatformCredentialRow is the bearer token this node reads a platform with; kept outside the log. */
export interface PlatformCredentialRow {
  platformId: string;
  credential: string;
}

/** PlatformStateRow is how reading a platform goes: 'available' or 'unavailable' since a time; operational. */
export interface PlatformStateRow {
  platformId: string;
  state: string;
  since: number;
  lastFetchedAt: number | null;
  lastError: string | null;
  failures: number;
  /** refreshAfter is the id of the last lot the background pass re-read; the next pass goes on after it. */
  refreshAfter: string;
}

/** PlatformDeliveryRow is a notice queued for a platform's channel; operational. */
export interface PlatformDeliveryRow {
  id: string;
  platformId: string;
  lotId: string;
  reasonKey: string;
  body: string;
  status: string;
  attempts: number;
  nextAt: number;
  deliveredAt: number | null;
  lastError: string | null;
  createdAt: number;
}

/** PeerCredentialRow is the bearer token this node reads a peer's tiles with; kept outside the log. */
export interface PeerCredentialRow {
  peerId: string;
  credential: string;
}

/** WitnessCheckpointRow is what this node's witness last cosigned for an origin; operational. */
export interface WitnessCheckpointRow {
  origin: string;
  originHash: string;
  size: number;
  root: Uint8Array;
  note: string;
  updatedAt: number;
}

/** FederationEvidenceRow keeps a signed checkpoint that contradicts an earlier one, with both notes. */
export interface FederationEvidenceRow {
  id: string;
  origin: string;
  peerId: string | null;
  kind: string;
  reason: string;
  earlierNote: string | null;
  laterNote: string;
  recordedAt: number;
}

/** CheckpointCosignatureRow is a peer witness's cosignature line on this node's checkpoint of a size. */
export interface CheckpointCosignatureRow {
  size: number;
  witnessVkey: string;
  line: string;
  receivedAt: number;
}

/** WitnessSubmissionRow is the size a peer's witness last cosigned of this node's log. */
export interface WitnessSubmissionRow {
  peerId: string;
  size: number;
  updatedAt: number;
}

/** MirrorRow is this node's verified copy of a peer's log: size, checkpoint, and how following goes. */
export interface MirrorRow {
  origin: string;
  originHash: string;
  peerId: string;
  /** size is how many entries are stored: verified ones, then any fetched while catching up, not yet verified. */
  size: number;
  /** verifiedSize is the size of note, the peer's last checkpoint verified against the stored entries. */
  verifiedSize: number;
  root: Uint8Array | null;
  note: string | null;
  /** finalSize is the size of finalNote, the latest verified checkpoint whose cosignatures meet the node's policy. */
  finalSize: number;
  finalNote: string | null;
  /** state is following, lagging, unreachable or forked. */
  state: string;
  stateSince: number;
  peerSize: number | null;
  lastCheckedAt: number | null;
  lastError: string | null;
  failures: number;
  nextAttemptAt: number;
}

/** MirrorTileRow is a tile (level ≥ 0) or entry bundle (level -1) of a mirrored log, as the peer served it. */
export interface MirrorTileRow {
  origin: string;
  level: number;
  idx: number;
  width: number;
  data: Uint8Array;
}

/** LotPresenceRow is one move of a lot into or out of a place at its event time (see domain/presence.ts). */
export interface LotPresenceRow {
  logIndex: number;
  seq: number;
  lotId: string;
  partyId: string;
  locationId: string;
  direction: string;
  grams: number;
  cartons: number;
  at: number;
}

/** CarrierJobRow is a shipper's job for a carrier: offered by the shipper, then accepted by the carrier. */
export interface CarrierJobRow {
  id: string;
  shipperPartyId: string;
  carrierPartyId: string;
  validFrom: number;
  validTo: number | null;
  note: string | null;
  status: string;
  acceptedAt: number | null;
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
  lotPresence: LotPresenceRow;
  carrierJobs: CarrierJobRow;
  epcisEvents: EpcisEventRow;
  epcisEventEpcs: EpcisEventEpcRow;
  epcisCaptureJobs: EpcisCaptureJobRow;
  epcisQueries: EpcisQueryRow;
  epcisSubscriptions: EpcisSubscriptionRow;
  epcisSubscriptionSecrets: EpcisSubscriptionSecretRow;
  epcisDeliveries: EpcisDeliveryRow;
  epcisScheduleState: EpcisScheduleStateRow;
  /** notes left by a migration: projections the node must backfill from its log (app/write/backfills.ts) */
  projectionBackfills: { name: string };
  temperatureUploads: TemperatureUploadRow;
  temperaturePoints: TemperaturePointRow;
  temperatureBreaches: TemperatureBreachRow;
  temperatureBreachLots: TemperatureBreachLotRow;
  incidents: IncidentRow;
  incidentLots: IncidentLotRow;
  incidentHoldings: IncidentHoldingRow;
  incidentActions: IncidentActionRow;
  incidentContacts: IncidentContactRow;
  transformations: TransformationRow;
  transformationLots: TransformationLotRow;
  disposals: DisposalRow;
  retailSales: RetailSaleRow;
  alerts: AlertRow;
  alertAcks: AlertAckRow;
  webhooks: WebhookRow;
  webhookSecrets: WebhookSecretRow;
  alertDeliveries: AlertDeliveryRow;
  deliveryAttempts: DeliveryAttemptRow;
  peers: PeerRow;
  peerCredentials: PeerCredentialRow;
  witnessCheckpoints: WitnessCheckpointRow;
  federationEvidence: FederationEvidenceRow;
  checkpointCosignatures: CheckpointCosignatureRow;
  witnessSubmissions: WitnessSubmissionRow;
  mirrors: MirrorRow;
  mirrorTiles: MirrorTileRow;
  peerRows: PeerRowsRow;
  peerIndexState: PeerIndexStateRow;
  platforms: PlatformRow;
  platformCredentials: PlatformCredentialRow;
  platformState: PlatformStateRow;
  platformDeliveries: PlatformDeliveryRow;
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
  | 'temperatureUploads'
  | 'temperatureBreaches'
  | 'temperatureBreachLots'
  | 'shipments'
  | 'lotPresence'
  | 'carrierJobs'
  | 'epcisEvents'
  | 'epcisEventEpcs'
  | 'epcisQueries'
  | 'epcisSubscriptions'
  | 'transformations'
  | 'transformationLots'
  | 'disposals'
  | 'retailSales'
  | 'alerts'
  | 'alertAcks'
  | 'webhooks'
  | 'incidents'
  | 'incidentLots'
  | 'incidentHoldings'
  | 'incidentActions'
  | 'incidentContacts'
  | 'peers'
  | 'platforms';

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
  temperatureUploads: ['id'],
  temperatureBreaches: ['id'],
  temperatureBreachLots: ['breachId', 'lotId'],
  shipments: ['id'],
  lotPresence: ['logIndex', 'seq'],
  carrierJobs: ['id'],
  epcisEvents: ['eventId'],
  epcisEventEpcs: ['eventId', 'kind', 'value'],
  epcisQueries: ['name'],
  epcisSubscriptions: ['id'],
  incidents: ['id'],
  incidentLots: ['incidentId', 'lotId'],
  incidentHoldings: ['incidentId', 'holdingId'],
  incidentActions: ['id'],
  incidentContacts: ['incidentId', 'kind', 'refId'],
  transformations: ['id'],
  transformationLots: ['transformationId', 'lotId'],
  disposals: ['id'],
  retailSales: ['id'],
  alerts: ['id'],
  alertAcks: ['alertId'],
  webhooks: ['id'],
  peers: ['id'],
  platforms: ['id'],
};

export type { Generated };

/** PeerRowsRow is the latest state of a row that a peer's mirrored entries project, indexed; rebuildable. */
export interface PeerRowsRow {
  origin: string;
  tbl: string;
  key: string;
  lotId: string | null;
  partyId: string | null;
  refId: string | null;
  /** data is the row as the peer's entry projects it (JSON). */
  data: string;
  logIndex: number;
}

/** PeerIndexStateRow is how far a peer's mirror has been indexed and recognised, and how many entries were refused. */
export interface PeerIndexStateRow {
  origin: string;
  indexedSize: number;
  refused: number;
  updatedAt: number;
}
