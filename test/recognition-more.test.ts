import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { borderCast, clearedLot, hire, result } from './support/border.ts';
import type { BorderCast } from './support/border.ts';
import { crewOf, ok } from './support/chain.ts';
import type { Province } from './support/federation.ts';
import { peerAll, startProvince, sync } from './support/federation.ts';
import { addParty, api, expectError, residentId } from './support/http.ts';
import { DIALECTS } from './support/test-node.ts';

// Goods that go on from the province that received them: onward to a third province, back home, and repacked; and a
// positive found far from home that reaches home.

type Party = { id: string; token: string };
interface Carrier {
  carrier: Party;
  vehicleId: string;
  driver: string;
  handler: string;
}

let plate = 0;

/** carrierOn registers a carrier with a refrigerated vehicle and a tested crew on a province's node. */
async function carrierOn(p: Province, region: string): Promise<Carrier> {
  const carrier = await addParty(p.node.app, p.node.adminToken, ['carrier'], region);
  const vehicleId = ok(
    await api(p.node.app, 'POST', '/v1/vehicles', {
      token: carrier.token,
      body: { plate: `鄂A${String(20000 + plate++).slice(-5)}`, refrigerated: true },
    }),
  ).id as string;
  const t = new Date(p.node.clock.now() - 3_600_000).toISOString();
  const crew: string[] = [];
  for (const [name, role, born] of [
    ['李师傅', 'driver', '19810303'],
    ['周搬运', 'warehouse_handler', '19840404'],
  ] as const) {
    const id = ok(
      await api(p.node.app, 'POST', '/v1/workers', {
        token: carrier.token,
        body: { name, role, idNumber: residentId(born, String(500 + plate++)) },
      }),
    ).id as string;
    ok(
      await api(p.node.app, 'POST', `/v1/workers/${id}/tests`, {
        token: carrier.token,
        body: { sampledAt: t, result: 'negative', institution: '疾控中心' },
      }),
    );
    crew.push(id);
  }
  return { carrier, vehicleId, driver: crew[0]!, handler: crew[1]! };
}

