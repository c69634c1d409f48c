/**
 * The public journey across provinces: where a lot came from and went, over this node's facts and its peers'
 * mirrored ones, each step saying which node vouches for it. Used by public-lot.ts.
 *
 * Invariants:
 * - The graph is read whole (as the national level may read it), and only what the public page may show leaves
 *   this file: places, dates, provinces, and the businesses that made a lot or lie on the way to the holder the scan
 *   named; never a vehicle, a driver, a handler, nor any other receiver.
 */
import type { Actor } from '../../domain/access.ts';
import type { Lang } from '../../domain/lot-status.ts';
import { regionName } from '../../domain/regions.ts';
import { findLotByCode, lotBookings, lotDisinfections, lotExitCertificate } from '../../store/border.ts';
import { findLocation } from '../../store/master.ts';
import type { LocationRow, LotRow } from '../../store/schema.ts';
import { cartonLot } from '../border/cartons.ts';
import type { Deps } from '../deps.ts';
import { iso } from '../access/paging.ts';
import type { TraceGraph } from '../recall/trace.ts';
import { traceGraph } from '../recall/trace.ts';
import { peerRowsByLot } from '../recognition/peer-index.ts';
import type { Trust, Vouch, Vouching } from '../recognition/peer-trace.ts';
import { peerLotsByCode, peerRecordsById } from '../recognition/peer-trace.ts';

/** PublicVouch is the node whose log holds a step of the journey, and how far the node showing it trusts it. */
export interface PublicVouch {
  origin: string;
  node: string;
  trust: Trust;
}

/** A place and time the lot passed through. `at` is a date (YYYY-MM-DD) for entry, else ISO 8601. */
export interface JourneyStep {
  kind:
    | 'entry'
    | 'warehouse_arrival'
    | 'disinfection'
    | 'exit_certificate'
    | 'received'
    | 'transformed'
    | 'province_arrival';
  label: string;
  place: string;
  region: string | null;
  regionName: string | null;
  at: string;
  ref: string | null;
  /** vouchedBy is the node whose log records the step (this node's own, or a peer's through its mirror). */
  vouchedBy: PublicVouch;
}

/** JOURNEY_WORDS are the journey's labels in each language. */
export const JOURNEY_WORDS = {
  zh: {
    entry: '入境口岸',
    warehouse_arrival: '进入集中监管仓',
    disinfection: '消毒',
    exit_certificate: '出仓证明',
    received: '到货入库',
    transformed: '分装/加工',
    province_arrival: '运抵外省',
    repack: '分装',
    process: '加工',
    unknownPlace: '未登记地点',
  },
  en: {
    entry: 'Port of entry',
    warehouse_arrival: 'Into the supervision warehouse',
    disinfection: 'Disinfected',
    exit_certificate: 'Exit certificate',
    received: 'Received by',
    transformed: 'Repacked or processed',
    province_arrival: 'Arrived in another province',
    repack: 'Repacked by',
    process: 'Processed by',
    unknownPlace: 'Place not recorded',
  },
} as const satisfies Record<Lang, unknown>;

const STEP_ORDER: Record<JourneyStep['kind'], number> = {
  entry: 0,
  warehouse_arrival: 1,
  disinfection: 2,
  exit_certificate: 3,
  province_arrival: 4,
  received: 5,
  transformed: 6,
};

// The whole graph is read as the national level may read it; the public view then keeps only what it may show.
const PUBLIC_READER: Actor = { partyId: '', roles: [], region: '', national: true };

const publicVouch = (v: Vouch): PublicVouch => ({ origin: v.origin, node: v.node, trust: v.trust });

/** FoundLot is the lot a public code names: this node's row, or a peer's through the mirror, and who vouches for it. */
export interface FoundLot {
  readonly lot: LotRow;
  readonly vouch: Vouch;
  /** own is true for a lot declared or made on this node. */
  readonly own: boolean;
  /** home is the origin of the node where the lot was declared or made. */
  readonly home: string;
}

/**
 * findPublicLot finds the lot of a public code: this node's (a carton only if its serial was issued here), else a
 * peer's lot with that code through the mirror. A carton of a lot from elsewhere is taken within the lot's cartons,
 * since cartons are issued on the lot's home node. Null when neither holds it.
 */
