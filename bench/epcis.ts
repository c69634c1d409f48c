import Database from 'better-sqlite3';
import type { FastifyInstance } from 'fastify';
import { join } from 'node:path';
import { decodeEntry } from '../src/app/write/entry.ts';
import { rowsFor } from '../src/app/write/projection.ts';
import { buildApp } from '../src/http/app.ts';
import { logSize } from '../src/store/log-store.ts';
import { migrateToLatest } from '../src/store/migrate.ts';
import { openSqlite } from '../src/store/dialect.ts';
import type { BenchOptions, Figure, ScratchNode } from './measure.ts';
import { benchUscc, figure, openScratchNode } from './measure.ts';
import { entryBytes } from './seed.ts';

// EPCIS capture over HTTP (a real socket: the app listens on 127.0.0.1 and documents are POSTed with fetch):
// documents of EVENTS shipping events against existing green lots, then documents receiving those shipments, all
// mapped to custody facts through the /v1 rules. The baseline inserts the very rows those captures wrote (log
// entries and every projected row, re-derived from the entries) into a fresh SQLite database of the same schema,
// with prepared statements, one transaction per document, in the same run. SQLite only: it is the headline.

const MINIMAL_PDF = Buffer.from(
  '%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n',
);
const CONTEXT = ['https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld', { ct: 'urn:coldtrace:epcis:' }];

interface Sizes {
  events: number;
  documents: number;
  lots: number;
}
const SIZES: Readonly<Record<'quick' | 'full', Sizes>> = {
  full: { events: 1000, documents: Number(process.env.COLDTRACE_BENCH_EPCIS_PAIRS ?? 4), lots: 4 },
  quick: { events: 100, documents: 1, lots: 1 },
};

// Bench replies are read loosely, as the tests read them.
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON replies of many shapes
type Json = any;
type Call = (
  method: string,
  url: string,
  token: string,
  body?: unknown,
  headers?: Record<string, string>,
) => Promise<{ status: number; body: Json }>;

