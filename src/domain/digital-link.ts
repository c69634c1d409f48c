import type { Check } from './check.ts';
import { fail, ok } from './check.ts';

/**
 * GS1 Digital Link URIs for GTIN-keyed goods: https://host[/stem]/01/{gtin}[/22/{cpv}][/10/{lot}][/21/{serial}] or
 * …/01/{gtin}/235/{tpx}, with optional GS1 attributes in the query string. The rules follow the GS1 Digital Link URI
 * Syntax standard and its reference implementation, the GS1 Barcode Syntax Engine (the constants below are checked
 * against its Syntax Dictionary by the tests). Only links keyed by a GTIN are parsed: coldtrace names lots, not
 * SSCCs, locations or assets.
 */

/** The stem used when none is given: GS1's own resolver. */
export const CANONICAL_DL_STEM = 'https://id.gs1.org';

/** GS1 AI encodable character set 82, which every alphanumeric AI value (lot, serial, …) is drawn from. */
export const CSET82 = `!"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz`;

/** The AIs that may key a Digital Link (the Syntax Dictionary's "dlpkey" entries). */
export const DL_PRIMARY_KEYS: readonly string[] = Object.freeze([
  '00',
  '01',
  '253',
  '255',
  '401',
  '402',
  '414',
  '415',
  '417',
  '8003',
  '8004',
  '8006',
  '8010',
  '8013',
  '8017',
  '8018',
]);

/** The key qualifiers of AI (01), as alternative sequences: /22/…/10/…/21/… (each optional, in this order) or /235/…. */
export const GTIN_QUALIFIER_SEQUENCES: readonly (readonly string[])[] = Object.freeze([
  Object.freeze(['22', '10', '21']),
  Object.freeze(['235']),
]);

/** The longest value of each GTIN qualifier (each is CSET 82: "X..20", "X..28"). */
export const QUALIFIER_MAX_LENGTH: Readonly<Record<string, number>> = Object.freeze({
  '22': 20,
  '10': 20,
  '21': 20,
  '235': 28,
});

/**
 * How many digits an AI has, by its first two digits, for every prefix that has AIs allocated; a numeric query
 * parameter that does not fit this cannot be an AI.
 */
export const AI_LENGTH_BY_PREFIX: Readonly<Record<string, number>> = Object.freeze(
  Object.fromEntries([
    ...['00', '01', '02', '03', '10', '11', '12', '13', '15', '16', '17', '20', '21', '22', '30', '37'].map((p) => [
      p,
      2,
    ]),
    ...['90', '91', '92', '93', '94', '95', '96', '97', '98', '99'].map((p) => [p, 2]),
    ...['23', '24', '25', '40', '41', '42', '71'].map((p) => [p, 3]),
    ...['31', '32', '33', '34', '35', '36', '39', '43', '70', '72', '80', '81', '82'].map((p) => [p, 4]),
  ]) as Record<string, number>,
);

/** A parsed GTIN Digital Link. Values are percent-decoded; `attributes` holds the query string's AIs. */
export type DigitalLink = {
  readonly gtin: string;
  readonly lot?: string;
  readonly serial?: string;
  readonly cpv?: string;
  readonly tpx?: string;
  readonly attributes: Readonly<Record<string, string>>;
};

export type DigitalLinkOptions = {
  /**
   * Accept a GTIN-8, -12 or -13 in the path and pad it to 14 digits, as Digital Link 1.1 allowed. Off by default, as
   * in the reference implementation: the current standard writes every GTIN in a URI with 14 digits.
   */
  readonly permitZeroSuppressedGtin?: boolean;
};

