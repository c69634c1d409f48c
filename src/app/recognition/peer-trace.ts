/**
 * Peer trace: what the peers' mirrored logs say about a lot's graph, as rows shaped like this node's own, each
 * tagged with the node that vouches for it and how far this node trusts it (DESIGN.md, "Federation"): 'own' for this
 * node's log, 'witnessed' for a peer's entry inside a checkpoint that meets this node's witness policy, 'unverified'
 * for a later entry or one of a peer marked forked or unreachable.
 *
 * It reads only peer_rows (peer-index.ts) and the mirror and peer tables, and acts on nothing, so traces and the
 * public page may call it. A peer's row is untrusted input: every field is checked as it is read, and a row that does
 * not make sense (no id, no lot) is left out rather than shown.
 *
 * One fact may be on several logs: a lot recognised elsewhere is copied there, and so is a shipment to another
 * province (with homeOrigin set). The version of a row that its home node wrote wins; a consignee's copy adds only
 * what the home node cannot know: the receipt, and where the goods were received.
 */
import type { Kysely, Transaction } from 'kysely';
import type {
  DisposalRow,
  HoldingRow,
  LotRow,
  Schema,
  ShipmentRow,
  TransformationLotRow,
  TransformationRow,
} from '../../store/schema.ts';
import type { LotLink } from '../../store/trace.ts';
import type { Deps } from '../deps.ts';
import type { PeerRecord } from './peer-index.ts';
import { finalSizes, peerRowsByKey, peerRowsByLot, peerRowsByRef } from './peer-index.ts';

type Db = Kysely<Schema> | Transaction<Schema>;

/**
 * Trust is how far this node trusts a fact: on its own log, on a peer's witnessed log, or not (yet) verified; or
 * 'platform': recognised from another platform (app/platforms), recorded with the hash of what it sent, not verified
 * by any log (DESIGN.md, trust level 4).
 */
export type Trust = 'own' | 'witnessed' | 'unverified' | 'platform';

/** Vouch says which node's log a fact is on (its origin and name) and how far this node trusts it. */
export interface Vouch {
  readonly origin: string;
  readonly node: string;
  readonly trust: Trust;
}

/** Vouching tags facts: `own` for this node's rows, `of` for a peer's row written by its entry at logIndex. */
export interface Vouching {
  readonly own: Vouch;
  of(origin: string, logIndex: number): Vouch;
}

/**
 * vouching reads the mirrors' final sizes and states and the peers' names once, for one trace or page: a peer's entry
 * is witnessed when its index is below the mirror's final size and the mirror is neither forked nor unreachable.
 */
export async function vouching(deps: Pick<Deps, 'db' | 'log' | 'config'>): Promise<Vouching> {
  const [mirrors, peers] = await Promise.all([
    finalSizes(deps as Deps),
    deps.db.selectFrom('peers').select(['logOrigin', 'name', 'removedAt']).execute(),
  ]);
  const names = new Map<string, string>();
  // A peer removed and added again keeps the name it has now.
  for (const p of [...peers].sort((a, b) => (a.removedAt === null ? 1 : 0) - (b.removedAt === null ? 1 : 0)))
    names.set(p.logOrigin, p.name);
  const own: Vouch = { origin: deps.log.origin, node: deps.config.nodeName ?? deps.log.origin, trust: 'own' };
  return {
    own,
    of(origin, logIndex) {
      if (origin === own.origin) return own;
      const m = mirrors.get(origin);
      const witnessed = m !== undefined && logIndex < m.final && m.state !== 'forked' && m.state !== 'unreachable';
      return { origin, node: names.get(origin) ?? origin, trust: witnessed ? 'witnessed' : 'unverified' };
    },
  };
}

/** Vouched is a row with the node that vouches for it. */
export type Vouched<T> = T & { readonly vouch: Vouch };

// A peer's field, read defensively: the wrong type reads as absent (or 0), never as a crash.
const str = (v: unknown): string | null => (typeof v === 'string' && v.length > 0 && v.length <= 500 ? v : null);
const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : 0);
const numOrNull = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const jsonList = (v: unknown): string => {
  try {
    const parsed = typeof v === 'string' ? (JSON.parse(v) as unknown) : v;
    return JSON.stringify(Array.isArray(parsed) ? parsed.filter((x) => typeof x === 'string').slice(0, 100) : []);
  } catch {
    return '[]';
  }
};
/** isHome tells whether a peer's row is its own fact, not a copy it recognised from another node. */
const isHome = (r: PeerRecord) => str(r.homeOrigin) === null;
const trustRank: Record<Trust, number> = { own: 0, witnessed: 1, unverified: 2, platform: 3 };

