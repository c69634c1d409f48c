import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Webhooks, as pure rules: which URLs may receive them, how a delivery is signed and checked, and when a
 * failed delivery is tried again. No I/O.
 */

/** ALERT_KINDS are the kinds of alert a party can receive, and so subscribe a webhook to. */
export const ALERT_KINDS = [
  'incident.opened',
  'incident.updated',
  'incident.closed',
  'notice',
  'federation.fork',
] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];

/** SEVERITIES orders how urgently an alert must be acted on. */
export const SEVERITIES = ['info', 'warning', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * webhookUrlProblem returns why url cannot receive webhooks, or null when it can. It must be an absolute
 * https URL without a user name, password or fragment; plain http is accepted only to this machine
 * (localhost, 127.0.0.1, [::1]) and only when allowHttp is set, for tests and local development.
 */
export function webhookUrlProblem(url: string, allowHttp: boolean): string | null {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return 'is not an absolute URL';
  }
  if (u.username || u.password) return 'must not carry a user name or password; receivers check the signature instead';
  if (u.hash) return 'must not have a #fragment';
  if (u.protocol === 'https:') return null;
  if (u.protocol === 'http:' && allowHttp && LOOPBACK.has(u.hostname)) return null;
  if (u.protocol === 'http:' && allowHttp) return 'plain http is accepted only to localhost, 127.0.0.1 or [::1]';
  return 'must be an https URL';
}

/** hmacHex is HMAC-SHA256(key, message) in lowercase hex, both taken as UTF-8. */
export function hmacHex(key: string, message: string): string {
  return createHmac('sha256', key).update(message, 'utf8').digest('hex');
}

/**
 * signatureHeader is the Coldtrace-Signature value of a delivery: `v1=` and the hex HMAC-SHA256, keyed with
 * the webhook's secret (the whole `whsec_…` string, as UTF-8), of the Coldtrace-Timestamp value (unix
 * seconds), a full stop, and the exact request body.
 */
export function signatureHeader(secret: string, timestamp: number, body: string): string {
  return `v1=${hmacHex(secret, `${timestamp}.${body}`)}`;
}

/**
 * verifySignature is what a receiver runs: true when header holds a v1 signature of timestamp and body
 * under secret, and timestamp is within toleranceSec of nowSec (so a captured request cannot be replayed
 * later). Comparison takes constant time. Several comma-separated signatures are accepted, any one
 * valid, so that a secret can later be rotated without a gap.
 */
export function verifySignature(
  secret: string,
  header: string,
  timestamp: number,
  body: string,
  nowSec: number,
  toleranceSec = 300,
): boolean {
  if (!Number.isInteger(timestamp) || Math.abs(nowSec - timestamp) > toleranceSec) return false;
  const want = Buffer.from(hmacHex(secret, `${timestamp}.${body}`), 'hex');
  return header.split(',').some((part) => {
    const m = /^\s*v1=([0-9a-f]{64})\s*$/.exec(part);
    return m !== null && timingSafeEqual(Buffer.from(m[1]!, 'hex'), want);
  });
}

/**
 * RETRY_SCHEDULE_MS is the wait after each failed attempt, before jitter: 10 s, 30 s, 2 min, 10 min, 1 h,
 * 3 h, 6 h, 12 h, 24 h. With the first attempt that makes MAX_ATTEMPTS, spread over about two days.
 */
export const RETRY_SCHEDULE_MS: readonly number[] = [
  10e3,
  30e3,
  120e3,
  600e3,
  3600e3,
  3 * 3600e3,
  6 * 3600e3,
  12 * 3600e3,
  24 * 3600e3,
];
export const MAX_ATTEMPTS = RETRY_SCHEDULE_MS.length + 1;
/** JITTER spreads each wait by up to ±20%, so receivers coming back from an outage are not hit all at once. */
export const JITTER = 0.2;

/**
 * retryDelay returns how long to wait after the attempt-th failed attempt (1 for the first) before the
 * next, or null when that was the last attempt. random is a number in [0, 1), such as Math.random().
 */
export function retryDelay(attempt: number, random: number): number | null {
  if (!Number.isInteger(attempt) || attempt < 1)
    throw new RangeError(`retryDelay: attempt must be a positive integer, not ${attempt}`);
  const base = RETRY_SCHEDULE_MS[attempt - 1];
  if (base === undefined) return null;
  return Math.round(base * (1 + JITTER * (2 * random - 1)));
}

/**
 * Outcome is what one delivery attempt got: an HTTP status, or a network error (refused, timed out, TLS).
 */
export type Outcome = { readonly status: number } | { readonly error: string };

/**
 * nextStep decides what follows an attempt: delivered on any 2xx; the webhook disabled on 410 Gone (the
 * receiver says the endpoint is gone for good); otherwise a retry after retryDelay, or failed when the
 * attempts are used up. Redirects are not followed and count as failures.
 */
export function nextStep(
  outcome: Outcome,
  attempt: number,
  random: number,
): { kind: 'delivered' } | { kind: 'gone' } | { kind: 'retry'; afterMs: number } | { kind: 'failed' } {
  if ('status' in outcome && outcome.status >= 200 && outcome.status < 300) return { kind: 'delivered' };
  if ('status' in outcome && outcome.status === 410) return { kind: 'gone' };
  const afterMs = retryDelay(attempt, random);
  return afterMs === null ? { kind: 'failed' } : { kind: 'retry', afterMs };
}
