/**
 * Temperature rules: when readings from a vehicle, location or lot amount to a breach, and how a data logger's CSV
 * becomes readings. Pure: the caller stores the raw points and runs detectBreaches over them.
 *
 * How gaps are treated. A reading tells the temperature at its instant and nothing more; between two readings no
 * further apart than the rule's maxGapMs the series is taken as continuous, and a longer interval is a gap, where
 * nothing is assumed: it counts neither as in range nor as out of range. An excursion never spans a gap. Instead,
 * every gap is reported, and a gap next to a reading above the threshold is marked `suspect`, so that a reviewer sees
 * that the goods may have been warm for longer than the data can show.
 */
import type { Check } from './check.ts';
import type { Breach } from './lot-status.ts';
import { fail, ok } from './check.ts';

export const TEMP_CLASSES = ['frozen', 'chilled', 'ambient'] as const;
export type TempClass = (typeof TEMP_CLASSES)[number];

/** One reading: an instant (epoch ms) and the temperature in °C. */
export type Reading = { readonly at: number; readonly celsius: number };

/**
 * A breach rule, set per product class: goods are out of range while warmer than `maxCelsius` (−18.0 °C itself is in
 * range), and an excursion is a breach when it lasts `minDurationMs` or more. Readings further apart than `maxGapMs`
 * leave a gap in the data.
 */
export type TemperatureRule = {
  readonly maxCelsius: number;
  readonly minDurationMs: number;
  readonly maxGapMs: number;
};

const MINUTE_MS = 60_000;

/**
 * The default rule of each class: frozen goods must stay at or below −18 °C, chilled goods at or below 4 °C, each
 * allowing excursions shorter than 30 minutes (doors open during loading), with readings at most an hour apart.
 * Ambient goods have no temperature rule.
 */
export const DEFAULT_TEMPERATURE_RULES: Readonly<Record<TempClass, TemperatureRule | null>> = Object.freeze({
  frozen: Object.freeze({ maxCelsius: -18, minDurationMs: 30 * MINUTE_MS, maxGapMs: 60 * MINUTE_MS }),
  chilled: Object.freeze({ maxCelsius: 4, minDurationMs: 30 * MINUTE_MS, maxGapMs: 60 * MINUTE_MS }),
  ambient: null,
});

/**
 * A breach: from the first reading above the threshold to the first reading back in range, or, when the data stops
 * or a gap begins first (`endReason` 'end_of_data' or 'gap'), to the last reading above it. It keeps the coldest and
 * warmest reading in it and the rule in force when it was detected.
 */
export type TemperatureBreach = {
  readonly startAt: number;
  readonly endAt: number;
  readonly minCelsius: number;
  readonly maxCelsius: number;
  readonly endReason: 'back_in_range' | 'gap' | 'end_of_data';
  readonly rule: TemperatureRule;
};

/** An interval longer than the rule's maxGapMs without readings, between the readings at `from` and `to`. */
export type DataGap = {
  readonly from: number;
  readonly to: number;
  /** Whether the reading on either side was above the threshold. */
  readonly suspect: boolean;
};

export type BreachReport = { readonly breaches: readonly TemperatureBreach[]; readonly gaps: readonly DataGap[] };

/**
 * normalizeReadings sorts readings by time and keeps one per instant: when several share an instant, the warmest,
 * which is the reading that protects consumers. It throws a RangeError for a reading whose time or temperature is
 * not a finite number, since such a value is a parsing error upstream, not a measurement.
 */
export function normalizeReadings(readings: readonly Reading[]): Reading[] {
  for (const r of readings) {
    if (!Number.isFinite(r.at) || !Number.isFinite(r.celsius)) {
      throw new RangeError(`normalizeReadings: reading ${JSON.stringify(r)} is not finite`);
    }
  }
  const sorted = [...readings].sort((a, b) => a.at - b.at || b.celsius - a.celsius);
  return sorted.filter((r, i) => i === 0 || (sorted[i - 1] as Reading).at !== r.at);
}

/**
 * detectBreaches finds every breach of `rule` in `readings`, which may come in any order and with duplicates (see
 * normalizeReadings), and every gap in them (see the module comment). An excursion starts at the first reading above
 * rule.maxCelsius and is a breach when endAt − startAt ≥ rule.minDurationMs; with minDurationMs 0, one warm reading
 * is a breach. Breaches and gaps are in time order.
 */
