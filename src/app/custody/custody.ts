/**
 * Custody: who holds how much of a lot, where. Shipments and receipts, transfers between a holder's own places,
 * disposals (custody.ts), repacking and processing into new lots (transform.ts), sales (sales.ts), and the carriers a
 * shipper hires (carrier-jobs.ts).
 *
 * Invariants:
 * - Every gram is accounted for: a holding never goes below zero, parallel moves never overspend, and a repack's inputs
 *   equal its outputs plus its loss.
 * - Only green lots move, except for seizure, destruction and return.
 * - A shipment names only the shipper's own vehicle and crew, or those of a carrier that accepted its job.
 */
import type { Kysely, Transaction } from 'kysely';
import type { ShipmentRow } from '../../store/schema.ts';
import type { Actor } from '../../domain/access.ts';
import { listScope, mayAttempt } from '../../domain/access.ts';
import type { MovePurpose } from '../../domain/custody-rules.ts';
import { canMove, receiverMayReceive, vehicleOk, workersOk } from '../../domain/custody-rules.ts';
import type { LotStatus, StatusReason } from '../../domain/lot-status.ts';
import type { WorkerRole } from '../../domain/worker-eligibility.ts';
import { eligibility } from '../../domain/worker-eligibility.ts';
import { findLot } from '../../store/border.ts';
import { lotDisposals } from '../../store/transformations.ts';
import { findVehicle, findWorker, getSetting, workerTests } from '../../store/master.ts';
import type { Schema } from '../../store/schema.ts';
import { AppError, invalid, notFound } from '../errors.ts';
import { forbid } from '../access/authorize.ts';
import type { Idempotency, Writer } from '../write/commit.ts';
import { commit } from '../write/commit.ts';
import {
  grams,
  holding,
  kg,
  ownLocation,
  partyRoles,
  refuse,
  takeFrom,
  toDisposal,
  toHolding,
  toShipment,
} from './custody-parts.ts';
import type { Deps } from '../deps.ts';
import { holdingId } from './holding-id.ts';
import { newId } from '../write/ids.ts';
import { lotVisible } from '../border/lots.ts';
import { iso } from '../access/paging.ts';
import { eligibilityRuleFor } from '../registry/settings.ts';
import { checkEventTimes } from '../registry/time-horizon.ts';
import { reachArrivals } from '../temperature/breaches.ts';
import { checkCarriage } from './carrier-jobs.ts';

/** WORKER_ENFORCEMENT names the per-region setting: refuse moves by ineligible workers, or accept and flag them. */
export const WORKER_ENFORCEMENT = 'worker-enforcement';

/** workerEnforcement is the region's choice for ineligible workers: its own, else the national one, else refuse. */
export async function workerEnforcement(
  db: Kysely<Schema> | Transaction<Schema>,
  region: string,
): Promise<'refuse' | 'flag'> {
  const own = await getSetting(db, `${WORKER_ENFORCEMENT}:${region}`);
  return (own ?? (await getSetting(db, WORKER_ENFORCEMENT)) ?? 'refuse') as 'refuse' | 'flag';
}

export interface ShipInput {
  fromLocationId: string | null;
  toPartyId: string;
  toLocationId: string | null;
  quantity: { kg: number; cartons: number };
  /** carrierPartyId is the carrier whose vehicle or crew the shipment names, under a job it accepted (carrier-jobs.ts). */
  carrierPartyId?: string | null;
  vehicleId: string;
  driverWorkerId: string;
  handlerWorkerIds: string[];
  departedAt: number;
  referenceDoc?: string | null;
  purpose?: MovePurpose;
}

/**
 * shipWith sends quantity of a lot from a holding of the actor to another party. It is refused, each
 * with its reason, when the actor holds less than that (checked under the log's lock, so parallel
 * shipments can never together overspend), when the lot is not green (except for seizure,
 * destruction or return), when the receiver cannot receive goods, when frozen goods would travel in
 * a vehicle that is not refrigerated, when the vehicle, driver or a handler is neither the actor's own
 * nor that of the carrier it names under a job in force at departure (checkCarriage), or when the
 * driver or a handler is not eligible for duty and the region refuses rather than flags.
 */
