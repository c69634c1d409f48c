/**
 * Trace across: what a trace adds when it runs over the peers' mirrored facts as well as this node's (see traceGraph
 * in trace.ts): the walk of the lot graph through both, the merge of a fact that is on several logs into one, the
 * access rules for the peers' facts, and the directory (parties, places, vehicles, workers, producers) from both.
 * It reads only.
 */
import type { Kysely, Transaction } from 'kysely';
import type { Actor } from '../../domain/access.ts';
import type { LotRow, Schema, TransformationLotRow, TransformationRow } from '../../store/schema.ts';
import type { disposalsOfLots, holdingsOfLots, retailTotalsOfLots, shipmentsOfLots } from '../../store/trace.ts';
import {
  inChunks,
  locationsByIds,
  lotLinks,
  partiesByIds,
  producersByIds,
  vehiclesByIds,
  workersByIds,
} from '../../store/trace.ts';
import type { LotLink } from '../../store/trace.ts';
import type { PeerLot, PeerShipment, Vouch, Vouching } from '../recognition/peer-trace.ts';
import {
  peerLinks,
  peerLotFacts,
  peerLots,
  peerRecordsById,
  peerTransformations,
  withReceipt,
} from '../recognition/peer-trace.ts';

type Db = Kysely<Schema> | Transaction<Schema>;

const uniq = (xs: Iterable<string | null | undefined>) => [
  ...new Set([...xs].filter((x): x is string => typeof x === 'string' && x !== '')),
];

/**
 * TraceScope widens a trace to the peers' mirrored facts, for an actor. Without it a trace walks this node's own
 * tables only, as before federation, and its facts carry no vouchedBy.
 */
export interface TraceScope {
  readonly vouching: Vouching;
  readonly actor: Actor;
}

/**
 * Visibility is whether the actor sees a peer's fact: yes; no (it is counted as withheld); or only if it turns out to
 * be on the path the goods took to the start (upstream), which inboundPath decides.
 */
export type Visibility = 'yes' | 'no' | 'upstream';
/** Tagged is what a fact of the graph may carry: the node that vouches for it, and whether it is upstream only. */
export type Tagged = { readonly vouch?: Vouch; readonly upstream?: boolean };
// The rows of a trace, this node's or a peer's, as traceGraph merges them.
export type ShipmentRow = Awaited<ReturnType<typeof shipmentsOfLots>>[number] &
  Tagged & {
    readonly receiptVouch?: Vouch | null;
  };
export type HoldingRow = Awaited<ReturnType<typeof holdingsOfLots>>[number] & Tagged;
export type RetailRow = Awaited<ReturnType<typeof retailTotalsOfLots>>[number] & Tagged;
export type DisposalRow = Awaited<ReturnType<typeof disposalsOfLots>>[number] & Tagged;
export type PartyRow = Awaited<ReturnType<typeof partiesByIds>>[number] & { readonly vouch?: Vouch };
export type LocationRow = Awaited<ReturnType<typeof locationsByIds>>[number] & { readonly vouch?: Vouch };
export type AnyLot = LotRow & { readonly vouch?: Vouch };

/**
 * walk crosses the lot graph a level at a time through this node's transformations and, with a scope, the peers'
 * too: one query per level and side. Backward it follows every peer's transformation (where the goods came from);
 * forward only those that made lots from this node's own lots or what was made of them, unless the actor is
 * national: the holders of other provinces' lots are theirs to trace. `fromHere` holds the lots that came from this
 * node, and grows with what the forward walk finds was made of them.
 */