export function detectBreaches(readings: readonly Reading[], rule: TemperatureRule): BreachReport {
  const rs = normalizeReadings(readings);
  const breaches: TemperatureBreach[] = [];
  const gaps: DataGap[] = [];
  const warm = (r: Reading): boolean => r.celsius > rule.maxCelsius;
  let run: Reading[] = [];

  const close = (endAt: number, endReason: TemperatureBreach['endReason']): void => {
    const first = run[0];
    if (first !== undefined && endAt - first.at >= rule.minDurationMs) {
      // A loop, not Math.min(...): a day of one-second readings would overflow the argument list.
      let [lo, hi] = [first.celsius, first.celsius];
      for (const r of run) [lo, hi] = [Math.min(lo, r.celsius), Math.max(hi, r.celsius)];
      breaches.push({ startAt: first.at, endAt, minCelsius: lo, maxCelsius: hi, endReason, rule });
    }
    run = [];
  };

  for (const [i, r] of rs.entries()) {
    const prev = rs[i - 1];
    if (prev !== undefined && r.at - prev.at > rule.maxGapMs) {
      gaps.push({ from: prev.at, to: r.at, suspect: warm(prev) || warm(r) });
      if (run.length > 0) close(prev.at, 'gap');
    }
    if (warm(r)) run.push(r);
    else if (run.length > 0) close(r.at, 'back_in_range');
  }
  const last = rs[rs.length - 1];
  if (last !== undefined && run.length > 0) close(last.at, 'end_of_data');
  return { breaches, gaps };
}

const MAX_RULE_MS = 7 * 24 * 60 * MINUTE_MS;

/**
 * validateTemperatureRule accepts untrusted input shaped as a TemperatureRule: maxCelsius a number from −80 to 60,
 * minDurationMs an integer from 0 to 7 days, maxGapMs an integer from 1 minute to 7 days; no other key. It returns a
 * fresh frozen rule, and the reason names the offending key.
 */
export function validateTemperatureRule(input: unknown): Check<TemperatureRule> {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return fail('must be an object');
  const o = input as Record<string, unknown>;
  for (const k of Object.keys(o)) {
    if (!['maxCelsius', 'minDurationMs', 'maxGapMs'].includes(k)) return fail(`unknown key '${k}'`);
  }
  const { maxCelsius, minDurationMs, maxGapMs } = o;
  if (typeof maxCelsius !== 'number' || !(maxCelsius >= -80 && maxCelsius <= 60))
    return fail('maxCelsius must be a number from -80 to 60');
  if (
    typeof minDurationMs !== 'number' ||
    !Number.isInteger(minDurationMs) ||
    minDurationMs < 0 ||
    minDurationMs > MAX_RULE_MS
  ) {
    return fail('minDurationMs must be an integer from 0 to 604800000');
  }
  if (typeof maxGapMs !== 'number' || !Number.isInteger(maxGapMs) || maxGapMs < MINUTE_MS || maxGapMs > MAX_RULE_MS) {
    return fail('maxGapMs must be an integer from 60000 to 604800000');
  }
  return ok(Object.freeze({ maxCelsius, minDurationMs, maxGapMs }));
}

/** The most readings one upload may hold: a day of one-second readings, with room to spare. */
export const MAX_READINGS_PER_UPLOAD = 100_000;
/** The coldest and warmest temperature accepted as a measurement, in °C; anything beyond is a logger fault. */
export const CELSIUS_RANGE = Object.freeze({ min: -100, max: 100 });
/** How far ahead of the server's clock a reading may be, for loggers whose clocks run a little fast. */
export const MAX_CLOCK_SKEW_MS = 10 * MINUTE_MS;
const EARLIEST_READING = Date.UTC(2000, 0, 1);

/** What is wrong with one reading of a series: its 0-based index, the key ('at' or 'celsius') and why. */
export type SeriesProblem = { readonly index: number; readonly key: 'at' | 'celsius'; readonly reason: string };