export async function shipWith(w: Writer, deps: Deps, actor: Actor, lotId: string, input: ShipInput) {
  if (!mayAttempt(actor, 'custody.move')) throw forbid('custody.move');
  const q = grams('quantity', input.quantity);
  if (q.grams === 0 && q.cartons === 0) throw invalid('quantity', 'must not be zero');
  await checkEventTimes(w, actor, { departedAt: input.departedAt });
  const purpose = input.purpose ?? 'shipment';
  const lot = (await findLot(w.trx, lotId)) ?? null;
  const from = lot && (await holding(w.trx, lotId, actor.partyId, input.fromLocationId));
  if (!lot || !from) throw notFound('LotNotFound', 'id', lotId);
  refuse(
    canMove({ status: lot.status as LotStatus, reasons: JSON.parse(lot.statusReasons) as StatusReason[] }, purpose),
    'lotId',
  );
  if (from.grams < q.grams || from.cartons < q.cartons) {
    throw new AppError('InsufficientQuantity', {
      field: 'quantity',
      reason: `you hold ${kg(from.grams)} kg in ${from.cartons} cartons here; ${kg(q.grams)} kg in ${q.cartons} cartons cannot be shipped`,
      held: { kg: kg(from.grams), cartons: from.cartons },
    });
  }
  const roles = await partyRoles(w.trx, input.toPartyId);
  if (!roles) throw new AppError('UnknownReference', { field: 'toPartyId', reason: `no party ${input.toPartyId}` });
  refuse(receiverMayReceive(roles), 'toPartyId');
  if (input.toLocationId) {
    const loc = await w.trx
      .selectFrom('locations')
      .select('ownerPartyId')
      .where('id', '=', input.toLocationId)
      .executeTakeFirst();
    if (!loc || loc.ownerPartyId !== input.toPartyId)
      throw new AppError('UnknownReference', { field: 'toLocationId', reason: 'no such location of the receiver' });
  }
  const vehicle = await findVehicle(w.trx, input.vehicleId);
  if (!vehicle) throw new AppError('UnknownReference', { field: 'vehicleId', reason: `no vehicle ${input.vehicleId}` });
  refuse(vehicleOk({ plate: vehicle.plate, refrigerated: vehicle.refrigerated === 1 }, 'frozen'), 'vehicleId');
  const crew = [input.driverWorkerId, ...input.handlerWorkerIds];
  const onDuty = [];
  for (const [i, id] of crew.entries()) {
    const field = i === 0 ? 'driverWorkerId' : `handlerWorkerIds.${i - 1}`;
    const wk = await findWorker(w.trx, id);
    if (!wk) throw new AppError('UnknownReference', { field, reason: `no worker ${id}` });
    if (i === 0 && wk.role !== 'driver') throw invalid(field, `worker ${id} is not a driver`);
    const rule = await eligibilityRuleFor(deps, wk.region, w.trx);
    const tests = await workerTests(w.trx, id);
    const e = eligibility(
      tests.map((t) => ({ sampledAt: t.sampledAt, result: t.result as 'negative' | 'positive' })),
      wk.role as WorkerRole,
      rule,
      // Eligibility is judged when the goods were touched, not when the record was typed in.
      input.departedAt,
    );
    onDuty.push({ workerId: id, role: wk.role as WorkerRole, eligibility: e });
  }
  const carrierPartyId = await checkCarriage(w.trx, actor.partyId, input, input.departedAt);
  const region = (
    await w.trx.selectFrom('parties').select('region').where('id', '=', actor.partyId).executeTakeFirstOrThrow()
  ).region;
  const enforcement = await workerEnforcement(w.trx, region);
  const crewCheck = workersOk(onDuty, enforcement);
  if (!crewCheck.ok) refuse(crewCheck, 'driverWorkerId');
  const flags = crewCheck.ok ? crewCheck.flags : [];
  const shipment = {
    id: newId('shp'),
    lotId,
    fromPartyId: actor.partyId,
    fromLocationId: input.fromLocationId,
    toPartyId: input.toPartyId,
    toLocationId: input.toLocationId,
    ...q,
    purpose,
    carrierPartyId,
    vehicleId: input.vehicleId,
    driverWorkerId: input.driverWorkerId,
    handlerWorkerIds: input.handlerWorkerIds,
    departedAt: input.departedAt,
    referenceDoc: input.referenceDoc?.trim() || null,
    flags,
    status: 'in_transit',
    receivedGrams: null,
    receivedCartons: null,
    receivedAt: null,
    createdAt: w.now,
    updatedAt: w.now,
  };
  const { logIndex: _, ...held } = from;
  const holdings = [{ ...held, grams: from.grams - q.grams, cartons: from.cartons - q.cartons, updatedAt: w.now }];
  const logIndex = await w.append('shipment.departed', actor.partyId, { shipment, holdings });
  await reachArrivals(w, actor.partyId, [{ lotId, vehicleId: input.vehicleId, at: input.departedAt }]);
  const row = await w.trx.selectFrom('shipments').selectAll().where('id', '=', shipment.id).executeTakeFirstOrThrow();
  return { ...toShipment(row), logIndex };
}

