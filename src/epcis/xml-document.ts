/**
 * EPCIS XML documents (2.0, and 1.2 with its `extension`/`baseExtension` wrappers) into the EPCIS 2.0 JSON-LD form
 * that capture takes, so a document captured as XML goes through the same validation, mapping and storage as its
 * JSON-LD twin, and its events get the same CBV hash IDs. User extensions keep their namespaces: each namespace a
 * document uses gets a prefix in the `@context` (the document's own prefix where it has one). The SBDH and
 * EPCISHeader are read past: capture needs nothing from them.
 */
import type { XmlNode } from './xml-tree.ts';
import { parseXmlTree } from './xml-tree.ts';
import { EPCIS_CONTEXT } from './identifiers.ts';

type Rec = Record<string, unknown>;

/** XmlDocumentError names what is wrong in an XML document: the element's path and the reason. */
export class XmlDocumentError extends Error {
  constructor(
    readonly field: string,
    readonly reason: string,
  ) {
    super(`${field}: ${reason}`);
  }
}

const EPCIS_NS = /^urn:epcglobal:epcis(q|-query|-mda)?:xsd:[12]$/;
const SBDH_NS = 'http://www.unece.org/cefact/namespaces/StandardBusinessDocumentHeader';
const XSI_NS = 'http://www.w3.org/2001/XMLSchema-instance';
const STANDARD = (ns: string) => ns === '' || EPCIS_NS.test(ns) || ns === SBDH_NS || ns === XSI_NS;

const EVENT_TYPES = new Set([
  'ObjectEvent',
  'AggregationEvent',
  'TransactionEvent',
  'TransformationEvent',
  'AssociationEvent',
]);
const WRAPPERS = new Set(['extension', 'baseExtension']);
const STRINGS = new Set([
  'eventTime',
  'recordTime',
  'eventTimeZoneOffset',
  'eventID',
  'action',
  'bizStep',
  'disposition',
  'parentID',
  'transformationID',
  'certificationInfo',
]);
const EPC_LISTS = new Set(['epcList', 'childEPCs', 'inputEPCList', 'outputEPCList']);
const QUANTITY_LISTS = new Set(['quantityList', 'childQuantityList', 'inputQuantityList', 'outputQuantityList']);
const TYPED_LISTS: Readonly<Record<string, string>> = {
  bizTransactionList: 'bizTransaction',
  sourceList: 'source',
  destinationList: 'destination',
};
/** Fields whose CBV 1.x URN values (`urn:epcglobal:cbv:bizstep:receiving`) EPCIS 2.0 JSON writes as bare words. */
const CBV_URN = /^urn:epcglobal:cbv:(bizstep|disp|btt|sdt|er):(.+)$/;
const bare = (value: string): string => CBV_URN.exec(value)?.[2] ?? value;
const VOCABULARY_FIELDS = new Set(['bizStep', 'disposition']);
const KNOWN = new Set([
  ...STRINGS,
  ...EPC_LISTS,
  ...QUANTITY_LISTS,
  ...Object.keys(TYPED_LISTS),
  'readPoint',
  'bizLocation',
  'ilmd',
  'persistentDisposition',
  'errorDeclaration',
  'sensorElementList',
]);
const NUMBERS = new Set(['value', 'minValue', 'maxValue', 'meanValue', 'sDev', 'percRank', 'percValue']);

/** Children with `extension`/`baseExtension` wrappers (EPCIS 1.x, and 2.0's own) replaced by their children. */
function flat(children: readonly XmlNode[]): XmlNode[] {
  return children.flatMap((c) => (c.ns === '' && WRAPPERS.has(c.local) ? flat(c.children) : [c]));
}

function child(e: XmlNode, local: string): XmlNode | undefined {
  return e.children.find((c) => c.local === local && STANDARD(c.ns));
}

class Converter {
  /** Namespace URI → the prefix it has in the `@context`. */
  readonly prefixes = new Map<string, string>();
  private readonly taken = new Map<string, string>();

