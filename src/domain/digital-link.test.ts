import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, it, expect } from 'vitest';
import type { DigitalLink } from './digital-link.ts';
import {
  AI_LENGTH_BY_PREFIX,
  CSET82,
  DL_PRIMARY_KEYS,
  GTIN_QUALIFIER_SEQUENCES,
  QUALIFIER_MAX_LENGTH,
  digitalLinkPath,
  digitalLinkUri,
  gtinCheckDigit,
  parseDigitalLink,
  parseLotLink,
  validateGtin,
} from './digital-link.ts';

/** fields flattens a parse result into AI → value, the shape of an element string. */
function fields(dl: DigitalLink): Record<string, string> {
  const out: Record<string, string> = { '01': dl.gtin, ...dl.attributes };
  for (const [ai, v] of [
    ['10', dl.lot],
    ['21', dl.serial],
    ['22', dl.cpv],
    ['235', dl.tpx],
  ] as const)
    if (v !== undefined) out[ai] = v;
  return out;
}

describe('gtinCheckDigit and validateGtin', () => {
  it('computes published check digits for GTIN-8, -12, -13 and -14', () => {
    expect(gtinCheckDigit('9638507')).toBe('4'); // GTIN-8 96385074
    expect(gtinCheckDigit('03600029145')).toBe('2'); // UPC-A 036000291452
    expect(gtinCheckDigit('629104150021')).toBe('3'); // GTIN-13 6291041500213
    expect(gtinCheckDigit('0952012345678')).toBe('8'); // GTIN-14 09520123456788, GS1 Digital Link examples
    expect(gtinCheckDigit('00614141123456789')).toBe('0'); // SSCC 006141411234567890
  });

  it('throws on input outside its contract', () => {
    for (const b of ['', '12a', '1'.repeat(18)]) expect(() => gtinCheckDigit(b)).toThrow(RangeError);
  });

  it('normalises every GTIN length to 14 digits', () => {
    expect(validateGtin('96385074')).toEqual({ ok: true, value: '00000096385074' });
    expect(validateGtin('036000291452')).toEqual({ ok: true, value: '00036000291452' });
    expect(validateGtin(' 6291041500213 ')).toEqual({ ok: true, value: '06291041500213' });
    expect(validateGtin('09520123456788')).toEqual({ ok: true, value: '09520123456788' });
  });

  it('rejects bad GTINs with a reason', () => {
    expect(validateGtin('')).toEqual({ ok: false, reason: 'must contain digits only' });
    expect(validateGtin('0952-0123456788')).toEqual({ ok: false, reason: 'must contain digits only' });
    expect(validateGtin('952012345678')).toEqual({ ok: false, reason: 'check digit mismatch (expected 2)' });
    expect(validateGtin('1234567890')).toEqual({ ok: false, reason: 'must be 8, 12, 13 or 14 digits' });
    expect(validateGtin('09520123456789')).toEqual({ ok: false, reason: 'check digit mismatch (expected 8)' });
  });
});

