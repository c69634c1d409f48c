import type { Check } from './check.ts';
import { fail, ok } from './check.ts';

/**
 * A period during which imports from an overseas producer are suspended: from `startsAt` (inclusive) to `endsAt`
 * (exclusive), both epoch ms. A 'finding' suspension follows a positive test under GACC 2020 No.103 and records which
 * finding it was (1 for the producer's first); a 'manual' one is set by customs with a reason. Suspensions lift by
 * themselves at `endsAt`.
 */
export type Suspension = {
  readonly id: string;
  readonly producerId: string;
  readonly kind: 'finding' | 'manual';
  readonly startsAt: number;
  readonly endsAt: number;
  readonly reason: string;
  readonly findingNumber?: number;
};

/** The period a new positive finding suspends a producer for, as nextFindingSuspension computes it. */
export type FindingSuspension = {
  readonly startsAt: number;
  readonly endsAt: number;
  readonly weeks: number;
  readonly findingNumber: number;
};

export const DAY_MS = 86_400_000;
export const WEEK_MS = 7 * DAY_MS;
/** China Standard Time is UTC+8 all year: China has not observed daylight saving time since 1991. */
export const CHINA_OFFSET_MS = 8 * 3_600_000;
/** How far back a manual suspension may start, to allow for clocks that disagree a little. */
export const MANUAL_BACKDATE_TOLERANCE_MS = 10 * 60_000;
/** The longest manual suspension: ten years, which stands for "until further notice". */
export const MANUAL_MAX_DURATION_MS = 3653 * DAY_MS;
export const MANUAL_REASON_MAX_LENGTH = 500;

/**
 * suspensionWeeks returns how many weeks the `findingNumber`-th positive finding suspends a producer for under GACC
 * 2020 No.103: 1 week for the first and second, 4 weeks for the third and every later one. It throws a RangeError
 * when `findingNumber` is not a positive integer.
 */
export function suspensionWeeks(findingNumber: number): 1 | 4 {
  if (!Number.isSafeInteger(findingNumber) || findingNumber < 1) {
    throw new RangeError('suspensionWeeks: findingNumber must be a positive integer');
  }
  return findingNumber <= 2 ? 1 : 4;
}

/**
 * nextFindingSuspension computes the suspension that a new positive finding at `atMs` imposes on a producer whose
 * suspensions so far are `existing` (all of them, past and future, of that one producer).
 *
 * The finding's number is one more than the number of earlier 'finding' suspensions. Its length follows
 * suspensionWeeks. When a finding suspension is still running or waiting to run at `atMs`, the new one starts when
 * the last of them ends, so suspensions add up rather than overlap: two findings in one week keep the producer out
 * for two weeks, not one. This is the reading that protects consumers. Manual suspensions run on their own and do not
 * delay it, because they can be lifted or shortened at customs' discretion while the No.103 periods cannot.
 */
export function nextFindingSuspension(existing: readonly Suspension[], atMs: number): FindingSuspension {
  if (!Number.isSafeInteger(atMs)) throw new RangeError('nextFindingSuspension: atMs must be an integer');
  let findings = 0;
  let startsAt = atMs;
  for (const s of existing) {
    if (s.kind !== 'finding') continue;
    findings++;
    if (s.endsAt > startsAt) startsAt = s.endsAt;
  }
  const findingNumber = findings + 1;
  const weeks = suspensionWeeks(findingNumber);
  return { startsAt, endsAt: startsAt + weeks * WEEK_MS, weeks, findingNumber };
}

/**
 * activeSuspension returns the suspension in force at `atMs` (startsAt ≤ atMs < endsAt); when several are, the one
 * that ends last, and of those the first in `suspensions`. It returns undefined when none is in force.
 */
export function activeSuspension(suspensions: readonly Suspension[], atMs: number): Suspension | undefined {
  let best: Suspension | undefined;
  for (const s of suspensions) {
    if (s.startsAt <= atMs && atMs < s.endsAt && (best === undefined || s.endsAt > best.endsAt)) best = s;
  }
  return best;
}

/**
 * suspendedUntil returns the first instant at or after `atMs` at which no suspension is in force, following chains of
 * suspensions that overlap or touch (a stacked finding suspension starts exactly when the previous one ends). It
 * returns undefined when the producer is not suspended at `atMs`. This is the date to show as "suspended until".
 */
