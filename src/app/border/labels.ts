import type { Actor } from '../../domain/access.ts';
import { cartonSerial, formatTraceCode } from '../../domain/trace-code.ts';
import type { LabelInput } from '../../labels/label-sheet.ts';
import { labelSheetPdf } from '../../labels/label-sheet.ts';
import { qrPng, qrSvg } from '../../labels/qr.ts';
import { lotCartonRanges } from '../../store/border.ts';
import { AppError, invalid } from '../errors.ts';
import type { Deps } from '../deps.ts';
import { visibleLot } from './lots.ts';

/** MAX_LABELS bounds one PDF: 100,000 cartons would be 4,167 pages. */
const MAX_LABELS = 20_000;

/**
 * lotLabelsPdf renders a lot's labels as an A4 sheet: one label per carton code when cartons have
 * codes (each with its serial and the carton's share of the weight), else `copies` lot labels.
 */
export async function lotLabelsPdf(
  deps: Deps,
  actor: Actor,
  lotId: string,
  copies: number | undefined,
): Promise<Buffer> {
  const lot = await visibleLot(deps.db, actor, lotId);
  const base = {
    productZh: lot.productNameZh,
    productEn: lot.productNameEn,
    lotNo: lot.batchNo,
  };
  const ranges = await lotCartonRanges(deps.db, lot.id);
  let labels: LabelInput[];
  if (ranges.length > 0 && copies === undefined) {
    const perCarton = lot.netGrams / lot.cartons / 1000;
    labels = [];
    for (const r of ranges) {
      for (let s = r.firstSerial; s <= r.lastSerial; s++) {
        const code = cartonSerial(lot.code, s);
        labels.push({
          ...base,
          qrUrl: `${deps.config.publicUrl}/t/${code}`,
          codeText: formatTraceCode(lot.code),
          serial: String(s).padStart(5, '0'),
          weightKg: perCarton,
        });
      }
    }
  } else {
    const n = copies ?? 24;
    labels = Array.from({ length: n }, () => ({
      ...base,
      qrUrl: `${deps.config.publicUrl}/t/${lot.code}`,
      codeText: formatTraceCode(lot.code),
      weightKg: lot.netGrams / 1000,
    }));
  }
  if (labels.length > MAX_LABELS) {
    throw new AppError('PayloadTooLarge', { field: 'copies', reason: `at most ${MAX_LABELS} labels per PDF` });
  }
  return labelSheetPdf(labels, {
    title: `${lot.productNameZh ?? lot.productNameEn ?? ''} ${formatTraceCode(lot.code)}`,
  });
}

/**
 * lotQr renders the QR code of a lot, or of one of its cartons when serial is given (which must have
 * been issued), as SVG or PNG. The code holds {PUBLIC_URL}/t/{code}.
 */
export async function lotQr(deps: Deps, actor: Actor, lotId: string, format: 'svg' | 'png', serial?: number) {
  const lot = await visibleLot(deps.db, actor, lotId);
  let code = lot.code;
  if (serial !== undefined) {
    const ranges = await lotCartonRanges(deps.db, lot.id);
    if (!ranges.some((r) => serial >= r.firstSerial && serial <= r.lastSerial)) {
      throw invalid('serial', `carton ${serial} of this lot has no code yet`);
    }
    code = cartonSerial(lot.code, serial);
  }
  const url = `${deps.config.publicUrl}/t/${code}`;
  return format === 'svg' ? { body: qrSvg(url), type: 'image/svg+xml' } : { body: await qrPng(url), type: 'image/png' };
}
