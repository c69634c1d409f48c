import jsQRModule from 'jsqr';
import { PNG } from 'pngjs';
import { create } from 'qrcode';
import { describe, expect, it } from 'vitest';
import type { QrRuns } from './qr.ts';
import { qrPathData, qrPng, qrRuns, qrSvg } from './qr.ts';

// jsqr is a UMD bundle: Node hands its module object to a default import, and the function is also its `default`.
const jsQR = jsQRModule.default;

const LOT_URL = 'https://ct.henan.example/t/ABCD2345EFG';
const CARTON_URL = 'https://ct.henan.example/t/ABCD2345EFG-00042';

/** decodePng reads a PNG and returns the text of the QR code in it, or undefined when jsQR finds none. */
function decodePng(png: Buffer): string | undefined {
  const img = PNG.sync.read(png);
  return jsQR(new Uint8ClampedArray(img.data), img.width, img.height)?.data;
}

/** rasterise paints `qr` as RGBA, `scale` pixels per module, from the path data the SVG and the PDF draw. */
function rasterise(qr: QrRuns, scale: number): { data: Uint8ClampedArray; width: number } {
  const width = qr.size * scale;
  const data = new Uint8ClampedArray(width * width * 4).fill(255);
  // Parses qrPathData's own output (M x y h w v1 h-w z), so this checks the path, not just the runs behind it.
  for (const m of qrPathData(qr).matchAll(/M(\d+) (\d+)h(\d+)v1h-(\d+)z/g)) {
    const [x, y, w] = [Number(m[1]), Number(m[2]), Number(m[3])];
    for (let py = y * scale; py < (y + 1) * scale; py++) {
      for (let px = x * scale; px < (x + w) * scale; px++)
        data.fill(0, (py * width + px) * 4, (py * width + px) * 4 + 3);
    }
  }
  return { data, width };
}

// One start, end or empty-element tag with double-quoted attributes, as qrSvg writes them.
const TAG = /<(\/?)([a-z]+)(?:\s+[A-Za-z:-]+="[^"<>&]*")*\s*(\/?)>/g;

/**
 * wellFormed checks a small XML document without text content: it is nothing but tags TAG accepts, and every element
 * is closed, in order, under a single root.
 */
function wellFormed(xml: string): boolean {
  if (xml.replace(TAG, '') !== '') return false;
  const open: string[] = [];
  let roots = 0;
  for (const [, close, name, empty] of xml.matchAll(TAG)) {
    if (open.length === 0) roots++;
    if (close) {
      if (open.pop() !== name) return false;
    } else if (!empty) open.push(name!);
  }
  return open.length === 0 && roots === 1;
}

describe('qrPng', () => {
  it.each([LOT_URL, CARTON_URL, 'ABCD-2345-EFG', '冷冻去骨猪肉'])('decodes back to %s', async (text) => {
    expect(decodePng(await qrPng(text))).toBe(text);
  });

  it.each(['L', 'M', 'Q', 'H'] as const)('decodes at error correction %s', async (level) => {
    expect(decodePng(await qrPng(CARTON_URL, { errorCorrection: level }))).toBe(CARTON_URL);
  });

  it('is (modules + 8) × scale pixels square, with a white quiet zone of 4 modules', async () => {
    const modules = create(LOT_URL, { errorCorrectionLevel: 'M' }).modules.size;
    const img = PNG.sync.read(await qrPng(LOT_URL, { scale: 5 }));
    expect([img.width, img.height]).toEqual([(modules + 8) * 5, (modules + 8) * 5]);
    const quiet = 4 * 5;
    for (let y = 0; y < img.height; y++) {
      for (let x = 0; x < img.width; x++) {
        if (x >= quiet && x < img.width - quiet && y >= quiet && y < img.height - quiet) continue;
        expect(img.data[(y * img.width + x) * 4]).toBe(255);
      }
    }
  });

  it('rejects empty text, a bad scale and text too long for any QR code', async () => {
    await expect(qrPng('')).rejects.toThrow(RangeError);
    await expect(qrPng(LOT_URL, { scale: 0 })).rejects.toThrow(/scale/);
    await expect(qrPng('x'.repeat(3000), { errorCorrection: 'H' })).rejects.toThrow(/cannot encode/);
  });
});

describe('qrSvg', () => {
  it('is a well-formed SVG document whose viewBox is the symbol plus its quiet zone', () => {
    const svg = qrSvg(LOT_URL);
    const size = qrRuns(LOT_URL).size;
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" /);
    expect(svg).toContain(`viewBox="0 0 ${size} ${size}"`);
    expect(svg).toContain(`<rect width="${size}" height="${size}" fill="#fff"/>`);
    expect(wellFormed(svg)).toBe(true);
    for (const bad of ['<svg><path d="M0 0"/>', '<svg><path d="M0 0"></svg>', '<svg>x</svg>', '<svg a=1></svg>']) {
      expect(wellFormed(bad), bad).toBe(false);
    }
  });

  it.each([LOT_URL, CARTON_URL])('draws a path that decodes back to %s', (text) => {
    const qr = qrRuns(text);
    expect(qrSvg(text)).toContain(`d="${qrPathData(qr)}"`);
    const { data, width } = rasterise(qr, 4);
    expect(jsQR(data, width, width)?.data).toBe(text);
  });

  it('honours the margin and the error correction level', () => {
    const tight = qrRuns(LOT_URL, { margin: 0 });
    expect(qrSvg(LOT_URL, { margin: 0 })).toContain(`viewBox="0 0 ${tight.size} ${tight.size}"`);
    expect(qrRuns(LOT_URL, { errorCorrection: 'H' }).version).toBeGreaterThan(qrRuns(LOT_URL).version);
  });
});

describe('qrRuns', () => {
  it('covers exactly the dark modules of the qrcode matrix, offset by the margin', () => {
    const { size: n, data } = create(CARTON_URL, { errorCorrectionLevel: 'M' }).modules;
    const qr = qrRuns(CARTON_URL, { margin: 2 });
    expect(qr.size).toBe(n + 4);
    const painted = new Uint8Array(qr.size * qr.size);
    for (const r of qr.runs) for (let x = r.x; x < r.x + r.length; x++) painted[r.y * qr.size + x]! += 1;
    for (let row = 0; row < qr.size; row++) {
      for (let col = 0; col < qr.size; col++) {
        const inside = row >= 2 && row < n + 2 && col >= 2 && col < n + 2;
        const dark = inside ? data[(row - 2) * n + (col - 2)] : 0;
        expect(painted[row * qr.size + col], `module ${row},${col}`).toBe(dark);
      }
    }
  });

  it('merges neighbouring dark modules of a row into one run', () => {
    // Every symbol starts with a finder pattern whose top edge is a run of 7 dark modules.
    expect(qrRuns(LOT_URL).runs[0]).toEqual({ x: 4, y: 4, length: 7 });
  });

  it('rejects empty text and a margin that is not a whole number ≥ 0', () => {
    expect(() => qrRuns('')).toThrow(RangeError);
    expect(() => qrRuns(LOT_URL, { margin: -1 })).toThrow(/margin/);
    expect(() => qrRuns(LOT_URL, { margin: 1.5 })).toThrow(/margin/);
  });
});
