import type { Kysely, Transaction } from 'kysely';
import type { Actor } from '../../domain/access.ts';
import { mayAttempt } from '../../domain/access.ts';
import { parseLotLink } from '../../domain/digital-link.ts';
import { parseCartonCode, validateTraceCode } from '../../domain/trace-code.ts';
import { findLot, findLotByCode, findLotsByGtinBatch } from '../../store/border.ts';
import type { LotRow, Schema } from '../../store/schema.ts';
import {
  disposalsOfLots,
  documentsOfLots,
  exitCertificatesOfLots,
  holdingsOfLots,
  locationsByIds,
  lotLinks,
  lotsByIds,
  partiesByIds,
  producersByIds,
  retailTotalsOfLots,
  samplesOfLots,
  shipmentsOfLots,
  transformationLotsOf,
  transformationsByIds,
  vehiclesByIds,
  workersByIds,
} from '../../store/trace.ts';
import type { LotLink } from '../../store/trace.ts';
import { invalid, notFound } from '../errors.ts';
import { toDisposal } from '../custody/custody-parts.ts';
import { forbid } from '../access/authorize.ts';
import type { Deps } from '../deps.ts';
import { iso } from '../access/paging.ts';

type Db = Kysely<Schema> | Transaction<Schema>;

export const TRACE_DIRECTIONS = ['forward', 'backward', 'both'] as const;
export type TraceDirection = (typeof TRACE_DIRECTIONS)[number];

/** TraceStart says what a trace started from: a lot id, a lot's trace code, a carton code or a GS1 Digital Link. */
export interface TraceStart {
  readonly kind: 'lot' | 'code' | 'carton' | 'digital_link';
  readonly input: string;
  readonly lotIds: string[];
  readonly carton?: number;
}

/**
 * resolveTraceStart finds the lots a reference names. A lot id or trace code names one lot; a carton code names its
 * lot (a carton is traced with its whole lot: the records are kept per lot); a Digital Link names every lot with that
 * GTIN and batch. Anything else is a ValidationFailed naming `field`; a well-formed reference to nothing is LotNotFound.
 */
export async function resolveTraceStart(db: Db, ref: string, field = 'ref'): Promise<TraceStart> {
  const input = ref.trim();
  if (/^lot_[0-9A-Z]{26}$/.test(input)) {
    const lot = await findLot(db, input);
    if (!lot) throw notFound('LotNotFound', field, input);
    return { kind: 'lot', input, lotIds: [lot.id] };
  }
  if (/^https?:\/\//i.test(input) || input.startsWith('/01/')) {
    const link = parseLotLink(input);
    if (!link.ok) throw invalid(field, `not a GS1 Digital Link with a GTIN and batch: ${link.reason}`);
    const lots = await findLotsByGtinBatch(db, link.value.gtin, link.value.lot);
    if (lots.length === 0) throw notFound('LotNotFound', field, input);
    const serial =
      link.value.serial !== undefined && /^\d{1,5}$/.test(link.value.serial) ? Number(link.value.serial) : undefined;
    return { kind: 'digital_link', input, lotIds: lots.map((l) => l.id), ...(serial ? { carton: serial } : {}) };
  }
  const code = validateTraceCode(input);
  if (code.ok) {
    const lot = await findLotByCode(db, code.value);
    if (!lot) throw notFound('LotNotFound', field, input);
    return { kind: 'code', input, lotIds: [lot.id] };
  }
  const carton = parseCartonCode(input);
  if (carton.ok) {
    const lot = await findLotByCode(db, carton.value.lotCode);
    if (!lot) throw notFound('LotNotFound', field, input);
    return { kind: 'carton', input, lotIds: [lot.id], carton: carton.value.serial };
  }
  throw invalid(field, 'must be a lot id, a trace code, a carton code or a GS1 Digital Link URI');
}

const kg = (grams: number | string | null) => Number(grams ?? 0) / 1000;
const timeOf = (ms: number | string | null) => (ms === null ? null : iso(Number(ms)));
const uniq = (xs: Iterable<string | null | undefined>) => [
  ...new Set([...xs].filter((x): x is string => typeof x === 'string' && x !== '')),
];

const lotNode = (l: LotRow, depth: Map<string, number>) => ({
  id: l.id,
  code: l.code,
  origin: l.origin,
  productNameZh: l.productNameZh,
  productNameEn: l.productNameEn,
  category: l.category,
  gtin: l.gtin,
  batchNo: l.batchNo,
  ownerPartyId: l.importerPartyId,
  region: l.region,
  quantity: { kg: kg(l.netGrams), cartons: l.cartons },
  status: l.status,
  statusReasons: JSON.parse(l.statusReasons) as unknown[],
  depth: depth.get(l.id) ?? 0,
});

