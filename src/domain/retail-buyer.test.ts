import { describe, expect, it } from 'vitest';
import { maskBuyer, maskMobile, maskName, validateBuyerName, validateMobile } from './retail-buyer.ts';

describe('validateMobile', () => {
  it('accepts mainland mobile numbers, with spaces, hyphens or a +86 prefix removed', () => {
    expect(validateMobile('13800138000')).toEqual({ ok: true, value: '13800138000' });
    expect(validateMobile('+86 139-1234-5678')).toEqual({ ok: true, value: '13912345678' });
    expect(validateMobile('0086 19912345678')).toEqual({ ok: true, value: '19912345678' });
  });
  it('refuses numbers of the wrong length, prefix or characters', () => {
    for (const bad of ['1380013800', '138001380001', '12800138000', '23800138000', '1380013800a', '', '010-12345678']) {
      expect(validateMobile(bad).ok, bad).toBe(false);
    }
  });
});

describe('validateBuyerName', () => {
  it('trims and refuses blank or overlong names', () => {
    expect(validateBuyerName('  张三 ')).toEqual({ ok: true, value: '张三' });
    expect(validateBuyerName('   ').ok).toBe(false);
    expect(validateBuyerName('a'.repeat(51)).ok).toBe(false);
  });
});

describe('masking', () => {
  it('keeps only the first character of the name and the ends of the number', () => {
    expect(maskMobile('13812345678')).toBe('138****5678');
    expect(maskName('张三丰')).toBe('张**');
    expect(maskName('李')).toBe('李*');
    expect(maskBuyer({ name: 'Jane Doe', phone: '13912345678' })).toBe('J******* 139****5678');
  });
});