  /** prefixOf gives a user namespace a prefix: the document's own for it when free, else ext1, ext2, … */
  prefixOf(ns: string, preferred: string): string {
    const known = this.prefixes.get(ns);
    if (known !== undefined) return known;
    let prefix = preferred && !this.taken.has(preferred) && /^[A-Za-z_][\w.-]*$/.test(preferred) ? preferred : '';
    for (let n = 1; !prefix; n++) if (!this.taken.has(`ext${n}`)) prefix = `ext${n}`;
    this.prefixes.set(ns, prefix);
    this.taken.set(prefix, ns);
    return prefix;
  }

  /** Prefixes the document declares for GS1 vocabularies, so CURIEs in values resolve as they did in the XML. */
  declare(scope: ReadonlyMap<string, string>): void {
    for (const [prefix, ns] of scope)
      if (prefix && !STANDARD(ns) && !this.taken.has(prefix) && !this.prefixes.has(ns)) this.prefixOf(ns, prefix);
  }

  name(ns: string, local: string, prefix: string): string {
    return ns === '' ? local : `${this.prefixOf(ns, prefix)}:${local}`;
  }

  /** A user extension element: its text, or an object of its attributes and children (repeated names → arrays). */
  user(e: XmlNode): unknown {
    this.declare(e.scope);
    // xsi:type and the like describe the XML, not the value.
    const attributes = e.attributes.filter(([ns]) => ns !== XSI_NS);
    if (e.children.length === 0 && attributes.length === 0) return e.text;
    const out: Rec = {};
    for (const [ns, local, prefix, value] of attributes) out[this.name(ns, local, prefix)] = value;
    this.members(out, e.children, (c) => this.user(c));
    if (e.text) out['#text'] = e.text;
    return out;
  }

  private members(out: Rec, children: readonly XmlNode[], value: (c: XmlNode) => unknown): void {
    for (const c of children) {
      const key = this.name(c.ns, c.local, c.prefix);
      const v = value(c);
      const prior = out[key];
      if (prior === undefined) out[key] = v;
      // user() never gives an array, so an array here is a repeated element.
      else if (Array.isArray(prior)) prior.push(v);
      else out[key] = [prior, v];
    }
  }

  /** Extension members of a standard element (a readPoint, an ilmd, an error declaration, …). */
  extensions(out: Rec, children: readonly XmlNode[], path: string): Rec {
    const standard = children.filter((c) => STANDARD(c.ns));
    if (standard.length > 0) throw new XmlDocumentError(`${path}/${standard[0]!.local}`, 'is not an element of EPCIS');
    this.members(out, children, (c) => this.user(c));
    return out;
  }

  attributes(e: XmlNode): Rec {
    const out: Rec = {};
    for (const [ns, local, prefix, value] of e.attributes) {
      if (ns === XSI_NS) continue;
      if (ns !== '') out[this.name(ns, local, prefix)] = value;
      else if (NUMBERS.has(local)) out[local] = Number(value);
      else if (local === 'booleanValue') out[local] = value === 'true' || value === '1';
      else out[local] = value;
    }
    return out;
  }

  event(e: XmlNode, path: string): Rec {
    this.declare(e.scope);
    const out: Rec = { type: e.local };
    const direct = new Set(e.children);
    for (const c of flat(e.children)) {
      const at = `${path}/${c.local}`;
      // An element of no namespace that EPCIS does not define, inside a 1.x `extension` wrapper, has no name in
      // EPCIS 2.0 JSON-LD (extensions need a namespace); it is left out, as the 1.2 schema (##other) would refuse it.
      if (c.ns === '' && !direct.has(c) && !KNOWN.has(c.local)) continue;
      if (!STANDARD(c.ns)) {
        this.members(out, [c], (x) => this.user(x));
        continue;
      }
      if (out[c.local] !== undefined) throw new XmlDocumentError(at, 'appears more than once');
      out[c.local] = this.field(c, at);
    }
    return out;
  }

