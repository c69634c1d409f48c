import type { Transaction } from 'kysely';
import type { Actor, Role } from '../../domain/access.ts';
import { mayAttempt } from '../../domain/access.ts';
import { canIssueExitCertificate } from '../../domain/lot-status.ts';
import { chinaDate } from '../../domain/suspension.ts';
import { findLot } from '../../store/border.ts';
import { findVehicle, findWorker } from '../../store/master.ts';
import type { BookingRow, LotRow, SampleRow, Schema } from '../../store/schema.ts';
import { AppError, invalid, notFound } from '../errors.ts';
import { forbid } from '../access/authorize.ts';
import type { Idempotency, Writer } from '../write/commit.ts';
import { commit } from '../write/commit.ts';
import type { Deps } from '../deps.ts';
import { newId } from '../write/ids.ts';
import { SAMPLE_POINTS, collectFacts, statusPatch } from './lot-facts.ts';
import type { SamplePoint } from './lot-facts.ts';
import { toLot, visibleLot } from './lots.ts';
import { iso } from '../access/paging.ts';
import { findingSuspension } from './suspensions.ts';
import { openIncidentWith } from '../recall/incidents.ts';
import { announceAlerts } from '../recall/alerts.ts';
import { checkEventTimes } from '../registry/time-horizon.ts';
import { checkCarriage } from '../custody/carrier-jobs.ts';

const toBooking = (b: BookingRow) => ({
  id: b.id,
  lotId: b.lotId,
  ownerPartyId: b.ownerPartyId,
  warehousePartyId: b.warehousePartyId,
  locationId: b.locationId,
  vehicleId: b.vehicleId,
  driverWorkerId: b.driverWorkerId,
  carrierPartyId: b.carrierPartyId ?? null,
  destination: b.destination,
  slot: { start: iso(b.slotStart), end: iso(b.slotEnd) },
  arrivedAt: iso(b.arrivedAt),
  createdAt: iso(b.createdAt),
  logIndex: b.logIndex,
});

const toSample = (s: SampleRow) => ({
  id: s.id,
  lotId: s.lotId,
  warehousePartyId: s.warehousePartyId,
  labPartyId: s.labPartyId,
  point: s.point,
  takenAt: iso(s.takenAt),
  result: s.result,
  ctValue: s.ctValue,
  method: s.method,
  resultedAt: iso(s.resultedAt),
  logIndex: s.logIndex,
});

async function partyWithRole(trx: Transaction<Schema>, field: string, id: string, role: Role) {
  const p = await trx.selectFrom('parties').selectAll().where('id', '=', id).executeTakeFirst();
  if (!p || !(JSON.parse(p.roles) as Role[]).includes(role)) {
    throw new AppError('UnknownReference', { field, reason: `no ${role} party ${id}` });
  }
  return p;
}

export interface BookingInput {
  warehousePartyId: string;
  locationId: string;
  vehicleId: string;
  driverWorkerId: string;
  /** carrierPartyId is the carrier whose vehicle or driver the booking names, under a job it accepted. */
  carrierPartyId?: string | null;
  destination: string;
  slotStart: number;
  slotEnd: number;
}

/** createBooking books the lot into a supervision warehouse (集中监管仓): the owner, vehicle, driver, destination and slot. */
export async function createBooking(deps: Deps, actor: Actor, lotId: string, input: BookingInput, idem?: Idempotency) {
  if (!mayAttempt(actor, 'booking.create')) throw forbid('booking.create');
  if (!(input.slotEnd > input.slotStart)) throw invalid('slotEnd', 'must be after slotStart');
  const destination = input.destination.trim();
  if (!destination) throw invalid('destination', 'must not be blank');
  return commit(deps, idem, (w) => bookWith(w, deps, actor, lotId, input));
}

