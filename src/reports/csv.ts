/**
 * CSV for spreadsheets (RFC 4180): comma-separated, CRLF line ends, a field quoted when it holds a comma, a quote or a
 * line break, and the whole file UTF-8 with a byte-order mark, without which Excel reads Chinese as mojibake. Pure.
 */

/** Cell is one spreadsheet cell: text, a number, or empty. */
export type Cell = string | number | null;

const BOM = '\uFEFF';

/**
 * csvField encodes one cell. A text cell that a spreadsheet would run as a formula (it starts with =, +, -, @, a tab
 * or a carriage return) gets a leading apostrophe, so a name typed as "=HYPERLINK(…)" stays text (OWASP's advice on
 * CSV injection); numbers are written as ECMAScript writes them.
 */
export function csvField(cell: Cell): string {
  if (cell === null) return '';
  let text = typeof cell === 'number' ? String(cell) : cell;
  if (typeof cell === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** csvFile encodes rows (the first usually the header) as a UTF-8 CSV file with a BOM and CRLF line ends. */
export function csvFile(rows: readonly (readonly Cell[])[]): Buffer {
  return Buffer.from(BOM + rows.map((r) => r.map(csvField).join(',')).join('\r\n') + '\r\n', 'utf8');
}

/**
 * parseCsv reads CSV text (RFC 4180, with or without a BOM, CRLF or LF) back into rows of strings: the inverse of
 * csvFile for everything but the apostrophe it puts before formula-like text. It throws a SyntaxError naming the line
 * of an unterminated quoted field.
 */
export function parseCsv(text: string): string[][] {
  const src = text.startsWith(BOM) ? text.slice(1) : text;
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let line = 1;
  let quoteLine = 0;
  for (let i = 0; i < src.length; i++) {
    const ch = src[i]!;
    if (quoted) {
      if (ch === '"' && src[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else {
        if (ch === '\n') line++;
        field += ch;
      }
    } else if (ch === '"' && field === '') {
      quoted = true;
      quoteLine = line;
    } else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && src[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      line++;
    } else field += ch;
  }
  if (quoted) throw new SyntaxError(`parseCsv: the quoted field opened on line ${quoteLine} is not closed`);
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}