export async function walk(
  db: Db,
  starts: readonly string[],
  way: 'forward' | 'backward',
  scope: TraceScope | undefined,
  fromHere: Set<string>,
) {
  if (!scope) return lotLinks(db, starts, way);
  const depth = new Map<string, number>(starts.map((id) => [id, 0]));
  const links: LotLink[] = [];
  const seen = new Set<string>();
  let frontier = [...new Set(starts)];
  const [near, far] = way === 'forward' ? (['input', 'output'] as const) : (['output', 'input'] as const);
  for (let level = 1; frontier.length > 0; level++) {
    const local = await inChunks(frontier, (chunk) =>
      db
        .selectFrom('transformationLots as a')
        .innerJoin('transformationLots as b', (j) =>
          j.onRef('b.transformationId', '=', 'a.transformationId').on('b.role', '=', far),
        )
        .select(['a.transformationId as transformationId', 'a.lotId as near', 'b.lotId as far'])
        .where('a.role', '=', near)
        .where('a.lotId', 'in', chunk)
        .execute(),
    );
    const step: LotLink[] = local.map((r) =>
      way === 'forward'
        ? { transformationId: r.transformationId, from: r.near, to: r.far }
        : { transformationId: r.transformationId, from: r.far, to: r.near },
    );
    for (const l of await peerLinks(db, frontier, way))
      if (way === 'backward' || scope.actor.national || fromHere.has(l.from)) step.push(l);
    const next: string[] = [];
    for (const l of step) {
      const key = `${l.transformationId}|${l.from}|${l.to}`;
      if (seen.has(key)) continue;
      seen.add(key);
      links.push(l);
      if (way === 'forward' && fromHere.has(l.from)) fromHere.add(l.to);
      const reached = way === 'forward' ? l.to : l.from;
      if (!depth.has(reached)) {
        depth.set(reached, level);
        next.push(reached);
      }
    }
    frontier = next;
  }
  return { depth, links };
}

/**
 * ownLots returns which of ids are this node's own lots: declared or made here (not recognised from a peer).
 */
export async function ownLots(db: Db, ids: readonly string[]): Promise<Set<string>> {
  const rows = await inChunks([...new Set(ids)], (c) =>
    db.selectFrom('lots').select(['id', 'homeOrigin']).where('id', 'in', c).execute(),
  );
  return new Set(rows.filter((r) => !r.homeOrigin).map((r) => r.id));
}

/**
 * PeerPart is what the peers add to a trace: their facts about its lots, merged with this node's so that a fact on
 * several logs shows once (this node's version first, then the home node's), and only what the actor may see.
 */
export interface PeerPart {
  lots: AnyLot[];
  homeVersions: Map<string, PeerLot>;
  transformations: (TransformationRow & { vouch?: Vouch })[];
  tLots: (TransformationLotRow & { vouch?: Vouch })[];
  shipments: ShipmentRow[];
  holdings: HoldingRow[];
  disposals: DisposalRow[];
  retail: RetailRow[];
  withheld: number;
}

/**
 * withPeers adds the peers' facts to this node's, merged (see PeerPart). A peer's fact about a lot is shown when the
 * lot came from this node (see walk), when it names a party the actor may see by the access rules (its region), when
 * it is on the path the goods took to the start (backward), or to a national actor; the rest is counted as withheld.
 * Lots, transformations and border records on the graph are always shown: they are where the goods came from.
 */