/** bookWith is createBooking inside the writer's transaction, for callers that batch many writes in one commit. */
export async function bookWith(w: Writer, deps: Deps, actor: Actor, lotId: string, input: BookingInput) {
  if (!mayAttempt(actor, 'booking.create')) throw forbid('booking.create');
  if (!(input.slotEnd > input.slotStart)) throw invalid('slotEnd', 'must be after slotStart');
  const destination = input.destination.trim();
  if (!destination) throw invalid('destination', 'must not be blank');
  const lot = await visibleLot(w.trx, actor, lotId);
  if (lot.importerPartyId !== actor.partyId) throw forbid('booking.create');
  await partyWithRole(w.trx, 'warehousePartyId', input.warehousePartyId, 'supervision_warehouse');
  const loc = await w.trx.selectFrom('locations').selectAll().where('id', '=', input.locationId).executeTakeFirst();
  if (!loc || loc.ownerPartyId !== input.warehousePartyId) {
    throw new AppError('UnknownReference', {
      field: 'locationId',
      reason: `no location ${input.locationId} of the warehouse`,
    });
  }
  const vehicle = await findVehicle(w.trx, input.vehicleId);
  if (!vehicle) throw new AppError('UnknownReference', { field: 'vehicleId', reason: `no vehicle ${input.vehicleId}` });
  if (!vehicle.refrigerated)
    throw invalid(
      'vehicleId',
      `vehicle ${vehicle.plate} is not refrigerated; frozen goods need a refrigerated vehicle`,
    );
  const driver = await findWorker(w.trx, input.driverWorkerId);
  if (!driver || driver.role !== 'driver') {
    throw new AppError('UnknownReference', { field: 'driverWorkerId', reason: `no driver ${input.driverWorkerId}` });
  }
  // The goods go in the booked vehicle at the start of the slot; its carrier's job must be in force then.
  const carrierPartyId = await checkCarriage(w.trx, actor.partyId, input, input.slotStart);
  const booking = {
    id: newId('bkg'),
    lotId,
    ownerPartyId: actor.partyId,
    warehousePartyId: input.warehousePartyId,
    locationId: input.locationId,
    vehicleId: input.vehicleId,
    driverWorkerId: input.driverWorkerId,
    carrierPartyId,
    destination,
    slotStart: input.slotStart,
    slotEnd: input.slotEnd,
    arrivedAt: null,
    createdAt: w.now,
    updatedAt: w.now,
  };
  const logIndex = await w.append('booking.created', actor.partyId, { booking });
  return { ...toBooking({ ...booking, logIndex }), logIndex };
}

/** arrivedBooking returns the lot's booking at the actor's warehouse on which arrival was recorded, or 409. */
async function arrivedBooking(trx: Transaction<Schema>, actor: Actor, lot: LotRow) {
  const b = await trx
    .selectFrom('bookings')
    .selectAll()
    .where('lotId', '=', lot.id)
    .where('warehousePartyId', '=', actor.partyId)
    .orderBy('id', 'desc')
    .executeTakeFirst();
  if (!b) throw forbid('warehouse.record');
  if (b.arrivedAt === null)
    throw new AppError('LotNotReady', {
      reason: 'the lot has not arrived at your warehouse; record its arrival first',
      bookingId: b.id,
    });
  return b;
}

/** recordArrival records that the booked lot arrived at the warehouse. */
export async function recordArrival(deps: Deps, actor: Actor, bookingId: string, arrivedAt: number) {
  if (!mayAttempt(actor, 'warehouse.record')) throw forbid('warehouse.record');
  return commit(deps, undefined, (w) => arrivalWith(w, deps, actor, bookingId, arrivedAt));
}

/** arrivalWith is recordArrival inside the writer's transaction. */
export async function arrivalWith(w: Writer, deps: Deps, actor: Actor, bookingId: string, arrivedAt: number) {
  if (!mayAttempt(actor, 'warehouse.record')) throw forbid('warehouse.record');
  const b = await w.trx.selectFrom('bookings').selectAll().where('id', '=', bookingId).executeTakeFirst();
  if (!b || b.warehousePartyId !== actor.partyId) throw notFound('BookingNotFound', 'id', bookingId);
  if (b.arrivedAt !== null)
    throw new AppError('Conflict', { reason: `arrival was already recorded at ${iso(b.arrivedAt)}` });
  await checkEventTimes(w, actor, { arrivedAt });
  const booking = { ...b, arrivedAt, updatedAt: w.now };
  const { logIndex: _, ...record } = booking;
  const logIndex = await w.append('booking.arrived', actor.partyId, { booking: record });
  return { ...toBooking({ ...booking, logIndex }), logIndex };
}

export interface DisinfectionInput {
  agent: string;
  concentration: string;
  operatorWorkerId: string;
  performedAt: number;
}

