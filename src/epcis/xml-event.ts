/**
 * EPCIS XML documents (1.x and 2.0) into the neutral event model, so an event hashes alike whichever syntax carried
 * it: `extension` wrappers are flattened, attributes become child elements, names in a namespace become
 * `{namespace}local`, and standard CURIEs in values are expanded through the in-scope namespace declarations.
 */
import { XMLParser } from 'fast-xml-parser';
import { EXCLUDED_FIELDS, GS1_VOC, node, vocabularyPrefix } from './event-node.ts';
import type { EventModel, EventNode } from './event-node.ts';

type Scope = ReadonlyMap<string, string>;

interface XmlElement {
  readonly name: string;
  readonly local: string;
  readonly attributes: readonly (readonly [string, string])[];
  readonly children: readonly XmlElement[];
  readonly text: string;
  readonly scope: Scope;
}

type Ordered = Record<string, unknown>;

const EVENT_TYPES = new Set([
  'ObjectEvent',
  'AggregationEvent',
  'TransactionEvent',
  'TransformationEvent',
  'AssociationEvent',
]);
const TYPED_LISTS: Readonly<Record<string, string>> = {
  bizTransactionList: 'bizTransaction',
  sourceList: 'source',
  destinationList: 'destination',
};
const WRAPPERS = new Set(['extension', 'baseExtension']);

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
});

function expand(qualified: string, scope: Scope, useDefault: boolean): { name: string; local: string } {
  const colon = qualified.indexOf(':');
  const prefix = colon > 0 ? qualified.slice(0, colon) : '';
  const local = colon > 0 ? qualified.slice(colon + 1) : qualified;
  const uri = prefix ? scope.get(prefix) : useDefault ? scope.get('') : undefined;
  // Standard EPCIS elements carry no namespace in the hash, whichever (default) namespace the document gives them.
  if (uri === undefined || /^urn:epcglobal:epcis(q|-mda)?:xsd:/.test(uri)) return { name: local, local };
  return { name: `{${uri}}${local}`, local };
}

function toElement(entry: Ordered, parentScope: Scope): XmlElement | null {
  const tag = Object.keys(entry).find((k) => k !== ':@');
  if (tag === undefined || tag === '#text') return null;
  const rawAttributes = Object.entries((entry[':@'] ?? {}) as Record<string, string>);
  const scope = new Map(parentScope);
  for (const [name, value] of rawAttributes) {
    if (name === 'xmlns') scope.set('', value);
    else if (name.startsWith('xmlns:')) scope.set(name.slice(6), value);
  }
  const attributes = rawAttributes
    .filter(([name]) => name !== 'xmlns' && !name.startsWith('xmlns:') && !name.startsWith('xsi:'))
    .map(([name, value]) => [expand(name, scope, false).name, value] as const);
  const content = (entry[tag] ?? []) as Ordered[];
  const text = content
    .map((c) => (c['#text'] === undefined ? '' : String(c['#text'])))
    .join('')
    .trim();
  const children = content.map((c) => toElement(c, scope)).filter((c): c is XmlElement => c !== null);
  return { ...expand(tag, scope, true), attributes, children, text, scope };
}

/** Children with `extension` wrappers (EPCIS 1.x) replaced by their own children. */
function flattened(children: readonly XmlElement[]): XmlElement[] {
  return children.flatMap((c) => (WRAPPERS.has(c.name) ? flattened(c.children) : [c]));
}

function expandValue(parent: string, name: string, value: string, scope: Scope): string {
  const colon = value.indexOf(':');
  if (colon < 0) {
    const prefix = vocabularyPrefix(parent, name, scope.get('gs1') ?? GS1_VOC);
    return prefix && value ? prefix + value : value;
  }
  const uri = scope.get(value.slice(0, colon));
  return uri && /^https:\/\/(ref\.)?gs1\.org\//.test(uri) ? uri + value.slice(colon + 1) : value;
}

class Converter {
  constructor(private readonly ignored: ReadonlySet<string>) {}

  nodes(parent: string, elements: readonly XmlElement[]): EventNode[] {
    return flattened(elements)
      .filter((e) => !EXCLUDED_FIELDS.has(e.name) && !this.ignored.has(e.name))
      .map((e) => this.element(parent, e));
  }

  element(parent: string, e: XmlElement): EventNode {
    const itemName = TYPED_LISTS[e.name];
    if (itemName)
      return node(
        e.name,
        '',
        e.children.map((item) => this.typedIdentifier(itemName, item)),
      );
    const attributes = e.attributes
      .filter(([name]) => !this.ignored.has(name))
      .map(([name, value]) => node(name, expandValue(e.name, name, value, e.scope)));
    return node(e.name, expandValue(parent, e.name, e.text, e.scope), [
      ...attributes,
      ...this.nodes(e.name, e.children),
    ]);
  }

  /** `<bizTransaction type="…">id</bizTransaction>` → type first, then the identifier, as in the JSON model. */
  private typedIdentifier(name: string, item: XmlElement): EventNode {
    const type = item.attributes
      .filter(([n]) => n === 'type')
      .map(([n, v]) => node(n, expandValue(name, n, v, item.scope)));
    const rest = item.attributes.filter(([n]) => n !== 'type').map(([n, v]) => node(n, v));
    const extras = [...rest, ...this.nodes(name, item.children)].sort((a, b) => (a.name < b.name ? -1 : 1));
    const children = [...type, node(name, item.text), ...extras];
    return { name: '', value: '', children, keepOrder: true };
  }
}

function findAll(root: XmlElement, match: (e: XmlElement) => boolean, stopAtMatch: boolean): XmlElement[] {
  const found: XmlElement[] = [];
  const visit = (e: XmlElement): void => {
    const matched = match(e);
    if (matched) found.push(e);
    if (!matched || !stopAtMatch) e.children.forEach(visit);
  };
  visit(root);
  return found;
}

/**
 * eventsFromXml parses an EPCIS XML capture or query document and returns its events in document order, in the
 * neutral event model, leaving out the fields the document declares in an `ignoreFields` element.
 */
export function eventsFromXml(xml: string): EventModel[] {
  const roots = (parser.parse(xml) as Ordered[]).map((entry) => toElement(entry, new Map())).filter((e) => e !== null);
  const root = roots[0];
  if (roots.length !== 1 || !root) throw new TypeError('EPCIS XML document without a single root element');
  const isEvent = (e: XmlElement): boolean => EVENT_TYPES.has(e.name);
  const ignored = new Set(
    findAll(root, (e) => e.local === 'ignoreFields' || isEvent(e), true)
      .filter((e) => !isEvent(e))
      .flatMap((e) => e.children.map((c) => c.name)),
  );
  const converter = new Converter(ignored);
  return findAll(root, isEvent, true).map((e) => ({ eventType: e.name, children: converter.nodes('', e.children) }));
}