for (const kind of DIALECTS) {
  describe(`goods that go on across provinces [${kind}]`, () => {
    let ha: Province, hb: Province, zj: Province;
    let cast: BorderCast;
    let crew: { driver: string; handler: string };
    let hubeiCarrier: Carrier;
    let wuhan: Party, hangzhou: Party, regHB: Party, labHB: Party;
    let lot: { id: string; code: string };
    let repacked: { lotId: string; code: string };
    const now = (p: Province) => new Date(p.node.clock.now()).toISOString();

    const ship = async (
      p: Province,
      from: Party,
      lotId: string,
      to: Party,
      kgs: number,
      cartons: number,
      c: { carrier: Party; vehicleId: string; driver: string; handler: string },
    ) => {
      await hire(p.node.app, from, c.carrier);
      return ok(
        await api(p.node.app, 'POST', `/v1/lots/${lotId}/shipments`, {
          token: from.token,
          body: {
            fromLocationId: null,
            toPartyId: to.id,
            toLocationId: null,
            quantity: { kg: kgs, cartons },
            carrierPartyId: c.carrier.id,
            vehicleId: c.vehicleId,
            driverWorkerId: c.driver,
            handlerWorkerIds: [c.handler],
            departedAt: now(p),
          },
        }),
        'ship',
      ) as { id: string };
    };
    const receive = async (p: Province, holder: Party, code: string, kgs: number, cartons: number) =>
      ok(
        await api(p.node.app, 'POST', '/v1/receipts', {
          token: holder.token,
          body: { code, quantity: { kg: kgs, cartons }, receivedAt: now(p) },
        }),
        'receive',
      );
    const held = async (p: Province, holder: Party, lotId: string) =>
      (
        ok(await api(p.node.app, 'GET', `/v1/lots/${lotId}/holdings`, { token: holder.token })).items as {
          partyId: string;
          quantity: { kg: number };
        }[]
      )
        .filter((h) => h.partyId === holder.id)
        .reduce((n, h) => n + h.quantity.kg, 0);

    beforeAll(async () => {
      [ha, hb, zj] = await Promise.all([
        startProvince(kind, 'henan', '410000'),
        startProvince(kind, 'hubei', '420000'),
        startProvince(kind, 'zhejiang', '330000'),
      ]);
      await peerAll([ha, hb, zj]);
      cast = await borderCast(ha.node.app, ha.node.adminToken);
      crew = await crewOf(ha.node, cast);
      wuhan = await addParty(hb.node.app, hb.node.adminToken, ['wholesaler'], '420000');
      regHB = await addParty(hb.node.app, hb.node.adminToken, ['regulator'], '420000', { level: 'provincial' });
      labHB = await addParty(hb.node.app, hb.node.adminToken, ['lab'], '420000');
      hangzhou = await addParty(zj.node.app, zj.node.adminToken, ['wholesaler'], '330000');
      hubeiCarrier = await carrierOn(hb, '420000');
      lot = await clearedLot(ha.node, cast);
      await sync([ha, hb, zj]);
    });
    afterAll(async () => {
      for (const p of [ha, hb, zj]) await p?.node.close();
    });

    it('ships on to a third province and back home, and repacks into a lot whose parent is the home lot', async () => {
      await ship(ha, cast.importer, lot.id, wuhan, 300, 30, {
        carrier: cast.carrier,
        vehicleId: cast.vehicleId,
        ...crew,
      });
      await sync([ha, hb, zj]);
      await receive(hb, wuhan, lot.code, 300, 30);

      const t = ok(
        await api(hb.node.app, 'POST', '/v1/transformations', {
          token: wuhan.token,
          body: {
            kind: 'repack',
            locationId: null,
            at: now(hb),
            inputs: [{ lotId: lot.id, locationId: null, quantity: { kg: 100, cartons: 10 } }],
            outputs: [{ quantity: { kg: 100, cartons: 20 } }],
          },
        }),
        'repack',
      );
      repacked = (t.outputs as { lotId: string; code: string }[])[0]!;
      const child = ok(await api(hb.node.app, 'GET', `/v1/lots/${repacked.lotId}`, { token: wuhan.token }));
      expect(child).toMatchObject({ origin: 'derived', status: 'green' });

      await ship(hb, wuhan, lot.id, hangzhou, 50, 5, hubeiCarrier);
      await ship(hb, wuhan, repacked.lotId, hangzhou, 30, 6, hubeiCarrier);
      await ship(hb, wuhan, lot.id, cast.importer, 50, 5, hubeiCarrier);
      await sync([ha, hb, zj]);
      await receive(zj, hangzhou, lot.code, 50, 5);
      await receive(zj, hangzhou, repacked.code, 30, 6);
      const before = await held(ha, cast.importer, lot.id);
      await receive(ha, cast.importer, lot.code, 50, 5);
      expect(await held(ha, cast.importer, lot.id)).toBe(before + 50);
      await sync([ha, hb, zj]);

      // Quantities are conserved across every border.
      expect(await held(hb, wuhan, lot.id)).toBe(100);
      expect(await held(hb, wuhan, repacked.lotId)).toBe(70);
      expect(await held(zj, hangzhou, lot.id)).toBe(50);
      expect(await held(zj, hangzhou, repacked.lotId)).toBe(30);
      // Zhejiang knows the Henan lot's home, though it came through Hubei, and the repacked lot's home is Hubei.
      const rows = await zj.node.deps.db
        .selectFrom('lots')
        .select(['id', 'origin', 'homeOrigin', 'status'])
        .where('id', 'in', [lot.id, repacked.lotId])
        .execute();
      expect(Object.fromEntries(rows.map((r) => [r.id, [r.origin, r.homeOrigin, r.status]]))).toEqual({
        [lot.id]: ['recognised', ha.origin, 'green'],
        [repacked.lotId]: ['recognised', hb.origin, 'green'],
      });
      // Every shipment is closed on the node it left from, with what arrived.
      const out = ok(await api(hb.node.app, 'GET', '/v1/shipments?direction=out', { token: wuhan.token })).items as {
        status: string;
      }[];
      expect(out.map((s) => s.status)).toEqual(['received', 'received', 'received']);
    });

    it("a positive found in Hubei on Henan's lot reaches Henan's holdings and every province that holds it", async () => {
      const s = ok(
        await api(hb.node.app, 'POST', `/v1/lots/${lot.id}/market-samples`, {
          token: regHB.token,
          body: { point: 'outer_pack', labPartyId: labHB.id, takenAt: now(hb), heldBy: wuhan.id },
        }),
        'market sample',
      );
      const r = ok(
        await api(hb.node.app, 'POST', `/v1/samples/${s.id}/result`, {
          token: labHB.token,
          body: result(hb.node, 'positive'),
        }),
        'result',
      );
      const incident = r.incident as { id: string };
      expect(incident.id).toBeTruthy();
      await sync([ha, hb, zj]);

      // Henan's own lot is red by Hubei's facts, which name the node they come from.
      const home = ok(await api(ha.node.app, 'GET', `/v1/lots/${lot.id}`, { token: cast.importer.token }));
      expect(home.status).toBe('red');
      expect(home.statusReasons).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ code: 'sample_positive', params: expect.objectContaining({ origin: hb.origin }) }),
        ]),
      );
      // Henan and Zhejiang each follow Hubei's incident, freezing what their own holders hold.
      for (const [p, holder, lotIds] of [
        [ha, cast.importer, [lot.id]],
        [zj, hangzhou, [lot.id, repacked.lotId]],
      ] as const) {
        const list = ok(await api(p.node.app, 'GET', '/v1/incidents', { token: p.node.adminToken })).items as {
          id: string;
        }[];
        expect(list).toHaveLength(1);
        const inc = ok(await api(p.node.app, 'GET', `/v1/incidents/${list[0]!.id}`, { token: p.node.adminToken }));
        expect(inc.trigger).toMatchObject({
          kind: 'peer_incident',
          rootOrigin: hb.origin,
          rootIncidentId: incident.id,
        });
        const frozen = (inc.holdings as { partyId: string; lotId: string }[]).filter((h) => h.partyId === holder.id);
        expect(frozen.map((h) => h.lotId).sort()).toEqual([...lotIds].sort());
      }
      // Hubei sees both other provinces' shares of its incident.
      const root = ok(await api(hb.node.app, 'GET', `/v1/incidents/${incident.id}`, { token: regHB.token }));
      expect((root.provinces as { origin: string }[]).map((p) => p.origin).sort()).toEqual(
        [ha.origin, zj.origin].sort(),
      );
      // A red lot cannot be shipped on.
      expectError(
        await api(hb.node.app, 'POST', `/v1/lots/${lot.id}/shipments`, {
          token: wuhan.token,
          body: {
            fromLocationId: null,
            toPartyId: hangzhou.id,
            toLocationId: null,
            quantity: { kg: 1, cartons: 0 },
            carrierPartyId: hubeiCarrier.carrier.id,
            vehicleId: hubeiCarrier.vehicleId,
            driverWorkerId: hubeiCarrier.driver,
            handlerWorkerIds: [],
            departedAt: now(hb),
          },
        }),
        409,
        'LotBlocked',
      );
    });
  });
}
