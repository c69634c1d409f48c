import { expect, it } from 'vitest';
import { verifyDatabase } from '../src/app/audit/verify.ts';
import { parseVerifierKey } from '../src/log/note-key.ts';
import { borderCast, clearedLot, declaration } from './support/border.ts';
import { addParty, api, expectError, residentId } from './support/http.ts';
import { eachDialect } from './support/test-node.ts';
import type { TestNode } from './support/test-node.ts';

// A shipper names its own vehicles and crew, or those of a carrier it names that accepted a job from it which is in
// force at the time of the movement; anything else is refused naming the field.

type Party = { id: string; token: string };
const HOUR = 3_600_000;
let plates = 0;

async function vehicle(n: TestNode, owner: Party) {
  plates++;
  const v = await api(n.app, 'POST', '/v1/vehicles', {
    token: owner.token,
    body: { plate: `豫B${String(10000 + ((Date.now() + plates * 7919) % 90000)).slice(-5)}`, refrigerated: true },
  });
  expect(v.status, JSON.stringify(v.body)).toBe(201);
  return v.body.id as string;
}

async function worker(n: TestNode, employer: Party, role: 'driver' | 'warehouse_handler') {
  const seq = String(100 + Math.floor(Math.random() * 800));
  const w = await api(n.app, 'POST', '/v1/workers', {
    token: employer.token,
    body: { name: role === 'driver' ? '孙师傅' : '周搬运', role, idNumber: residentId('19810101', seq) },
  });
  expect(w.status, JSON.stringify(w.body)).toBe(201);
  const t = await api(n.app, 'POST', `/v1/workers/${w.body.id}/tests`, {
    token: employer.token,
    body: { sampledAt: new Date(n.clock.now() - 3 * HOUR).toISOString(), result: 'negative', institution: '郑州疾控' },
  });
  expect(t.status, JSON.stringify(t.body)).toBe(201);
  return w.body.id as string;
}

