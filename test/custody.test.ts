import { expect, it } from 'vitest';
import { addParty, api, expectError, residentId } from './support/http.ts';
import { borderCast, clearedLot, declaration } from './support/border.ts';
import type { BorderCast } from './support/border.ts';
import { eachDialect } from './support/test-node.ts';
import type { TestNode } from './support/test-node.ts';

async function crew(n: TestNode, cast: BorderCast) {
  const t = new Date(n.clock.now() - 3_600_000).toISOString();
  const mk = async (body: Record<string, unknown>) => {
    const w = await api(n.app, 'POST', '/v1/workers', { token: cast.carrier.token, body });
    expect(w.status, JSON.stringify(w.body)).toBe(201);
    return w.body.id as string;
  };
  const seq = String(300 + Math.floor(Math.random() * 600));
  const driver = await mk({ name: '刘师傅', role: 'driver', idNumber: residentId('19820202', seq) });
  const handler = await mk({ name: '陈搬运', role: 'warehouse_handler', idNumber: residentId('19830303', seq) });
  for (const id of [driver, handler]) {
    const r = await api(n.app, 'POST', `/v1/workers/${id}/tests`, {
      token: cast.carrier.token,
      body: { sampledAt: t, result: 'negative', institution: '郑州疾控' },
    });
    expect(r.status).toBe(201);
  }
  return { driver, handler };
}

const ship = (
  n: TestNode,
  cast: BorderCast,
  lotId: string,
  to: string,
  kg: number,
  cartons: number,
  c: { driver: string; handler: string },
  over: Record<string, unknown> = {},
) =>
  api(n.app, 'POST', `/v1/lots/${lotId}/shipments`, {
    token: cast.importer.token,
    body: {
      toPartyId: to,
      quantity: { kg, cartons },
      carrierPartyId: cast.carrier.id,
      vehicleId: cast.vehicleId,
      driverWorkerId: c.driver,
      handlerWorkerIds: [c.handler],
      departedAt: new Date(n.clock.now()).toISOString(),
      referenceDoc: 'DN-001',
      ...over,
    },
  });

