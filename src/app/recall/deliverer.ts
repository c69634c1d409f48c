import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { Outcome } from '../../domain/webhook.ts';
import { ADDRESS_RULE, nextStep, signatureHeader } from '../../domain/webhook.ts';
import type { AlertDeliveryRow } from '../../store/schema.ts';
import { findAlert } from './alerts.ts';
import type { Deps } from '../deps.ts';
import { disableWebhook } from './webhooks.ts';
import type { ResolveHost } from './webhook-address.ts';
import { AddressRefused, allowedAddressesFor, guardedLookup, resolveHost } from './webhook-address.ts';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';

/** DelivererOptions tunes the webhook deliverer; every field has a production default. */
export interface DelivererOptions {
  /** intervalMs is how often due deliveries are looked for (1 s). */
  readonly intervalMs?: number;
  /** timeoutMs is how long one request may take, connection to last header (10 s). */
  readonly timeoutMs?: number;
  /** batch is how many deliveries one tick claims and sends in parallel (20). */
  readonly batch?: number;
  /**
   * leaseMs is how long a claim keeps other processes off a delivery (60 s): if this process dies
   * mid-attempt, the delivery is due again when the lease runs out. Must exceed timeoutMs.
   */
  readonly leaseMs?: number;
  /** random spreads retries (Math.random). */
  readonly random?: () => number;
  /** resolve looks up receivers' host names (the system resolver); every address is checked before connecting. */
  readonly resolve?: ResolveHost;
  readonly onError?: (err: unknown) => void;
}

const DEFAULTS = { intervalMs: 1000, timeoutMs: 10_000, batch: 20, leaseMs: 60_000 };

/** Deliverer sends queued webhook deliveries in the background. */
export interface Deliverer {
  /** tick sends what is due now (by deps.clock) and returns how many attempts it made; ticks never overlap. */
  tick(): Promise<number>;
  /** stop ends the loop and waits for the attempts under way; what is left stays queued for the next start. */
  stop(): Promise<void>;
}

/**
 * deliverDue makes one pass: it claims up to batch pending deliveries whose time has come, sends each,
 * and records the attempt and what follows (delivered, a retry with backoff, failed, or the webhook
 * disabled on 410). Several processes may run it on one database at once: the claim is one conditional
 * UPDATE, so a delivery is claimed by one of them, and it stays claimed until its lease runs out.
 */
export async function deliverDue(deps: Deps, opts: DelivererOptions = {}): Promise<number> {
  const { batch, leaseMs } = { ...DEFAULTS, ...opts };
  const now = deps.clock.now();
  // Look before taking the write lock: most ticks find nothing, and on SQLite an UPDATE locks even then.
  const due = deps.db
    .selectFrom('alertDeliveries')
    .select('id')
    .where('status', '=', 'pending')
    .where('nextAt', '<=', now);
  if (!(await due.limit(1).executeTakeFirst())) return 0;
  const claim = randomUUID();
  await deps.db
    .updateTable('alertDeliveries')
    .set((eb) => ({ claim, nextAt: now + leaseMs, attempts: eb('attempts', '+', 1), updatedAt: now }))
    .where('id', 'in', due.orderBy('nextAt').limit(batch))
    // Repeated here so that, under concurrency, a row another process claimed meanwhile is not taken.
    .where('status', '=', 'pending')
    .where('nextAt', '<=', now)
    .execute();
  const claimed = await deps.db.selectFrom('alertDeliveries').selectAll().where('claim', '=', claim).execute();
  await Promise.all(claimed.map((d) => attempt(deps, opts, d, claim)));
  return claimed.length;
}