export async function withPeers(
  db: Db,
  scope: TraceScope,
  lotIds: readonly string[],
  transformationIds: readonly string[],
  local: {
    lots: LotRow[];
    shipments: ShipmentRow[];
    holdings: HoldingRow[];
    transformations: TransformationRow[];
    tLots: TransformationLotRow[];
    disposals: DisposalRow[];
    retail: RetailRow[];
  },
  visible: (lotId: string, partyIds: readonly string[], regions: ReadonlyMap<string, string>) => Visibility,
): Promise<PeerPart> {
  const v = scope.vouching;
  const own = v.own;
  const haveLots = new Set(local.lots.map((l) => l.id));
  const haveT = new Set(local.transformations.map((t) => t.id));
  const recognised = local.lots.filter((l) => l.homeOrigin).map((l) => l.id);
  const [peerLotRows, homeRows, facts, peerT] = await Promise.all([
    peerLots(
      db,
      v,
      lotIds.filter((id) => !haveLots.has(id)),
    ),
    peerLots(db, v, recognised),
    peerLotFacts(db, v, lotIds),
    peerTransformations(
      db,
      v,
      transformationIds.filter((id) => !haveT.has(id)),
    ),
  ]);
  const homeVersions = new Map([...homeRows, ...peerLotRows].map((l) => [l.id, l]));

  const localShipments = new Set(local.shipments.map((s) => s.id));
  const peerOnly = [...facts.shipments.entries()].filter(([id]) => !localShipments.has(id));
  // Who the peers' facts name, and where they are: the access rules decide by the party's region.
  const named = uniq([
    ...peerOnly.flatMap(([, [base]]) => [base!.fromPartyId, base!.toPartyId]),
    ...facts.holdings.map((h) => h.partyId),
    ...facts.disposals.map((d) => d.partyId),
    ...facts.retailSales.map((r) => r.partyId),
  ]);
  // One read of the directory tells both where the consignees' own nodes are and where the named parties are.
  const places = await partyPlaces(db, v, [
    ...local.shipments.map((s) => s.toPartyId),
    ...[...facts.shipments.values()].map((xs) => xs[0]!.toPartyId),
    ...named,
  ]);
  const homes = new Map([...places].map(([id, p]) => [id, p.home]));
  const regions = new Map([...places].map(([id, p]) => [id, p.region]));

  // A copy of a shipment completes it only when it is on the consignee's own node's log: that node received it.
  const byConsignee = (s: { toPartyId: string }, copies: readonly PeerShipment[]) =>
    copies.filter((c) => c.vouch.origin === homes.get(s.toPartyId));
  const shipments: ShipmentRow[] = local.shipments.map((s) => {
    const mine: PeerShipment = { ...s, vouch: own, receiptVouch: s.receivedAt === null ? null : own };
    return withReceipt(mine, byConsignee(s, facts.shipments.get(s.id) ?? []));
  });
  const peerShipments = peerOnly.map(([, [base, ...copies]]) => withReceipt(base!, byConsignee(base!, copies)));
  const retailByKey = new Map<string, RetailRow & { vouch: Vouch }>();
  for (const r of facts.retailSales) {
    const key = `${r.vouch.origin}|${r.lotId}|${r.partyId}`;
    const cur = retailByKey.get(key);
    const worse = cur && cur.vouch.trust === 'unverified' ? cur.vouch : r.vouch;
    retailByKey.set(key, {
      lotId: r.lotId,
      partyId: r.partyId,
      grams: Number(cur?.grams ?? 0) + r.grams,
      cartons: Number(cur?.cartons ?? 0) + r.cartons,
      sales: Number(cur?.sales ?? 0) + 1,
      firstAt: Math.min(Number(cur?.firstAt ?? r.soldAt), r.soldAt),
      lastAt: Math.max(Number(cur?.lastAt ?? r.soldAt), r.soldAt),
      lastRecordedAt: Math.max(Number(cur?.lastRecordedAt ?? r.createdAt), r.createdAt),
      vouch: worse,
    });
  }

  let withheld = 0;
  const keep = <T>(xs: readonly T[], lotId: (x: T) => string, parties: (x: T) => string[]) =>
    xs.flatMap((x) => {
      const seen = visible(lotId(x), parties(x), regions);
      if (seen === 'no') withheld++;
      return seen === 'no' ? [] : [seen === 'upstream' ? { ...x, upstream: true } : x];
    });
  return {
    lots: [...local.lots.map((l) => ({ ...l, vouch: own })), ...peerLotRows.map((l) => ({ ...l }))],
    homeVersions,
    transformations: [...local.transformations.map((t) => ({ ...t, vouch: own })), ...peerT.transformations],
    tLots: [...local.tLots.map((t) => ({ ...t, vouch: own })), ...peerT.lots],
    shipments: [
      ...shipments,
      ...keep(
        peerShipments,
        (s) => s.lotId,
        (s) => [s.fromPartyId, s.toPartyId],
      ),
    ],
    holdings: [
      ...local.holdings.map((h) => ({ ...h, vouch: own })),
      ...keep(
        facts.holdings,
        (h) => h.lotId,
        (h) => [h.partyId],
      ),
    ],
    disposals: [
      ...local.disposals.map((d) => ({ ...d, vouch: own })),
      ...keep(
        facts.disposals,
        (d) => d.lotId,
        (d) => [d.partyId],
      ),
    ],
    retail: [
      ...local.retail.map((r) => ({ ...r, vouch: own })),
      ...keep(
        [...retailByKey.values()],
        (r) => r.lotId,
        (r) => [r.partyId],
      ),
    ],
    withheld,
  };
}

/**
 * partyPlaces maps parties to the origin of the node whose directory they are in (this node's for its own) and to
 * their region: from this node's directory (which holds the recognised), else from a peer's.
 */
