import { describe, expect, it } from 'vitest';
import type { LabelStock } from './label-stock.ts';
import { A4, A4_3X8, checkStock, labelSlot, labelsPerSheet, PT_PER_MM } from './label-stock.ts';

describe('A4_3X8', () => {
  it('is an A4 sheet of 595.28 × 841.89 points holding 24 labels of 70 × 37 mm', () => {
    expect(A4.width).toBeCloseTo(595.28, 2);
    expect(A4.height).toBeCloseTo(841.89, 2);
    expect(labelsPerSheet(A4_3X8)).toBe(24);
    expect(() => checkStock(A4_3X8)).not.toThrow();
  });
});

describe('labelSlot', () => {
  it('fills a sheet row by row, left to right, then starts the next sheet', () => {
    const mm = (v: number) => v * PT_PER_MM;
    const first = labelSlot(A4_3X8, 0);
    expect(first.page).toBe(0);
    expect(first.x).toBeCloseTo(0, 6);
    expect(first.y).toBeCloseTo(mm(0.5), 6);
    expect(first.width).toBeCloseTo(mm(70), 6);
    expect(first.height).toBeCloseTo(mm(37), 6);

    const second = labelSlot(A4_3X8, 1);
    expect([second.page, second.x, second.y]).toEqual([0, mm(70), first.y]);
    const fourth = labelSlot(A4_3X8, 3);
    expect([fourth.page, fourth.x]).toEqual([0, 0]);
    expect(fourth.y).toBeCloseTo(mm(37.5), 6);

    const last = labelSlot(A4_3X8, 23);
    expect(last.page).toBe(0);
    expect(last.x + last.width).toBeCloseTo(A4.width, 6);
    expect(last.y + last.height).toBeCloseTo(A4.height - mm(0.5), 6);

    const next = labelSlot(A4_3X8, 24);
    expect(next).toEqual({ ...first, page: 1 });
    expect(labelSlot(A4_3X8, 999).page).toBe(41);
  });

  it('rejects an index that is not a whole number ≥ 0', () => {
    expect(() => labelSlot(A4_3X8, -1)).toThrow(RangeError);
    expect(() => labelSlot(A4_3X8, 0.5)).toThrow(RangeError);
  });
});

describe('checkStock', () => {
  it.each<[string, Partial<LabelStock>]>([
    ['no columns', { columns: 0 }],
    ['a fractional row count', { rows: 2.5 }],
    ['a zero label width', { labelWidthMm: 0 }],
    ['a negative gap', { gapYMm: -1 }],
    ['a grid wider than the sheet', { marginLeftMm: 1 }],
    ['a grid taller than the sheet', { rows: 9 }],
  ])('rejects stock with %s', (_, change) => {
    expect(() => checkStock({ ...A4_3X8, ...change })).toThrow(RangeError);
  });

  it('accepts stock with gaps between labels', () => {
    const stock: LabelStock = {
      ...A4_3X8,
      name: 'A4 2×7',
      columns: 2,
      rows: 7,
      labelWidthMm: 99.1,
      labelHeightMm: 38.1,
    };
    expect(() => checkStock({ ...stock, marginTopMm: 15.1, marginLeftMm: 4.65, gapXMm: 2.5 })).not.toThrow();
  });
});
