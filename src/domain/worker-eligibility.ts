import type { Check } from './check.ts';
import { fail, ok } from './check.ts';

/** The roles of workers who handle imported cold-chain food. */
export const WORKER_ROLES = ['port_handler', 'warehouse_handler', 'driver', 'sales'] as const;
export type WorkerRole = (typeof WORKER_ROLES)[number];

/** A nucleic-acid test: when the sample was taken (epoch ms) and its result. */
export type NucleicAcidTest = { readonly sampledAt: number; readonly result: 'negative' | 'positive' };

/** How old, in hours, a worker's latest negative test may be for each role; null means no test is required. */
export type EligibilityRule = { readonly maxAgeHours: Readonly<Record<WorkerRole, number | null>> };

export type EligibilityReason = 'no_test' | 'latest_positive' | 'expired' | 'ok' | 'not_required';

/**
 * The verdict on one worker at one instant. `latestTest` is the test that decided it, when there is one;
 * `validUntil` (epoch ms, inclusive) is when that negative test stops counting, given for 'ok' and 'expired'.
 */
export type Eligibility = {
  readonly eligible: boolean;
  readonly reason: EligibilityReason;
  readonly latestTest?: NucleicAcidTest;
  readonly validUntil?: number;
};

/** The longest validity window a rule may set: 30 days. */
export const MAX_RULE_HOURS = 720;

/** The default rule: port handlers need a test from the last 48 hours; everyone else, from the last 7 days. */
export const DEFAULT_ELIGIBILITY_RULE: EligibilityRule = Object.freeze({
  maxAgeHours: Object.freeze({ port_handler: 48, warehouse_handler: 168, driver: 168, sales: 168 }),
});

const HOUR_MS = 3600_000;

/**
 * eligibility decides whether a worker in `role` may be on duty at `nowMs` under `rule`. Only tests sampled at or
 * before `nowMs` count (a sample time in the future is a data-entry error, not evidence). Of those, the latest by
 * sampledAt decides; when a positive and a negative share that instant, the positive one does.
 *
 * - A positive latest test makes the worker ineligible ('latest_positive') whatever the role, even one whose rule
 *   is null and however old the test: only a later negative test clears it.
 * - Otherwise, a role whose rule is null is eligible ('not_required').
 * - Otherwise, with no test the worker is ineligible ('no_test'); with a negative latest test sampled at t, the
 *   worker is eligible ('ok') while nowMs ≤ t + maxAgeHours, and ineligible ('expired') after it.
 */
export function eligibility(
  tests: readonly NucleicAcidTest[],
  role: WorkerRole,
  rule: EligibilityRule,
  nowMs: number,
): Eligibility {
  let latest: NucleicAcidTest | undefined;
  for (const t of tests) {
    // Written as a negation so that a NaN sample time is skipped too.
    if (!(t.sampledAt <= nowMs)) continue;
    if (
      latest === undefined ||
      t.sampledAt > latest.sampledAt ||
      (t.sampledAt === latest.sampledAt && t.result === 'positive')
    ) {
      latest = t;
    }
  }
  if (latest?.result === 'positive') return { eligible: false, reason: 'latest_positive', latestTest: latest };
  const hours = rule.maxAgeHours[role];
  if (hours === null) {
    return latest === undefined
      ? { eligible: true, reason: 'not_required' }
      : { eligible: true, reason: 'not_required', latestTest: latest };
  }
  if (latest === undefined) return { eligible: false, reason: 'no_test' };
  const validUntil = latest.sampledAt + hours * HOUR_MS;
  return nowMs <= validUntil
    ? { eligible: true, reason: 'ok', latestTest: latest, validUntil }
    : { eligible: false, reason: 'expired', latestTest: latest, validUntil };
}

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/**
 * validateEligibilityRule accepts untrusted input shaped as an EligibilityRule: an object whose only key is
 * maxAgeHours, an object giving every role in WORKER_ROLES and no other key either an integer from 1 to
 * MAX_RULE_HOURS or null. It returns a fresh frozen rule; the reason names the offending key.
 */
export function validateEligibilityRule(input: unknown): Check<EligibilityRule> {
  if (!isRecord(input)) return fail('must be an object');
  for (const key of Object.keys(input)) {
    if (key !== 'maxAgeHours') return fail(`unknown key '${key}'`);
  }
  const hours = input['maxAgeHours'];
  if (!isRecord(hours)) return fail('maxAgeHours must be an object');
  const roles: ReadonlySet<string> = new Set(WORKER_ROLES);
  for (const key of Object.keys(hours)) {
    if (!roles.has(key)) return fail(`maxAgeHours has unknown role '${key}'`);
  }
  const out: Partial<Record<WorkerRole, number | null>> = {};
  for (const role of WORKER_ROLES) {
    if (!Object.hasOwn(hours, role)) return fail(`maxAgeHours.${role} is missing`);
    const h = hours[role];
    if (h !== null && (typeof h !== 'number' || !Number.isInteger(h) || h < 1 || h > MAX_RULE_HOURS)) {
      return fail(`maxAgeHours.${role} must be an integer from 1 to ${MAX_RULE_HOURS}, or null`);
    }
    out[role] = h;
  }
  return ok(Object.freeze({ maxAgeHours: Object.freeze(out as Record<WorkerRole, number | null>) }));
}
