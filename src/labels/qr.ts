import { create, toBuffer } from 'qrcode';

/** QrErrorCorrection is a QR error-correction level: L 7 %, M 15 %, Q 25 %, H 30 % of the symbol recoverable. */
export type QrErrorCorrection = 'L' | 'M' | 'Q' | 'H';

/** QrOptions tunes a QR code. Every field is optional; the defaults suit a label printed on a carton. */
export interface QrOptions {
  /** errorCorrection defaults to M, which survives a scuffed or frosted label without growing the symbol much. */
  readonly errorCorrection?: QrErrorCorrection;
  /** margin is the quiet zone in modules on each side; ISO/IEC 18004 asks for 4, the default. */
  readonly margin?: number;
}

/** QrPngOptions adds the pixel size of one module (default 8) to QrOptions. */
export interface QrPngOptions extends QrOptions {
  readonly scale?: number;
}

/** QrRun is a horizontal run of dark modules: `length` modules from column `x` in row `y`, counted with the margin. */
export interface QrRun {
  readonly x: number;
  readonly y: number;
  readonly length: number;
}

/** QrRuns is a QR symbol as dark runs, in a square of `size` modules that includes the quiet zone on every side. */
export interface QrRuns {
  readonly size: number;
  readonly version: number;
  readonly runs: readonly QrRun[];
}

export const DEFAULT_QR_MARGIN = 4;

function marginOf(opts: QrOptions): number {
  const margin = opts.margin ?? DEFAULT_QR_MARGIN;
  if (!Number.isInteger(margin) || margin < 0) throw new RangeError('qr: margin must be a whole number of modules ≥ 0');
  return margin;
}

/**
 * qrRuns encodes `text` (as UTF-8, in the smallest version that holds it) and returns its dark modules as horizontal
 * runs, row by row from the top, offset by the quiet zone. Runs are what the SVG and PDF renderers draw: one rectangle
 * per run keeps a vector symbol small. It throws a RangeError for empty text, a bad margin, or text too long for a QR
 * code at the chosen level.
 */
export function qrRuns(text: string, opts: QrOptions = {}): QrRuns {
  if (text.length === 0) throw new RangeError('qrRuns: text must not be empty');
  const margin = marginOf(opts);
  let symbol;
  try {
    symbol = create(text, { errorCorrectionLevel: opts.errorCorrection ?? 'M' });
  } catch (cause) {
    throw new RangeError(`qrRuns: cannot encode ${text.length} characters`, { cause });
  }
  const { size: n, data } = symbol.modules;
  const runs: QrRun[] = [];
  for (let row = 0; row < n; row++) {
    let start = -1;
    for (let col = 0; col <= n; col++) {
      const dark = col < n && data[row * n + col] === 1;
      if (dark && start < 0) start = col;
      if (!dark && start >= 0) {
        runs.push({ x: start + margin, y: row + margin, length: col - start });
        start = -1;
      }
    }
  }
  return { size: n + 2 * margin, version: symbol.version, runs };
}

/**
 * qrPathData returns the SVG path data (`d`) that fills the dark runs of `qr`, one unit per module, for example
 * `M4 4h7v1h-7z`. A viewer fills it with the nonzero rule; runs never overlap, so the rule does not matter.
 */
export function qrPathData(qr: QrRuns): string {
  const parts: string[] = [];
  for (const r of qr.runs) parts.push(`M${r.x} ${r.y}h${r.length}v1h-${r.length}z`);
  return parts.join('');
}

/**
 * qrSvg returns a standalone SVG document of the QR code for `text`: a white square of `size` units (the symbol plus
 * its quiet zone), viewBox `0 0 size size`, with the dark modules as one black path. It has no width or height, so it
 * scales to whatever box it is placed in; shape-rendering crispEdges keeps module edges sharp on screens. Errors are
 * those of qrRuns.
 */
export function qrSvg(text: string, opts: QrOptions = {}): string {
  const qr = qrRuns(text, opts);
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${qr.size} ${qr.size}" shape-rendering="crispEdges">` +
    `<rect width="${qr.size}" height="${qr.size}" fill="#fff"/>` +
    `<path fill="#000" d="${qrPathData(qr)}"/></svg>`
  );
}

/**
 * qrPng resolves to a PNG image of the QR code for `text`: black modules on white, `scale` pixels per module (default
 * 8) and the quiet zone included, so the image is (modules + 2 × margin) × scale pixels square. It rejects with a
 * RangeError where qrRuns would throw, or for a scale that is not a whole number from 1 to 64.
 */
export async function qrPng(text: string, opts: QrPngOptions = {}): Promise<Buffer> {
  const scale = opts.scale ?? 8;
  if (!Number.isInteger(scale) || scale < 1 || scale > 64) throw new RangeError('qrPng: scale must be from 1 to 64');
  const margin = marginOf(opts);
  if (text.length === 0) throw new RangeError('qrPng: text must not be empty');
  try {
    return await toBuffer(text, { type: 'png', errorCorrectionLevel: opts.errorCorrection ?? 'M', margin, scale });
  } catch (cause) {
    throw new RangeError(`qrPng: cannot encode ${text.length} characters`, { cause });
  }
}
