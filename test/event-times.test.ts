import { expect, it } from 'vitest';
import { addParty, api, expectError, residentId } from './support/http.ts';
import { borderCast, clearedLot, declareWithDocuments } from './support/border.ts';
import type { BorderCast } from './support/border.ts';
import { ok } from './support/chain.ts';
import { eachDialect } from './support/test-node.ts';
import type { TestNode } from './support/test-node.ts';

const DAY = 86_400_000;
const MIN = 60_000;
type Party = { id: string; token: string };

/** ago is the ISO time `days` days before the node's clock: when a paper record says the goods were handled. */
const ago = (n: TestNode, days: number) => new Date(n.clock.now() - days * DAY).toISOString();
const ahead = (n: TestNode, ms: number) => new Date(n.clock.now() + ms).toISOString();

let seq = 0;

/** crewOf registers a driver and a handler of the carrier, each tested negative each of `testedDaysAgo` days back. */
async function crewOf(n: TestNode, carrier: Party, ...testedDaysAgo: number[]) {
  const s = String(700 + (seq++ % 200));
  const add = async (name: string, role: string, born: string) => {
    const id = ok(
      await api(n.app, 'POST', '/v1/workers', {
        token: carrier.token,
        body: { name, role, idNumber: residentId(born, s) },
      }),
    ).id as string;
    for (const days of testedDaysAgo)
      ok(
        await api(n.app, 'POST', `/v1/workers/${id}/tests`, {
          token: carrier.token,
          body: { sampledAt: ago(n, days), result: 'negative', institution: '疾控中心' },
        }),
      );
    return id;
  };
  return {
    driver: await add('补录司机', 'driver', '19810101'),
    handler: await add('补录搬运', 'warehouse_handler', '19820202'),
  };
}

/** lateClearedLot declares a lot now and clears it through the warehouse with every time `days` days back. */
async function lateClearedLot(n: TestNode, cast: BorderCast, days: number) {
  const lot = await declareWithDocuments(n, cast);
  const b = ok(
    await api(n.app, 'POST', `/v1/lots/${lot.id}/bookings`, {
      token: cast.importer.token,
      body: {
        warehousePartyId: cast.warehouse.id,
        locationId: cast.locationId,
        vehicleId: cast.vehicleId,
        carrierPartyId: cast.carrier.id,
        driverWorkerId: cast.driverId,
        destination: '郑州万邦冷库',
        slotStart: ago(n, days),
        slotEnd: ago(n, days - 0.1),
      },
    }),
    'booking',
  );
  ok(
    await api(n.app, 'POST', `/v1/bookings/${b.id}/arrival`, {
      token: cast.warehouse.token,
      body: { arrivedAt: ago(n, days) },
    }),
  );
  ok(
    await api(n.app, 'POST', `/v1/lots/${lot.id}/disinfections`, {
      token: cast.warehouse.token,
      body: { agent: '过氧乙酸', concentration: '0.2%', operatorWorkerId: cast.operatorId, performedAt: ago(n, days) },
    }),
  );
  for (const point of ['outer_pack', 'content']) {
    const s = ok(
      await api(n.app, 'POST', `/v1/lots/${lot.id}/samples`, {
        token: cast.warehouse.token,
        body: { point, labPartyId: cast.lab.id, takenAt: ago(n, days) },
      }),
    );
    ok(
      await api(n.app, 'POST', `/v1/samples/${s.id}/result`, {
        token: cast.lab.token,
        body: { result: 'negative', ctValue: null, method: 'RT-PCR', resultedAt: ago(n, days - 0.5) },
      }),
    );
  }
  ok(await api(n.app, 'POST', `/v1/lots/${lot.id}/exit-certificate`, { token: cast.warehouse.token }));
  return lot;
}