/** recordDisinfection records the disinfection of an arrived lot: agent, concentration, operator and time. */
export async function recordDisinfection(deps: Deps, actor: Actor, lotId: string, input: DisinfectionInput) {
  if (!mayAttempt(actor, 'warehouse.record')) throw forbid('warehouse.record');
  if (!input.agent.trim()) throw invalid('agent', 'must not be blank');
  if (!input.concentration.trim()) throw invalid('concentration', 'must not be blank');
  return commit(deps, undefined, (w) => disinfectWith(w, deps, actor, lotId, input));
}

/** disinfectWith is recordDisinfection inside the writer's transaction. */
export async function disinfectWith(w: Writer, deps: Deps, actor: Actor, lotId: string, input: DisinfectionInput) {
  if (!mayAttempt(actor, 'warehouse.record')) throw forbid('warehouse.record');
  if (!input.agent.trim()) throw invalid('agent', 'must not be blank');
  if (!input.concentration.trim()) throw invalid('concentration', 'must not be blank');
  await checkEventTimes(w, actor, { performedAt: input.performedAt });
  const lot = await visibleLot(w.trx, actor, lotId);
  await arrivedBooking(w.trx, actor, lot);
  const operator = await findWorker(w.trx, input.operatorWorkerId);
  if (!operator || operator.employerPartyId !== actor.partyId) {
    throw new AppError('UnknownReference', {
      field: 'operatorWorkerId',
      reason: `no worker ${input.operatorWorkerId} of yours`,
    });
  }
  const disinfection = {
    id: newId('dis'),
    lotId,
    warehousePartyId: actor.partyId,
    agent: input.agent.trim(),
    concentration: input.concentration.trim(),
    operatorWorkerId: operator.id,
    performedAt: input.performedAt,
    createdAt: w.now,
  };
  const facts = await collectFacts(w.trx, lot);
  const lotStatus = statusPatch(lot, { ...facts, disinfected: true }, w.now);
  const logIndex = await w.append('disinfection.recorded', actor.partyId, { disinfection, lotStatus });
  return {
    ...disinfection,
    performedAt: iso(disinfection.performedAt),
    createdAt: iso(w.now),
    lot: toLot((await findLot(w.trx, lotId))!),
    logIndex,
  };
}

export interface SampleInput {
  point: SamplePoint;
  labPartyId: string;
  takenAt: number;
}

/** takeSample records a sample taken from an arrived lot at a point, sent to a lab; it gets its own ID. */
export async function takeSample(deps: Deps, actor: Actor, lotId: string, input: SampleInput, idem?: Idempotency) {
  if (!mayAttempt(actor, 'warehouse.record')) throw forbid('warehouse.record');
  if (!(SAMPLE_POINTS as readonly string[]).includes(input.point))
    throw invalid('point', `must be one of ${SAMPLE_POINTS.join(', ')}`);
  return commit(deps, idem, (w) => sampleWith(w, deps, actor, lotId, input));
}

/** sampleWith is takeSample inside the writer's transaction. */
export async function sampleWith(w: Writer, deps: Deps, actor: Actor, lotId: string, input: SampleInput) {
  if (!mayAttempt(actor, 'warehouse.record')) throw forbid('warehouse.record');
  if (!(SAMPLE_POINTS as readonly string[]).includes(input.point))
    throw invalid('point', `must be one of ${SAMPLE_POINTS.join(', ')}`);
  await checkEventTimes(w, actor, { takenAt: input.takenAt });
  const lot = await visibleLot(w.trx, actor, lotId);
  await arrivedBooking(w.trx, actor, lot);
  return appendSample(w, actor.partyId, lot, input);
}

/**
 * appendSample records a pending sample of lot taken by samplerPartyId (a supervision warehouse, or a regulator on
 * the market) and sent to a lab, with the lot's status recomputed, once the caller has checked who may take it.
 */
export async function appendSample(w: Writer, samplerPartyId: string, lot: LotRow, input: SampleInput) {
  await partyWithRole(w.trx, 'labPartyId', input.labPartyId, 'lab');
  const sample = {
    id: newId('smp'),
    lotId: lot.id,
    warehousePartyId: samplerPartyId,
    labPartyId: input.labPartyId,
    point: input.point,
    takenAt: input.takenAt,
    result: 'pending',
    ctValue: null,
    method: null,
    resultedAt: null,
    createdAt: w.now,
    updatedAt: w.now,
  };
  const facts = await collectFacts(w.trx, lot);
  const lotStatus = statusPatch(
    lot,
    { ...facts, samples: [...facts.samples, { id: sample.id, point: input.point, result: 'pending' }] },
    w.now,
  );
  const logIndex = await w.append('sample.taken', samplerPartyId, { sample, lotStatus });
  return { ...toSample({ ...sample, logIndex }), lot: toLot((await findLot(w.trx, lot.id))!), logIndex };
}

