import { createHash } from 'node:crypto';
import type { Actor } from '../../domain/access.ts';
import { webhookUrlProblem } from '../../domain/webhook.ts';
import { isProblem, parseSchedule } from '../../domain/query-schedule.ts';
import type { EpcisSubscriptionRow } from '../../store/schema.ts';
import { AppError, invalid, notFound } from '../errors.ts';
import type { Deps } from '../deps.ts';
import type { ResolveHost } from '../recall/webhook-address.ts';
import { registrationAddressProblem, resolveHost } from '../recall/webhook-address.ts';
import { commit } from '../write/commit.ts';
import { newId } from '../write/ids.ts';
import { findQuery } from './queries.ts';

// Webhook subscriptions to named queries (EPCIS REST binding, POST /queries/{queryName}/subscriptions). A streaming
// subscription is fed by stream-queue.ts in the write path and sent by stream-deliverer.ts.

/** MAX_SUBSCRIPTIONS is how many live subscriptions one party may hold. */
export const MAX_SUBSCRIPTIONS = 20;

/** Subscription is a subscription as served: never its signature token. */
export interface Subscription {
  readonly subscriptionID: string;
  readonly dest: string;
  readonly createdAt: string;
  readonly stream: boolean;
  readonly schedule?: Readonly<Record<string, unknown>>;
  readonly reportIfEmpty?: boolean;
  readonly lastNotifiedAt?: string;
}

/** SubscriptionInput is the body of a subscription: stream: true, or a schedule (see domain/query-schedule.ts). */
export interface SubscriptionInput {
  dest?: unknown;
  signatureToken?: unknown;
  stream?: unknown;
  schedule?: unknown;
  reportIfEmpty?: unknown;
}

const toSubscription = (r: EpcisSubscriptionRow, lastNotifiedAt: number | null): Subscription => ({
  subscriptionID: r.id,
  dest: r.dest,
  createdAt: new Date(Number(r.createdAt)).toISOString(),
  stream: r.stream === 1,
  ...(r.schedule === null
    ? {}
    : { schedule: JSON.parse(r.schedule) as Record<string, unknown>, reportIfEmpty: r.reportIfEmpty === 1 }),
  ...(lastNotifiedAt === null ? {} : { lastNotifiedAt: new Date(lastNotifiedAt).toISOString() }),
});

/**
 * createSubscription subscribes the actor to a named query it may see: with stream, each event captured or derived
 * afterwards that matches it and that the actor may read is POSTed to dest as an EPCISQueryDocument, signed with
 * signatureToken in GS1-Signature; with a schedule, at each time the schedule fires, the events recorded since the
 * last run (and, with reportIfEmpty, an empty document when there are none). dest follows the webhook address rules (https to public addresses; plain http to this machine only
 * under allowHttp). The log holds the subscription and a SHA-256 commitment of the token; the token is kept apart.
 */
