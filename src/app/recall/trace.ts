import type { Kysely, Transaction } from 'kysely';
import type { Actor } from '../../domain/access.ts';
import { canSee, mayAttempt } from '../../domain/access.ts';
import { parseLotLink } from '../../domain/digital-link.ts';
import { parseCartonCode, validateTraceCode } from '../../domain/trace-code.ts';
import { findLot, findLotByCode, findLotsByGtinBatch } from '../../store/border.ts';
import type { LotRow, Schema, TransformationRow } from '../../store/schema.ts';
import {
  disposalsOfLots,
  documentsOfLots,
  exitCertificatesOfLots,
  holdingsOfLots,
  lotsByIds,
  retailTotalsOfLots,
  samplesOfLots,
  shipmentsOfLots,
  transformationLotsOf,
  transformationsByIds,
} from '../../store/trace.ts';
import type { LotLink } from '../../store/trace.ts';
import { AppError, invalid, notFound } from '../errors.ts';
import { toDisposal } from '../custody/custody-parts.ts';
import { forbid } from '../access/authorize.ts';
import type { Deps } from '../deps.ts';
import { iso } from '../access/paging.ts';
import type { PeerLot, Vouch, Vouching } from '../recognition/peer-trace.ts';
import { peerBorderFacts, peerLots, peerLotsByCode, vouching } from '../recognition/peer-trace.ts';
import type {
  AnyLot,
  DisposalRow,
  HoldingRow,
  LocationRow,
  PartyRow,
  RetailRow,
  ShipmentRow,
  Tagged,
  TraceScope,
  Visibility,
} from './trace-across.ts';
import { directory, ownLots, walk, withPeers } from './trace-across.ts';

export type { TraceScope } from './trace-across.ts';

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
    if (lots.length === 0) return otherPlatformCode(db, input, field, true);
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
  return otherPlatformCode(db, input, field, false);
}

/** otherPlatformCode finds a lot recognised from another platform by that platform's code, as given (app/platforms). */
async function otherPlatformCode(db: Db, input: string, field: string, wellFormed: boolean): Promise<TraceStart> {
  const lot = input.length <= 512 ? await findLotByCode(db, input) : undefined;
  if (lot) return { kind: 'code', input, lotIds: [lot.id] };
  if (wellFormed) throw notFound('LotNotFound', field, input);
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
          ...vouchedBy(s.receiptVouch ?? undefined),
        },
  status: s.status,
  departedAt: timeOf(s.departedAt),
  recordedAt: timeOf(s.createdAt),
  // A sale handed over at the seller's stall has no vehicle or driver (stored as '').
  vehicleId: s.vehicleId || null,
  driverWorkerId: s.driverWorkerId || null,
  handlerWorkerIds: JSON.parse(s.handlerWorkerIds) as string[],
  ...vouchedBy(s.vouch),
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
      ...vouchedBy(r.vouch),
    }))
    .sort((a, b) => (a.lotId + a.partyId < b.lotId + b.partyId ? -1 : 1));
