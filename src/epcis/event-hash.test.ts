import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { canonicalGs1Uri, checkDigit } from './canonical-uri.ts';
import { documentEvents, eventHashId, preHashString, xmlEventHashIds } from './event-hash.ts';
import { normaliseNumber, normaliseTime } from './prehash.ts';

const root = fileURLToPath(new URL('../../../shared/data/epcis-hash/', import.meta.url));
const present = existsSync(root);
if (!present) console.warn(`EPCIS event hash known answers skipped: ${root} is absent (see ../shared/README.md)`);

function filesUnder(dir: string, suffixes: readonly string[]): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return filesUnder(path, suffixes);
    return suffixes.some((s) => entry.name.endsWith(s)) ? [path] : [];
  });
}

function expectedHashes(path: string): string[] {
  return readFileSync(path.replace(/\.[a-z]+$/, '.hashes'), 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
}

function jsonHashes(path: string): string[] {
  const document = JSON.parse(readFileSync(path, 'utf8')) as object;
  return documentEvents(document).map(({ event, hashContext }) => eventHashId(event, hashContext));
}

describe.skipIf(!present)('event hash ID known answers (JSON-LD)', () => {
  const documents = present
    ? filesUnder(root, ['.jsonld']).filter((p) => existsSync(p.replace(/\.jsonld$/, '.hashes')))
    : [];

  it('finds the known-answer documents', () => {
    expect(documents.length).toBeGreaterThan(0);
  });

  it.each(documents.map((p) => [relative(root, p), p]))('%s', (_name, path) => {
    expect(jsonHashes(path)).toEqual(expectedHashes(path));
  });
});

describe.skipIf(!present)('documents whose events must all hash alike (JSON)', () => {
  const documents = present ? filesUnder(join(root, 'expected_equal'), ['.json', '.jsonld']) : [];

  it.each(documents.map((p) => [relative(root, p), p]))('%s', (_name, path) => {
    const hashes = jsonHashes(path);
    expect(hashes.length).toBeGreaterThan(1);
    expect(new Set(hashes).size).toBe(1);
  });
});

describe.skipIf(!present)('event hash ID known answers (XML)', () => {
  const documents = present ? filesUnder(root, ['.xml']).filter((p) => existsSync(p.replace(/\.xml$/, '.hashes'))) : [];

  it('finds the known-answer documents', () => {
    expect(documents.length).toBeGreaterThan(0);
  });

  it.each(documents.map((p) => [relative(root, p), p]))('%s', (_name, path) => {
    expect(xmlEventHashIds(readFileSync(path, 'utf8'))).toEqual(expectedHashes(path));
  });
});

describe.skipIf(!present)('documents whose events must all hash alike (XML)', () => {
  const documents = present ? filesUnder(join(root, 'expected_equal'), ['.xml']) : [];

  it.each(documents.map((p) => [relative(root, p), p]))('%s', (_name, path) => {
    const hashes = xmlEventHashIds(readFileSync(path, 'utf8'));
    expect(hashes.length).toBeGreaterThan(1);
    expect(new Set(hashes).size).toBe(1);
  });
});

describe('event hash rules', () => {
  it('computes GS1 check digits', () => {
    expect(checkDigit('04012345111111111')).toBe('0');
    expect(checkDigit('401234500011')).toBe('5');
  });

  it('normalises EPC URIs and Digital Link URIs to canonical Digital Link', () => {
    expect(canonicalGs1Uri('urn:epc:id:sgtin:4012345.011111.9876')).toBe(
      'https://id.gs1.org/01/04012345111118/21/9876',
    );
    expect(canonicalGs1Uri('urn:epc:id:sscc:4012345.0000000333')).toBe('https://id.gs1.org/00/040123450000003338');
    expect(canonicalGs1Uri('urn:epc:id:sgln:4012345.00011.0')).toBe('https://id.gs1.org/414/4012345000115');
    expect(canonicalGs1Uri('https://example.com/gtin/9780345418913/10/L1/21/765?x=1')).toBe(
      'https://id.gs1.org/01/09780345418913/21/765',
    );
    expect(canonicalGs1Uri('https://example.com/no/key')).toBeNull();
    expect(canonicalGs1Uri('urn:epc:id:sgtin:bad')).toBeNull();
  });

  it('normalises times to UTC milliseconds, rounding half up', () => {
    expect(normaliseTime('2020-03-04T11:00:30+01:00')).toBe('2020-03-04T10:00:30.000Z');
    expect(normaliseTime('2023-02-02T11:04:03.1415Z')).toBe('2023-02-02T11:04:03.142Z');
    expect(normaliseTime('2023-02-02T11:04:03.1414Z')).toBe('2023-02-02T11:04:03.141Z');
    expect(normaliseTime('2023-12-31T23:59:59.9996Z')).toBe('2024-01-01T00:00:00.000Z');
    expect(normaliseTime('not a time')).toBe('not a time');
  });

  it('normalises numbers', () => {
    expect(normaliseNumber('+026.500')).toBe('26.5');
    expect(normaliseNumber('12.0')).toBe('12');
    expect(normaliseNumber('0.00001')).toBe('1e-05');
    expect(normaliseNumber('AB-12')).toBe('AB-12');
  });

  it('orders standard fields, then the rest sorted, and ignores recordTime and eventID', () => {
    const context = ['https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld', { ex: 'https://ex.org/' }];
    const event = {
      type: 'ObjectEvent',
      'ex:b': '2',
      action: 'OBSERVE',
      recordTime: '2020-01-01T00:00:00Z',
      eventID: 'urn:uuid:1',
      eventTime: '2020-01-01T01:00:00+01:00',
      'ex:a': { 'ex:y': '1', 'ex:x': '0' },
      bizStep: 'shipping',
    };
    expect(preHashString(event, { context })).toBe(
      'eventType=ObjectEventeventTime=2020-01-01T00:00:00.000Zaction=OBSERVE' +
        'bizStep=https://ref.gs1.org/cbv/BizStep-shipping{https://ex.org/}a{https://ex.org/}x=0{https://ex.org/}y=1' +
        '{https://ex.org/}b=2',
    );
    expect(eventHashId(event, { context })).toMatch(/^ni:\/\/\/sha-256;[0-9a-f]{64}\?ver=CBV2\.0$/);
    expect(eventHashId(event, { context, ignoreFields: ['ex:b'] })).not.toBe(eventHashId(event, { context }));
  });

  it('keeps user extensions inside their element and moves unknown standard-looking fields to the tail', () => {
    const context = [{ ex: 'https://ex.org/' }];
    const event = {
      type: 'ObjectEvent',
      readPoint: { id: 'urn:epc:id:sgln:4012345.00011.0', note: 'y', 'ex:f': 'x' },
      bizTransactionList: [{ bizTransaction: 'urn:epc:id:gdti:4012345.11111.123', type: 'po' }],
    };
    expect(preHashString(event, { context })).toBe(
      'eventType=ObjectEventreadPointid=https://id.gs1.org/414/4012345000115{https://ex.org/}f=x' +
        'bizTransactionListtype=https://ref.gs1.org/cbv/BTT-pobizTransaction=https://id.gs1.org/253/4012345111118123' +
        'readPointnote=y',
    );
  });

  it('hashes an XML event like its JSON-LD twin', () => {
    const xml = `<epcis:EPCISDocument xmlns:epcis="urn:epcglobal:epcis:xsd:2" xmlns:ex="https://ex.org/">
      <EPCISBody><EventList><ObjectEvent>
        <eventTime>2020-01-01T01:00:00+01:00</eventTime><eventTimeZoneOffset>+01:00</eventTimeZoneOffset>
        <epcList><epc>urn:epc:id:sgtin:4012345.011111.9876</epc></epcList><action>OBSERVE</action>
        <bizStep>urn:epcglobal:cbv:bizstep:shipping</bizStep><extension><ex:a>1</ex:a></extension>
      </ObjectEvent></EventList></EPCISBody></epcis:EPCISDocument>`;
    const json = {
      type: 'ObjectEvent',
      eventTime: '2020-01-01T00:00:00Z',
      eventTimeZoneOffset: '+01:00',
      epcList: ['https://id.gs1.org/01/04012345111118/21/9876'],
      action: 'OBSERVE',
      bizStep: 'shipping',
      'ex:a': 1,
    };
    expect(xmlEventHashIds(xml)).toEqual([eventHashId(json, { context: [{ ex: 'https://ex.org/' }] })]);
  });
});
