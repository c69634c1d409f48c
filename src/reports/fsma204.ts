/**
 * The FDA's FSMA 204 electronic sortable spreadsheet (21 CFR 1.1455(c)): one tab per critical tracking event (CTE)
 * with the key data elements as the FDA's template names its columns. Pure: the caller turns our records into
 * FsmaEvents (descriptions already written out), and this module lays them out.
 *
 * coldtrace records three of the CTEs of Subpart S: Receiving (1.1345, which is also how an imported lot enters: the
 * importer receives it from the overseas establishment at the port of entry; First Land-Based Receiving, 1.1335, is
 * for food landed from a fishing vessel, which container imports are not), Shipping (1.1340) and Transformation
 * (1.1350). Harvesting, cooling and initial packing happen abroad, before our records start.
 */
import type { Cell } from './csv.ts';
import { csvFile } from './csv.ts';

/** FSMA_CTES are the tabs, in the order of the FDA template. */
export const FSMA_CTES = ['Receiving', 'Shipping', 'Transformation'] as const;
export type FsmaCte = (typeof FSMA_CTES)[number];

/** FSMA_COLUMNS are each tab's columns, in order, with the FDA template's field names. */
export const FSMA_COLUMNS: Readonly<Record<FsmaCte, readonly string[]>> = {
  Receiving: [
    'Traceability Lot Code',
    'Quantity',
    'Unit of Measure',
    'Product Description (product name, brand, commodity, variety, packaging size, packaging style)',
    'Immediate previous source location description',
    'Location where received (location description)',
    'Date of receipt',
    'TLC source location description OR TLC source reference',
    'Reference document type',
    'Reference document number',
  ],
  Shipping: [
    'Traceability Lot Code',
    'Quantity / Unit of Measure',
    'Product Description',
    'Immediate subsequent recipient location description',
    'Location shipped from',
    'Ship date',
    'TLC source location OR TLC source reference',
    'Reference document type / number',
  ],
  Transformation: [
    'Incoming FTL food TLC (one row per input lot)',
    'Incoming product description; quantity+UoM used',
    'New Traceability Lot Code',
    'Location where transformed (= TLC source) / TLC source reference',
    'Date transformation completed',
    'Product description / quantity+UoM of food produced',
    'Reference document type / number',
  ],
};

/** FsmaLot is a lot as the spreadsheet names it: its traceability lot code, description and TLC source. */
export interface FsmaLot {
  readonly tlc: string;
  readonly description: string;
  readonly tlcSource: string;
}

export interface FsmaQuantity {
  readonly kg: number;
  readonly cartons: number;
}

/** FsmaEvent is one critical tracking event, its places already written out as location descriptions. */
export type FsmaEvent =
  | {
      readonly cte: 'Receiving';
      readonly lot: FsmaLot;
      readonly quantity: FsmaQuantity;
      readonly date: string;
      readonly previousSource: string;
      readonly receivedAt: string;
      readonly refType: string;
      readonly refNo: string;
    }
  | {
      readonly cte: 'Shipping';
      readonly lot: FsmaLot;
      readonly quantity: FsmaQuantity;
      readonly date: string;
      readonly recipient: string;
      readonly shippedFrom: string;
      readonly refType: string;
      readonly refNo: string;
    }
  | {
      readonly cte: 'Transformation';
      readonly date: string;
      readonly location: string;
      readonly inputs: readonly { readonly lot: FsmaLot; readonly quantity: FsmaQuantity }[];
      readonly outputs: readonly { readonly lot: FsmaLot; readonly quantity: FsmaQuantity }[];
      readonly refType: string;
      readonly refNo: string;
    };

/** FsmaSheets are the tabs' data rows (without the header), each row in the order of FSMA_COLUMNS. */
export type FsmaSheets = Readonly<Record<FsmaCte, readonly (readonly Cell[])[]>>;