export async function findPublicLot(
  deps: Deps,
  v: Vouching,
  code: { lotCode: string; serial: number | null },
): Promise<FoundLot | null> {
  const within = (lot: { cartons: number }) => code.serial === null || (code.serial >= 1 && code.serial <= lot.cartons);
  const local = await findLotByCode(deps.db, code.lotCode);
  if (local) {
    const own = !local.homeOrigin;
    if (own && code.serial !== null && !(await cartonLot(deps, code.lotCode, code.serial))) return null;
    if (!own && !within(local)) return null;
    const fromPlatform = local.homeOrigin?.startsWith('platform:') ?? false;
    // A lot recognised from another platform is vouched for by no log: trust level 4 (app/platforms).
    const vouch: Vouch = fromPlatform
      ? { origin: local.homeOrigin!, node: local.homeOrigin!, trust: 'platform' }
      : v.own;
    return { lot: local, vouch, own, home: local.homeOrigin ?? v.own.origin };
  }
  const [peer] = await peerLotsByCode(deps.db, v, code.lotCode);
  if (!peer || !within(peer)) return null;
  return { lot: peer, vouch: peer.vouch, own: false, home: peer.homeOrigin };
}

/** lineage reads the lot's graph backward, over this node's facts and its peers': where its goods came from. */
export function lineage(deps: Deps, v: Vouching, lotId: string): Promise<TraceGraph> {
  return traceGraph(deps.db, [lotId], 'backward', { vouching: v, actor: PUBLIC_READER });
}

/** Receipt is one received shipment of the graph, with who sent it, who received it, where and when, and its node. */
export interface Receipt {
  id: string;
  lotId: string;
  fromPartyId: string;
  toPartyId: string;
  fromRegion: string | null;
  receivedAt: string;
  nameZh: string | null;
  nameEn: string | null;
  partyRegion: string;
  locationName: string | null;
  locationRegion: string | null;
  vouchedBy: PublicVouch;
}

/** receiptsOf lists the received shipments of a graph (of the lot, and on the way to it), oldest first. */
export function receiptsOf(g: TraceGraph, own: Vouch): Receipt[] {
  const parties = new Map(g.parties.map((p) => [p.id, p]));
  const locations = new Map(g.locations.map((l) => [l.id, l]));
  const out: Receipt[] = [];
  for (const s of g.shipments) {
    const to = parties.get(s.to.partyId);
    if (!s.received?.at || !to) continue;
    const place = s.to.locationId ? locations.get(s.to.locationId) : undefined;
    out.push({
      id: s.id,
      lotId: s.lotId,
      fromPartyId: s.from.partyId,
      toPartyId: s.to.partyId,
      fromRegion: parties.get(s.from.partyId)?.region ?? null,
      receivedAt: s.received.at,
      nameZh: to.nameZh,
      nameEn: to.nameEn,
      partyRegion: to.region,
      locationName: place?.name ?? null,
      locationRegion: place?.region ?? null,
      vouchedBy: publicVouch(s.received.vouchedBy ?? s.vouchedBy ?? own),
    });
  }
  return out.sort((a, b) => a.receivedAt.localeCompare(b.receivedAt) || (a.id < b.id ? -1 : 1));
}

const nameIn = (lang: Lang, p: { nameZh: string | null; nameEn: string | null } | undefined) =>
  (lang === 'zh' ? (p?.nameZh ?? p?.nameEn) : (p?.nameEn ?? p?.nameZh)) ?? '';

/** receivedStep is where a receipt arrived: the receiving enterprise and its location and province, never a person. */
export function receivedStep(r: Receipt, lang: Lang): JourneyStep {
  const party = nameIn(lang, r);
  const region = r.locationRegion ?? r.partyRegion;
  return {
    kind: 'received',
    label: JOURNEY_WORDS[lang].received,
    place: r.locationName ? `${party} · ${r.locationName}` : party,
    region,
    regionName: regionName(region, lang) ?? null,
    at: r.receivedAt,
    ref: null,
    vouchedBy: r.vouchedBy,
  };
}

/**
 * provinceSteps are the goods' arrivals in another province, on the way to the lot and of the lot itself, other than
 * the receipts already named (`named`): the province and the first day, never the business. One per lot and province.
 */
function provinceSteps(receipts: readonly Receipt[], named: ReadonlySet<string>, lang: Lang): JourneyStep[] {
  const seen = new Set<string>();
  const out: JourneyStep[] = [];
  for (const r of receipts) {
    const region = r.locationRegion ?? r.partyRegion;
    if (named.has(r.id) || r.fromRegion === null || r.fromRegion === region) continue;
    if (seen.has(`${r.lotId}|${region}`)) continue;
    seen.add(`${r.lotId}|${region}`);
    const name = regionName(region, lang) ?? null;
    out.push({
      kind: 'province_arrival',
      label: JOURNEY_WORDS[lang].province_arrival,
      place: name ?? region,
      region,
      regionName: name,
      at: r.receivedAt,
      ref: null,
      vouchedBy: r.vouchedBy,
    });
  }
  return out;
}

