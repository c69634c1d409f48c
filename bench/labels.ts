import { toString } from 'qrcode';
import type { LabelInput } from '../src/labels/label-sheet.ts';
import { labelSheetPdf } from '../src/labels/label-sheet.ts';

// The labels bench: how long a sheet of carton labels takes, against the floor of making the same QR codes at all.
// It needs no database, so it ignores the runner's database options.

/**
 * LabelFigure is one result, in the shape of bench/measure.ts's Figure: value measured on the code under test,
 * baseline measured in the same run, ratio = value / baseline. Both are milliseconds here, so lower is better.
 */
export interface LabelFigure {
  readonly name: string;
  readonly value: number;
  readonly unit: string;
  readonly baseline: number;
  readonly ratio: number;
}

/** LabelBenchOptions is the part of the runner's BenchOptions the labels bench uses. */
export interface LabelBenchOptions {
  /** quick times one round instead of five, as a smoke check. */
  readonly quick: boolean;
  /** say prints one progress line. */
  say?(line: string): void;
}

const CARTONS = 1000;
const PUBLIC_URL = 'https://ct.henan.example';
// A lot code of the trace-code alphabet; the bench renders codes and never checks them.
const LOT_CODE = 'ABCD2345EFG';

/** cartonLabels returns the labels of one lot of `n` cartons: one QR URL and serial each, as a carton run prints. */
export function cartonLabels(n: number): LabelInput[] {
  const codeText = `${LOT_CODE.slice(0, 4)}-${LOT_CODE.slice(4, 8)}-${LOT_CODE.slice(8)}`;
  return Array.from({ length: n }, (_, i) => {
    const serial = String(i + 1).padStart(5, '0');
    return {
      qrUrl: `${PUBLIC_URL}/t/${LOT_CODE}-${serial}`,
      codeText,
      productZh: '冷冻去骨猪肉',
      productEn: 'Frozen boneless pork',
      lotNo: '2024-0815-01',
      weightKg: 20,
      serial,
    };
  });
}

async function svgFloor(labels: readonly LabelInput[]): Promise<void> {
  for (const label of labels) await toString(label.qrUrl, { type: 'svg', errorCorrectionLevel: 'M', margin: 4 });
}

async function time(run: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await run();
  return performance.now() - started;
}

function median(xs: readonly number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function round3(n: number): number {
  return Number(n.toPrecision(3));
}

/**
 * labelBench measures `labels.pdf1000`: the milliseconds labelSheetPdf takes to render the labels of 1,000 cartons
 * (42 A4 sheets) into one PDF. Its baseline is the milliseconds qrcode takes to render the same 1,000 URLs as SVG
 * strings, the least any label sheet must spend on its QR codes. Both run once to warm up (loading the font, compiling
 * the hot paths), then alternate for five rounds (one when quick); each figure is the median of its rounds, so load
 * from other processes falls on both sides alike.
 */
export async function labelBench(opts: LabelBenchOptions): Promise<LabelFigure[]> {
  const say = opts.say ?? (() => {});
  const labels = cartonLabels(CARTONS);
  await labelSheetPdf(labels.slice(0, 48));
  await svgFloor(labels.slice(0, 48));

  const rounds = opts.quick ? 1 : 5;
  const pdfMs: number[] = [];
  const svgMs: number[] = [];
  let bytes = 0;
  for (let round = 0; round < rounds; round++) {
    svgMs.push(await time(() => svgFloor(labels)));
    pdfMs.push(
      await time(async () => {
        bytes = (await labelSheetPdf(labels)).length;
      }),
    );
    say(`labels round ${round + 1}/${rounds}: pdf ${pdfMs.at(-1)!.toFixed(0)} ms, svg ${svgMs.at(-1)!.toFixed(0)} ms`);
  }
  say(`labels: ${CARTONS} labels make ${(bytes / 1024).toFixed(0)} KiB of PDF`);
  const value = median(pdfMs);
  const baseline = median(svgMs);
  const ratio = Number((value / baseline).toFixed(3));
  return [{ name: 'labels.pdf1000', value: round3(value), unit: 'ms', baseline: round3(baseline), ratio }];
}
