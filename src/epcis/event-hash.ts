/**
 * The GS1 EPCIS event hash ID (CBV 2.0 §8.9): SHA-256 over the canonical pre-hash string of an event, written as
 * the named-information URI `ni:///sha-256;<hex>?ver=CBV2.0`.
 */
import { createHash } from 'node:crypto';
import { eventFromJson } from './json-event.ts';
import { eventsFromXml } from './xml-event.ts';
import type { HashContext, JsonLdContext } from './json-event.ts';
import type { EventModel } from './event-node.ts';
import { buildPreHash } from './prehash.ts';

export type { HashContext, JsonLdContext };

/** preHashString returns the canonical pre-hash string of an EPCIS 2.0 JSON/JSON-LD event. */
export function preHashString(event: object, hashContext: HashContext = {}): string {
  return buildPreHash(eventFromJson(event, hashContext));
}

/** hashIdOfPreHash returns the event hash ID for a pre-hash string: SHA-256 of its UTF-8 bytes, as an ni URI. */
export function hashIdOfPreHash(preHash: string): string {
  return `ni:///sha-256;${createHash('sha256').update(preHash, 'utf8').digest('hex')}?ver=CBV2.0`;
}

/**
 * eventHashId returns the event hash ID of an EPCIS 2.0 JSON/JSON-LD event (an element of `epcisBody.eventList`).
 * Pass the document's `@context` (and its declared ignore fields) so user extension names resolve to their
 * namespaces; the event's own `eventID`, `recordTime` and `errorDeclaration` never take part.
 */
export function eventHashId(event: object, hashContext: HashContext = {}): string {
  return hashIdOfPreHash(preHashString(event, hashContext));
}

/** eventModelHashId returns the event hash ID of an event already in the neutral model (e.g. read from XML). */
export function eventModelHashId(event: EventModel): string {
  return hashIdOfPreHash(buildPreHash(event));
}

/** xmlPreHashStrings returns the pre-hash string of every event of an EPCIS XML document, in document order. */
export function xmlPreHashStrings(xml: string): string[] {
  return eventsFromXml(xml).map(buildPreHash);
}

/** xmlEventHashIds returns the event hash ID of every event of an EPCIS XML document, in document order. */
export function xmlEventHashIds(xml: string): string[] {
  return xmlPreHashStrings(xml).map(hashIdOfPreHash);
}

/** An event of a document with what its hash needs from that document. */
export interface DocumentEvent {
  readonly event: object;
  readonly hashContext: HashContext;
}

function record(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

function ignoreFieldsOf(object: Record<string, unknown> | undefined): string[] {
  const entry = Object.entries(object ?? {}).find(([key]) => key === 'ignoreFields' || key.endsWith(':ignoreFields'));
  return Array.isArray(entry?.[1]) ? entry[1].filter((f): f is string => typeof f === 'string') : [];
}

/**
 * documentEvents returns the events of an EPCIS 2.0 JSON/JSON-LD document (capture or query document) in document
 * order, each with the document's `@context` and the ignore fields the document or its query results declare.
 */
export function documentEvents(document: object): DocumentEvent[] {
  const doc = document as Record<string, unknown>;
  const body = record(doc['epcisBody']);
  const queryResults = record(body?.['queryResults']);
  const events =
    body?.['eventList'] ??
    record(queryResults?.['resultsBody'])?.['eventList'] ??
    (body?.['event'] ? [body['event']] : []);
  const hashContext: HashContext = {
    context: doc['@context'] as JsonLdContext | undefined,
    ignoreFields: [...ignoreFieldsOf(doc), ...ignoreFieldsOf(queryResults)],
  };
  return (Array.isArray(events) ? events : [])
    .filter((e): e is object => record(e) !== undefined)
    .map((event) => ({ event, hashContext }));
}
