import { createHash, randomBytes } from 'node:crypto';
import type { Actor } from '../../domain/access.ts';
import { mayAttempt } from '../../domain/access.ts';
import type { AlertKind } from '../../domain/webhook.ts';
import { webhookUrlProblem } from '../../domain/webhook.ts';
import type { ResolveHost } from './webhook-address.ts';
import { registrationAddressProblem, resolveHost } from './webhook-address.ts';
import type { AlertDeliveryRow, DeliveryAttemptRow, WebhookRow } from '../../store/schema.ts';
import { AppError, invalid, notFound } from '../errors.ts';
import { forbid } from '../access/authorize.ts';
import type { Idempotency } from '../write/commit.ts';
import { commit } from '../write/commit.ts';
import type { Deps } from '../deps.ts';
import { newId } from '../write/ids.ts';
import type { Page } from '../access/paging.ts';
import { iso, pageOf, pageRequest } from '../access/paging.ts';

/** MAX_ACTIVE_WEBHOOKS is how many webhooks one party may have enabled at once. */
export const MAX_ACTIVE_WEBHOOKS = 10;

/** Webhook is a subscription as the API shows it; the secret is shown only when it is created. */
export interface Webhook {
  id: string;
  partyId: string;
  url: string;
  kinds: string[] | null;
  createdAt: string | null;
  disabledAt: string | null;
  /** disabledReason is 'deleted' (by its party) or 'gone' (the receiver answered 410). */
  disabledReason: string | null;
  logIndex: number;
}

const toWebhook = (r: WebhookRow): Webhook => ({
  id: r.id,
  partyId: r.partyId,
  url: r.url,
  kinds: r.kinds === null ? null : (JSON.parse(r.kinds) as string[]),
  createdAt: iso(r.createdAt),
  disabledAt: iso(r.disabledAt),
  disabledReason: r.disabledReason,
  logIndex: r.logIndex,
});

/** secretCommitment is what the log holds of a webhook secret: its SHA-256, hex. The secret has 256 random bits. */
export function secretCommitment(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** WebhookInput registers an endpoint for the actor's alerts: all kinds, or only those listed. */
export interface WebhookInput {
  url: string;
  kinds?: AlertKind[];
}

/**
 * createWebhook registers an endpoint that receives the actor's alerts, signed with a new random secret
 * that is returned this once. The log records the subscription and a SHA-256 commitment of the secret;
 * the secret itself, which the node needs to sign, is kept in a table outside the log. allowHttp admits
 * plain http to this machine (COLDTRACE_WEBHOOK_ALLOW_HTTP). An https host that is, or resolves to, a
 * loopback, private, link-local or reserved address is refused (resolve looks names up).
 */
export async function createWebhook(
  deps: Deps,
  actor: Actor,
  input: WebhookInput,
  allowHttp: boolean,
  idem?: Idempotency,
  resolve: ResolveHost = resolveHost,
) {
  if (!mayAttempt(actor, 'webhook.manage')) throw forbid('webhook.manage');
  const url = input.url.trim();
  const problem = webhookUrlProblem(url, allowHttp) ?? (await registrationAddressProblem(url, resolve));
  if (problem) throw invalid('url', problem);
  const kinds = input.kinds === undefined ? null : [...new Set(input.kinds)].sort();
  return commit(deps, idem, async (w) => {
    const active = await w.trx
      .selectFrom('webhooks')
      .select('id')
      .where('partyId', '=', actor.partyId)
      .where('disabledAt', 'is', null)
      .execute();
    if (active.length >= MAX_ACTIVE_WEBHOOKS)
      throw new AppError('Conflict', {
        field: 'url',
        reason: `you have ${active.length} webhooks; delete one first (at most ${MAX_ACTIVE_WEBHOOKS})`,
      });
    const secret = `whsec_${randomBytes(32).toString('base64url')}`;
    const record = {
      id: newId('whk'),
      partyId: actor.partyId,
      url,
      kinds,
      secretSha256: secretCommitment(secret),
      createdAt: w.now,
      disabledAt: null,
      disabledReason: null,
    };
    const logIndex = await w.append('webhook.created', actor.partyId, record);
    await w.trx.insertInto('webhookSecrets').values({ webhookId: record.id, secret, createdAt: w.now }).execute();
    const row = await w.trx.selectFrom('webhooks').selectAll().where('id', '=', record.id).executeTakeFirstOrThrow();
    return { ...toWebhook(row), secret, logIndex };
  });
}

async function ownWebhook(deps: Deps, actor: Actor, id: string): Promise<WebhookRow> {
  const row = await deps.db.selectFrom('webhooks').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row || row.partyId !== actor.partyId) throw notFound('WebhookNotFound', 'id', id);
  return row;
}

