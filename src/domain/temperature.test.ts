import { describe, it, expect } from 'vitest';
import type { Reading, TemperatureRule } from './temperature.ts';
import { lotStatus, reasonText } from './lot-status.ts';
import {
  DEFAULT_TEMPERATURE_RULES,
  MAX_CSV_ERRORS,
  MAX_READINGS_PER_UPLOAD,
  breachFact,
  detectBreaches,
  encodeReadings,
  normalizeReadings,
  parseLoggerCsv,
  parseLoggerCsvNumbered,
  seriesProblem,
  validateTemperatureRule,
} from './temperature.ts';

const M = 60_000;
const T0 = Date.UTC(2022, 0, 10, 0, 0);
const RULE: TemperatureRule = { maxCelsius: -18, minDurationMs: 30 * M, maxGapMs: 60 * M };

/** series makes one reading every `stepMin` minutes from T0. */
const series = (celsius: number[], stepMin = 10): Reading[] =>
  celsius.map((c, i) => ({ at: T0 + i * stepMin * M, celsius: c }));

describe('DEFAULT_TEMPERATURE_RULES', () => {
  it('holds frozen goods at −18 °C and chilled at 4 °C, with no rule for ambient', () => {
    expect(DEFAULT_TEMPERATURE_RULES.frozen).toEqual({ maxCelsius: -18, minDurationMs: 30 * M, maxGapMs: 60 * M });
    expect(DEFAULT_TEMPERATURE_RULES.chilled?.maxCelsius).toBe(4);
    expect(DEFAULT_TEMPERATURE_RULES.ambient).toBeNull();
    expect(validateTemperatureRule(DEFAULT_TEMPERATURE_RULES.frozen).ok).toBe(true);
  });
});

