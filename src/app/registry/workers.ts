import type { Actor } from '../../domain/access.ts';
import { BUSINESS_ROLES, canManage, canSee, mayAttempt } from '../../domain/access.ts';
import { maskResidentId, validateResidentId } from '../../domain/resident-id.ts';
import type { WorkerRole } from '../../domain/worker-eligibility.ts';
import { WORKER_ROLES, eligibility } from '../../domain/worker-eligibility.ts';
import { findWorker, listWorkers as listRows, workerTests } from '../../store/master.ts';
import type { Kysely, Transaction } from 'kysely';
import type { Schema, WorkerRow, WorkerTestRow } from '../../store/schema.ts';
import { invalid, notFound } from '../errors.ts';
import { forbid } from '../access/authorize.ts';
import type { Idempotency, Writer } from '../write/commit.ts';
import { commit } from '../write/commit.ts';
import type { Deps } from '../deps.ts';
import { newId } from '../write/ids.ts';
import type { Page } from '../access/paging.ts';
import { iso, pageOf, pageRequest } from '../access/paging.ts';
import { storePersonal } from './personal.ts';
import { ownerFor } from '../access/references.ts';
import { scopeFilter } from '../access/scope.ts';
import { eligibilityRuleFor } from './settings.ts';
import { checkEventTimes } from './time-horizon.ts';

export interface WorkerInput {
  employerPartyId?: string;
  name: string;
  role: WorkerRole;
  idNumber: string;
}

type Joined = WorkerRow & { region: string; masked: string | null; erasedAt: number | null };
const owned = (r: Joined) => ({ ownerPartyId: r.employerPartyId, region: r.region });

const toTest = (t: WorkerTestRow) => ({
  id: t.id,
  workerId: t.workerId,
  sampledAt: iso(t.sampledAt),
  result: t.result,
  institution: t.institution,
  createdAt: iso(t.createdAt),
  logIndex: t.logIndex,
});

// Inside a write, toWorker must read through the transaction: SQLite has one connection, which the
// transaction holds, so a read on deps.db would wait for it forever.
async function toWorker(deps: Deps, db: Kysely<Schema> | Transaction<Schema>, r: Joined) {
  const tests = await workerTests(db, r.id);
  const rule = await eligibilityRuleFor(deps, r.region, db);
  const e = eligibility(
    tests.map((t) => ({ sampledAt: t.sampledAt, result: t.result as 'negative' | 'positive' })),
    r.role as WorkerRole,
    rule,
    deps.clock.now(),
  );
  return {
    id: r.id,
    employerPartyId: r.employerPartyId,
    name: r.name,
    role: r.role,
    idNumber: r.erasedAt !== null ? { masked: null, erased: true } : { masked: r.masked, erased: false },
    eligibility: {
      eligible: e.eligible,
      reason: e.reason,
      validUntil: e.validUntil === undefined ? null : iso(e.validUntil),
      latestTestAt: e.latestTest ? iso(e.latestTest.sampledAt) : null,
    },
    createdAt: iso(r.createdAt),
    updatedAt: iso(r.updatedAt),
    logIndex: r.logIndex,
  };
}
export type Worker = Awaited<ReturnType<typeof toWorker>>;

function checkRole(role: string): WorkerRole {
  if (!(WORKER_ROLES as readonly string[]).includes(role))
    throw invalid('role', `must be one of ${WORKER_ROLES.join(', ')}`);
  return role as WorkerRole;
}
function checkName(name: string): string {
  const n = name.trim();
  if (!n) throw invalid('name', 'must not be blank');
  return n;
}

/**
 * createWorker registers a worker for an employer. The resident ID number is checked (GB 11643), kept
 * in the erasable personal-data table, and reaches the log only as a salted commitment.
 */
export async function createWorker(deps: Deps, actor: Actor, input: WorkerInput, idem?: Idempotency) {
  if (!mayAttempt(actor, 'worker.create')) throw forbid('worker.create');
  const role = checkRole(input.role);
  const name = checkName(input.name);
  const id = validateResidentId(input.idNumber, deps.clock.now());
  if (!id.ok) throw invalid('idNumber', id.reason);
  return commit(deps, idem, async (w) => {
    const employer = await ownerFor(w.trx, actor, 'employerPartyId', input.employerPartyId, BUSINESS_ROLES);
    const idNumber = await storePersonal(w.trx, 'resident_id', id.value, maskResidentId(id.value), w.now);
    const record = {
      id: newId('wkr'),
      employerPartyId: employer.id,
      name,
      role,
      idNumber,
      createdAt: w.now,
      updatedAt: w.now,
    };
    const logIndex = await w.append('worker.created', actor.partyId, record);
    return { worker: await toWorker(deps, w.trx, (await findWorker(w.trx, record.id))!), logIndex };
  });
}

