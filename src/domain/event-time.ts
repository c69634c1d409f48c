/**
 * Event times. Every fact has an event time (when the goods were touched, as the client says) and a record time (when
 * the node wrote it down, the log entry's `time`). A client may record a fact late, but not one from the future
 * beyond a small clock skew, nor one older than its region's horizon. Pure.
 */
import type { Check } from './check.ts';
import { fail, ok } from './check.ts';

const MINUTE = 60_000;
const DAY = 86_400_000;

/** CLOCK_SKEW_MS is how far in the future an event time may lie: clients' clocks drift. */
export const CLOCK_SKEW_MS = 5 * MINUTE;

/** DEFAULT_HORIZON_DAYS is how old an event time may be, unless a regulator sets another horizon for the region. */
export const DEFAULT_HORIZON_DAYS = 30;

/** MAX_HORIZON_DAYS bounds what a regulator may set: a year of paper records. */
export const MAX_HORIZON_DAYS = 366;

/**
 * checkEventTime accepts an event time `at` recorded at `now` when it is a finite epoch ms no later than now plus
 * CLOCK_SKEW_MS and no earlier than `horizonDays` days before now. The reason says which bound it crossed.
 */
export function checkEventTime(at: number, now: number, horizonDays: number): Check<number> {
  if (!Number.isFinite(at)) return fail('must be an ISO 8601 date-time');
  if (at > now + CLOCK_SKEW_MS)
    return fail(
      `is in the future: ${new Date(at).toISOString()} is after the node's time ${new Date(now).toISOString()} (allowed clock skew ${CLOCK_SKEW_MS / MINUTE} minutes)`,
    );
  if (at < now - horizonDays * DAY)
    return fail(
      `is more than ${horizonDays} days ago (${new Date(at).toISOString()}); this region accepts records of events within ${horizonDays} days`,
    );
  return ok(at);
}

/** validateHorizonDays accepts a horizon in whole days from 1 to MAX_HORIZON_DAYS. */
export function validateHorizonDays(input: unknown): Check<number> {
  if (typeof input !== 'number' || !Number.isInteger(input)) return fail('must be a whole number of days');
  if (input < 1 || input > MAX_HORIZON_DAYS) return fail(`must be from 1 to ${MAX_HORIZON_DAYS} days`);
  return ok(input);
}
