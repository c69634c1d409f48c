import { describe, expect, it } from 'vitest';
import type { FitRequest } from './fit-text.ts';
import { ELLIPSIS, fitText } from './fit-text.ts';

// A monospaced stand-in for a font: ideographs are one em wide, everything else half an em.
const measure = (s: string, size: number) =>
  Array.from(s).reduce((w, ch) => w + (/[\u2e80-\u9fff\uff00-\uffef]/.test(ch) ? size : size / 2), 0);

const req = (over: Partial<FitRequest>): FitRequest => ({
  measure,
  width: 60,
  size: 10,
  minSize: 6,
  maxLines: 1,
  ...over,
});

describe('fitText', () => {
  it('keeps text that fits at the full size on one line', () => {
    expect(fitText('冷冻去骨猪肉', req({}))).toEqual({ size: 10, lines: ['冷冻去骨猪肉'], truncated: false });
  });

  it('shrinks in half points until the text fits', () => {
    // 8 ideographs need 8 × size ≤ 60, so 7.5 points.
    expect(fitText('冷冻带骨牛肉小排', req({}))).toEqual({ size: 7.5, lines: ['冷冻带骨牛肉小排'], truncated: false });
  });

  it('wraps at spaces before shrinking when more lines are allowed, and collapses whitespace', () => {
    const fitted = fitText('  Frozen   boneless pork ', req({ width: 70, maxLines: 2 }));
    expect(fitted).toEqual({ size: 10, lines: ['Frozen', 'boneless pork'], truncated: false });
  });

  it('breaks between ideographs, which need no spaces', () => {
    const fitted = fitText('冷冻带骨牛小排谷饲', req({ width: 50, maxLines: 2, minSize: 10 }));
    expect(fitted.lines).toEqual(['冷冻带骨牛', '小排谷饲']);
  });

  it('breaks a word wider than a line between its characters', () => {
    const fitted = fitText('BATCH-2024-08-15-LINE-03', req({ width: 50, maxLines: 3, minSize: 10 }));
    expect(fitted.lines).toEqual(['BATCH-2024', '-08-15-LIN', 'E-03']);
    expect(fitted.lines.join('')).toBe('BATCH-2024-08-15-LINE-03');
  });

  it('ends the last line with an ellipsis when even the smallest size overflows, and stays within the width', () => {
    const text = 'Frozen bone-in beef short ribs, grain fed, Australian premium grade';
    const fitted = fitText(text, req({ width: 80, maxLines: 2, minSize: 6 }));
    expect(fitted.truncated).toBe(true);
    expect(fitted.size).toBe(6);
    expect(fitted.lines).toHaveLength(2);
    expect(fitted.lines[1]!.endsWith(ELLIPSIS)).toBe(true);
    for (const line of fitted.lines) expect(measure(line, fitted.size)).toBeLessThanOrEqual(80);
    expect(text.startsWith(fitted.lines.join(' ').slice(0, -1))).toBe(true);
  });

  it('fits empty or blank text as no lines', () => {
    expect(fitText('', req({}))).toEqual({ size: 10, lines: [], truncated: false });
    expect(fitText(' \n ', req({}))).toEqual({ size: 10, lines: [], truncated: false });
  });
});