export function suspendedUntil(suspensions: readonly Suspension[], atMs: number): number | undefined {
  if (activeSuspension(suspensions, atMs) === undefined) return undefined;
  let until = atMs;
  // Each pass extends `until` past every suspension covering it; at most one pass per suspension is needed.
  for (let pass = 0; pass <= suspensions.length; pass++) {
    const s = activeSuspension(suspensions, until);
    if (s === undefined) break;
    until = s.endsAt;
  }
  return until;
}

/**
 * isSuspendedOn reports whether any suspension overlaps the interval [dayStartMs, dayEndMs), normally one calendar
 * day in China time from chinaDayBounds: goods that arrive on a day when their producer was suspended for any part of
 * it count as arriving while the producer was suspended.
 */
export function isSuspendedOn(suspensions: readonly Suspension[], dayStartMs: number, dayEndMs: number): boolean {
  return suspensions.some((s) => s.startsAt < dayEndMs && dayStartMs < s.endsAt && s.startsAt < s.endsAt);
}

const DATE_FORMS = [/^(\d{4})-(\d{2})-(\d{2})$/, /^(\d{4})(\d{2})(\d{2})$/] as const;

/**
 * chinaDayBounds returns [startMs, endMs) of the calendar day `date` in China time (UTC+8): from 00:00 that day to
 * 00:00 the next. `date` is 'YYYY-MM-DD' or 'YYYYMMDD'. It throws a RangeError for anything else, including dates that
 * do not exist such as 2023-02-29.
 */
export function chinaDayBounds(date: string): readonly [number, number] {
  const m = DATE_FORMS[0].exec(date) ?? DATE_FORMS[1].exec(date);
  if (m === null) {
    throw new RangeError('chinaDayBounds: date must be YYYY-MM-DD or YYYYMMDD');
  }
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const utcMidnight = Date.UTC(y, mo - 1, d);
  const check = new Date(utcMidnight);
  if (y < 1970 || check.getUTCFullYear() !== y || check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d) {
    throw new RangeError(`chinaDayBounds: ${date} is not a calendar date from 1970 on`);
  }
  const start = utcMidnight - CHINA_OFFSET_MS;
  return [start, start + DAY_MS];
}

/** chinaDate returns the calendar day, in China time, of the instant `atMs`, as 'YYYY-MM-DD'. */
export function chinaDate(atMs: number): string {
  return new Date(atMs + CHINA_OFFSET_MS).toISOString().slice(0, 10);
}

/** A manual suspension as customs enters it. */
export type ManualSuspensionInput = { readonly startsAt: number; readonly endsAt: number; readonly reason: string };

/**
 * validateManualSuspension checks a manual suspension entered at `nowMs` and returns it with its reason trimmed.
 * `startsAt` and `endsAt` must be integer epoch ms with startsAt < endsAt; it may start in the future but not in the
 * past (beyond MANUAL_BACKDATE_TOLERANCE_MS), because a backdated suspension would change the status of goods that
 * were already cleared; it may last at most MANUAL_MAX_DURATION_MS. The reason must be 1 to MANUAL_REASON_MAX_LENGTH
 * characters after trimming. The reason given on failure names the field.
 */
export function validateManualSuspension(input: ManualSuspensionInput, nowMs: number): Check<ManualSuspensionInput> {
  const { startsAt, endsAt, reason } = input;
  if (!Number.isSafeInteger(startsAt)) return fail('startsAt must be an integer number of epoch milliseconds');
  if (!Number.isSafeInteger(endsAt)) return fail('endsAt must be an integer number of epoch milliseconds');
  if (endsAt <= startsAt) return fail('endsAt must be after startsAt');
  if (startsAt < nowMs - MANUAL_BACKDATE_TOLERANCE_MS) return fail('startsAt must not be in the past');
  if (endsAt - startsAt > MANUAL_MAX_DURATION_MS) return fail('endsAt must be at most 10 years after startsAt');
  if (typeof reason !== 'string') return fail('reason must be a string');
  const trimmed = reason.trim();
  if (trimmed.length === 0) return fail('reason must not be empty');
  if (trimmed.length > MANUAL_REASON_MAX_LENGTH)
    return fail(`reason must be at most ${MANUAL_REASON_MAX_LENGTH} characters`);
  return ok({ startsAt, endsAt, reason: trimmed });
}
