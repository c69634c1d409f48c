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

/** Prefix a bare (colon-free) vocabulary word takes in an element of this name within an element of that name. */
export function vocabularyPrefix(parent: string, name: string, gs1: string): string | null {
  switch (name) {
    case 'bizStep':
      return `${CBV}BizStep-`;
    case 'disposition':
    case 'set':
    case 'unset':
      return name === 'disposition' || parent === 'persistentDisposition' ? `${CBV}Disp-` : null;
    case 'reason':
      return `${CBV}ER-`;
    case 'component':
      return `${CBV}Comp-`;
    case 'exception':
      return gs1;
    case 'type':
      if (parent === 'bizTransaction') return `${CBV}BTT-`;
      if (parent === 'source' || parent === 'destination') return `${CBV}SDT-`;
      if (parent === 'sensorReport') return gs1;
      return null;
    default:
      return null;
  }
}
