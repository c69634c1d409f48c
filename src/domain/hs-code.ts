import type { Check } from './check.ts';
import { fail, ok } from './check.ts';

/** The food categories that cold-chain rules distinguish. */
export type HsCategory = 'meat' | 'seafood' | 'other';

// Dots and spaces as in '0202.30' or '0303 8990 00' are formatting only.
const SEPARATORS = /[\s.]/g;
const LENGTHS: ReadonlySet<number> = new Set([6, 8, 10]);
// Chapter 77 is reserved in the Harmonized System for possible future use.
const RESERVED_CHAPTER = 77;

function normalise(s: string): string {
  return s.replace(SEPARATORS, '');
}

/**
 * validateHsCode accepts a Harmonized System commodity code of 6, 8 or 10 digits (China declares 10) and returns its
 * digits with dots and spaces removed ('0202.3000.90' → '0202300090'). The chapter (first two digits) must be 01-97
 * and not the reserved chapter 77. It does not check that the heading or subheading exists.
 */
export function validateHsCode(s: string): Check<string> {
  const code = normalise(s);
  if (!/^\d+$/.test(code)) return fail('must contain only digits');
  if (!LENGTHS.has(code.length)) return fail('must be 6, 8 or 10 digits');
  const chapter = Number(code.slice(0, 2));
  if (chapter < 1 || chapter > 97) return fail('chapter must be 01-97');
  if (chapter === RESERVED_CHAPTER) return fail('chapter 77 is reserved and not used');
  return ok(code);
}

/**
 * hsCategory classifies a code that validateHsCode accepts (formatted or not): chapter 02 (meat and edible offal) and
 * headings 1601-1603 (sausages, prepared meat, meat extracts) are 'meat'; chapter 03 (fish, crustaceans, molluscs)
 * and headings 1604-1605 (prepared fish, caviar, prepared crustaceans and molluscs) are 'seafood'; every other code,
 * and any input validateHsCode rejects, is 'other'.
 */
export function hsCategory(code: string): HsCategory {
  const r = validateHsCode(code);
  if (!r.ok) return 'other';
  const chapter = r.value.slice(0, 2);
  const heading = r.value.slice(0, 4);
  if (chapter === '02') return 'meat';
  if (chapter === '03') return 'seafood';
  if (chapter === '16') return heading === '1604' || heading === '1605' ? 'seafood' : 'meat';
  return 'other';
}