/** shipLot is shipWith in a transaction of its own. */
export async function shipLot(deps: Deps, actor: Actor, lotId: string, input: ShipInput, idem?: Idempotency) {
  return commit(deps, idem, (w) => shipWith(w, deps, actor, lotId, input));
}

/** ReceiveInput is what arrived of a shipment, when, and where (default: the place it was sent to). */
export interface ReceiveInput {
  quantity: { kg: number; cartons: number };
  receivedAt: number;
  locationId?: string | null;
}

/**
 * receiveWith records what arrived of a shipment to the actor, at one of its locations or none.
 * A short receipt keeps the discrepancy on the shipment; more than was shipped is refused.
 */
export async function receiveWith(w: Writer, deps: Deps, actor: Actor, shipmentId: string, input: ReceiveInput) {
  if (!mayAttempt(actor, 'custody.move')) throw forbid('custody.move');
  const q = grams('quantity', input.quantity);
  const s = await w.trx.selectFrom('shipments').selectAll().where('id', '=', shipmentId).executeTakeFirst();
  if (!s || s.toPartyId !== actor.partyId) throw notFound('NotFound', 'id', shipmentId);
  if (s.status !== 'in_transit') throw new AppError('Conflict', { reason: 'this shipment was already received' });
  await checkEventTimes(w, actor, { receivedAt: input.receivedAt });
  if (input.receivedAt < Number(s.departedAt))
    throw invalid('receivedAt', `is before the shipment departed (${iso(Number(s.departedAt))})`);
  if (q.grams > s.grams || q.cartons > s.cartons) {
    throw invalid('quantity', `more than was shipped (${kg(s.grams)} kg in ${s.cartons} cartons)`);
  }
  const source = s.homeOrigin ? await crossBorderCheck(w, s) : null;
  const locationId = input.locationId === undefined ? s.toLocationId : input.locationId;
  if (locationId) {
    const loc = await w.trx
      .selectFrom('locations')
      .select('ownerPartyId')
      .where('id', '=', locationId)
      .executeTakeFirst();
    if (!loc || loc.ownerPartyId !== actor.partyId)
      throw new AppError('UnknownReference', { field: 'locationId', reason: 'no such location of yours' });
  }
  const cur = await holding(w.trx, s.lotId, actor.partyId, locationId);
  const holdings = [
    {
      id: holdingId(s.lotId, actor.partyId, locationId),
      lotId: s.lotId,
      partyId: actor.partyId,
      locationId,
      grams: (cur?.grams ?? 0) + q.grams,
      cartons: (cur?.cartons ?? 0) + q.cartons,
      updatedAt: w.now,
    },
  ];
  const { logIndex: _, ...prior } = s;
  const shipment = {
    ...prior,
    handlerWorkerIds: JSON.parse(s.handlerWorkerIds) as string[],
    flags: JSON.parse(s.flags) as unknown[],
    toLocationId: locationId,
    status: 'received',
    receivedGrams: q.grams,
    receivedCartons: q.cartons,
    receivedAt: input.receivedAt,
    updatedAt: w.now,
  };
  const logIndex = await w.append('shipment.received', actor.partyId, {
    shipment,
    holdings,
    ...(source ? { source } : {}),
  });
  await reachArrivals(w, actor.partyId, [{ lotId: s.lotId, locationId, at: input.receivedAt }]);
  const row = await w.trx.selectFrom('shipments').selectAll().where('id', '=', shipmentId).executeTakeFirstOrThrow();
  return { ...toShipment(row), logIndex };
}

