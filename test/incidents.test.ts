import { expect, it } from 'vitest';
import { parseVerifierKey } from '../src/log/note-key.ts';
import { verifyDatabase } from '../src/app/audit/verify.ts';
import { addParty, api, expectError } from './support/http.ts';
import { borderCast, clearedLot, result } from './support/border.ts';
import { buildChain, crewOf, ok, shipTo } from './support/chain.ts';
import type { Chain } from './support/chain.ts';
import { eachDialect } from './support/test-node.ts';
import type { TestNode } from './support/test-node.ts';

type Tally = {
  affected: { kg: number };
  accounted: { kg: number };
  outstanding: { kg: number };
  pendingApproval: { kg: number };
};
type Incident = {
  id: string;
  number: number;
  status: string;
  regions: string[];
  audience: string;
  lots: { id: string; reason: string; status: string; cleared: boolean }[];
  holdings: (Tally & {
    holdingId: string;
    lotId: string;
    partyId: string;
    locationId: string | null;
    inTransit: boolean;
    affected: { kg: number; cartons: number };
  })[];
  byHolder: (Tally & { partyId: string })[];
  byRegion: (Tally & { region: string })[];
  total: Tally;
  contacts: { kind: string; id: string; label: string; lotIds: string[] }[];
  actions: { id: string; status: string }[];
};

const now = (n: TestNode) => new Date(n.clock.now()).toISOString();

/** positiveAtMarket has Guangdong's regulator sample R at the retailer and the lab find it positive. */
async function positiveAtMarket(n: TestNode, c: Chain) {
  const regGD = await addParty(n.app, n.adminToken, ['regulator'], '440000', { level: 'provincial' });
  const s = ok(
    await api(n.app, 'POST', `/v1/lots/${c.r.id}/market-samples`, {
      token: regGD.token,
      body: { point: 'outer_pack', labPartyId: c.cast.lab.id, takenAt: now(n), heldBy: c.retailer.id },
    }),
    'market sample',
  );
  const r = ok(
    await api(n.app, 'POST', `/v1/samples/${s.id}/result`, { token: c.cast.lab.token, body: result(n, 'positive') }),
    'result',
  );
  return { regGD, incident: r.incident as { id: string; number: number; lots: number; affectedKg: number } };
}

const act = (
  n: TestNode,
  token: string,
  incidentId: string,
  lotId: string,
  locationId: string | null,
  action: string,
  kg: number,
  cartons: number,
  referenceDoc: string | null = 'DOC-1',
) =>
  api(n.app, 'POST', `/v1/incidents/${incidentId}/actions`, {
    token,
    body: { lotId, locationId, action, quantity: { kg, cartons }, at: now(n), referenceDoc },
  });

