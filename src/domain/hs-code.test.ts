import { describe, it, expect } from 'vitest';
import { hsCategory, validateHsCode } from './hs-code.ts';

describe('validateHsCode', () => {
  it.each(['020230', '02023000', '0202300090', '0306171100', '9701910000'])('accepts %s', (code) => {
    expect(validateHsCode(code)).toEqual({ ok: true, value: code });
  });

  it('strips dots and spaces', () => {
    expect(validateHsCode('0202.30')).toEqual({ ok: true, value: '020230' });
    expect(validateHsCode(' 0202.3000.90 ')).toEqual({ ok: true, value: '0202300090' });
    expect(validateHsCode('0303 8990 00')).toEqual({ ok: true, value: '0303899000' });
  });

  it('rejects non-digits', () => {
    expect(validateHsCode('')).toEqual({ ok: false, reason: 'must contain only digits' });
    expect(validateHsCode('0202-30')).toEqual({ ok: false, reason: 'must contain only digits' });
    expect(validateHsCode('02023O')).toEqual({ ok: false, reason: 'must contain only digits' });
  });

  it.each(['0202', '02023', '0202300', '020230009', '02023000901'])('rejects length of %s', (code) => {
    expect(validateHsCode(code)).toEqual({ ok: false, reason: 'must be 6, 8 or 10 digits' });
  });

  it('rejects chapters outside 01-97', () => {
    expect(validateHsCode('000000')).toEqual({ ok: false, reason: 'chapter must be 01-97' });
    expect(validateHsCode('980100')).toEqual({ ok: false, reason: 'chapter must be 01-97' });
    expect(validateHsCode('9999999999')).toEqual({ ok: false, reason: 'chapter must be 01-97' });
  });

  it('rejects the reserved chapter 77', () => {
    expect(validateHsCode('770100')).toEqual({ ok: false, reason: 'chapter 77 is reserved and not used' });
  });
});

describe('hsCategory', () => {
  it.each([
    ['0202300090', 'meat'], // frozen boneless bovine meat
    ['0207141100', 'meat'], // frozen chicken cuts
    ['1601001000', 'meat'], // sausages
    ['1602.32', 'meat'], // prepared chicken
    ['1603000000', 'meat'],
    ['0303899000', 'seafood'], // frozen fish
    ['0306171100', 'seafood'], // frozen shrimps
    ['1604.14', 'seafood'], // prepared tuna
    ['1605211000', 'seafood'], // prepared shrimps
    ['0410.10', 'other'], // edible insects
    ['0811909000', 'other'], // frozen fruit
    ['0504002100', 'other'], // guts and stomachs
  ] as const)('classifies %s as %s', (code, category) => {
    expect(hsCategory(code)).toBe(category);
  });

  it('calls invalid input other', () => {
    expect(hsCategory('02')).toBe('other');
    expect(hsCategory('0202xx')).toBe('other');
  });
});
