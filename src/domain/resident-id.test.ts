import { describe, it, expect } from 'vitest';
import { maskResidentId, residentIdCheckChar, validateResidentId } from './resident-id.ts';

// 2025-03-01 12:00 China Standard Time.
const NOW = Date.UTC(2025, 2, 1, 4);

function synth(first17: string): string {
  return first17 + residentIdCheckChar(first17);
}

describe('validateResidentId', () => {
  it('accepts the GB 11643-1999 example', () => {
    expect(validateResidentId('11010519491231002X', NOW)).toEqual({ ok: true, value: '11010519491231002X' });
  });

  it('uppercases a final x and trims', () => {
    expect(validateResidentId(' 11010519491231002x ', NOW)).toEqual({ ok: true, value: '11010519491231002X' });
  });

  it.each([
    ['44030420000229123', '29 February in a leap year'],
    ['31011519800101001', 'Shanghai'],
    ['65010219000101001', 'the earliest accepted birth date'],
    ['81000019900101001', 'a Hong Kong residence permit'],
    ['83000019900101001', 'a Taiwan residence permit'],
  ])('accepts synthesised number %s (%s)', (first17) => {
    const id = synth(first17);
    expect(validateResidentId(id, NOW)).toEqual({ ok: true, value: id });
  });

  it('rejects a wrong length', () => {
    expect(validateResidentId('11010519491231002', NOW)).toEqual({ ok: false, reason: 'must be 18 characters' });
    expect(validateResidentId('110105491231002', NOW)).toEqual({ ok: false, reason: 'must be 18 characters' });
  });

  it('rejects a bad shape', () => {
    const reason = 'must be 17 digits followed by a digit or X';
    expect(validateResidentId('1101051949123100XX', NOW)).toEqual({ ok: false, reason });
    expect(validateResidentId('11010519491231002Y', NOW)).toEqual({ ok: false, reason });
  });

  it('rejects an unknown province prefix', () => {
    const reason = 'unknown province code (first 2 digits)';
    expect(validateResidentId(synth('99010519491231002'), NOW)).toEqual({ ok: false, reason });
    expect(validateResidentId(synth('00010519491231002'), NOW)).toEqual({ ok: false, reason });
  });

  it.each(['19490230', '19491301', '19490001', '19491200', '19000229', '20230229'])(
    'rejects impossible date %s',
    (date) => {
      expect(validateResidentId(synth(`110105${date}002`), NOW)).toEqual({
        ok: false,
        reason: 'birth date is not a real calendar date',
      });
    },
  );

  it('rejects a birth date before 1900', () => {
    expect(validateResidentId(synth('11010518991231002'), NOW)).toEqual({
      ok: false,
      reason: 'birth date is before 1900',
    });
  });

  it('accepts a birth date from midnight of that day in China Standard Time, not before', () => {
    const id = synth('11010520250301002');
    const midnightCst = Date.UTC(2025, 2, 1) - 8 * 3600_000;
    expect(validateResidentId(id, midnightCst).ok).toBe(true);
    expect(validateResidentId(id, midnightCst - 1)).toEqual({ ok: false, reason: 'birth date is in the future' });
    expect(validateResidentId(synth('11010520300101002'), NOW)).toEqual({
      ok: false,
      reason: 'birth date is in the future',
    });
  });

  it('rejects a bad check character, naming the expected one', () => {
    expect(validateResidentId('110105194912310021', NOW)).toEqual({
      ok: false,
      reason: 'check character mismatch (expected X)',
    });
    expect(validateResidentId('44030420000229123X', NOW)).toEqual({
      ok: false,
      reason: 'check character mismatch (expected 6)',
    });
  });
});

describe('residentIdCheckChar', () => {
  it('computes known answers', () => {
    expect(residentIdCheckChar('11010519491231002')).toBe('X');
    expect(residentIdCheckChar('44030420000229123')).toBe('6');
    expect(residentIdCheckChar('11010520000101000')).toBe('8');
  });

  it('throws on input outside its contract', () => {
    expect(() => residentIdCheckChar('1101051949123100')).toThrow(RangeError);
    expect(() => residentIdCheckChar('1101051949123100X')).toThrow(RangeError);
  });
});

describe('maskResidentId', () => {
  it('keeps the first 3 and last 4 of 18 characters', () => {
    expect(maskResidentId('11010519491231002x')).toBe('110***********002X');
    expect(maskResidentId('11010519491231002X')).toHaveLength(18);
  });

  it('preserves length for other lengths and hides short strings entirely', () => {
    expect(maskResidentId('110105491231002')).toBe('110********1002');
    expect(maskResidentId('12345678')).toBe('123*5678');
    expect(maskResidentId('1234567')).toBe('*******');
    expect(maskResidentId('')).toBe('');
  });
});