type ShipmentRow = Awaited<ReturnType<typeof shipmentsOfLots>>[number];
type HoldingRow = Awaited<ReturnType<typeof holdingsOfLots>>[number];
type RetailRow = Awaited<ReturnType<typeof retailTotalsOfLots>>[number];
type PartyRow = Awaited<ReturnType<typeof partiesByIds>>[number];
type LocationRow = Awaited<ReturnType<typeof locationsByIds>>[number];

const shipmentView = (s: ShipmentRow) => ({
  id: s.id,
  lotId: s.lotId,
  purpose: s.purpose,
  from: { partyId: s.fromPartyId, locationId: s.fromLocationId },
  to: { partyId: s.toPartyId, locationId: s.toLocationId },
  quantity: { kg: kg(s.grams), cartons: s.cartons },
  received:
    s.receivedAt === null
      ? null
      : {
          quantity: { kg: kg(s.receivedGrams), cartons: s.receivedCartons ?? 0 },
          at: timeOf(s.receivedAt),
          // A shipment is written twice: at departure (createdAt) and at receipt (its last update).
          recordedAt: timeOf(s.updatedAt),
        },
  status: s.status,
  departedAt: timeOf(s.departedAt),
  recordedAt: timeOf(s.createdAt),
  // A sale handed over at the seller's stall has no vehicle or driver (stored as '').
  vehicleId: s.vehicleId || null,
  driverWorkerId: s.driverWorkerId || null,
  handlerWorkerIds: JSON.parse(s.handlerWorkerIds) as string[],
});
const retailView = (rows: readonly RetailRow[]) =>
  rows
    .map((r) => ({
      lotId: r.lotId,
      partyId: r.partyId,
      quantity: { kg: kg(r.grams), cartons: Number(r.cartons) },
      sales: Number(r.sales),
      firstAt: timeOf(r.firstAt),
      lastAt: timeOf(r.lastAt),
      lastRecordedAt: timeOf(r.lastRecordedAt),
    }))
    .sort((a, b) => (a.lotId + a.partyId < b.lotId + b.partyId ? -1 : 1));
const holdingView = (h: HoldingRow) => ({
  lotId: h.lotId,
  partyId: h.partyId,
  locationId: h.locationId,
  quantity: { kg: kg(h.grams), cartons: h.cartons },
  updatedAt: timeOf(h.updatedAt),
});
const partyView = (p: PartyRow) => ({
  id: p.id,
  nameZh: p.nameZh,
  nameEn: p.nameEn,
  roles: JSON.parse(p.roles) as string[],
  region: p.region,
});
const locationView = (l: LocationRow) => ({
  id: l.id,
  partyId: l.ownerPartyId,
  name: l.name,
  filingNo: l.filingNo,
  region: l.region,
  kind: l.kind,
});

/**
 * inboundPath returns the ids of the shipments that carried each lot the starts were made from (depth < 0) to the
 * party that made it into the next lot, and, shipment by shipment, back to where that lot began: a shipment is on
 * the path when it went to a party already on it. The rest of such a lot's shipments took other parts of it
 * elsewhere.
 */
export function inboundPath(
  links: readonly LotLink[],
  transformations: readonly { id: string; partyId: string }[],
  shipments: readonly ShipmentRow[],
  depth: ReadonlyMap<string, number>,
): Set<string> {
  const madeBy = new Map(transformations.map((t) => [t.id, t.partyId]));
  const reached = new Map<string, Set<string>>();
  for (const l of links) {
    if ((depth.get(l.from) ?? 0) >= 0) continue;
    const party = madeBy.get(l.transformationId);
    if (party !== undefined) reached.set(l.from, (reached.get(l.from) ?? new Set()).add(party));
  }
  const on = new Set<string>();
  for (let grew = true; grew;) {
    grew = false;
    for (const s of shipments) {
      const parties = reached.get(s.lotId);
      if (on.has(s.id) || !parties?.has(s.toPartyId)) continue;
      on.add(s.id);
      parties.add(s.fromPartyId);
      grew = true;
    }
  }
  return on;
}

/**
 * traceGraph gathers the graph of the given lots in a direction: the lots reached through transformations, the
 * transformations, every shipment, disposal and retail total of those lots, who holds how much of each now, the
 * parties, places, vehicles and workers named, and (backward) the border records of the imported lots. Upstream
 * of the starts, a lot they were made from shows only its inbound path (see inboundPath); where the rest of it went,
 * and who holds it now, is listed apart in `alsoFromSameSource`, with the parties and places only it names. Quantities
 * are kg and cartons; times are ISO. It reads only, so a caller may run it inside a write transaction and act on the
 * result, as opening an incident does.
 */