const holdingView = (h: HoldingRow) => ({
  lotId: h.lotId,
  partyId: h.partyId,
  locationId: h.locationId,
  quantity: { kg: kg(h.grams), cartons: h.cartons },
  updatedAt: timeOf(h.updatedAt),
  ...vouchedBy(h.vouch),
});
const partyView = (p: PartyRow) => ({
  id: p.id,
  nameZh: p.nameZh,
  nameEn: p.nameEn,
  roles: JSON.parse(p.roles) as string[],
  region: p.region,
  ...vouchedBy(p.vouch),
});
const locationView = (l: LocationRow) => ({
  id: l.id,
  partyId: l.ownerPartyId,
  name: l.name,
  filingNo: l.filingNo,
  region: l.region,
  kind: l.kind,
  ...vouchedBy(l.vouch),
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

/** platformVouch is the vouch of a lot recognised from another platform (app/platforms): trust level 4, always shown. */
const platformVouch = (l: { homeOrigin?: string | null }): Vouch | undefined =>
  typeof l.homeOrigin === 'string' && l.homeOrigin.startsWith('platform:')
    ? { origin: l.homeOrigin, node: l.homeOrigin, trust: 'platform' }
    : undefined;

/** vouchedBy is a fact's vouching node, as the trace reply shows it (absent from a trace of this node only). */
const vouchedBy = (v: Vouch | undefined) => (v ? { vouchedBy: { ...v } } : {});

/**
 * traceGraph gathers the graph of the given lots in a direction: the lots reached through transformations, the
 * transformations, every shipment, disposal and retail total of those lots, who holds how much of each now, the
 * parties, places, vehicles and workers named, and (backward) the border records of the imported lots. Upstream
 * of the starts, a lot they were made from shows only its inbound path (see inboundPath); where the rest of it went,
 * and who holds it now, is listed apart in `alsoFromSameSource`, with the parties and places only it names. Quantities
 * are kg and cartons; times are ISO. It reads only, so a caller may run it inside a write transaction and act on the
 * result, as opening an incident does.
 *
 * With a scope, the graph runs over the peers' mirrored facts too (see walk and withPeers): a lot shipped to another
 * province, what was made of it there and who holds it now. Every lot, transformation, shipment, holding, disposal,
 * retail total, party, place, vehicle, worker and border record then says which node vouches for it (vouchedBy:
 * origin, node name, trust), a shipment's receipt too; a fact on several logs (a shipment recognised here) shows once.
 */
export async function traceGraph(db: Db, starts: readonly string[], direction: TraceDirection, scope?: TraceScope) {
  const fromHere = scope ? await ownLots(db, starts) : new Set<string>();
  const forward = direction === 'backward' ? null : await walk(db, starts, 'forward', scope, fromHere);
  const backward = direction === 'forward' ? null : await walk(db, starts, 'backward', scope, fromHere);
  const depth = new Map<string, number>(starts.map((id) => [id, 0]));
  for (const [id, d] of forward?.depth ?? []) if (!depth.has(id)) depth.set(id, d);
  for (const [id, d] of backward?.depth ?? []) if (!depth.has(id)) depth.set(id, -d);
  const lotIds = [...depth.keys()];
  const allLinks = [...(forward?.links ?? []), ...(backward?.links ?? [])];
  const transformationIds = uniq(allLinks.map((l) => l.transformationId));

  const local = await (async () => {
    const [lots, shipments, holdings, transformations, tLots, disposals, retail] = await Promise.all([
      lotsByIds(db, lotIds),
      shipmentsOfLots(db, lotIds),
      holdingsOfLots(db, lotIds),
      transformationsByIds(db, transformationIds),
      transformationLotsOf(db, transformationIds),
      disposalsOfLots(db, lotIds),
      retailTotalsOfLots(db, lotIds),
    ]);
    return { lots, shipments, holdings, transformations, tLots, disposals, retail };
  })();
  if (scope) {
    // A lot came from here when this node declared or made it, or when it was made from such a lot, anywhere.
    for (const id of await ownLots(db, lotIds)) fromHere.add(id);
    for (let grew = true; grew;) {
      grew = false;
      for (const l of allLinks)
        if (fromHere.has(l.from) && !fromHere.has(l.to)) {
          fromHere.add(l.to);
          grew = true;
        }
    }
  }
  // The peers' facts join this node's, as far as the actor may see them.
  const sees = (partyId: string, regions: ReadonlyMap<string, string>) =>
    scope !== undefined && canSee(scope.actor, { ownerPartyId: partyId, region: regions.get(partyId) ?? '' });
  const merged = scope
    ? await withPeers(db, scope, lotIds, transformationIds, local, (lotId, parties, regions): Visibility => {
        if (scope.actor.national || fromHere.has(lotId) || parties.some((p) => sees(p, regions))) return 'yes';
        // Upstream of the starts, the path the goods came by is where they came from: decided after inboundPath.
        return (depth.get(lotId) ?? 0) < 0 ? 'upstream' : 'no';
      })
    : null;
  const lots: AnyLot[] = merged?.lots ?? local.lots;
  const shipmentsAll: ShipmentRow[] = merged?.shipments ?? local.shipments;
  const holdings: HoldingRow[] = merged?.holdings ?? local.holdings;
  const transformations: (TransformationRow & Tagged)[] = merged?.transformations ?? local.transformations;
  const tLots = merged?.tLots ?? local.tLots;
  const disposals: DisposalRow[] = merged?.disposals ?? local.disposals;
  const retail: RetailRow[] = merged?.retail ?? local.retail;

  // Upstream, a lot the starts were made from is shown by the path its goods came by, not by where the rest of it
  // went: its other holders, sales and disposals go to `alsoFromSameSource`.
  const onPath = inboundPath(backward?.links ?? [], transformations, shipmentsAll, depth);
  // A peer's fact upstream that only the path would show is kept only when it is on the path.
  let withheld = merged?.withheld ?? 0;
  const shipments = shipmentsAll.filter((s) => {
    const drop = s.upstream === true && !onPath.has(s.id);
    if (drop) withheld++;
    return !drop;
  });
  const dropUpstream = <T extends Tagged>(xs: readonly T[]) =>
    xs.filter((x) => {
      if (x.upstream) withheld++;
      return !x.upstream;
    });
  const ancestor = (lotId: string) => (depth.get(lotId) ?? 0) < 0;
  const [keptHoldings, keptDisposals, keptRetail] = [
    dropUpstream(holdings),
    dropUpstream(disposals),
    dropUpstream(retail),
  ];
  const path = {
    shipments: shipments.filter((s) => !ancestor(s.lotId) || onPath.has(s.id)),
    holdings: keptHoldings.filter((h) => !ancestor(h.lotId)),
    disposals: keptDisposals.filter((d) => !ancestor(d.lotId)),
    retail: keptRetail.filter((r) => !ancestor(r.lotId)),
  };
  const aside = {
    shipments: shipments.filter((s) => ancestor(s.lotId) && !onPath.has(s.id)),
    holdings: keptHoldings.filter((h) => ancestor(h.lotId)),
    disposals: keptDisposals.filter((d) => ancestor(d.lotId)),
    retail: keptRetail.filter((r) => ancestor(r.lotId)),
  };

  // Border records: of the lots imported here, and (with a scope) of the lots imported on a peer's node.
  const importedHere = lots.filter((l) => l.origin === 'imported' && !isPeer(l));
  const importedAway = scope
    ? lots
        .map((l) => (isPeer(l) ? (l as PeerLot) : l.homeOrigin ? merged?.homeVersions.get(l.id) : undefined))
        .filter((l): l is PeerLot => l !== undefined && l.origin === 'imported')
    : [];
  const atBorder = (id: string) => direction !== 'forward' || depth.get(id) === 0;
  const imported = [...importedHere.filter((l) => atBorder(l.id)), ...importedAway.filter((l) => atBorder(l.id))];
  const importedIds = importedHere.filter((l) => atBorder(l.id)).map((l) => l.id);
  const [exits, samples, documents, away] = await Promise.all([
    exitCertificatesOfLots(db, importedIds),
    samplesOfLots(db, importedIds),
    documentsOfLots(db, importedIds),
    scope
      ? peerBorderFacts(
          db,
          scope.vouching,
          importedAway.filter((l) => atBorder(l.id)),
        )
      : Promise.resolve({ samples: [], documents: [], exitCertificates: [] }),
  ]);

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
  const { parties, locations, producers, vehicles, workers } = await directory(db, scope, {
    parties: [...partyIds, ...asideParties],
    locations: [...locationIds, ...asideLocations],
    producers: uniq(imported.map((l) => l.producerId)),
    vehicles: vehicleIds,
    workers: workerIds,
  });

  const byTransformation = new Map<string, typeof tLots>();
  for (const t of tLots)
    byTransformation.set(t.transformationId, [...(byTransformation.get(t.transformationId) ?? []), t]);
  const sides = (id: string, role: 'input' | 'output') =>
    (byTransformation.get(id) ?? [])
      .filter((t) => t.role === role)
      .map((t) => ({ lotId: t.lotId, quantity: { kg: kg(t.grams), cartons: t.cartons } }));
  const byId = <T extends { id: string }>(xs: readonly T[]) =>
    [...xs].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const vouchOfLot = new Map(lots.map((l) => [l.id, l.vouch]));
  const borderSamples = [...samples.map((s) => ({ ...s, vouch: scope?.vouching.own })), ...away.samples];
  const borderDocuments = [...documents.map((d) => ({ ...d, vouch: scope?.vouching.own })), ...away.documents];
  const borderExits = [...exits.map((e) => ({ ...e, vouch: scope?.vouching.own })), ...away.exitCertificates];

  return {
    direction,
    lots: byId(lots)
      .map((l) => ({
        ...lotNode(l, depth),
        ...(scope ? { homeOrigin: isPeer(l) ? (l as PeerLot).homeOrigin : (l.homeOrigin ?? null) } : {}),
        ...vouchedBy(platformVouch(l) ?? l.vouch),
      }))
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
      ...vouchedBy(t.vouch),
    })),
    shipments: byId(path.shipments).map(shipmentView),
    disposals: byId(path.disposals).map((d) => ({ ...toDisposal(d), ...vouchedBy(d.vouch) })),
    retailSales: retailView(path.retail),
    holdings: byId(path.holdings).map(holdingView),
    parties: byId(parties.filter((p) => mainParties.has(p.id))).map(partyView),
    locations: byId(locations.filter((l) => mainLocations.has(l.id))).map(locationView),
    alsoFromSameSource: {
      shipments: byId(aside.shipments).map(shipmentView),
      disposals: byId(aside.disposals).map((d) => ({ ...toDisposal(d), ...vouchedBy(d.vouch) })),
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
      ...vouchedBy((v as { vouch?: Vouch }).vouch),
    })),
    workers: byId(workers).map((w) => ({
      id: w.id,
      name: w.name,
      role: w.role,
      employerPartyId: w.employerPartyId,
      ...vouchedBy((w as { vouch?: Vouch }).vouch),
    })),
    border: byId(imported).map((l) => {
      const p = producers.find((x) => x.id === l.producerId);
      const exit = borderExits.find((e) => e.lotId === l.id);
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
        documents: borderDocuments.filter((d) => d.lotId === l.id).map((d) => ({ id: d.id, kind: d.kind })),
        samples: borderSamples
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
        ...vouchedBy(platformVouch(l) ?? (isPeer(l) ? l.vouch : (l.vouch ?? vouchOfLot.get(l.id)))),
      };
    }),
    ...(scope ? { withheld } : {}),
  };
}

