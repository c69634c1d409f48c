import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyDatabase } from '../src/app/audit/verify.ts';
import { parseVerifierKey } from '../src/log/note-key.ts';
import { borderCast, clearedLot, hire } from './support/border.ts';
import type { BorderCast } from './support/border.ts';
import { crewOf, ok } from './support/chain.ts';
import type { Province } from './support/federation.ts';
import { peerAll, startProvince, sync } from './support/federation.ts';
import { addParty, api, expectError } from './support/http.ts';
import { DIALECTS } from './support/test-node.ts';

// Enter once, recognised everywhere: three provinces on loopback. A lot cleared in Henan is sold to Hubei and
// Zhejiang, received there by its code alone, and a recall in Henan reaches every holder in all three.

type Party = { id: string; token: string };

for (const kind of DIALECTS) {
  describe(`recognition across provinces [${kind}]`, () => {
    let ha: Province, hb: Province, zj: Province;
    let cast: BorderCast;
    let crew: { driver: string; handler: string };
    let wuhan: Party, hangzhou: Party, regHA: Party, regHB: Party, regZJ: Party;
    let lot: { id: string; code: string };
    const now = (p: Province) => new Date(p.node.clock.now()).toISOString();

    const shipFromHenan = async (to: Party, kgs: number, cartons: number) =>
      ok(
        await api(ha.node.app, 'POST', `/v1/lots/${lot.id}/shipments`, {
          token: cast.importer.token,
          body: {
            fromLocationId: null,
            toPartyId: to.id,
            toLocationId: null,
            quantity: { kg: kgs, cartons },
            carrierPartyId: cast.carrier.id,
            vehicleId: cast.vehicleId,
            driverWorkerId: crew.driver,
            handlerWorkerIds: [crew.handler],
            departedAt: now(ha),
            referenceDoc: 'DN-HA-1',
          },
        }),
        'ship',
      );

    beforeAll(async () => {
      [ha, hb, zj] = await Promise.all([
        startProvince(kind, 'henan', '410000'),
        startProvince(kind, 'hubei', '420000'),
        startProvince(kind, 'zhejiang', '330000'),
      ]);
      await peerAll([ha, hb, zj]);
      cast = await borderCast(ha.node.app, ha.node.adminToken);
      crew = await crewOf(ha.node, cast);
      await hire(ha.node.app, cast.importer, cast.carrier);
      regHA = await addParty(ha.node.app, ha.node.adminToken, ['regulator'], '410000', { level: 'provincial' });
      wuhan = await addParty(hb.node.app, hb.node.adminToken, ['wholesaler'], '420000');
      regHB = await addParty(hb.node.app, hb.node.adminToken, ['regulator'], '420000', { level: 'provincial' });
      hangzhou = await addParty(zj.node.app, zj.node.adminToken, ['wholesaler'], '330000');
      regZJ = await addParty(zj.node.app, zj.node.adminToken, ['regulator'], '330000', { level: 'provincial' });
      lot = await clearedLot(ha.node, cast);
      await sync([ha, hb, zj]);
    });
    afterAll(async () => {
      for (const p of [ha, hb, zj]) await p?.node.close();
    });

    it("learns the other provinces' parties from their logs, without personal data", async () => {
      const r = await api(ha.node.app, 'GET', `/v1/parties/${wuhan.id}`, { token: ha.node.adminToken });
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      expect(r.body).toMatchObject({ id: wuhan.id, region: '420000', roles: ['wholesaler'], homeOrigin: hb.origin });
      // Every node has its own administrator: theirs are not businesses, and are not taken in.
      const list = await ha.node.deps.db.selectFrom('parties').select(['id', 'homeOrigin']).execute();
      expect(list.filter((p) => p.homeOrigin === hb.origin).map((p) => p.id)).toContain(regHB.id);
      expect(list.filter((p) => p.homeOrigin === hb.origin)).toHaveLength(2);
    });

    it('ships to another province as it ships locally; the consignee sees it coming, and receives it by its code alone', async () => {
      const s = await shipFromHenan(wuhan, 400, 40);
      await sync([ha, hb, zj]);
      const incoming = ok(await api(hb.node.app, 'GET', '/v1/shipments?direction=in', { token: wuhan.token }))
        .items as { id: string; source: { origin: string; index: number } | null; status: string }[];
      expect(incoming.map((x) => x.id)).toEqual([s.id]);
      expect(incoming[0]!.source).toMatchObject({ origin: ha.origin });
      const alerts = ok(await api(hb.node.app, 'GET', '/v1/alerts', { token: wuhan.token })).items as {
        kind: string;
        body: { shipmentId: string };
      }[];
      expect(alerts.find((a) => a.kind === 'shipment.incoming')?.body.shipmentId).toBe(s.id);
      // The lot is green here by Henan's facts: nothing of its papers is asked for again.
      const seen = ok(await api(hb.node.app, 'GET', `/v1/lots/${lot.id}`, { token: wuhan.token }));
      expect(seen).toMatchObject({ code: lot.code, status: 'green', origin: 'recognised' });

      // More than was shipped is refused; the receipt carries the code, the quantity and the time only.
      expectError(
        await api(hb.node.app, 'POST', '/v1/receipts', {
          token: wuhan.token,
          body: { code: lot.code, quantity: { kg: 401, cartons: 40 }, receivedAt: now(hb) },
        }),
        400,
        'ValidationFailed',
        'quantity',
      );
      const got = ok(
        await api(hb.node.app, 'POST', '/v1/receipts', {
          token: wuhan.token,
          body: { code: lot.code, quantity: { kg: 398, cartons: 40 }, receivedAt: now(hb) },
        }),
      );
      expect(got).toMatchObject({ status: 'received', discrepancy: { kg: 2, cartons: 0 } });
      // A shipment is received once.
      expectError(
        await api(hb.node.app, 'POST', '/v1/receipts', {
          token: wuhan.token,
          body: { code: lot.code, quantity: { kg: 1, cartons: 0 }, receivedAt: now(hb) },
        }),
        404,
        'NotFound',
        'code',
      );
      const held = ok(await api(hb.node.app, 'GET', `/v1/lots/${lot.id}/holdings`, { token: wuhan.token }));
      expect(held.items.map((h: { quantity: { kg: number } }) => h.quantity.kg)).toEqual([398]);

      // Henan learns of the receipt from Hubei's log, and closes its shipment with what arrived.
      await sync([ha, hb, zj]);
      const back = ok(await api(ha.node.app, 'GET', `/v1/shipments?lotId=${lot.id}`, { token: cast.importer.token }));
      expect(back.items[0]).toMatchObject({ id: s.id, status: 'received', discrepancy: { kg: 2, cartons: 0 } });
      for (const p of [ha, hb])
        await expect(verifyDatabase(p.node.deps.db, p.origin, [parseVerifierKey(p.logVkey)])).resolves.toBeTruthy();
    });

    it("a recall opened in Henan freezes Hubei's and Zhejiang's holdings, which account for them on their own nodes", async () => {
      await shipFromHenan(hangzhou, 100, 10);
      await sync([ha, hb, zj]);
      ok(
        await api(zj.node.app, 'POST', '/v1/receipts', {
          token: hangzhou.token,
          body: { code: lot.code, quantity: { kg: 100, cartons: 10 }, receivedAt: now(zj) },
        }),
      );
      // 10 kg more are on their way to Zhejiang when the recall opens.
      await shipFromHenan(hangzhou, 10, 1);
      await sync([ha, hb, zj]);
      const opened = ok(
        await api(ha.node.app, 'POST', '/v1/incidents', {
          token: regHA.token,
          body: { trigger: { kind: 'lot', lotIds: [lot.id] } },
        }),
      );
      await sync([ha, hb, zj]);
      for (const [p, holder, reg, kgs] of [
        [hb, wuhan, regHB, 398],
        [zj, hangzhou, regZJ, 110],
      ] as const) {
        const seen = ok(await api(p.node.app, 'GET', `/v1/lots/${lot.id}`, { token: holder.token }));
        expect(seen.status).toBe('red');
        const incs = ok(await api(p.node.app, 'GET', '/v1/incidents', { token: reg.token })).items as {
          id: string;
        }[];
        expect(incs).toHaveLength(1);
        const inc = ok(await api(p.node.app, 'GET', `/v1/incidents/${incs[0]!.id}`, { token: reg.token }));
        expect(inc.trigger).toMatchObject({ kind: 'peer_incident', rootOrigin: ha.origin, rootIncidentId: opened.id });
        expect(inc.total.outstanding.kg).toBe(kgs);
        const alerts = ok(await api(p.node.app, 'GET', '/v1/alerts', { token: holder.token })).items as {
          kind: string;
        }[];
        expect(alerts.some((a) => a.kind === 'incident.opened')).toBe(true);
      }

      // Goods of a lot that is red by its home node's facts are not received, and the home node's reasons say why.
      const late = await api(zj.node.app, 'POST', '/v1/receipts', {
        token: hangzhou.token,
        body: { code: lot.code, quantity: { kg: 10, cartons: 1 }, receivedAt: now(zj) },
      });
      expectError(late, 409, 'LotBlocked', 'lotId');
      expect(late.body.error.details.reasons).toContainEqual(
        expect.objectContaining({ code: 'open_incident', params: expect.objectContaining({ origin: ha.origin }) }),
      );
      // Each province's holders account on their own node; Henan sees every province's share from their logs.
      const act = async (p: Province, holder: Party, kgs: number, cartons: number, action = 'destroyed') => {
        const incs = ok(await api(p.node.app, 'GET', '/v1/incidents', { token: holder.token })).items as {
          id: string;
        }[];
        return ok(
          await api(p.node.app, 'POST', `/v1/incidents/${incs[0]!.id}/actions`, {
            token: holder.token,
            body: {
              lotId: lot.id,
              locationId: null,
              action,
              quantity: { kg: kgs, cartons },
              at: now(p),
              referenceDoc: 'DESTROY-1',
            },
          }),
        );
      };
      await act(hb, wuhan, 398, 40);
      await act(zj, hangzhou, 60, 6);
      await sync([ha, hb, zj]);
      const inc = ok(await api(ha.node.app, 'GET', `/v1/incidents/${opened.id}`, { token: regHA.token }));
      const byOrigin = Object.fromEntries(
        (
          inc.provinces as { origin: string; outstanding: { kg: number }; affected: { kg: number }; trust: string }[]
        ).map((p) => [p.origin, [p.affected.kg, p.outstanding.kg, p.trust]]),
      );
      expect(byOrigin).toEqual({ [hb.origin]: [398, 0, 'witnessed'], [zj.origin]: [110, 50, 'witnessed'] });
      // Henan's importer still holds the rest here, which it accounts for on Henan's node.
      const mine = ok(await api(ha.node.app, 'GET', `/v1/lots/${lot.id}/holdings`, { token: cast.importer.token }))
        .items[0] as { quantity: { kg: number; cartons: number } };
      expect(inc.total.outstanding.kg).toBe(mine.quantity.kg);
      ok(
        await api(ha.node.app, 'POST', `/v1/incidents/${opened.id}/actions`, {
          token: cast.importer.token,
          body: {
            lotId: lot.id,
            locationId: null,
            action: 'destroyed',
            quantity: mine.quantity,
            at: now(ha),
            referenceDoc: 'DESTROY-HA',
          },
        }),
      );
      // It closes only when every province has accounted for every kg.
      const refused = await api(ha.node.app, 'POST', `/v1/incidents/${opened.id}/close`, {
        token: regHA.token,
        body: {},
      });
      expectError(refused, 409, 'IncidentOutstanding', 'reason');
      expect(refused.body.error.details.provinces).toEqual([
        expect.objectContaining({ origin: zj.origin, kg: 50, cartons: 5 }),
      ]);
      const national = ok(await api(ha.node.app, 'GET', '/v1/federation/incidents', { token: regHA.token }));
      expect(national.items[0]).toMatchObject({ id: opened.id, origin: ha.origin, total: { outstanding: { kg: 50 } } });
      await act(zj, hangzhou, 40, 4);
      // The 10 kg refused on arrival are sealed where they stand.
      await act(zj, hangzhou, 10, 1, 'sealed');
      await sync([ha, hb, zj]);
      ok(await api(ha.node.app, 'POST', `/v1/incidents/${opened.id}/close`, { token: regHA.token, body: {} }));
    });
  });
}