describe('parseDigitalLink', () => {
  it('parses our lot and carton links, as URIs and as bare paths', () => {
    expect(parseDigitalLink('https://trace.example.cn/01/09520123456788/10/L2024-001')).toEqual({
      ok: true,
      value: { gtin: '09520123456788', lot: 'L2024-001', attributes: {} },
    });
    expect(parseDigitalLink('/01/09520123456788/10/L1/21/00042')).toEqual({
      ok: true,
      value: { gtin: '09520123456788', lot: 'L1', serial: '00042', attributes: {} },
    });
  });

  it('percent-decodes values, with + literal in the path and a space in the query', () => {
    const r = parseDigitalLink('/01/09520123456788/10/A%2FB+C%25?99=x%2Fy');
    expect(r).toEqual({ ok: true, value: { gtin: '09520123456788', lot: 'A/B+C%', attributes: { '99': 'x/y' } } });
    expect(parseDigitalLink('/01/09520123456788?99=A+B')).toEqual({
      ok: false,
      reason: "(99) in the query contains ' ', which GS1 does not allow (CSET 82)",
    });
  });

  it.each([
    ['https://a/01/09520123456788/10/ABC%2', 'the batch/lot (10) has a malformed percent-escape'],
    ['https://a/01/09520123456788/10/%ZZ', 'the batch/lot (10) has a malformed percent-escape'],
    ['https://a/01/09520123456788/10/A%00', 'the batch/lot (10) contains an encoded NUL'],
    ['https://a/01/09520123456788/10/%C3%A9', "the batch/lot (10) contains 'Ã', which GS1 does not allow (CSET 82)"],
    ['https://a/01/09520123456788/10/批次', 'contains "批", which a URI cannot have unless percent-encoded'],
    ['https://a/01/09520123456788/10/A B', 'contains " ", which a URI cannot have unless percent-encoded'],
    ['https://a/01/09520123456788/10/' + 'L'.repeat(21), 'the batch/lot (10) is longer than 20 characters'],
    [
      'https://a/01/09520123456788/21/S/10/L',
      'has qualifiers (21)(10) out of order: after (01) come (22), (10), (21) in that order, or (235) alone',
    ],
    [
      'https://a/01/09520123456788/235/T/10/L',
      'has qualifiers (235)(10) out of order: after (01) come (22), (10), (21) in that order, or (235) alone',
    ],
    ['https://a/01/09520123456788/10/A/10/B', '(10) appears twice in the path'],
    ['https://a/01/9520123456788/10/L', 'the GTIN (01) must be 14 digits'],
    ['https://a/01/09520123456789/10/L', 'the GTIN (01) has a check digit mismatch (expected 8)'],
    ['https://a/00/006141411234567890', 'is keyed by AI (00); only GTIN (01) links are supported'],
    [
      'https://a/lots/ABC',
      'has no GTIN in its path: it must end with /01/{gtin}, optionally followed by /10/{lot} and /21/{serial}',
    ],
    ['ftp://a/01/09520123456788', 'must start with http:// or https:// (in one case), or be a path starting with /'],
    ['01/09520123456788', 'must start with http:// or https:// (in one case), or be a path starting with /'],
    ['https:///01/09520123456788', 'needs a domain followed by a path'],
    ['https://a_b/01/09520123456788', 'the domain contains a character a domain cannot have'],
    ['https://a/01/09520123456788?10=L', '(10) belongs in the path, not the query'],
    ['https://a/01/09520123456788/10/L?21=S', '(21) belongs in the path, not the query'],
    ['https://a/01/09520123456788/10/L?10=L', '(10) appears twice'],
    ['https://a/01/09520123456788?999=x', 'query parameter 999 is not a GS1 Application Identifier'],
    ['https://a/01/09520123456788?1234=x', 'query parameter 1234 is not a GS1 Application Identifier'],
    ['https://a/01/09520123456788?17=', '(17) in the query has no value'],
    ['https://a/' + 'x'.repeat(2048), 'is longer than 2048 characters'],
  ])('rejects %s', (uri, reason) => {
    expect(parseDigitalLink(uri)).toEqual({ ok: false, reason });
  });

  it('pads a zero-suppressed GTIN only when asked', () => {
    expect(parseDigitalLink('/01/9520123456788', { permitZeroSuppressedGtin: true })).toEqual({
      ok: true,
      value: { gtin: '09520123456788', attributes: {} },
    });
    expect(parseDigitalLink('/01/96385074', { permitZeroSuppressedGtin: true }).ok).toBe(true);
    expect(parseDigitalLink('/01/123456789', { permitZeroSuppressedGtin: true })).toEqual({
      ok: false,
      reason: 'the GTIN (01) must be 14 digits',
    });
  });
});

describe('parseLotLink', () => {
  it('requires a lot and refuses a CPV', () => {
    expect(parseLotLink('/01/09520123456788/10/L1')).toEqual({
      ok: true,
      value: { gtin: '09520123456788', lot: 'L1', attributes: {} },
    });
    expect(parseLotLink('/01/09520123456788')).toEqual({
      ok: false,
      reason: 'has no batch/lot (10): a lot link is /01/{gtin}/10/{lot}',
    });
    expect(parseLotLink('/01/09520123456788/21/S')).toEqual({
      ok: false,
      reason: 'has no batch/lot (10): a lot link is /01/{gtin}/10/{lot}',
    });
    expect(parseLotLink('/01/09520123456788/22/V/10/L')).toEqual({
      ok: false,
      reason: 'has a CPV (22), which coldtrace lots do not use',
    });
    expect(parseLotLink('/01/09520123456789/10/L').ok).toBe(false);
  });
});