async function attempt(deps: Deps, opts: DelivererOptions, d: AlertDeliveryRow, claim: string): Promise<void> {
  const { timeoutMs, random } = { ...DEFAULTS, random: Math.random, ...opts };
  const hook = await deps.db
    .selectFrom('webhooks')
    .innerJoin('webhookSecrets', 'webhookSecrets.webhookId', 'webhooks.id')
    .select(['webhooks.url', 'webhooks.disabledAt', 'webhookSecrets.secret'])
    .where('webhooks.id', '=', d.webhookId)
    .executeTakeFirst();
  const alert = await findAlert(deps.db, d.alertId);
  if (!hook || hook.disabledAt !== null || !alert) {
    await deps.db
      .updateTable('alertDeliveries')
      .set({ status: 'cancelled', nextAt: null, claim: null, updatedAt: deps.clock.now() })
      .where('id', '=', d.id)
      .where('claim', '=', claim)
      .execute();
    return;
  }
  const startedAt = deps.clock.now();
  const timestamp = Math.floor(startedAt / 1000);
  const body = JSON.stringify({ type: 'alert', webhookId: d.webhookId, deliveryId: d.id, alert });
  const t0 = performance.now();
  const outcome = await post(
    hook.url,
    {
      'content-type': 'application/json',
      'user-agent': 'coldtrace-webhooks/1',
      'coldtrace-webhook-id': d.webhookId,
      'coldtrace-delivery-id': d.id,
      'coldtrace-timestamp': String(timestamp),
      'coldtrace-signature': signatureHeader(hook.secret, timestamp, body),
    },
    body,
    timeoutMs,
    opts.resolve ?? resolveHost,
  );
  const durationMs = Math.round(performance.now() - t0);
  const step = nextStep(outcome, d.attempts, random());
  const at = deps.clock.now();
  const nextAt = step.kind === 'retry' ? at + step.afterMs : null;
  const status = step.kind === 'retry' ? 'pending' : step.kind === 'delivered' ? 'delivered' : 'failed';
  await deps.db.transaction().execute(async (trx) => {
    await trx
      .insertInto('deliveryAttempts')
      .values({
        deliveryId: d.id,
        attempt: d.attempts,
        webhookId: d.webhookId,
        startedAt,
        durationMs,
        httpStatus: 'status' in outcome ? outcome.status : null,
        error: 'error' in outcome ? outcome.error : null,
        nextAt,
      })
      .execute();
    // Only while the claim is ours: if the lease ran out and another process took the delivery, its outcome stands.
    await trx
      .updateTable('alertDeliveries')
      .set({ status, nextAt, claim: null, updatedAt: at })
      .where('id', '=', d.id)
      .where('claim', '=', claim)
      .execute();
  });
  if (step.kind === 'gone') await disableWebhook(deps, null, d.webhookId, 'gone');
}

/**
 * post sends one delivery and returns its outcome (also used by app/epcis/stream-deliverer.ts). The host is resolved and every address checked just
 * before connecting, and the connection goes to a checked address (see guardedLookup); redirects are not
 * followed (a 3xx is an outcome like any other); the answer's body is not read.
 */
export function post(
  url: string,
  headers: Record<string, string>,
  body: string,
  timeoutMs: number,
  resolve: ResolveHost,
): Promise<Outcome> {
  const u = new URL(url);
  const allowed = allowedAddressesFor(u);
  // An IP address in the URL is connected to without a lookup, so it is judged here.
  const literal = u.hostname.replace(/^\[|\]$/g, '');
  if (isIP(literal) !== 0 && !allowed(literal))
    return Promise.resolve({ error: `refused: ${u.hostname}; ${ADDRESS_RULE}`.slice(0, 200) });
  return new Promise((settle) => {
    let settled = false;
    const done = (o: Outcome) => {
      if (settled) return;
      settled = true;
      settle(o);
    };
    const send = u.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = send(
      u,
      {
        method: 'POST',
        headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
        agent: false,
        lookup: guardedLookup(allowed, resolve),
        signal: AbortSignal.timeout(timeoutMs),
      },
      (res) => {
        done({ status: res.statusCode ?? 0 });
        // The answer's body means nothing to us; release the connection without reading it.
        res.destroy();
      },
    );
    req.on('error', (err) => done({ error: describe(err, timeoutMs) }));
    req.end(body);
  });
}

/** describe turns a failed request into a short reason for the delivery log: no stack, no secret. */
function describe(err: unknown, timeoutMs: number): string {
  const e = err as { name?: string; code?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e.name === 'TimeoutError' || e.name === 'AbortError') return `timed out after ${timeoutMs} ms`;
  if (err instanceof AddressRefused) return err.message.slice(0, 200);
  const reason = e.code ?? e.cause?.code ?? e.cause?.message ?? e.message ?? String(err);
  return reason.slice(0, 200);
}

/**
 * startDeliverer sends due webhook deliveries every intervalMs until stopped. Failures of a pass are
 * reported and the pass is tried again on the next tick: nothing is lost, because the queue is in the
 * database and a delivery leaves it only when it was delivered, failed for good, or cancelled.
 */
export function startDeliverer(deps: Deps, opts: DelivererOptions = {}): Deliverer {
  const { intervalMs } = { ...DEFAULTS, ...opts };
  const onError = opts.onError ?? (() => {});
  let running: Promise<number> = Promise.resolve(0);
  const tick = () => {
    running = running.catch(() => 0).then(() => deliverDue(deps, opts));
    return running;
  };
  const timer = setInterval(() => {
    tick().catch(onError);
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
