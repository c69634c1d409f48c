import type { Transaction } from 'kysely';
import type { Actor } from '../../domain/access.ts';
import { mayAttempt } from '../../domain/access.ts';
import { activeSuspension, nextFindingSuspension, validateManualSuspension } from '../../domain/suspension.ts';
import { findLot, producerSuspensions } from '../../store/border.ts';
import { findProducer } from '../../store/master.ts';
import type { Schema, SuspensionRow } from '../../store/schema.ts';
import { AppError, invalid, notFound } from '../errors.ts';
import { forbid } from '../access/authorize.ts';
import type { Idempotency } from '../write/commit.ts';
import { commit } from '../write/commit.ts';
import type { Deps } from '../deps.ts';
import { newId } from '../write/ids.ts';
import { iso } from '../access/paging.ts';

/** toSuspension renders a suspension for the API, with whether it is in force at now. */
export const toSuspension = (s: SuspensionRow, now: number) => ({
  id: s.id,
  producerId: s.producerId,
  kind: s.kind,
  startsAt: iso(s.startsAt),
  endsAt: iso(s.endsAt),
  active: s.startsAt <= now && now < s.endsAt,
  reason: s.reason,
  findingNumber: s.findingNumber,
  lotId: s.lotId,
  sampleId: s.sampleId,
  createdAt: iso(s.createdAt),
  logIndex: s.logIndex,
});

/**
 * findingSuspension builds the suspension a positive finding against producerId earns under the
 * GACC rule (1st and 2nd: 1 week each, 3rd and later: 4 weeks), counting the producer's earlier
 * findings. The caller puts it in its entry.
 */
export async function findingSuspension(
  trx: Transaction<Schema>,
  producerId: string,
  at: number,
  context: { reason: string; lotId?: string | null; sampleId?: string | null },
) {
  const prior = await producerSuspensions(trx, producerId);
  const findings = prior.filter((s) => s.kind === 'finding');
  const next = nextFindingSuspension(findings.map(toDomain), at);
  return {
    id: newId('sus'),
    producerId,
    kind: 'finding',
    startsAt: next.startsAt,
    endsAt: next.endsAt,
    reason: context.reason,
    findingNumber: next.findingNumber,
    lotId: context.lotId ?? null,
    sampleId: context.sampleId ?? null,
    createdAt: at,
  };
}

const toDomain = (s: SuspensionRow) => ({
  id: s.id,
  producerId: s.producerId,
  kind: s.kind as 'finding' | 'manual',
  startsAt: s.startsAt,
  endsAt: s.endsAt,
  reason: s.reason,
  findingNumber: s.findingNumber ?? undefined,
});

/** recordFinding records a positive finding against a producer (customs), suspending it by the GACC rule. */
export async function recordFinding(
  deps: Deps,
  actor: Actor,
  producerId: string,
  input: { reason: string; lotId?: string },
  idem?: Idempotency,
) {
  if (!mayAttempt(actor, 'producer.suspend')) throw forbid('producer.suspend');
  const reason = input.reason?.trim();
  if (!reason) throw invalid('reason', 'must not be blank');
  return commit(deps, idem, async (w) => {
    if (!(await findProducer(w.trx, producerId))) throw notFound('ProducerNotFound', 'id', producerId);
    if (input.lotId !== undefined && (await findLot(w.trx, input.lotId))?.producerId !== producerId) {
      throw new AppError('UnknownReference', {
        field: 'lotId',
        reason: `no lot ${input.lotId} of producer ${producerId}`,
      });
    }
    const suspension = await findingSuspension(w.trx, producerId, w.now, { reason, lotId: input.lotId ?? null });
    const logIndex = await w.append('suspension.recorded', actor.partyId, { suspension });
    return { ...toSuspension({ ...suspension, logIndex }, w.now), logIndex };
  });
}

/** suspendProducer suspends a producer by hand (customs), with a reason and dates. */
export async function suspendProducer(
  deps: Deps,
  actor: Actor,
  producerId: string,
  input: { startsAt: number; endsAt: number; reason: string },
  idem?: Idempotency,
) {
  if (!mayAttempt(actor, 'producer.suspend')) throw forbid('producer.suspend');
  const v = validateManualSuspension(input, deps.clock.now());
  if (!v.ok)
    throw invalid(
      v.reason.startsWith('reason') ? 'reason' : v.reason.startsWith('start') ? 'startsAt' : 'endsAt',
      v.reason,
    );
  return commit(deps, idem, async (w) => {
    if (!(await findProducer(w.trx, producerId))) throw notFound('ProducerNotFound', 'id', producerId);
    const suspension = {
      id: newId('sus'),
      producerId,
      kind: 'manual',
      startsAt: input.startsAt,
      endsAt: input.endsAt,
      reason: input.reason.trim(),
      findingNumber: null,
      lotId: null,
      sampleId: null,
      createdAt: w.now,
    };
    const logIndex = await w.append('suspension.recorded', actor.partyId, { suspension });
    return { ...toSuspension({ ...suspension, logIndex }, w.now), logIndex };
  });
}

/** listSuspensions lists suspensions: by default those in force now; all with active=false. */
export async function listSuspensions(deps: Deps, q: { producerId?: string; active?: boolean }) {
  const now = deps.clock.now();
  let query = deps.db.selectFrom('suspensions').selectAll().orderBy('startsAt', 'desc').limit(500);
  if (q.producerId) query = query.where('producerId', '=', q.producerId);
  if (q.active !== false) query = query.where('startsAt', '<=', now).where('endsAt', '>', now);
  return { items: (await query.execute()).map((s) => toSuspension(s, now)), nextCursor: null };
}

/** producerStatus is a producer's suspension in force now, or null. */
export async function producerStatus(deps: Deps, producerId: string) {
  const now = deps.clock.now();
  const rows = await producerSuspensions(deps.db, producerId);
  const active = activeSuspension(rows.map(toDomain), now);
  const row = active && rows.find((r) => r.id === active.id);
  return row ? toSuspension(row, now) : null;
}
