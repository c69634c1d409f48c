import jsQRModule from 'jsqr';
import type { PDFDocumentProxy } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { LabelInput } from './label-sheet.ts';
import { labelSheetPdf } from './label-sheet.ts';
import { A4_3X8, labelSlot } from './label-stock.ts';

// jsqr is a UMD bundle: Node hands its module object to a default import, and the function is also its `default`.
const jsQR = jsQRModule.default;

const ALPHABET = '23456789ABCDEFGHJKLMNPQRSTUVWXYZ';
const PUBLIC_URL = 'https://ct.henan.example';

/** cartons makes `n` carton labels of one lot, with distinct codes drawn from a fixed seed so runs repeat. */
function cartons(n: number): LabelInput[] {
  let seed = 7;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
  return Array.from({ length: n }, (_, i) => {
    const code = Array.from({ length: 11 }, () => ALPHABET.charAt(next() % 32)).join('');
    const serial = String(i + 1).padStart(5, '0');
    return {
      qrUrl: `${PUBLIC_URL}/t/${code}-${serial}`,
      codeText: `${code.slice(0, 4)}-${code.slice(4, 8)}-${code.slice(8)}`,
      productZh: '冷冻去骨猪肉',
      productEn: 'Frozen boneless pork',
      lotNo: '2024-0815-01',
      weightKg: 20,
      serial,
    };
  });
}

async function open(pdf: Buffer): Promise<PDFDocumentProxy> {
  return getDocument({ data: new Uint8Array(pdf), verbosity: 0 }).promise;
}

/** pageTexts returns the text of the given pages (from 1; all by default), pdf.js's pieces joined by newlines. */
async function pageTexts(doc: PDFDocumentProxy, pages?: readonly number[]): Promise<string[]> {
  const texts: string[] = [];
  for (const p of pages ?? Array.from({ length: doc.numPages }, (_, i) => i + 1)) {
    const content = await (await doc.getPage(p)).getTextContent();
    texts.push(content.items.map((item) => ('str' in item ? item.str : '')).join('\n'));
  }
  return texts;
}

type Context2d = CanvasRenderingContext2D & {
  getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray; width: number; height: number };
};

/**
 * scanLabels renders the pages that hold the labels at `indexes` at 3 px per point, cuts out each label and returns
 * what a QR reader finds in it, in the same order.
 */
async function scanLabels(doc: PDFDocumentProxy, indexes: readonly number[]): Promise<Array<string | undefined>> {
  const scale = 3;
  const found: Array<string | undefined> = [];
  // In Node, pdf.js draws on @napi-rs/canvas; its declarations type the factory as a bare Object.
  const canvases = doc.canvasFactory as { create(w: number, h: number): { canvas: never; context: Context2d } };
  let rendered: { page: number; context: Context2d } | undefined;
  for (const index of indexes) {
    const slot = labelSlot(A4_3X8, index);
    if (rendered?.page !== slot.page) {
      const page = await doc.getPage(slot.page + 1);
      const viewport = page.getViewport({ scale });
      const { canvas, context } = canvases.create(viewport.width, viewport.height);
      await page.render({ canvas, canvasContext: context, viewport }).promise;
      rendered = { page: slot.page, context };
    }
    const [x, y, w, h] = [slot.x, slot.y, slot.width, slot.height].map((v) => Math.round(v * scale));
    const image = rendered.context.getImageData(x!, y!, w!, h!);
    found.push(jsQR(image.data, image.width, image.height)?.data);
  }
  return found;
}

