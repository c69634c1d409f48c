import type { Kysely, Transaction } from 'kysely';
import type { Actor, Role } from '../../domain/access.ts';
import { listScope, mayAttempt } from '../../domain/access.ts';
import type { CarrierJob } from '../../domain/carrier-jobs.ts';
import { jobInForce, jobPeriodProblem, mayServe } from '../../domain/carrier-jobs.ts';
import type { CarrierJobRow, Schema } from '../../store/schema.ts';
import { AppError, invalid, notFound } from '../errors.ts';
import { forbid } from '../access/authorize.ts';
import type { Idempotency } from '../write/commit.ts';
import { commit } from '../write/commit.ts';
import type { Deps } from '../deps.ts';
import { newId } from '../write/ids.ts';
import { iso, pageOf, pageRequest } from '../access/paging.ts';

// Carrier jobs: a shipper offers a job to a carrier, the carrier accepts it, and from then on, within the job's
// period, the shipper may name that carrier's vehicles and workers on its shipments and bookings (checkCarriage).

type Db = Kysely<Schema> | Transaction<Schema>;

const toJob = (j: CarrierJobRow) => ({
  id: j.id,
  shipperPartyId: j.shipperPartyId,
  carrierPartyId: j.carrierPartyId,
  validFrom: iso(j.validFrom),
  validTo: iso(j.validTo),
  note: j.note,
  status: j.status,
  acceptedAt: iso(j.acceptedAt),
  createdAt: iso(j.createdAt),
  updatedAt: iso(j.updatedAt),
  logIndex: j.logIndex,
});
export type CarrierJobView = ReturnType<typeof toJob>;

/** CarrierJobInput is a job a shipper offers: the carrier, from when, until when (none: open-ended) and a note. */
export interface CarrierJobInput {
  carrierPartyId: string;
  validFrom: number;
  validTo?: number | null;
  note?: string | null;
}

const rolesOf = async (db: Db, id: string): Promise<Role[] | null> => {
  const p = await db.selectFrom('parties').select('roles').where('id', '=', id).executeTakeFirst();
  return p ? (JSON.parse(p.roles) as Role[]) : null;
};

/**
 * offerCarrierJob records the actor's offer of a job to a carrier (`carrier.job.offered`). The carrier's vehicles
 * and crew may be named on the actor's movements only once the carrier has accepted it, and only within its period.
 */
export async function offerCarrierJob(deps: Deps, actor: Actor, input: CarrierJobInput, idem?: Idempotency) {
  if (!mayAttempt(actor, 'carrier.job.offer')) throw forbid('carrier.job.offer');
  const validTo = input.validTo ?? null;
  const problem = jobPeriodProblem(input.validFrom, validTo);
  if (problem) throw invalid(problem.field, problem.reason);
  const note = input.note?.trim() || null;
  if (note !== null && note.length > 500) throw invalid('note', 'must be at most 500 characters');
  if (input.carrierPartyId === actor.partyId)
    throw invalid('carrierPartyId', 'is yourself; name your own vehicles and crew directly');
  return commit(deps, idem, async (w) => {
    const roles = await rolesOf(w.trx, input.carrierPartyId);
    if (!roles?.includes('carrier'))
      throw new AppError('UnknownReference', { field: 'carrierPartyId', reason: `no carrier ${input.carrierPartyId}` });
    const job = {
      id: newId('cjb'),
      shipperPartyId: actor.partyId,
      carrierPartyId: input.carrierPartyId,
      validFrom: input.validFrom,
      validTo,
      note,
      status: 'offered',
      acceptedAt: null,
      createdAt: w.now,
      updatedAt: w.now,
    };
    const logIndex = await w.append('carrier.job.offered', actor.partyId, job);
    return toJob({ ...job, logIndex });
  });
}

/** acceptCarrierJob records the carrier's acceptance of a job offered to it (`carrier.job.accepted`); twice is a 409. */
export async function acceptCarrierJob(deps: Deps, actor: Actor, id: string) {
  if (!mayAttempt(actor, 'carrier.job.accept')) throw forbid('carrier.job.accept');
  return commit(deps, undefined, async (w) => {
    const j = await w.trx.selectFrom('carrierJobs').selectAll().where('id', '=', id).executeTakeFirst();
    if (!j || j.carrierPartyId !== actor.partyId) throw notFound('NotFound', 'id', id);
    if (j.status !== 'offered')
      throw new AppError('Conflict', { field: 'id', reason: `this job was already accepted at ${iso(j.acceptedAt)}` });
    const { logIndex: _, ...prior } = j;
    const job = { ...prior, status: 'accepted', acceptedAt: w.now, updatedAt: w.now };
    const logIndex = await w.append('carrier.job.accepted', actor.partyId, job);
    return toJob({ ...job, logIndex });
  });
}

