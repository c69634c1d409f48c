import { describe, expect, it } from 'vitest';
import { csvField, csvFile, parseCsv } from './csv.ts';

describe('csv', () => {
  it('quotes what needs quoting and round-trips through parseCsv', () => {
    const rows = [
      ['section', 'name', 'kg'],
      ['holders', '郑州冷链, "一号"库', 1590.5],
      ['note', 'two\r\nlines', null],
    ];
    const file = csvFile(rows);
    expect([...file.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(file.toString('utf8')).toContain('"郑州冷链, ""一号""库",1590.5\r\n');
    expect(parseCsv(file.toString('utf8'))).toEqual([
      ['section', 'name', 'kg'],
      ['holders', '郑州冷链, "一号"库', '1590.5'],
      ['note', 'two\r\nlines', ''],
    ]);
  });

  it('keeps formula-like text as text and leaves numbers alone', () => {
    expect(csvField('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
    expect(csvField('-18 ℃')).toBe("'-18 ℃");
    expect(csvField(-18)).toBe('-18');
    expect(csvField('')).toBe('');
  });

  it('reads LF files without a BOM and refuses an unclosed quote', () => {
    expect(parseCsv('a,b\n1,"x\ny"\n')).toEqual([
      ['a', 'b'],
      ['1', 'x\ny'],
    ]);
    expect(() => parseCsv('a\n"open\n')).toThrow(/line 2/);
  });
});
