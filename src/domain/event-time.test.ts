import { describe, expect, it } from 'vitest';
import { CLOCK_SKEW_MS, checkEventTime, validateHorizonDays } from './event-time.ts';

const NOW = Date.parse('2026-11-25T08:00:00Z');
const DAY = 86_400_000;

describe('checkEventTime', () => {
  it('accepts times from the horizon back to the clock skew ahead, both ends included', () => {
    for (const at of [NOW, NOW + CLOCK_SKEW_MS, NOW - 30 * DAY, NOW - DAY])
      expect(checkEventTime(at, NOW, 30)).toEqual({ ok: true, value: at });
  });
  it('refuses a time past the skew, before the horizon, or no time at all, saying which', () => {
    const future = checkEventTime(NOW + CLOCK_SKEW_MS + 1, NOW, 30);
    expect(future.ok || future.reason).toMatch(/in the future.*5 minutes/);
    const old = checkEventTime(NOW - 30 * DAY - 1, NOW, 30);
    expect(old.ok || old.reason).toMatch(/more than 30 days ago/);
    expect(checkEventTime(NaN, NOW, 30).ok).toBe(false);
    expect(checkEventTime(NOW - 400 * DAY, NOW, Infinity).ok).toBe(true);
  });
});

describe('validateHorizonDays', () => {
  it('takes whole days from 1 to 366', () => {
    expect(validateHorizonDays(1)).toEqual({ ok: true, value: 1 });
    expect(validateHorizonDays(366)).toEqual({ ok: true, value: 366 });
    for (const bad of [0, 367, 1.5, '30', null]) expect(validateHorizonDays(bad).ok).toBe(false);
  });
});
