import { describe, it, expect } from 'vitest';
import { plateKind, validatePlate } from './plate.ts';

describe('validatePlate and plateKind', () => {
  it.each([
    ['京A12345', 'ordinary'],
    ['粤BD1234', 'ordinary'],
    ['沪AZ9Y88', 'ordinary'],
    ['琼EABC12', 'ordinary'],
    ['粤BD12345', 'new_energy'],
    ['粤BF12345', 'new_energy'],
    ['粤BDA1234', 'new_energy'],
    ['粤B12345D', 'new_energy'],
    ['苏E12345F', 'new_energy'],
    ['鲁B1234挂', 'trailer'],
    ['川AA123学', 'coach'],
    ['京A0001警', 'police'],
    ['沪A1234领', 'consulate'],
    ['粤Z1234港', 'hk_macao'],
    ['粤ZA123澳', 'hk_macao'],
  ] as const)('accepts %s as %s', (plate, kind) => {
    expect(validatePlate(plate)).toEqual({ ok: true, value: plate });
    expect(plateKind(plate)).toBe(kind);
  });

  it('normalises separators, case and full-width characters', () => {
    expect(validatePlate(' 粤B·12345 ')).toEqual({ ok: true, value: '粤B12345' });
    expect(validatePlate('粤b 12345')).toEqual({ ok: true, value: '粤B12345' });
    expect(validatePlate('粤B•D12345')).toEqual({ ok: true, value: '粤BD12345' });
    expect(validatePlate('粤B.1234d')).toEqual({ ok: true, value: '粤B1234D' });
    expect(validatePlate('粤Ｂ１２３４５')).toEqual({ ok: true, value: '粤B12345' });
    expect(plateKind('粤b·12345d')).toBe('new_energy');
  });

  it('rejects empty input', () => {
    expect(validatePlate('  ')).toEqual({ ok: false, reason: 'must not be empty' });
  });

  it('rejects an unknown province abbreviation', () => {
    const reason = 'must start with a province abbreviation such as 京 or 粤';
    expect(validatePlate('AB12345')).toEqual({ ok: false, reason });
    expect(validatePlate('港A12345')).toEqual({ ok: false, reason });
    expect(plateKind('AB12345')).toBeUndefined();
  });

  it('rejects a bad authority letter', () => {
    const reason = 'second character must be a letter A-Z other than I and O';
    expect(validatePlate('粤I12345')).toEqual({ ok: false, reason });
    expect(validatePlate('粤O12345')).toEqual({ ok: false, reason });
    expect(validatePlate('粤112345')).toEqual({ ok: false, reason });
    expect(validatePlate('粤')).toEqual({ ok: false, reason });
  });

  it('rejects a wrong length', () => {
    const reason = 'must be 7 characters (8 for new-energy plates)';
    expect(validatePlate('粤B1234')).toEqual({ ok: false, reason });
    expect(validatePlate('粤B1234567')).toEqual({ ok: false, reason });
    expect(validatePlate('粤B12挂')).toEqual({ ok: false, reason: 'must have 4 letters or digits before the 挂' });
    expect(validatePlate('粤B12345学')).toEqual({ ok: false, reason: 'must have 4 letters or digits before the 学' });
  });

  it('rejects serial characters outside A-Z and 0-9', () => {
    const reason = 'serial must be letters A-Z and digits';
    expect(validatePlate('粤B12-45')).toEqual({ ok: false, reason });
    expect(validatePlate('粤B12京45')).toEqual({ ok: false, reason });
    expect(validatePlate('粤B12_4挂')).toEqual({ ok: false, reason });
  });

  it('rejects I and O in the serial', () => {
    const reason = 'serial must not contain I or O';
    expect(validatePlate('粤B1234O')).toEqual({ ok: false, reason });
    expect(validatePlate('粤BDI1234')).toEqual({ ok: false, reason });
    expect(validatePlate('粤BI234挂')).toEqual({ ok: false, reason });
  });

  it('rejects new-energy serials that break the D/F rules', () => {
    const reason = 'new-energy serial must be D or F, a letter or digit, then 4 digits; or 5 digits then D or F';
    expect(validatePlate('粤B123456')).toEqual({ ok: false, reason });
    expect(validatePlate('粤BA12345')).toEqual({ ok: false, reason });
    expect(validatePlate('粤BD1234A')).toEqual({ ok: false, reason });
    expect(validatePlate('粤B1234DD')).toEqual({ ok: false, reason });
    expect(validatePlate('粤BDD123A')).toEqual({ ok: false, reason });
  });

  it('rejects Hong Kong and Macao plates outside 粤Z', () => {
    expect(validatePlate('粤B1234港')).toEqual({ ok: false, reason: 'Hong Kong and Macao plates must start with 粤Z' });
    expect(validatePlate('京Z1234澳')).toEqual({ ok: false, reason: 'Hong Kong and Macao plates must start with 粤Z' });
  });
});