/** ship sends kg of a lot and, unless receivedAt is null, has the receiver receive all of it; times are the events'. */
async function ship(
  n: TestNode,
  from: Party,
  lotId: string,
  to: Party & { locationId: string | null },
  kg: number,
  crew: { vehicleId: string; driver: string; handler: string; carrierPartyId?: string },
  departedAt: string,
  receivedAt: string | null,
) {
  const s = ok(
    await api(n.app, 'POST', `/v1/lots/${lotId}/shipments`, {
      token: from.token,
      body: {
        fromLocationId: null,
        toPartyId: to.id,
        toLocationId: to.locationId,
        quantity: { kg, cartons: kg / 20 },
        vehicleId: crew.vehicleId,
        carrierPartyId: crew.carrierPartyId ?? null,
        driverWorkerId: crew.driver,
        handlerWorkerIds: [crew.handler],
        departedAt,
      },
    }),
    'ship',
  );
  if (receivedAt !== null)
    ok(
      await api(n.app, 'POST', `/v1/shipments/${s.id}/receipt`, {
        token: to.token,
        body: { quantity: { kg, cartons: kg / 20 }, receivedAt },
      }),
      'receive',
    );
  return s.id as string;
}

async function holderWithPlace(n: TestNode, roles: string[], region: string) {
  const p = await addParty(n.app, n.adminToken, roles, region);
  const locationId = ok(
    await api(n.app, 'POST', '/v1/locations', {
      token: p.token,
      body: {
        filingNo: `补录-${region}-${seq++}-${Date.now() % 100000}`,
        name: `冷库 ${seq}`,
        address: '某路1号',
        region,
        kind: 'cold_store',
        tempClass: 'frozen',
      },
    }),
  ).id as string;
  return { ...p, locationId };
}

async function vehicleOf(n: TestNode, carrier: Party, plate: string) {
  return ok(await api(n.app, 'POST', '/v1/vehicles', { token: carrier.token, body: { plate, refrigerated: true } }))
    .id as string;
}

type Contact = { kind: string; id: string; firstAt: string; lastAt: string };
const keys = (cs: Contact[]) => cs.map((c) => `${c.kind}:${c.id}`);

