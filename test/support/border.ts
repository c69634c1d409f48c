import type { FastifyInstance } from 'fastify';
import { expect } from 'vitest';
import { addParty, api, residentId } from './http.ts';
import type { Reply } from './http.ts';

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
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${file.name}"\r\nContent-Type: ${file.type}\r\n\r\n`));
    parts.push(file.bytes, Buffer.from('\r\n'));
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  const res = await app.inject({
    method: 'POST',
    url,
    headers: { authorization: `Bearer ${token}`, 'content-type': `multipart/form-data; boundary=${boundary}` },
    payload: Buffer.concat(parts),
  });
  return { status: res.statusCode, body: res.body ? JSON.parse(res.body) : null, headers: res.headers as Record<string, unknown> };
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
  const producerId = ok(await api(app, 'POST', '/v1/producers', { token: customs.token, body: { country: 'AR', registrationNo: `${1000 + filing}`, name: 'Frigorífico Ejemplo S.A.' } }));
  filing++;
  const locationId = ok(await api(app, 'POST', '/v1/locations', {
    token: warehouse.token,
    body: { filingNo: `豫监管仓-${Date.now() % 100000}-${filing}`, name: '郑州集中监管仓', address: '郑州市航空港区', region: '410000', kind: 'supervision_warehouse', tempClass: 'frozen' },
  }));
  const vehicleId = ok(await api(app, 'POST', '/v1/vehicles', { token: carrier.token, body: { plate: `豫A${String(10000 + filing * 7).slice(-5)}`, refrigerated: true } }));
  const driverId = ok(await api(app, 'POST', '/v1/workers', { token: carrier.token, body: { name: '王师傅', role: 'driver', idNumber: residentId('19800101', String(100 + filing)) } }));
  const operatorId = ok(await api(app, 'POST', '/v1/workers', { token: warehouse.token, body: { name: '赵消杀', role: 'warehouse_handler', idNumber: residentId('19900101', String(200 + filing)) } }));
  return { importer, customs, warehouse, lab, otherLab, carrier, producerId, locationId, vehicleId, driverId, operatorId };
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
  const value = (c: string) => {
    if (/\d/.test(c)) return Number(c);
    const v = c.charCodeAt(0) - 55;
    return v + Math.floor((v - 1) / 10);
  };
  let sum = 0;
  for (let i = 0; i < 10; i++) sum += value(first10[i]!) * 2 ** i;
  return first10 + String((sum % 11) % 10);
}
