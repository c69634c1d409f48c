import type { Check } from './check.ts';
import { fail, ok } from './check.ts';

/**
 * The 32 characters of a trace code: digits and capitals without 0, 1, I and O, which people confuse with each other.
 * A character's value is its index here. Every code printed on goods is 10 random data characters followed by one
 * Luhn mod 32 check character.
 */
export const TRACE_CODE_ALPHABET = '23456789ABCDEFGHJKLMNPQRSTUVWXYZ';
export const TRACE_CODE_DATA_LENGTH = 10;
export const TRACE_CODE_LENGTH = 11;
/** Carton serials run from 1 to CARTON_SERIAL_MAX and are written with CARTON_SERIAL_DIGITS digits. */
export const CARTON_SERIAL_DIGITS = 5;
export const CARTON_SERIAL_MAX = 99_999;

const N = TRACE_CODE_ALPHABET.length;
const DATA = /^[23456789A-HJ-NP-Z]{10}$/;
// Luhn mod N misses exactly one adjacent transposition: the first and last characters of the alphabet (values 0 and
// N-1 weigh the same whether doubled or not), just as decimal Luhn misses 09 ↔ 90. No issued code has those two
// characters next to each other, so a code that does is a typo and is rejected like any other.
const BLIND_PAIR = /2Z|Z2/;
// Separators people type or print inside a code: whitespace and hyphens (NFKC has already folded full-width ones).
const SEPARATORS = /[\s-]/g;
// A randomBytes that keeps producing codes with a blind pair is broken: a fair draw has one in about 50.
const MAX_DRAWS = 64;

function luhnSum(chars: string, doubleFirst: boolean): number {
  // Walks right to left, doubling every second value; a doubled value ≥ N is folded back by adding its base-N digits.
  let sum = 0;
  let double = doubleFirst;
  for (let i = chars.length - 1; i >= 0; i--) {
    let v = TRACE_CODE_ALPHABET.indexOf(chars.charAt(i));
    if (double) {
      v *= 2;
      v = Math.floor(v / N) + (v % N);
    }
    sum += v;
    double = !double;
  }
  return sum;
}

/**
 * traceCodeCheckChar returns the Luhn mod 32 check character for 10 data characters: the character whose value makes
 * the Luhn sum of the 11-character code a multiple of 32. It throws a RangeError when `data10` is not 10 characters of
 * TRACE_CODE_ALPHABET (uppercase).
 */
export function traceCodeCheckChar(data10: string): string {
  if (!DATA.test(data10)) throw new RangeError('traceCodeCheckChar: need 10 characters of the trace-code alphabet');
  return TRACE_CODE_ALPHABET.charAt((N - (luhnSum(data10, true) % N)) % N);
}

/**
 * newTraceCode draws a new 11-character trace code from `randomBytes`, which must return `n` cryptographically random
 * bytes (node:crypto's randomBytes in production). Each data character is one byte masked to 5 bits, which is unbiased
 * because 32 divides 256. Codes in which 2 and Z stand side by side are drawn again (see validateTraceCode). It throws
 * a RangeError when randomBytes returns too few bytes, and an Error when 64 draws in a row were all rejected.
 */
export function newTraceCode(randomBytes: (n: number) => Uint8Array): string {
  for (let draw = 0; draw < MAX_DRAWS; draw++) {
    const bytes = randomBytes(TRACE_CODE_DATA_LENGTH);
    if (bytes.length < TRACE_CODE_DATA_LENGTH) throw new RangeError('newTraceCode: randomBytes returned too few bytes');
    let data = '';
    for (let i = 0; i < TRACE_CODE_DATA_LENGTH; i++) data += TRACE_CODE_ALPHABET.charAt((bytes[i] ?? 0) & 31);
    const code = data + traceCodeCheckChar(data);
    if (!BLIND_PAIR.test(code)) return code;
  }
  throw new Error('newTraceCode: randomBytes does not look random');
}

/**
 * normaliseTraceCode returns `input` as a trace code is stored: NFKC-folded (so full-width characters typed with a
 * Chinese input method count as ASCII), uppercased, with whitespace and hyphens removed. It does not check the result;
 * validateTraceCode does.
 */
