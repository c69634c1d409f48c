import PDFDocument from 'pdfkit';
import { cjkFont } from './cjk-font.ts';
import { fitText } from './fit-text.ts';
import type { LabelSlot, LabelStock } from './label-stock.ts';
import { A4_3X8, checkStock, labelSlot, labelsPerSheet, PT_PER_MM } from './label-stock.ts';
import type { QrErrorCorrection, QrRuns } from './qr.ts';
import { qrRuns } from './qr.ts';

/**
 * LabelInput is what one label shows. `qrUrl` is encoded in the QR code ({PUBLIC_URL}/t/{code}); `codeText` is the
 * trace code as people read it (XXXX-XXXX-XXX); `serial`, for a carton, is its serial number as printed (00042).
 */
export interface LabelInput {
  readonly qrUrl: string;
  readonly codeText: string;
  readonly productZh?: string | null;
  readonly productEn?: string | null;
  readonly lotNo: string;
  readonly weightKg: number;
  readonly serial?: string;
}

/** LabelSheetOptions tunes a sheet; every field is optional. */
export interface LabelSheetOptions {
  /** stock is the label paper, A4_3X8 by default. */
  readonly stock?: LabelStock;
  /** skip leaves that many positions of the first sheet blank, to reuse a sheet that was partly printed before. */
  readonly skip?: number;
  /** outlines draws a thin grey line round each label, for proofs and for cutting labels from plain paper. */
  readonly outlines?: boolean;
  /** errorCorrection is the QR codes' level, M by default. */
  readonly errorCorrection?: QrErrorCorrection;
  /** title is the document's title in its metadata. */
  readonly title?: string;
  /** createdAt is the document's creation date in its metadata; PDFKit uses the current time without it. */
  readonly createdAt?: Date;
}

const REGULAR = 'cjk';
const BOLD = 'cjk-bold';
// The QR square nearly fills the label's height: its quiet zone of four modules already keeps the dark modules clear
// of the die cut, so only a small inset is added. Text keeps a wider padding from the other edges.
const QR_INSET_MM = 1.5;
const PAD_MM = 3;
const GREY = '#444444';
const FIELD_HEIGHT = 11;
// The layout sets up to nine lines beside a QR square as tall as the label: below 30 mm of height the lines collide,
// and with less than 25 mm between the label's width and its height the text column is too narrow to read.
const MIN_HEIGHT_MM = 30;
const MIN_TEXT_MM = 25;

/**
 * labelSheetPdf renders `labels` onto sheets of label stock and resolves to the PDF: one page per sheet, in order,
 * filling each sheet row by row after `opts.skip` blank positions. Each label has its QR code as vector rectangles
 * (sharp at any printer resolution), the product name in Chinese and English, the lot number, the net weight in kg
 * with two decimals, the carton serial when given, and the code text. Text is set in Noto Sans CJK SC, of which the
 * PDF embeds only the glyphs used; names too long for the label shrink, then wrap, then end with an ellipsis. It
 * rejects with a RangeError, naming the label, when there are no labels, a required text is empty, a weight is not a
 * positive number, or a URL is too long for a QR code; and when the stock does not fit its sheet, or its labels are
 * under 30 mm tall or less than 25 mm wider than tall, too small for this layout.
 */
export async function labelSheetPdf(labels: readonly LabelInput[], opts: LabelSheetOptions = {}): Promise<Buffer> {
  const stock = opts.stock ?? A4_3X8;
  checkStock(stock);
  if (stock.labelHeightMm < MIN_HEIGHT_MM || stock.labelWidthMm - stock.labelHeightMm < MIN_TEXT_MM) {
    const need = `≥ ${MIN_HEIGHT_MM} mm tall and ${MIN_TEXT_MM} mm wider than tall`;
    throw new RangeError(`labelSheetPdf: ${stock.name}: labels must be ${need}`);
  }
  const skip = opts.skip ?? 0;
  if (!Number.isInteger(skip) || skip < 0 || skip >= labelsPerSheet(stock)) {
    throw new RangeError(`labelSheetPdf: skip must be a whole number from 0 to ${labelsPerSheet(stock) - 1}`);
  }
  if (labels.length === 0) throw new RangeError('labelSheetPdf: no labels');
  const errorCorrection = opts.errorCorrection ?? 'M';
  const symbols = labels.map((label, i) => checkLabel(label, i, errorCorrection));

  const doc = new PDFDocument({
    autoFirstPage: false,
    margin: 0,
    info: {
      Title: opts.title ?? 'coldtrace labels',
      Creator: 'coldtrace',
      ...(opts.createdAt ? { CreationDate: opts.createdAt } : {}),
    },
  });
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  // PDFKit takes a parsed fontkit font as well as bytes (PDFFontFactory.open); its type declarations lag behind.
  doc.registerFont(REGULAR, cjkFont('regular') as unknown as Buffer);
  doc.registerFont(BOLD, cjkFont('bold') as unknown as Buffer);

  let page = -1;
  labels.forEach((label, i) => {
    const slot = labelSlot(stock, skip + i);
    for (; page < slot.page; page++) doc.addPage({ size: [stock.sheet.width, stock.sheet.height], margin: 0 });
    drawLabel(doc, label, symbols[i]!, slot);
    if (opts.outlines) doc.rect(slot.x, slot.y, slot.width, slot.height).lineWidth(0.25).stroke('#bbbbbb');
  });
  doc.end();
  return done;
}

