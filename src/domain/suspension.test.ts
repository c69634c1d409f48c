import { describe, it, expect } from 'vitest';
import type { Suspension } from './suspension.ts';
import {
  DAY_MS,
  MANUAL_BACKDATE_TOLERANCE_MS,
  MANUAL_MAX_DURATION_MS,
  WEEK_MS,
  activeSuspension,
  chinaDate,
  chinaDayBounds,
  isSuspendedOn,
  nextFindingSuspension,
  suspendedUntil,
  suspensionWeeks,
  validateManualSuspension,
} from './suspension.ts';

// 2024-03-01T00:00:00+08:00.
const T0 = Date.parse('2024-03-01T00:00:00+08:00');
const HOUR = 3_600_000;

let nextId = 0;
function finding(startsAt: number, weeks: number, findingNumber: number): Suspension {
  return {
    id: `sus_${++nextId}`,
    producerId: 'prd_1',
    kind: 'finding',
    startsAt,
    endsAt: startsAt + weeks * WEEK_MS,
    reason: 'positive',
    findingNumber,
  };
}
function manual(startsAt: number, endsAt: number): Suspension {
  return { id: `sus_${++nextId}`, producerId: 'prd_1', kind: 'manual', startsAt, endsAt, reason: 'audit' };
}

/** record applies nextFindingSuspension and stores the result, as the use case will. */
function record(history: Suspension[], atMs: number): Suspension[] {
  const n = nextFindingSuspension(history, atMs);
  return [...history, finding(n.startsAt, n.weeks, n.findingNumber)];
}

describe('suspensionWeeks', () => {
  it('is 1 week for the 1st and 2nd finding and 4 weeks from the 3rd on (GACC 2020 No.103)', () => {
    expect([1, 2, 3, 4, 5, 10, 100].map(suspensionWeeks)).toEqual([1, 1, 4, 4, 4, 4, 4]);
  });

  it('throws on a finding number that is not a positive integer', () => {
    for (const n of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY])
      expect(() => suspensionWeeks(n)).toThrow(RangeError);
  });
});

describe('nextFindingSuspension', () => {
  it('starts the first suspension now, for one week', () => {
    expect(nextFindingSuspension([], T0)).toEqual({ startsAt: T0, endsAt: T0 + WEEK_MS, weeks: 1, findingNumber: 1 });
  });

  it('numbers findings by the finding suspensions already recorded, ignoring manual ones', () => {
    const past = [
      finding(T0 - 60 * DAY_MS, 1, 1),
      manual(T0 - 40 * DAY_MS, T0 - 30 * DAY_MS),
      finding(T0 - 20 * DAY_MS, 1, 2),
    ];
    expect(nextFindingSuspension(past, T0)).toEqual({
      startsAt: T0,
      endsAt: T0 + 4 * WEEK_MS,
      weeks: 4,
      findingNumber: 3,
    });
  });

  it('stacks a finding made during a running finding suspension after it', () => {
    const running = [finding(T0 - 2 * DAY_MS, 1, 1)];
    expect(nextFindingSuspension(running, T0)).toEqual({
      startsAt: T0 + 5 * DAY_MS,
      endsAt: T0 + 12 * DAY_MS,
      weeks: 1,
      findingNumber: 2,
    });
  });

  it('stacks after the last of several queued suspensions, so three quick findings keep the producer out 6 weeks', () => {
    let h: Suspension[] = [];
    h = record(h, T0);
    h = record(h, T0 + HOUR);
    h = record(h, T0 + 2 * HOUR);
    expect(h.map((s) => [s.findingNumber, s.startsAt - T0, s.endsAt - T0])).toEqual([
      [1, 0, WEEK_MS],
      [2, WEEK_MS, 2 * WEEK_MS],
      [3, 2 * WEEK_MS, 6 * WEEK_MS],
    ]);
    expect(suspendedUntil(h, T0 + 3 * HOUR)).toBe(T0 + 6 * WEEK_MS);
  });

  it('starts now once the last finding suspension has ended, including at the exact end instant', () => {
    const ended = [finding(T0 - WEEK_MS, 1, 1)];
    expect(nextFindingSuspension(ended, T0).startsAt).toBe(T0);
    expect(nextFindingSuspension(ended, T0 + DAY_MS).startsAt).toBe(T0 + DAY_MS);
  });

  it('is not delayed by a manual suspension', () => {
    const m = [manual(T0 - DAY_MS, T0 + 30 * DAY_MS)];
    expect(nextFindingSuspension(m, T0)).toEqual({ startsAt: T0, endsAt: T0 + WEEK_MS, weeks: 1, findingNumber: 1 });
  });

  it('throws on a non-integer time', () => {
    expect(() => nextFindingSuspension([], Number.NaN)).toThrow(RangeError);
  });
});

