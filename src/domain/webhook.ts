import { createHmac, timingSafeEqual } from 'node:crypto';
import { BlockList, isIP } from 'node:net';

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
  'shipment.incoming',
] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];

/** SEVERITIES orders how urgently an alert must be acted on. */
export const SEVERITIES = ['info', 'warning', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

// Addresses a webhook may never reach: this machine, the local networks, the cloud metadata service and
// every other special-purpose range (IANA IPv4 and IPv6 Special-Purpose Address Registries). IPv4-mapped
// IPv6 addresses (::ffff:a.b.c.d) are judged by the IPv4 rules; NAT64, 6to4 and Teredo, which embed an
// IPv4 address, are refused whole.
const RESERVED = (() => {
  const list = new BlockList();
  for (const [net, bits] of [
    ['0.0.0.0', 8], // "this network"
    ['10.0.0.0', 8], // private
    ['100.64.0.0', 10], // carrier-grade NAT
    ['127.0.0.0', 8], // loopback
    ['169.254.0.0', 16], // link-local, including the metadata address 169.254.169.254
    ['172.16.0.0', 12], // private
    ['192.0.0.0', 24], // IETF protocol assignments
    ['192.0.2.0', 24], // documentation
    ['192.88.99.0', 24], // 6to4 relay anycast
    ['192.168.0.0', 16], // private
    ['198.18.0.0', 15], // benchmarking
    ['198.51.100.0', 24], // documentation
    ['203.0.113.0', 24], // documentation
    ['224.0.0.0', 4], // multicast
    ['240.0.0.0', 4], // reserved, and the broadcast address
  ] as const)
    list.addSubnet(net, bits, 'ipv4');
  for (const [net, bits] of [
    ['::', 128], // unspecified
    ['::1', 128], // loopback
    ['64:ff9b::', 96], // NAT64
    ['64:ff9b:1::', 48], // local NAT64
    ['100::', 64], // discard
    ['2001::', 23], // IETF protocol assignments, Teredo among them
    ['2001:db8::', 32], // documentation
    ['2002::', 16], // 6to4
    ['fc00::', 7], // unique local (private)
    ['fe80::', 10], // link-local
    ['fec0::', 10], // site-local (deprecated)
    ['ff00::', 8], // multicast
  ] as const)
    list.addSubnet(net, bits, 'ipv6');
  return list;
})();

/**
 * isPublicAddress tells whether ip (an IPv4 or IPv6 address, IPv6 with or without brackets) is an
 * ordinary public unicast address that a webhook may reach: not loopback, link-local (the cloud metadata
 * address among them), private, unique-local or otherwise reserved. Anything that is not an IP address is
 * not public.
 */
export function isPublicAddress(ip: string): boolean {
  const bare = ip.startsWith('[') && ip.endsWith(']') ? ip.slice(1, -1) : ip;
  const family = isIP(bare);
  if (family === 0) return false;
  return !RESERVED.check(bare, family === 4 ? 'ipv4' : 'ipv6');
}

/** isLoopbackAddress tells whether ip is an address of this machine (127.0.0.0/8, ::1, or ::ffff:127.x). */
export function isLoopbackAddress(ip: string): boolean {
  const bare = ip.startsWith('[') && ip.endsWith(']') ? ip.slice(1, -1) : ip;
  const family = isIP(bare);
  if (family === 0) return false;
  return LOOPBACK_NETS.check(bare, family === 4 ? 'ipv4' : 'ipv6');
}

const LOOPBACK_NETS = (() => {
  const list = new BlockList();
  list.addSubnet('127.0.0.0', 8, 'ipv4');
  list.addAddress('::1', 'ipv6');
  return list;
})();

/** ADDRESS_RULE says, for refusals, which addresses a webhook may not reach. */
export const ADDRESS_RULE =
  'a webhook may not reach a loopback, link-local (169.254.0.0/16, the cloud metadata address), private (10/8, 172.16/12, 192.168/16, fc00::/7) or otherwise reserved address';

/**
 * webhookUrlProblem returns why url cannot receive webhooks, or null when it can. It must be an absolute
 * https URL without a user name, password or fragment, whose host is not an IP address outside the public
 * internet nor a name for this machine (localhost, *.localhost); the name's addresses are checked apart,
 * at registration and at each delivery. Plain http is accepted only to this machine (localhost, 127.0.0.1,
 * [::1]) and only when allowHttp is set, for tests and local development.
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
  if (u.protocol === 'https:') return hostProblem(u.hostname);
  if (u.protocol === 'http:' && allowHttp && LOOPBACK.has(u.hostname)) return null;
  if (u.protocol === 'http:' && allowHttp) return 'plain http is accepted only to localhost, 127.0.0.1 or [::1]';
  return 'must be an https URL';
}

/** hostProblem refuses a URL host that is a non-public IP address or a name reserved for this machine. */
function hostProblem(hostname: string): string | null {
  const host = hostname.toLowerCase().replace(/\.$/, '');
  const literal = host.startsWith('[') || isIP(host) !== 0;
  if (literal && !isPublicAddress(host)) return `has the address ${host}; ${ADDRESS_RULE}`;
  if (host === 'localhost' || host.endsWith('.localhost')) return `names this machine (${host}); ${ADDRESS_RULE}`;
  return null;
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