async function partyPlaces(
  db: Db,
  v: Vouching,
  ids: readonly string[],
): Promise<Map<string, { home: string; region: string }>> {
  const wanted = uniq(ids);
  const local = await inChunks(wanted, (c) =>
    db.selectFrom('parties').select(['id', 'homeOrigin', 'region']).where('id', 'in', c).execute(),
  );
  const have = new Set(local.map((p) => p.id));
  const peer = await peerRecordsById(
    db,
    v,
    'parties',
    wanted.filter((id) => !have.has(id)),
  );
  return new Map([
    ...local.map((p) => [p.id, { home: p.homeOrigin ?? v.own.origin, region: p.region }] as const),
    ...peer.map(
      (p) =>
        [
          p.id,
          { home: typeof p.homeOrigin === 'string' ? p.homeOrigin : p.origin, region: String(p.region ?? '') },
        ] as const,
    ),
  ]);
}

/**
 * directory reads parties, places, vehicles, workers and producers by id: this node's first, then the peers' (whose
 * rows are shaped as this node's), each with the node that vouches for it when a scope asks.
 */
export async function directory(
  db: Db,
  scope: TraceScope | undefined,
  ids: {
    parties: string[];
    locations: string[];
    producers: string[];
    vehicles: string[];
    workers: string[];
  },
) {
  const [parties, locations, producers, vehicles, workers] = await Promise.all([
    partiesByIds(db, ids.parties),
    locationsByIds(db, ids.locations),
    producersByIds(db, ids.producers),
    vehiclesByIds(db, ids.vehicles),
    workersByIds(db, ids.workers),
  ]);
  if (!scope) return { parties, locations, producers, vehicles, workers };
  const v = scope.vouching;
  const missing = (want: string[], have: readonly { id: string }[]) => {
    const got = new Set(have.map((x) => x.id));
    return want.filter((id) => !got.has(id));
  };
  const [pp, pl, pr, pv, pw] = await Promise.all([
    peerRecordsById(db, v, 'parties', missing(ids.parties, parties)),
    peerRecordsById(db, v, 'locations', missing(ids.locations, locations)),
    peerRecordsById(db, v, 'producers', missing(ids.producers, producers)),
    peerRecordsById(db, v, 'vehicles', missing(ids.vehicles, vehicles)),
    peerRecordsById(db, v, 'workers', missing(ids.workers, workers)),
  ]);
  const s = (x: unknown) => (typeof x === 'string' ? x : '');
  const sn = (x: unknown) => (typeof x === 'string' ? x : null);
  const own = { vouch: v.own };
  return {
    parties: [
      ...parties.map((p) => ({ ...p, ...own })),
      ...pp.map((p) => ({
        id: p.id,
        nameZh: sn(p.nameZh),
        nameEn: sn(p.nameEn),
        roles: typeof p.roles === 'string' ? p.roles : '[]',
        region: s(p.region),
        vouch: p.vouch,
      })),
    ],
    locations: [
      ...locations.map((l) => ({ ...l, ...own })),
      ...pl.map((l) => ({
        id: l.id,
        ownerPartyId: s(l.ownerPartyId),
        name: s(l.name),
        filingNo: s(l.filingNo),
        region: s(l.region),
        kind: s(l.kind),
        vouch: l.vouch,
      })),
    ],
    producers: [
      ...producers.map((p) => ({ ...p, ...own })),
      ...pr.map((p) => ({
        id: p.id,
        country: s(p.country),
        registrationNo: s(p.registrationNo),
        name: s(p.name),
        nameZh: sn(p.nameZh),
        vouch: p.vouch,
      })),
    ],
    vehicles: [
      ...vehicles.map((x) => ({ ...x, ...own })),
      ...pv.map((x) => ({
        id: x.id,
        plate: s(x.plate),
        carrierPartyId: s(x.carrierPartyId),
        refrigerated: x.refrigerated === 1 || x.refrigerated === true ? 1 : 0,
        vouch: x.vouch,
      })),
    ],
    workers: [
      ...workers.map((x) => ({ ...x, ...own })),
      ...pw.map((x) => ({
        id: x.id,
        name: s(x.name),
        role: s(x.role),
        employerPartyId: s(x.employerPartyId),
        vouch: x.vouch,
      })),
    ],
  };
}