describe('activeSuspension and suspendedUntil', () => {
  const a = finding(T0, 1, 1);
  const b = manual(T0 + DAY_MS, T0 + 30 * DAY_MS);

  it('is in force from startsAt inclusive to endsAt exclusive', () => {
    expect(activeSuspension([a], T0 - 1)).toBeUndefined();
    expect(activeSuspension([a], T0)).toBe(a);
    expect(activeSuspension([a], a.endsAt - 1)).toBe(a);
    expect(activeSuspension([a], a.endsAt)).toBeUndefined();
    expect(activeSuspension([], T0)).toBeUndefined();
  });

  it('chooses the one ending last when several are in force, and the first of equals', () => {
    expect(activeSuspension([a, b], T0 + 2 * DAY_MS)).toBe(b);
    expect(activeSuspension([b, a], T0 + 2 * DAY_MS)).toBe(b);
    expect(activeSuspension([a, b], T0 + 1)).toBe(a);
    const twin = { ...b, id: 'sus_twin' };
    expect(activeSuspension([twin, b], T0 + 2 * DAY_MS)).toBe(twin);
  });

  it('suspendedUntil follows touching and overlapping suspensions', () => {
    const next = finding(a.endsAt, 1, 2);
    expect(suspendedUntil([a, next], T0)).toBe(next.endsAt);
    expect(suspendedUntil([a, b], T0)).toBe(b.endsAt);
    expect(suspendedUntil([a], T0)).toBe(a.endsAt);
    expect(suspendedUntil([a], a.endsAt)).toBeUndefined();
    // A gap of one millisecond breaks the chain.
    expect(suspendedUntil([a, finding(a.endsAt + 1, 1, 2)], T0)).toBe(a.endsAt);
  });
});

describe('chinaDayBounds and chinaDate', () => {
  it('returns midnight to midnight in UTC+8', () => {
    const [start, end] = chinaDayBounds('2024-03-01');
    expect(new Date(start).toISOString()).toBe('2024-02-29T16:00:00.000Z');
    expect(end - start).toBe(DAY_MS);
    expect(chinaDayBounds('20240301')).toEqual([start, end]);
  });

  it('handles leap days and year ends', () => {
    expect(new Date(chinaDayBounds('2024-02-29')[0]).toISOString()).toBe('2024-02-28T16:00:00.000Z');
    expect(new Date(chinaDayBounds('2024-12-31')[1]).toISOString()).toBe('2024-12-31T16:00:00.000Z');
  });

  it('throws on malformed or impossible dates', () => {
    for (const d of [
      '2023-02-29',
      '2024-13-01',
      '2024-04-31',
      '2024-00-10',
      '2024-3-1',
      '2024/03/01',
      '2024-0301',
      '',
      '1969-12-31',
    ]) {
      expect(() => chinaDayBounds(d), d).toThrow(RangeError);
    }
  });

  it('chinaDate is the China-time calendar day of an instant and agrees with chinaDayBounds', () => {
    expect(chinaDate(Date.parse('2024-02-29T15:59:59.999Z'))).toBe('2024-02-29');
    expect(chinaDate(Date.parse('2024-02-29T16:00:00.000Z'))).toBe('2024-03-01');
    const [start, end] = chinaDayBounds('2024-03-01');
    expect(chinaDate(start)).toBe('2024-03-01');
    expect(chinaDate(end - 1)).toBe('2024-03-01');
    expect(chinaDate(end)).toBe('2024-03-02');
  });
});

