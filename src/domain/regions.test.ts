import { describe, it, expect } from 'vitest';
import { PROVINCES, isProvinceCode, provinceOf, regionName, validateRegion } from './regions.ts';

describe('PROVINCES', () => {
  it('lists the 34 province-level divisions once each, as 6-digit codes ending in 0000', () => {
    expect(PROVINCES).toHaveLength(34);
    expect(new Set(PROVINCES.map((p) => p.code)).size).toBe(34);
    for (const p of PROVINCES) expect(p.code).toMatch(/^[1-8]\d0000$/);
  });

  it('is frozen', () => {
    expect(Object.isFrozen(PROVINCES)).toBe(true);
    expect(Object.isFrozen(PROVINCES[0])).toBe(true);
  });
});

describe('isProvinceCode', () => {
  it.each(['110000', '410000', '650000', '710000', '810000', '820000'])('accepts %s', (code) => {
    expect(isProvinceCode(code)).toBe(true);
  });

  it.each(['410100', '11', '100000', '160000', '830000', ' 110000', ''])('rejects %s', (code) => {
    expect(isProvinceCode(code)).toBe(false);
  });
});

describe('provinceOf', () => {
  it('returns the containing province', () => {
    expect(provinceOf('410100')).toBe('410000');
    expect(provinceOf('440305')).toBe('440000');
    expect(provinceOf('110000')).toBe('110000');
  });

  it('returns undefined for malformed codes and unknown provinces', () => {
    expect(provinceOf('4101')).toBeUndefined();
    expect(provinceOf('41010a')).toBeUndefined();
    expect(provinceOf('990100')).toBeUndefined();
    expect(provinceOf('100000')).toBeUndefined();
  });
});

describe('regionName', () => {
  it('names provinces in Chinese and English', () => {
    expect(regionName('110000', 'zh')).toBe('北京市');
    expect(regionName('110000', 'en')).toBe('Beijing');
    expect(regionName('410000', 'zh')).toBe('河南省');
    expect(regionName('650000', 'en')).toBe('Xinjiang');
    expect(regionName('820000', 'en')).toBe('Macao');
  });

  it('returns undefined for anything but a province-level code', () => {
    expect(regionName('410100', 'zh')).toBeUndefined();
    expect(regionName('toString', 'en')).toBeUndefined();
  });
});

describe('validateRegion', () => {
  it('accepts province-level codes, trimmed', () => {
    expect(validateRegion('410000')).toEqual({ ok: true, value: '410000' });
    expect(validateRegion(' 810000 ')).toEqual({ ok: true, value: '810000' });
  });

  it('says why a code is rejected', () => {
    expect(validateRegion('41000')).toEqual({ ok: false, reason: 'must be 6 digits' });
    expect(validateRegion('41000A')).toEqual({ ok: false, reason: 'must be 6 digits' });
    expect(validateRegion('410100')).toEqual({ ok: false, reason: 'must be a province-level code ending in 0000' });
    expect(validateRegion('990000')).toEqual({ ok: false, reason: 'unknown province code' });
  });
});
