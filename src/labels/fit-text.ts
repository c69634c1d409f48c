/** Measure returns the width of `text` set at `size`, in the same unit as FitRequest.width. */
export type Measure = (text: string, size: number) => number;

/** FitRequest asks for `text` in at most `maxLines` lines of `width`, at `size` if it fits, shrinking to `minSize`. */
export interface FitRequest {
  readonly measure: Measure;
  readonly width: number;
  readonly size: number;
  readonly minSize: number;
  readonly maxLines: number;
}

/** Fitted is text broken into lines at one size; `truncated` says an ellipsis stands for text that did not fit. */
export interface Fitted {
  readonly size: number;
  readonly lines: readonly string[];
  readonly truncated: boolean;
}

export const ELLIPSIS = '…';
const SIZE_STEP = 0.5;
// A break may fall before or after any ideograph, and at spaces between Latin words. Each token is a CJK character
// (including full-width punctuation), a run of spaces, or a run of anything else.
const TOKENS = /[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef]|\s+|[^\s\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef]+/gu;

/**
 * fitText sets `text` (whitespace collapsed) as large as it can, from `size` down to `minSize` in half points, in at
 * most `maxLines` lines no wider than `width`: lines break at spaces and between ideographs, and a word wider than a
 * line breaks between its characters. When even `minSize` needs more lines, it keeps the first `maxLines` and ends the
 * last with an ellipsis, shortened until it fits. Empty text fits as no lines. It is pure: all widths come from
 * `measure`.
 */
export function fitText(text: string, req: FitRequest): Fitted {
  const clean = text.replace(/\s+/g, ' ').trim();
  if (clean === '') return { size: req.size, lines: [], truncated: false };
  for (let size = req.size; size >= req.minSize; size -= SIZE_STEP) {
    const lines = wrap(clean, size, req);
    if (lines.length <= req.maxLines) return { size, lines, truncated: false };
  }
  const size = req.minSize;
  const lines = wrap(clean, size, req).slice(0, req.maxLines);
  const last = lines.length - 1;
  lines[last] = ellipsize(lines[last] ?? '', size, req);
  return { size, lines, truncated: true };
}

function wrap(text: string, size: number, req: FitRequest): string[] {
  const fits = (s: string) => req.measure(s, size) <= req.width;
  const lines: string[] = [];
  let line = '';
  for (const token of text.match(TOKENS) ?? []) {
    if (/^\s+$/.test(token)) {
      if (line !== '') line += ' ';
      continue;
    }
    if (fits(line + token)) {
      line += token;
      continue;
    }
    if (line.trim() !== '') lines.push(line.trimEnd());
    line = '';
    // A token wider than a whole line is split between characters; the last piece starts the next line.
    for (const ch of token) {
      if (line !== '' && !fits(line + ch)) {
        lines.push(line);
        line = '';
      }
      line += ch;
    }
  }
  if (line.trim() !== '') lines.push(line.trimEnd());
  return lines;
}

function ellipsize(line: string, size: number, req: FitRequest): string {
  const chars = Array.from(line);
  while (chars.length > 0 && req.measure(chars.join('').trimEnd() + ELLIPSIS, size) > req.width) chars.pop();
  return chars.join('').trimEnd() + ELLIPSIS;
}
