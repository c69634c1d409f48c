/**
 * EPCIS 2.0 JSON-LD query documents written as EPCIS 2.0 XML (valid against GS1's XSD): standard fields in the
 * schema's order, user extensions as elements of their own namespaces after them, CBV values as URNs or web URIs.
 */
import { CBV, GS1_VOC } from './event-node.ts';

type Rec = Record<string, unknown>;

/** CbvFormat is how CBV vocabulary values are written (GS1-CBV-XML-Format): URNs, web URIs, or as stored. */
export type CbvFormat = 'urn' | 'web' | 'asis';

const COMMON = ['eventTime', 'recordTime', 'eventTimeZoneOffset', 'eventID', 'errorDeclaration', 'certificationInfo'];
const TAIL = ['sourceList', 'destinationList', 'sensorElementList', 'persistentDisposition'];
const WHAT = ['action', 'bizStep', 'disposition', 'readPoint', 'bizLocation'];
const ORDER: Readonly<Record<string, readonly string[]>> = {
  ObjectEvent: [...COMMON, 'epcList', ...WHAT, 'bizTransactionList', 'quantityList', ...TAIL, 'ilmd'],
  AggregationEvent: [...COMMON, 'parentID', 'childEPCs', ...WHAT, 'bizTransactionList', 'childQuantityList', ...TAIL],
  TransactionEvent: [...COMMON, 'bizTransactionList', 'parentID', 'epcList', ...WHAT, 'quantityList', ...TAIL],
  TransformationEvent: [
    ...COMMON,
    'inputEPCList',
    'inputQuantityList',
    'outputEPCList',
    'outputQuantityList',
    'transformationID',
    ...WHAT.slice(1),
    'bizTransactionList',
    ...TAIL,
    'ilmd',
  ],
  AssociationEvent: [...COMMON, 'parentID', 'childEPCs', 'childQuantityList', ...WHAT, 'bizTransactionList', ...TAIL],
};
const EPC_LISTS = new Set(['epcList', 'childEPCs', 'inputEPCList', 'outputEPCList']);
const QUANTITY_LISTS = new Set(['quantityList', 'childQuantityList', 'inputQuantityList', 'outputQuantityList']);
const TYPED: Readonly<Record<string, string>> = {
  bizTransactionList: 'bizTransaction',
  sourceList: 'source',
  destinationList: 'destination',
};
/** The CBV vocabulary of a field: its 1.x URN word and its web URI prefix. */
const VOCABULARY: Readonly<Record<string, readonly [string, string]>> = {
  bizStep: ['bizstep', 'BizStep-'],
  disposition: ['disp', 'Disp-'],
  set: ['disp', 'Disp-'],
  unset: ['disp', 'Disp-'],
  bizTransaction: ['btt', 'BTT-'],
  source: ['sdt', 'SDT-'],
  destination: ['sdt', 'SDT-'],
  reason: ['er', 'ER-'],
};