describe('digitalLinkPath and digitalLinkUri', () => {
  it('writes canonical paths with 14-digit GTINs and percent-encodes all but unreserved characters', () => {
    expect(digitalLinkPath({ gtin: '9520123456788', lot: 'ABC123' })).toBe('/01/09520123456788/10/ABC123');
    expect(digitalLinkPath({ gtin: '09520123456788', lot: 'A/B+C %'.replace(' ', ''), serial: '00042' })).toBe(
      '/01/09520123456788/10/A%2FB%2BC%25/21/00042',
    );
    expect(digitalLinkPath({ gtin: '09520123456788', lot: `!"&'()*,:;<=>?` })).toBe(
      '/01/09520123456788/10/%21%22%26%27%28%29%2A%2C%3A%3B%3C%3D%3E%3F',
    );
    expect(digitalLinkPath({ gtin: '09520123456788', serial: 'S-1._' })).toBe('/01/09520123456788/21/S-1._');
  });

  it('throws on values it cannot write', () => {
    expect(() => digitalLinkPath({ gtin: '09520123456789', lot: 'L' })).toThrow(RangeError);
    expect(() => digitalLinkPath({ gtin: '09520123456788', lot: '' })).toThrow(/is empty/);
    expect(() => digitalLinkPath({ gtin: '09520123456788', lot: 'A B' })).toThrow(/CSET 82/);
    expect(() => digitalLinkPath({ gtin: '09520123456788', serial: 'S'.repeat(21) })).toThrow(/longer than 20/);
    expect(() => digitalLinkUri('ftp://x', { gtin: '09520123456788' })).toThrow(RangeError);
    expect(() => digitalLinkUri('https://x/?q', { gtin: '09520123456788' })).toThrow(RangeError);
  });

  it('round-trips every CSET 82 character through the path', () => {
    const chars = [...CSET82];
    for (let i = 0; i < chars.length; i += 20) {
      const lot = chars.slice(i, i + 20).join('');
      const serial = chars
        .slice(i, i + 20)
        .reverse()
        .join('');
      const uri = digitalLinkUri('https://trace.example.cn/', { gtin: '96385074', lot, serial });
      expect(parseDigitalLink(uri)).toEqual({
        ok: true,
        value: { gtin: '00000096385074', lot, serial, attributes: {} },
      });
      expect(parseLotLink(uri).ok).toBe(true);
    }
  });

  it('CSET 82 has 82 characters', () => {
    expect(CSET82).toHaveLength(82);
    expect(new Set(CSET82).size).toBe(82);
  });
});

// The shared folder sits beside the repository; it may be missing (a fresh clone elsewhere), and then these skip.
const dataDir = fileURLToPath(new URL('../../../shared/data/digital-link/', import.meta.url));
const haveData = existsSync(`${dataDir}dl-test-vectors.json`) && existsSync(`${dataDir}gs1-syntax-dictionary.txt`);
if (!haveData) console.warn(`digital-link: skipping the GS1 test vectors, ${dataDir} is missing`);

type Entry = { readonly flags: string; readonly spec: readonly string[]; readonly attrs: readonly string[] };