eachDialect('carrier jobs: whose vehicles and crew a shipper may name', (node) => {
  it("allows one's own, refuses another company's naming the field, and a carrier's only after it accepted a job in force", async () => {
    const n = node();
    const cast = await borderCast(n.app, n.adminToken);
    // A wholesaler that runs its own trucks, and a carrier it has not hired yet.
    const fleet = await addParty(n.app, n.adminToken, ['wholesaler', 'carrier']);
    const carrier = await addParty(n.app, n.adminToken, ['carrier']);
    const buyer = await addParty(n.app, n.adminToken, ['cold_store']);
    const own = {
      vehicleId: await vehicle(n, fleet),
      driverWorkerId: await worker(n, fleet, 'driver'),
      handler: await worker(n, fleet, 'warehouse_handler'),
    };
    const hired = {
      vehicleId: await vehicle(n, carrier),
      driverWorkerId: await worker(n, carrier, 'driver'),
      handler: await worker(n, carrier, 'warehouse_handler'),
    };
    const castDriver = await worker(n, cast.carrier, 'driver');
    const lot = await clearedLot(n, cast);
    const now = n.clock.now();
    const toFleet = await api(n.app, 'POST', `/v1/lots/${lot.id}/shipments`, {
      token: cast.importer.token,
      body: {
        toPartyId: fleet.id,
        quantity: { kg: 100, cartons: 10 },
        carrierPartyId: cast.carrier.id,
        vehicleId: cast.vehicleId,
        driverWorkerId: castDriver,
        departedAt: new Date(now - 2 * HOUR).toISOString(),
      },
    });
    expect(toFleet.status, JSON.stringify(toFleet.body)).toBe(201);
    expect(toFleet.body.carrierPartyId).toBe(cast.carrier.id);
    const got = await api(n.app, 'POST', `/v1/shipments/${toFleet.body.id}/receipt`, {
      token: fleet.token,
      body: { quantity: { kg: 100, cartons: 10 }, receivedAt: new Date(now - HOUR).toISOString() },
    });
    expect(got.status, JSON.stringify(got.body)).toBe(201);

    const ship = (body: Record<string, unknown>) =>
      api(n.app, 'POST', `/v1/lots/${lot.id}/shipments`, {
        token: fleet.token,
        body: {
          toPartyId: buyer.id,
          quantity: { kg: 1, cartons: 1 },
          departedAt: new Date(now).toISOString(),
          ...body,
        },
      });

    // Its own truck, driver and handler.
    const mine = await ship({
      vehicleId: own.vehicleId,
      driverWorkerId: own.driverWorkerId,
      handlerWorkerIds: [own.handler],
    });
    expect(mine.status, JSON.stringify(mine.body)).toBe(201);
    expect(mine.body.carrierPartyId).toBeNull();

    // Another company's vehicle, driver or handler, with no carrier named.
    expectError(
      await ship({ vehicleId: hired.vehicleId, driverWorkerId: own.driverWorkerId }),
      403,
      'Forbidden',
      'vehicleId',
    );
    expectError(
      await ship({ vehicleId: own.vehicleId, driverWorkerId: hired.driverWorkerId }),
      403,
      'Forbidden',
      'driverWorkerId',
    );
    expectError(
      await ship({
        vehicleId: own.vehicleId,
        driverWorkerId: own.driverWorkerId,
        handlerWorkerIds: [own.handler, hired.handler],
      }),
      403,
      'Forbidden',
      'handlerWorkerIds.1',
    );

    // Naming the carrier is not enough: it must have accepted a job from the shipper.
    const carried = {
      carrierPartyId: carrier.id,
      vehicleId: hired.vehicleId,
      driverWorkerId: hired.driverWorkerId,
      handlerWorkerIds: [hired.handler],
    };
    expectError(await ship(carried), 403, 'Forbidden', 'carrierPartyId');
    expectError(
      await api(n.app, 'POST', '/v1/carrier-jobs', {
        token: fleet.token,
        body: { carrierPartyId: buyer.id, validFrom: new Date(now - HOUR).toISOString() },
      }),
      422,
      'UnknownReference',
      'carrierPartyId',
    );
    const job = await api(n.app, 'POST', '/v1/carrier-jobs', {
      token: fleet.token,
      body: { carrierPartyId: carrier.id, validFrom: new Date(now - HOUR).toISOString(), note: '郑州—南京 干线' },
    });
    expect(job.status, JSON.stringify(job.body)).toBe(201);
    expect(job.body).toMatchObject({ shipperPartyId: fleet.id, carrierPartyId: carrier.id, status: 'offered' });
    expectError(await ship(carried), 403, 'Forbidden', 'carrierPartyId');
    // Only the carrier named accepts it, once.
    expectError(
      await api(n.app, 'POST', `/v1/carrier-jobs/${job.body.id}/accept`, { token: cast.carrier.token }),
      404,
      'NotFound',
    );
    expectError(
      await api(n.app, 'POST', `/v1/carrier-jobs/${job.body.id}/accept`, { token: buyer.token }),
      403,
      'Forbidden',
    );
    const accepted = await api(n.app, 'POST', `/v1/carrier-jobs/${job.body.id}/accept`, { token: carrier.token });
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(201);
    expect(accepted.body.status).toBe('accepted');
    expectError(
      await api(n.app, 'POST', `/v1/carrier-jobs/${job.body.id}/accept`, { token: carrier.token }),
      409,
      'Conflict',
    );
    const listed = await api(n.app, 'GET', '/v1/carrier-jobs?status=accepted', { token: carrier.token });
    expect(listed.body.items.map((j: { id: string }) => j.id)).toEqual([job.body.id]);

    const viaCarrier = await ship(carried);
    expect(viaCarrier.status, JSON.stringify(viaCarrier.body)).toBe(201);
    expect(viaCarrier.body).toMatchObject({ carrierPartyId: carrier.id, vehicleId: hired.vehicleId });
    // Its own crew may ride with the carrier's truck; a third company's may not.
    const mixed = await ship({ ...carried, handlerWorkerIds: [hired.handler, own.handler] });
    expect(mixed.status, JSON.stringify(mixed.body)).toBe(201);
    expectError(await ship({ ...carried, driverWorkerId: castDriver }), 403, 'Forbidden', 'driverWorkerId');
    expectError(await ship({ ...carried, handlerWorkerIds: [castDriver] }), 403, 'Forbidden', 'handlerWorkerIds.0');
    // The job is not in force before it starts: a departure two hours ago is refused.
    expectError(
      await ship({ ...carried, departedAt: new Date(now - 2 * HOUR).toISOString() }),
      403,
      'Forbidden',
      'carrierPartyId',
    );

    // A delivered sale follows the same rule.
    const shop = await addParty(n.app, n.adminToken, ['retailer']);
    const sell = (body: Record<string, unknown>) =>
      api(n.app, 'POST', `/v1/lots/${lot.id}/sales`, {
        token: fleet.token,
        body: { toPartyId: shop.id, quantity: { kg: 1, cartons: 1 }, soldAt: new Date(now).toISOString(), ...body },
      });
    expectError(
      await sell({ vehicleId: hired.vehicleId, driverWorkerId: hired.driverWorkerId }),
      403,
      'Forbidden',
      'vehicleId',
    );
    const sold = await sell({
      carrierPartyId: carrier.id,
      vehicleId: hired.vehicleId,
      driverWorkerId: hired.driverWorkerId,
    });
    expect(sold.status, JSON.stringify(sold.body)).toBe(201);

    await n.checkpoint();
    const report = await verifyDatabase(n.deps.db, n.deps.log.origin, [
      parseVerifierKey(n.deps.log.signer.verifierKey),
    ]);
    expect(report.problem).toBeUndefined();
  });

  it('a warehouse booking names only the importer’s own or an accepted carrier’s vehicle and driver', async () => {
    const n = node();
    const cast = await borderCast(n.app, n.adminToken);
    const carrier = await addParty(n.app, n.adminToken, ['carrier']);
    const vehicleId = await vehicle(n, carrier);
    const driverWorkerId = await worker(n, carrier, 'driver');
    const lot = await api(n.app, 'POST', '/v1/lots', { token: cast.importer.token, body: declaration(cast) });
    expect(lot.status, JSON.stringify(lot.body)).toBe(201);
    const now = n.clock.now();
    const book = (body: Record<string, unknown>) =>
      api(n.app, 'POST', `/v1/lots/${lot.body.id}/bookings`, {
        token: cast.importer.token,
        body: {
          warehousePartyId: cast.warehouse.id,
          locationId: cast.locationId,
          destination: '郑州万邦冷库',
          slotStart: new Date(now).toISOString(),
          slotEnd: new Date(now + HOUR).toISOString(),
          ...body,
        },
      });
    expectError(await book({ vehicleId, driverWorkerId }), 403, 'Forbidden', 'vehicleId');
    expectError(
      await book({ carrierPartyId: cast.carrier.id, vehicleId: cast.vehicleId, driverWorkerId }),
      403,
      'Forbidden',
      'driverWorkerId',
    );
    expectError(
      await book({ carrierPartyId: carrier.id, vehicleId, driverWorkerId }),
      403,
      'Forbidden',
      'carrierPartyId',
    );
    const job = await api(n.app, 'POST', '/v1/carrier-jobs', {
      token: cast.importer.token,
      body: { carrierPartyId: carrier.id, validFrom: new Date(now - HOUR).toISOString() },
    });
    expect(job.status, JSON.stringify(job.body)).toBe(201);
    expect((await api(n.app, 'POST', `/v1/carrier-jobs/${job.body.id}/accept`, { token: carrier.token })).status).toBe(
      201,
    );
    const booked = await book({ carrierPartyId: carrier.id, vehicleId, driverWorkerId });
    expect(booked.status, JSON.stringify(booked.body)).toBe(201);
    expect(booked.body.carrierPartyId).toBe(carrier.id);
  });
});