/** listCarrierJobs lists the jobs the actor offered or was offered (regulators: of their region's parties), newest first. */
export async function listCarrierJobs(
  deps: Deps,
  actor: Actor,
  q: { status?: string; limit?: number; cursor?: string },
) {
  const req = pageRequest(q.limit, q.cursor);
  let query = deps.db
    .selectFrom('carrierJobs')
    .selectAll()
    .orderBy('id', 'desc')
    .limit(req.limit + 1);
  const scope = listScope(actor);
  if (scope.kind === 'own')
    query = query.where((eb) =>
      eb.or([eb('shipperPartyId', '=', actor.partyId), eb('carrierPartyId', '=', actor.partyId)]),
    );
  else if (scope.kind === 'region') {
    const inRegion = deps.db.selectFrom('parties').select('id').where('region', '=', scope.region);
    query = query.where((eb) => eb.or([eb('shipperPartyId', 'in', inRegion), eb('carrierPartyId', 'in', inRegion)]));
  }
  if (q.status) query = query.where('status', '=', q.status);
  if (req.after) query = query.where('id', '<', req.after);
  return pageOf(await query.execute(), req, toJob);
}

/** Carriage is the vehicle and crew a movement names, with the carrier it names for them (if any). */
export interface Carriage {
  readonly carrierPartyId?: string | null;
  readonly vehicleId?: string | null;
  readonly driverWorkerId?: string | null;
  readonly handlerWorkerIds?: readonly string[];
}

/**
 * checkCarriage refuses, naming the field, a vehicle, driver or handler that is neither the shipper's own nor the
 * named carrier's, and a named carrier that is not a carrier or has no job from the shipper that it accepted and
 * that is in force at `at` (the event time of the movement). It returns the carrier (null when none is named). The
 * caller has already refused ids that name nothing.
 */
export async function checkCarriage(db: Db, shipperPartyId: string, c: Carriage, at: number): Promise<string | null> {
  const carrier = c.carrierPartyId ?? null;
  if (carrier !== null && carrier !== shipperPartyId) {
    const roles = await rolesOf(db, carrier);
    if (!roles?.includes('carrier'))
      throw new AppError('UnknownReference', { field: 'carrierPartyId', reason: `no carrier ${carrier}` });
    const jobs = await db
      .selectFrom('carrierJobs')
      .selectAll()
      .where('shipperPartyId', '=', shipperPartyId)
      .where('carrierPartyId', '=', carrier)
      .execute();
    if (!jobs.some((j) => jobInForce(j as CarrierJob, at)))
      throw new AppError('Forbidden', {
        field: 'carrierPartyId',
        reason: `carrier ${carrier} has accepted no job from you in force at ${iso(at)}; offer one (POST /v1/carrier-jobs) and have the carrier accept it`,
      });
  }
  const named = carrier === shipperPartyId ? null : carrier;
  const whose = (what: string) =>
    named === null
      ? `${what} belongs to another party; name its carrier as carrierPartyId, under a job the carrier accepted`
      : `${what} belongs neither to you nor to carrier ${named}`;
  if (c.vehicleId) {
    const v = await db.selectFrom('vehicles').select('carrierPartyId').where('id', '=', c.vehicleId).executeTakeFirst();
    if (v && !mayServe(v.carrierPartyId, shipperPartyId, named))
      throw new AppError('Forbidden', { field: 'vehicleId', reason: whose(`vehicle ${c.vehicleId}`) });
  }
  const crew = [
    ...(c.driverWorkerId ? [{ id: c.driverWorkerId, field: 'driverWorkerId' }] : []),
    ...(c.handlerWorkerIds ?? []).map((id, i) => ({ id, field: `handlerWorkerIds.${i}` })),
  ];
  for (const m of crew) {
    const wk = await db.selectFrom('workers').select('employerPartyId').where('id', '=', m.id).executeTakeFirst();
    if (wk && !mayServe(wk.employerPartyId, shipperPartyId, named))
      throw new AppError('Forbidden', { field: m.field, reason: whose(`worker ${m.id}`) });
  }
  return named;
}