describe('detectBreaches', () => {
  it('finds nothing in range, and counts −18.0 itself as in range', () => {
    expect(detectBreaches(series([-20, -18, -19, -18]), RULE)).toEqual({ breaches: [], gaps: [] });
  });

  it('finds nothing in no readings', () => {
    expect(detectBreaches([], RULE)).toEqual({ breaches: [], gaps: [] });
  });

  it('reports an excursion lasting the minimum duration, from the first warm reading to the first one back in range', () => {
    const { breaches } = detectBreaches(series([-20, -15, -12, -16, -19]), RULE);
    expect(breaches).toEqual([
      {
        startAt: T0 + 10 * M,
        endAt: T0 + 40 * M,
        minCelsius: -16,
        maxCelsius: -12,
        endReason: 'back_in_range',
        rule: RULE,
      },
    ]);
  });

  it('ignores an excursion shorter than the minimum duration', () => {
    expect(detectBreaches(series([-20, -15, -12, -19]), RULE).breaches).toEqual([]);
  });

  it('with a minimum duration of 0, one warm reading is a breach', () => {
    const rule = { ...RULE, minDurationMs: 0 };
    expect(detectBreaches(series([-20, -17.9]), rule).breaches).toEqual([
      {
        startAt: T0 + 10 * M,
        endAt: T0 + 10 * M,
        minCelsius: -17.9,
        maxCelsius: -17.9,
        endReason: 'end_of_data',
        rule,
      },
    ]);
  });

  it('keeps an excursion still open when the data ends, up to the last reading', () => {
    const { breaches } = detectBreaches(series([-20, -10, -9, -8, -7]), RULE);
    expect(breaches).toMatchObject([
      { startAt: T0 + 10 * M, endAt: T0 + 40 * M, endReason: 'end_of_data', minCelsius: -10, maxCelsius: -7 },
    ]);
  });

  it('finds separate breaches separately', () => {
    const { breaches } = detectBreaches(series([-10, -10, -10, -10, -20, -10, -10, -10, -10, -20]), RULE);
    expect(breaches.map((b) => [b.startAt, b.endAt])).toEqual([
      [T0, T0 + 40 * M],
      [T0 + 50 * M, T0 + 90 * M],
    ]);
  });

  it('handles unsorted input and duplicates, keeping the warmest reading at an instant', () => {
    const rs = series([-20, -15, -12, -16, -19]);
    const shuffled = [rs[3], rs[0], rs[4], rs[1], rs[2], rs[1], { at: T0 + 20 * M, celsius: -25 }] as Reading[];
    expect(detectBreaches(shuffled, RULE)).toEqual(detectBreaches(rs, RULE));
    expect(normalizeReadings(shuffled)).toEqual(rs);
  });

  it('refuses readings that are not finite numbers', () => {
    expect(() => detectBreaches([{ at: T0, celsius: Number.NaN }], RULE)).toThrow(RangeError);
  });

  it('counts a long gap neither as in range nor as out of range: the excursion stops at it, and the gap is reported as suspect', () => {
    // Warm at 00:00 and 00:10, then nothing for five hours, then warm again for 10 minutes and back in range.
    const rs: Reading[] = [
      { at: T0, celsius: -10 },
      { at: T0 + 10 * M, celsius: -10 },
      { at: T0 + 310 * M, celsius: -10 },
      { at: T0 + 320 * M, celsius: -20 },
    ];
    expect(detectBreaches(rs, RULE)).toEqual({
      breaches: [],
      gaps: [{ from: T0 + 10 * M, to: T0 + 310 * M, suspect: true }],
    });
    // With a shorter minimum, each side is a breach on its own evidence, and the first is marked as cut by the gap.
    const rule = { ...RULE, minDurationMs: 10 * M };
    expect(detectBreaches(rs, rule).breaches).toMatchObject([
      { startAt: T0, endAt: T0 + 10 * M, endReason: 'gap' },
      { startAt: T0 + 310 * M, endAt: T0 + 320 * M, endReason: 'back_in_range' },
    ]);
  });

  it('reports a gap between readings in range as not suspect', () => {
    const rs: Reading[] = [
      { at: T0, celsius: -20 },
      { at: T0 + 120 * M, celsius: -20 },
    ];
    expect(detectBreaches(rs, RULE)).toEqual({ breaches: [], gaps: [{ from: T0, to: T0 + 120 * M, suspect: false }] });
  });

  it('treats readings exactly maxGapMs apart as continuous', () => {
    const { breaches, gaps } = detectBreaches(series([-10, -10, -20], 60), RULE);
    expect(gaps).toEqual([]);
    expect(breaches).toMatchObject([{ startAt: T0, endAt: T0 + 120 * M, endReason: 'back_in_range' }]);
  });

  it('gives the same answer however the readings are ordered (seeded shuffles)', () => {
    let seed = 7;
    const next = (): number => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
    const rs = Array.from({ length: 300 }, (_, i) => ({
      at: T0 + Math.floor(i * 7 + next() * 200) * M,
      celsius: -22 + Math.round(next() * 100) / 10,
    }));
    const expected = detectBreaches(rs, RULE);
    expect(expected.breaches.length).toBeGreaterThan(0);
    for (let k = 0; k < 20; k++) {
      const shuffled = [...rs].sort(() => next() - 0.5);
      expect(detectBreaches(shuffled, RULE)).toEqual(expected);
    }
  });

  it('handles a long excursion of 200,000 one-second readings', () => {
    const rs = Array.from({ length: 200_000 }, (_, i) => ({ at: T0 + i * 1000, celsius: -10 - (i % 5) }));
    expect(detectBreaches(rs, RULE).breaches).toMatchObject([
      { startAt: T0, minCelsius: -14, maxCelsius: -10, endReason: 'end_of_data' },
    ]);
  });

  it('keeps the rule in force with the breach', () => {
    const chilled = DEFAULT_TEMPERATURE_RULES.chilled as TemperatureRule;
    const { breaches } = detectBreaches(series([3, 6, 7, 8, 9, 2]), chilled);
    expect(breaches[0]?.rule).toBe(chilled);
  });
});

describe('validateTemperatureRule', () => {
  it('accepts a rule and returns it frozen', () => {
    const r = validateTemperatureRule({ maxCelsius: -15, minDurationMs: 0, maxGapMs: 15 * M });
    expect(r).toEqual({ ok: true, value: { maxCelsius: -15, minDurationMs: 0, maxGapMs: 15 * M } });
    expect(r.ok && Object.isFrozen(r.value)).toBe(true);
  });

  it.each<[unknown, string]>([
    [null, 'must be an object'],
    [{ ...RULE, extra: 1 }, "unknown key 'extra'"],
    [{ ...RULE, maxCelsius: '−18' }, 'maxCelsius must be a number from -80 to 60'],
    [{ ...RULE, maxCelsius: Number.NaN }, 'maxCelsius must be a number from -80 to 60'],
    [{ ...RULE, minDurationMs: -1 }, 'minDurationMs must be an integer from 0 to 604800000'],
    [{ ...RULE, maxGapMs: 1000 }, 'maxGapMs must be an integer from 60000 to 604800000'],
  ])('refuses %j', (input, reason) => {
    expect(validateTemperatureRule(input)).toEqual({ ok: false, reason });
  });
});

