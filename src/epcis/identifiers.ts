/**
 * How EPCIS events name things, in both directions: GS1 identifiers made comparable (one canonical form whether an
 * event wrote an EPC URN or a Digital Link), CBV words made comparable (bare word, URN or web URI), and coldtrace's
 * own URIs for its parties, places, vehicles, workers, lots and shipments. Pure.
 */
import { parseLotLink } from '../domain/digital-link.ts';
import { parseCartonCode, validateTraceCode } from '../domain/trace-code.ts';
import { canonicalGs1Uri } from './canonical-uri.ts';
import { CBV } from './event-node.ts';

/** EPCIS_CONTEXT is the standard JSON-LD context of EPCIS 2.0 documents. */
export const EPCIS_CONTEXT = 'https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld';

/**
 * CT_NS is the namespace of coldtrace's EPCIS extension fields (prefix `ct`): `ct:vehicle`, `ct:driver`,
 * `ct:handlers`, `ct:cartons`, `ct:shipment`, `ct:purpose`, `ct:referenceDoc`, `ct:method`, `ct:logIndex`.
 */
export const CT_NS = 'urn:coldtrace:epcis:';
export const CT_PREFIX = 'ct';

/** OurKind is a kind of thing coldtrace names with a `urn:coldtrace:{kind}:{id}` URI. */
export type OurKind = 'party' | 'location' | 'vehicle' | 'worker' | 'lot' | 'shipment' | 'doc';

/** ourUri names one of our things, e.g. urn:coldtrace:party:pty_01…. */
export function ourUri(kind: OurKind, id: string): string {
  return `urn:coldtrace:${kind}:${kind === 'doc' ? encodeURIComponent(id) : id}`;
}

/** ourId returns the id inside `urn:coldtrace:{kind}:{id}`, or null when uri names something else. */
export function ourId(kind: OurKind, uri: unknown): string | null {
  if (typeof uri !== 'string') return null;
  const prefix = `urn:coldtrace:${kind}:`;
  if (!uri.startsWith(prefix) || uri.length === prefix.length) return null;
  const id = uri.slice(prefix.length);
  return kind === 'doc' ? decodeURIComponent(id) : id;
}

/** canonicalId is the form an identifier is indexed and matched in: canonical Digital Link for GS1 keys, else as given. */
export function canonicalId(value: string): string {
  return canonicalGs1Uri(value) ?? value;
}

const CBV_URN: Readonly<Record<'BizStep' | 'Disp', string>> = {
  BizStep: 'urn:epcglobal:cbv:bizstep:',
  Disp: 'urn:epcglobal:cbv:disp:',
};

/**
 * cbvUri returns a business step or disposition as its CBV 2.0 web URI (https://ref.gs1.org/cbv/BizStep-shipping)
 * when it is a CBV term in any of its spellings (bare word, `cbv:` CURIE, EPCIS 1.x URN), and as given otherwise.
 */
export function cbvUri(vocabulary: 'BizStep' | 'Disp', value: string): string {
  const web = `${CBV}${vocabulary}-`;
  if (value.startsWith(web)) return value;
  if (value.startsWith(CBV_URN[vocabulary])) return web + value.slice(CBV_URN[vocabulary].length);
  if (value.startsWith(`cbv:${vocabulary}-`)) return web + value.slice(`cbv:${vocabulary}-`.length);
  if (/^[a-z_]+$/.test(value)) return web + value;
  return value;
}

/** cbvWord returns the bare CBV word of a business step or disposition (shipping), or null when it is not CBV. */
export function cbvWord(vocabulary: 'BizStep' | 'Disp', value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const uri = cbvUri(vocabulary, value);
  const web = `${CBV}${vocabulary}-`;
  return uri.startsWith(web) ? uri.slice(web.length) : null;
}

type Json = Readonly<Record<string, unknown>>;