/**
 * crossBorderCheck decides whether a shipment recognised from a peer's log may be received here (app/recognition):
 * its entry must be in a checkpoint that meets this node's policy (and, if the peer forked, in its last good one), and the lot must be
 * green by every fact this node holds, the peer's included (else the peer's reasons are given). It returns the
 * peer's entry, which the receipt names.
 */
async function crossBorderCheck(w: Writer, s: ShipmentRow) {
  const m = await w.trx
    .selectFrom('mirrors')
    .select(['state', 'finalSize', 'verifiedSize'])
    .where('origin', '=', s.homeOrigin!)
    .executeTakeFirst();
  const index = Number(s.homeIndex);
  // A fork stops nothing that the peer's last good checkpoint covers: goods shipped before it are received as usual.
  if (m?.state === 'forked' && Number(m.finalSize) <= index)
    throw new AppError('PeerForked', {
      field: 'shipmentId',
      reason: `the log of ${s.homeOrigin} forked after its last good checkpoint (${Number(m.finalSize)} entries); this shipment is entry ${index}, after it`,
    });
  if (!m || Number(m.finalSize) <= index)
    throw new AppError('NotYetWitnessed', {
      field: 'shipmentId',
      reason: `the shipment is entry ${index} of ${s.homeOrigin}'s log; the latest checkpoint of it that meets this node's witness policy covers ${Number(m?.finalSize ?? 0)} entries; try again shortly`,
      retryAfter: 2,
    });
  const lot = await findLot(w.trx, s.lotId);
  const reasons = JSON.parse(lot?.statusReasons ?? '[]') as StatusReason[];
  if (!lot || lot.status !== 'green')
    throw new AppError('LotBlocked', {
      field: 'lotId',
      reason: `lot ${lot?.code ?? s.lotId} is ${lot?.status ?? 'unknown'} by the facts of its home node and of this one`,
      status: lot?.status ?? null,
      reasons,
    });
  return { origin: s.homeOrigin!, index, leafHash: s.homeLeafHash };
}

/** receiveShipment is receiveWith in a transaction of its own. */
export async function receiveShipment(deps: Deps, actor: Actor, shipmentId: string, input: ReceiveInput) {
  return commit(deps, undefined, (w) => receiveWith(w, deps, actor, shipmentId, input));
}