describe('parseLoggerCsv', () => {
  const CN = { utcOffsetMinutes: 480 };
  const at = (iso: string): number => Date.parse(iso);

  it('reads a plain timestamp,temperature file with ISO times', () => {
    const csv = 'timestamp,temperature\n2022-01-10T08:00:00+08:00,-18.5\n2022-01-10T00:10:00Z,-17\n';
    expect(parseLoggerCsv(csv)).toEqual({
      ok: true,
      readings: [
        { at: at('2022-01-10T00:00:00Z'), celsius: -18.5 },
        { at: at('2022-01-10T00:10:00Z'), celsius: -17 },
      ],
    });
  });

  it('reads local times with the given UTC offset, and refuses them without one', () => {
    const csv = 'Time,Temperature(°C)\n2022-01-10 08:00:00,-20\n2022/1/10 08:05,-19.5\n';
    expect(parseLoggerCsv(csv, CN)).toEqual({
      ok: true,
      readings: [
        { at: at('2022-01-10T00:00:00Z'), celsius: -20 },
        { at: at('2022-01-10T00:05:00Z'), celsius: -19.5 },
      ],
    });
    const r = parseLoggerCsv(csv);
    expect(r.ok || r.errors).toEqual([
      { line: 2, message: "'2022-01-10 08:00:00' has no UTC offset; give the logger's offset" },
      { line: 3, message: "'2022/1/10 08:05' has no UTC offset; give the logger's offset" },
    ]);
  });

  it('skips a preamble, comments and blank lines, and reads a BOM, semicolons and decimal commas', () => {
    const csv =
      '\uFEFFLogger SN;EL-123456\nTrip;T-9\n\n# exported 2022-01-10\nNo.;记录时间;温度(℃)\n1;2022-01-10 08:00:00;-18,5\r\n2;2022-01-10 08:10:00;−19,0\r\n';
    expect(parseLoggerCsv(csv, CN)).toEqual({
      ok: true,
      readings: [
        { at: at('2022-01-10T00:00:00Z'), celsius: -18.5 },
        { at: at('2022-01-10T00:10:00Z'), celsius: -19 },
      ],
    });
  });

  it('reads quoted and unquoted decimal commas in a comma file, and tabs', () => {
    const csv = 'timestamp,temperature\n2022-01-10T00:00:00Z,"-18,5"\n2022-01-10T00:10:00Z,-17,25\n';
    expect(parseLoggerCsv(csv)).toMatchObject({ ok: true, readings: [{ celsius: -18.5 }, { celsius: -17.25 }] });
    const tsv = 'Date Time\tTemp °C\n2022-01-10T00:00:00Z\t-18,5\n';
    expect(parseLoggerCsv(tsv)).toMatchObject({ ok: true, readings: [{ celsius: -18.5 }] });
  });

  it('converts a °F column, or a value with its own unit, to °C', () => {
    const csv =
      'Date,Time,Temperature (°F)\n2022-01-10,08:00:00,-4\n2022-01-10,08:10:00,0.5\n2022-01-10,08:20:00,-19°C\n';
    expect(parseLoggerCsv(csv, CN)).toEqual({
      ok: true,
      readings: [
        { at: at('2022-01-10T00:00:00Z'), celsius: -20 },
        { at: at('2022-01-10T00:10:00Z'), celsius: -17.5 },
        { at: at('2022-01-10T00:20:00Z'), celsius: -19 },
      ],
    });
  });

  it('reads a file without a header when its first columns are time and °C', () => {
    const csv = '2022-01-10T00:00:00Z,-18\n2022-01-10T00:10:00Z,-18.2\n';
    expect(parseLoggerCsv(csv)).toMatchObject({ ok: true, readings: [{ celsius: -18 }, { celsius: -18.2 }] });
  });

  it('numbers every bad line', () => {
    const csv =
      'timestamp,temperature\n2022-01-10T00:00:00Z,-18\n2022-02-30T00:00:00Z,-18\nyesterday,-18\n2022-01-10T00:20:00Z,cold\n2022-01-10T00:30:00Z\n2022-01-10 25:00:00,-18\n';
    const r = parseLoggerCsv(csv, CN);
    expect(r.ok || r.errors.map((e) => e.line)).toEqual([3, 4, 5, 6, 7]);
    expect(r.ok || r.errors[2]).toEqual({ line: 5, message: "'cold' is not a temperature" });
  });

  it('stops listing errors at MAX_CSV_ERRORS', () => {
    const csv = 'timestamp,temperature\n' + 'x,y\n'.repeat(200);
    const r = parseLoggerCsv(csv);
    expect(r.ok || r.errors.length).toBe(MAX_CSV_ERRORS);
  });

  it('refuses a file with no header and no data, or a header and no readings', () => {
    expect(parseLoggerCsv('serial,123\nfoo,bar\n')).toMatchObject({ ok: false, errors: [{ line: 1 }] });
    expect(parseLoggerCsv('timestamp,temperature\n')).toMatchObject({
      ok: false,
      errors: [{ message: 'no readings after the header' }],
    });
  });

  it('feeds detectBreaches: a warm hour in a logger file is a breach', () => {
    const rows = Array.from(
      { length: 12 },
      (_, i) => `2022-01-10 08:${String(i * 5).padStart(2, '0')}:00,${i >= 3 && i <= 9 ? '-12,0' : '-20,0'}`,
    );
    const csv = 'Time;Temperature\n' + rows.map((r) => r.replace(',', ';')).join('\n');
    const parsed = parseLoggerCsv(csv, CN);
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    const { breaches } = detectBreaches(parsed.readings, RULE);
    expect(breaches).toMatchObject([
      { startAt: at('2022-01-10T00:15:00Z'), endAt: at('2022-01-10T00:50:00Z'), maxCelsius: -12 },
    ]);
  });
});

