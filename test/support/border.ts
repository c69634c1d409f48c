import { containerCheckDigit } from '../../src/domain/container-no.ts';
import type { FastifyInstance } from 'fastify';
import { expect } from 'vitest';
import { addParty, api, residentId } from './http.ts';
import type { Reply } from './http.ts';
import type { TestNode } from './test-node.ts';

/** MINIMAL_PDF is a tiny well-formed PDF document. */
export const MINIMAL_PDF = Buffer.from(
  '%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n',
);

/** upload posts a multipart document upload, as a browser form would. */
export async function upload(
  app: FastifyInstance,
  url: string,
  token: string,
  fields: Record<string, string>,
  file: { name: string; type: string; bytes: Buffer } | null,
): Promise<Reply> {
  const boundary = `----coldtrace${Math.random().toString(16).slice(2)}`;
  const parts: Buffer[] = [];
  for (const [k, v] of Object.entries(fields)) {
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`));
  }
  if (file) {
    parts.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${file.name}"\r\nContent-Type: ${file.type}\r\n\r\n`,
      ),
    );
    parts.push(file.bytes, Buffer.from('\r\n'));
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  const res = await app.inject({
    method: 'POST',
    url,
    headers: { authorization: `Bearer ${token}`, 'content-type': `multipart/form-data; boundary=${boundary}` },
    payload: Buffer.concat(parts),
  });
  return {
    status: res.statusCode,
    body: res.body ? JSON.parse(res.body) : null,
    headers: res.headers as Record<string, unknown>,
  };
}

/** BorderCast is everyone a batch meets at the border, registered through the API. */
export interface BorderCast {
  importer: { id: string; token: string };
  customs: { id: string; token: string };
  warehouse: { id: string; token: string };
  lab: { id: string; token: string };
  otherLab: { id: string; token: string };
  carrier: { id: string; token: string };
  producerId: string;
  locationId: string;
  vehicleId: string;
  driverId: string;
  operatorId: string;
}

let filing = 0;

const hired = new Set<string>();

/**
 * hire has the shipper offer the carrier an open-ended job and the carrier accept it, once per pair, so that the
 * shipper may name the carrier's vehicles and crew (with carrierPartyId) on its shipments and bookings.
 */
export async function hire(
  app: FastifyInstance,
  shipper: { id: string; token: string },
  carrier: { id: string; token: string },
): Promise<void> {
  const key = `${shipper.id} ${carrier.id}`;
  if (hired.has(key) || shipper.id === carrier.id) return;
  const job = await api(app, 'POST', '/v1/carrier-jobs', {
    token: shipper.token,
    body: { carrierPartyId: carrier.id, validFrom: '2000-01-01T00:00:00Z' },
  });
  expect(job.status, JSON.stringify(job.body)).toBe(201);
  const accepted = await api(app, 'POST', `/v1/carrier-jobs/${job.body.id}/accept`, { token: carrier.token });
  expect(accepted.status, JSON.stringify(accepted.body)).toBe(201);
  hired.add(key);
}

/** borderCast registers an importer, customs, a supervision warehouse with a location and operator, labs, a carrier with a vehicle and driver, and an Argentine producer. */
export async function borderCast(app: FastifyInstance, adminToken: string): Promise<BorderCast> {
  const [importer, customs, warehouse, lab, otherLab, carrier] = await Promise.all([
    addParty(app, adminToken, ['importer']),
    addParty(app, adminToken, ['customs']),
    addParty(app, adminToken, ['supervision_warehouse']),
    addParty(app, adminToken, ['lab']),
    addParty(app, adminToken, ['lab']),
    addParty(app, adminToken, ['carrier']),
  ]);
  const ok = (r: Reply) => {
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    return r.body.id as string;
  };
  const producerId = ok(
    await api(app, 'POST', '/v1/producers', {
      token: customs.token,
      body: { country: 'AR', registrationNo: `${1000 + filing}`, name: 'Frigorífico Ejemplo S.A.' },
    }),
  );
  filing++;
  const locationId = ok(
    await api(app, 'POST', '/v1/locations', {
      token: warehouse.token,
      body: {
        filingNo: `豫监管仓-${Date.now() % 100000}-${filing}`,
        name: '郑州集中监管仓',
        address: '郑州市航空港区',
        region: '410000',
        kind: 'supervision_warehouse',
        tempClass: 'frozen',
      },
    }),
  );
  const vehicleId = ok(
    await api(app, 'POST', '/v1/vehicles', {
      token: carrier.token,
      body: { plate: `豫A${String(10000 + filing * 7).slice(-5)}`, refrigerated: true },
    }),
  );
  const driverId = ok(
    await api(app, 'POST', '/v1/workers', {
      token: carrier.token,
      body: { name: '王师傅', role: 'driver', idNumber: residentId('19800101', String(100 + filing)) },
    }),
  );
  const operatorId = ok(
    await api(app, 'POST', '/v1/workers', {
      token: warehouse.token,
      body: { name: '赵消杀', role: 'warehouse_handler', idNumber: residentId('19900101', String(200 + filing)) },
    }),
  );
  await hire(app, importer, carrier);
  return {
    importer,
    customs,
    warehouse,
    lab,
    otherLab,
    carrier,
    producerId,
    locationId,
    vehicleId,
    driverId,
    operatorId,
  };
}

