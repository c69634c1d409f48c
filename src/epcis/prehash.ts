/**
 * The canonical pre-hash string of CBV 2.0 §8.9: standard elements in a fixed order, each with its normalised value,
 * then everything else (business transactions, sources, destinations, ILMD, user extensions) in lexical order.
 */
import { canonicalGs1Uri } from './canonical-uri.ts';
import type { EventModel, EventNode } from './event-node.ts';

type PropertyOrder = readonly (readonly [string, PropertyOrder | null])[];

const QUANTITY: PropertyOrder = [
  [
    'quantityElement',
    [
      ['epcClass', null],
      ['quantity', null],
      ['uom', null],
    ],
  ],
];
const EPCS: PropertyOrder = [['epc', null]];

const SENSOR_METADATA: PropertyOrder = [
  'time',
  'startTime',
  'endTime',
  'deviceID',
  'deviceMetadata',
  'rawData',
  'dataProcessingMethod',
  'bizRules',
].map((name) => [name, null] as const);

const SENSOR_REPORT: PropertyOrder = [
  'type',
  'exception',
  'deviceID',
  'deviceMetadata',
  'rawData',
  'dataProcessingMethod',
  'time',
  'microorganism',
  'chemicalSubstance',
  'value',
  'component',
  'stringValue',
  'booleanValue',
  'hexBinaryValue',
  'uriValue',
  'minValue',
  'maxValue',
  'meanValue',
  'sDev',
  'percRank',
  'percValue',
  'uom',
  'coordinateReferenceSystem',
].map((name) => [name, null] as const);

/** The order of the standard elements of an event. */
const EVENT_ORDER: PropertyOrder = [
  ['eventTime', null],
  ['eventTimeZoneOffset', null],
  ['certificationInfo', null],
  ['epcList', EPCS],
  ['parentID', null],
  ['inputEPCList', EPCS],
  ['childEPCs', EPCS],
  ['quantityList', QUANTITY],
  ['childQuantityList', QUANTITY],
  ['inputQuantityList', QUANTITY],
  ['outputEPCList', EPCS],
  ['outputQuantityList', QUANTITY],
  ['action', null],
  ['transformationID', null],
  ['bizStep', null],
  ['disposition', null],
  [
    'persistentDisposition',
    [
      ['set', null],
      ['unset', null],
    ],
  ],
  ['readPoint', [['id', null]]],
  ['bizLocation', [['id', null]]],
  [
    'sensorElementList',
    [
      [
        'sensorElement',
        [
          ['sensorMetadata', SENSOR_METADATA],
          ['sensorReport', SENSOR_REPORT],
        ],
      ],
    ],
  ],
];

const OLD_CBV_URNS: readonly (readonly [string, string])[] = [
  ['urn:epcglobal:cbv:bizstep:', 'https://ref.gs1.org/cbv/BizStep-'],
  ['urn:epcglobal:cbv:disp:', 'https://ref.gs1.org/cbv/Disp-'],
  ['urn:epcglobal:cbv:btt:', 'https://ref.gs1.org/cbv/BTT-'],
  ['urn:epcglobal:cbv:sdt:', 'https://ref.gs1.org/cbv/SDT-'],
  ['urn:epcglobal:cbv:er:', 'https://ref.gs1.org/cbv/ER-'],
];

/**
 * normaliseNumber returns the canonical text of a decimal number (no sign '+', no superfluous zeros, integers
 * without a fraction, the shortest round-trip digits otherwise), or the text unchanged when it is not a number.
 */
export function normaliseNumber(text: string): string {
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) return text;
  const n = Number(text);
  if (!Number.isFinite(n)) return text;
  if (Number.isInteger(n)) return BigInt(n).toString();
  // Scientific notation below 1e-4, as the reference implementation prints such floats.
  if (Math.abs(n) < 1e-4) return n.toExponential().replace(/e([+-])(\d)$/, 'e$10$2');
  return String(n);
}

/**
 * normaliseTime returns an xsd:dateTime as UTC with exactly three fraction digits (rounded half up), or the text
 * unchanged when it is no dateTime. A time without zone is taken as UTC.
 */
