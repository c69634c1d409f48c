/**
 * A small namespace-aware element tree over fast-xml-parser, for EPCIS XML documents. The text is checked first
 * (xml-guard.ts): no DOCTYPE, no entity declarations, bounded depth; the parser then never sees a construct that
 * could expand an entity or name an outside resource.
 */
import { XMLParser } from 'fast-xml-parser';
import { XmlRefusal, checkXml } from './xml-guard.ts';

/** XmlNode is an element: its namespace URI ('' for none), local name, attributes, child elements and text. */
export interface XmlNode {
  readonly ns: string;
  readonly local: string;
  /** The prefix the document wrote the element with ('' for none). */
  readonly prefix: string;
  /** Attributes other than namespace declarations: [namespace ('' for none), local name, prefix, value]. */
  readonly attributes: readonly (readonly [string, string, string, string])[];
  readonly children: readonly XmlNode[];
  readonly text: string;
  /** Every prefix → namespace declaration in scope. */
  readonly scope: ReadonlyMap<string, string>;
}

type Ordered = Record<string, unknown>;

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  // Only the five predefined entities and character references can remain once DOCTYPE is refused.
  processEntities: true,
  htmlEntities: false,
});

function split(qualified: string): [string, string] {
  const colon = qualified.indexOf(':');
  return colon > 0 ? [qualified.slice(0, colon), qualified.slice(colon + 1)] : ['', qualified];
}

function toNode(entry: Ordered, parentScope: ReadonlyMap<string, string>): XmlNode | null {
  const tag = Object.keys(entry).find((k) => k !== ':@');
  if (tag === undefined || tag === '#text') return null;
  const raw = Object.entries((entry[':@'] ?? {}) as Record<string, string>);
  let scope = parentScope;
  for (const [name, value] of raw) {
    if (name !== 'xmlns' && !name.startsWith('xmlns:')) continue;
    if (scope === parentScope) scope = new Map(parentScope);
    (scope as Map<string, string>).set(name === 'xmlns' ? '' : name.slice(6), value);
  }
  const attributes = raw
    .filter(([name]) => name !== 'xmlns' && !name.startsWith('xmlns:'))
    .map(([name, value]) => {
      const [prefix, local] = split(name);
      return [prefix ? (scope.get(prefix) ?? '') : '', local, prefix, value] as const;
    });
  const content = (entry[tag] ?? []) as Ordered[];
  let text = '';
  const children: XmlNode[] = [];
  for (const c of content) {
    if (c['#text'] !== undefined) text += String(c['#text']);
    else {
      const child = toNode(c, scope);
      if (child) children.push(child);
    }
  }
  const [prefix, local] = split(tag);
  return { ns: scope.get(prefix) ?? '', local, prefix, attributes, children, text: text.trim(), scope };
}

/**
 * parseXmlTree checks text (see checkXml; an XmlRefusal names what was refused) and parses it into the tree of its
 * single root element.
 */
export function parseXmlTree(input: string, maxBytes: number): XmlNode {
  const text = input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
  checkXml(text, maxBytes);
  let parsed: Ordered[];
  try {
    parsed = parser.parse(text, true) as Ordered[];
  } catch (err) {
    throw new XmlRefusal('malformed', `not well-formed XML: ${(err as Error).message}`);
  }
  const roots = parsed.map((e) => toNode(e, new Map())).filter((e): e is XmlNode => e !== null);
  if (roots.length !== 1 || !roots[0]) throw new XmlRefusal('malformed', 'an XML document has one root element');
  return roots[0];
}
