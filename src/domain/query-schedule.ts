// The schedule of a scheduled EPCIS query subscription (EPCIS 2.0 REST binding, QueryScheduleSubscription): cron-like
// fields, in UTC. Pure.

/** FIELDS are the schedule's fields, most significant last, with their ranges. */
const FIELDS = [
  ['second', 0, 59],
  ['minute', 0, 59],
  ['hour', 0, 23],
  ['dayOfMonth', 1, 31],
  ['month', 1, 12],
  ['dayOfWeek', 1, 7],
] as const;
type Field = (typeof FIELDS)[number][0];

/** Schedule is a checked schedule: the values each field allows. */
export type Schedule = Readonly<Record<Field, ReadonlySet<number>>>;

/** ScheduleProblem names the field of a bad schedule and why. */
export interface ScheduleProblem {
  readonly field: string;
  readonly reason: string;
}

const range = (a: number, b: number) => Array.from({ length: b - a + 1 }, (_, i) => a + i);

/**
 * parseSchedule checks a schedule: each field a number or a string of comma-separated values and ranges ("5",
 * "1,15", "1-5" or "[1-5]"); dayOfWeek 1 is Monday. An omitted second, minute or hour less significant than the
 * least significant given field means 0 (so {hour: "1", minute: "5"} is 01:05:00 every day, and {dayOfWeek: 1} is
 * midnight every Monday); any other omitted field means every value. At least one field must be given.
 */
export function parseSchedule(raw: unknown): Schedule | ScheduleProblem {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    return { field: 'schedule', reason: 'must be an object of schedule fields' };
  const given = raw as Record<string, unknown>;
  for (const k of Object.keys(given))
    if (!FIELDS.some(([f]) => f === k)) return { field: `schedule.${k}`, reason: 'is not a schedule field' };
  const least = FIELDS.findIndex(([f]) => given[f] !== undefined);
  if (least < 0)
    return { field: 'schedule', reason: 'give at least one of second, minute, hour, dayOfMonth, month, dayOfWeek' };
  const out: Partial<Record<Field, ReadonlySet<number>>> = {};
  for (const [i, [f, lo, hi]] of FIELDS.entries()) {
    const v = given[f];
    if (v === undefined) {
      out[f] = new Set(i < least && i < 3 ? [lo] : range(lo, hi));
      continue;
    }
    const text = typeof v === 'number' ? String(v) : typeof v === 'string' ? v.trim() : null;
    const values = new Set<number>();
    for (const part of text === null ? [''] : text.split(',')) {
      const m = /^\[?\s*(\d{1,2})\s*(?:-\s*(\d{1,2})\s*)?\]?$/.exec(part.trim());
      const a = m ? Number(m[1]) : NaN;
      const b = m?.[2] === undefined ? a : Number(m[2]);
      if (!m || a < lo || b > hi || a > b)
        return {
          field: `schedule.${f}`,
          reason: `must be values or ranges from ${lo} to ${hi}, e.g. "${lo}" or "${lo}-${hi}"`,
        };
      for (const x of range(a, b)) values.add(x);
    }
    out[f] = values;
  }
  return out as Schedule;
}

/** isProblem tells a ScheduleProblem from a Schedule. */
export const isProblem = (s: Schedule | ScheduleProblem): s is ScheduleProblem => 'reason' in s;

const DAY = 86_400_000;
// A schedule that allows no day in this many days never fires (e.g. 31 February).
const HORIZON_DAYS = 5 * 366;

/** nextFire returns the first time (epoch ms, on a whole second, UTC) after `after` that schedule fires, or null. */
export function nextFire(s: Schedule, after: number): number | null {
  const sorted = (f: Field) => [...s[f]].sort((a, b) => a - b);
  const [hours, minutes, seconds] = [sorted('hour'), sorted('minute'), sorted('second')];
  const start = Math.floor(after / DAY) * DAY;
  for (let d = 0; d < HORIZON_DAYS; d++) {
    const day = new Date(start + d * DAY);
    const dow = ((day.getUTCDay() + 6) % 7) + 1;
    if (!s.month.has(day.getUTCMonth() + 1) || !s.dayOfMonth.has(day.getUTCDate()) || !s.dayOfWeek.has(dow)) continue;
    for (const h of hours)
      for (const m of minutes)
        for (const sec of seconds) {
          const t = start + d * DAY + ((h * 60 + m) * 60 + sec) * 1000;
          if (t > after) return t;
        }
  }
  return null;
}