eachDialect('event times', (node) => {
  it('a chain typed in days late keeps its contacts: the window follows when the goods were handled', async () => {
    const n = node();
    const cast = await borderCast(n.app, n.adminToken);
    const crew = {
      vehicleId: cast.vehicleId,
      carrierPartyId: cast.carrier.id,
      ...(await crewOf(n, cast.carrier, 6.5)),
    };
    const store = await holderWithPlace(n, ['cold_store'], '320000');
    const retailer = await addParty(n.app, n.adminToken, ['retailer'], '440000');
    const lot = await lateClearedLot(n, cast, 6);
    const shipmentId = await ship(n, cast.importer, lot.id, store, 400, crew, ago(n, 5), ago(n, 4.5));
    ok(
      await api(n.app, 'POST', `/v1/lots/${lot.id}/sales`, {
        token: store.token,
        body: {
          toPartyId: retailer.id,
          locationId: store.locationId,
          quantity: { kg: 40, cartons: 2 },
          soldAt: ago(n, 3),
        },
      }),
      'sale',
    );
    const regGD = await addParty(n.app, n.adminToken, ['regulator'], '440000', { level: 'provincial' });
    const s = ok(
      await api(n.app, 'POST', `/v1/lots/${lot.id}/market-samples`, {
        token: regGD.token,
        body: { point: 'content', labPartyId: cast.lab.id, takenAt: ago(n, 1), heldBy: retailer.id },
      }),
    );
    const r = ok(
      await api(n.app, 'POST', `/v1/samples/${s.id}/result`, {
        token: cast.lab.token,
        body: { result: 'positive', ctValue: 30, method: 'RT-PCR', resultedAt: ago(n, 0.5) },
      }),
    );
    const inc = ok(await api(n.app, 'GET', `/v1/incidents/${r.incident.id}`, { token: n.adminToken }));
    expect(Date.parse(inc.window.from)).toBeLessThanOrEqual(Date.parse(ago(n, 6)));
    const contacts = inc.contacts as Contact[];
    for (const k of [
      `vehicle:${crew.vehicleId}`,
      `driver:${crew.driver}`,
      `handler:${crew.handler}`,
      `driver:${cast.driverId}`,
      `handler:${cast.operatorId}`,
      `location:${store.locationId}`,
    ])
      expect(keys(contacts), k).toContain(k);
    const driver = contacts.find((c) => c.kind === 'driver' && c.id === crew.driver)!;
    expect([driver.firstAt, driver.lastAt]).toEqual([ago(n, 5), ago(n, 4.5)]);

    // The trace shows when each fact happened and when it was recorded.
    const trace = ok(await api(n.app, 'GET', `/v1/lots/${lot.id}/trace?direction=forward`, { token: n.adminToken }));
    const sh = trace.shipments.find((x: { id: string }) => x.id === shipmentId);
    expect(sh).toMatchObject({
      departedAt: ago(n, 5),
      recordedAt: ago(n, 0),
      received: { at: ago(n, 4.5), recordedAt: ago(n, 0) },
    });
    const sample = trace.border[0].samples.find((x: { takenAt: string }) => x.takenAt === ago(n, 6));
    expect(sample).toMatchObject({ recordedAt: ago(n, 0), resultedAt: ago(n, 5.5), resultRecordedAt: ago(n, 0) });

    // So does the incident report, in JSON and CSV.
    const report = ok(await api(n.app, 'GET', `/v1/incidents/${r.incident.id}/report`, { token: n.adminToken }));
    const departed = report.timeline.find(
      (t: { kind: string; at: string }) => t.kind === 'shipment_departed' && t.at === ago(n, 5),
    );
    expect(departed, JSON.stringify(report.timeline)).toMatchObject({ recorded: { at: ago(n, 0) } });
    const csv = await n.app.inject({
      method: 'GET',
      url: `/v1/incidents/${r.incident.id}/report?format=csv`,
      headers: { authorization: `Bearer ${n.adminToken}` },
    });
    expect(csv.statusCode).toBe(200);
    const lines = csv.body.replace(/^\uFEFF/, '').split(/\r?\n/);
    expect(lines[0]).toContain('recorded_iso');
    expect(lines.some((l) => l.includes(`,${ago(n, 5)},`) && l.endsWith(`,${ago(n, 0)}`))).toBe(true);
  });

  it('a departure typed in after a later receipt still counts, with its own crew', async () => {
    const n = node();
    const cast = await borderCast(n.app, n.adminToken);
    const crewA = {
      vehicleId: cast.vehicleId,
      carrierPartyId: cast.carrier.id,
      ...(await crewOf(n, cast.carrier, 6.5)),
    };
    const crewB = {
      vehicleId: await vehicleOf(n, cast.carrier, '豫A7B123'),
      carrierPartyId: cast.carrier.id,
      ...(await crewOf(n, cast.carrier, 6.5)),
    };
    const store = await holderWithPlace(n, ['cold_store'], '320000');
    const ws = await holderWithPlace(n, ['wholesaler'], '330000');
    const lot = await lateClearedLot(n, cast, 6);
    await ship(n, cast.importer, lot.id, store, 200, crewA, ago(n, 3), ago(n, 2.5));
    // The paper record of an earlier trip turns up afterwards.
    await ship(n, cast.importer, lot.id, ws, 100, crewB, ago(n, 5), ago(n, 4));
    // A receipt before its departure is no record of anything.
    const s = await ship(n, cast.importer, lot.id, ws, 20, crewB, ago(n, 2), null);
    expectError(
      await api(n.app, 'POST', `/v1/shipments/${s}/receipt`, {
        token: ws.token,
        body: { quantity: { kg: 20, cartons: 1 }, receivedAt: ago(n, 3) },
      }),
      400,
      'ValidationFailed',
      'receivedAt',
    );
    const opened = ok(
      await api(n.app, 'POST', '/v1/incidents', {
        token: n.adminToken,
        body: { trigger: { kind: 'lot', lotIds: [lot.id] } },
      }),
      'open',
    );
    const contacts = opened.contacts as Contact[];
    for (const k of [
      `vehicle:${crewA.vehicleId}`,
      `driver:${crewA.driver}`,
      `vehicle:${crewB.vehicleId}`,
      `driver:${crewB.driver}`,
      `handler:${crewB.handler}`,
      `location:${ws.locationId}`,
    ])
      expect(keys(contacts), k).toContain(k);
    expect(contacts.find((c) => c.id === crewB.driver)).toMatchObject({ firstAt: ago(n, 5), lastAt: ago(n, 2) });
  });

  it('refuses event times in the future beyond 5 minutes or older than the horizon, naming the field', async () => {
    const n = node();
    const cast = await borderCast(n.app, n.adminToken);
    // Crews are judged fit when they handled the goods: tested a month ago for the old trip, yesterday for today's.
    const crew = {
      vehicleId: cast.vehicleId,
      carrierPartyId: cast.carrier.id,
      ...(await crewOf(n, cast.carrier, 29.5, 1)),
    };
    const store = await holderWithPlace(n, ['cold_store'], '320000');
    const retailer = await addParty(n.app, n.adminToken, ['retailer'], '440000');
    const lot = await clearedLot(n, cast);
    const shipBody = (departedAt: string) => ({
      fromLocationId: null,
      toPartyId: store.id,
      toLocationId: store.locationId,
      quantity: { kg: 20, cartons: 1 },
      vehicleId: crew.vehicleId,
      carrierPartyId: cast.carrier.id,
      driverWorkerId: crew.driver,
      handlerWorkerIds: [crew.handler],
      departedAt,
    });
    const post = (url: string, token: string, body: unknown) => api(n.app, 'POST', url, { token, body });
    const shipAt = (t: string) => post(`/v1/lots/${lot.id}/shipments`, cast.importer.token, shipBody(t));
    expectError(await shipAt(ahead(n, 10 * MIN)), 400, 'ValidationFailed', 'departedAt');
    expectError(await shipAt(ago(n, 31)), 400, 'ValidationFailed', 'departedAt');
    ok(await shipAt(ahead(n, 4 * MIN)), 'within the clock skew');
    const inTransit = ok(await shipAt(ago(n, 29)), 'within the horizon').id as string;
    expectError(
      await post(`/v1/shipments/${inTransit}/receipt`, store.token, {
        quantity: { kg: 20, cartons: 1 },
        receivedAt: ahead(n, DAY),
      }),
      400,
      'ValidationFailed',
      'receivedAt',
    );
    ok(
      await post(`/v1/shipments/${inTransit}/receipt`, store.token, {
        quantity: { kg: 20, cartons: 1 },
        receivedAt: ago(n, 28),
      }),
    );
    const refusals: [string, string, Record<string, unknown>, string][] = [
      [
        `/v1/lots/${lot.id}/transfers`,
        cast.importer.token,
        { fromLocationId: null, toLocationId: cast.locationId, quantity: { kg: 1, cartons: 0 }, at: ago(n, 40) },
        'at',
      ],
      [
        `/v1/lots/${lot.id}/disposals`,
        cast.importer.token,
        {
          locationId: null,
          quantity: { kg: 1, cartons: 0 },
          method: 'destroyed',
          referenceDoc: 'XH-1',
          at: ahead(n, DAY),
        },
        'at',
      ],
      [
        `/v1/lots/${lot.id}/sales`,
        store.token,
        { toPartyId: retailer.id, locationId: store.locationId, quantity: { kg: 1, cartons: 0 }, soldAt: ago(n, 365) },
        'soldAt',
      ],
      [
        `/v1/workers/${crew.driver}/tests`,
        cast.carrier.token,
        { sampledAt: ago(n, 31), result: 'negative', institution: '疾控中心' },
        'sampledAt',
      ],
      [
        `/v1/lots/${lot.id}/samples`,
        cast.warehouse.token,
        { point: 'environment', labPartyId: cast.lab.id, takenAt: ahead(n, 6 * MIN) },
        'takenAt',
      ],
      [
        '/v1/transformations',
        store.token,
        {
          kind: 'repack',
          locationId: store.locationId,
          at: ago(n, 45),
          inputs: [{ lotId: lot.id, quantity: { kg: 20, cartons: 1 } }],
          outputs: [{ quantity: { kg: 20, cartons: 2 } }],
        },
        'at',
      ],
    ];
    for (const [url, token, body, field] of refusals)
      expectError(await post(url, token, body), 400, 'ValidationFailed', field);
    // Nothing refused was written: the store still holds what arrived.
    const held = ok(await api(n.app, 'GET', `/v1/lots/${lot.id}/holdings`, { token: store.token }));
    expect(JSON.stringify(held)).toContain('"kg":20');
  });

  it('refuses an EPCIS event from the future, or one about our lots beyond the horizon, naming its eventTime', async () => {
    const n = node();
    const cast = await borderCast(n.app, n.adminToken);
    const lot = await clearedLot(n, cast);
    const doc = (epc: string, eventTime: string) => ({
      '@context': ['https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld'],
      type: 'EPCISDocument',
      schemaVersion: '2.0',
      creationDate: new Date(n.clock.now()).toISOString(),
      epcisBody: {
        eventList: [
          {
            type: 'ObjectEvent',
            action: 'OBSERVE',
            bizStep: 'inspecting',
            eventTime,
            eventTimeZoneOffset: '+08:00',
            epcList: [epc],
          },
        ],
      },
    });
    const capture = (body: unknown) => api(n.app, 'POST', '/epcis/capture', { token: cast.importer.token, body });
    const ours = `urn:coldtrace:lot:${lot.id}`;
    const theirs = 'urn:epc:id:sgtin:4012345.011111.9001';
    expectError(await capture(doc(ours, ago(n, 40))), 400, 'ValidationFailed', 'epcisBody.eventList.0.eventTime');
    expectError(await capture(doc(theirs, ahead(n, DAY))), 400, 'ValidationFailed', 'epcisBody.eventList.0.eventTime');
    // An old event about nothing of ours is kept as received: other systems replay their history.
    expect((await capture(doc(theirs, ago(n, 400)))).status).toBe(202);
    expect((await capture(doc(ours, ago(n, 2)))).status).toBe(202);
  });

  it('the horizon is a regulator setting, per region with a national default', async () => {
    const n = node();
    const cast = await borderCast(n.app, n.adminToken);
    const store = await holderWithPlace(n, ['cold_store'], '320000');
    const lot = await clearedLot(n, cast);
    const get = async (region: string) =>
      ok(await api(n.app, 'GET', `/v1/settings/event-time-horizon?region=${region}`, { token: n.adminToken }));
    const put = (token: string, body: unknown) => api(n.app, 'PUT', '/v1/settings/event-time-horizon', { token, body });
    expect(await get('410000')).toEqual({ region: '410000', days: 30 });
    expectError(await put(cast.importer.token, { region: '410000', days: 60 }), 403, 'Forbidden');
    expectError(await put(n.adminToken, { region: '410000', days: 0 }), 400, 'ValidationFailed', 'days');
    const regJS = await addParty(n.app, n.adminToken, ['regulator'], '320000', { level: 'provincial' });
    expectError(await put(regJS.token, { region: '410000', days: 60 }), 403, 'Forbidden', 'region');
    expect(ok(await put(regJS.token, { region: '320000', days: 3 }))).toMatchObject({ region: '320000', days: 3 });
    ok(await put(n.adminToken, { region: '410000', days: 60 }));
    ok(await put(n.adminToken, { region: null, days: 10 }));
    expect(await get('410000')).toEqual({ region: '410000', days: 60 });
    expect(await get('320000')).toEqual({ region: '320000', days: 3 });
    expect(await get('440000')).toEqual({ region: '440000', days: 10 });

    // Henan's importer may now record a departure 45 days back (with its crew's tests of then); Jiangsu's cold store
    // only 3 days back.
    const crew = { vehicleId: cast.vehicleId, carrierPartyId: cast.carrier.id, ...(await crewOf(n, cast.carrier, 46)) };
    const s = ok(
      await api(n.app, 'POST', `/v1/lots/${lot.id}/shipments`, {
        token: cast.importer.token,
        body: {
          fromLocationId: null,
          toPartyId: store.id,
          toLocationId: store.locationId,
          quantity: { kg: 20, cartons: 1 },
          vehicleId: crew.vehicleId,
          carrierPartyId: cast.carrier.id,
          driverWorkerId: crew.driver,
          handlerWorkerIds: [],
          departedAt: ago(n, 45),
        },
      }),
      "a departure within Henan's horizon",
    );
    const receive = (receivedAt: string) =>
      api(n.app, 'POST', `/v1/shipments/${s.id}/receipt`, {
        token: store.token,
        body: { quantity: { kg: 20, cartons: 1 }, receivedAt },
      });
    expectError(await receive(ago(n, 4)), 400, 'ValidationFailed', 'receivedAt');
    ok(await receive(ago(n, 2)));
  });
});
