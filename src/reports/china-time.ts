/**
 * Times in reports. Storage keeps epoch ms; a report shows each time twice, as ISO 8601 in UTC (what the rest of the
 * API returns) and as China Standard Time (UTC+8, no daylight saving), which is what the regulators and warehouse
 * staff reading a report keep. Pure.
 */

const CST_MS = 8 * 3_600_000;

/** When is one instant as a report shows it: ISO 8601 UTC, and China time as "2026-11-25 16:00:00". */
export interface When {
  readonly at: string;
  readonly chinaTime: string;
}

/** chinaIso formats epoch ms as ISO 8601 with the +08:00 offset, e.g. "2026-11-25T16:00:00+08:00" (seconds kept). */
export function chinaIso(ms: number): string {
  return `${new Date(ms + CST_MS).toISOString().slice(0, 19)}+08:00`;
}

/** chinaTime formats epoch ms as China time for people: "2026-11-25 16:00:00". */
export function chinaTime(ms: number): string {
  return new Date(ms + CST_MS).toISOString().slice(0, 19).replace('T', ' ');
}

/** whenOf returns both forms of an instant (see When). */
export function whenOf(ms: number): When {
  return { at: new Date(ms).toISOString(), chinaTime: chinaTime(ms) };
}

/** chinaDayStart is the epoch ms at which a calendar day (YYYY-MM-DD) starts in China. */
export function chinaDayStart(day: string): number {
  return Date.parse(`${day}T00:00:00+08:00`);
}