/** checkLabel throws a RangeError naming the first bad field of labels[i], or returns its QR code. */
function checkLabel(label: LabelInput, i: number, errorCorrection: QrErrorCorrection): QrRuns {
  const where = `labelSheetPdf: labels[${i}]`;
  for (const key of ['qrUrl', 'codeText', 'lotNo'] as const) {
    if (typeof label[key] !== 'string' || label[key].trim() === '') throw new RangeError(`${where}.${key} is empty`);
  }
  if (!Number.isFinite(label.weightKg) || label.weightKg <= 0) {
    throw new RangeError(`${where}.weightKg must be a positive number of kilograms`);
  }
  try {
    return qrRuns(label.qrUrl, { errorCorrection });
  } catch (cause) {
    throw new RangeError(`${where}.qrUrl is too long for a QR code`, { cause });
  }
}

/** drawLabel draws one label in `slot`: the QR square on the left, the text in a column on its right. */
function drawLabel(doc: PDFKit.PDFDocument, label: LabelInput, qr: QrRuns, slot: LabelSlot) {
  const inset = QR_INSET_MM * PT_PER_MM;
  const pad = PAD_MM * PT_PER_MM;
  const side = slot.height - 2 * inset;
  drawQr(doc, qr, slot.x + inset, slot.y + inset, side);

  const x = slot.x + inset + side;
  const width = slot.x + slot.width - pad - x;
  const bottom = slot.y + slot.height - pad;
  let y = slot.y + pad;
  const lines = (text: string | null | undefined, font: string, size: number, minSize: number, maxLines: number) => {
    doc.font(font);
    const measure = (s: string, at: number) => doc.fontSize(at).widthOfString(s);
    const fitted = fitText(text ?? '', { measure, width, size, minSize, maxLines });
    doc.fontSize(fitted.size);
    for (const line of fitted.lines) {
      doc.text(line, x, y, { lineBreak: false });
      y += fitted.size * 1.2;
    }
  };
  doc.fillColor('black');
  lines(label.productZh, BOLD, 10, 7, 2);
  doc.fillColor(GREY);
  lines(label.productEn, REGULAR, 7, 5.5, 2);
  y += 2;
  y += field(doc, '批号 Lot', label.lotNo, x, y, width);
  y += field(doc, '净重 Net', `${label.weightKg.toFixed(2)} kg`, x, y, width);
  if (label.serial !== undefined && label.serial !== '') field(doc, '箱号 Carton', label.serial, x, y, width);

  // The code is set last, along the bottom, where a person reading it off a carton finds it in the same place always.
  doc.fillColor('black');
  y = bottom - 11;
  lines(label.codeText, BOLD, 11, 7, 1);
}

/**
 * field sets a small grey caption and, after it, its value in bold, shrunk to fit the rest of the line and wrapped
 * onto a second line when even the smallest size is too wide: a lot number is never cut short if two lines hold it.
 * It returns the height it used.
 */
function field(doc: PDFKit.PDFDocument, caption: string, value: string, x: number, y: number, width: number): number {
  doc.font(REGULAR).fontSize(6).fillColor(GREY);
  const captionWidth = doc.widthOfString(caption) + 3;
  doc.text(caption, x, y + 1.6, { lineBreak: false });
  doc.font(BOLD);
  const measure = (s: string, at: number) => doc.fontSize(at).widthOfString(s);
  const fitted = fitText(value, { measure, width: width - captionWidth, size: 8, minSize: 5.5, maxLines: 2 });
  doc.fontSize(fitted.size).fillColor('black');
  // Shrunk text drops so that its baseline stays on the caption's, to keep the column of captions tidy.
  let lineY = y + (fitted.lines.length === 1 ? (8 - fitted.size) * 0.8 : 0);
  for (const line of fitted.lines) {
    doc.text(line, x + captionWidth, lineY, { lineBreak: false });
    lineY += fitted.size * 1.15;
  }
  return fitted.lines.length === 1 ? FIELD_HEIGHT : lineY - y + 1;
}

/** drawQr fills `qr` as one path of rectangles, one per run of dark modules, in a square of `side` at (x, y). */
function drawQr(doc: PDFKit.PDFDocument, qr: QrRuns, x: number, y: number, side: number) {
  doc.save();
  // Module units keep every coordinate a small integer, so the content stream stays short, and writing the path as
  // one string spares PDFKit a few hundred rect() calls per label.
  doc.translate(x, y).scale(side / qr.size);
  doc.addContent(qr.runs.map((r) => `${r.x} ${r.y} ${r.length} 1 re`).join('\n'));
  doc.fill('black');
  doc.restore();
}