/** lotHoldings lists who holds how much of a lot now, for those who may see the lot. */
export async function lotHoldings(deps: Deps, actor: Actor, lotId: string) {
  const lot = await findLot(deps.db, lotId);
  if (!lot) throw notFound('LotNotFound', 'id', lotId);
  // A holder sees its own holdings of a lot it received, even if it cannot see the lot's other records.
  const holds = await deps.db
    .selectFrom('holdings')
    .select('id')
    .where('lotId', '=', lotId)
    .where('partyId', '=', actor.partyId)
    .executeTakeFirst();
  if (!holds && !(await lotVisible(deps.db, actor, lot))) throw notFound('LotNotFound', 'id', lotId);
  let q = deps.db.selectFrom('holdings').selectAll().where('lotId', '=', lotId).where('grams', '>', 0).orderBy('id');
  if (listScope(actor).kind === 'own' && lot.importerPartyId !== actor.partyId)
    q = q.where('partyId', '=', actor.partyId);
  return { items: (await q.execute()).map(toHolding), nextCursor: null };
}

/** listShipments lists shipments from or to the actor (regulators: of their region's lots), optionally of one lot or status. */
export async function listShipments(
  deps: Deps,
  actor: Actor,
  f: { lotId?: string; status?: string; direction?: 'in' | 'out' },
) {
  let q = deps.db.selectFrom('shipments').selectAll().orderBy('id', 'desc').limit(500);
  const scope = listScope(actor);
  if (scope.kind === 'own' || f.direction) {
    if (f.direction === 'in') q = q.where('toPartyId', '=', actor.partyId);
    else if (f.direction === 'out') q = q.where('fromPartyId', '=', actor.partyId);
    else q = q.where((eb) => eb.or([eb('toPartyId', '=', actor.partyId), eb('fromPartyId', '=', actor.partyId)]));
  } else if (scope.kind === 'region') {
    q = q.where('lotId', 'in', deps.db.selectFrom('lots').select('id').where('region', '=', scope.region));
  }
  if (f.lotId) q = q.where('lotId', '=', f.lotId);
  if (f.status) q = q.where('status', '=', f.status);
  return { items: (await q.execute()).map(toShipment), nextCursor: null };
}

/** TransferInput moves goods between two of the holder's own places (store in / store out). */
export interface TransferInput {
  fromLocationId: string | null;
  toLocationId: string | null;
  quantity: { kg: number; cartons: number };
  at: number;
}

/**
 * transferWith moves quantity between two places of the same holder (into or out of cold storage).
 * The goods do not change hands, so it is allowed whatever the lot's status: a blocked lot may still
 * be moved into a sealed store.
 */
export async function transferWith(w: Writer, deps: Deps, actor: Actor, lotId: string, input: TransferInput) {
  if (!mayAttempt(actor, 'custody.move')) throw forbid('custody.move');
  const q = grams('quantity', input.quantity);
  if (q.grams === 0 && q.cartons === 0) throw invalid('quantity', 'must not be zero');
  if (input.fromLocationId === input.toLocationId) throw invalid('toLocationId', 'is the same place as fromLocationId');
  await checkEventTimes(w, actor, { at: input.at });
  await ownLocation(w.trx, actor, 'fromLocationId', input.fromLocationId);
  await ownLocation(w.trx, actor, 'toLocationId', input.toLocationId);
  const from = await takeFrom(w.trx, actor, lotId, input.fromLocationId, q);
  const to = await holding(w.trx, lotId, actor.partyId, input.toLocationId);
  const holdings = [
    {
      id: from.id,
      lotId,
      partyId: actor.partyId,
      locationId: from.locationId,
      grams: from.grams - q.grams,
      cartons: from.cartons - q.cartons,
      updatedAt: w.now,
    },
    {
      id: holdingId(lotId, actor.partyId, input.toLocationId),
      lotId,
      partyId: actor.partyId,
      locationId: input.toLocationId,
      grams: (to?.grams ?? 0) + q.grams,
      cartons: (to?.cartons ?? 0) + q.cartons,
      updatedAt: w.now,
    },
  ];
  const transfer = {
    lotId,
    fromLocationId: input.fromLocationId,
    toLocationId: input.toLocationId,
    ...q,
    at: input.at,
  };
  const logIndex = await w.append('holding.transferred', actor.partyId, { transfer, holdings });
  await reachArrivals(w, actor.partyId, [{ lotId, locationId: input.toLocationId, at: input.at }]);
  return { ...transfer, quantity: { kg: kg(q.grams), cartons: q.cartons }, at: iso(input.at), logIndex };
}

