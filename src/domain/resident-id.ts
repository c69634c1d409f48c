import type { Check } from './check.ts';
import { fail, ok } from './check.ts';
import { isProvinceCode } from './regions.ts';

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2] as const;
const CHECK_CHARS = '10X98765432';
const SHAPE = /^\d{17}[\dX]$/;
// Residence permits for Taiwan residents use prefix 83, not Taiwan's GB/T 2260 code 71 (Hong Kong 81, Macao 82 match).
const EXTRA_PREFIXES: ReadonlySet<string> = new Set(['83']);
// Birth dates are calendar dates in China Standard Time (UTC+8, no daylight saving).
const CST_OFFSET_MS = 8 * 3600_000;
const EARLIEST_BIRTH_YEAR = 1900;

/**
 * residentIdCheckChar returns the 18th character of a GB 11643-1999 citizen identity number whose first 17 characters
 * are the digits `first17`: the weighted sum mod 11 indexed into '10X98765432'. It throws a RangeError when `first17`
 * is not 17 digits.
 */
export function residentIdCheckChar(first17: string): string {
  if (!/^\d{17}$/.test(first17)) throw new RangeError('residentIdCheckChar: need 17 digits');
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17.charAt(i)) * (WEIGHTS[i] ?? 0);
  return CHECK_CHARS.charAt(sum % 11);
}

/**
 * validateResidentId accepts an 18-character PRC resident identity number (GB 11643-1999) after trimming it and
 * uppercasing a final x. It checks, in order: the length; the shape (17 digits then a digit or X); the province
 * prefix (a GB/T 2260 province code, or 83 as used on Taiwan residents' residence permits); the birth date (positions
 * 7-14, a real calendar date from 1900-01-01 whose day has begun, in China Standard Time, at `nowMs`); and the check
 * character. The first failure is the reason given.
 */
export function validateResidentId(s: string, nowMs: number): Check<string> {
  const id = s.trim().toUpperCase();
  if (id.length !== 18) return fail('must be 18 characters');
  if (!SHAPE.test(id)) return fail('must be 17 digits followed by a digit or X');
  const prefix = id.slice(0, 2);
  if (!isProvinceCode(`${prefix}0000`) && !EXTRA_PREFIXES.has(prefix)) {
    return fail('unknown province code (first 2 digits)');
  }
  const year = Number(id.slice(6, 10));
  const month = Number(id.slice(10, 12));
  const day = Number(id.slice(12, 14));
  const midnightUtc = Date.UTC(year, month - 1, day);
  const date = new Date(midnightUtc);
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) {
    return fail('birth date is not a real calendar date');
  }
  if (year < EARLIEST_BIRTH_YEAR) return fail('birth date is before 1900');
  if (midnightUtc - CST_OFFSET_MS > nowMs) return fail('birth date is in the future');
  const check = residentIdCheckChar(id.slice(0, 17));
  if (id.charAt(17) !== check) return fail(`check character mismatch (expected ${check})`);
  return ok(id);
}

/**
 * maskResidentId hides an identity number for display: it trims and uppercases `s`, keeps the first 3 and last 4
 * characters and replaces each one between with '*', so an 18-character number stays 18 characters
 * (110***********002X). A string of 7 characters or fewer is masked entirely, so short input never shows through.
 * It does not validate.
 */
export function maskResidentId(s: string): string {
  const chars = Array.from(s.trim().toUpperCase());
  if (chars.length <= 7) return '*'.repeat(chars.length);
  return chars.slice(0, 3).join('') + '*'.repeat(chars.length - 7) + chars.slice(-4).join('');
}