/**
 * seriesProblem checks a batch of readings as they are to be stored, and returns the first problem, or null. A batch
 * holds 1 to MAX_READINGS_PER_UPLOAD readings, each time an integer epoch ms from 2000 to `now` + MAX_CLOCK_SKEW_MS,
 * each temperature a finite number within CELSIUS_RANGE, and the times strictly increasing: an unsorted file or a
 * duplicate instant is refused rather than silently reordered, since it usually means two files were joined or a
 * logger clock was reset, and the raw points are kept as they came.
 */
export function seriesProblem(readings: readonly Reading[], now: number): SeriesProblem | null {
  if (readings.length === 0) return { index: 0, key: 'at', reason: 'an upload needs at least one reading' };
  if (readings.length > MAX_READINGS_PER_UPLOAD) {
    return {
      index: MAX_READINGS_PER_UPLOAD,
      key: 'at',
      reason: `an upload holds at most ${MAX_READINGS_PER_UPLOAD} readings; split the file`,
    };
  }
  for (const [index, r] of readings.entries()) {
    if (!Number.isSafeInteger(r.at)) return { index, key: 'at', reason: 'is not a time' };
    if (r.at < EARLIEST_READING) return { index, key: 'at', reason: 'is before the year 2000; check the logger clock' };
    if (r.at > now + MAX_CLOCK_SKEW_MS) return { index, key: 'at', reason: 'is in the future; check the logger clock' };
    if (typeof r.celsius !== 'number' || !Number.isFinite(r.celsius))
      return { index, key: 'celsius', reason: 'is not a number' };
    if (r.celsius < CELSIUS_RANGE.min || r.celsius > CELSIUS_RANGE.max) {
      return { index, key: 'celsius', reason: `must be from ${CELSIUS_RANGE.min} to ${CELSIUS_RANGE.max} °C` };
    }
    const prev = readings[index - 1];
    if (prev !== undefined && r.at === prev.at)
      return { index, key: 'at', reason: 'repeats the time of the reading before it' };
    if (prev !== undefined && r.at < prev.at)
      return { index, key: 'at', reason: 'is earlier than the reading before it; readings must be in time order' };
  }
  return null;
}

/**
 * encodeReadings is the canonical encoding of a batch of readings, which its SHA-256 on the log commits to: one line
 * per reading, in the given order, `<epoch ms>,<°C>\n`, the temperature written as ECMAScript writes a number (the
 * shortest text that reads back as the same double, as in RFC 8785), and −0 as 0. UTF-8, which here is ASCII.
 */
export function encodeReadings(readings: readonly Reading[]): Buffer {
  let text = '';
  for (const r of readings) text += `${r.at},${String(r.celsius + 0)}\n`;
  return Buffer.from(text, 'utf8');
}

/** One line of a logger file that could not be read: its 1-based line number and why. */
export type CsvError = { readonly line: number; readonly message: string };

export type LoggerCsvResult =
  | { readonly ok: true; readonly readings: readonly Reading[] }
  | { readonly ok: false; readonly errors: readonly CsvError[] };

export type LoggerCsvOptions = {
  /** The logger clock's offset from UTC in minutes (480 for China), for timestamps written without one. */
  readonly utcOffsetMinutes?: number;
};

/** At most this many errors are listed; a file that bad is the wrong file. */
export const MAX_CSV_ERRORS = 50;