/** transformedSteps are where and when the lot and the lots it came from were made: the enterprise and its place. */
function transformedSteps(g: TraceGraph, own: Vouch, lang: Lang): JourneyStep[] {
  const words = JOURNEY_WORDS[lang];
  const parties = new Map(g.parties.map((p) => [p.id, p]));
  const locations = new Map(g.locations.map((l) => [l.id, l]));
  return g.transformations.flatMap((t) => {
    const party = parties.get(t.partyId);
    if (!party || !t.at) return [];
    const place = t.locationId ? locations.get(t.locationId) : undefined;
    const region = place?.region ?? party.region;
    const name = nameIn(lang, party);
    return [
      {
        kind: 'transformed' as const,
        label: t.kind === 'process' ? words.process : t.kind === 'repack' ? words.repack : words.transformed,
        place: place ? `${name} · ${place.name}` : name,
        region,
        regionName: regionName(region, lang) ?? null,
        at: t.at,
        ref: null,
        vouchedBy: publicVouch(t.vouchedBy ?? own),
      },
    ];
  });
}

/**
 * borderSteps are the steps at the border of each lot the goods were imported as: into the supervision warehouse,
 * disinfected, and released with an exit certificate. A lot imported here shows its bookings' places; one imported
 * on a peer's node shows what that node's log says, at the warehouse's name (its bookings are not mirrored).
 */
async function borderSteps(deps: Deps, v: Vouching, g: TraceGraph, lang: Lang): Promise<JourneyStep[]> {
  const words = JOURNEY_WORDS[lang];
  const out: JourneyStep[] = [];
  const step = (
    kind: JourneyStep['kind'],
    place: { name: string; region: string } | undefined,
    at: number,
    vouch: Vouch,
    ref: string | null = null,
  ): JourneyStep => ({
    kind,
    label: words[kind],
    place: place?.name ?? words.unknownPlace,
    region: place?.region ?? null,
    regionName: place ? (regionName(place.region, lang) ?? null) : null,
    at: iso(at)!,
    ref,
    vouchedBy: publicVouch(vouch),
  });
  for (const b of g.border) {
    const vouch = b.vouchedBy ?? v.own;
    if (vouch.trust === 'own') {
      const [bookings, disinfections, exit] = await Promise.all([
        lotBookings(deps.db, b.lotId),
        lotDisinfections(deps.db, b.lotId),
        lotExitCertificate(deps.db, b.lotId),
      ]);
      const locations = new Map<string, LocationRow | undefined>();
      for (const x of bookings)
        if (!locations.has(x.locationId)) locations.set(x.locationId, await findLocation(deps.db, x.locationId));
      // The place of a warehouse's record is the location its arrived booking named.
      const placeOf = (warehousePartyId: string) => {
        const x = bookings.filter((k) => k.warehousePartyId === warehousePartyId && k.arrivedAt !== null).at(-1);
        return x ? locations.get(x.locationId) : undefined;
      };
      out.push(
        ...bookings
          .filter((x) => x.arrivedAt !== null)
          .map((x) => step('warehouse_arrival', locations.get(x.locationId), x.arrivedAt!, vouch)),
        ...disinfections.map((d) => step('disinfection', placeOf(d.warehousePartyId), d.performedAt, vouch)),
        ...(exit ? [step('exit_certificate', placeOf(exit.warehousePartyId), exit.issuedAt, vouch, exit.number)] : []),
      );
      continue;
    }
    const [disinfections, exits] = await Promise.all([
      peerRowsByLot(deps.db, 'disinfections', [b.lotId]),
      peerRowsByLot(deps.db, 'exitCertificates', [b.lotId]),
    ]);
    const fromHome = (r: { origin: string }) => r.origin === vouch.origin;
    const mine = disinfections.filter(fromHome);
    const exit = exits.filter(fromHome)[0];
    const warehouses = await warehouseNames(deps, v, [
      ...mine.map((d) => String(d.warehousePartyId)),
      ...(exit ? [String(exit.warehousePartyId)] : []),
    ]);
    for (const d of mine)
      if (typeof d.performedAt === 'number')
        out.push(
          step('disinfection', warehouses.get(String(d.warehousePartyId)), d.performedAt, v.of(d.origin, d.logIndex)),
        );
    if (exit && typeof exit.issuedAt === 'number')
      out.push(
        step(
          'exit_certificate',
          warehouses.get(String(exit.warehousePartyId)),
          exit.issuedAt,
          v.of(exit.origin, exit.logIndex),
          typeof exit.number === 'string' ? exit.number : null,
        ),
      );
  }
  return out;
}

