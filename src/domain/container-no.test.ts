import { describe, expect, it } from 'vitest';
import { containerCheckDigit, validateContainerNo } from './container-no.ts';

describe('validateContainerNo', () => {
  it('accepts valid numbers, normalising case and spaces', () => {
    // CSQU3054383 is the standard's worked example.
    for (const c of ['CSQU3054383', 'MSCU1234566', 'TGHU 1234567', 'maeu1234567']) {
      expect(validateContainerNo(c).ok, c).toBe(true);
    }
    expect(containerCheckDigit('CSQU305438')).toBe(3);
  });

  it('names the reason for a bad number', () => {
    expect(validateContainerNo('CSQU3054384')).toEqual({ ok: false, reason: 'check digit mismatch (expected 3)' });
    expect(validateContainerNo('CSQX3054383').ok).toBe(false);
    expect(validateContainerNo('CSQU305438').ok).toBe(false);
  });
});
