import type { Kysely, Transaction } from 'kysely';
import type { Actor } from '../../domain/access.ts';
import { BUSINESS_ROLES, mayAttempt } from '../../domain/access.ts';
import { countryName } from '../../domain/country.ts';
import { regionName } from '../../domain/regions.ts';
import { chinaDayStart, chinaIso } from '../../reports/china-time.ts';
import type { FsmaEvent, FsmaLot, FsmaSheets } from '../../reports/fsma204.ts';
import { fsmaSheets, tlcOf } from '../../reports/fsma204.ts';
import type { LotRow, Schema } from '../../store/schema.ts';
import { inChunks, lotLinks, lotsByIds, producersByIds } from '../../store/trace.ts';
import { AppError, invalid } from '../errors.ts';
import { forbid } from '../access/authorize.ts';
import type { Deps } from '../deps.ts';
import { resolveTraceStart } from './trace.ts';

type Db = Kysely<Schema> | Transaction<Schema>;

/** FSMA_MAX_LOTS is how many lots one request may name (expansion through the trace may add more). */
export const FSMA_MAX_LOTS = 500;

/** FsmaRequest is what the spreadsheet covers: lots (ids, trace codes or carton codes), a time range, and expansion. */
export interface FsmaRequest {
  readonly lots: readonly string[];
  readonly from?: number;
  readonly to?: number;
  readonly expand?: boolean;
}

const kg = (grams: unknown) => Number(grams ?? 0) / 1000;
const uniq = (xs: Iterable<string | null | undefined>) => [
  ...new Set([...xs].filter((x): x is string => typeof x === 'string' && x !== '')),
];

/** involvedLots returns which of lotIds the party declared, holds, shipped, received or transformed. */
async function involvedLots(db: Db, partyId: string, lotIds: readonly string[]): Promise<Set<string>> {
  const found = await inChunks(lotIds, async (c) => [
    ...(await db
      .selectFrom('lots')
      .select('id as lotId')
      .where('id', 'in', c)
      .where('importerPartyId', '=', partyId)
      .execute()),
    ...(await db
      .selectFrom('holdings')
      .select('lotId')
      .where('lotId', 'in', c)
      .where('partyId', '=', partyId)
      .execute()),
    ...(await db
      .selectFrom('shipments')
      .select('lotId')
      .where('lotId', 'in', c)
      .where((eb) => eb.or([eb('fromPartyId', '=', partyId), eb('toPartyId', '=', partyId)]))
      .execute()),
    ...(await db
      .selectFrom('transformationLots')
      .innerJoin('transformations', 'transformations.id', 'transformationLots.transformationId')
      .select('transformationLots.lotId as lotId')
      .where('transformationLots.lotId', 'in', c)
      .where('transformations.partyId', '=', partyId)
      .execute()),
  ]);
  return new Set(found.map((r) => r.lotId));
}

/** describer looks up the parties, places and producers of the events once, and writes them as FDA location descriptions. */
async function describer(
  db: Db,
  partyIds: readonly string[],
  locationIds: readonly string[],
  producerIds: readonly string[],
) {
  const [parties, locations, producers] = await Promise.all([
    inChunks(uniq(partyIds), (c) =>
      db.selectFrom('parties').select(['id', 'nameZh', 'nameEn', 'uscc', 'region']).where('id', 'in', c).execute(),
    ),
    inChunks(uniq(locationIds), (c) =>
      db.selectFrom('locations').select(['id', 'name', 'address', 'filingNo', 'region']).where('id', 'in', c).execute(),
    ),
    producersByIds(db, uniq(producerIds)),
  ]);
  const province = (code: string) => `${regionName(code, 'en') ?? code} ${regionName(code, 'zh') ?? ''}`.trim();
  const partyName = (id: string) => {
    const p = parties.find((x) => x.id === id);
    return p ? [p.nameZh, p.nameEn].filter(Boolean).join(' / ') || p.id : id;
  };
  return {
    /** place: "party, location name, address, province, China; filing no. …; USCC …" (without a location: the party and its province). */
    place(partyId: string, locationId: string | null): string {
      const p = parties.find((x) => x.id === partyId);
      const l = locationId ? locations.find((x) => x.id === locationId) : undefined;
      const where = l
        ? `${l.name}, ${l.address}, ${province(l.region)}, China 中国; filing no. 备案号 ${l.filingNo}`
        : `${province(p?.region ?? '')}, China 中国`;
      return `${partyName(partyId)}, ${where}${p ? `; USCC ${p.uscc}` : ''}`;
    },
    producer(producerId: string): string {
      const p = producers.find((x) => x.id === producerId);
      if (!p) return producerId;
      return `${[p.nameZh, p.name].filter(Boolean).join(' / ')}, ${countryName(p.country, 'en') ?? p.country} (${p.country}); establishment no. ${p.registrationNo}`;
    },
    producerName: (producerId: string) => producers.find((x) => x.id === producerId)?.name ?? producerId,
  };
}