describe('isSuspendedOn', () => {
  const [dayStart, dayEnd] = chinaDayBounds('2024-03-08');

  it('is true when a suspension covers any part of the day', () => {
    // T0 + 1 week ends at 2024-03-08 00:00 China time: it does not touch 8 March.
    const a = finding(T0, 1, 1);
    expect(isSuspendedOn([a], dayStart, dayEnd)).toBe(false);
    expect(isSuspendedOn([finding(T0 + 1, 1, 1)], dayStart, dayEnd)).toBe(true);
    // Starting in the last millisecond of the day counts; starting at the next midnight does not.
    expect(isSuspendedOn([manual(dayEnd - 1, dayEnd + DAY_MS)], dayStart, dayEnd)).toBe(true);
    expect(isSuspendedOn([manual(dayEnd, dayEnd + DAY_MS)], dayStart, dayEnd)).toBe(false);
    // A suspension wholly inside the day, and one spanning it.
    expect(isSuspendedOn([manual(dayStart + HOUR, dayStart + 2 * HOUR)], dayStart, dayEnd)).toBe(true);
    expect(isSuspendedOn([manual(dayStart - DAY_MS, dayEnd + DAY_MS)], dayStart, dayEnd)).toBe(true);
  });

  it('ignores empty or inverted periods and an empty list', () => {
    expect(isSuspendedOn([], dayStart, dayEnd)).toBe(false);
    expect(isSuspendedOn([manual(dayStart + HOUR, dayStart + HOUR)], dayStart, dayEnd)).toBe(false);
    expect(isSuspendedOn([manual(dayStart + 2 * HOUR, dayStart + HOUR)], dayStart, dayEnd)).toBe(false);
  });
});

describe('validateManualSuspension', () => {
  const now = T0;

  it('accepts a suspension starting now or later and trims the reason', () => {
    expect(
      validateManualSuspension({ startsAt: now, endsAt: now + WEEK_MS, reason: '  现场检查不合格 ' }, now),
    ).toEqual({
      ok: true,
      value: { startsAt: now, endsAt: now + WEEK_MS, reason: '现场检查不合格' },
    });
    expect(validateManualSuspension({ startsAt: now + DAY_MS, endsAt: now + 2 * DAY_MS, reason: 'x' }, now).ok).toBe(
      true,
    );
    // A few minutes of clock skew are tolerated.
    expect(
      validateManualSuspension({ startsAt: now - MANUAL_BACKDATE_TOLERANCE_MS, endsAt: now + DAY_MS, reason: 'x' }, now)
        .ok,
    ).toBe(true);
    expect(validateManualSuspension({ startsAt: now, endsAt: now + MANUAL_MAX_DURATION_MS, reason: 'x' }, now).ok).toBe(
      true,
    );
  });

  it.each([
    [{ startsAt: 1.5, endsAt: T0 + DAY_MS, reason: 'x' }, 'startsAt must be an integer number of epoch milliseconds'],
    [{ startsAt: T0, endsAt: Number.NaN, reason: 'x' }, 'endsAt must be an integer number of epoch milliseconds'],
    [{ startsAt: T0, endsAt: T0, reason: 'x' }, 'endsAt must be after startsAt'],
    [{ startsAt: T0, endsAt: T0 - 1, reason: 'x' }, 'endsAt must be after startsAt'],
    [
      { startsAt: T0 - MANUAL_BACKDATE_TOLERANCE_MS - 1, endsAt: T0 + DAY_MS, reason: 'x' },
      'startsAt must not be in the past',
    ],
    [
      { startsAt: T0, endsAt: T0 + MANUAL_MAX_DURATION_MS + 1, reason: 'x' },
      'endsAt must be at most 10 years after startsAt',
    ],
    [{ startsAt: T0, endsAt: T0 + DAY_MS, reason: ' \n ' }, 'reason must not be empty'],
    [{ startsAt: T0, endsAt: T0 + DAY_MS, reason: 'x'.repeat(501) }, 'reason must be at most 500 characters'],
    [{ startsAt: T0, endsAt: T0 + DAY_MS, reason: 42 as unknown as string }, 'reason must be a string'],
  ])('rejects %o: %s', (input, reason) => {
    expect(validateManualSuspension(input, T0)).toEqual({ ok: false, reason });
  });
});
