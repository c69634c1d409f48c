import { expect } from 'vitest';
import { DOCUMENT_KINDS } from '../../src/domain/lot-status.ts';
import type { BorderCast } from './border.ts';
import { MINIMAL_PDF, declaration, hire, upload } from './border.ts';
import type { Reply } from './http.ts';
import { api } from './http.ts';
import type { TestNode } from './test-node.ts';

/** Party is a registered party and a token of it. */
export interface Party {
  id: string;
  token: string;
}

/** Warehouse is a supervision warehouse with the location lots are booked into and a worker who disinfects. */
export interface Warehouse extends Party {
  locationId: string;
  operatorId: string;
}

/** BorderFlow drives lots through the border over HTTP, one step at a time; any refusal fails the test. */
export interface BorderFlow {
  /** warehouse is the cast's supervision warehouse, the default for every warehouse step. */
  readonly warehouse: Warehouse;
  /** now is the node's clock as an ISO time, for slots, arrivals, samples and results. */
  now(offsetMs?: number): string;
  declare(over?: Record<string, unknown>, importer?: Party): Promise<{ id: string; code: string }>;
  attach(lotId: string, kinds?: readonly string[], by?: Party): Promise<string[]>;
  book(lotId: string, at?: { id: string; locationId: string }, importer?: Party): Promise<string>;
  arrive(bookingId: string, warehouse?: Party): Promise<void>;
  /** arrived declares a lot (with over), books it at warehouse and records its arrival there. */
  arrived(over?: Record<string, unknown>, warehouse?: Warehouse): Promise<{ lotId: string; bookingId: string }>;
  disinfect(lotId: string, warehouse?: Warehouse): Promise<string>;
  sample(lotId: string, point: string, labId?: string, warehouse?: Party): Promise<string>;
  result(sampleId: string, result: 'negative' | 'positive', lab?: Party): Promise<Reply['body']>;
  exit(lotId: string, warehouse?: Party): Promise<Reply['body']>;
}

function created(r: Reply, what: string): Reply['body'] {
  expect(r.status, `${what}: ${JSON.stringify(r.body)}`).toBe(201);
  return r.body;
}

/** borderFlow returns the steps of the border for the cast on node n. */
export function borderFlow(n: TestNode, cast: BorderCast): BorderFlow {
  const { app } = n;
  const warehouse: Warehouse = { ...cast.warehouse, locationId: cast.locationId, operatorId: cast.operatorId };
  const now = (offsetMs = 0) => new Date(n.clock.now() + offsetMs).toISOString();
  const flow: BorderFlow = {
    warehouse,
    now,
    async declare(over = {}, importer = cast.importer) {
      return created(
        await api(app, 'POST', '/v1/lots', { token: importer.token, body: declaration(cast, over) }),
        'declare',
      );
    },
    async attach(lotId, kinds = DOCUMENT_KINDS, by = cast.importer) {
      const ids: string[] = [];
      for (const kind of kinds) {
        const meta = { kind, number: `${kind}-001`, issuer: '海关 GACC', issuedOn: '2026-11-19' };
        const file = { name: 'cert.pdf', type: 'application/pdf', bytes: MINIMAL_PDF };
        ids.push(created(await upload(app, `/v1/lots/${lotId}/documents`, by.token, meta, file), `attach ${kind}`).id);
      }
      return ids;
    },
    async book(lotId, at = warehouse, importer = cast.importer) {
      await hire(app, importer, cast.carrier);
      const body = {
        warehousePartyId: at.id,
        locationId: at.locationId,
        vehicleId: cast.vehicleId,
        driverWorkerId: cast.driverId,
        carrierPartyId: cast.carrier.id,
        destination: '郑州万邦冷库',
        slotStart: now(),
        slotEnd: now(3_600_000),
      };
      return created(await api(app, 'POST', `/v1/lots/${lotId}/bookings`, { token: importer.token, body }), 'book').id;
    },
    async arrive(bookingId, by = warehouse) {
      created(
        await api(app, 'POST', `/v1/bookings/${bookingId}/arrival`, { token: by.token, body: { arrivedAt: now() } }),
        'arrive',
      );
    },
    async arrived(over = {}, at = warehouse) {
      const lot = await flow.declare(over);
      const bookingId = await flow.book(lot.id, at);
      await flow.arrive(bookingId, at);
      return { lotId: lot.id, bookingId };
    },
    async disinfect(lotId, by = warehouse) {
      const body = {
        agent: '过氧乙酸 peracetic acid',
        concentration: '0.2%',
        operatorWorkerId: by.operatorId,
        performedAt: now(),
      };
      return created(await api(app, 'POST', `/v1/lots/${lotId}/disinfections`, { token: by.token, body }), 'disinfect')
        .id;
    },
    async sample(lotId, point, labId = cast.lab.id, by = warehouse) {
      const body = { point, labPartyId: labId, takenAt: now() };
      return created(await api(app, 'POST', `/v1/lots/${lotId}/samples`, { token: by.token, body }), `sample ${point}`)
        .id;
    },
    async result(sampleId, result, lab = cast.lab) {
      const body = {
        result,
        ctValue: result === 'positive' ? 31.5 : null,
        method: 'RT-PCR (GB/T 28642)',
        resultedAt: now(),
      };
      return created(
        await api(app, 'POST', `/v1/samples/${sampleId}/result`, { token: lab.token, body }),
        `result ${result}`,
      );
    },
    async exit(lotId, by = warehouse) {
      return created(
        await api(app, 'POST', `/v1/lots/${lotId}/exit-certificate`, { token: by.token }),
        'exit certificate',
      );
    },
  };
  return flow;
}