/** updateWorker changes a worker's name, role or ID number (a new number gets a new commitment). */
export async function updateWorker(deps: Deps, actor: Actor, workerId: string, patch: Partial<WorkerInput>) {
  if (!mayAttempt(actor, 'worker.update')) throw forbid('worker.update');
  const newIdNumber = patch.idNumber === undefined ? undefined : validateResidentId(patch.idNumber, deps.clock.now());
  if (newIdNumber && !newIdNumber.ok) throw invalid('idNumber', newIdNumber.reason);
  return commit(deps, undefined, async (w) => {
    const cur = await findWorker(w.trx, workerId);
    if (!cur || !canSee(actor, owned(cur))) throw notFound('WorkerNotFound', 'id', workerId);
    if (!canManage(actor, owned(cur))) throw forbid('worker.update');
    if (patch.employerPartyId !== undefined && patch.employerPartyId !== cur.employerPartyId) {
      throw invalid('employerPartyId', 'a worker cannot change employer; the new employer registers the worker');
    }
    const idNumber = newIdNumber?.ok
      ? await storePersonal(w.trx, 'resident_id', newIdNumber.value, maskResidentId(newIdNumber.value), w.now)
      : { commitment: cur.idCommitment, ref: cur.personalRef };
    const record = {
      id: cur.id,
      employerPartyId: cur.employerPartyId,
      name: patch.name === undefined ? cur.name : checkName(patch.name),
      role: patch.role === undefined ? cur.role : checkRole(patch.role),
      idNumber,
      createdAt: cur.createdAt,
      updatedAt: w.now,
    };
    const logIndex = await w.append('worker.updated', actor.partyId, record);
    return { worker: await toWorker(deps, w.trx, (await findWorker(w.trx, workerId))!), logIndex };
  });
}

/** getWorker returns a worker the actor may see, with on-duty eligibility as of now. */
export async function getWorker(deps: Deps, actor: Actor, workerId: string): Promise<Worker> {
  if (!mayAttempt(actor, 'worker.read')) throw forbid('worker.read');
  const row = await findWorker(deps.db, workerId);
  if (!row || !canSee(actor, owned(row))) throw notFound('WorkerNotFound', 'id', workerId);
  return toWorker(deps, deps.db, row);
}

/** listWorkers lists the workers the actor may see. */
export async function listWorkers(
  deps: Deps,
  actor: Actor,
  q: { region?: string; employerPartyId?: string; role?: string; limit?: number; cursor?: string },
): Promise<Page<Worker>> {
  if (!mayAttempt(actor, 'worker.read')) throw forbid('worker.read');
  const page = pageRequest(q.limit, q.cursor);
  const scope = scopeFilter(actor, q.region);
  if (!scope) return { items: [], nextCursor: null };
  if (scope.ownerPartyId && q.employerPartyId && q.employerPartyId !== scope.ownerPartyId)
    return { items: [], nextCursor: null };
  const rows = await listRows(deps.db, {
    role: q.role,
    ownerPartyId: scope.ownerPartyId ?? q.employerPartyId,
    region: scope.region,
    after: page.after,
    limit: page.limit,
  });
  const mapped = pageOf(rows, page, (r) => r);
  return {
    items: await Promise.all(mapped.items.map((r) => toWorker(deps, deps.db, r))),
    nextCursor: mapped.nextCursor,
  };
}

export interface WorkerTestInput {
  sampledAt: number;
  result: 'negative' | 'positive';
  institution: string;
}

/** recordWorkerTest adds a nucleic-acid test result to a worker's record. */
export async function recordWorkerTest(
  deps: Deps,
  actor: Actor,
  workerId: string,
  input: WorkerTestInput,
  idem?: Idempotency,
) {
  if (!mayAttempt(actor, 'worker.test.create')) throw forbid('worker.test.create');
  if (!input.institution.trim()) throw invalid('institution', 'must not be blank');
  return commit(deps, idem, (w) => testWith(w, deps, actor, workerId, input));
}

/** testWith is recordWorkerTest inside the writer's transaction, for callers that batch many writes in one commit. */
export async function testWith(w: Writer, deps: Deps, actor: Actor, workerId: string, input: WorkerTestInput) {
  if (!mayAttempt(actor, 'worker.test.create')) throw forbid('worker.test.create');
  await checkEventTimes(w, actor, { sampledAt: input.sampledAt });
  if (!input.institution.trim()) throw invalid('institution', 'must not be blank');
  const worker = await findWorker(w.trx, workerId);
  if (!worker || !canSee(actor, owned(worker))) throw notFound('WorkerNotFound', 'id', workerId);
  if (!canManage(actor, owned(worker))) throw forbid('worker.test.create');
  const record = {
    id: newId('wt'),
    workerId,
    sampledAt: input.sampledAt,
    result: input.result,
    institution: input.institution.trim(),
    createdAt: w.now,
  };
  const logIndex = await w.append('worker.test.recorded', actor.partyId, record);
  const row = await w.trx.selectFrom('workerTests').selectAll().where('id', '=', record.id).executeTakeFirstOrThrow();
  return { test: toTest(row), logIndex };
}

/** listWorkerTests returns a worker's tests, latest first. */
export async function listWorkerTests(deps: Deps, actor: Actor, workerId: string) {
  const worker = await findWorker(deps.db, workerId);
  if (!worker || !mayAttempt(actor, 'worker.read') || !canSee(actor, owned(worker))) {
    throw notFound('WorkerNotFound', 'id', workerId);
  }
  return (await workerTests(deps.db, workerId)).map(toTest);
}