describe('parseLoggerCsvNumbered', () => {
  it('gives the file line of each reading', () => {
    const csv = 'SN;1\n\nTime;Temp\n2022-01-10T00:00:00Z;-20\n# note\n2022-01-10T00:10:00Z;-19\n';
    expect(parseLoggerCsvNumbered(csv)).toMatchObject({ ok: true, lines: [4, 6] });
  });
});

describe('seriesProblem', () => {
  const now = T0 + 24 * 60 * M;
  it('accepts readings in time order within range', () => {
    expect(seriesProblem(series([-20, -19, 3.5]), now)).toBeNull();
  });

  it.each<[Reading[], { index: number; key: string }]>([
    [[], { index: 0, key: 'at' }],
    [
      [
        { at: T0, celsius: -20 },
        { at: T0, celsius: -19 },
      ],
      { index: 1, key: 'at' },
    ],
    [
      [
        { at: T0 + M, celsius: -20 },
        { at: T0, celsius: -19 },
      ],
      { index: 1, key: 'at' },
    ],
    [[{ at: T0, celsius: Number.NaN }], { index: 0, key: 'celsius' }],
    [[{ at: T0, celsius: 101 }], { index: 0, key: 'celsius' }],
    [[{ at: T0 + 0.5, celsius: -20 }], { index: 0, key: 'at' }],
    [[{ at: Date.UTC(1999, 11, 31), celsius: -20 }], { index: 0, key: 'at' }],
    [[{ at: now + 11 * M, celsius: -20 }], { index: 0, key: 'at' }],
  ])('refuses %j, naming the reading', (readings, where) => {
    expect(seriesProblem(readings, now)).toMatchObject(where);
  });

  it('refuses more than MAX_READINGS_PER_UPLOAD readings', () => {
    const rs = Array.from({ length: MAX_READINGS_PER_UPLOAD + 1 }, (_, i) => ({ at: T0 + i, celsius: -20 }));
    expect(seriesProblem(rs, now)).toMatchObject({ index: MAX_READINGS_PER_UPLOAD });
  });
});

describe('encodeReadings', () => {
  it('writes one line per reading, numbers as ECMAScript writes them, −0 as 0', () => {
    expect(
      encodeReadings([
        { at: 1, celsius: -18.5 },
        { at: 2, celsius: 0.1 + 0.2 },
        { at: 3, celsius: -0 },
        { at: 4, celsius: 1e-7 },
      ]).toString(),
    ).toBe('1,-18.5\n2,0.30000000000000004\n3,0\n4,1e-7\n');
  });
});

describe('breachFact', () => {
  it('words an open breach for the lot page in Chinese and English', () => {
    const fact = breachFact({ id: 'tbr_1', startAt: T0, endAt: T0 + 45 * M, maxCelsius: -12.5, limitCelsius: -18 });
    expect(fact).toEqual({
      id: 'tbr_1',
      reason: '-12.5 °C > -18 °C, 45 min',
      maxCelsius: -12.5,
      limitCelsius: -18,
      minutes: 45,
    });
    const { status, reasons } = lotStatus({
      origin: 'derived',
      parentStatuses: ['green'],
      presentDocuments: [],
      disinfected: true,
      samples: [],
      exitCertificate: false,
      producerSuspendedAtEntry: false,
      openBreaches: [fact],
    });
    expect(status).toBe('yellow');
    expect(reasonText(reasons[0]!, 'zh')).toBe(
      '温度异常正在核查：最高 -12.5 ℃，高于 -18 ℃ 的上限持续 45 分钟（tbr_1）',
    );
    expect(reasonText(reasons[0]!, 'en')).toBe(
      'A temperature problem is being checked: up to -12.5 °C, above the -18 °C limit for 45 min (tbr_1).',
    );
  });
});