/**
 * best picks one version of a row that several peers hold: the home node's, then the most trusted, then the latest.
 */
function best(versions: readonly PeerRecord[], v: Vouching): PeerRecord | undefined {
  return [...versions].sort(
    (a, b) =>
      Number(isHome(b)) - Number(isHome(a)) ||
      trustRank[v.of(a.origin, a.logIndex).trust] - trustRank[v.of(b.origin, b.logIndex).trust] ||
      b.logIndex - a.logIndex,
  )[0];
}

const groupBy = <T>(xs: readonly T[], key: (x: T) => string | null) => {
  const m = new Map<string, T[]>();
  for (const x of xs) {
    const k = key(x);
    if (k === null) continue;
    const group = m.get(k);
    if (group) group.push(x);
    else m.set(k, [x]);
  }
  return m;
};

/**
 * peerLinks crosses one level of the lot graph through the peers' transformations: from each lot of `frontier`,
 * forward to the lots made from it, or backward to the lots it was made from. Each link is tagged with the
 * transformation's origin, so that a caller may decide whose links it follows.
 */
export async function peerLinks(
  db: Db,
  frontier: readonly string[],
  way: 'forward' | 'backward',
): Promise<(LotLink & { origin: string })[]> {
  if (frontier.length === 0) return [];
  const [near, far] = way === 'forward' ? (['input', 'output'] as const) : (['output', 'input'] as const);
  const mine = (await peerRowsByLot(db, 'transformationLots', frontier)).filter((r) => r.role === near);
  if (mine.length === 0) return [];
  const all = await peerRowsByRef(
    db,
    'transformationLots',
    mine.map((r) => String(r.transformationId)),
  );
  // The far side of each transformation, by origin and transformation: one pass, not one per near row.
  const farSide = groupBy(
    all.filter((b) => b.role === far && str(b.lotId) !== null),
    (b) => (typeof b.transformationId === 'string' ? `${b.origin}\u0001${b.transformationId}` : null),
  );
  const out = new Map<string, LotLink & { origin: string }>();
  for (const a of mine) {
    const t = str(a.transformationId);
    const lot = str(a.lotId);
    if (t === null || lot === null) continue;
    for (const b of farSide.get(`${a.origin}\u0001${t}`) ?? []) {
      const other = String(b.lotId);
      const link = way === 'forward' ? { from: lot, to: other } : { from: other, to: lot };
      out.set(`${t}|${link.from}|${link.to}`, { transformationId: t, ...link, origin: a.origin });
    }
  }
  return [...out.values()];
}

/** PeerLot is a peer's lot as a trace shows it: this node's lot row shape, with its home and vouching node. */
export type PeerLot = Vouched<LotRow & { homeOrigin: string }>;

/**
 * peerLots reads the lots the peers hold among ids, one version each (the home node's first). `origin` is 'imported'
 * or 'derived' as the home node made it, or 'recognised' when no home version is mirrored here; `homeOrigin` is the
 * node where the lot was declared or made.
 */
