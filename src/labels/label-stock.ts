/** PT_PER_MM converts millimetres to PDF points (1/72 inch). */
export const PT_PER_MM = 72 / 25.4;

/** A4 is the ISO 216 A4 sheet in points, as PDF MediaBoxes state it: 595.28 × 841.89. */
export const A4 = { width: 210 * PT_PER_MM, height: 297 * PT_PER_MM } as const;

/**
 * LabelStock describes a sheet of die-cut labels: the sheet size in points and a grid of equal labels, in millimetres,
 * laid out from the top-left corner. `gapXMm` and `gapYMm` are the spaces between neighbouring labels.
 */
export interface LabelStock {
  readonly name: string;
  readonly sheet: { readonly width: number; readonly height: number };
  readonly columns: number;
  readonly rows: number;
  readonly labelWidthMm: number;
  readonly labelHeightMm: number;
  readonly marginTopMm: number;
  readonly marginLeftMm: number;
  readonly gapXMm: number;
  readonly gapYMm: number;
}

/**
 * A4_3X8 is the common A4 stock of 24 labels of 70 × 37 mm (3 across, 8 down), which fills the width of the sheet and
 * leaves half a millimetre above and below.
 */
export const A4_3X8: LabelStock = {
  name: 'A4 3×8, 70×37 mm',
  sheet: A4,
  columns: 3,
  rows: 8,
  labelWidthMm: 70,
  labelHeightMm: 37,
  marginTopMm: 0.5,
  marginLeftMm: 0,
  gapXMm: 0,
  gapYMm: 0,
};

/** LabelSlot is where one label sits on its page, in points from the page's top-left corner. */
export interface LabelSlot {
  readonly page: number;
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

/** labelsPerSheet returns how many labels one sheet of `stock` holds. */
export function labelsPerSheet(stock: LabelStock): number {
  return stock.columns * stock.rows;
}

/**
 * labelSlot returns the slot of the `index`th label position (from 0) across as many sheets as needed, filling each
 * sheet row by row, left to right, as people read. It throws a RangeError when the grid does not fit on the sheet or
 * index is not a whole number ≥ 0.
 */
export function labelSlot(stock: LabelStock, index: number): LabelSlot {
  checkStock(stock);
  if (!Number.isInteger(index) || index < 0) throw new RangeError('labelSlot: index must be a whole number ≥ 0');
  const perSheet = labelsPerSheet(stock);
  const onSheet = index % perSheet;
  const col = onSheet % stock.columns;
  const row = Math.floor(onSheet / stock.columns);
  return {
    page: Math.floor(index / perSheet),
    x: (stock.marginLeftMm + col * (stock.labelWidthMm + stock.gapXMm)) * PT_PER_MM,
    y: (stock.marginTopMm + row * (stock.labelHeightMm + stock.gapYMm)) * PT_PER_MM,
    width: stock.labelWidthMm * PT_PER_MM,
    height: stock.labelHeightMm * PT_PER_MM,
  };
}

/** checkStock throws a RangeError unless `stock` has at least one label and its grid fits on its sheet. */
export function checkStock(stock: LabelStock): void {
  if (!Number.isInteger(stock.columns) || !Number.isInteger(stock.rows) || stock.columns < 1 || stock.rows < 1) {
    throw new RangeError(`${stock.name}: columns and rows must be whole numbers ≥ 1`);
  }
  const sizes = [
    stock.labelWidthMm,
    stock.labelHeightMm,
    stock.marginTopMm,
    stock.marginLeftMm,
    stock.gapXMm,
    stock.gapYMm,
  ];
  if (sizes.some((v) => !Number.isFinite(v) || v < 0) || stock.labelWidthMm <= 0 || stock.labelHeightMm <= 0) {
    throw new RangeError(`${stock.name}: label sizes must be positive and margins and gaps ≥ 0`);
  }
  const widthMm = stock.marginLeftMm + stock.columns * stock.labelWidthMm + (stock.columns - 1) * stock.gapXMm;
  const heightMm = stock.marginTopMm + stock.rows * stock.labelHeightMm + (stock.rows - 1) * stock.gapYMm;
  // A hundredth of a millimetre of slack absorbs rounding in stock that exactly fills the sheet, as A4_3X8 does across.
  if (widthMm * PT_PER_MM > stock.sheet.width + 0.03 || heightMm * PT_PER_MM > stock.sheet.height + 0.03) {
    throw new RangeError(`${stock.name}: the labels do not fit on the sheet`);
  }
}