/** transferLot is transferWith in a transaction of its own. */
export async function transferLot(deps: Deps, actor: Actor, lotId: string, input: TransferInput) {
  return commit(deps, undefined, (w) => transferWith(w, deps, actor, lotId, input));
}

/** DISPOSAL_METHODS are how goods leave the chain other than by sale: destroyed, or returned abroad. */
export const DISPOSAL_METHODS = ['destroyed', 'returned'] as const;

/** DisposeInput is what left the chain from which place of the holder's, how, and on which record. */
export interface DisposeInput {
  locationId: string | null;
  quantity: { kg: number; cartons: number };
  method: (typeof DISPOSAL_METHODS)[number];
  referenceDoc: string;
  at: number;
}

/**
 * disposeWith records that quantity held by the actor was destroyed or returned, with its reference
 * document, as a row of disposals. It is allowed whatever the lot's status: that is how blocked goods
 * leave the chain.
 */
export async function disposeWith(w: Writer, deps: Deps, actor: Actor, lotId: string, input: DisposeInput) {
  if (!mayAttempt(actor, 'custody.move')) throw forbid('custody.move');
  const q = grams('quantity', input.quantity);
  if (q.grams === 0 && q.cartons === 0) throw invalid('quantity', 'must not be zero');
  const referenceDoc = input.referenceDoc.trim();
  if (!referenceDoc) throw invalid('referenceDoc', 'must name the destruction or return record');
  await checkEventTimes(w, actor, { at: input.at });
  const from = await takeFrom(w.trx, actor, lotId, input.locationId, q);
  const holdings = [
    {
      id: from.id,
      lotId,
      partyId: actor.partyId,
      locationId: from.locationId,
      grams: from.grams - q.grams,
      cartons: from.cartons - q.cartons,
      updatedAt: w.now,
    },
  ];
  const disposal = {
    id: newId('dsp'),
    lotId,
    partyId: actor.partyId,
    locationId: input.locationId,
    ...q,
    method: input.method,
    referenceDoc,
    at: input.at,
    createdAt: w.now,
  };
  const logIndex = await w.append('holding.disposed', actor.partyId, { disposal, holdings });
  return toDisposal({ ...disposal, logIndex });
}

/** disposeLot is disposeWith in a transaction of its own. */
export async function disposeLot(deps: Deps, actor: Actor, lotId: string, input: DisposeInput) {
  return commit(deps, undefined, (w) => disposeWith(w, deps, actor, lotId, input));
}

/**
 * listDisposals lists what was destroyed or returned of a lot: all of it to the lot's importer and
 * the regulators of its region (or the national level), and to any holder its own disposals.
 */
export async function listDisposals(deps: Deps, actor: Actor, lotId: string) {
  const lot = await findLot(deps.db, lotId);
  if (!lot) throw notFound('LotNotFound', 'id', lotId);
  const all = await lotDisposals(deps.db, lotId);
  const scope = listScope(actor);
  const everything =
    scope.kind === 'all' ||
    lot.importerPartyId === actor.partyId ||
    (scope.kind === 'region' && lot.region === scope.region);
  const items = everything ? all : all.filter((d) => d.partyId === actor.partyId);
  if (!everything && items.length === 0) {
    // A holder of the lot, past or present, may ask even when it disposed of nothing.
    const holds = await deps.db
      .selectFrom('holdings')
      .select('id')
      .where('lotId', '=', lotId)
      .where('partyId', '=', actor.partyId)
      .executeTakeFirst();
    if (!holds && !(await lotVisible(deps.db, actor, lot))) throw notFound('LotNotFound', 'id', lotId);
  }
  return { items: items.map(toDisposal), nextCursor: null };
}