/** isPeer tells whether a lot of the graph is a peer's row (not in this node's tables). */
function isPeer(l: AnyLot): boolean {
  return l.vouch !== undefined && l.vouch.trust !== 'own';
}

export type TraceGraph = Awaited<ReturnType<typeof traceGraph>>;

/**
 * resolveAcross resolves a trace's start as resolveTraceStart does, and, when this node holds no such lot, through
 * the peers' mirrored lots (by lot id, trace code or carton code): a national regulator traces any lot, and a
 * provincial one sees what the access rules let it see of it.
 */
async function resolveAcross(deps: Deps, v: Vouching, ref: string, field: string): Promise<TraceStart> {
  try {
    return await resolveTraceStart(deps.db, ref, field);
  } catch (err) {
    if (!(err instanceof AppError) || err.code !== 'LotNotFound') throw err;
    const input = ref.trim();
    const code = validateTraceCode(input);
    const carton = code.ok ? null : parseCartonCode(input);
    const lots = /^lot_[0-9A-Z]{26}$/.test(input)
      ? await peerLots(deps.db, v, [input])
      : code.ok
        ? await peerLotsByCode(deps.db, v, code.value)
        : carton?.ok
          ? await peerLotsByCode(deps.db, v, carton.value.lotCode)
          : [];
    if (lots.length === 0) throw err;
    const kind = /^lot_/.test(input) ? 'lot' : code.ok ? 'code' : 'carton';
    return { kind, input, lotIds: lots.map((l) => l.id), ...(carton?.ok ? { carton: carton.value.serial } : {}) };
  }
}

