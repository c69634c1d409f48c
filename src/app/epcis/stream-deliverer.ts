import { nextStep, signatureHeader } from '../../domain/webhook.ts';
import type { Deps } from '../deps.ts';
import { post } from '../recall/deliverer.ts';
import type { ResolveHost } from '../recall/webhook-address.ts';
import { resolveHost } from '../recall/webhook-address.ts';
import { queryDocument } from './query.ts';
import { runSchedules } from './schedules.ts';

/** StreamDelivererOptions tunes the subscription deliverer; every field has a production default. */
export interface StreamDelivererOptions {
  /** intervalMs is how often due deliveries are looked for (100 ms: a streamed event should arrive within a second). */
  readonly intervalMs?: number;
  /** timeoutMs is how long one request may take (10 s). */
  readonly timeoutMs?: number;
  /** subscriptions is how many subscriptions one pass serves, in parallel (20). */
  readonly subscriptions?: number;
  /** events is the most events one POST carries, in log order (100). */
  readonly events?: number;
  /** leaseMs keeps other processes off a batch being sent (60 s); it must exceed timeoutMs. */
  readonly leaseMs?: number;
  readonly random?: () => number;
  readonly resolve?: ResolveHost;
  readonly onError?: (err: unknown) => void;
}

const DEFAULTS = { intervalMs: 100, timeoutMs: 10_000, subscriptions: 20, events: 100, leaseMs: 60_000 };

/** gs1Signature is the GS1-Signature value of a delivery: `t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.body">`. */
export function gs1Signature(token: string, timestamp: number, body: string): string {
  return `t=${timestamp},${signatureHeader(token, timestamp, body)}`;
}

/**
 * deliverStreamsDue makes one pass: it runs the scheduled subscriptions that are due (schedules.ts), then, for up to `subscriptions` subscriptions with a due delivery, it sends the oldest
 * pending events of each (in log order, one EPCISQueryDocument) and records the outcome: delivered, or a retry with
 * back-off of the whole batch, or failed when the attempts are used up. A subscription whose oldest pending event
 * waits for a retry sends nothing newer meanwhile, so a receiver sees events in order. A batch is leased by one
 * conditional UPDATE before it is sent, so that two processes never send it at once; if we crash mid-send, the lease
 * runs out and the batch is sent again (at least once).
 */
export async function deliverStreamsDue(deps: Deps, opts: StreamDelivererOptions = {}): Promise<number> {
  const o = { ...DEFAULTS, ...opts };
  const now = deps.clock.now();
  await runSchedules(deps, now);
  const due = await deps.db
    .selectFrom('epcisDeliveries')
    .select('subscriptionId')
    .distinct()
    .where('status', '=', 'pending')
    .where('nextAt', '<=', now)
    .limit(o.subscriptions)
    .execute();
  const sent = await Promise.all(due.map((d) => sendBatch(deps, o, d.subscriptionId, now)));
  return sent.reduce((a, b) => a + b, 0);
}

async function sendBatch(
  deps: Deps,
  o: typeof DEFAULTS & StreamDelivererOptions,
  subscriptionId: string,
  now: number,
): Promise<number> {
  const batch = await deps.db
    .selectFrom('epcisDeliveries as d')
    .leftJoin('epcisEvents as e', 'e.eventId', 'd.eventId')
    .select(['d.id', 'd.attempts', 'd.nextAt', 'e.json'])
    .where('d.subscriptionId', '=', subscriptionId)
    .where('d.status', '=', 'pending')
    .orderBy('d.eventLogIndex')
    .orderBy('d.id')
    .limit(o.events)
    .execute();
  const head = batch[0];
  if (!head || head.nextAt === null || Number(head.nextAt) > now) return 0;
  const ids = batch.map((b) => b.id);
  const leased = await deps.db
    .updateTable('epcisDeliveries')
    .set({ nextAt: now + o.leaseMs, updatedAt: now })
    .where('id', 'in', ids)
    .where('status', '=', 'pending')
    .where('nextAt', '<=', now)
    .executeTakeFirst();
  if (Number(leased.numUpdatedRows) !== ids.length) return 0;
  const sub = await deps.db
    .selectFrom('epcisSubscriptions as s')
    .leftJoin('epcisSubscriptionSecrets as k', 'k.subscriptionId', 's.id')
    .select(['s.dest', 's.queryName', 's.cancelledAt', 'k.token'])
    .where('s.id', '=', subscriptionId)
    .executeTakeFirst();
  const finish = (set: { status: string; nextAt: number | null; lastError: string | null }) =>
    deps.db
      .updateTable('epcisDeliveries')
      .set((eb) => ({ ...set, attempts: eb('attempts', '+', 1), updatedAt: deps.clock.now() }))
      .where('id', 'in', ids)
      .execute();
  if (!sub || sub.cancelledAt !== null) {
    await finish({ status: 'cancelled', nextAt: null, lastError: null });
    return 0;
  }
  const doc = queryDocument(
    batch.flatMap((b) => (b.json === null ? [] : [JSON.parse(b.json) as Record<string, unknown>])),
    now,
  );
  const results = (doc.epcisBody as { queryResults: Record<string, unknown> }).queryResults;
  results.queryName = sub.queryName;
  results.subscriptionID = subscriptionId;
  const body = JSON.stringify(doc);
  const timestamp = Math.floor(now / 1000);
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'user-agent': 'coldtrace-epcis/1',
    'GS1-EPCIS-Version': '2.0.0',
    'GS1-CBV-Version': '2.0.0',
    ...(sub.token === null ? {} : { 'GS1-Signature': gs1Signature(sub.token, timestamp, body) }),
  };
  const outcome = await post(sub.dest, headers, body, o.timeoutMs, o.resolve ?? resolveHost);
  const step = nextStep(outcome, head.attempts + 1, (o.random ?? Math.random)());
  const error = 'error' in outcome ? outcome.error : 'status' in outcome ? `HTTP ${outcome.status}` : null;
  if (step.kind === 'delivered') await finish({ status: 'delivered', nextAt: null, lastError: null });
  else if (step.kind === 'retry')
    await finish({ status: 'pending', nextAt: deps.clock.now() + step.afterMs, lastError: error });
  else await finish({ status: 'failed', nextAt: null, lastError: error });
  return batch.length;
}

/** StreamDeliverer sends queued subscription deliveries in the background. */
export interface StreamDeliverer {
  /** tick sends what is due now and returns how many events it attempted; ticks never overlap. */
  tick(): Promise<number>;
  /** stop ends the loop and waits for the pass under way; what is left stays queued for the next start. */
  stop(): Promise<void>;
}

/**
 * startStreamDeliverer sends due subscription deliveries every intervalMs until stopped. The queue is in the database,
 * so a failed pass loses nothing: it is tried again on the next tick.
 */
export function startStreamDeliverer(deps: Deps, opts: StreamDelivererOptions = {}): StreamDeliverer {
  const { intervalMs } = { ...DEFAULTS, ...opts };
  const onError = opts.onError ?? (() => {});
  let running: Promise<number> = Promise.resolve(0);
  const tick = () => {
    running = running.catch(() => 0).then(() => deliverStreamsDue(deps, opts));
    return running;
  };
  // A pass that outlasts the interval is not queued behind: the next tick after it finds what is due.
  let busy = false;
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    tick()
      .catch(onError)
      .finally(() => {
        busy = false;
      });
  }, intervalMs);
  timer.unref();
  return {
    tick,
    stop: async () => {
      clearInterval(timer);
      await running.catch(onError);
    },
  };
}