eachDialect('chain of custody: ship and receive', (node) => {
  it('moves quantity from holder to holder, records a short receipt, and keeps the log verifiable', async () => {
    const n = node();
    const cast = await borderCast(n.app, n.adminToken);
    const store = await addParty(n.app, n.adminToken, ['cold_store'], '320000');
    const c = await crew(n, cast);
    const lot = await clearedLot(n, cast, { netKg: 1000, cartons: 50 });
    const s = await ship(n, cast, lot.id, store.id, 400, 20, c);
    expect(s.status, JSON.stringify(s.body)).toBe(201);
    expect(s.body).toMatchObject({ status: 'in_transit', quantity: { kg: 400, cartons: 20 } });
    let held = await api(n.app, 'GET', `/v1/lots/${lot.id}/holdings`, { token: cast.importer.token });
    expect(held.body.items).toEqual([
      expect.objectContaining({ partyId: cast.importer.id, quantity: { kg: 600, cartons: 30 } }),
    ]);
    const r = await api(n.app, 'POST', `/v1/shipments/${s.body.id}/receipt`, {
      token: store.token,
      body: { quantity: { kg: 380, cartons: 19 }, receivedAt: new Date(n.clock.now()).toISOString() },
    });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    expect(r.body.discrepancy).toEqual({ kg: 20, cartons: 1 });
    expectError(
      await api(n.app, 'POST', `/v1/shipments/${s.body.id}/receipt`, {
        token: store.token,
        body: { quantity: { kg: 1, cartons: 1 }, receivedAt: new Date(n.clock.now()).toISOString() },
      }),
      409,
      'Conflict',
    );
    held = await api(n.app, 'GET', `/v1/lots/${lot.id}/holdings`, { token: n.adminToken });
    const byParty = Object.fromEntries(
      held.body.items.map((h: { partyId: string; quantity: unknown }) => [h.partyId, h.quantity]),
    );
    expect(byParty).toEqual({ [cast.importer.id]: { kg: 600, cartons: 30 }, [store.id]: { kg: 380, cartons: 19 } });
    await n.checkpoint();
    const { verifyDatabase } = await import('../src/app/audit/verify.ts');
    const { parseVerifierKey } = await import('../src/log/note-key.ts');
    const v = await verifyDatabase(n.deps.db, n.deps.log.origin, [parseVerifierKey(n.deps.log.signer.verifierKey)]);
    expect(v.problem).toBeUndefined();
  });

  it('never lets parallel shipments together overspend what is held', async () => {
    const n = node();
    const cast = await borderCast(n.app, n.adminToken);
    const store = await addParty(n.app, n.adminToken, ['wholesaler']);
    const c = await crew(n, cast);
    const lot = await clearedLot(n, cast, { netKg: 1000, cartons: 10 });
    const tries = await Promise.all(Array.from({ length: 12 }, () => ship(n, cast, lot.id, store.id, 100, 1, c)));
    const ok = tries.filter((t) => t.status === 201);
    const refused = tries.filter((t) => t.status !== 201);
    expect(ok).toHaveLength(10);
    for (const t of refused) expectError(t, 409, 'InsufficientQuantity', 'quantity');
    const held = await api(n.app, 'GET', `/v1/lots/${lot.id}/holdings`, { token: cast.importer.token });
    expect(held.body.items).toEqual([]);
  });

  it('refuses, with the reason, to move a lot that is not green, to a party that does not receive goods, in a warm vehicle, or with an ineligible driver', async () => {
    const n = node();
    const cast = await borderCast(n.app, n.adminToken);
    const store = await addParty(n.app, n.adminToken, ['cold_store']);
    const c = await crew(n, cast);
    const yellow = await api(n.app, 'POST', '/v1/lots', { token: cast.importer.token, body: declaration(cast) });
    const blocked = await ship(n, cast, yellow.body.id, store.id, 10, 1, c);
    expectError(blocked, 409, 'LotBlocked', 'lotId');
    // Seizure, destruction and return may move it anyway.
    expect((await ship(n, cast, yellow.body.id, cast.warehouse.id, 10, 1, c, { purpose: 'seizure' })).status).toBe(201);
    const lot = await clearedLot(n, cast);
    expectError(await ship(n, cast, lot.id, cast.lab.id, 10, 1, c), 422, 'UnknownReference', 'toPartyId');
    const warm = await api(n.app, 'POST', '/v1/vehicles', {
      token: cast.carrier.token,
      body: { plate: '豫B54321', refrigerated: false },
    });
    expectError(
      await ship(n, cast, lot.id, store.id, 10, 1, c, { vehicleId: warm.body.id }),
      400,
      'ValidationFailed',
      'vehicleId',
    );
    // Eight days later the crew's tests have expired: refused by default.
    n.clock.advance(8 * 86_400_000);
    expectError(await ship(n, cast, lot.id, store.id, 10, 1, c), 400, 'ValidationFailed', 'driverWorkerId');
    expectError(await ship(n, cast, lot.id, store.id, 1e9, 1, c), 409, 'InsufficientQuantity', 'quantity');
  });
});

eachDialect('worker enforcement per region', (node) => {
  it('accepts and flags a move by an ineligible driver where the region says flag', async () => {
    const n = node();
    const cast = await borderCast(n.app, n.adminToken);
    const store = await addParty(n.app, n.adminToken, ['cold_store']);
    const c = await crew(n, cast);
    const lot = await clearedLot(n, cast);
    const set = await api(n.app, 'PUT', '/v1/settings/worker-enforcement', {
      token: n.adminToken,
      body: { region: '410000', enforcement: 'flag' },
    });
    expect(set.status, JSON.stringify(set.body)).toBe(200);
    expectError(
      await api(n.app, 'PUT', '/v1/settings/worker-enforcement', {
        token: cast.importer.token,
        body: { enforcement: 'flag' },
      }),
      403,
      'Forbidden',
    );
    n.clock.advance(8 * 86_400_000);
    const s = await ship(n, cast, lot.id, store.id, 10, 1, c);
    expect(s.status, JSON.stringify(s.body)).toBe(201);
    expect(s.body.flags.length).toBeGreaterThanOrEqual(1);
  });
});