eachDialect('incidents', (node) => {
  it('opens by itself on a positive market sample, freezes the whole batch, and closes only when every kg is accounted for', async () => {
    const n = node();
    const c = await buildChain(n);
    const { importer } = c.cast;
    const { incident: opened, regGD } = await positiveAtMarket(n, c);
    expect(opened).toMatchObject({ number: 1, lots: 4, affectedKg: 1590 });

    const regZJ = await addParty(n.app, n.adminToken, ['regulator'], '330000', { level: 'provincial' });
    const inc = ok(await api(n.app, 'GET', `/v1/incidents/${opened.id}`, { token: regZJ.token })) as Incident;
    expect(inc.audience).toBe('all');
    expect(Object.fromEntries(inc.lots.map((l) => [l.id, l.reason]))).toEqual({
      [c.r.id]: 'root',
      [c.l1.id]: 'source',
      [c.l2.id]: 'source',
      [c.l3.id]: 'same_container',
    });
    expect(inc.regions).toEqual(['320000', '330000', '410000', '440000']);
    const affected = Object.fromEntries(
      inc.holdings.map((h) => [`${h.lotId}@${h.partyId}`, [h.affected.kg, h.inTransit]]),
    );
    expect(affected).toEqual({
      [`${c.l1.id}@${importer.id}`]: [300, false],
      [`${c.l1.id}@${c.coldStore.id}`]: [300, false],
      [`${c.l1.id}@${c.wholesaler.id}`]: [200, false],
      [`${c.l1.id}@${c.restaurant.id}`]: [100, true],
      [`${c.l2.id}@${importer.id}`]: [300, false],
      [`${c.l2.id}@${c.wholesaler.id}`]: [100, false],
      [`${c.l3.id}@${importer.id}`]: [100, false],
      [`${c.r.id}@${c.wholesaler.id}`]: [140, false],
      [`${c.r.id}@${c.retailer.id}`]: [50, false],
    });
    expect(inc.total.outstanding.kg).toBe(1590);
    expect(inc.byRegion.map((r) => [r.region, r.affected.kg])).toEqual([
      ['320000', 400],
      ['330000', 440],
      ['410000', 700],
      ['440000', 50],
    ]);
    const contactIds = new Set(inc.contacts.map((x) => `${x.kind}:${x.id}`));
    expect(inc.contacts.filter((x) => !x.id)).toEqual([]);
    for (const k of [
      `vehicle:${c.cast.vehicleId}`,
      `driver:${c.crew.driver}`,
      `handler:${c.crew.handler}`,
      `driver:${c.cast.driverId}`,
      `handler:${c.cast.operatorId}`,
      `location:${c.coldStore.locationId}`,
      `location:${c.wholesaler.locationId}`,
    ]) {
      expect(contactIds, k).toContain(k);
    }

    // Every holder was alerted in the same write, with what it must hold.
    const inbox = ok(await api(n.app, 'GET', '/v1/alerts', { token: c.wholesaler.token })).items;
    expect(inbox).toEqual([
      expect.objectContaining({
        kind: 'incident.opened',
        severity: 'critical',
        body: expect.objectContaining({ incidentId: opened.id, number: 1, totalKg: 440 }),
      }),
    ]);
    const regAlerts = ok(await api(n.app, 'GET', '/v1/alerts', { token: regGD.token })).items;
    expect(regAlerts).toEqual([
      expect.objectContaining({
        kind: 'incident.opened',
        body: expect.objectContaining({ incidentId: opened.id, region: '440000', holders: 1, totalKg: 50 }),
      }),
    ]);
    for (const p of [c.cast.importer, c.coldStore, c.retailer, c.restaurant]) {
      const items = ok(await api(n.app, 'GET', '/v1/alerts', { token: p.token })).items;
      expect(
        items.map((a: { body: { incidentId: string } }) => a.body.incidentId),
        p.id,
      ).toEqual([opened.id]);
    }

    // Frozen: every affected lot is red with the incident as its reason, and nothing moves except to containment.
    for (const id of [c.l1.id, c.l2.id, c.l3.id, c.r.id]) {
      const lot = ok(await api(n.app, 'GET', `/v1/lots/${id}`, { token: n.adminToken }));
      expect(lot.status).toBe('red');
      expect(lot.statusReasons).toContainEqual({ code: 'open_incident', params: { incidentId: opened.id, number: 1 } });
    }
    expectError(
      await api(n.app, 'POST', `/v1/lots/${c.r.id}/sales`, {
        token: c.wholesaler.token,
        body: {
          toPartyId: c.retailer.id,
          locationId: c.wholesaler.locationId,
          quantity: { kg: 1, cartons: 1 },
          soldAt: now(n),
        },
      }),
      409,
      'LotBlocked',
    );

    // Who sees it: the regions the goods reached; a holder sees only its own part; nobody else.
    const regBJ = await addParty(n.app, n.adminToken, ['regulator'], '110000', { level: 'provincial' });
    expectError(await api(n.app, 'GET', `/v1/incidents/${opened.id}`, { token: regBJ.token }), 404, 'IncidentNotFound');
    const own = ok(await api(n.app, 'GET', `/v1/incidents/${opened.id}`, { token: c.retailer.token })) as Incident;
    expect(own.audience).toBe('own');
    expect(own.holdings.map((h) => h.partyId)).toEqual([c.retailer.id]);
    expect(own.contacts).toEqual([]);
    const listed = async (token: string) =>
      ok(await api(n.app, 'GET', '/v1/incidents', { token })).items.map((i: { id: string }) => i.id);
    expect(await listed(regZJ.token)).toEqual([opened.id]);
    expect(await listed(regBJ.token)).toEqual([]);
    expect(await listed(c.retailer.token)).toEqual([opened.id]);
    expect(await listed(c.cast.importer.token)).toEqual([opened.id]);

    expectError(
      await api(n.app, 'POST', `/v1/incidents/${opened.id}/close`, { token: regZJ.token, body: {} }),
      409,
      'IncidentOutstanding',
      'reason',
    );

    // The holders account for every kilogram.
    expectError(
      await act(n, importer.token, opened.id, c.l1.id, null, 'sealed', 300.001, 15),
      409,
      'InsufficientQuantity',
    );
    expectError(
      await act(n, importer.token, opened.id, c.l1.id, null, 'destroyed', 1, 0, null),
      400,
      'ValidationFailed',
      'referenceDoc',
    );
    ok(await act(n, importer.token, opened.id, c.l1.id, null, 'sealed', 300, 15, null));
    ok(await act(n, importer.token, opened.id, c.l2.id, null, 'destroyed', 300, 15));
    const retest = ok(
      await act(n, importer.token, opened.id, c.l3.id, null, 'retested_negative', 100, 5, 'LAB-2026-881'),
    );
    expect(retest.status).toBe('pending_approval');
    ok(await act(n, c.coldStore.token, opened.id, c.l1.id, c.coldStore.locationId, 'returned', 300, 15));
    ok(await act(n, c.wholesaler.token, opened.id, c.l1.id, c.wholesaler.locationId, 'sealed', 200, 10, null));
    ok(await act(n, c.wholesaler.token, opened.id, c.l2.id, c.wholesaler.locationId, 'destroyed', 100, 5));
    ok(await act(n, c.wholesaler.token, opened.id, c.r.id, c.wholesaler.locationId, 'destroyed', 140, 14));
    ok(await act(n, c.retailer.token, opened.id, c.r.id, null, 'destroyed', 50, 5));
    // The restaurant's goods were on the road: it receives them, then destroys them.
    const inbound = ok(await api(n.app, 'GET', '/v1/shipments?direction=in', { token: c.restaurant.token })).items[0];
    ok(
      await api(n.app, 'POST', `/v1/shipments/${inbound.id}/receipt`, {
        token: c.restaurant.token,
        body: { quantity: { kg: 100, cartons: 5 }, receivedAt: now(n) },
      }),
    );
    ok(await act(n, c.restaurant.token, opened.id, c.l1.id, null, 'destroyed', 100, 5));

    let state = ok(await api(n.app, 'GET', `/v1/incidents/${opened.id}`, { token: regZJ.token })) as Incident;
    expect(state.total).toMatchObject({ outstanding: { kg: 100 }, pendingApproval: { kg: 100 } });
    // Destroying goods disposes of them: the holdings are gone.
    const r = ok(await api(n.app, 'GET', `/v1/lots/${c.r.id}/holdings`, { token: n.adminToken }));
    expect(r.items).toEqual([]);
    expectError(
      await api(n.app, 'POST', `/v1/incidents/${opened.id}/close`, { token: regZJ.token, body: {} }),
      409,
      'IncidentOutstanding',
    );

    // A regulator approves the negative retest: it accounts for the importer's L3 alone, and L3 stays frozen.
    expectError(
      await api(n.app, 'POST', `/v1/incidents/${opened.id}/actions/${retest.id}/decision`, {
        token: importer.token,
        body: { approve: true },
      }),
      403,
      'Forbidden',
    );
    expectError(
      await api(n.app, 'POST', `/v1/incidents/${opened.id}/actions/${retest.id}/decision`, {
        token: regZJ.token,
        body: { approve: true, clearLot: true },
      }),
      400,
      'ValidationFailed',
      'clearLot',
    );
    const d = ok(
      await api(n.app, 'POST', `/v1/incidents/${opened.id}/actions/${retest.id}/decision`, {
        token: regZJ.token,
        body: { approve: true, note: '复检阴性' },
      }),
    );
    expect(d).toMatchObject({ status: 'approved' });
    expect(d).not.toHaveProperty('lotCleared');
    expect(ok(await api(n.app, 'GET', `/v1/lots/${c.l3.id}`, { token: n.adminToken })).status).toBe('red');
    state = ok(await api(n.app, 'GET', `/v1/incidents/${opened.id}`, { token: regZJ.token })) as Incident;
    expect(state.total.outstanding.kg).toBe(0);
    expect(state.lots.find((l) => l.id === c.l3.id)).toMatchObject({ cleared: false, status: 'red' });

    const closed = ok(await api(n.app, 'POST', `/v1/incidents/${opened.id}/close`, { token: regZJ.token, body: {} }));
    expect(closed).toMatchObject({ status: 'closed', closeReason: null });
    // R tested positive itself and stays red; L1 and L3 were frozen only by the incident.
    expect(ok(await api(n.app, 'GET', `/v1/lots/${c.r.id}`, { token: n.adminToken })).status).toBe('red');
    expect(ok(await api(n.app, 'GET', `/v1/lots/${c.l1.id}`, { token: n.adminToken })).status).toBe('green');
    expect(ok(await api(n.app, 'GET', `/v1/lots/${c.l3.id}`, { token: n.adminToken })).status).toBe('green');
    expectError(
      await api(n.app, 'POST', `/v1/incidents/${opened.id}/close`, { token: regZJ.token, body: {} }),
      409,
      'Conflict',
    );
    const kinds = async (token: string) =>
      ok(await api(n.app, 'GET', '/v1/alerts', { token }))
        .items.map((a: { kind: string }) => a.kind)
        .sort();
    expect(await kinds(c.retailer.token)).toEqual(['incident.closed', 'incident.opened']);
    expect(await kinds(importer.token)).toEqual(['incident.closed', 'incident.opened', 'incident.updated']);

    await n.checkpoint();
    const v = await verifyDatabase(n.deps.db, n.deps.log.origin, [parseVerifierKey(n.deps.log.signer.verifierKey)]);
    expect(v.problem).toBeUndefined();
  });

  it('is opened by a regulator or customs from a container or a producer, and closed early only with a reason', async () => {
    const n = node();
    const c = await buildChain(n);
    const container = (
      await n.deps.db.selectFrom('lots').select('containerNo').where('id', '=', c.l1.id).executeTakeFirstOrThrow()
    ).containerNo;
    expectError(
      await api(n.app, 'POST', '/v1/incidents', {
        token: c.wholesaler.token,
        body: { trigger: { kind: 'container', containerNo: container } },
      }),
      403,
      'Forbidden',
    );
    expectError(
      await api(n.app, 'POST', '/v1/incidents', {
        token: n.adminToken,
        body: { trigger: { kind: 'container', containerNo: 'ZZZU0000000' } },
      }),
      404,
      'LotNotFound',
      'trigger.containerNo',
    );
    expectError(
      await api(n.app, 'POST', '/v1/incidents', {
        token: n.adminToken,
        body: { trigger: { kind: 'positive_result', sampleId: 'smp_x', lotId: c.l1.id } },
      }),
      400,
      'ValidationFailed',
    );

    const byContainer = ok(
      await api(n.app, 'POST', '/v1/incidents', {
        token: c.cast.customs.token,
        body: {
          trigger: { kind: 'container', containerNo: container },
          scope: { sourceLots: false, sameContainer: true, sameProducerDate: false },
        },
      }),
    ) as Incident;
    expect(new Set(byContainer.lots.map((l) => l.id))).toEqual(new Set([c.l1.id, c.l3.id, c.r.id]));
    expect(byContainer.lots.find((l) => l.id === c.r.id)?.reason).toBe('descendant');

    // L2 is not in that container, but the producer and production date tie every lot of the batch together.
    const byProducer = ok(
      await api(n.app, 'POST', '/v1/incidents', {
        token: n.adminToken,
        body: {
          trigger: {
            kind: 'producer',
            producerId: c.cast.producerId,
            productionFrom: '2026-08-01',
            productionTo: '2026-09-30',
          },
          title: '阿根廷猪肉 / Argentine pork',
        },
      }),
    ) as Incident;
    expect(byProducer.number).toBe(byContainer.number + 1);
    expect(new Set(byProducer.lots.map((l) => l.id))).toEqual(new Set([c.l1.id, c.l2.id, c.l3.id, c.r.id]));
    const l1 = ok(await api(n.app, 'GET', `/v1/lots/${c.l1.id}`, { token: n.adminToken }));
    expect(l1.statusReasons.filter((x: { code: string }) => x.code === 'open_incident')).toHaveLength(2);

    expectError(
      await api(n.app, 'POST', `/v1/incidents/${byContainer.id}/close`, {
        token: n.adminToken,
        body: { reason: '  ' },
      }),
      409,
      'IncidentOutstanding',
    );
    const closed = ok(
      await api(n.app, 'POST', `/v1/incidents/${byContainer.id}/close`, {
        token: n.adminToken,
        body: { reason: '经流调排除 / ruled out by investigation' },
      }),
    );
    expect(closed).toMatchObject({ status: 'closed', outstanding: { kg: expect.any(Number) } });
    // Still frozen by the other incident.
    const after = ok(await api(n.app, 'GET', `/v1/lots/${c.l1.id}`, { token: n.adminToken }));
    expect(after.status).toBe('red');
    expect(after.statusReasons.filter((x: { code: string }) => x.code === 'open_incident')).toEqual([
      { code: 'open_incident', params: { incidentId: byProducer.id, number: byProducer.number } },
    ]);
    const list = ok(await api(n.app, 'GET', '/v1/incidents?status=open', { token: n.adminToken }));
    expect(list.items.map((i: { id: string }) => i.id)).toEqual([byProducer.id]);
  });

  it("approving one holder's retest of the positive lot accounts for that holding alone (the issue's story)", async () => {
    const n = node();
    const cast = await borderCast(n.app, n.adminToken);
    const crew = await crewOf(n, cast);
    const lot = await clearedLot(n, cast, { netKg: 12_967.5, cartons: 1000 });
    const coldStore = await addParty(n.app, n.adminToken, ['cold_store'], '320000');
    const supermarket = await addParty(n.app, n.adminToken, ['retailer'], '440000');
    await shipTo(n, { cast, crew }, cast.importer, lot.id, coldStore, 8000, 617);
    await shipTo(n, { cast, crew }, cast.importer, lot.id, supermarket, 567.5, 44);
    const regGD = await addParty(n.app, n.adminToken, ['regulator'], '440000', { level: 'provincial' });
    const s = ok(
      await api(n.app, 'POST', `/v1/lots/${lot.id}/market-samples`, {
        token: regGD.token,
        body: { point: 'outer_pack', labPartyId: cast.lab.id, takenAt: now(n), heldBy: supermarket.id },
      }),
    );
    const r = ok(
      await api(n.app, 'POST', `/v1/samples/${s.id}/result`, { token: cast.lab.token, body: result(n, 'positive') }),
    );
    const incidentId = r.incident.id as string;
    expect(r.incident).toMatchObject({ lots: 1, affectedKg: 12_967.5 });

    const retest = ok(
      await act(n, supermarket.token, incidentId, lot.id, null, 'retested_negative', 567.5, 44, 'LAB-567'),
    );
    // What the console used to send by default is refused: a decision cannot release a lot.
    expectError(
      await api(n.app, 'POST', `/v1/incidents/${incidentId}/actions/${retest.id}/decision`, {
        token: regGD.token,
        body: { approve: true, clearLot: true },
      }),
      400,
      'ValidationFailed',
      'clearLot',
    );
    ok(
      await api(n.app, 'POST', `/v1/incidents/${incidentId}/actions/${retest.id}/decision`, {
        token: regGD.token,
        body: { approve: true },
      }),
    );
    const get = async () =>
      ok(await api(n.app, 'GET', `/v1/incidents/${incidentId}`, { token: regGD.token })) as Incident;
    const outstandingBy = (inc: Incident) =>
      Object.fromEntries(inc.byHolder.map((b) => [b.partyId, [b.accounted.kg, b.outstanding.kg]]));
    let inc = await get();
    expect(inc.total).toMatchObject({
      affected: { kg: 12_967.5 },
      accounted: { kg: 567.5 },
      outstanding: { kg: 12_400 },
    });
    expect(outstandingBy(inc)).toEqual({
      [cast.importer.id]: [0, 4400],
      [coldStore.id]: [0, 8000],
      [supermarket.id]: [567.5, 0],
    });
    expect(inc.lots).toEqual([expect.objectContaining({ id: lot.id, cleared: false, status: 'red' })]);
    expectError(
      await api(n.app, 'POST', `/v1/incidents/${incidentId}/close`, { token: regGD.token, body: {} }),
      409,
      'IncidentOutstanding',
    );

    // Releasing the lot is the regulator's own act, with a reason; it accounts for nobody's goods.
    const release = (token: string, body: unknown) =>
      api(n.app, 'POST', `/v1/incidents/${incidentId}/lots/${lot.id}/release`, { token, body });
    expectError(await release(regGD.token, {}), 400, 'ValidationFailed', 'reason');
    expectError(await release(regGD.token, { reason: '   ' }), 400, 'ValidationFailed', 'reason');
    expectError(await release(supermarket.token, { reason: 'mine is fine' }), 403, 'Forbidden');
    expectError(
      await api(n.app, 'POST', `/v1/incidents/${incidentId}/lots/lot_nope/release`, {
        token: regGD.token,
        body: { reason: 'x' },
      }),
      404,
      'LotNotFound',
      'lotId',
    );
    const released = ok(
      await release(regGD.token, { reason: '环境样本阳性，货物复检阴性 / positive on the outer pack only' }),
    );
    // The lot tested positive itself, so it stays red even out of the incident.
    expect(released).toMatchObject({ incidentId, lotId: lot.id, status: 'red', releasedBy: regGD.id });
    expectError(await release(regGD.token, { reason: 'again' }), 409, 'Conflict', 'lotId');
    inc = await get();
    expect(inc.lots).toEqual([expect.objectContaining({ id: lot.id, cleared: true })]);
    expect(inc.total.outstanding.kg).toBe(12_400);
    expect(outstandingBy(inc)[coldStore.id]).toEqual([0, 8000]);
    for (const p of [cast.importer, coldStore, supermarket]) {
      const items = ok(await api(n.app, 'GET', '/v1/alerts', { token: p.token })).items as {
        kind: string;
        body: { released?: boolean; reason?: string };
      }[];
      expect(
        items.some(
          (a) => a.kind === 'incident.updated' && a.body.released && a.body.reason?.startsWith('环境样本阳性'),
        ),
        p.id,
      ).toBe(true);
    }
    await n.checkpoint();
    const v = await verifyDatabase(n.deps.db, n.deps.log.origin, [parseVerifierKey(n.deps.log.signer.verifierKey)]);
    expect(v.problem).toBeUndefined();
  });

  it("keeps outstanding kg = affected - each holder's own counted actions, over a seeded random sequence of acts, decisions and releases", async () => {
    const n = node();
    const c = await buildChain(n);
    const { regGD, incident } = await positiveAtMarket(n, c);
    const tokens = new Map(
      [c.cast.importer, c.coldStore, c.wholesaler, c.retailer, c.restaurant].map((p) => [p.id, p.token]),
    );
    const get = async () =>
      ok(await api(n.app, 'GET', `/v1/incidents/${incident.id}`, { token: regGD.token })) as Incident;
    const start = await get();
    const held = start.holdings.map((x) => ({
      ...x,
      grams: Math.round(x.affected.kg * 1000),
      cartons: x.affected.cartons,
    }));
    // The model: every recorded action with its status, kept by the test from what it did, not read back.
    const acts: { id: string; holdingId: string; grams: number; cartons: number; status: string }[] = [];
    const counted = (s: string) => s === 'accepted' || s === 'approved';
    const sum = (hid: string, f: (s: string) => boolean, k: 'grams' | 'cartons') =>
      acts.filter((a) => a.holdingId === hid && f(a.status)).reduce((t, a) => t + a[k], 0);
    const model = (x: (typeof held)[number]) => {
      const acc = Math.min(x.grams, sum(x.holdingId, counted, 'grams'));
      const accCt = Math.min(x.cartons, sum(x.holdingId, counted, 'cartons'));
      const pending = Math.min(
        x.grams - acc,
        sum(x.holdingId, (s) => s === 'pending_approval', 'grams'),
      );
      return { outstanding: x.grams - acc, open: x.grams - acc - pending, openCartons: x.cartons - accCt };
    };
    let seed = 20261207;
    const rand = () => {
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)]!;
    const released = new Set<string>();
    const ops = { recorded: 0, approved: 0, rejected: 0, released: 0 };

    for (let step = 0; step < 40; step++) {
      const roll = rand();
      const pending = acts.filter((a) => a.status === 'pending_approval');
      const open = held.filter((x) => model(x).open > 0);
      if (roll < 0.15 && released.size < start.lots.length) {
        const lot = pick(start.lots.filter((l) => !released.has(l.id)));
        ok(
          await api(n.app, 'POST', `/v1/incidents/${incident.id}/lots/${lot.id}/release`, {
            token: regGD.token,
            body: { reason: `step ${step}` },
          }),
          `release ${lot.id}`,
        );
        released.add(lot.id);
        ops.released++;
      } else if (roll < 0.5 && pending.length > 0) {
        const a = pick(pending);
        const approve = rand() < 0.7;
        const d = ok(
          await api(n.app, 'POST', `/v1/incidents/${incident.id}/actions/${a.id}/decision`, {
            token: regGD.token,
            body: { approve },
          }),
          'decide',
        );
        a.status = d.status as string;
        ops[approve ? 'approved' : 'rejected']++;
      } else if (open.length > 0) {
        const x = pick(open);
        const m = model(x);
        const kinds = x.inTransit
          ? ['sealed', 'retested_negative']
          : ['sealed', 'destroyed', 'returned', 'retested_negative'];
        const action = pick(kinds);
        const kg = Math.max(1, Math.floor(rand() * (m.open / 500))) * 0.5;
        const cartons = Math.floor(rand() * (Math.max(0, m.openCartons) + 1));
        const a = ok(
          await act(n, tokens.get(x.partyId)!, incident.id, x.lotId, x.locationId, action, kg, cartons, `DOC-${step}`),
          `${action} ${kg} kg at ${x.holdingId}`,
        );
        acts.push({ id: a.id, holdingId: x.holdingId, grams: Math.round(kg * 1000), cartons, status: a.status });
        ops.recorded++;
      } else continue;

      const inc = await get();
      for (const x of held) {
        const got = inc.holdings.find((y) => y.holdingId === x.holdingId)!;
        expect(got.outstanding.kg, `step ${step}, ${x.holdingId}`).toBe(model(x).outstanding / 1000);
      }
      const affected = held.reduce((t, x) => t + x.grams, 0);
      const own = held.reduce((t, x) => t + (x.grams - model(x).outstanding), 0);
      expect(inc.total.outstanding.kg, `step ${step}`).toBe((affected - own) / 1000);
      for (const l of inc.lots) expect(l.cleared, `step ${step}, lot ${l.id}`).toBe(released.has(l.id));
    }
    // The sequence exercised every kind of step.
    expect(
      Object.values(ops).every((k) => k > 0),
      JSON.stringify(ops),
    ).toBe(true);
  });
});