const MAX_URI_LENGTH = 2048;
// Longest value of any AI (8030, for instance, is up to 90 characters).
const MAX_AI_VALUE_LENGTH = 90;
// RFC 3986 unreserved and reserved characters, and '%' for escapes: nothing else may appear in a URI.
const URI_CHAR = /^[A-Za-z0-9\-._~:/?#[\]@!$&'()*+,;=%]$/;
const BAD_DOMAIN_CHARS = /[_~?#@!$&'()*+,;=%]/;
const SCHEMES = ['https://', 'HTTPS://', 'http://', 'HTTP://'];
const GTIN_QUALIFIERS: ReadonlySet<string> = new Set(Object.keys(QUALIFIER_MAX_LENGTH));
// Qualifiers that the Syntax Dictionary does not flag "?": they may never be query attributes.
const PATH_ONLY_AIS: ReadonlySet<string> = new Set(['21', '22', '235']);
const AI_NAMES: Readonly<Record<string, string>> = { '10': 'batch/lot', '21': 'serial', '22': 'CPV', '235': 'TPX' };

/**
 * gtinCheckDigit returns the GS1 mod-10 check digit for `body`, the digits of a GTIN (or SSCC, GLN…) before its check
 * digit: weights 3 and 1 alternate from the rightmost digit, and the check digit brings the sum to a multiple of 10.
 * It throws a RangeError when `body` is not 1 to 17 digits.
 */
export function gtinCheckDigit(body: string): string {
  if (!/^\d{1,17}$/.test(body)) throw new RangeError('gtinCheckDigit: need 1 to 17 digits');
  let sum = 0;
  for (let i = 0; i < body.length; i++) sum += Number(body.charAt(body.length - 1 - i)) * (i % 2 === 0 ? 3 : 1);
  return String((10 - (sum % 10)) % 10);
}

/**
 * validateGtin accepts a GTIN-8, -12, -13 or -14 (digits only, surrounding whitespace trimmed) with a correct check
 * digit and returns it as a GTIN-14, padded with leading zeros.
 */
export function validateGtin(s: string): Check<string> {
  const digits = s.trim();
  if (!/^\d+$/.test(digits)) return fail('must contain digits only');
  if (![8, 12, 13, 14].includes(digits.length)) return fail('must be 8, 12, 13 or 14 digits');
  const expected = gtinCheckDigit(digits.slice(0, -1));
  if (digits.slice(-1) !== expected) return fail(`check digit mismatch (expected ${expected})`);
  return ok(digits.padStart(14, '0'));
}

function percentDecode(s: string, inQuery: boolean): Check<string> {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charAt(i);
    if (c === '%') {
      const hex = s.slice(i + 1, i + 3);
      if (!/^[0-9A-Fa-f]{2}$/.test(hex)) return fail('has a malformed percent-escape');
      const code = Number.parseInt(hex, 16);
      if (code === 0) return fail('contains an encoded NUL');
      out += String.fromCharCode(code);
      i += 2;
    } else {
      // In a query, '+' stands for a space (HTML form encoding); in a path it is itself.
      out += inQuery && c === '+' ? ' ' : c;
    }
  }
  return ok(out);
}

function checkCset82(v: string, maxLength: number): string | undefined {
  if (v.length === 0) return 'is empty';
  if (v.length > maxLength) return `is longer than ${maxLength} characters`;
  for (const ch of v) if (!CSET82.includes(ch)) return `contains '${ch}', which GS1 does not allow (CSET 82)`;
  return undefined;
}

function isQualifierSequence(seq: readonly string[]): boolean {
  return GTIN_QUALIFIER_SEQUENCES.some((alt) => {
    let j = 0;
    for (const ai of seq) {
      while (j < alt.length && alt[j] !== ai) j++;
      if (j === alt.length) return false;
      j++;
    }
    return true;
  });
}

/** Splits off the scheme and domain of a full URI; a bare path is returned as it is. */
function pathAndQuery(input: string): Check<string> {
  if (input.startsWith('/')) return ok(input);
  const scheme = SCHEMES.find((s) => input.startsWith(s));
  if (scheme === undefined)
    return fail('must start with http:// or https:// (in one case), or be a path starting with /');
  const rest = input.slice(scheme.length);
  const slash = rest.indexOf('/');
  if (slash <= 0) return fail('needs a domain followed by a path');
  if (BAD_DOMAIN_CHARS.test(rest.slice(0, slash))) return fail('the domain contains a character a domain cannot have');
  return ok(rest.slice(slash));
}

/**
 * parseDigitalLink parses a GS1 Digital Link URI keyed by a GTIN, or just its path (starting with /), strictly:
 *
 * - only URI characters; the scheme http or https in all lower or all upper case; a domain with no character a
 *   domain cannot have; a fragment is ignored;
 * - the path ends with /01/{gtin} and its qualifiers, found from the right, so any stem before them is allowed; the
 *   qualifiers follow GS1's order (22, 10, 21, each at most once) or are 235 alone; every value is non-empty;
 * - values are percent-decoded ('+' is itself in the path, a space in the query) and an encoded NUL is refused; the
 *   GTIN is 14 digits with a correct check digit (see DigitalLinkOptions); other values are CSET 82 within their
 *   maximum length;
 * - in the query, parameters without '=' or with a non-numeric name are not GS1 data and are ignored; a numeric name
 *   must be shaped like an AI (AI_LENGTH_BY_PREFIX), have a value, appear once in the whole link, and not be an AI
 *   that belongs in the path. Attribute values are checked against CSET 82 only, not against each AI's own format:
 *   coldtrace reads them for no purpose.
 *
 * A link keyed by anything but a GTIN fails with a reason saying so.
 */
export function parseDigitalLink(uriOrPath: string, options: DigitalLinkOptions = {}): Check<DigitalLink> {
  if (uriOrPath.length > MAX_URI_LENGTH) return fail(`is longer than ${MAX_URI_LENGTH} characters`);
  for (const ch of uriOrPath) {
    if (!URI_CHAR.test(ch))
      return fail(`contains ${JSON.stringify(ch)}, which a URI cannot have unless percent-encoded`);
  }
  const pq = pathAndQuery(uriOrPath);
  if (!pq.ok) return pq;
  const hash = pq.value.indexOf('#');
  const beforeFragment = hash < 0 ? pq.value : pq.value.slice(0, hash);
  const q = beforeFragment.indexOf('?');
  const path = q < 0 ? beforeFragment : beforeFragment.slice(0, q);
  const query = q < 0 ? '' : beforeFragment.slice(q + 1);

  const segs = path.split('/');
  let root = -1;
  for (let i = segs.length - 2; i >= 1; i -= 2) {
    const ai = segs[i] ?? '';
    if (ai === '01') {
      root = i;
      break;
    }
    if (GTIN_QUALIFIERS.has(ai)) continue;
    if (DL_PRIMARY_KEYS.includes(ai)) return fail(`is keyed by AI (${ai}); only GTIN (01) links are supported`);
    break;
  }
  if (root < 0)
    return fail(
      'has no GTIN in its path: it must end with /01/{gtin}, optionally followed by /10/{lot} and /21/{serial}',
    );

  const values = new Map<string, string>();
  for (let i = root; i < segs.length; i += 2) {
    const ai = segs[i] ?? '';
    const name = ai === '01' ? 'GTIN (01)' : `${AI_NAMES[ai] ?? 'value'} (${ai})`;
    const raw = segs[i + 1] ?? '';
    if (raw === '') return fail(`the ${name} is empty`);
    const v = percentDecode(raw, false);
    if (!v.ok) return fail(`the ${name} ${v.reason}`);
    if (values.has(ai)) return fail(`(${ai}) appears twice in the path`);
    values.set(ai, v.value);
  }
  const qualifiers = [...values.keys()].slice(1);
  if (!isQualifierSequence(qualifiers)) {
    return fail(
      `has qualifiers (${qualifiers.join(')(')}) out of order: after (01) come (22), (10), (21) in that order, or (235) alone`,
    );
  }

  let gtin = values.get('01') ?? '';
  if (options.permitZeroSuppressedGtin === true && [8, 12, 13].includes(gtin.length)) gtin = gtin.padStart(14, '0');
  if (!/^\d{14}$/.test(gtin)) return fail('the GTIN (01) must be 14 digits');
  const check = validateGtin(gtin);
  if (!check.ok) return fail(`the GTIN (01) has a ${check.reason}`);
  for (const ai of qualifiers) {
    const problem = checkCset82(values.get(ai) ?? '', QUALIFIER_MAX_LENGTH[ai] ?? 0);
    if (problem !== undefined) return fail(`the ${AI_NAMES[ai]} (${ai}) ${problem}`);
  }

  const attributes: Record<string, string> = {};
  for (const param of query.split('&')) {
    const eq = param.indexOf('=');
    if (eq < 0) continue;
    const ai = param.slice(0, eq);
    if (!/^\d+$/.test(ai)) continue;
    if (AI_LENGTH_BY_PREFIX[ai.slice(0, 2)] !== ai.length)
      return fail(`query parameter ${ai} is not a GS1 Application Identifier`);
    if (eq === param.length - 1) return fail(`(${ai}) in the query has no value`);
    const v = percentDecode(param.slice(eq + 1), true);
    if (!v.ok) return fail(`(${ai}) in the query ${v.reason}`);
    const problem = checkCset82(v.value, MAX_AI_VALUE_LENGTH);
    if (problem !== undefined) return fail(`(${ai}) in the query ${problem}`);
    if (values.has(ai) || Object.hasOwn(attributes, ai)) return fail(`(${ai}) appears twice`);
    if (PATH_ONLY_AIS.has(ai)) return fail(`(${ai}) belongs in the path, not the query`);
    for (let at = 0; at <= qualifiers.length; at++) {
      if (isQualifierSequence([...qualifiers.slice(0, at), ai, ...qualifiers.slice(at)])) {
        return fail(`(${ai}) belongs in the path, not the query`);
      }
    }
    attributes[ai] = v.value;
  }

  return ok({
    gtin,
    ...(values.has('10') ? { lot: values.get('10') } : {}),
    ...(values.has('21') ? { serial: values.get('21') } : {}),
    ...(values.has('22') ? { cpv: values.get('22') } : {}),
    ...(values.has('235') ? { tpx: values.get('235') } : {}),
    attributes: Object.freeze(attributes),
  });
}

/** A coldtrace lot link: a GTIN Digital Link with a batch/lot. */
export type LotLink = DigitalLink & { readonly lot: string };

/**
 * parseLotLink parses what a coldtrace lot resolves from: a Digital Link as parseDigitalLink accepts it that carries a
 * batch/lot (10) and no CPV (22), since coldtrace lots are named by GTIN and batch alone. A serial (21) names a carton.
 */
export function parseLotLink(uriOrPath: string): Check<LotLink> {
  const dl = parseDigitalLink(uriOrPath);
  if (!dl.ok) return dl;
  if (dl.value.lot === undefined) return fail('has no batch/lot (10): a lot link is /01/{gtin}/10/{lot}');
  if (dl.value.cpv !== undefined) return fail('has a CPV (22), which coldtrace lots do not use');
  return ok({ ...dl.value, lot: dl.value.lot });
}

function percentEncode(v: string): string {
  // Everything but RFC 3986 unreserved characters is escaped, '+' included, as the reference implementation does.
  return v.replace(/[^A-Za-z0-9\-._~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}

/** The parts of a coldtrace Digital Link. */
export type DigitalLinkParts = { readonly gtin: string; readonly lot?: string; readonly serial?: string };

/**
 * digitalLinkPath returns the canonical Digital Link path for a GTIN, lot and serial: /01/{gtin-14}[/10/{lot}]
 * [/21/{serial}], with every character other than letters, digits and - . _ ~ percent-encoded (uppercase hex). The
 * GTIN may be given with 8, 12, 13 or 14 digits. It throws a RangeError for a GTIN validateGtin rejects, or a lot or
 * serial that is not 1 to 20 characters of CSET 82.
 */
export function digitalLinkPath(parts: DigitalLinkParts): string {
  const gtin = validateGtin(parts.gtin);
  if (!gtin.ok) throw new RangeError(`digitalLinkPath: GTIN ${gtin.reason}`);
  let path = `/01/${gtin.value}`;
  for (const [ai, v] of [
    ['10', parts.lot],
    ['21', parts.serial],
  ] as const) {
    if (v === undefined) continue;
    const problem = checkCset82(v, QUALIFIER_MAX_LENGTH[ai] ?? 0);
    if (problem !== undefined) throw new RangeError(`digitalLinkPath: ${AI_NAMES[ai]} (${ai}) ${problem}`);
    path += `/${ai}/${percentEncode(v)}`;
  }
  return path;
}

/**
 * digitalLinkUri returns `stem` (CANONICAL_DL_STEM when undefined; a trailing slash is dropped) followed by
 * digitalLinkPath(parts). It throws a RangeError when the stem is not an http(s) URI without query or fragment.
 */
export function digitalLinkUri(stem: string | undefined, parts: DigitalLinkParts): string {
  const base = (stem ?? CANONICAL_DL_STEM).replace(/\/$/, '');
  if (!/^https?:\/\/[^/?#\s]+(\/[^?#\s]*)?$/.test(base))
    throw new RangeError('digitalLinkUri: stem must be an http(s) URI');
  return base + digitalLinkPath(parts);
}