const TIME_HEADER = /timestamp|date|time|时间|日期/i;
const TEMP_HEADER = /temp|celsius|fahrenheit|°\s*[cf]\b|℃|℉|温度/i;
const FAHRENHEIT = /fahrenheit|°\s*f\b|℉|\(f\)/i;
const ISO_ZONED = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:?\d{2})$/i;
const NAIVE = /^(\d{4})[-/](\d{1,2})[-/](\d{1,2})[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?$/;
const NUMBER = /^[+-]?\d+(\.\d+)?$/;

/**
 * parseLoggerCsv reads the CSV a temperature data logger exports and returns its readings in file order, or, when any
 * line is bad, every bad line (up to MAX_CSV_ERRORS) with its number. It accepts:
 *
 * - a byte-order mark, blank lines, `#` comments, and preamble lines (serial number, trip id) before the header;
 * - a header naming a time column (timestamp, date/time, 时间) and a temperature column (temp, °C, °F, ℃, 温度), or no
 *   header at all, when the first two columns are time and °C; a header with separate date and time columns;
 * - comma, semicolon or tab delimiters, and double-quoted fields;
 * - ISO 8601 times with Z or an offset, and `YYYY-MM-DD HH:mm[:ss]` (or with `/` or `T`) in the logger's local time,
 *   which needs `utcOffsetMinutes`;
 * - decimal commas ("-18,5", quoted, or unquoted in a semicolon or tab file; in an unquoted comma file, a line with one
 *   field too many whose last two fields are digits is read as a decimal comma), a Unicode minus, and a unit after the
 *   number. A °F column (or value) is converted to °C, rounded to 0.01.
 */
export function parseLoggerCsv(text: string, options: LoggerCsvOptions = {}): LoggerCsvResult {
  const r = parseLoggerCsvNumbered(text, options);
  return r.ok ? { ok: true, readings: r.readings } : r;
}

/**
 * parseLoggerCsvNumbered is parseLoggerCsv that also returns, for each reading, the 1-based line of the file it came
 * from (`lines[i]` for `readings[i]`), so that a later check (order, range) can name the line.
 */
export function parseLoggerCsvNumbered(
  text: string,
  options: LoggerCsvOptions = {},
):
  | { readonly ok: true; readonly readings: readonly Reading[]; readonly lines: readonly number[] }
  | { readonly ok: false; readonly errors: readonly CsvError[] } {
  const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\n|\r/);
  const errors: CsvError[] = [];
  const readings: Reading[] = [];
  const numbers: number[] = [];
  let layout: Layout | undefined;
  for (const [i, raw] of lines.entries()) {
    const line = i + 1;
    if (raw.trim() === '' || raw.trimStart().startsWith('#')) continue;
    if (layout === undefined) {
      layout = headerLayout(raw) ?? dataLayout(raw, options);
      if (layout === undefined) continue; // preamble before the header
      if (layout.header) continue;
    }
    const r = parseLine(raw, layout, options);
    if (typeof r === 'string') errors.push({ line, message: r });
    else {
      readings.push(r);
      numbers.push(line);
    }
    if (errors.length >= MAX_CSV_ERRORS) break;
  }
  if (layout === undefined)
    return { ok: false, errors: [{ line: 1, message: 'no header with time and temperature columns, and no data' }] };
  if (errors.length > 0) return { ok: false, errors };
  if (readings.length === 0)
    return { ok: false, errors: [{ line: lines.length, message: 'no readings after the header' }] };
  return { ok: true, readings, lines: numbers };
}

type Layout = {
  readonly header: boolean;
  readonly delimiter: string;
  readonly width: number;
  readonly time: number;
  /** A separate time-of-day column, when the header splits date and time. */
  readonly clock?: number;
  readonly temp: number;
  readonly fahrenheit: boolean;
};

function delimiterOf(line: string): string {
  return line.includes('\t') ? '\t' : line.includes(';') ? ';' : ',';
}

function headerLayout(line: string): Layout | undefined {
  const delimiter = delimiterOf(line);
  const fields = splitFields(line, delimiter).map((f) => f.trim());
  const temp = fields.findIndex((f) => TEMP_HEADER.test(f));
  const timeCols = fields.map((f, i) => (i !== temp && TIME_HEADER.test(f) ? i : -1)).filter((i) => i >= 0);
  const time = timeCols[0];
  if (temp < 0 || time === undefined) return undefined;
  const dateOnly = /^(date|日期)$/i.test(fields[time] ?? '');
  const clock = dateOnly ? timeCols.find((i) => /^(time|时间)$/i.test(fields[i] ?? '')) : undefined;
  const base = {
    header: true,
    delimiter,
    width: fields.length,
    time,
    temp,
    fahrenheit: FAHRENHEIT.test(fields[temp] ?? ''),
  };
  return clock === undefined ? base : { ...base, clock };
}

function dataLayout(line: string, options: LoggerCsvOptions): Layout | undefined {
  const delimiter = delimiterOf(line);
  const layout: Layout = {
    header: false,
    delimiter,
    width: splitFields(line, delimiter).length,
    time: 0,
    temp: 1,
    fahrenheit: false,
  };
  return typeof parseLine(line, layout, options) === 'string' ? undefined : layout;
}