eachDialect('the public journey', (node) => {
  it('shows where shipments arrived, without vehicles, drivers or handlers', async () => {
    const n = node();
    const cast = await borderCast(n.app, n.adminToken);
    const store = await addParty(n.app, n.adminToken, ['cold_store'], '320000');
    const c = await crew(n, cast);
    const lot = await clearedLot(n, cast);
    const s = await ship(n, cast, lot.id, store.id, 100, 5, c);
    await api(n.app, 'POST', `/v1/shipments/${s.body.id}/receipt`, {
      token: store.token,
      body: { quantity: { kg: 100, cartons: 5 }, receivedAt: new Date(n.clock.now()).toISOString() },
    });
    // Scanned anywhere, the page counts the receivers by province and names none of them (issue 12 item 10: it used
    // to name every receiver); scanned at the store (?holder= its credit code), it names the way there.
    const page = await api(n.app, 'GET', `/t/${lot.code}.json?lang=zh`);
    expect(page.status).toBe(200);
    expect(page.body.journey.filter((j: { kind: string }) => j.kind === 'received')).toEqual([]);
    expect(page.body.distribution).toEqual({
      businesses: 1,
      provinces: [{ region: '320000', regionName: '江苏省', businesses: 1 }],
    });
    const { uscc } = await n.deps.db
      .selectFrom('parties')
      .select('uscc')
      .where('id', '=', store.id)
      .executeTakeFirstOrThrow();
    const atStore = await api(n.app, 'GET', `/t/${lot.code}.json?lang=zh&holder=${uscc}`);
    const received = atStore.body.journey.filter((j: { kind: string }) => j.kind === 'received');
    expect(received).toEqual([
      expect.objectContaining({ region: '320000', place: expect.stringContaining('测试cold_store') }),
    ]);
    for (const text of [JSON.stringify(page.body), JSON.stringify(atStore.body)])
      for (const secret of [c.driver, c.handler, cast.vehicleId, '刘师傅', '陈搬运', 'DN-001'])
        expect(text).not.toContain(secret);
    const html = await n.app.inject({ method: 'GET', url: `/t/${lot.code}?lang=en&holder=${uscc}` });
    expect(html.body).toContain('Received by');
  });
});

eachDialect('store in/out and disposal', (node) => {
  it('moves goods between the holder’s own places, and lets blocked goods leave the chain by destruction', async () => {
    const n = node();
    const cast = await borderCast(n.app, n.adminToken);
    const loc = await api(n.app, 'POST', '/v1/locations', {
      token: cast.importer.token,
      body: {
        filingNo: `豫冷-${Date.now() % 100000}`,
        name: '进口商自有冷库',
        address: '郑州市',
        region: '410000',
        kind: 'cold_store',
        tempClass: 'frozen',
      },
    });
    expect(loc.status, JSON.stringify(loc.body)).toBe(201);
    const yellow = await api(n.app, 'POST', '/v1/lots', {
      token: cast.importer.token,
      body: declaration(cast, { netKg: 500, cartons: 25 }),
    });
    const at = new Date(n.clock.now()).toISOString();
    const t = await api(n.app, 'POST', `/v1/lots/${yellow.body.id}/transfers`, {
      token: cast.importer.token,
      body: { fromLocationId: null, toLocationId: loc.body.id, quantity: { kg: 500, cartons: 25 }, at },
    });
    expect(t.status, JSON.stringify(t.body)).toBe(201);
    let held = await api(n.app, 'GET', `/v1/lots/${yellow.body.id}/holdings`, { token: cast.importer.token });
    expect(held.body.items).toEqual([
      expect.objectContaining({ locationId: loc.body.id, quantity: { kg: 500, cartons: 25 } }),
    ]);
    expectError(
      await api(n.app, 'POST', `/v1/lots/${yellow.body.id}/disposals`, {
        token: cast.importer.token,
        body: {
          locationId: loc.body.id,
          quantity: { kg: 600, cartons: 25 },
          method: 'destroyed',
          referenceDoc: 'XH-1',
          at,
        },
      }),
      409,
      'InsufficientQuantity',
      'quantity',
    );
    const d = await api(n.app, 'POST', `/v1/lots/${yellow.body.id}/disposals`, {
      token: cast.importer.token,
      body: {
        locationId: loc.body.id,
        quantity: { kg: 500, cartons: 25 },
        method: 'destroyed',
        referenceDoc: '销毁记录 XH-2026-001',
        at,
      },
    });
    expect(d.status, JSON.stringify(d.body)).toBe(201);
    held = await api(n.app, 'GET', `/v1/lots/${yellow.body.id}/holdings`, { token: cast.importer.token });
    expect(held.body.items).toEqual([]);
    expectError(
      await api(n.app, 'POST', `/v1/lots/${yellow.body.id}/transfers`, {
        token: cast.importer.token,
        body: { fromLocationId: null, toLocationId: cast.locationId, quantity: { kg: 1, cartons: 0 }, at },
      }),
      422,
      'UnknownReference',
      'toLocationId',
    );
    await n.checkpoint();
    const { verifyDatabase } = await import('../src/app/audit/verify.ts');
    const { parseVerifierKey } = await import('../src/log/note-key.ts');
    expect(
      (await verifyDatabase(n.deps.db, n.deps.log.origin, [parseVerifierKey(n.deps.log.signer.verifierKey)])).problem,
    ).toBeUndefined();
  });
});
