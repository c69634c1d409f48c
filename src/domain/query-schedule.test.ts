import { describe, expect, it } from 'vitest';
import { isProblem, nextFire, parseSchedule } from './query-schedule.ts';
import type { Schedule } from './query-schedule.ts';

const at = (iso: string) => Date.parse(iso);
const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());
const ok = (raw: unknown): Schedule => {
  const s = parseSchedule(raw);
  if (isProblem(s)) throw new Error(s.reason);
  return s;
};

describe('query schedules', () => {
  it('fires at 01:05:00 every day for {hour: 1, minute: 5}, as the binding example says', () => {
    const s = ok({ hour: '1', minute: '5' });
    expect(iso(nextFire(s, at('2026-11-25T08:00:00Z')))).toBe('2026-11-26T01:05:00.000Z');
    expect(iso(nextFire(s, at('2026-11-26T01:04:59Z')))).toBe('2026-11-26T01:05:00.000Z');
    expect(iso(nextFire(s, at('2026-11-26T01:05:00Z')))).toBe('2026-11-27T01:05:00.000Z');
  });
  it('takes lists and ranges, and every value of the more significant omitted fields', () => {
    expect(iso(nextFire(ok({ second: '30' }), at('2026-11-25T08:00:00Z')))).toBe('2026-11-25T08:00:30.000Z');
    expect(iso(nextFire(ok({ minute: '[10-12],40' }), at('2026-11-25T08:12:00Z')))).toBe('2026-11-25T08:40:00.000Z');
    // 2026-11-30 is a Monday.
    expect(iso(nextFire(ok({ dayOfWeek: 1 }), at('2026-11-25T08:00:00Z')))).toBe('2026-11-30T00:00:00.000Z');
    expect(nextFire(ok({ month: 2, dayOfMonth: 31 }), at('2026-11-25T08:00:00Z'))).toBeNull();
  });
  it('names the bad field', () => {
    expect(parseSchedule({ hour: '25' })).toMatchObject({ field: 'schedule.hour' });
    expect(parseSchedule({ minute: 'often' })).toMatchObject({ field: 'schedule.minute' });
    expect(parseSchedule({ week: '1' })).toMatchObject({ field: 'schedule.week' });
    expect(parseSchedule({})).toMatchObject({ field: 'schedule' });
    expect(parseSchedule('1 5 * * *')).toMatchObject({ field: 'schedule' });
  });
});