const EPC_LISTS: readonly (readonly [string, string])[] = [
  ['epcList', 'epc'],
  ['childEPCs', 'child'],
  ['inputEPCList', 'input'],
  ['outputEPCList', 'output'],
];
const QUANTITY_LISTS: readonly (readonly [string, string])[] = [
  ['quantityList', 'class'],
  ['childQuantityList', 'childClass'],
  ['inputQuantityList', 'inputClass'],
  ['outputQuantityList', 'outputClass'],
];

/** IdentifierKind is where in an event an identifier stands; `lot` rows name our lots by id. */
export type IdentifierKind =
  'epc' | 'child' | 'parent' | 'input' | 'output' | 'class' | 'childClass' | 'inputClass' | 'outputClass' | 'lot';

/** eventIdentifiers lists, once each, every identifier an event names with where it stands, canonicalised. */
export function eventIdentifiers(event: Json): { kind: IdentifierKind; value: string }[] {
  const out = new Map<string, { kind: IdentifierKind; value: string }>();
  const add = (kind: string, v: unknown) => {
    if (typeof v !== 'string' || v === '') return;
    const value = canonicalId(v);
    out.set(`${kind} ${value}`, { kind: kind as IdentifierKind, value });
  };
  for (const [list, kind] of EPC_LISTS) for (const v of asArray(event[list])) add(kind, v);
  for (const [list, kind] of QUANTITY_LISTS)
    for (const q of asArray(event[list])) add(kind, (q as Json | null)?.epcClass);
  add('parent', event.parentID);
  return [...out.values()];
}

/** MATCH_KINDS gives the identifier kinds each MATCH_ query parameter looks at (EPCIS 2.0 §8.2.7.1). */
export const MATCH_KINDS: Readonly<Record<string, readonly IdentifierKind[]>> = {
  MATCH_epc: ['epc', 'child'],
  MATCH_parentID: ['parent'],
  MATCH_inputEPC: ['input'],
  MATCH_outputEPC: ['output'],
  MATCH_anyEPC: ['epc', 'child', 'parent', 'input', 'output'],
  MATCH_epcClass: ['class', 'childClass'],
  MATCH_inputEPCClass: ['inputClass'],
  MATCH_outputEPCClass: ['outputClass'],
  MATCH_anyEPCClass: ['class', 'childClass', 'inputClass', 'outputClass'],
};

/** LotRef is how an identifier may name one of our lots: by GTIN and batch, by trace code (and carton), or by id. */
export type LotRef =
  | { readonly by: 'lgtin'; readonly gtin: string; readonly batch: string }
  | { readonly by: 'code'; readonly code: string; readonly serial: number | null }
  | { readonly by: 'id'; readonly id: string };

/**
 * lotRef tells whether an identifier may name one of our lots: an LGTIN (Digital Link /01/{gtin}/10/{batch} on any
 * host, or urn:epc:class:lgtin:…; with a serial, a carton of it), our trace-code URI {publicUrl}/t/{code} or a carton
 * {publicUrl}/t/{code}-00042, or urn:coldtrace:lot:{id}. Whether such a lot exists is for the caller to look up.
 */
export function lotRef(value: string, publicUrl: string): LotRef | null {
  const id = ourId('lot', value);
  if (id) return { by: 'id', id };
  const base = `${publicUrl.replace(/\/+$/, '')}/t/`;
  if (value.startsWith(base)) {
    const rest = value.slice(base.length);
    const lot = validateTraceCode(rest);
    if (lot.ok && !rest.includes('-')) return { by: 'code', code: lot.value, serial: null };
    const carton = parseCartonCode(rest);
    if (carton.ok) return { by: 'code', code: carton.value.lotCode, serial: carton.value.serial };
    return null;
  }
  for (const candidate of [value, canonicalGs1Uri(value)]) {
    if (!candidate || !/^https?:\/\//i.test(candidate)) continue;
    const link = parseLotLink(candidate);
    if (link.ok) return { by: 'lgtin', gtin: link.value.gtin, batch: link.value.lot };
  }
  return null;
}

/** asArray returns value when it is an array, else an empty one. */
export function asArray(value: unknown): readonly unknown[] {
  return Array.isArray(value) ? value : [];
}