describe('labelSheetPdf', () => {
  let thousand: Buffer;
  beforeAll(async () => {
    thousand = await labelSheetPdf(cartons(1000));
  });

  it('sets the Chinese and English names, the lot, the weight, the serial and the code text', async () => {
    const [label] = cartons(1);
    const [text] = await pageTexts(await open(await labelSheetPdf([label!])));
    for (const part of ['冷冻去骨猪肉', 'Frozen boneless pork', '2024-0815-01', '20.00 kg', '00001', label!.codeText]) {
      expect(text).toContain(part);
    }
    expect(text).toContain('批号');
    expect(text).toContain('净重');
  });

  it.each([
    [1, 1],
    [24, 1],
    [25, 2],
  ])('puts %i label(s) on %i A4 page(s)', async (n, pages) => {
    const doc = await open(await labelSheetPdf(cartons(n)));
    expect(doc.numPages).toBe(pages);
    for (let p = 1; p <= pages; p++) {
      const [x0, y0, width, height] = (await doc.getPage(p)).view;
      expect([x0, y0]).toEqual([0, 0]);
      expect(width).toBeCloseTo(595.28, 2);
      expect(height).toBeCloseTo(841.89, 2);
    }
  });

  it('puts 1,000 labels on 42 pages, each label with its own code, in order, in well under a megabyte', async () => {
    const labels = cartons(1000);
    const doc = await open(thousand);
    expect(doc.numPages).toBe(42);
    const pages = [1, 2, 21, 42];
    const texts = new Map((await pageTexts(doc, pages)).map((text, i) => [pages[i]!, text]));
    expect(
      texts
        .get(42)!
        .split('\n')
        .filter((s) => s === '冷冻去骨猪肉'),
    ).toHaveLength(1000 - 41 * 24);
    for (const i of [0, 23, 24, 500, 999]) expect(texts.get(Math.floor(i / 24) + 1)).toContain(labels[i]!.codeText);
    expect(thousand.length).toBeLessThan(1_000_000);
  });

  it('draws QR codes that a reader decodes to each label’s URL', async () => {
    const labels = cartons(1000);
    const indexes = [0, 4, 23, 999];
    expect(await scanLabels(await open(thousand), indexes)).toEqual(indexes.map((i) => labels[i]!.qrUrl));
  });

  it('embeds a subset of the CJK font, so the sheet prints the same everywhere', async () => {
    const pdf = (await labelSheetPdf(cartons(1))).toString('latin1');
    expect(pdf).toMatch(/\/BaseFont \/[A-Z]{6}\+NotoSansHans-Bold/);
    expect(pdf).toMatch(/\/BaseFont \/[A-Z]{6}\+NotoSansHans-Regular/);
    expect(pdf.match(/\/FontFile3 \d+ 0 R/g)).toHaveLength(2);
    expect(pdf.match(/\/Type \/Page\b/g)).toHaveLength(1);
    expect(pdf.length).toBeLessThan(150_000);
  });

  it('leaves the first positions blank when asked to skip them', async () => {
    const doc = await open(await labelSheetPdf(cartons(2), { skip: 23 }));
    expect(doc.numPages).toBe(2);
    const first = await (await doc.getPage(1)).getTextContent();
    const item = first.items.find((it) => 'str' in it && it.str === '冷冻去骨猪肉');
    // pdf.js reports positions from the bottom-left corner; slot 23 is the last of the sheet, bottom right.
    const [, , , , x, y] = item && 'transform' in item ? (item.transform as number[]) : [];
    expect(x).toBeGreaterThan(labelSlot(A4_3X8, 23).x);
    expect(y).toBeLessThan(841.89 - labelSlot(A4_3X8, 23).y);
    expect((await pageTexts(doc))[1]).toContain(cartons(2)[1]!.codeText);
  });

  it('leaves out missing names and serials, and fits long ones without losing the lot number', async () => {
    const [base] = cartons(1);
    const { serial: _, ...lot } = base!;
    const long = {
      ...lot,
      productZh: '冷冻带骨牛小排（谷饲，澳大利亚）特级',
      productEn: 'Frozen bone-in beef short ribs, grain fed, Australian premium grade, vacuum packed',
      lotNo: 'BATCH-2024-08-15-LINE-03',
    };
    const pdf = await labelSheetPdf([{ ...lot, productZh: null, productEn: undefined }, long]);
    const texts = await pageTexts(await open(pdf));
    expect(texts[0]).not.toMatch(/null|undefined|箱号/);
    expect(texts[0]).toContain('冷冻带骨牛小排');
    expect(texts[0]!.replace(/\n/g, '')).toContain('BATCH-2024-08-15-LINE-03');
  });

  it('keeps every line of the fullest label clear of the code along its bottom', async () => {
    const fullest: LabelInput = {
      ...cartons(1)[0]!,
      productZh: '冷冻带骨牛小排（谷饲，澳大利亚）特级',
      productEn: 'Frozen bone-in beef short ribs, grain fed, Australian premium grade, vacuum packed',
      lotNo: 'BATCH-2024-08-15-LINE-03-NIGHT-SHIFT',
    };
    const content = await (await (await open(await labelSheetPdf([fullest]))).getPage(1)).getTextContent();
    // pdf.js gives each piece's baseline from the bottom of the page and its font size as height.
    const pieces = content.items.flatMap((it) => ('str' in it && it.str.trim() ? [it] : []));
    const code = pieces.find((it) => it.str === fullest.codeText)!;
    const codeTop = code.transform[5] + 0.8 * code.height;
    expect(pieces.length).toBeGreaterThan(8);
    for (const it of pieces) {
      if (it !== code) expect(it.transform[5] - 0.25 * it.height, it.str).toBeGreaterThan(codeTop);
    }
  });

  it('is byte-for-byte repeatable for the same labels and creation date', async () => {
    const createdAt = new Date('2024-08-15T00:00:00Z');
    const a = await labelSheetPdf(cartons(3), { createdAt });
    const b = await labelSheetPdf(cartons(3), { createdAt });
    expect(a.equals(b)).toBe(true);
  });

  it.each<[string, LabelInput[], object]>([
    ['no labels', [], {}],
    ['an empty lot number', [{ ...cartons(1)[0]!, lotNo: ' ' }], {}],
    ['an empty QR URL', [{ ...cartons(1)[0]!, qrUrl: '' }], {}],
    ['a weight that is not a number', [{ ...cartons(1)[0]!, weightKg: Number.NaN }], {}],
    ['a weight of zero', [{ ...cartons(1)[0]!, weightKg: 0 }], {}],
    ['a URL too long for a QR code', [{ ...cartons(1)[0]!, qrUrl: `${PUBLIC_URL}/${'x'.repeat(3000)}` }], {}],
    ['a skip past the first sheet', cartons(1), { skip: 24 }],
    [
      'labels too small for the layout',
      cartons(1),
      { stock: { ...A4_3X8, columns: 5, labelWidthMm: 38, labelHeightMm: 21.2 } },
    ],
  ])('rejects %s', async (_, labels, opts) => {
    await expect(labelSheetPdf(labels, opts)).rejects.toThrow(RangeError);
  });
});