/**
 * fsma204Report gathers the FSMA 204 sortable spreadsheet for lots: every Receiving (the importer's entry at the port,
 * and every shipment received), Shipping (every shipment and sale handed over) and Transformation of those lots whose
 * date falls in [from, to], and with `expand` also of every lot in their trace, forward and backward. Regulators,
 * customs and auditors get every party's records; a business may ask only for lots it declared, holds, or shipped,
 * received or transformed (Forbidden naming `lotIds.N` otherwise), and gets the events it performed itself: its
 * receipts, its shipments, its transformations, as the rule asks each business to keep.
 */
export async function fsma204Report(
  deps: Deps,
  actor: Actor,
  req: FsmaRequest,
): Promise<{ sheets: FsmaSheets; lotIds: string[] }> {
  const db = deps.db;
  const full = mayAttempt(actor, 'lot.trace');
  if (!full && !actor.roles.some((r) => BUSINESS_ROLES.includes(r))) throw forbid('lot.trace');
  if (req.lots.length === 0) throw invalid('lotIds', 'must name at least one lot');
  if (req.lots.length > FSMA_MAX_LOTS) throw invalid('lotIds', `must name at most ${FSMA_MAX_LOTS} lots`);
  if (req.from !== undefined && req.to !== undefined && req.to < req.from) throw invalid('to', 'is before from');
  const named: (readonly string[])[] = [];
  for (const [i, ref] of req.lots.entries()) named.push((await resolveTraceStart(db, ref, `lotIds.${i}`)).lotIds);
  if (!full) {
    const mine = await involvedLots(db, actor.partyId, named.flat());
    const i = named.findIndex((ids) => ids.some((id) => !mine.has(id)));
    if (i >= 0)
      throw new AppError('Forbidden', {
        field: `lotIds.${i}`,
        reason: 'your business never held this lot; ask a regulator for its records',
      });
  }
  let lotIds = uniq(named.flat());
  if (req.expand) {
    const [fwd, back] = await Promise.all([lotLinks(db, lotIds, 'forward'), lotLinks(db, lotIds, 'backward')]);
    lotIds = uniq([...lotIds, ...fwd.depth.keys(), ...back.depth.keys()]);
  }
  const within = (t: number) => (req.from === undefined || t >= req.from) && (req.to === undefined || t <= req.to);
  const mineOnly = (partyId: string) => full || partyId === actor.partyId;

  const [lots, shipments, tlots] = await Promise.all([
    lotsByIds(db, lotIds),
    inChunks(lotIds, (c) => db.selectFrom('shipments').selectAll().where('lotId', 'in', c).execute()),
    inChunks(lotIds, (c) =>
      db.selectFrom('transformationLots').select('transformationId').where('lotId', 'in', c).execute(),
    ),
  ]);
  const tIds = uniq([...tlots.map((t) => t.transformationId), ...lots.map((l) => l.transformationId)]);
  const [transformations, sides] = await Promise.all([
    inChunks(tIds, (c) => db.selectFrom('transformations').selectAll().where('id', 'in', c).execute()),
    inChunks(tIds, (c) => db.selectFrom('transformationLots').selectAll().where('transformationId', 'in', c).execute()),
  ]);
  const allLots = new Map(
    [
      ...lots,
      ...(await lotsByIds(db, uniq(sides.map((s) => s.lotId).filter((id) => !lots.some((l) => l.id === id))))),
    ].map((l) => [l.id, l]),
  );
  const d = await describer(
    db,
    [
      ...[...allLots.values()].map((l) => l.importerPartyId),
      ...shipments.flatMap((s) => [s.fromPartyId, s.toPartyId]),
      ...transformations.map((t) => t.partyId),
    ],
    [
      ...shipments.flatMap((s) => [s.fromLocationId, s.toLocationId]),
      ...transformations.map((t) => t.locationId),
    ].filter((x): x is string => x !== null),
    [...allLots.values()].map((l) => l.producerId),
  );

  const madeBy = new Map(transformations.map((t) => [t.id, t]));
  const lotOf = (l: LotRow): FsmaLot => {
    const made = l.transformationId ? madeBy.get(l.transformationId) : undefined;
    const perCarton = l.cartons > 0 ? `; cartons of ${Number((kg(l.netGrams) / l.cartons).toFixed(3))} kg 每箱` : '';
    const tlcSource = made
      ? d.place(made.partyId, made.locationId)
      : `${d.place(l.importerPartyId, null)}; trace code assigned at import declaration 报关单 ${l.declarationNo}, ${l.portOfEntry}` +
        (l.gtin ? `; GTIN and batch assigned by ${d.producerName(l.producerId)}` : '');
    return {
      tlc: tlcOf(l.code, l.gtin, l.batchNo),
      description: `${[l.productNameZh, l.productNameEn].filter(Boolean).join(' / ')}; ${l.category}, HS ${l.hsCode}; origin ${l.originCountry}; batch ${l.batchNo}${perCarton}`,
      tlcSource,
    };
  };

  const events: FsmaEvent[] = [];
  for (const l of lots) {
    if (l.origin !== 'imported' || !within(chinaDayStart(l.arrivalDate)) || !mineOnly(l.importerPartyId)) continue;
    events.push({
      cte: 'Receiving',
      lot: lotOf(l),
      quantity: { kg: kg(l.netGrams), cartons: l.cartons },
      date: l.arrivalDate,
      previousSource: d.producer(l.producerId),
      receivedAt: `${d.place(l.importerPartyId, null)}; port of entry 口岸 ${l.portOfEntry}`,
      refType: 'Customs declaration 报关单',
      refNo: l.declarationNo,
    });
  }
  for (const s of shipments) {
    const lot = lotOf(allLots.get(s.lotId)!);
    const refType = s.purpose === 'sale' ? 'Sales document 销售单' : 'Delivery note 发货单';
    const refNo = s.referenceDoc ?? `coldtrace ${s.id}`;
    if (within(Number(s.departedAt)) && mineOnly(s.fromPartyId)) {
      events.push({
        cte: 'Shipping',
        lot,
        quantity: { kg: kg(s.grams), cartons: s.cartons },
        date: chinaIso(Number(s.departedAt)),
        recipient: d.place(s.toPartyId, s.toLocationId),
        shippedFrom: d.place(s.fromPartyId, s.fromLocationId),
        refType,
        refNo,
      });
    }
    if (s.receivedAt !== null && within(Number(s.receivedAt)) && mineOnly(s.toPartyId)) {
      events.push({
        cte: 'Receiving',
        lot,
        quantity: { kg: kg(s.receivedGrams), cartons: s.receivedCartons ?? 0 },
        date: chinaIso(Number(s.receivedAt)),
        previousSource: d.place(s.fromPartyId, s.fromLocationId),
        receivedAt: d.place(s.toPartyId, s.toLocationId),
        refType,
        refNo,
      });
    }
  }
  for (const t of transformations) {
    if (!within(Number(t.at)) || !mineOnly(t.partyId)) continue;
    const side = (role: 'input' | 'output') =>
      sides
        .filter((s) => s.transformationId === t.id && (s.role === 'input') === (role === 'input'))
        .map((s) => ({ lot: lotOf(allLots.get(s.lotId)!), quantity: { kg: kg(s.grams), cartons: s.cartons } }));
    events.push({
      cte: 'Transformation',
      date: chinaIso(Number(t.at)),
      location: d.place(t.partyId, t.locationId),
      inputs: side('input'),
      outputs: side('output'),
      refType: t.kind === 'repack' ? 'Repacking record 分装记录' : 'Processing record 加工记录',
      refNo: t.referenceDoc ?? `coldtrace ${t.id}`,
    });
  }
  return { sheets: fsmaSheets(events), lotIds };
}
