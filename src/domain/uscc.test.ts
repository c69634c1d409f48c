import { describe, it, expect } from 'vitest';
import { orgCodeCheckChar, usccCheckChar, validateUscc } from './uscc.ts';

/** synth builds a valid code from its first 16 characters by appending both check characters. */
function synth(first16: string): string {
  const first17 = first16 + orgCodeCheckChar(first16.slice(8, 16));
  return first17 + usccCheckChar(first17);
}

describe('validateUscc', () => {
  it.each([
    ['914403001922038216', 'Huawei Technologies Co., Ltd.'],
    ['911000001000013428', 'Bank of China Limited (national registration, division 100000)'],
    ['91110000802100433B', 'Beijing Baidu Netcom Science and Technology Co., Ltd.'],
    ['91110108551385082Q', 'Xiaomi Inc. (小米科技有限责任公司)'],
    ['91350100M000100Y43', 'the example widely cited from GB 32100-2015'],
  ])('accepts published code %s (%s)', (code) => {
    expect(validateUscc(code)).toEqual({ ok: true, value: code });
  });

  it('trims and uppercases', () => {
    expect(validateUscc('  91110000802100433b\n')).toEqual({ ok: true, value: '91110000802100433B' });
  });

  it('accepts synthesised codes across authorities, categories and regions', () => {
    for (const first16 of [
      '11100000A0B1C2D3',
      '51320583MA1XYW00',
      'Y1650100K7L8M9N0',
      'N2810000Q1R2T3U4',
      '93710000WXY12345',
    ]) {
      const code = synth(first16);
      expect(validateUscc(code)).toEqual({ ok: true, value: code });
    }
  });

  it('rejects a wrong length', () => {
    expect(validateUscc('')).toEqual({ ok: false, reason: 'must be 18 characters' });
    expect(validateUscc('91110000802100433')).toEqual({ ok: false, reason: 'must be 18 characters' });
    expect(validateUscc('91110000802100433BB')).toEqual({ ok: false, reason: 'must be 18 characters' });
  });

  it.each(['I', 'O', 'Z', 'S', 'V', '-', '统'])('rejects the character %s', (ch) => {
    const r = validateUscc(`91350100M0001${ch}0Y43`);
    expect(r.ok).toBe(false);
    if (!r.ok)
      expect(r.reason).toBe(
        `invalid character '${ch}' at position 14 (only digits and capitals other than I, O, Z, S, V)`,
      );
  });

  it('rejects an unknown registration authority code', () => {
    expect(validateUscc(synth('0111000080210043'))).toEqual({
      ok: false,
      reason: 'unknown registration authority code (position 1)',
    });
    expect(validateUscc(synth('H111000080210043')).ok).toBe(false);
  });

  it('rejects an unknown organisation category', () => {
    expect(validateUscc(synth('9011000080210043'))).toEqual({
      ok: false,
      reason: 'unknown organisation category (position 2)',
    });
    expect(validateUscc(synth('9A11000080210043')).ok).toBe(false);
  });

  it('rejects a bad administrative division', () => {
    const reason = 'invalid administrative division code (positions 3-8)';
    expect(validateUscc(synth('9199000080210043'))).toEqual({ ok: false, reason });
    expect(validateUscc(synth('9100000080210043'))).toEqual({ ok: false, reason });
    expect(validateUscc(synth('9111A00080210043'))).toEqual({ ok: false, reason });
  });

  it('rejects a bad organisation code check character, naming the expected one', () => {
    const first17 = '9111000080210043' + '4';
    expect(validateUscc(first17 + usccCheckChar(first17))).toEqual({
      ok: false,
      reason: 'organisation code check character mismatch (expected 3)',
    });
  });

  it('rejects a bad final check character, naming the expected one', () => {
    expect(validateUscc('91110000802100433C')).toEqual({ ok: false, reason: 'check character mismatch (expected B)' });
    expect(validateUscc('914403001922038217')).toEqual({ ok: false, reason: 'check character mismatch (expected 6)' });
  });
});

describe('usccCheckChar', () => {
  it('matches published codes', () => {
    expect(usccCheckChar('91350100M000100Y4')).toBe('3');
    expect(usccCheckChar('91110000802100433')).toBe('B');
    expect(usccCheckChar('91110108551385082')).toBe('Q');
  });

  it('maps a sum divisible by 31 to 0', () => {
    // Every weight times 0 sums to 0, and 31 - 0 wraps to 0.
    expect(usccCheckChar('00000000000000000')).toBe('0');
  });

  it('throws on input outside its contract', () => {
    expect(() => usccCheckChar('9135010')).toThrow(RangeError);
    expect(() => usccCheckChar('91350100M000100I4')).toThrow(RangeError);
    expect(() => usccCheckChar('91350100m000100y4')).toThrow(RangeError);
  });
});

describe('orgCodeCheckChar', () => {
  it('matches published organisation codes', () => {
    expect(orgCodeCheckChar('19220382')).toBe('1');
    expect(orgCodeCheckChar('80210043')).toBe('3');
    expect(orgCodeCheckChar('M000100Y')).toBe('4');
  });

  it('writes 10 as X and 11 as 0', () => {
    // 00000006: sum 12, 12 mod 11 = 1, 11 - 1 = 10 → X.
    expect(orgCodeCheckChar('00000006')).toBe('X');
    // All zeros: sum 0 → 11 → '0'.
    expect(orgCodeCheckChar('00000000')).toBe('0');
  });

  it('values letters as A=10 … Z=35, not by their GB 32100 alphabet index', () => {
    // Z=35: 35 * 2 = 70, 70 mod 11 = 4, 11 - 4 = 7.
    expect(orgCodeCheckChar('0000000Z')).toBe('7');
  });

  it('throws on input outside its contract', () => {
    expect(() => orgCodeCheckChar('1922038')).toThrow(RangeError);
    expect(() => orgCodeCheckChar('1922038a')).toThrow(RangeError);
  });
});