/** loadDictionary reads the GS1 Barcode Syntax Dictionary: AI (ranges expanded) → flags, specification, attributes. */
function loadDictionary(): Map<string, Entry> {
  const dict = new Map<string, Entry>();
  for (const raw of readFileSync(`${dataDir}gs1-syntax-dictionary.txt`, 'utf8').split('\n')) {
    const line = raw.replace(/#.*/, '').trim();
    if (line === '') continue;
    const [ais = '', ...tokens] = line.split(/\s+/);
    const flags = /^[^A-Za-z0-9[]+$/.test(tokens[0] ?? '') ? (tokens.shift() ?? '') : '';
    const spec = tokens.filter((t) => /^\[?[NXYZ](\d|\.\.)/.test(t));
    const attrs = tokens.filter((t) => !/^\[?[NXYZ](\d|\.\.)/.test(t));
    const [lo = '', hi = lo] = ais.split('-');
    for (let n = Number(lo); n <= Number(hi); n++) dict.set(String(n).padStart(lo.length, '0'), { flags, spec, attrs });
  }
  return dict;
}

/** parseElementString splits '^'-delimited AI data (FNC1 as '^') into [AI, value] pairs, using the dictionary. */
function parseElementString(s: string, dict: Map<string, Entry>): [string, string][] {
  const out: [string, string][] = [];
  let pos = 0;
  while (pos < s.length) {
    if (s[pos] === '^') {
      pos++;
      continue;
    }
    const ai = [2, 3, 4].map((n) => s.slice(pos, pos + n)).find((a) => dict.has(a));
    if (ai === undefined) throw new Error(`no AI at ${pos} in ${s}`);
    const e = dict.get(ai)!;
    pos += ai.length;
    let end: number;
    if (e.flags.includes('*')) end = pos + e.spec.reduce((n, c) => n + Number(/^[NXYZ](\d+)/.exec(c)?.[1]), 0);
    else end = s.indexOf('^', pos) < 0 ? s.length : s.indexOf('^', pos);
    out.push([ai, s.slice(pos, end)]);
    pos = end;
  }
  return out;
}

describe.skipIf(!haveData)('GS1 Syntax Dictionary agrees with our constants', () => {
  const dict = haveData ? loadDictionary() : new Map<string, Entry>();

  it('lists the same Digital Link primary keys', () => {
    const keys = [...dict]
      .filter(([, e]) => e.attrs.some((a) => a === 'dlpkey' || a.startsWith('dlpkey=')))
      .map(([ai]) => ai);
    expect(new Set(keys)).toEqual(new Set(DL_PRIMARY_KEYS));
  });

  it('gives (01) the qualifier sequences 22,10,21 | 235, with our formats', () => {
    expect(dict.get('01')?.attrs).toContain(`dlpkey=${GTIN_QUALIFIER_SEQUENCES.map((s) => s.join(',')).join('|')}`);
    for (const [ai, max] of Object.entries(QUALIFIER_MAX_LENGTH)) expect(dict.get(ai)?.spec).toEqual([`X..${max}`]);
    expect(dict.get('01')?.spec).toEqual(['N14,csum,gcppos2']);
  });

  it('allows (10) as a query attribute but not (21), (22) or (235)', () => {
    expect(dict.get('10')?.flags).toContain('?');
    for (const ai of ['21', '22', '235']) expect(dict.get(ai)?.flags ?? '').not.toContain('?');
  });

  it('has AI lengths by prefix exactly as AI_LENGTH_BY_PREFIX', () => {
    const byPrefix: Record<string, number> = {};
    for (const ai of dict.keys()) {
      const p = ai.slice(0, 2);
      expect(byPrefix[p] ?? ai.length, ai).toBe(ai.length);
      byPrefix[p] = ai.length;
    }
    expect(byPrefix).toEqual(AI_LENGTH_BY_PREFIX);
  });
});

type ParseCase = [boolean, string, string];
type GenerateCase = [boolean, string | null, string, string];

describe.skipIf(!haveData)('GS1 test vectors (gs1-syntax-engine dl.c)', () => {
  const vectors = haveData
    ? (JSON.parse(readFileSync(`${dataDir}dl-test-vectors.json`, 'utf8')) as {
        parseDLuri: { cases: ParseCase[] };
        generateDLuri: { cases: GenerateCase[] };
      })
    : { parseDLuri: { cases: [] }, generateDLuri: { cases: [] } };
  const dict = haveData ? loadDictionary() : new Map<string, Entry>();
  const alphas = new Set([
    'cpid',
    'cpsn',
    'cpv',
    'gcn',
    'gdti',
    'giai',
    'ginc',
    'gln',
    'glnx',
    'gmn',
    'grai',
    'gsin',
    'gsrn',
    'gsrnp',
    'gtin',
    'itip',
    'lot',
    'party',
    'refno',
    'ser',
    'srin',
    'sscc',
  ]);
  const verdicts = new Map<string, Set<boolean>>();
  for (const [ok, uri] of vectors.parseDLuri.cases) verdicts.set(uri, (verdicts.get(uri) ?? new Set()).add(ok));

  /**
   * scope sorts a parse vector. The JSON flattens dl.c's tests and drops the options some of them ran under, so a URI
   * may appear both as a success and as a failure; dl.c shows which option each needs.
   *
   * - 'default': in scope, run with our defaults. Every failure is in scope: whatever a link is keyed by, a URI the
   *   reference rejects must not pass here either.
   * - 'zero-suppressed': a GTIN-8/12/13 in the path, accepted only under permitZeroSuppressedGTINinDLuris; the success
   *   runs with our matching option, the failure without it.
   * - 'alpha': a success using deprecated convenience alphas (/gtin/, /ser/, /sscc/), which dl.c turns on only by hand
   *   in its tests: out of scope, and we reject them.
   * - 'other key': a success keyed by (00), (253), (401), (414), (8004), (8018)…: out of scope, and we reject them.
   * - 'unknown AI': a success only with permitUnknownAIs and unknown AIs allowed as attributes: out of scope, rejected.
   */
  function scope([ok, uri, expected]: ParseCase): 'default' | 'zero-suppressed' | 'other key' | 'alpha' | 'unknown AI' {
    const segs = uri
      .replace(/^[a-z]+:\/\/[^/]*/i, '')
      .replace(/[?#].*/, '')
      .split('/');
    const gtin = segs.includes('01') ? (segs[segs.indexOf('01') + 1] ?? '') : '';
    const zeroSuppressed = /^(\d{8}|\d{12,13})$/.test(gtin);
    if (!ok) return zeroSuppressed ? 'zero-suppressed' : 'default';
    if (segs.some((s) => alphas.has(s))) return 'alpha';
    if (!expected.startsWith('^01')) return 'other key';
    if (zeroSuppressed) return 'zero-suppressed';
    if (verdicts.get(uri)?.size === 2) return 'unknown AI';
    return 'default';
  }

  const sorted = vectors.parseDLuri.cases.map((c, i) => ({ i, c, scope: scope(c) }));

  it('sorts every parse vector into a scope', () => {
    const counts: Record<string, number> = {};
    for (const s of sorted) counts[s.scope] = (counts[s.scope] ?? 0) + 1;
    expect(sorted.length).toBe(116);
    expect(counts).toEqual({ default: 77, 'zero-suppressed': 12, 'other key': 23, alpha: 3, 'unknown AI': 1 });
  });

  it.each(sorted.filter((s) => s.scope === 'default' || s.scope === 'zero-suppressed'))(
    'parse #$i ($scope): $c.1',
    ({ c: [ok, uri, expected], scope: sc }) => {
      const r = parseDigitalLink(uri, { permitZeroSuppressedGtin: sc === 'zero-suppressed' && ok });
      expect(r.ok, r.ok ? '' : r.reason).toBe(ok);
      if (r.ok) {
        const want = Object.fromEntries(parseElementString(expected, dict));
        expect(fields(r.value)).toEqual(want);
      }
    },
  );

  it.each(sorted.filter((s) => s.scope !== 'default' && s.scope !== 'zero-suppressed'))(
    'parse #$i, out of scope ($scope), is rejected: $c.1',
    ({ c: [, uri] }) => {
      expect(parseDigitalLink(uri).ok).toBe(false);
      expect(parseDigitalLink(uri, { permitZeroSuppressedGtin: true }).ok).toBe(false);
    },
  );

  /**
   * Generation vectors are in scope when they succeed with (01) chosen as the key and carry no (22) or (235), which we
   * never write: we generate /01/{gtin}[/10/{lot}][/21/{serial}] and no query, so the expected URI is compared up to
   * its '?'. The rest choose another key, or test attribute rules of AIs we never write.
   */
  const generate = vectors.generateDLuri.cases.map((c, i) => {
    const [ok, stem, ais, expected] = c;
    const pairs = [...ais.matchAll(/\((\d+)\)([^(]*)/g)].map((m) => [m[1] ?? '', m[2] ?? ''] as const);
    const first = (ai: string) => pairs.find(([a]) => a === ai)?.[1];
    const inScope =
      ok &&
      expected.startsWith(`${(stem ?? 'https://id.gs1.org').replace(/\/$/, '')}/01/`) &&
      !first('22') &&
      !first('235');
    return { i, c, inScope, stem, parts: { gtin: first('01') ?? '', lot: first('10'), serial: first('21') } };
  });

  it('sorts the generation vectors', () => {
    expect(generate.filter((g) => g.inScope).map((g) => g.i)).toEqual([0, 1, 4, 6, 11, 12, 13, 19, 21]);
  });

  it.each(generate.filter((g) => g.inScope))('generate #$i: $c.2', ({ c: [, , , expected], stem, parts }) => {
    const uri = digitalLinkUri(stem ?? undefined, parts);
    expect(uri).toBe(expected.split('?')[0]);
    const back = parseDigitalLink(uri);
    expect(back.ok && [back.value.lot, back.value.serial]).toEqual([parts.lot, parts.serial]);
  });
});