export interface ResultInput {
  result: 'negative' | 'positive';
  ctValue?: number | null;
  method: string;
  resultedAt: number;
}

/**
 * postResult records a lab's result for a sample sent to it. A positive result turns the lot red,
 * records a finding against its producer (suspending it by the GACC rule) in the same entry, and,
 * once committed, emits the event the incident module acts on.
 */
export async function postResult(deps: Deps, actor: Actor, sampleId: string, input: ResultInput) {
  if (!mayAttempt(actor, 'sample.result')) throw forbid('sample.result');
  if (!input.method.trim()) throw invalid('method', 'must not be blank');
  if (input.ctValue !== undefined && input.ctValue !== null && !(input.ctValue > 0 && input.ctValue < 50)) {
    throw invalid('ctValue', 'must be a Ct value between 0 and 50');
  }
  const out = await commit(deps, undefined, (w) => resultWith(w, deps, actor, sampleId, input));
  if (out.incident) announceAlerts(deps.events, out.incident.alerts);
  if (out.result === 'positive') {
    deps.events.emit({
      type: 'sample.positive',
      lotId: out.lotId,
      sampleId: out.id,
      producerId: out.producerId,
      logIndex: out.logIndex,
      at: deps.clock.now(),
    });
  }
  const { producerId: _p, incident, ...rest } = out;
  return {
    ...rest,
    incident: incident && {
      id: incident.id,
      number: incident.number,
      lots: incident.lots,
      holders: incident.holders,
      affectedKg: incident.affectedKg,
    },
  };
}

/**
 * resultWith is postResult inside the writer's transaction; a positive result opens its incident in the same write.
 * The caller emits the sample.positive event once the transaction has committed (postResult does).
 */
export async function resultWith(w: Writer, deps: Deps, actor: Actor, sampleId: string, input: ResultInput) {
  if (!mayAttempt(actor, 'sample.result')) throw forbid('sample.result');
  if (!input.method.trim()) throw invalid('method', 'must not be blank');
  if (input.ctValue !== undefined && input.ctValue !== null && !(input.ctValue > 0 && input.ctValue < 50)) {
    throw invalid('ctValue', 'must be a Ct value between 0 and 50');
  }
  const s = await w.trx.selectFrom('samples').selectAll().where('id', '=', sampleId).executeTakeFirst();
  // A lab sees only the samples sent to it: any other sample does not exist for it.
  if (!s || s.labPartyId !== actor.partyId) throw notFound('SampleNotFound', 'id', sampleId);
  if (s.result !== 'pending')
    throw new AppError('Conflict', { field: 'result', reason: `the result (${s.result}) was already posted` });
  await checkEventTimes(w, actor, { resultedAt: input.resultedAt });
  if (input.resultedAt < s.takenAt) throw invalid('resultedAt', 'is before the sample was taken');
  const lot = (await findLot(w.trx, s.lotId))!;
  const { logIndex: _, ...prior } = s;
  const sample = {
    ...prior,
    result: input.result,
    ctValue: input.ctValue ?? null,
    method: input.method.trim(),
    resultedAt: input.resultedAt,
    updatedAt: w.now,
  };
  const facts = await collectFacts(w.trx, lot);
  const samples = facts.samples.map((x) => (x.id === s.id ? { ...x, result: input.result } : x));
  const lotStatus = statusPatch(lot, { ...facts, samples }, w.now);
  const suspension =
    input.result === 'positive'
      ? await findingSuspension(w.trx, lot.producerId, w.now, {
          reason: `positive nucleic-acid result for sample ${s.id} of lot ${lot.code}`,
          lotId: lot.id,
          sampleId: s.id,
        })
      : null;
  const logIndex = await w.append('sample.resulted', actor.partyId, { sample, lotStatus, suspension });
  // A positive result opens its incident in the same write: the lot and everything made from it are frozen and
  // their holders alerted before the lab's request is answered, or, if the node dies first, none of it happened.
  const incident =
    input.result === 'positive'
      ? await openIncidentWith(w, deps, actor.partyId, {
          trigger: { kind: 'positive_result', sampleId: s.id, lotId: lot.id },
        })
      : null;
  return {
    ...toSample({ ...sample, logIndex }),
    lot: toLot((await findLot(w.trx, lot.id))!),
    suspensionId: suspension?.id ?? null,
    incident: incident && {
      id: incident.id,
      number: incident.number,
      lots: incident.lots,
      holders: incident.holders,
      affectedKg: incident.affectedKg,
      alerts: incident.alerts,
    },
    logIndex,
    producerId: lot.producerId,
  };
}