/**
 * tlcOf is a lot's traceability lot code: our trace code, which is printed on the goods and names the lot everywhere,
 * followed by the GS1 element string of the GTIN and batch when the lot has a GTIN, e.g.
 * "ABCD-EFGH-JKM (01)07791234567898(10)L240815".
 */
export function tlcOf(code: string, gtin: string | null, batchNo: string | null): string {
  return gtin ? `${code} (01)${gtin}(10)${batchNo ?? ''}` : code;
}

/** quantityText writes a quantity as "400 kg (20 cartons)". */
export function quantityText(q: FsmaQuantity): string {
  return `${q.kg} kg (${q.cartons} cartons)`;
}

const sortRows = (rows: Cell[][], date: number, tlc: number) =>
  rows.sort((a, b) => String(a[date]).localeCompare(String(b[date])) || String(a[tlc]).localeCompare(String(b[tlc])));

/**
 * fsmaSheets lays events out in their tabs: one row per receipt and per shipment, and for a transformation one row per
 * input lot and output lot (the FDA asks for one row per input lot; a transformation with several outputs repeats
 * each input for each output). Rows are sorted by date, then traceability lot code.
 */
export function fsmaSheets(events: readonly FsmaEvent[]): FsmaSheets {
  const receiving: Cell[][] = [];
  const shipping: Cell[][] = [];
  const transformation: Cell[][] = [];
  for (const e of events) {
    switch (e.cte) {
      case 'Receiving':
        receiving.push([
          e.lot.tlc,
          e.quantity.kg,
          `kg (${e.quantity.cartons} cartons)`,
          e.lot.description,
          e.previousSource,
          e.receivedAt,
          e.date,
          e.lot.tlcSource,
          e.refType,
          e.refNo,
        ]);
        break;
      case 'Shipping':
        shipping.push([
          e.lot.tlc,
          quantityText(e.quantity),
          e.lot.description,
          e.recipient,
          e.shippedFrom,
          e.date,
          e.lot.tlcSource,
          `${e.refType} / ${e.refNo}`,
        ]);
        break;
      case 'Transformation':
        for (const out of e.outputs) {
          for (const input of e.inputs) {
            transformation.push([
              input.lot.tlc,
              `${input.lot.description}; ${quantityText(input.quantity)}`,
              out.lot.tlc,
              e.location,
              e.date,
              `${out.lot.description}; ${quantityText(out.quantity)}`,
              `${e.refType} / ${e.refNo}`,
            ]);
          }
        }
        break;
    }
  }
  return {
    Receiving: sortRows(receiving, 6, 0),
    Shipping: sortRows(shipping, 5, 0),
    Transformation: sortRows(transformation, 4, 2),
  };
}

/** FSMA_CSV_COLUMNS are the columns of the one-file CSV: "CTE", then every tab's columns, each name once. */
export const FSMA_CSV_COLUMNS: readonly string[] = ['CTE', ...new Set(FSMA_CTES.flatMap((c) => FSMA_COLUMNS[c]))];

/**
 * fsmaCsv writes the spreadsheet as one CSV file. With `cte`, it is that tab alone, with exactly its columns. Without,
 * every tab's rows are in one sheet: a leading CTE column, then the union of the tabs' columns (a column two tabs share,
 * such as "Traceability Lot Code", appears once), each row filling the columns of its own tab.
 */
export function fsmaCsv(sheets: FsmaSheets, cte?: FsmaCte): Buffer {
  if (cte) return csvFile([FSMA_COLUMNS[cte], ...sheets[cte]]);
  const rows: Cell[][] = [[...FSMA_CSV_COLUMNS]];
  for (const tab of FSMA_CTES) {
    const at = FSMA_COLUMNS[tab].map((c) => FSMA_CSV_COLUMNS.indexOf(c));
    for (const r of sheets[tab]) {
      const row: Cell[] = FSMA_CSV_COLUMNS.map(() => null);
      row[0] = tab;
      r.forEach((v, i) => (row[at[i]!] = v));
      rows.push(row);
    }
  }
  return csvFile(rows);
}