export async function peerLots(db: Db, v: Vouching, ids: readonly string[]): Promise<PeerLot[]> {
  const rows = await peerRowsByKey(db, 'lots', ids);
  const out: PeerLot[] = [];
  for (const [id, versions] of groupBy(rows, (r) => str(r.id))) {
    const r = best(versions, v)!;
    const code = str(r.code);
    if (code === null) continue;
    const home = str(r.homeOrigin);
    const transformationId = str(r.transformationId);
    out.push({
      id,
      code,
      importerPartyId: str(r.importerPartyId) ?? '',
      region: str(r.region) ?? '',
      declarationNo: str(r.declarationNo) ?? '',
      portOfEntry: str(r.portOfEntry) ?? '',
      arrivalDate: str(r.arrivalDate) ?? '',
      containerNo: str(r.containerNo) ?? '',
      billOfLading: str(r.billOfLading) ?? '',
      productNameZh: str(r.productNameZh),
      productNameEn: str(r.productNameEn),
      category: str(r.category) ?? '',
      hsCode: str(r.hsCode) ?? '',
      gtin: str(r.gtin),
      batchNo: str(r.batchNo) ?? '',
      originCountry: str(r.originCountry) ?? '',
      producerId: str(r.producerId) ?? '',
      netGrams: num(r.netGrams),
      cartons: num(r.cartons),
      productionDate: str(r.productionDate) ?? '',
      expiryDate: str(r.expiryDate) ?? '',
      status: ['green', 'yellow', 'red'].includes(String(r.status)) ? String(r.status) : 'yellow',
      statusReasons: reasonsOf(r.statusReasons),
      origin: home !== null ? 'recognised' : transformationId !== null ? 'derived' : 'imported',
      transformationId,
      homeOrigin: home ?? r.origin,
      createdAt: num(r.createdAt),
      updatedAt: num(r.updatedAt),
      logIndex: r.logIndex,
      vouch: v.of(r.origin, r.logIndex),
    });
  }
  return out;
}

function reasonsOf(v: unknown): string {
  try {
    const parsed = typeof v === 'string' ? (JSON.parse(v) as unknown) : v;
    return JSON.stringify(
      Array.isArray(parsed)
        ? parsed.filter((x): x is { code: string } => typeof (x as { code?: unknown })?.code === 'string').slice(0, 50)
        : [],
    );
  } catch {
    return '[]';
  }
}

/** PeerShipment is a shipment as a trace shows it, with who vouches for its departure and for its receipt. */
export type PeerShipment = Vouched<
  Pick<
    ShipmentRow,
    | 'id'
    | 'lotId'
    | 'purpose'
    | 'fromPartyId'
    | 'fromLocationId'
    | 'toPartyId'
    | 'toLocationId'
    | 'grams'
    | 'cartons'
    | 'receivedGrams'
    | 'receivedCartons'
    | 'receivedAt'
    | 'status'
    | 'departedAt'
    | 'createdAt'
    | 'updatedAt'
    | 'vehicleId'
    | 'driverWorkerId'
    | 'handlerWorkerIds'
  > & { readonly receiptVouch: Vouch | null }
>;

function shipmentOf(r: PeerRecord, v: Vouching): PeerShipment | null {
  const id = str(r.id);
  const lotId = str(r.lotId);
  const fromPartyId = str(r.fromPartyId);
  const toPartyId = str(r.toPartyId);
  if (!id || !lotId || !fromPartyId || !toPartyId) return null;
  const vouch = v.of(r.origin, r.logIndex);
  const receivedAt = numOrNull(r.receivedAt);
  return {
    id,
    lotId,
    purpose: str(r.purpose) ?? 'shipment',
    fromPartyId,
    fromLocationId: str(r.fromLocationId),
    toPartyId,
    toLocationId: str(r.toLocationId),
    grams: num(r.grams),
    cartons: num(r.cartons),
    receivedGrams: receivedAt === null ? null : num(r.receivedGrams),
    receivedCartons: receivedAt === null ? null : num(r.receivedCartons),
    receivedAt,
    status: str(r.status) ?? 'in_transit',
    departedAt: num(r.departedAt),
    createdAt: num(r.createdAt),
    updatedAt: num(r.updatedAt),
    vehicleId: str(r.vehicleId) ?? '',
    driverWorkerId: str(r.driverWorkerId) ?? '',
    handlerWorkerIds: jsonList(r.handlerWorkerIds),
    vouch,
    receiptVouch: receivedAt === null ? null : vouch,
  };
}

/**
 * withReceipt completes a shipment with what a copy of it on another log adds: the receipt (when the base has none)
 * and the place the goods were received (which only the consignee's node knows).
 */
export function withReceipt<T extends PeerShipment>(base: T, copies: readonly PeerShipment[]): T {
  let out = base;
  const received = copies.find((c) => c.receivedAt !== null && c.toPartyId === base.toPartyId);
  if (received && out.receivedAt === null)
    out = {
      ...out,
      status: received.status,
      receivedAt: received.receivedAt,
      receivedGrams: received.receivedGrams,
      receivedCartons: received.receivedCartons,
      updatedAt: received.updatedAt,
      receiptVouch: received.vouch,
    };
  const placed = copies.find((c) => c.toLocationId !== null && c.toPartyId === base.toPartyId);
  if (placed && out.toLocationId === null) out = { ...out, toLocationId: placed.toLocationId };
  return out;
}

