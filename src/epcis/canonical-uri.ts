/**
 * GS1 identifier normalisation for the EPCIS event hash (CBV 2.0 §8.9): every EPC URI, EPC class URI, EPC pattern
 * URI or GS1 Digital Link URI that carries a GS1 key becomes one constrained canonical Digital Link URI on
 * https://id.gs1.org, at the finest identification level present, without CPV, query string or fragment.
 */

const DL_ROOT = 'https://id.gs1.org/';

/** Characters EPC URIs leave bare but the Digital Link standard (table 7-1) requires to be percent-encoded. */
function encodeForWebUri(component: string): string {
  return component.replace(/[!()*+,:]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** checkDigit returns the GS1 modulo-10 check digit for a key body without its check digit. */
export function checkDigit(body: string): string {
  let sum = 0;
  for (let i = 0; i < body.length; i++) {
    const digit = body.charCodeAt(body.length - 1 - i) - 48;
    sum += i % 2 === 0 ? digit * 3 : digit;
  }
  return String((10 - (sum % 10)) % 10);
}

function withCheck(body: string): string {
  return body + checkDigit(body);
}

/** Splits `body` on the first `count - 1` dots; the last part keeps any further dots (serials may contain them). */
function fields(body: string, count: number): string[] | null {
  const parts: string[] = [];
  let rest = body;
  for (let i = 0; i < count - 1; i++) {
    const dot = rest.indexOf('.');
    if (dot < 0) return null;
    parts.push(rest.slice(0, dot));
    rest = rest.slice(dot + 1);
  }
  parts.push(rest);
  return parts;
}

/** A GTIN-14 from an EPC company prefix and item reference (whose first digit is the indicator). */
function gtin(companyPrefix: string, itemRef: string): string | null {
  if (!/^\d{6,12}$/.test(companyPrefix) || !/^\d+$/.test(itemRef) || companyPrefix.length + itemRef.length !== 13) {
    return null;
  }
  return withCheck(itemRef.slice(0, 1) + companyPrefix + itemRef.slice(1));
}

/** Company prefix plus a numeric reference, together `total` digits, plus check digit. */
function numericKey(companyPrefix: string, ref: string, total: number): string | null {
  if (!/^\d{6,12}$/.test(companyPrefix) || !/^\d*$/.test(ref) || companyPrefix.length + ref.length !== total) {
    return null;
  }
  return withCheck(companyPrefix + ref);
}

const EPC_CHARS = /^(?:%[0-9A-Fa-f]{2}|[!'()*+,.\-0-9:;=A-Za-z_])+$/;

type Converter = (body: string) => string | null;

const EPC_ID: Record<string, Converter> = {
  sgtin: (b) => {
    const [cp, ir, ser] = fields(b, 3) ?? [];
    const g = cp !== undefined && ir !== undefined ? gtin(cp, ir) : null;
    return g && ser && EPC_CHARS.test(ser) ? `01/${g}/21/${encodeForWebUri(ser)}` : null;
  },
  sscc: (b) => {
    const [cp, sr] = fields(b, 2) ?? [];
    if (cp === undefined || sr === undefined) return null;
    const key = numericKey(cp, sr.slice(1), 16);
    return key ? `00/${withCheck(sr.slice(0, 1) + cp + sr.slice(1))}` : null;
  },
  sgln: (b) => {
    const [cp, lr, ext] = fields(b, 3) ?? [];
    const gln = cp !== undefined && lr !== undefined ? numericKey(cp, lr, 12) : null;
    if (!gln || !ext || !EPC_CHARS.test(ext)) return null;
    return ext === '0' ? `414/${gln}` : `414/${gln}/254/${encodeForWebUri(ext)}`;
  },
  grai: (b) => {
    const [cp, at, ser] = fields(b, 3) ?? [];
    const key = cp !== undefined && at !== undefined ? numericKey(cp, at, 12) : null;
    return key && ser && EPC_CHARS.test(ser) ? `8003/${withCheck(`0${cp}${at}`)}${encodeForWebUri(ser)}` : null;
  },
  giai: (b) => {
    const [cp, ar] = fields(b, 2) ?? [];
    return cp && /^\d{6,12}$/.test(cp) && ar && EPC_CHARS.test(ar) ? `8004/${cp}${encodeForWebUri(ar)}` : null;
  },
  gsrn: (b) => {
    const [cp, sr] = fields(b, 2) ?? [];
    const key = cp !== undefined && sr !== undefined ? numericKey(cp, sr, 17) : null;
    return key ? `8018/${key}` : null;
  },
  gsrnp: (b) => {
    const [cp, sr] = fields(b, 2) ?? [];
    const key = cp !== undefined && sr !== undefined ? numericKey(cp, sr, 17) : null;
    return key ? `8017/${key}` : null;
  },
  gdti: (b) => {
    const [cp, dt, ser] = fields(b, 3) ?? [];
    const key = cp !== undefined && dt !== undefined ? numericKey(cp, dt, 12) : null;
    return key && ser && EPC_CHARS.test(ser) ? `253/${key}${encodeForWebUri(ser)}` : null;
  },
  cpi: (b) => {
    const last = b.lastIndexOf('.');
    const [cp, ref] = fields(b.slice(0, last), 2) ?? [];
    const ser = b.slice(last + 1);
    if (last < 0 || !cp || !/^\d{6,12}$/.test(cp) || !ref || !/^\d{1,12}$/.test(ser)) return null;
    return `8010/${encodeForWebUri(cp + ref)}/8011/${ser}`;
  },
  sgcn: (b) => {
    const [cp, cr, ser] = fields(b, 3) ?? [];
    const key = cp !== undefined && cr !== undefined ? numericKey(cp, cr, 12) : null;
    return key && ser !== undefined && /^\d{1,12}$/.test(ser) ? `255/${key}${ser}` : null;
  },
  ginc: (b) => {
    const [cp, ref] = fields(b, 2) ?? [];
    return cp && /^\d{6,12}$/.test(cp) && ref && EPC_CHARS.test(ref) ? `401/${cp}${encodeForWebUri(ref)}` : null;
  },
  gsin: (b) => {
    const [cp, sr] = fields(b, 2) ?? [];
    const key = cp !== undefined && sr !== undefined ? numericKey(cp, sr, 16) : null;
    return key ? `402/${key}` : null;
  },
  itip: (b) => {
    const [cp, ir, piece, total, ser] = fields(b, 5) ?? [];
    const g = cp !== undefined && ir !== undefined ? gtin(cp, ir) : null;
    if (!g || !piece || !total || !/^\d{2}$/.test(piece) || !/^\d{2}$/.test(total) || !ser) return null;
    return EPC_CHARS.test(ser) ? `8006/${g}${piece}${total}/21/${encodeForWebUri(ser)}` : null;
  },
  upui: (b) => {
    const [cp, ir, tpx] = fields(b, 3) ?? [];
    const g = cp !== undefined && ir !== undefined ? gtin(cp, ir) : null;
    return g && tpx && EPC_CHARS.test(tpx) ? `01/${g}/235/${encodeForWebUri(tpx)}` : null;
  },
  pgln: (b) => {
    const [cp, pr] = fields(b, 2) ?? [];
    const key = cp !== undefined && pr !== undefined ? numericKey(cp, pr, 12) : null;
    return key ? `417/${key}` : null;
  },
};

const EPC_CLASS: Record<string, Converter> = {
  lgtin: (b) => {
    const [cp, ir, lot] = fields(b, 3) ?? [];
    const g = cp !== undefined && ir !== undefined ? gtin(cp, ir) : null;
    return g && lot && EPC_CHARS.test(lot) ? `01/${g}/10/${encodeForWebUri(lot)}` : null;
  },
};

/** Pattern URIs keep only the class-level key: the part before the `*` wildcard. */
const EPC_PATTERN: Record<string, Converter> = {
  sgtin: (b) => {
    const [cp, ir, star] = fields(b, 3) ?? [];
    const g = cp !== undefined && ir !== undefined && star === '*' ? gtin(cp, ir) : null;
    return g ? `01/${g}` : null;
  },
  upui: (b) => EPC_PATTERN.sgtin?.(b) ?? null,
  grai: (b) => {
    const [cp, at, star] = fields(b, 3) ?? [];
    const key = cp !== undefined && at !== undefined && star === '*' ? numericKey(cp, at, 12) : null;
    return key ? `8003/${withCheck(`0${cp}${at}`)}` : null;
  },
  gdti: (b) => {
    const [cp, dt, star] = fields(b, 3) ?? [];
    const key = cp !== undefined && dt !== undefined && star === '*' ? numericKey(cp, dt, 12) : null;
    return key ? `253/${key}` : null;
  },
  sgcn: (b) => {
    const [cp, cr, star] = fields(b, 3) ?? [];
    const key = cp !== undefined && cr !== undefined && star === '*' ? numericKey(cp, cr, 12) : null;
    return key ? `255/${key}` : null;
  },
  cpi: (b) => {
    const [cp, ref, star] = fields(b, 3) ?? [];
    return cp && /^\d{6,12}$/.test(cp) && ref && star === '*' ? `8010/${encodeForWebUri(cp + ref)}` : null;
  },
  itip: (b) => {
    const [cp, ir, piece, total, star] = fields(b, 5) ?? [];
    const g = cp !== undefined && ir !== undefined && star === '*' ? gtin(cp, ir) : null;
    return g && piece && total && /^\d{2}$/.test(piece) && /^\d{2}$/.test(total) ? `8006/${g}${piece}${total}` : null;
  },
};

const SHORT_NAMES: Record<string, string> = {
  gtin: '01',
  itip: '8006',
  cpid: '8010',
  gln: '414',
  party: '417',
  gsrnp: '8017',
  gsrn: '8018',
  gcn: '255',
  sscc: '00',
  gdti: '253',
  ginc: '401',
  gsin: '402',
  grai: '8003',
  giai: '8004',
  cpv: '22',
  lot: '10',
  ser: '21',
};

const PRIMARY_KEYS = new Set([
  '01',
  '8006',
  '8010',
  '414',
  '417',
  '8017',
  '8018',
  '255',
  '00',
  '253',
  '401',
  '402',
  '8003',
  '8004',
]);

const DL_VALUE = `[\\x22\\x27\\x2D\\x2E\\x30-\\x39\\x3B-\\x3F\\x41-\\x5A\\x5F\\x61-\\x7A]`;
const VALID_DL = [
  /^00\/\d{18}$/,
  new RegExp(`^01/\\d{14}(/(21|10)/${DL_VALUE}{0,20})?$`),
  new RegExp(`^01/\\d{14}/235/${DL_VALUE}{0,28}$`),
  new RegExp(`^253/\\d{13}${DL_VALUE}{0,17}$`),
  /^255\/\d{13}\d{0,12}$/,
  new RegExp(`^(401|8004)/${DL_VALUE}{0,30}$`),
  /^402\/\d{17}$/,
  /^41[47]\/\d{13}$/,
  new RegExp(`^414/\\d{13}/254/${DL_VALUE}{0,20}$`),
  new RegExp(`^8003/\\d{14}${DL_VALUE}{0,16}$`),
  new RegExp(`^8006/\\d{18}(/(21|10)/${DL_VALUE}{0,20})?$`),
  /^8010\/[#\-/0-9A-Z]{0,30}(\/8011\/\d{0,12})?$/,
  /^801[78]\/\d{18}$/,
];

/** Digital Link on any host, with short names, CPV and lot-plus-serial reduced to the constrained canonical form. */
function normaliseDigitalLink(uri: string): string | null {
  const m = /^https?:\/\/[^/?#]*(\/[^?#]*)/.exec(uri);
  if (!m?.[1]) return null;
  const segments = m[1]
    .split('/')
    .slice(1)
    .map((s) => SHORT_NAMES[s] ?? s);
  const start = segments.findIndex((s, i) => PRIMARY_KEYS.has(s) && /^\d{4}/.test(segments[i + 1] ?? ''));
  if (start < 0) return null;
  const [key = '', value = ''] = segments.slice(start, start + 2);
  let keyValue = value;
  if (key === '01' && /^\d+$/.test(value) && [8, 12, 13].includes(value.length)) keyValue = value.padStart(14, '0');
  const pairs: [string, string][] = [];
  const rest = segments.slice(start + 2).filter((s, i, all) => s !== '' || i < all.length - 1);
  for (let i = 0; i + 1 < rest.length; i += 2) pairs.push([rest[i] ?? '', rest[i + 1] ?? '']);
  const qualifiers = pairs.filter(([ai]) => ai !== '22');
  const kept = qualifiers.some(([ai]) => ai === '21') ? qualifiers.filter(([ai]) => ai !== '10') : qualifiers;
  const path = [key, keyValue, ...kept.flat()].join('/');
  return VALID_DL.some((re) => re.test(path)) ? DL_ROOT + path : null;
}

/**
 * canonicalGs1Uri returns the constrained canonical GS1 Digital Link URI for an EPC URI, EPC class URI, EPC pattern
 * URI or Digital Link URI carrying a GS1 key, or null when `uri` is none of these (the caller keeps it unchanged).
 */
export function canonicalGs1Uri(uri: string): string | null {
  const urn = /^urn:epc:(id|class|idpat):([a-z]+):(.*)$/.exec(uri);
  if (urn) {
    const [, kind = '', scheme = '', body = ''] = urn;
    const table = kind === 'id' ? EPC_ID : kind === 'class' ? EPC_CLASS : EPC_PATTERN;
    const path = Object.hasOwn(table, scheme) ? table[scheme]?.(body) : null;
    return path ? DL_ROOT + path : null;
  }
  return /^https?:/.test(uri) ? normaliseDigitalLink(uri) : null;
}