export async function traceGraph(db: Db, starts: readonly string[], direction: TraceDirection) {
  const forward = direction === 'backward' ? null : await lotLinks(db, starts, 'forward');
  const backward = direction === 'forward' ? null : await lotLinks(db, starts, 'backward');
  const depth = new Map<string, number>(starts.map((id) => [id, 0]));
  for (const [id, d] of forward?.depth ?? []) if (!depth.has(id)) depth.set(id, d);
  for (const [id, d] of backward?.depth ?? []) if (!depth.has(id)) depth.set(id, -d);
  const lotIds = [...depth.keys()];
  const transformationIds = uniq(
    [...(forward?.links ?? []), ...(backward?.links ?? [])].map((l) => l.transformationId),
  );

  const [lots, shipments, holdings, transformations, tLots, disposals, retail] = await Promise.all([
    lotsByIds(db, lotIds),
    shipmentsOfLots(db, lotIds),
    holdingsOfLots(db, lotIds),
    transformationsByIds(db, transformationIds),
    transformationLotsOf(db, transformationIds),
    disposalsOfLots(db, lotIds),
    retailTotalsOfLots(db, lotIds),
  ]);
  const imported = lots.filter((l) => l.origin === 'imported' && (direction !== 'forward' || depth.get(l.id) === 0));
  const importedIds = imported.map((l) => l.id);
  const [exits, samples, documents] = await Promise.all([
    exitCertificatesOfLots(db, importedIds),
    samplesOfLots(db, importedIds),
    documentsOfLots(db, importedIds),
  ]);

  // Upstream, a lot the starts were made from is shown by the path its goods came by, not by where the rest of it
  // went: its other holders, sales and disposals go to `alsoFromSameSource`.
  const onPath = inboundPath(backward?.links ?? [], transformations, shipments, depth);
  const ancestor = (lotId: string) => (depth.get(lotId) ?? 0) < 0;
  const path = {
    shipments: shipments.filter((s) => !ancestor(s.lotId) || onPath.has(s.id)),
    holdings: holdings.filter((h) => !ancestor(h.lotId)),
    disposals: disposals.filter((d) => !ancestor(d.lotId)),
    retail: retail.filter((r) => !ancestor(r.lotId)),
  };
  const aside = {
    shipments: shipments.filter((s) => ancestor(s.lotId) && !onPath.has(s.id)),
    holdings: holdings.filter((h) => ancestor(h.lotId)),
    disposals: disposals.filter((d) => ancestor(d.lotId)),
    retail: retail.filter((r) => ancestor(r.lotId)),
  };
  const partiesOf = (x: typeof path) => [
    ...x.shipments.flatMap((s) => [s.fromPartyId, s.toPartyId]),
    ...x.holdings.map((h) => h.partyId),
    ...x.disposals.map((d) => d.partyId),
    ...x.retail.map((r) => r.partyId),
  ];
  const locationsOf = (x: typeof path) => [
    ...x.shipments.flatMap((s) => [s.fromLocationId, s.toLocationId]),
    ...x.holdings.map((h) => h.locationId),
    ...x.disposals.map((d) => d.locationId),
  ];
  const partyIds = uniq([
    ...lots.map((l) => l.importerPartyId),
    ...transformations.map((t) => t.partyId),
    ...partiesOf(path),
  ]);
  const locationIds = uniq([...transformations.map((t) => t.locationId), ...locationsOf(path)]);
  const [mainParties, mainLocations] = [new Set(partyIds), new Set(locationIds)];
  const asideParties = uniq(partiesOf(aside)).filter((id) => !mainParties.has(id));
  const asideLocations = uniq(locationsOf(aside)).filter((id) => !mainLocations.has(id));
  const vehicleIds = uniq(path.shipments.map((s) => s.vehicleId));
  const workerIds = uniq(
    path.shipments.flatMap((s) => [s.driverWorkerId, ...(JSON.parse(s.handlerWorkerIds) as string[])]),
  );
  const [parties, locations, producers, vehicles, workers] = await Promise.all([
    partiesByIds(db, [...partyIds, ...asideParties]),
    locationsByIds(db, [...locationIds, ...asideLocations]),
    producersByIds(db, uniq(imported.map((l) => l.producerId))),
    vehiclesByIds(db, vehicleIds),
    workersByIds(db, workerIds),
  ]);

  const byTransformation = new Map<string, typeof tLots>();
  for (const t of tLots)
    byTransformation.set(t.transformationId, [...(byTransformation.get(t.transformationId) ?? []), t]);
  const sides = (id: string, role: 'input' | 'output') =>
    (byTransformation.get(id) ?? [])
      .filter((t) => t.role === role)
      .map((t) => ({ lotId: t.lotId, quantity: { kg: kg(t.grams), cartons: t.cartons } }));
  const byId = <T extends { id: string }>(xs: readonly T[]) =>
    [...xs].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));

  return {
    direction,
    lots: byId(lots)
      .map((l) => lotNode(l, depth))
      .sort((a, b) => Math.abs(a.depth) - Math.abs(b.depth) || (a.id < b.id ? -1 : 1)),
    transformations: byId(transformations).map((t) => ({
      id: t.id,
      kind: t.kind,
      partyId: t.partyId,
      locationId: t.locationId,
      at: timeOf(t.at),
      recordedAt: timeOf(t.createdAt),
      inputs: sides(t.id, 'input'),
      outputs: sides(t.id, 'output'),
      lossKg: kg(t.lossGrams),
    })),
    shipments: byId(path.shipments).map(shipmentView),
    disposals: byId(path.disposals).map(toDisposal),
    retailSales: retailView(path.retail),
    holdings: byId(path.holdings).map(holdingView),
    parties: byId(parties.filter((p) => mainParties.has(p.id))).map(partyView),
    locations: byId(locations.filter((l) => mainLocations.has(l.id))).map(locationView),
    alsoFromSameSource: {
      shipments: byId(aside.shipments).map(shipmentView),
      disposals: byId(aside.disposals).map(toDisposal),
      retailSales: retailView(aside.retail),
      holdings: byId(aside.holdings).map(holdingView),
      parties: byId(parties.filter((p) => !mainParties.has(p.id))).map(partyView),
      locations: byId(locations.filter((l) => !mainLocations.has(l.id))).map(locationView),
    },
    vehicles: byId(vehicles).map((v) => ({
      id: v.id,
      plate: v.plate,
      carrierPartyId: v.carrierPartyId,
      refrigerated: v.refrigerated === 1,
    })),
    workers: byId(workers).map((w) => ({ id: w.id, name: w.name, role: w.role, employerPartyId: w.employerPartyId })),
    border: byId(imported).map((l) => {
      const p = producers.find((x) => x.id === l.producerId);
      const exit = exits.find((e) => e.lotId === l.id);
      return {
        lotId: l.id,
        declarationNo: l.declarationNo,
        portOfEntry: l.portOfEntry,
        arrivalDate: l.arrivalDate,
        containerNo: l.containerNo,
        billOfLading: l.billOfLading,
        originCountry: l.originCountry,
        productionDate: l.productionDate,
        producer: p
          ? { id: p.id, name: p.name, nameZh: p.nameZh, country: p.country, registrationNo: p.registrationNo }
          : null,
        documents: documents.filter((d) => d.lotId === l.id).map((d) => ({ id: d.id, kind: d.kind })),
        samples: samples
          .filter((s) => s.lotId === l.id)
          .map((s) => ({
            id: s.id,
            point: s.point,
            result: s.result,
            labPartyId: s.labPartyId,
            takenAt: timeOf(s.takenAt),
            resultedAt: timeOf(s.resultedAt),
            recordedAt: timeOf(s.createdAt),
            resultRecordedAt: s.resultedAt === null ? null : timeOf(s.updatedAt),
          })),
        exitCertificate: exit ? { number: exit.number, issuedAt: timeOf(exit.issuedAt) } : null,
      };
    }),
  };
}

export type TraceGraph = Awaited<ReturnType<typeof traceGraph>>;

/**
 * traceLot answers GET /v1/lots/{ref}/trace for regulators, customs and auditors: the graph from the lots `ref`
 * names (see resolveTraceStart), with a summary of what is where now.
 */
export async function traceLot(deps: Deps, actor: Actor, ref: string, direction: TraceDirection, field = 'id') {
  if (!mayAttempt(actor, 'lot.trace')) throw forbid('lot.trace');
  const start = await resolveTraceStart(deps.db, ref, field);
  const graph = await traceGraph(deps.db, start.lotIds, direction);
  const regions = uniq([...graph.parties.map((p) => p.region), ...graph.locations.map((l) => l.region)]).sort();
  const heldGrams = graph.holdings.reduce((n, h) => n + Math.round(h.quantity.kg * 1000), 0);
  return {
    start,
    summary: {
      lots: graph.lots.length,
      parties: graph.parties.length,
      holders: uniq(graph.holdings.map((h) => h.partyId)).length,
      heldKg: heldGrams / 1000,
      regions,
    },
    ...graph,
  };
}