/** listWebhooks lists the actor's own webhooks, enabled and disabled, oldest first. */
export async function listWebhooks(deps: Deps, actor: Actor): Promise<Page<Webhook>> {
  if (!mayAttempt(actor, 'webhook.manage')) throw forbid('webhook.manage');
  const rows = await deps.db
    .selectFrom('webhooks')
    .selectAll()
    .where('partyId', '=', actor.partyId)
    .orderBy('id')
    .execute();
  return { items: rows.map(toWebhook), nextCursor: null };
}

/** getWebhook returns one of the actor's own webhooks; anyone else's reads as not found. */
export async function getWebhook(deps: Deps, actor: Actor, id: string): Promise<Webhook> {
  if (!mayAttempt(actor, 'webhook.manage')) throw forbid('webhook.manage');
  return toWebhook(await ownWebhook(deps, actor, id));
}

/**
 * disableWebhook disables a webhook for reason ('deleted' by its party, 'gone' when the receiver answered
 * 410) and cancels its pending deliveries, in one transaction with its log entry. A webhook already
 * disabled is returned as it is. actor is null when the node itself disables it.
 */
export async function disableWebhook(
  deps: Deps,
  actor: Actor | null,
  id: string,
  reason: 'deleted' | 'gone',
): Promise<Webhook & { logIndex: number }> {
  if (actor && !mayAttempt(actor, 'webhook.manage')) throw forbid('webhook.manage');
  if (actor) await ownWebhook(deps, actor, id);
  return commit(deps, undefined, async (w) => {
    const row = await w.trx.selectFrom('webhooks').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    if (row.disabledAt !== null) return toWebhook(row);
    const { logIndex: _, ...rest } = row;
    const record = {
      ...rest,
      kinds: row.kinds === null ? null : (JSON.parse(row.kinds) as string[]),
      disabledAt: w.now,
      disabledReason: reason,
    };
    await w.append('webhook.disabled', actor?.partyId ?? null, record);
    await w.trx
      .updateTable('alertDeliveries')
      .set({ status: 'cancelled', nextAt: null, claim: null, updatedAt: w.now })
      .where('webhookId', '=', id)
      .where('status', '=', 'pending')
      .execute();
    return toWebhook(await w.trx.selectFrom('webhooks').selectAll().where('id', '=', id).executeTakeFirstOrThrow());
  });
}

/** Delivery is one alert queued for one webhook, with every attempt made so far. */
export interface Delivery {
  id: string;
  alertId: string;
  /** status is pending, delivered, failed (attempts used up, or 410) or cancelled (the webhook was disabled). */
  status: string;
  attemptCount: number;
  nextAttemptAt: string | null;
  createdAt: string | null;
  updatedAt: string | null;
  attempts: {
    attempt: number;
    at: string | null;
    durationMs: number;
    httpStatus: number | null;
    error: string | null;
    nextRetryAt: string | null;
  }[];
}

const toDelivery = (d: AlertDeliveryRow, attempts: DeliveryAttemptRow[]): Delivery => ({
  id: d.id,
  alertId: d.alertId,
  status: d.status,
  attemptCount: d.attempts,
  // While an attempt is under way nextAt is the claim's lease, not a scheduled attempt.
  nextAttemptAt: d.status === 'pending' && d.claim === null ? iso(d.nextAt) : null,
  createdAt: iso(d.createdAt),
  updatedAt: iso(d.updatedAt),
  attempts: attempts.map((a) => ({
    attempt: a.attempt,
    at: iso(a.startedAt),
    durationMs: a.durationMs,
    httpStatus: a.httpStatus,
    error: a.error,
    nextRetryAt: iso(a.nextAt),
  })),
});

/** listDeliveries is a webhook's delivery log, newest first: each delivery with every attempt's time, outcome, duration and next retry. */
export async function listDeliveries(
  deps: Deps,
  actor: Actor,
  webhookId: string,
  q: { status?: string; limit?: number; cursor?: string },
): Promise<Page<Delivery>> {
  if (!mayAttempt(actor, 'webhook.manage')) throw forbid('webhook.manage');
  await ownWebhook(deps, actor, webhookId);
  const page = pageRequest(q.limit, q.cursor);
  let query = deps.db
    .selectFrom('alertDeliveries')
    .selectAll()
    .where('webhookId', '=', webhookId)
    .orderBy('id', 'desc')
    .limit(page.limit + 1);
  if (page.after) query = query.where('id', '<', page.after);
  if (q.status) query = query.where('status', '=', q.status);
  const rows = await query.execute();
  const ids = rows.map((r) => r.id);
  const attempts = ids.length
    ? await deps.db
        .selectFrom('deliveryAttempts')
        .selectAll()
        .where('deliveryId', 'in', ids)
        .orderBy('deliveryId')
        .orderBy('attempt')
        .execute()
    : [];
  const byDelivery = new Map<string, DeliveryAttemptRow[]>();
  for (const a of attempts) byDelivery.set(a.deliveryId, [...(byDelivery.get(a.deliveryId) ?? []), a]);
  return pageOf(rows, page, (d) => toDelivery(d, byDelivery.get(d.id) ?? []));
}
