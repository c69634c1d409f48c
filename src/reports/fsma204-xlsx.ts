import ExcelJS from 'exceljs';
import type { FsmaSheets } from './fsma204.ts';
import { FSMA_COLUMNS, FSMA_CTES } from './fsma204.ts';

// Column widths in characters: wide enough for a location description to be read without widening by hand.
const WIDTH_MIN = 14;
const WIDTH_MAX = 60;

/**
 * fsmaXlsx writes the sortable spreadsheet as an XLSX workbook with exceljs: one worksheet per CTE, named after it, in
 * FSMA_CTES order, each with its header row in bold and frozen, an autofilter over the header, and columns sized to
 * their text. Quantities in kg are numbers, so they sort as numbers; everything else is text. `createdAt` fixes the
 * workbook's creation time, so two exports of the same facts are alike.
 */
export async function fsmaXlsx(sheets: FsmaSheets, createdAt: Date): Promise<Buffer> {
  const book = new ExcelJS.Workbook();
  book.creator = 'coldtrace';
  book.created = createdAt;
  book.modified = createdAt;
  for (const cte of FSMA_CTES) {
    const columns = FSMA_COLUMNS[cte];
    const ws = book.addWorksheet(cte, { views: [{ state: 'frozen', ySplit: 1 }] });
    ws.addRow([...columns]).font = { bold: true };
    for (const row of sheets[cte]) ws.addRow([...row]);
    ws.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1, column: columns.length } };
    columns.forEach((name, i) => {
      const longest = Math.max(Math.min(name.length, 40), ...sheets[cte].map((r) => String(r[i] ?? '').length));
      ws.getColumn(i + 1).width = Math.max(WIDTH_MIN, Math.min(WIDTH_MAX, longest + 2));
    });
  }
  return Buffer.from(await book.xlsx.writeBuffer());
}