function splitFields(line: string, delimiter: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === '"') {
      if (quoted && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else quoted = !quoted;
    } else if (c === delimiter && !quoted) {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out;
}

function parseLine(raw: string, layout: Layout, options: LoggerCsvOptions): Reading | string {
  let fields = splitFields(raw, layout.delimiter).map((f) => f.trim());
  const last = fields.length - 1;
  // An unquoted decimal comma in a comma-delimited file splits the temperature in two.
  if (layout.delimiter === ',' && fields.length === layout.width + 1 && layout.temp === layout.width - 1) {
    const [whole, frac] = [fields[last - 1] ?? '', fields[last] ?? ''];
    if (/^[+\-−]?\d+$/.test(whole) && /^\d+$/.test(frac)) fields = [...fields.slice(0, last - 1), `${whole}.${frac}`];
  }
  const timeText =
    layout.clock === undefined ? fields[layout.time] : `${fields[layout.time] ?? ''} ${fields[layout.clock] ?? ''}`;
  const tempText = fields[layout.temp];
  if (timeText === undefined || tempText === undefined || tempText === '')
    return `expected at least ${Math.max(layout.time, layout.clock ?? 0, layout.temp) + 1} fields`;
  const at = parseTime(timeText, options);
  if (typeof at === 'string') return at;
  const celsius = parseCelsius(tempText, layout.fahrenheit);
  if (typeof celsius === 'string') return celsius;
  return { at, celsius };
}

function parseTime(text: string, options: LoggerCsvOptions): number | string {
  const t = text.trim();
  if (ISO_ZONED.test(t)) {
    const ms = Date.parse(t.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
    return Number.isFinite(ms) && validDate(t.slice(0, 10)) ? ms : `'${t}' is not a valid time`;
  }
  const m = NAIVE.exec(t);
  if (m === null) return `'${t}' is not a time (expected ISO 8601 or YYYY-MM-DD HH:mm:ss)`;
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map((x) => Number(x ?? 0)) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const ms = Number((m[7] ?? '').padEnd(3, '0'));
  const ymd = `${y}-${String(mo).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
  if (!validDate(ymd) || h > 23 || mi > 59 || s > 59) return `'${t}' is not a valid time`;
  const offset = options.utcOffsetMinutes;
  if (offset === undefined) return `'${t}' has no UTC offset; give the logger's offset`;
  return Date.UTC(y, mo - 1, d, h, mi, s, ms) - offset * MINUTE_MS;
}

function validDate(ymd: string): boolean {
  const [y, m, d] = ymd.split('-').map(Number) as [number, number, number];
  const dt = new Date(Date.UTC(y, m - 1, d));
  return dt.getUTCFullYear() === y && dt.getUTCMonth() === m - 1 && dt.getUTCDate() === d;
}

function parseCelsius(text: string, fahrenheitColumn: boolean): number | string {
  let t = text.replace(/−/g, '-').replace(/\s+/g, '');
  let fahrenheit = fahrenheitColumn;
  const unit = /(°?[CF]|℃|℉)$/i.exec(t);
  if (unit !== null) {
    fahrenheit = /F|℉/i.test(unit[1] ?? '');
    t = t.slice(0, unit.index);
  }
  t = t.replace(',', '.');
  if (!NUMBER.test(t)) return `'${text}' is not a temperature`;
  const v = Number(t);
  if (!fahrenheit) return v;
  return Math.round((((v - 32) * 5) / 9) * 100) / 100;
}

/**
 * breachFact turns a stored breach into the fact lotStatus needs: its id, a short reason that reads the same in any
 * language ("-12 °C > -18 °C, 45 min"), and the numbers reasonText words per language.
 */
export function breachFact(b: {
  readonly id: string;
  readonly startAt: number;
  readonly endAt: number;
  readonly maxCelsius: number;
  readonly limitCelsius: number;
}): Breach {
  const minutes = Math.round((b.endAt - b.startAt) / MINUTE_MS);
  return {
    id: b.id,
    reason: `${b.maxCelsius} °C > ${b.limitCelsius} °C, ${minutes} min`,
    maxCelsius: b.maxCelsius,
    limitCelsius: b.limitCelsius,
    minutes,
  };
}
