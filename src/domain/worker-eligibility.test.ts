import { describe, it, expect } from 'vitest';
import type { EligibilityRule, NucleicAcidTest } from './worker-eligibility.ts';
import {
  DEFAULT_ELIGIBILITY_RULE,
  MAX_RULE_HOURS,
  WORKER_ROLES,
  eligibility,
  validateEligibilityRule,
} from './worker-eligibility.ts';

const H = 3600_000;
const NOW = Date.UTC(2022, 3, 1, 2);
const neg = (sampledAt: number): NucleicAcidTest => ({ sampledAt, result: 'negative' });
const pos = (sampledAt: number): NucleicAcidTest => ({ sampledAt, result: 'positive' });

describe('DEFAULT_ELIGIBILITY_RULE', () => {
  it('gives port handlers 48 hours and the other roles 7 days', () => {
    expect(DEFAULT_ELIGIBILITY_RULE.maxAgeHours).toEqual({
      port_handler: 48,
      warehouse_handler: 168,
      driver: 168,
      sales: 168,
    });
  });

  it('is frozen and passes its own validator', () => {
    expect(Object.isFrozen(DEFAULT_ELIGIBILITY_RULE.maxAgeHours)).toBe(true);
    expect(validateEligibilityRule(DEFAULT_ELIGIBILITY_RULE)).toEqual({ ok: true, value: DEFAULT_ELIGIBILITY_RULE });
  });
});

describe('eligibility', () => {
  const rule = DEFAULT_ELIGIBILITY_RULE;

  it('is ok within the window, up to and including its last millisecond', () => {
    const t = neg(NOW - 48 * H);
    expect(eligibility([t], 'port_handler', rule, NOW)).toEqual({
      eligible: true,
      reason: 'ok',
      latestTest: t,
      validUntil: NOW,
    });
  });

  it('expires one millisecond later', () => {
    const t = neg(NOW - 48 * H - 1);
    expect(eligibility([t], 'port_handler', rule, NOW)).toEqual({
      eligible: false,
      reason: 'expired',
      latestTest: t,
      validUntil: NOW - 1,
    });
  });

  it('applies each role its own window', () => {
    const t = neg(NOW - 100 * H);
    expect(eligibility([t], 'port_handler', rule, NOW).reason).toBe('expired');
    for (const role of ['warehouse_handler', 'driver', 'sales'] as const) {
      expect(eligibility([t], role, rule, NOW)).toMatchObject({
        eligible: true,
        reason: 'ok',
        validUntil: t.sampledAt + 168 * H,
      });
    }
  });

  it('needs a test', () => {
    expect(eligibility([], 'driver', rule, NOW)).toEqual({ eligible: false, reason: 'no_test' });
  });

  it('lets the latest test decide regardless of order', () => {
    const old = pos(NOW - 72 * H);
    const recent = neg(NOW - 24 * H);
    expect(eligibility([recent, old], 'port_handler', rule, NOW)).toMatchObject({
      eligible: true,
      reason: 'ok',
      latestTest: recent,
    });
    expect(eligibility([old, recent], 'port_handler', rule, NOW)).toMatchObject({
      eligible: true,
      reason: 'ok',
      latestTest: recent,
    });
  });

  it('makes a positive latest test disqualifying, however recent the earlier negative', () => {
    const p = pos(NOW - 1 * H);
    expect(eligibility([neg(NOW - 2 * H), p], 'sales', rule, NOW)).toEqual({
      eligible: false,
      reason: 'latest_positive',
      latestTest: p,
    });
  });

  it('keeps an old positive disqualifying until a later negative', () => {
    const p = pos(NOW - 1000 * H);
    expect(eligibility([p], 'driver', rule, NOW).reason).toBe('latest_positive');
  });

  it('lets a positive win a tie with a negative at the same instant', () => {
    const at = NOW - H;
    expect(eligibility([neg(at), pos(at)], 'driver', rule, NOW).reason).toBe('latest_positive');
    expect(eligibility([pos(at), neg(at)], 'driver', rule, NOW).reason).toBe('latest_positive');
  });

  it('ignores tests sampled after now, and NaN sample times', () => {
    const past = neg(NOW - 10 * H);
    expect(eligibility([past, pos(NOW + 1), neg(Number.NaN)], 'port_handler', rule, NOW)).toMatchObject({
      eligible: true,
      latestTest: past,
    });
    expect(eligibility([neg(NOW + H)], 'port_handler', rule, NOW)).toEqual({ eligible: false, reason: 'no_test' });
    expect(eligibility([neg(NOW)], 'port_handler', rule, NOW).reason).toBe('ok');
  });

  describe('with a role that needs no test', () => {
    const lax: EligibilityRule = { maxAgeHours: { ...rule.maxAgeHours, sales: null } };

    it('is not_required with or without tests', () => {
      expect(eligibility([], 'sales', lax, NOW)).toEqual({ eligible: true, reason: 'not_required' });
      const t = neg(NOW - 5000 * H);
      expect(eligibility([t], 'sales', lax, NOW)).toEqual({ eligible: true, reason: 'not_required', latestTest: t });
    });

    it('still disqualifies on a positive latest test', () => {
      expect(eligibility([pos(NOW - H)], 'sales', lax, NOW).reason).toBe('latest_positive');
    });
  });
});

describe('validateEligibilityRule', () => {
  const valid = { maxAgeHours: { port_handler: 24, warehouse_handler: null, driver: 720, sales: 1 } };

  it('accepts a complete rule and returns a frozen copy', () => {
    const r = validateEligibilityRule(valid);
    expect(r).toEqual({ ok: true, value: valid });
    if (r.ok) {
      expect(r.value).not.toBe(valid);
      expect(Object.isFrozen(r.value.maxAgeHours)).toBe(true);
    }
  });

  it.each([null, 'x', 48, []])('rejects non-object %j', (input) => {
    expect(validateEligibilityRule(input)).toEqual({ ok: false, reason: 'must be an object' });
  });

  it('rejects unknown keys and roles', () => {
    expect(validateEligibilityRule({ ...valid, extra: 1 })).toEqual({ ok: false, reason: "unknown key 'extra'" });
    expect(validateEligibilityRule({ maxAgeHours: { ...valid.maxAgeHours, chef: 48 } })).toEqual({
      ok: false,
      reason: "maxAgeHours has unknown role 'chef'",
    });
  });

  it('rejects a missing or malformed maxAgeHours', () => {
    expect(validateEligibilityRule({})).toEqual({ ok: false, reason: 'maxAgeHours must be an object' });
    expect(validateEligibilityRule({ maxAgeHours: [48] })).toEqual({
      ok: false,
      reason: 'maxAgeHours must be an object',
    });
  });

  it('requires every role', () => {
    const { driver: _driver, ...rest } = valid.maxAgeHours;
    expect(validateEligibilityRule({ maxAgeHours: rest })).toEqual({
      ok: false,
      reason: 'maxAgeHours.driver is missing',
    });
  });

  it.each([0, -1, 1.5, MAX_RULE_HOURS + 1, Number.NaN, Number.POSITIVE_INFINITY, '48', undefined, true])(
    'rejects hours %j',
    (h) => {
      expect(validateEligibilityRule({ maxAgeHours: { ...valid.maxAgeHours, port_handler: h } })).toEqual({
        ok: false,
        reason: `maxAgeHours.port_handler must be an integer from 1 to ${MAX_RULE_HOURS}, or null`,
      });
    },
  );

  it('covers every role in WORKER_ROLES', () => {
    expect(WORKER_ROLES).toEqual(['port_handler', 'warehouse_handler', 'driver', 'sales']);
  });
});
