import type { Kysely, Transaction } from 'kysely';
import type { Affected, IncidentScope, LotReason, Touch } from '../../domain/incident.ts';
import { LOT_REASONS } from '../../domain/incident.ts';
import { getSetting } from '../../store/master.ts';
import type { LotRow, Schema } from '../../store/schema.ts';
import {
  inChunks,
  lotLinks,
  lotsByIds,
  locationsByIds,
  partiesByIds,
  vehiclesByIds,
  workersByIds,
} from '../../store/trace.ts';
import { holdingId } from '../custody/holding-id.ts';
import { peerRowsByLot, peerRowsByRef } from '../recognition/peer-index.ts';

type Db = Kysely<Schema> | Transaction<Schema>;

/** INCIDENT_SCOPE names the setting that says, per region or nationally, which lots an incident takes in. */
export const INCIDENT_SCOPE = 'incident-scope';

/** incidentScopeFor is the scope in force for a region: its own, else the national one, else the default. */
export async function incidentScopeFor(db: Db, region: string, fallback: IncidentScope): Promise<IncidentScope> {
  const own = (await getSetting(db, `${INCIDENT_SCOPE}:${region}`)) as Partial<IncidentScope> | undefined;
  const national = (await getSetting(db, INCIDENT_SCOPE)) as Partial<IncidentScope> | undefined;
  return { ...fallback, ...national, ...own };
}

export interface AffectedLot {
  readonly lot: LotRow;
  readonly reason: LotReason;
  readonly depth: number;
}

const stronger = (a: LotReason, b: LotReason) => (LOT_REASONS.indexOf(a) <= LOT_REASONS.indexOf(b) ? a : b);

/**
 * affectedLots computes an incident's lots from its root lots: the imported lots they were made from (scope
 * sourceLots), the lots from the same containers (sameContainer) and of the same producer and production date
 * (sameProducerDate), and then every lot made from any of those, to the last descendant. Each lot keeps its strongest
 * tie and its distance from the nearest lot it descends from.
 */
export async function affectedLots(db: Db, roots: readonly LotRow[], scope: IncidentScope): Promise<AffectedLot[]> {
  const reason = new Map<string, LotReason>(roots.map((l) => [l.id, 'root']));
  const note = (id: string, r: LotReason) => reason.set(id, stronger(reason.get(id) ?? r, r));
  if (scope.sourceLots) {
    const up = await lotLinks(
      db,
      roots.map((l) => l.id),
      'backward',
    );
    const sources = (await lotsByIds(db, [...up.depth.keys()])).filter((l) => l.origin === 'imported');
    for (const l of sources) note(l.id, 'source');
  }
  const seeds = await lotsByIds(db, [...reason.keys()]);
  const imported = seeds.filter((l) => l.origin === 'imported');
  if (scope.sameContainer) {
    const containers = [...new Set(imported.map((l) => l.containerNo))];
    const same = await inChunks(containers, (c) =>
      db.selectFrom('lots').select('id').where('containerNo', 'in', c).where('origin', '=', 'imported').execute(),
    );
    for (const l of same) note(l.id, 'same_container');
  }
  if (scope.sameProducerDate) {
    for (const l of imported) {
      const same = await db
        .selectFrom('lots')
        .select('id')
        .where('producerId', '=', l.producerId)
        .where('productionDate', '=', l.productionDate)
        .where('origin', '=', 'imported')
        .execute();
      for (const s of same) note(s.id, 'same_producer_date');
    }
  }
  const down = await lotLinks(db, [...reason.keys()], 'forward');
  for (const id of down.depth.keys()) note(id, 'descendant');
  // Descendants made on a peer (its transformationLots rows, from the peer index) that this node holds too.
  for (let frontier = [...reason.keys()], seen = new Set(frontier), level = 1; frontier.length > 0; level++) {
    const ins = (await peerRowsByLot(db, 'transformationLots', frontier)).filter((r) => r.role === 'input');
    const outs = (
      await peerRowsByRef(
        db,
        'transformationLots',
        ins.map((r) => String(r.transformationId)),
      )
    ).filter((r) => r.role === 'output');
    const next = [...new Set(outs.map((r) => String(r.lotId)))].filter((id) => !seen.has(id));
    for (const id of next) seen.add(id);
    for (const l of await lotsByIds(db, next)) {
      note(l.id, 'descendant');
      if (!down.depth.has(l.id)) down.depth.set(l.id, level);
    }
    frontier = next;
  }
  const lots = await lotsByIds(db, [...reason.keys()]);
  return lots
    .map((lot) => ({ lot, reason: reason.get(lot.id)!, depth: down.depth.get(lot.id) ?? 0 }))
    .sort((a, b) => a.depth - b.depth || (a.lot.id < b.lot.id ? -1 : 1));
}

/**
 * affectedHoldings lists what must be accounted for: every non-empty holding of the affected lots, and the goods in
 * transit, which are counted with the holding they will arrive at (the consignee's), each with the holder's region.
 */
