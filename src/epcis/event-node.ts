/**
 * The neutral event model the pre-hash string is built from. JSON-LD and XML events both convert to it, so the two
 * syntaxes of one event reach the hash through the same code.
 */

/**
 * One element of an event: its name (user extensions as `{namespace}local`), its text value ('' when it has none)
 * and its child elements. `keepOrder` marks the few elements whose children are concatenated as given rather than
 * sorted (a business transaction, source or destination: type first, then the identifier).
 */
export interface EventNode {
  readonly name: string;
  readonly value: string;
  readonly children: readonly EventNode[];
  readonly keepOrder?: boolean;
}

/** An event: its type (`ObjectEvent`, …) and its top-level elements. */
export interface EventModel {
  readonly eventType: string;
  readonly children: readonly EventNode[];
}

/** node builds an EventNode. */
export function node(name: string, value: string, children: readonly EventNode[] = []): EventNode {
  return { name, value, children };
}

/** Elements that never take part in the hash (CBV 2.0 §8.9.2): they are added or change after capture. */
export const EXCLUDED_FIELDS: ReadonlySet<string> = new Set(['recordTime', 'eventID', 'errorDeclaration']);

/** Standard vocabulary namespaces, for bare words and CURIEs in values. */
export const CBV = 'https://ref.gs1.org/cbv/';
export const GS1_VOC = 'https://gs1.org/voc/';

const VOCABULARIES: ReadonlyMap<string, string> = new Map([
  ['bizStep', `${CBV}BizStep-`],
  ['disposition', `${CBV}Disp-`],
  ['persistentDisposition/set', `${CBV}Disp-`],
  ['persistentDisposition/unset', `${CBV}Disp-`],
  ['bizTransaction/type', `${CBV}BTT-`],
  ['source/type', `${CBV}SDT-`],
  ['destination/type', `${CBV}SDT-`],
  ['sensorReport/component', `${CBV}Comp-`],
]);
/** Terms of the GS1 web vocabulary, whose namespace a document may declare as its own `gs1` prefix. */
const GS1_VOCABULARY_FIELDS: ReadonlySet<string> = new Set(['sensorReport/type', 'sensorReport/exception']);

/**
 * vocabularyPrefix returns the URI prefix that a bare (colon-free) word takes as the value of element `name` inside
 * element `parent` — the `@type: @vocab` terms of the EPCIS 2.0 JSON-LD context, e.g. `departing` as a bizStep is
 * `https://ref.gs1.org/cbv/BizStep-departing` — or null when the element holds no vocabulary term.
 */
export function vocabularyPrefix(parent: string, name: string, gs1Namespace: string): string | null {
  const path = `${parent}/${name}`;
  return VOCABULARIES.get(name) ?? VOCABULARIES.get(path) ?? (GS1_VOCABULARY_FIELDS.has(path) ? gs1Namespace : null);
}