/**
 * issueExitCertificate releases a lot (出库证明) when it was disinfected and every required sample is
 * in and negative; otherwise 409 names what is missing. The lot turns green unless something else holds it.
 */
export async function issueExitCertificate(deps: Deps, actor: Actor, lotId: string, idem?: Idempotency) {
  if (!mayAttempt(actor, 'warehouse.record')) throw forbid('warehouse.record');
  return commit(deps, idem, (w) => exitWith(w, deps, actor, lotId));
}

/** exitWith is issueExitCertificate inside the writer's transaction. */
export async function exitWith(w: Writer, deps: Deps, actor: Actor, lotId: string) {
  if (!mayAttempt(actor, 'warehouse.record')) throw forbid('warehouse.record');
  const lot = await visibleLot(w.trx, actor, lotId);
  await arrivedBooking(w.trx, actor, lot);
  const facts = await collectFacts(w.trx, lot);
  if (facts.exitCertificate) throw new AppError('Conflict', { reason: 'the exit certificate was already issued' });
  const ready = canIssueExitCertificate(facts);
  if (!ready.ok) throw new AppError('LotNotReady', { reason: ready.reason, missing: ready.missing });
  const day = chinaDate(w.now).replace(/-/g, '');
  const id = newId('exc');
  const exitCertificate = {
    id,
    number: `CK${lot.region.slice(0, 2)}${day}${id.slice(-8)}`,
    lotId,
    warehousePartyId: actor.partyId,
    issuedAt: w.now,
  };
  const lotStatus = statusPatch(lot, { ...facts, exitCertificate: true }, w.now);
  const logIndex = await w.append('exit.issued', actor.partyId, { exitCertificate, lotStatus });
  return {
    ...exitCertificate,
    issuedAt: iso(w.now),
    qrUrl: `${deps.config.publicUrl}/t/${lot.code}`,
    lot: toLot((await findLot(w.trx, lotId))!),
    logIndex,
  };
}

/** lotRecords returns a lot's bookings and samples for the actor. */
export async function lotRecords(deps: Deps, actor: Actor, lotId: string) {
  await visibleLot(deps.db, actor, lotId);
  const [bookings, samples, disinfections, exit] = await Promise.all([
    deps.db.selectFrom('bookings').selectAll().where('lotId', '=', lotId).orderBy('id').execute(),
    deps.db.selectFrom('samples').selectAll().where('lotId', '=', lotId).orderBy('id').execute(),
    deps.db.selectFrom('disinfections').selectAll().where('lotId', '=', lotId).orderBy('id').execute(),
    deps.db.selectFrom('exitCertificates').selectAll().where('lotId', '=', lotId).executeTakeFirst(),
  ]);
  return {
    bookings: bookings.map(toBooking),
    samples: samples.map(toSample),
    disinfections: disinfections.map((d) => ({ ...d, performedAt: iso(d.performedAt), createdAt: iso(d.createdAt) })),
    exitCertificate: exit ? { ...exit, issuedAt: iso(exit.issuedAt) } : null,
  };
}

/** labSamples lists the samples sent to the acting lab, pending first. */
export async function labSamples(deps: Deps, actor: Actor, q: { result?: string }) {
  if (!mayAttempt(actor, 'sample.result')) throw forbid('sample.result');
  let query = deps.db
    .selectFrom('samples')
    .selectAll()
    .where('labPartyId', '=', actor.partyId)
    .orderBy('id')
    .limit(500);
  if (q.result) query = query.where('result', '=', q.result);
  return { items: (await query.execute()).map(toSample), nextCursor: null };
}