/** PeerHolding, PeerDisposal, PeerRetailSale, PeerTransformation and PeerTransformationLot are peers' rows, vouched. */
export type PeerHolding = Vouched<HoldingRow>;
export type PeerDisposal = Vouched<DisposalRow>;
export type PeerRetailSale = Vouched<{
  lotId: string;
  partyId: string;
  grams: number;
  cartons: number;
  soldAt: number;
  createdAt: number;
}>;
export type PeerTransformation = Vouched<TransformationRow>;
export type PeerTransformationLot = Vouched<TransformationLotRow>;

/** PeerLotFacts are the peers' shipments (one version each), holdings, disposals and retail sales of some lots. */
export interface PeerLotFacts {
  /** shipments holds every version of each shipment by id: see withReceipt. */
  readonly shipments: ReadonlyMap<string, PeerShipment[]>;
  readonly holdings: PeerHolding[];
  readonly disposals: PeerDisposal[];
  readonly retailSales: PeerRetailSale[];
}

/** peerLotFacts reads what the peers' logs say happened to lots: shipments, holdings, disposals and retail sales. */
export async function peerLotFacts(db: Db, v: Vouching, lotIds: readonly string[]): Promise<PeerLotFacts> {
  const [shipments, holdings, disposals, retail] = await Promise.all([
    peerRowsByLot(db, 'shipments', lotIds),
    peerRowsByLot(db, 'holdings', lotIds),
    peerRowsByLot(db, 'disposals', lotIds),
    peerRowsByLot(db, 'retailSales', lotIds),
  ]);
  const byId = new Map<string, PeerShipment[]>();
  for (const r of shipments) {
    const s = shipmentOf(r, v);
    if (!s) continue;
    // The home version first: the one with no homeOrigin is the shipper's own record.
    const list = byId.get(s.id) ?? [];
    if (isHome(r)) list.unshift(s);
    else list.push(s);
    byId.set(s.id, list);
  }
  const base = <T>(r: PeerRecord, row: T) => ({ ...row, vouch: v.of(r.origin, r.logIndex) });
  const ok = (r: PeerRecord) => str(r.id) !== null && str(r.lotId) !== null && str(r.partyId) !== null;
  return {
    shipments: byId,
    holdings: holdings
      .filter((r) => ok(r) && num(r.grams) > 0)
      .map((r) =>
        base(r, {
          id: `${r.origin}|${String(r.id)}`,
          lotId: String(r.lotId),
          partyId: String(r.partyId),
          locationId: str(r.locationId),
          grams: num(r.grams),
          cartons: num(r.cartons),
          updatedAt: num(r.updatedAt),
          logIndex: r.logIndex,
        }),
      ),
    disposals: disposals.filter(ok).map((r) =>
      base(r, {
        id: String(r.id),
        lotId: String(r.lotId),
        partyId: String(r.partyId),
        locationId: str(r.locationId),
        grams: num(r.grams),
        cartons: num(r.cartons),
        method: str(r.method) ?? '',
        referenceDoc: str(r.referenceDoc) ?? '',
        at: num(r.at),
        createdAt: num(r.createdAt),
        logIndex: r.logIndex,
      }),
    ),
    retailSales: retail.filter(ok).map((r) =>
      base(r, {
        lotId: String(r.lotId),
        partyId: String(r.partyId),
        grams: num(r.grams),
        cartons: num(r.cartons),
        soldAt: num(r.soldAt),
        createdAt: num(r.createdAt),
      }),
    ),
  };
}