export async function affectedHoldings(
  db: Db,
  lotIds: readonly string[],
): Promise<(Affected & { inTransit: boolean })[]> {
  const [held, moving] = await Promise.all([
    inChunks(lotIds, (c) =>
      db.selectFrom('holdings').selectAll().where('lotId', 'in', c).where('grams', '>', 0).execute(),
    ),
    // Goods on their way to another province are counted there, by the consignee's node (app/recognition).
    inChunks(lotIds, (c) =>
      db
        .selectFrom('shipments')
        .innerJoin('parties', 'parties.id', 'shipments.toPartyId')
        .selectAll('shipments')
        .where('shipments.lotId', 'in', c)
        .where('shipments.status', '=', 'in_transit')
        .where('parties.homeOrigin', 'is', null)
        .execute(),
    ),
  ]);
  const m = new Map<
    string,
    { lotId: string; partyId: string; locationId: string | null; grams: number; cartons: number; inTransit: boolean }
  >();
  for (const h of held)
    m.set(h.id, {
      lotId: h.lotId,
      partyId: h.partyId,
      locationId: h.locationId,
      grams: Number(h.grams),
      cartons: h.cartons,
      inTransit: false,
    });
  for (const s of moving) {
    const id = holdingId(s.lotId, s.toPartyId, s.toLocationId);
    const cur = m.get(id) ?? {
      lotId: s.lotId,
      partyId: s.toPartyId,
      locationId: s.toLocationId,
      grams: 0,
      cartons: 0,
      inTransit: true,
    };
    m.set(id, { ...cur, grams: cur.grams + Number(s.grams), cartons: cur.cartons + s.cartons, inTransit: true });
  }
  const regions = new Map(
    (await partiesByIds(db, [...new Set([...m.values()].map((h) => h.partyId))])).map((p) => [p.id, p.region]),
  );
  return [...m.entries()]
    .map(([id, h]) => ({ holdingId: id, ...h, region: regions.get(h.partyId) ?? '000000' }))
    .sort((a, b) => (a.holdingId < b.holdingId ? -1 : 1));
}

/**
 * incidentTouches lists every time a vehicle, driver, handler or place touched the affected lots: shipments (at
 * departure and at receipt), supervision-warehouse bookings and disinfections, and the places where the goods were
 * held or transformed. Each touch carries the event's own time, when the goods were handled, not when it was recorded.
 */
export async function incidentTouches(db: Db, lotIds: readonly string[]): Promise<Touch[]> {
  const [shipments, bookings, disinfections, holdings, transformations] = await Promise.all([
    inChunks(lotIds, (c) => db.selectFrom('shipments').selectAll().where('lotId', 'in', c).execute()),
    inChunks(lotIds, (c) => db.selectFrom('bookings').selectAll().where('lotId', 'in', c).execute()),
    inChunks(lotIds, (c) => db.selectFrom('disinfections').selectAll().where('lotId', 'in', c).execute()),
    inChunks(lotIds, (c) => db.selectFrom('holdings').selectAll().where('lotId', 'in', c).execute()),
    inChunks(lotIds, (c) =>
      db
        .selectFrom('transformationLots')
        .innerJoin('transformations', 'transformations.id', 'transformationLots.transformationId')
        .select([
          'transformationLots.lotId as lotId',
          'transformations.locationId as locationId',
          'transformations.at as at',
        ])
        .where('transformationLots.lotId', 'in', c)
        .execute(),
    ),
  ]);
  type Raw = { kind: Touch['kind']; refId: string | null; at: number | null; lotId: string };
  const raw: Raw[] = [];
  for (const s of shipments) {
    for (const at of [s.departedAt, s.receivedAt]) {
      raw.push(
        { kind: 'vehicle', refId: s.vehicleId, at, lotId: s.lotId },
        { kind: 'driver', refId: s.driverWorkerId, at, lotId: s.lotId },
      );
      for (const h of JSON.parse(s.handlerWorkerIds) as string[])
        raw.push({ kind: 'handler', refId: h, at, lotId: s.lotId });
    }
    raw.push(
      { kind: 'location', refId: s.fromLocationId, at: s.departedAt, lotId: s.lotId },
      { kind: 'location', refId: s.toLocationId, at: s.receivedAt, lotId: s.lotId },
    );
  }
  for (const b of bookings) {
    const at = b.arrivedAt ?? b.slotStart;
    raw.push(
      { kind: 'vehicle', refId: b.vehicleId, at, lotId: b.lotId },
      { kind: 'driver', refId: b.driverWorkerId, at, lotId: b.lotId },
      { kind: 'location', refId: b.locationId, at, lotId: b.lotId },
    );
  }
  for (const d of disinfections)
    raw.push({ kind: 'handler', refId: d.operatorWorkerId, at: d.performedAt, lotId: d.lotId });
  for (const h of holdings) raw.push({ kind: 'location', refId: h.locationId, at: h.updatedAt, lotId: h.lotId });
  for (const t of transformations)
    raw.push({ kind: 'location', refId: t.locationId, at: Number(t.at), lotId: t.lotId });

  // A sale handed over at the seller's stall has no vehicle or driver (stored as '').
  const present = raw.filter(
    (r): r is Raw & { refId: string; at: number } => r.refId !== null && r.refId !== '' && r.at !== null,
  );
  const ids = (k: Touch['kind'][]) => [...new Set(present.filter((r) => k.includes(r.kind)).map((r) => r.refId))];
  const [vehicles, workers, locations] = await Promise.all([
    vehiclesByIds(db, ids(['vehicle'])),
    workersByIds(db, ids(['driver', 'handler'])),
    locationsByIds(db, ids(['location'])),
  ]);
  const label = new Map<string, { label: string; partyId: string | null }>([
    ...vehicles.map((v) => [`vehicle|${v.id}`, { label: v.plate, partyId: v.carrierPartyId }] as const),
    ...workers.flatMap((w) =>
      (['driver', 'handler'] as const).map(
        (k) => [`${k}|${w.id}`, { label: w.name, partyId: w.employerPartyId }] as const,
      ),
    ),
    ...locations.map(
      (l) => [`location|${l.id}`, { label: `${l.name} (${l.filingNo})`, partyId: l.ownerPartyId }] as const,
    ),
  ]);
  return present.map((r) => {
    const l = label.get(`${r.kind}|${r.refId}`);
    return {
      kind: r.kind,
      refId: r.refId,
      label: l?.label ?? r.refId,
      partyId: l?.partyId ?? null,
      at: Number(r.at),
      lotId: r.lotId,
    };
  });
}