/** escapeXml escapes text for an XML element or a double-quoted attribute. */
export function escapeXml(s: string): string {
  return s.replace(/[&<>"]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : '&quot;'));
}

const NAME = /^[A-Za-z_][\w.-]*$/;

function text(v: unknown): string {
  return typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : '';
}

class Writer {
  readonly out: string[] = [];
  constructor(
    private readonly format: CbvFormat,
    private readonly prefixes: ReadonlyMap<string, string>,
  ) {}

  /** A CBV value of vocabulary field `field`, in the requested form; bare words always become URIs. */
  cbv(field: string, value: string): string {
    const vocab = VOCABULARY[field];
    if (!vocab) return value;
    const [urn, web] = vocab;
    const word = value.startsWith(`urn:epcglobal:cbv:${urn}:`)
      ? value.slice(`urn:epcglobal:cbv:${urn}:`.length)
      : value.startsWith(`${CBV}${web}`)
        ? value.slice(CBV.length + web.length)
        : /^[\w-]+$/.test(value)
          ? value
          : null;
    if (word === null || (this.format === 'asis' && value !== word)) return value;
    return this.format === 'web' ? `${CBV}${web}${word}` : `urn:epcglobal:cbv:${urn}:${word}`;
  }

  leaf(name: string, value: string, attrs = ''): void {
    this.out.push(`<${name}${attrs}>${escapeXml(value)}</${name}>`);
  }

  /**
   * A user extension member: `prefix:local` with a known prefix, or (inside another extension) a plain name;
   * anything else has no XML name and is left out.
   */
  extension(key: string, value: unknown, nested = false): void {
    const colon = key.indexOf(':');
    const named =
      colon > 0
        ? this.prefixes.has(key.slice(0, colon)) && NAME.test(key.slice(colon + 1))
        : nested && NAME.test(key) && !key.startsWith('xml');
    if (!named) return;
    if (Array.isArray(value)) {
      for (const v of value as unknown[]) this.extension(key, v, nested);
      return;
    }
    if (value === null || typeof value !== 'object') return this.leaf(key, text(value));
    const entries = Object.entries(value as Rec);
    this.out.push(`<${key}>`);
    for (const [k, v] of entries) if (k !== '#text') this.extension(k, v, true);
    const t = (value as Rec)['#text'];
    if (t !== undefined) this.out.push(escapeXml(text(t)));
    this.out.push(`</${key}>`);
  }

  extensions(object: Rec, standard: ReadonlySet<string>): void {
    for (const [k, v] of Object.entries(object)) if (!standard.has(k)) this.extension(k, v);
  }

  attributes(object: Rec): string {
    let s = '';
    for (const [k, v] of Object.entries(object)) {
      if (v === null || typeof v === 'object') continue;
      const colon = k.indexOf(':');
      if (colon > 0 && !this.prefixes.has(k.slice(0, colon))) continue;
      let value = text(v);
      if (k === 'type' && /^\w+$/.test(value)) value = `gs1:${value}`;
      if (k === 'component' && /^\w+$/.test(value)) value = `${CBV}Comp-${value}`;
      s += ` ${k}="${escapeXml(value)}"`;
    }
    return s;
  }

  field(name: string, value: unknown): void {
    if (EPC_LISTS.has(name)) {
      this.out.push(`<${name}>`);
      for (const epc of (value as unknown[]) ?? []) this.leaf('epc', text(epc));
      this.out.push(`</${name}>`);
    } else if (QUANTITY_LISTS.has(name)) {
      this.out.push(`<${name}>`);
      for (const q of value as Rec[]) {
        this.out.push('<quantityElement>');
        this.leaf('epcClass', text(q.epcClass));
        if (q.quantity !== undefined) this.leaf('quantity', text(q.quantity));
        if (q.uom !== undefined) this.leaf('uom', text(q.uom));
        this.out.push('</quantityElement>');
      }
      this.out.push(`</${name}>`);
    } else if (TYPED[name]) {
      const item = TYPED[name];
      const items = value as Rec[];
      if (items.length === 0) return;
      this.out.push(`<${name}>`);
      for (const i of items) {
        const type = i.type === undefined ? '' : ` type="${escapeXml(this.cbv(item, text(i.type)))}"`;
        this.leaf(item, text(i[item]), type);
      }
      this.out.push(`</${name}>`);
    } else if (name === 'readPoint' || name === 'bizLocation') {
      const o = value as Rec;
      this.out.push(`<${name}>`);
      this.leaf('id', text(o.id));
      this.extensions(o, new Set(['id']));
      this.out.push(`</${name}>`);
    } else if (name === 'ilmd') {
      this.out.push('<ilmd>');
      this.extensions(value as Rec, new Set());
      this.out.push('</ilmd>');
    } else if (name === 'persistentDisposition') {
      const o = value as Rec;
      this.out.push('<persistentDisposition>');
      for (const k of ['unset', 'set']) for (const v of (o[k] as unknown[]) ?? []) this.leaf(k, this.cbv(k, text(v)));
      this.out.push('</persistentDisposition>');
    } else if (name === 'errorDeclaration') {
      const o = value as Rec;
      this.out.push('<errorDeclaration>');
      this.leaf('declarationTime', text(o.declarationTime));
      if (o.reason !== undefined) this.leaf('reason', this.cbv('reason', text(o.reason)));
      if (Array.isArray(o.correctiveEventIDs)) {
        this.out.push('<correctiveEventIDs>');
        for (const id of o.correctiveEventIDs as unknown[]) this.leaf('correctiveEventID', text(id));
        this.out.push('</correctiveEventIDs>');
      }
      this.extensions(o, new Set(['declarationTime', 'reason', 'correctiveEventIDs']));
      this.out.push('</errorDeclaration>');
    } else if (name === 'sensorElementList') {
      this.out.push('<sensorElementList>');
      for (const e of value as Rec[]) {
        this.out.push('<sensorElement>');
        if (e.sensorMetadata) this.out.push(`<sensorMetadata${this.attributes(e.sensorMetadata as Rec)}/>`);
        for (const r of (e.sensorReport as Rec[]) ?? []) this.out.push(`<sensorReport${this.attributes(r)}/>`);
        this.extensions(e, new Set(['sensorMetadata', 'sensorReport']));
        this.out.push('</sensorElement>');
      }
      this.out.push('</sensorElementList>');
    } else if (name === 'certificationInfo') {
      // The XML binding has room for one certificate.
      this.leaf(name, text(Array.isArray(value) ? value[0] : value));
    } else this.leaf(name, this.cbv(name, text(value)));
  }

  event(e: Rec): void {
    const type = text(e.type);
    const order = ORDER[type];
    if (!order) return;
    this.out.push(`<${type}>`);
    for (const name of order) if (e[name] !== undefined && e[name] !== null) this.field(name, e[name]);
    this.extensions(e, new Set([...order, 'type', '@context']));
    this.out.push(`</${type}>`);
  }
}

function contextPrefixes(context: unknown, into: Map<string, string>): void {
  for (const entry of Array.isArray(context) ? (context as unknown[]) : [context]) {
    if (entry === null || typeof entry !== 'object') continue;
    for (const [prefix, uri] of Object.entries(entry as Rec))
      if (typeof uri === 'string' && /^[A-Za-z_][\w.-]*$/.test(prefix) && prefix !== 'epcisq') into.set(prefix, uri);
  }
}

/**
 * queryDocumentXml writes an EPCIS 2.0 JSON-LD EPCISQueryDocument (as the query routes build it) as an EPCIS 2.0
 * XML EPCISQueryDocument. Each namespace prefix of the document's and the events' `@context` is declared; a member
 * whose name has no namespace is left out, as XML has no place for it.
 */
export function queryDocumentXml(document: Rec, format: CbvFormat = 'urn'): string {
  const prefixes = new Map<string, string>([['gs1', GS1_VOC]]);
  contextPrefixes(document['@context'], prefixes);
  const results = ((document.epcisBody as Rec | undefined)?.queryResults ?? {}) as Rec;
  const events = (((results.resultsBody as Rec | undefined)?.eventList as Rec[] | undefined) ?? []).filter(
    (e) => e && typeof e === 'object',
  );
  for (const e of events) contextPrefixes(e['@context'], prefixes);
  const w = new Writer(format, prefixes);
  const xmlns = [...prefixes].map(([p, uri]) => ` xmlns:${p}="${escapeXml(uri)}"`).join('');
  w.out.push(
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<epcisq:EPCISQueryDocument xmlns:epcisq="urn:epcglobal:epcis-query:xsd:2"${xmlns}` +
      ` schemaVersion="2.0" creationDate="${escapeXml(text(document.creationDate))}">`,
    '<EPCISBody><epcisq:QueryResults>',
  );
  w.leaf('queryName', text(results.queryName) || 'SimpleEventQuery');
  if (results.subscriptionID !== undefined) w.leaf('subscriptionID', text(results.subscriptionID));
  w.out.push('<resultsBody><EventList>');
  for (const e of events) w.event(e);
  w.out.push('</EventList></resultsBody></epcisq:QueryResults></EPCISBody></epcisq:EPCISQueryDocument>');
  return w.out.join('');
}