export function normaliseTraceCode(input: string): string {
  return input.normalize('NFKC').toUpperCase().replace(SEPARATORS, '');
}

/**
 * validateTraceCode accepts a trace code as a person may type or a scanner may read it (any case, with spaces or
 * hyphens, full-width characters) and returns it normalised. It checks, in order: the length (11 characters after
 * normalising); the alphabet, naming the first bad character; and the check character. Because issued codes never
 * have 2 and Z side by side, a code that does fails the check too: that is the one swap of neighbours that the Luhn
 * sum alone cannot see.
 */
export function validateTraceCode(input: string): Check<string> {
  const code = normaliseTraceCode(input);
  if (code.length !== TRACE_CODE_LENGTH) return fail(`must be ${TRACE_CODE_LENGTH} characters`);
  for (let i = 0; i < code.length; i++) {
    const ch = code.charAt(i);
    if (!TRACE_CODE_ALPHABET.includes(ch)) {
      const hint = '0O1I'.includes(ch) ? ' (trace codes never contain 0, O, 1 or I)' : '';
      return fail(`invalid character '${ch}' at position ${i + 1}${hint}`);
    }
  }
  if (luhnSum(code, false) % N !== 0 || BLIND_PAIR.test(code))
    return fail('check character mismatch — probably a typo');
  return ok(code);
}

/**
 * formatTraceCode writes a trace code for people to read, as XXXX-XXXX-XXX. It accepts any form validateTraceCode
 * accepts, and throws a RangeError for input that validateTraceCode rejects, so a bad code is never printed.
 */
export function formatTraceCode(code: string): string {
  const v = validateTraceCode(code);
  if (!v.ok) throw new RangeError(`formatTraceCode: ${v.reason}`);
  return `${v.value.slice(0, 4)}-${v.value.slice(4, 8)}-${v.value.slice(8)}`;
}

/**
 * cartonSerial returns the code of carton `n` of a lot: the lot's normalised trace code, a hyphen, and `n` in decimal
 * padded to CARTON_SERIAL_DIGITS digits (ABCD…-00042). It throws a RangeError when `lotCode` is not a valid trace code
 * or `n` is not an integer from 1 to CARTON_SERIAL_MAX.
 */
export function cartonSerial(lotCode: string, n: number): string {
  const lot = validateTraceCode(lotCode);
  if (!lot.ok) throw new RangeError(`cartonSerial: lot code ${lot.reason}`);
  if (!Number.isInteger(n) || n < 1 || n > CARTON_SERIAL_MAX) {
    throw new RangeError(`cartonSerial: serial must be an integer from 1 to ${CARTON_SERIAL_MAX}`);
  }
  return `${lot.value}-${String(n).padStart(CARTON_SERIAL_DIGITS, '0')}`;
}

/** A carton code split into its lot's trace code and the carton's serial number. */
export type CartonCode = { readonly lotCode: string; readonly serial: number };

/**
 * parseCartonCode splits a carton code into the lot's normalised trace code and the serial. Separators are ignored as
 * in normaliseTraceCode, so the printed form XXXX-XXXX-XXX-00042 and the stored form XXXXXXXXXXX-00042 both parse: what
 * remains must be the 11-character lot code followed by exactly CARTON_SERIAL_DIGITS digits, from 1 up. The lot code
 * is checked like validateTraceCode, and its reason is reported with 'lot code' in front.
 */
export function parseCartonCode(s: string): Check<CartonCode> {
  const compact = normaliseTraceCode(s);
  const width = TRACE_CODE_LENGTH + CARTON_SERIAL_DIGITS;
  if (compact.length !== width || !/^\d+$/.test(compact.slice(TRACE_CODE_LENGTH))) {
    return fail(
      `must be an ${TRACE_CODE_LENGTH}-character trace code followed by a ${CARTON_SERIAL_DIGITS}-digit serial`,
    );
  }
  const lot = validateTraceCode(compact.slice(0, TRACE_CODE_LENGTH));
  if (!lot.ok) return fail(`lot code ${lot.reason}`);
  const serial = Number(compact.slice(TRACE_CODE_LENGTH));
  if (serial < 1) return fail('carton serial must start at 1');
  return ok({ lotCode: lot.value, serial });
}