/**
 * traceLot answers GET /v1/lots/{ref}/trace for regulators, customs and auditors: the graph from the lots `ref`
 * names (see resolveTraceStart), over this node's facts and its peers' (see traceGraph), with a summary of what is
 * where now, which nodes vouch for it, and how many of the peers' facts the access rules withheld.
 */
export async function traceLot(deps: Deps, actor: Actor, ref: string, direction: TraceDirection, field = 'id') {
  if (!mayAttempt(actor, 'lot.trace')) throw forbid('lot.trace');
  const v = await vouching(deps);
  const start = await resolveAcross(deps, v, ref, field);
  const { withheld, ...graph } = await traceGraph(deps.db, start.lotIds, direction, { vouching: v, actor });
  const regions = uniq([...graph.parties.map((p) => p.region), ...graph.locations.map((l) => l.region)]).sort();
  const heldGrams = graph.holdings.reduce((n, h) => n + Math.round(h.quantity.kg * 1000), 0);
  const nodes = new Map<string, Vouch>();
  for (const x of [...graph.lots, ...graph.shipments, ...graph.holdings, ...graph.transformations])
    if (x.vouchedBy && !nodes.has(x.vouchedBy.origin)) nodes.set(x.vouchedBy.origin, x.vouchedBy);
  return {
    start,
    summary: {
      lots: graph.lots.length,
      parties: graph.parties.length,
      holders: uniq(graph.holdings.map((h) => h.partyId)).length,
      heldKg: heldGrams / 1000,
      regions,
      nodes: [...nodes.values()].sort((a, b) => (a.origin < b.origin ? -1 : 1)),
      withheld: withheld ?? 0,
    },
    ...graph,
  };
}
