import { describe, it, expect } from 'vitest';
import { countryName, validateCountry, validateOverseasCountry } from './country.ts';

describe('validateCountry', () => {
  it.each(['BR', 'NZ', 'AR', 'EC', 'NO', 'CN', 'HK'])('accepts %s', (code) => {
    expect(validateCountry(code)).toEqual({ ok: true, value: code });
  });

  it('trims and uppercases', () => {
    expect(validateCountry(' br ')).toEqual({ ok: true, value: 'BR' });
  });

  it.each(['BRA', '076', 'B', '', 'B1', 'Ü'])('rejects %j as not alpha-2', (code) => {
    expect(validateCountry(code)).toEqual({ ok: false, reason: 'must be a 2-letter ISO 3166-1 alpha-2 code' });
  });

  it.each(['XX', 'UK', 'EU', 'ZZ'])('rejects unassigned code %s', (code) => {
    expect(validateCountry(code)).toEqual({ ok: false, reason: 'unknown country code' });
  });
});

describe('validateOverseasCountry', () => {
  it('accepts foreign countries and the separate customs territories', () => {
    for (const code of ['BR', 'HK', 'MO', 'TW'])
      expect(validateOverseasCountry(code)).toEqual({ ok: true, value: code });
  });

  it('rejects CN in any case', () => {
    expect(validateOverseasCountry('CN')).toEqual({ ok: false, reason: 'must be a country other than CN' });
    expect(validateOverseasCountry(' cn')).toEqual({ ok: false, reason: 'must be a country other than CN' });
  });

  it('passes on validateCountry failures', () => {
    expect(validateOverseasCountry('CHN')).toEqual({ ok: false, reason: 'must be a 2-letter ISO 3166-1 alpha-2 code' });
    expect(validateOverseasCountry('XX')).toEqual({ ok: false, reason: 'unknown country code' });
  });
});

describe('countryName', () => {
  it('names countries in Chinese and English', () => {
    expect(countryName('BR', 'zh')).toBe('巴西');
    expect(countryName('BR', 'en')).toBe('Brazil');
    expect(countryName('nz', 'zh')).toBe('新西兰');
    expect(countryName('AR', 'en')).toBe('Argentina');
  });

  it('returns undefined for codes validateCountry rejects', () => {
    expect(countryName('BRA', 'en')).toBeUndefined();
    expect(countryName('076', 'en')).toBeUndefined();
    expect(countryName('XX', 'zh')).toBeUndefined();
  });
});