/** warehouseNames names warehouses (businesses, never people) by their party, with their region. */
async function warehouseNames(deps: Deps, v: Vouching, ids: readonly string[]) {
  const out = new Map<string, { name: string; region: string }>();
  if (ids.length === 0) return out;
  const local = await deps.db
    .selectFrom('parties')
    .select(['id', 'nameZh', 'nameEn', 'region'])
    .where('id', 'in', [...new Set(ids)])
    .execute();
  for (const p of local) out.set(p.id, { name: p.nameZh ?? p.nameEn ?? '', region: p.region });
  const missing = ids.filter((id) => !out.has(id));
  for (const p of await peerRecordsById(deps.db, v, 'parties', missing))
    out.set(p.id, {
      name: typeof p.nameZh === 'string' ? p.nameZh : typeof p.nameEn === 'string' ? p.nameEn : '',
      region: typeof p.region === 'string' ? p.region : '',
    });
  return out;
}

/**
 * journeyAcross lists the places and times of the lot's whole journey, from the border on, across provinces: the
 * border steps of each lot its goods were imported as, where they were repacked or processed, their arrivals in
 * other provinces, and (`path`) the receipts on the way to the business the scan named. Each says which node vouches
 * for it. No vehicle, driver or handler is in it, and no receiver but those on `path`.
 */
export async function journeyAcross(
  deps: Deps,
  v: Vouching,
  found: FoundLot,
  g: TraceGraph,
  lang: Lang,
  path: readonly Receipt[],
): Promise<JourneyStep[]> {
  const { lot } = found;
  const root = g.border.find((b) => b.lotId === lot.id) ?? g.border[0];
  const entry: JourneyStep = {
    kind: 'entry',
    label: JOURNEY_WORDS[lang].entry,
    place: root?.portOfEntry ?? lot.portOfEntry,
    region: null,
    regionName: null,
    at: root?.arrivalDate ?? lot.arrivalDate,
    ref: null,
    vouchedBy: publicVouch(root?.vouchedBy ?? found.vouch),
  };
  const named = new Set(path.map((r) => r.id));
  const later = [
    ...(await borderSteps(deps, v, g, lang)),
    ...path.map((r) => receivedStep(r, lang)),
    ...transformedSteps(g, v.own, lang),
    ...provinceSteps(receiptsOf(g, v.own), named, lang),
  ];
  // Steps at the same time keep the order goods take: the border, arrival, then what was made of them there.
  later.sort((a, b) => a.at.localeCompare(b.at) || STEP_ORDER[a.kind] - STEP_ORDER[b.kind]);
  return [entry, ...later];
}

/** madeFromGraph lists the lots the lot was made from, as the graph (here or on a peer's node) records them. */
export function madeFromGraph(g: TraceGraph, lotId: string) {
  const lots = new Map(g.lots.map((l) => [l.id, l]));
  return g.transformations
    .filter((t) => t.outputs.some((o) => o.lotId === lotId))
    .flatMap((t) => t.inputs)
    .flatMap((i) => {
      const l = lots.get(i.lotId);
      return l ? [{ code: l.code, product: { zh: l.productNameZh, en: l.productNameEn }, status: l.status }] : [];
    });
}

/** AskNode is a node that may know a code this node holds nothing of: its name, province and public page for it. */
export interface AskNode {
  name: string;
  region: string | null;
  regionName: string | null;
  url: string;
}

/** WhereToAsk says which node to ask about a code this node holds nothing of, or that it cannot tell. */
export interface WhereToAsk {
  /** node is the node of the province the code names; null when the code does not name one (trace codes do not). */
  node: AskNode | null;
  reason: string;
  /** peers are the nodes this node federates with, which may know the code. */
  peers: AskNode[];
}

const ASK_WORDS = {
  zh: {
    unknown: '本节点及其镜像中没有此追溯码。追溯码不标明签发省份，无法确定应向哪个节点查询；可尝试以下节点。',
  },
  en: {
    unknown:
      'This node and its mirrors hold nothing of this code. Trace codes do not say which province issued them, so the node to ask is unknown; these nodes may know it.',
  },
} as const satisfies Record<Lang, unknown>;

/**
 * whereToAsk names the node to ask about a code this node holds nothing of. A code that carried its province would
 * name that province's peer; trace codes (domain/trace-code.ts) carry none, so the node is unknown, and the page
 * lists the peers, each with the address of its own page for the code.
 */
export async function whereToAsk(deps: Deps, lotCode: string, lang: Lang): Promise<WhereToAsk> {
  const peers = await deps.db
    .selectFrom('peers')
    .select(['name', 'region', 'baseUrl'])
    .where('removedAt', 'is', null)
    .orderBy('name')
    .execute();
  const ask = (p: { name: string; region: string | null; baseUrl: string }): AskNode => ({
    name: p.name,
    region: p.region,
    regionName: p.region ? (regionName(p.region, lang) ?? null) : null,
    url: `${p.baseUrl.replace(/\/+$/, '')}/t/${encodeURIComponent(lotCode)}?lang=${lang}`,
  });
  return { node: null, reason: ASK_WORDS[lang].unknown, peers: peers.map(ask) };
}