  private field(c: XmlNode, at: string): unknown {
    const name = c.local;
    const kids = flat(c.children);
    if (VOCABULARY_FIELDS.has(name)) return bare(c.text);
    if (STRINGS.has(name)) return c.text;
    if (EPC_LISTS.has(name)) return kids.map((k) => k.text);
    if (QUANTITY_LISTS.has(name))
      return kids.map((q, i) => {
        const out: Rec = {};
        for (const f of flat(q.children)) {
          if (f.local === 'quantity') {
            // xsi:nil="true": the quantity is unknown, and JSON leaves it out.
            if (f.text === '' && f.attributes.some(([ns, l, , v]) => ns === XSI_NS && l === 'nil' && v === 'true'))
              continue;
            const n = Number(f.text);
            if (f.text === '' || !Number.isFinite(n))
              throw new XmlDocumentError(`${at}/quantityElement[${i + 1}]/quantity`, 'must be a decimal number');
            out.quantity = n;
          } else out[f.ns === '' ? f.local : this.name(f.ns, f.local, f.prefix)] = f.text;
        }
        return out;
      });
    const item = TYPED_LISTS[name];
    if (item)
      return kids.map((k) => {
        const type = k.attributes.find(([ns, local]) => ns === '' && local === 'type');
        return { ...(type ? { type: bare(type[3]) } : {}), [item]: k.text };
      });
    switch (name) {
      case 'readPoint':
      case 'bizLocation': {
        const id = child(c, 'id');
        return this.extensions(
          { id: id?.text ?? '' },
          kids.filter((k) => k !== id),
          at,
        );
      }
      case 'ilmd':
        return this.extensions({}, kids, at);
      case 'persistentDisposition': {
        const out: Rec = {};
        for (const k of kids) ((out[k.local] ??= []) as string[]).push(bare(k.text));
        return out;
      }
      case 'errorDeclaration': {
        const out: Rec = {};
        const rest: XmlNode[] = [];
        for (const k of kids) {
          if (k.local === 'declarationTime') out.declarationTime = k.text;
          else if (k.local === 'reason') out.reason = bare(k.text);
          else if (k.local === 'correctiveEventIDs') out.correctiveEventIDs = flat(k.children).map((x) => x.text);
          else rest.push(k);
        }
        return this.extensions(out, rest, at);
      }
      case 'sensorElementList':
        return kids.map((s, i) => {
          const out: Rec = {};
          const rest: XmlNode[] = [];
          for (const k of flat(s.children)) {
            // sensorMetaData: as GS1's own EPCIS 1.2 AssociationEvent example spells it.
            if ((k.local === 'sensorMetadata' || k.local === 'sensorMetaData') && STANDARD(k.ns))
              out.sensorMetadata = this.attributes(k);
            else if (k.local === 'sensorReport' && STANDARD(k.ns))
              ((out.sensorReport ??= []) as Rec[]).push(this.attributes(k));
            else rest.push(k);
          }
          return this.extensions(out, rest, `${at}/sensorElement[${i + 1}]`);
        });
      default:
        throw new XmlDocumentError(at, 'is not an element of an EPCIS event');
    }
  }
}

function eventsOf(list: XmlNode, path: string, converter: Converter): Rec[] {
  const counts = new Map<string, number>();
  return flat(list.children).map((e) => {
    const n = (counts.get(e.local) ?? 0) + 1;
    counts.set(e.local, n);
    const at = `${path}/${e.local}[${n}]`;
    if (!STANDARD(e.ns) || !EVENT_TYPES.has(e.local))
      throw new XmlDocumentError(at, 'is not an EPCIS event (ObjectEvent, AggregationEvent, …)');
    return converter.event(e, at);
  });
}

function contextOf(converter: Converter): unknown {
  const own = Object.fromEntries([...converter.prefixes].map(([ns, prefix]) => [prefix, ns]));
  return Object.keys(own).length > 0 ? [EPCIS_CONTEXT, own] : EPCIS_CONTEXT;
}