/** peerTransformations reads the peers' transformations among ids, with their input and output lots. */
export async function peerTransformations(db: Db, v: Vouching, ids: readonly string[]) {
  const [ts, tls] = await Promise.all([
    peerRowsByKey(db, 'transformations', ids),
    peerRowsByRef(db, 'transformationLots', ids),
  ]);
  const transformations: PeerTransformation[] = ts
    .filter((r) => str(r.id) !== null && str(r.partyId) !== null)
    .map((r) => ({
      id: String(r.id),
      partyId: String(r.partyId),
      locationId: str(r.locationId),
      kind: str(r.kind) ?? 'repack',
      at: num(r.at),
      lossGrams: num(r.lossGrams),
      referenceDoc: str(r.referenceDoc),
      createdAt: num(r.createdAt),
      logIndex: r.logIndex,
      vouch: v.of(r.origin, r.logIndex),
    }));
  const known = new Map(ts.map((t) => [String(t.id), t.origin]));
  const lots: PeerTransformationLot[] = tls
    .filter((r) => str(r.lotId) !== null && known.get(String(r.transformationId)) === r.origin)
    .map((r) => ({
      transformationId: String(r.transformationId),
      lotId: String(r.lotId),
      role: r.role === 'output' ? 'output' : 'input',
      locationId: str(r.locationId),
      grams: num(r.grams),
      cartons: num(r.cartons),
      logIndex: r.logIndex,
      vouch: v.of(r.origin, r.logIndex),
    }));
  return { transformations, lots };
}

/**
 * peerRecordsById reads the peers' rows of a directory table (parties, locations, vehicles, workers, producers) among
 * ids, one version each (the home node's first), as the peer wrote them, with the node that vouches for each.
 */
export async function peerRecordsById(
  db: Db,
  v: Vouching,
  table: 'parties' | 'locations' | 'vehicles' | 'workers' | 'producers',
  ids: readonly string[],
): Promise<Vouched<PeerRecord & { id: string }>[]> {
  if (ids.length === 0) return [];
  const rows = await peerRowsByKey(db, table, ids);
  const out: Vouched<PeerRecord & { id: string }>[] = [];
  for (const [id, versions] of groupBy(rows, (r) => str(r.id))) {
    const r = best(versions, v)!;
    out.push({ ...r, id, vouch: v.of(r.origin, r.logIndex) });
  }
  return out;
}

/** peerBorderFacts reads the peers' samples, documents and exit certificates of imported lots, each from its home. */
export async function peerBorderFacts(db: Db, v: Vouching, lots: readonly { id: string; homeOrigin: string }[]) {
  const ids = lots.map((l) => l.id);
  const home = new Map(lots.map((l) => [l.id, l.homeOrigin]));
  const [samples, documents, exits] = await Promise.all([
    peerRowsByLot(db, 'samples', ids),
    peerRowsByLot(db, 'documents', ids),
    peerRowsByLot(db, 'exitCertificates', ids),
  ]);
  const fromHome = (r: PeerRecord) => str(r.id) !== null && home.get(String(r.lotId)) === r.origin;
  return {
    samples: samples.filter(fromHome).map((r) => ({
      id: String(r.id),
      lotId: String(r.lotId),
      point: str(r.point) ?? '',
      result: str(r.result) ?? 'pending',
      labPartyId: str(r.labPartyId) ?? '',
      takenAt: num(r.takenAt),
      resultedAt: numOrNull(r.resultedAt),
      createdAt: num(r.createdAt),
      updatedAt: num(r.updatedAt),
      vouch: v.of(r.origin, r.logIndex),
    })),
    documents: documents.filter(fromHome).map((r) => ({
      id: String(r.id),
      lotId: String(r.lotId),
      kind: str(r.kind) ?? '',
      number: str(r.number),
      issuer: str(r.issuer),
      issuedOn: str(r.issuedOn),
      sha256: str(r.sha256),
      logIndex: r.logIndex,
      vouch: v.of(r.origin, r.logIndex),
    })),
    exitCertificates: exits.filter(fromHome).map((r) => ({
      id: String(r.id),
      lotId: String(r.lotId),
      number: str(r.number) ?? '',
      warehousePartyId: str(r.warehousePartyId) ?? '',
      issuedAt: num(r.issuedAt),
      logIndex: r.logIndex,
      vouch: v.of(r.origin, r.logIndex),
    })),
  };
}

/** peerLotsByCode finds the peers' lots with a trace code, one version each (see peerLots). */
export async function peerLotsByCode(db: Db, v: Vouching, code: string): Promise<PeerLot[]> {
  const rows = await peerRowsByRef(db, 'lots', [code]);
  return peerLots(
    db,
    v,
    rows.map((r) => String(r.id)),
  );
}
