import type { Check } from './check.ts';

// ISO 6346 letter values run from A=10 upward, skipping the multiples of 11.
const letterValue = (c: string): number => {
  const v = c.charCodeAt(0) - 55;
  return v + Math.floor((v - 1) / 10);
};

/** containerCheckDigit returns the ISO 6346 check digit of the first 10 characters (owner code, category, serial). */
export function containerCheckDigit(first10: string): number {
  let sum = 0;
  for (let i = 0; i < 10; i++) {
    const c = first10[i]!;
    sum += (/\d/.test(c) ? Number(c) : letterValue(c)) * 2 ** i;
  }
  return (sum % 11) % 10;
}

/**
 * validateContainerNo checks an ISO 6346 freight container number: a 3-letter owner code, the
 * category U, J or Z, six digits and the check digit, e.g. MSCU1234565. Spaces are ignored.
 */
export function validateContainerNo(s: string): Check<string> {
  const v = s.replace(/\s+/g, '').toUpperCase();
  if (!/^[A-Z]{3}[UJZ]\d{7}$/.test(v)) {
    return { ok: false, reason: 'must be 4 letters (owner code and U, J or Z) and 7 digits, e.g. MSCU1234565' };
  }
  const want = containerCheckDigit(v.slice(0, 10));
  if (Number(v[10]) !== want) return { ok: false, reason: `check digit mismatch (expected ${want})` };
  return { ok: true, value: v };
}