export function normaliseTime(text: string): string {
  const m = /^(-?\d{4,})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:\d{2})?$/.exec(text);
  if (!m) return text;
  const [, y, mo, d, h, mi, s, fraction = '', zone = 'Z'] = m;
  const roundUp = (fraction[3] ?? '0') >= '5' ? 1 : 0;
  const millis = Number(fraction.padEnd(3, '0').slice(0, 3)) + roundUp;
  let ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s)) + millis;
  if (zone !== 'Z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    ms -= sign * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6))) * 60_000;
  }
  const date = new Date(ms);
  return Number.isNaN(date.getTime()) ? text : date.toISOString();
}

/** normaliseValue applies the value rules shared by all elements: CBV 1.x URNs, numbers, GS1 identifiers. */
export function normaliseValue(text: string): string {
  let value = text;
  for (const [urn, web] of OLD_CBV_URNS) if (value.startsWith(urn)) value = web + value.slice(urn.length);
  value = normaliseNumber(value);
  return canonicalGs1Uri(value) ?? value;
}

function isTimeElement(name: string): boolean {
  const lower = name.toLowerCase();
  return lower.includes('time') && !lower.includes('offset');
}

function valuePart(node: EventNode, times: boolean): string {
  const text = node.value.trim();
  if (!text) return '';
  return `=${times && isTimeElement(node.name) ? normaliseTime(text) : normaliseValue(text)}`;
}

const isSurrogate = (unit: number) => unit >= 0xd800 && unit <= 0xdfff;

/**
 * Code point order, as the reference implementation sorts. UTF-16 order is the same up to the first differing unit
 * unless a surrogate is involved (a supplementary character sorts after U+E000–U+FFFF by code point, before them by
 * unit), so only then are the code points compared.
 */
function byCodePoint(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    if (!isSurrogate(x) && !isSurrogate(y)) return x - y;
    return (a.codePointAt(i) ?? 0) - (b.codePointAt(i) ?? 0);
  }
  return a.length - b.length;
}

/** Elements outside the property order: name, value, then the children likewise, in lexical order. */
function genericPart(nodes: readonly EventNode[], keepOrder = false): string {
  const parts = nodes.map((n) => n.name + valuePart(n, false) + genericPart(n.children, n.keepOrder));
  return (keepOrder ? parts : parts.sort(byCodePoint)).join('');
}

interface OrderedText {
  readonly text: string;
  /** The unordered standard-looking elements below, kept under their path, for the lexical tail of the event. */
  readonly leftovers: readonly EventNode[];
}

const isExtension = (n: EventNode): boolean => n.name.startsWith('{');

/**
 * An element of the property order: its value, its children in their order, then its user extensions (sorted).
 * Other unknown children are no part of the element's text; they move to the event's tail, under their path.
 */
function orderedElement(element: EventNode, order: PropertyOrder | null): { text: string; leftover?: EventNode } {
  const { text, leftovers } = order ? orderedPart(element.children, order) : { text: '', leftovers: element.children };
  const body = valuePart(element, true) + text + genericPart(leftovers.filter(isExtension), element.keepOrder);
  const unknown = leftovers.filter((n) => !isExtension(n));
  return {
    text: body ? element.name + body : '',
    ...(unknown.length > 0 ? { leftover: { name: element.name, value: '', children: unknown } } : {}),
  };
}

function orderedPart(nodes: readonly EventNode[], order: PropertyOrder): OrderedText {
  const named = new Set(order.map(([name]) => name));
  let text = '';
  const leftovers: EventNode[] = nodes.filter((n) => !named.has(n.name));
  for (const [name, sub] of order) {
    const parts = nodes.filter((n) => n.name === name).map((n) => orderedElement(n, sub));
    text += parts
      .map((p) => p.text)
      .filter(Boolean)
      .sort(byCodePoint)
      .join('');
    leftovers.push(...parts.flatMap((p) => (p.leftover ? [p.leftover] : [])));
  }
  return { text, leftovers };
}

/** buildPreHash returns the pre-hash string of an event in the neutral model. */
export function buildPreHash(event: EventModel): string {
  const { text, leftovers } = orderedPart(event.children, EVENT_ORDER);
  return `eventType=${event.eventType}${text}${genericPart(leftovers)}`;
}