export async function createSubscription(
  deps: Deps,
  actor: Actor,
  queryName: string,
  input: SubscriptionInput,
  allowHttp: boolean,
  resolve: ResolveHost = resolveHost,
): Promise<Subscription> {
  if (typeof input.dest !== 'string') throw invalid('dest', 'is required: the URL events are sent to');
  const dest = input.dest.trim();
  const problem = webhookUrlProblem(dest, allowHttp) ?? (await registrationAddressProblem(dest, resolve));
  if (problem) throw invalid('dest', problem);
  if (input.signatureToken !== undefined && (typeof input.signatureToken !== 'string' || input.signatureToken === ''))
    throw invalid('signatureToken', 'must be a non-empty string');
  const scheduled = input.schedule !== undefined;
  if (scheduled) {
    const s = parseSchedule(input.schedule);
    if (isProblem(s)) throw invalid(s.field, s.reason);
    if (input.stream !== undefined && input.stream !== false)
      throw invalid('stream', 'a subscription is either streamed (stream: true) or scheduled, not both');
  } else if (input.stream !== true) throw invalid('stream', 'must be true, or give a schedule');
  if (input.reportIfEmpty !== undefined && typeof input.reportIfEmpty !== 'boolean')
    throw invalid('reportIfEmpty', 'must be true or false');
  const token = input.signatureToken as string | undefined;
  return commit(deps, undefined, async (w) => {
    await findQuery(w.trx, actor, queryName);
    const live = await w.trx
      .selectFrom('epcisSubscriptions')
      .select('id')
      .where('partyId', '=', actor.partyId)
      .where('cancelledAt', 'is', null)
      .execute();
    if (live.length >= MAX_SUBSCRIPTIONS)
      throw new AppError('Conflict', {
        field: 'dest',
        reason: `you have ${live.length} subscriptions; delete one first (at most ${MAX_SUBSCRIPTIONS})`,
      });
    const record = {
      id: newId('sub'),
      queryName,
      partyId: actor.partyId,
      dest,
      stream: !scheduled,
      schedule: scheduled ? (input.schedule as Record<string, unknown>) : null,
      reportIfEmpty: input.reportIfEmpty === true,
      tokenSha256: token === undefined ? null : createHash('sha256').update(token, 'utf8').digest('hex'),
      createdAt: w.now,
      cancelledAt: null,
    };
    const logIndex = await w.append('epcis.subscription.created', actor.partyId, record);
    if (token !== undefined)
      await w.trx.insertInto('epcisSubscriptionSecrets').values({ subscriptionId: record.id, token }).execute();
    if (scheduled)
      await w.trx.insertInto('epcisScheduleState').values({ subscriptionId: record.id, lastRunAt: w.now }).execute();
    return toSubscription(
      {
        ...record,
        stream: scheduled ? 0 : 1,
        schedule: record.schedule === null ? null : JSON.stringify(record.schedule),
        reportIfEmpty: record.reportIfEmpty ? 1 : 0,
        logIndex,
      },
      null,
    );
  });
}

/** listSubscriptions lists the actor's live subscriptions to a named query it may see, oldest first. */
export async function listSubscriptions(deps: Deps, actor: Actor, queryName: string): Promise<Subscription[]> {
  await findQuery(deps.db, actor, queryName);
  const rows = await deps.db
    .selectFrom('epcisSubscriptions')
    .selectAll()
    .where('queryName', '=', queryName)
    .where('partyId', '=', actor.partyId)
    .where('cancelledAt', 'is', null)
    .orderBy('id')
    .execute();
  const notified = new Map<string, number>();
  if (rows.length > 0) {
    const last = await deps.db
      .selectFrom('epcisDeliveries')
      .select(['subscriptionId', (eb) => eb.fn.max('updatedAt').as('at')])
      .where(
        'subscriptionId',
        'in',
        rows.map((r) => r.id),
      )
      .where('status', '=', 'delivered')
      .groupBy('subscriptionId')
      .execute();
    for (const l of last) notified.set(l.subscriptionId, Number(l.at));
  }
  return rows.map((r) => toSubscription(r, notified.get(r.id) ?? null));
}

/** getSubscription returns one of the actor's live subscriptions to queryName. */
export async function getSubscription(deps: Deps, actor: Actor, queryName: string, id: string): Promise<Subscription> {
  const found = (await listSubscriptions(deps, actor, queryName)).find((s) => s.subscriptionID === id);
  if (!found) throw notFound('NotFound', 'subscriptionID', id);
  return found;
}

/** cancelSubscription ends one of the actor's subscriptions (an entry on the log); what is still queued is dropped. */
export async function cancelSubscription(deps: Deps, actor: Actor, queryName: string, id: string): Promise<void> {
  await commit(deps, undefined, async (w) => {
    const row = await w.trx.selectFrom('epcisSubscriptions').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row || row.queryName !== queryName || row.partyId !== actor.partyId || row.cancelledAt !== null)
      throw notFound('NotFound', 'subscriptionID', id);
    const { logIndex: _, ...rest } = row;
    await w.append('epcis.subscription.cancelled', actor.partyId, {
      ...rest,
      stream: row.stream === 1,
      reportIfEmpty: row.reportIfEmpty === 1,
      schedule: row.schedule === null ? null : (JSON.parse(row.schedule) as unknown),
      createdAt: Number(row.createdAt),
      cancelledAt: w.now,
    });
    await w.trx
      .updateTable('epcisDeliveries')
      .set({ status: 'cancelled', nextAt: null, updatedAt: w.now })
      .where('subscriptionId', '=', id)
      .where('status', '=', 'pending')
      .execute();
  });
}