function caller(base: string): Call {
  return async (method, url, token, body, headers = {}) => {
    const res = await fetch(`${base}${url}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined || body instanceof FormData ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      body: body === undefined ? undefined : body instanceof FormData ? body : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null };
  };
}

function must(r: { status: number; body: Json }, what: string): Json {
  if (r.status >= 300) throw new Error(`${what}: ${r.status} ${JSON.stringify(r.body).slice(0, 300)}`);
  return r.body;
}

/** Cast is who the bench's goods meet: an importer with green lots, a receiving cold store, a vehicle and a driver. */
interface Cast {
  importer: { id: string; token: string };
  store: { id: string; token: string };
  carrierId: string;
  vehicleId: string;
  driverId: string;
  lots: { id: string; code: string }[];
}

/** setup registers the parties and takes `lots` lots through the border to green, over HTTP like a client would. */
async function setup(call: Call, admin: string, lots: number, now: () => string): Promise<Cast> {
  const party = async (roles: string[]) => {
    const p = must(
      await call('POST', '/v1/parties', admin, {
        uscc: benchUscc(),
        name: { zh: '基准企业', en: 'Bench Co' },
        roles,
        region: '410000',
      }),
      'party',
    );
    return {
      id: p.id as string,
      token: must(await call('POST', `/v1/parties/${p.id}/tokens`, admin, { label: 'bench' }), 'token').token as string,
    };
  };
  const [importer, customs, warehouse, lab, carrier, store] = [
    await party(['importer']),
    await party(['customs']),
    await party(['supervision_warehouse']),
    await party(['lab']),
    await party(['carrier']),
    await party(['cold_store']),
  ];
  const producerId = must(
    await call('POST', '/v1/producers', customs.token, {
      country: 'AR',
      registrationNo: '7001',
      name: 'Frigorífico Bench S.A.',
    }),
    'producer',
  ).id;
  const locationId = must(
    await call('POST', '/v1/locations', warehouse.token, {
      filingNo: '豫监管仓-BENCH',
      name: '基准监管仓',
      address: '郑州',
      region: '410000',
      kind: 'supervision_warehouse',
      tempClass: 'frozen',
    }),
    'location',
  ).id;
  const vehicleId = must(
    await call('POST', '/v1/vehicles', carrier.token, { plate: '豫A8B001', refrigerated: true }),
    'vehicle',
  ).id;
  const driverId = must(
    await call('POST', '/v1/workers', carrier.token, {
      name: '王师傅',
      role: 'driver',
      idNumber: '11010519491231002X',
    }),
    'driver',
  ).id;
  must(
    await call('POST', `/v1/workers/${driverId}/tests`, carrier.token, {
      sampledAt: now(),
      result: 'negative',
      institution: '郑州疾控',
    }),
    'test',
  );
  // The importer hires the carrier, so that its truck and driver may carry the importer's goods.
  const job = must(
    await call('POST', '/v1/carrier-jobs', importer.token, {
      carrierPartyId: carrier.id,
      validFrom: '2000-01-01T00:00:00Z',
    }),
    'carrier job',
  );
  must(await call('POST', `/v1/carrier-jobs/${job.id}/accept`, carrier.token), 'carrier job accepted');
  const operatorId = must(
    await call('POST', '/v1/workers', warehouse.token, {
      name: '赵消杀',
      role: 'warehouse_handler',
      idNumber: '110105195001010012',
    }),
    'operator',
  ).id;
  const out: { id: string; code: string }[] = [];
  for (let i = 0; i < lots; i++) {
    const lot = must(
      await call('POST', '/v1/lots', importer.token, {
        declarationNo: `46012026000009${String(i).padStart(4, '0')}`,
        portOfEntry: '天津港',
        arrivalDate: '2026-11-20',
        containerNo: 'CSQU3054383',
        billOfLading: `MEDU9${i}`,
        product: { zh: '冷冻去骨猪肉', en: 'Frozen boneless pork' },
        category: 'meat',
        hsCode: '0203290090',
        batchNo: `BENCH${i}`,
        originCountry: 'AR',
        producerId,
        netKg: 1_000_000,
        cartons: 50_000,
        productionDate: '2026-09-01',
        shelfLifeDays: 730,
      }),
      'lot',
    );
    for (const kind of ['inspection_quarantine', 'nucleic_acid', 'disinfection', 'customs_declaration']) {
      const form = new FormData();
      for (const [k, v] of Object.entries({ kind, number: `${kind}-1`, issuer: '海关', issuedOn: '2026-11-19' }))
        form.append(k, v);
      form.append('file', new Blob([MINIMAL_PDF], { type: 'application/pdf' }), 'c.pdf');
      must(await call('POST', `/v1/lots/${lot.id}/documents`, importer.token, form), 'document');
    }
    const b = must(
      await call('POST', `/v1/lots/${lot.id}/bookings`, importer.token, {
        warehousePartyId: warehouse.id,
        locationId,
        carrierPartyId: carrier.id,
        vehicleId,
        driverWorkerId: driverId,
        destination: '郑州',
        slotStart: now(),
        slotEnd: new Date(Date.now()).toISOString(),
      }),
      'booking',
    );
    must(await call('POST', `/v1/bookings/${b.id}/arrival`, warehouse.token, { arrivedAt: now() }), 'arrival');
    must(
      await call('POST', `/v1/lots/${lot.id}/disinfections`, warehouse.token, {
        agent: '过氧乙酸',
        concentration: '0.2%',
        operatorWorkerId: operatorId,
        performedAt: now(),
      }),
      'disinfection',
    );
    for (const point of ['outer_pack', 'content']) {
      const s = must(
        await call('POST', `/v1/lots/${lot.id}/samples`, warehouse.token, {
          point,
          labPartyId: lab.id,
          takenAt: now(),
        }),
        'sample',
      );
      must(
        await call('POST', `/v1/samples/${s.id}/result`, lab.token, {
          result: 'negative',
          ctValue: null,
          method: 'RT-PCR',
          resultedAt: now(),
        }),
        'result',
      );
    }
    must(await call('POST', `/v1/lots/${lot.id}/exit-certificate`, warehouse.token), 'exit');
    out.push({ id: lot.id, code: lot.code });
  }
  return { importer, store, carrierId: carrier.id, vehicleId, driverId, lots: out };
}

const doc = (events: unknown[]) => ({
  '@context': CONTEXT,
  type: 'EPCISDocument',
  schemaVersion: '2.0',
  creationDate: new Date().toISOString(),
  epcisBody: { eventList: events },
});

function shippingDoc(cast: Cast, lot: { code: string }, count: number, publicUrl: string) {
  return doc(
    Array.from({ length: count }, (_, i) => ({
      type: 'ObjectEvent',
      action: 'OBSERVE',
      bizStep: 'shipping',
      disposition: 'in_transit',
      eventTime: new Date(Date.now() - 60_000 + i).toISOString(),
      eventTimeZoneOffset: '+08:00',
      quantityList: [{ epcClass: `${publicUrl}/t/${lot.code}`, quantity: 10, uom: 'KGM' }],
      destinationList: [{ type: 'owning_party', destination: `urn:coldtrace:party:${cast.store.id}` }],
      'ct:cartons': 1,
      'ct:carrier': `urn:coldtrace:party:${cast.carrierId}`,
      'ct:vehicle': `urn:coldtrace:vehicle:${cast.vehicleId}`,
      'ct:driver': `urn:coldtrace:worker:${cast.driverId}`,
    })),
  );
}

function receivingDoc(lot: { code: string }, shipmentIds: readonly string[], publicUrl: string) {
  return doc(
    shipmentIds.map((id, i) => ({
      type: 'ObjectEvent',
      action: 'OBSERVE',
      bizStep: 'receiving',
      disposition: 'in_progress',
      eventTime: new Date(Date.now() - 30_000 + i).toISOString(),
      eventTimeZoneOffset: '+08:00',
      quantityList: [{ epcClass: `${publicUrl}/t/${lot.code}`, quantity: 10, uom: 'KGM' }],
      'ct:cartons': 1,
      'ct:shipment': `urn:coldtrace:shipment:${id}`,
    })),
  );
}

function plainDoc(d: number, count: number) {
  return doc(
    Array.from({ length: count }, (_, i) => ({
      type: 'ObjectEvent',
      action: 'OBSERVE',
      bizStep: 'inspecting',
      eventTime: new Date(Date.now() - 10_000 + i).toISOString(),
      eventTimeZoneOffset: '+08:00',
      epcList: [`urn:epc:id:sgtin:4012345.011111.${d}x${i}`],
      readPoint: { id: 'urn:epc:id:sgln:4012345.00001.0' },
    })),
  );
}

/** XML_EVENTS is the size of the documents of the XML capture figure (GS1's capture limit is far above it). */
const XML_EVENTS = 1000;

/** plainEvents are `count` unmapped ObjectEvents (no lot of ours), distinct by tag. */
function plainEvents(tag: string, count: number) {
  return Array.from({ length: count }, (_, i) => ({
    eventTime: new Date(Date.now() - 10_000 + i).toISOString(),
    epc: `urn:epc:id:sgtin:4012345.011111.${tag}x${i}`,
  }));
}

function plainJson(tag: string, count: number) {
  return doc(
    plainEvents(tag, count).map((e) => ({
      type: 'ObjectEvent',
      action: 'OBSERVE',
      bizStep: 'inspecting',
      eventTime: e.eventTime,
      eventTimeZoneOffset: '+08:00',
      epcList: [e.epc],
      readPoint: { id: 'urn:epc:id:sgln:4012345.00001.0' },
      'ct:note': tag,
    })),
  );
}

/** plainXml is the EPCIS 2.0 XML of the same events plainJson gives. */
function plainXml(tag: string, count: number) {
  const events = plainEvents(tag, count).map(
    (e) =>
      `<ObjectEvent><eventTime>${e.eventTime}</eventTime><eventTimeZoneOffset>+08:00</eventTimeZoneOffset>` +
      `<epcList><epc>${e.epc}</epc></epcList><action>OBSERVE</action>` +
      `<bizStep>urn:epcglobal:cbv:bizstep:inspecting</bizStep><readPoint><id>urn:epc:id:sgln:4012345.00001.0</id></readPoint>` +
      `<ct:note>${tag}</ct:note></ObjectEvent>`,
  );
  return (
    '<?xml version="1.0" encoding="UTF-8"?><epcis:EPCISDocument xmlns:epcis="urn:epcglobal:epcis:xsd:2" ' +
    `xmlns:ct="urn:coldtrace:epcis:" schemaVersion="2.0" creationDate="${new Date().toISOString()}">` +
    `<EPCISBody><EventList>${events.join('')}</EventList></EPCISBody></epcis:EPCISDocument>`
  );
}

/** BareDb replays the rows of entries into a fresh SQLite file of the same schema with prepared statements. */
function openBare(dataDir: string) {
  const path = join(dataDir, 'bare-epcis.db');
  return {
    async init() {
      const d = openSqlite(path);
      await migrateToLatest(d);
      await d.close();
      const db = new Database(path);
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = FULL');
      db.pragma('foreign_keys = OFF');
      const statements = new Map<string, Database.Statement>();
      const snake = (k: string) => k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
      const value = (v: unknown) => (typeof v === 'boolean' ? (v ? 1 : 0) : v);
      const stmt = (key: string, text: () => string) => {
        let s = statements.get(key);
        if (!s) statements.set(key, (s = db.prepare(text())));
        return s;
      };
      return {
        /** rows prepares the statements and arguments for entries and their projected rows (outside any timing). */
        rows(entries: { idx: number; data: Buffer }[]) {
          const out: [Database.Statement, unknown[]][] = [];
          const log = stmt('log', () => 'INSERT INTO log_entries (idx, leaf_hash, data) VALUES (?, ?, ?)');
          for (const e of entries) {
            out.push([log, [e.idx, e.data.subarray(0, 32), e.data]]);
            for (const w of rowsFor(decodeEntry(e.data), e.idx)) {
              const cols = Object.keys(w.row);
              const table = snake(w.table);
              if (w.patch) {
                const [key, ...rest] = cols;
                out.push([
                  stmt(
                    `p ${table} ${cols.join()}`,
                    () =>
                      `UPDATE ${table} SET ${rest.map((c) => `${snake(c)} = ?`).join(', ')} WHERE ${snake(key!)} = ?`,
                  ),
                  [...rest.map((c) => value(w.row[c])), value(w.row[key!])],
                ]);
              } else {
                out.push([
                  stmt(
                    `i ${table} ${cols.join()}`,
                    () =>
                      `INSERT OR REPLACE INTO ${table} (${cols.map(snake).join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`,
                  ),
                  cols.map((c) => value(w.row[c])),
                ]);
              }
            }
          }
          return out;
        },
        /** insert runs prepared rows in one transaction. */
        insert: db.transaction((rows: [Database.Statement, unknown[]][]) => {
          for (const [s, args] of rows) s.run(...args);
        }),
        close: () => db.close(),
      };
    },
  };
}

/**
 * benchEpcis measures epcis.capture (events/s of mapped shipping and receiving documents POSTed over HTTP) against
 * plain SQLite inserts of the same rows, and epcis.rss (the peak resident set over the captures against the resident
 * set after the first document: a ratio near 1 is flat).
 */
export async function benchEpcis(opts: BenchOptions): Promise<Figure[]> {
  const sizes = SIZES[opts.quick ? 'quick' : 'full'];
  const node: ScratchNode = await openScratchNode('sqlite', opts.pgAdminUrl);
  const app: FastifyInstance = await buildApp(node.deps);
  try {
    const base = await app.listen({ port: 0, host: '127.0.0.1' });
    const call = caller(base);
    const publicUrl = node.deps.config.publicUrl;
    const cast = await setup(call, node.adminToken, sizes.lots, () => new Date(Date.now() - 3_600_000).toISOString());
    const bare = await openBare(node.dataDir).init();
    let realMs = 0;
    let bareMs = 0;
    let events = 0;
    let peak = 0;
    let afterFirst = 0;
    const rss: number[] = [];
    const plain = { events: 0, realMs: 0, bareMs: 0 };
    const totals = { events: 0, realMs: 0, bareMs: 0 };
    const xml = { events: 0, jsonMs: 0, xmlMs: 0 };
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
    try {
      const post = async (body: unknown, token: string) => {
        const from = await logSize(node.deps.db);
        const t0 = performance.now();
        const r = must(await call('POST', '/epcis/capture', token, body), 'capture');
        realMs += performance.now() - t0;
        if (!r.success) throw new Error(`capture job failed: ${JSON.stringify(r.errors).slice(0, 300)}`);
        events += r.eventCount as number;
        const rows = bare.rows(
          (await entryBytes(node.deps.db, from, await logSize(node.deps.db))).map((data, i) => ({
            idx: from + i,
            data,
          })),
        );
        const b0 = performance.now();
        bare.insert(rows);
        bareMs += performance.now() - b0;
        peak = Math.max(peak, process.memoryUsage().rss);
        afterFirst ||= process.memoryUsage().rss;
      };
      for (let d = 0; d < sizes.documents; d++) {
        const lot = cast.lots[d % cast.lots.length]!;
        await post(shippingDoc(cast, lot, sizes.events, publicUrl), cast.importer.token);
        const ids = (
          await node.deps.db
            .selectFrom('shipments')
            .select('id')
            .where('lotId', '=', lot.id)
            .where('status', '=', 'in_transit')
            .orderBy('id')
            .execute()
        ).map((s) => s.id);
        await post(receivingDoc(lot, ids, publicUrl), cast.store.token);
        rss.push(Math.round(process.memoryUsage().rss / 2 ** 20));
      }
      // For scale: the capture path alone, with ObjectEvents that name none of our lots (no custody rules).
      const mapped = { events, realMs, bareMs };
      for (let d = 0; d < Math.max(1, sizes.documents / 2); d++)
        await post(plainDoc(d, sizes.events), cast.store.token);
      plain.events = events - mapped.events;
      plain.realMs = realMs - mapped.realMs;
      plain.bareMs = bareMs - mapped.bareMs;
      Object.assign(totals, mapped);
      // XML against JSON-LD: the same 1,000 unmapped events a document, turn about, each kind on fresh tags. The first
      // pair (d = -1) is not timed: the JSON-LD path is warm from the documents above, the XML path's code is not yet.
      for (let d = -1; d < Math.max(2, sizes.documents); d++) {
        const timed = d >= 0;
        const t0 = performance.now();
        const j = must(await call('POST', '/epcis/capture', cast.store.token, plainJson(`j${d}`, XML_EVENTS)), 'json');
        if (timed) xml.jsonMs += performance.now() - t0;
        const t1 = performance.now();
        const res = await fetch(`${base}/epcis/capture`, {
          method: 'POST',
          headers: { authorization: `Bearer ${cast.store.token}`, 'content-type': 'application/xml' },
          body: plainXml(`x${d}`, XML_EVENTS),
        });
        const x = must({ status: res.status, body: await res.json() }, 'xml');
        if (timed) xml.xmlMs += performance.now() - t1;
        if (!j.success || !x.success || x.capturedCount !== XML_EVENTS) throw new Error('XML bench capture failed');
        if (timed) xml.events += XML_EVENTS;
      }
    } finally {
      clearInterval(sampler);
      bare.close();
    }
    const rate = (totals.events * 1000) / totals.realMs;
    const bareRate = (totals.events * 1000) / totals.bareMs;
    const plainRate = (plain.events * 1000) / plain.realMs;
    const plainBare = (plain.events * 1000) / plain.bareMs;
    const xmlRate = (xml.events * 1000) / xml.xmlMs;
    const jsonRate = (xml.events * 1000) / xml.jsonMs;
    opts.say(
      `sqlite: ${totals.events} mapped shipping/receiving events in ${sizes.documents * 2} documents of ${sizes.events} over HTTP: ${rate.toFixed(0)} events/s; the same rows inserted bare: ${bareRate.toFixed(0)} events/s; ${plain.events} unmapped ObjectEvents: ${plainRate.toFixed(0)} events/s, bare ${plainBare.toFixed(0)}; peak RSS ${(peak / 2 ** 20).toFixed(0)} MB (${(afterFirst / 2 ** 20).toFixed(0)} MB after the first document; after each pair: ${rss.join(', ')} MB)`,
    );
    opts.say(
      `sqlite: ${xml.events} unmapped events in documents of ${XML_EVENTS} captured as EPCIS 2.0 XML: ${xmlRate.toFixed(0)} events/s; the same events as JSON-LD: ${jsonRate.toFixed(0)} events/s (XML/JSON-LD ${(xmlRate / jsonRate).toFixed(2)}×)`,
    );
    return [
      figure('epcis.capture', 'events/s', rate, bareRate),
      figure('epcis.capture.unmapped', 'events/s', plainRate, plainBare),
      figure('epcis.capture.xml', 'events/s', xmlRate, jsonRate),
      figure('epcis.rss', 'MB', peak / 2 ** 20, afterFirst / 2 ** 20),
    ];
  } finally {
    await app.close();
    await node.close();
  }
}