let container = 0;

/** declaration is a valid declaration body for the cast's producer; override fields to make it invalid. */
export function declaration(cast: BorderCast, over: Record<string, unknown> = {}) {
  container++;
  const serial = String(1000000 + ((Date.now() + container) % 9000000)).slice(-6);
  return {
    declarationNo: `4601202600000${String(container).padStart(5, '0')}`,
    portOfEntry: '天津港 Tianjin',
    arrivalDate: '2026-11-20',
    containerNo: isoContainer(`MSCU${serial}`),
    billOfLading: `MEDU${serial}`,
    product: { zh: '冷冻去骨猪肉', en: 'Frozen boneless pork' },
    category: 'meat',
    hsCode: '0203290090',
    batchNo: `L${serial}`,
    originCountry: 'AR',
    producerId: cast.producerId,
    netKg: 24000.5,
    cartons: 1200,
    productionDate: '2026-09-01',
    shelfLifeDays: 730,
    ...over,
  };
}

/** isoContainer appends the ISO 6346 check digit to owner code + category + 6-digit serial. */
export function isoContainer(first10: string): string {
  return first10 + String(containerCheckDigit(first10));
}

const DOCS = ['inspection_quarantine', 'nucleic_acid', 'disinfection', 'customs_declaration'];

/** declareWithDocuments declares a lot for the cast's importer and uploads its four documents. */
export async function declareWithDocuments(n: TestNode, cast: BorderCast, over: Record<string, unknown> = {}) {
  const lot = await api(n.app, 'POST', '/v1/lots', { token: cast.importer.token, body: declaration(cast, over) });
  expect(lot.status, JSON.stringify(lot.body)).toBe(201);
  for (const kind of DOCS) {
    const d = await upload(
      n.app,
      `/v1/lots/${lot.body.id}/documents`,
      cast.importer.token,
      { kind, number: `${kind}-001`, issuer: '海关 GACC', issuedOn: '2026-11-19' },
      { name: 'cert.pdf', type: 'application/pdf', bytes: MINIMAL_PDF },
    );
    expect(d.status, JSON.stringify(d.body)).toBe(201);
  }
  return lot.body as { id: string; code: string };
}

/** throughWarehouse books, arrives, disinfects and samples the lot; returns the sample ids. */
export async function throughWarehouse(n: TestNode, cast: BorderCast, lotId: string): Promise<string[]> {
  const t = new Date(n.clock.now()).toISOString();
  const b = await api(n.app, 'POST', `/v1/lots/${lotId}/bookings`, {
    token: cast.importer.token,
    body: {
      warehousePartyId: cast.warehouse.id,
      locationId: cast.locationId,
      vehicleId: cast.vehicleId,
      driverWorkerId: cast.driverId,
      carrierPartyId: cast.carrier.id,
      destination: '郑州万邦冷库',
      slotStart: t,
      slotEnd: new Date(n.clock.now() + 3_600_000).toISOString(),
    },
  });
  expect(b.status, JSON.stringify(b.body)).toBe(201);
  expect(
    (
      await api(n.app, 'POST', `/v1/bookings/${b.body.id}/arrival`, {
        token: cast.warehouse.token,
        body: { arrivedAt: t },
      })
    ).status,
  ).toBe(201);
  const dis = await api(n.app, 'POST', `/v1/lots/${lotId}/disinfections`, {
    token: cast.warehouse.token,
    body: {
      agent: '过氧乙酸 peracetic acid',
      concentration: '0.2%',
      operatorWorkerId: cast.operatorId,
      performedAt: t,
    },
  });
  expect(dis.status, JSON.stringify(dis.body)).toBe(201);
  const ids: string[] = [];
  for (const point of ['outer_pack', 'content']) {
    const s = await api(n.app, 'POST', `/v1/lots/${lotId}/samples`, {
      token: cast.warehouse.token,
      body: { point, labPartyId: cast.lab.id, takenAt: t },
    });
    expect(s.status, JSON.stringify(s.body)).toBe(201);
    ids.push(s.body.id);
  }
  return ids;
}

/** result is a lab result body for now on n's clock. */
export const result = (n: TestNode, r: 'negative' | 'positive') => ({
  result: r,
  ctValue: r === 'positive' ? 31.5 : null,
  method: 'RT-PCR (GB/T 28642)',
  resultedAt: new Date(n.clock.now()).toISOString(),
});

/** clearedLot takes a fresh lot through the whole border to green and returns it. */
export async function clearedLot(n: TestNode, cast: BorderCast, over: Record<string, unknown> = {}) {
  const lot = await declareWithDocuments(n, cast, over);
  for (const s of await throughWarehouse(n, cast, lot.id)) {
    const r = await api(n.app, 'POST', `/v1/samples/${s}/result`, {
      token: cast.lab.token,
      body: result(n, 'negative'),
    });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
  }
  const exit = await api(n.app, 'POST', `/v1/lots/${lot.id}/exit-certificate`, { token: cast.warehouse.token });
  expect(exit.status, JSON.stringify(exit.body)).toBe(201);
  return lot;
}
