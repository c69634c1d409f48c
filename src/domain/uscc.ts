import type { Check } from './check.ts';
import { fail, ok } from './check.ts';
import { provinceOf } from './regions.ts';

// GB 32100-2015 code alphabet: digits and capitals without I, O, Z, S, V. A character's value is its index here.
const ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
// 3^i mod 31 for positions 1..17.
const USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28] as const;
// GB 11714-1997 organisation code weights for its 8-character body.
const ORG_WEIGHTS = [3, 7, 9, 10, 5, 8, 4, 2] as const;

const AUTHORITY_CODES = '123456789ABCDEFGNY';
// Used by organs registered at national level rather than in a division.
const NATIONAL_DIVISION = '100000';

const USCC_BODY = /^[0-9A-HJ-NPQRTUWXY]{17}$/;
const ORG_BODY = /^[0-9A-Z]{8}$/;

/**
 * usccCheckChar returns the 18th character of a unified social credit code whose first 17 characters are `first17`:
 * 31 minus the weighted sum mod 31 (31 becomes 0), written in the GB 32100 alphabet. It throws a RangeError when
 * `first17` is not 17 characters of that alphabet (uppercase, no I, O, Z, S, V).
 */
export function usccCheckChar(first17: string): string {
  if (!USCC_BODY.test(first17)) throw new RangeError('usccCheckChar: need 17 characters of the GB 32100 alphabet');
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += ALPHABET.indexOf(first17.charAt(i)) * (USCC_WEIGHTS[i] ?? 0);
  return ALPHABET.charAt((31 - (sum % 31)) % 31);
}

/**
 * orgCodeCheckChar returns the check character of a GB 11714 organisation code whose 8-character body is `body8`:
 * 11 minus the weighted sum mod 11, with 10 written 'X' and 11 written '0'. Digits count as 0-9 and letters A-Z as
 * 10-35. It throws a RangeError when `body8` is not 8 digits or uppercase letters.
 */
export function orgCodeCheckChar(body8: string): string {
  if (!ORG_BODY.test(body8)) throw new RangeError('orgCodeCheckChar: need 8 digits or uppercase letters');
  let sum = 0;
  for (let i = 0; i < 8; i++) sum += Number.parseInt(body8.charAt(i), 36) * (ORG_WEIGHTS[i] ?? 0);
  const c = 11 - (sum % 11);
  return c === 10 ? 'X' : c === 11 ? '0' : String(c);
}

/**
 * validateUscc accepts an 18-character unified social credit code (GB 32100-2015) after trimming and uppercasing it.
 * It checks, in order: the length; the alphabet; the registration authority code (1-9, A-G, N or Y); the
 * organisation category (1-9); the administrative division (positions 3-8: 100000 for national registration, or a
 * 6-digit code in a known province); the GB 11714 check character of the organisation code (positions 9-17); and the
 * final check character. The first failure is the reason given.
 */
export function validateUscc(s: string): Check<string> {
  const code = s.trim().toUpperCase();
  if (code.length !== 18) return fail('must be 18 characters');
  for (let i = 0; i < 18; i++) {
    const ch = code.charAt(i);
    if (!ALPHABET.includes(ch)) {
      return fail(`invalid character '${ch}' at position ${i + 1} (only digits and capitals other than I, O, Z, S, V)`);
    }
  }
  if (!AUTHORITY_CODES.includes(code.charAt(0))) return fail('unknown registration authority code (position 1)');
  if (!/^[1-9]$/.test(code.charAt(1))) return fail('unknown organisation category (position 2)');
  const division = code.slice(2, 8);
  if (division !== NATIONAL_DIVISION && provinceOf(division) === undefined) {
    return fail('invalid administrative division code (positions 3-8)');
  }
  const orgCheck = orgCodeCheckChar(code.slice(8, 16));
  if (code.charAt(16) !== orgCheck) return fail(`organisation code check character mismatch (expected ${orgCheck})`);
  const check = usccCheckChar(code.slice(0, 17));
  if (code.charAt(17) !== check) return fail(`check character mismatch (expected ${check})`);
  return ok(code);
}
