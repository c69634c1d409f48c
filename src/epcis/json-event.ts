/**
 * EPCIS 2.0 JSON/JSON-LD events into the neutral event model: lists become their XML-like element structure, user
 * extension names are expanded through the document's `@context`, and bare CBV words and standard CURIEs in values
 * are expanded to their web vocabulary URIs.
 */
import { CBV, EXCLUDED_FIELDS, GS1_VOC, node, vocabularyPrefix } from './event-node.ts';
import type { EventModel, EventNode } from './event-node.ts';

/** A JSON-LD `@context` value as found in an EPCIS document. */
export type JsonLdContext = string | Readonly<Record<string, unknown>> | readonly unknown[];

/** What an event needs from its document: the namespace prefixes and the fields to leave out of the hash. */
export interface HashContext {
  readonly context?: JsonLdContext;
  /** Names (CURIEs or plain) of user extension fields the document declares as not part of the hash. */
  readonly ignoreFields?: readonly string[];
}

type Json = null | boolean | number | string | readonly Json[] | { readonly [key: string]: Json };

const WELL_KNOWN: Readonly<Record<string, string>> = {
  epcis: 'https://ref.gs1.org/epcis/',
  cbv: CBV,
  cbvmda: 'urn:epcglobal:cbv:mda:',
  gs1: GS1_VOC,
};

/** Elements whose JSON array holds identifiers, each an `epc` element in the XML model. */
const EPC_LISTS = new Set(['epcList', 'inputEPCList', 'outputEPCList', 'childEPCs']);
const QUANTITY_LISTS = new Set(['quantityList', 'childQuantityList', 'inputQuantityList', 'outputQuantityList']);
/** List name → element name, for lists of typed identifiers. */
const TYPED_LISTS: Readonly<Record<string, string>> = {
  bizTransactionList: 'bizTransaction',
  sourceList: 'source',
  destinationList: 'destination',
};
const IGNORED_KEYS = new Set(['@context', 'comment', 'rdfs:comment', '#text']);

/** namespacePrefixes returns prefix → namespace URI from an EPCIS `@context`, over the standard prefixes. */
export function namespacePrefixes(context: JsonLdContext | undefined): Map<string, string> {
  const prefixes = new Map(Object.entries(WELL_KNOWN));
  const entries = Array.isArray(context) ? context : [context];
  for (const entry of entries) {
    if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) continue;
    for (const [prefix, uri] of Object.entries(entry as Record<string, unknown>)) {
      if (typeof uri === 'string') prefixes.set(prefix, uri);
    }
  }
  return prefixes;
}

class Converter {
  private readonly prefixes: Map<string, string>;
  private readonly ignored: Set<string>;

  constructor(hashContext: HashContext) {
    this.prefixes = namespacePrefixes(hashContext.context);
    this.ignored = new Set((hashContext.ignoreFields ?? []).map((f) => this.expandName(f)));
  }

  /** `prefix:local` with a known prefix becomes `{namespace}local`. */
  expandName(key: string): string {
    const colon = key.indexOf(':');
    const uri = colon > 0 ? this.prefixes.get(key.slice(0, colon)) : undefined;
    return uri === undefined ? key : `{${uri}}${key.slice(colon + 1)}`;
  }

  /** Bare vocabulary words and CURIEs of the GS1 vocabularies become full URIs; other values stay as given. */
  expandValue(parent: string, name: string, value: Json): string {
    if (typeof value === 'boolean') return value ? 'true' : 'false';
    if (typeof value === 'number') return String(value);
    if (typeof value !== 'string') return '';
    const colon = value.indexOf(':');
    if (colon < 0) {
      const prefix = vocabularyPrefix(parent, name, this.prefixes.get('gs1') ?? GS1_VOC);
      return prefix && value ? prefix + value : value;
    }
    const uri = this.prefixes.get(value.slice(0, colon));
    if (uri && /^https:\/\/(ref\.)?gs1\.org\//.test(uri)) return uri + value.slice(colon + 1);
    return value;
  }

  fields(parent: string, object: { readonly [key: string]: Json }): EventNode[] {
    const nodes: EventNode[] = [];
    for (const [key, value] of Object.entries(object)) {
      if (IGNORED_KEYS.has(key) || key.endsWith(':ignoreFields')) continue;
      const name = this.expandName(key);
      if (this.ignored.has(name)) continue;
      nodes.push(...this.element(parent, name, value));
    }
    return nodes;
  }

  element(parent: string, name: string, value: Json): EventNode[] {
    if (Array.isArray(value)) {
      const items = value as readonly Json[];
      if (EPC_LISTS.has(name))
        return [
          node(
            name,
            '',
            items.map((epc) => node('epc', this.expandValue(name, 'epc', epc))),
          ),
        ];
      if (QUANTITY_LISTS.has(name)) {
        return [
          node(
            name,
            '',
            items.map((q) => node('quantityElement', '', this.children('quantityElement', q))),
          ),
        ];
      }
      const itemName = TYPED_LISTS[name];
      if (itemName)
        return [
          node(
            name,
            '',
            items.map((item) => this.typedIdentifier(itemName, item)),
          ),
        ];
      if (name === 'sensorElementList') {
        return [
          node(
            name,
            '',
            items.map((e) => node('sensorElement', '', this.children('sensorElement', e))),
          ),
        ];
      }
      return items.flatMap((item) => this.element(parent, name, item));
    }
    if (value !== null && typeof value === 'object') {
      const object = value as { readonly [key: string]: Json };
      const text = typeof object['#text'] === 'string' ? object['#text'] : '';
      return [node(name, text, this.fields(name, object))];
    }
    return [node(name, this.expandValue(parent, name, value))];
  }

  private children(name: string, value: Json): EventNode[] {
    return value !== null && typeof value === 'object' && !Array.isArray(value)
      ? this.fields(name, value as { readonly [key: string]: Json })
      : [];
  }

  /** `{type, bizTransaction}` → type first, then the identifier, in this order; extensions after them. */
  private typedIdentifier(name: string, item: Json): EventNode {
    const fields = this.children(name, item);
    const type = fields.filter((f) => f.name === 'type');
    const id = fields.filter((f) => f.name === name);
    const rest = fields.filter((f) => f.name !== 'type' && f.name !== name).sort((a, b) => (a.name < b.name ? -1 : 1));
    return { name: '', value: '', children: [...type, ...id, ...rest], keepOrder: true };
  }
}

/**
 * eventFromJson converts one EPCIS 2.0 JSON/JSON-LD event (an element of `epcisBody.eventList`) to the neutral
 * event model, resolving namespace prefixes through `hashContext.context` and dropping the excluded fields.
 */
export function eventFromJson(event: object, hashContext: HashContext = {}): EventModel {
  const converter = new Converter(hashContext);
  const { type, ...rest } = event as { readonly [key: string]: Json };
  if (typeof type !== 'string') throw new TypeError('EPCIS event without a string "type"');
  const kept = Object.fromEntries(Object.entries(rest).filter(([key]) => !EXCLUDED_FIELDS.has(key)));
  return { eventType: type, children: converter.fields('', kept) };
}