/** XmlCapture is an XML document read for capture: its EPCIS 2.0 JSON-LD form and the version it was written in. */
export interface XmlCapture {
  readonly document: Rec;
  readonly schemaVersion: string;
}

/**
 * xmlToEpcisDocument reads an EPCIS XML document (EPCISDocument or EPCISQueryDocument, 2.0 or 1.2, with or
 * without SBDH) into its EPCIS 2.0 JSON-LD form. Hostile XML is refused before parsing (XmlRefusal); a document
 * that is not EPCIS is an XmlDocumentError naming the element's path.
 */
export function xmlToEpcisDocument(xml: string, maxBytes: number): XmlCapture {
  const root = parseXmlTree(xml, maxBytes);
  const converter = new Converter();
  const version = root.attributes.find(([ns, local]) => ns === '' && local === 'schemaVersion')?.[3] ?? '';
  const created = root.attributes.find(([ns, local]) => ns === '' && local === 'creationDate')?.[3];
  const base: Rec = { type: root.local, schemaVersion: '2.0', ...(created ? { creationDate: created } : {}) };
  if (!EPCIS_NS.test(root.ns) || (root.local !== 'EPCISDocument' && root.local !== 'EPCISQueryDocument'))
    throw new XmlDocumentError(`/${root.local}`, 'must be an EPCISDocument or EPCISQueryDocument');
  converter.declare(root.scope);
  const ignore = root.children.find((c) => c.local === 'ignoreFields' && !STANDARD(c.ns));
  if (ignore)
    base[converter.name(ignore.ns, ignore.local, ignore.prefix)] = ignore.children.map((c) =>
      converter.name(c.ns, c.local, c.prefix),
    );
  // A query document's results are read whether or not they sit in EPCISBody/QueryResults.
  const body = child(root, 'EPCISBody') ?? (root.local === 'EPCISQueryDocument' ? root : undefined);
  if (!body) throw new XmlDocumentError(`/${root.local}/EPCISBody`, 'is missing');
  const at = `/${root.local}/EPCISBody`;
  let epcisBody: Rec;
  if (root.local === 'EPCISDocument') {
    const list = child(body, 'EventList');
    epcisBody = { eventList: list ? eventsOf(list, `${at}/EventList`, converter) : [] };
  } else {
    const results = child(body, 'QueryResults') ?? body;
    const list = child(child(results, 'resultsBody') ?? results, 'EventList');
    const subscriptionID = child(results, 'subscriptionID')?.text;
    epcisBody = {
      queryResults: {
        queryName: child(results, 'queryName')?.text ?? '',
        ...(subscriptionID ? { subscriptionID } : {}),
        resultsBody: {
          eventList: list ? eventsOf(list, `${at}/QueryResults/resultsBody/EventList`, converter) : [],
        },
      },
    };
  }
  return { document: { '@context': contextOf(converter), ...base, epcisBody }, schemaVersion: version };
}

/**
 * xmlToEpcisEvent reads the XML body of a single-event capture: a bare event element, or an EPCIS document holding
 * exactly one event; it returns the event in JSON-LD form with its `@context`.
 */
export function xmlToEpcisEvent(xml: string, maxBytes: number): Rec {
  const root = parseXmlTree(xml, maxBytes);
  if (EVENT_TYPES.has(root.local) && EPCIS_NS.test(root.ns || 'urn:epcglobal:epcis:xsd:2')) {
    const converter = new Converter();
    const event = converter.event(root, `/${root.local}`);
    return { '@context': contextOf(converter), ...event };
  }
  const { document } = xmlToEpcisDocument(xml, maxBytes);
  const body = document.epcisBody as Rec;
  const events = (body.eventList ?? ((body.queryResults as Rec).resultsBody as Rec).eventList) as readonly Rec[];
  if (events.length !== 1)
    throw new XmlDocumentError('/EPCISDocument/EPCISBody/EventList', 'must hold exactly one event');
  return { '@context': document['@context'], ...events[0] };
}
