import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { borderCast, clearedLot } from './support/border.ts';
import type { BorderCast } from './support/border.ts';
import { crewOf, ok } from './support/chain.ts';
import type { Province } from './support/federation.ts';
import { peerAll, startProvince, sync } from './support/federation.ts';
import { addParty, api } from './support/http.ts';
import { DIALECTS } from './support/test-node.ts';

// The national node mirrors and witnesses every province, holds no goods, lists every province's incidents with what
// is outstanding in each, and opens incidents that reach every province.

type Party = { id: string; token: string };

for (const kind of DIALECTS) {
  describe(`the national node [${kind}]`, () => {
    let ha: Province, hb: Province, nat: Province;
    let cast: BorderCast;
    let wuhan: Party;
    let lot: { id: string; code: string };
    const now = (p: Province) => new Date(p.node.clock.now()).toISOString();

    beforeAll(async () => {
      [ha, hb, nat] = await Promise.all([
        startProvince(kind, 'henan', '410000'),
        startProvince(kind, 'hubei', '420000'),
        startProvince(kind, 'national', null),
      ]);
      await peerAll([ha, hb, nat]);
      cast = await borderCast(ha.node.app, ha.node.adminToken);
      const crew = await crewOf(ha.node, cast);
      wuhan = await addParty(hb.node.app, hb.node.adminToken, ['wholesaler'], '420000');
      lot = await clearedLot(ha.node, cast);
      await sync([ha, hb, nat]);
      ok(
        await api(ha.node.app, 'POST', `/v1/lots/${lot.id}/shipments`, {
          token: cast.importer.token,
          body: {
            fromLocationId: null,
            toPartyId: wuhan.id,
            toLocationId: null,
            quantity: { kg: 200, cartons: 20 },
            carrierPartyId: cast.carrier.id,
            vehicleId: cast.vehicleId,
            driverWorkerId: crew.driver,
            handlerWorkerIds: [crew.handler],
            departedAt: now(ha),
          },
        }),
      );
      await sync([ha, hb, nat]);
      ok(
        await api(hb.node.app, 'POST', '/v1/receipts', {
          token: wuhan.token,
          body: { code: lot.code, quantity: { kg: 200, cartons: 20 }, receivedAt: now(hb) },
        }),
      );
      await sync([ha, hb, nat]);
    });
    afterAll(async () => {
      for (const p of [ha, hb, nat]) await p?.node.close();
    });

    it('witnesses and mirrors every province, and knows every province’s parties, with no goods of its own', async () => {
      const peers = ok(await api(nat.node.app, 'GET', '/v1/federation/peers', { token: nat.node.adminToken }))
        .items as { logOrigin: string; mirror: { state: string } }[];
      expect(peers.map((p) => [p.logOrigin, p.mirror.state]).sort()).toEqual([
        [ha.origin, 'following'],
        [hb.origin, 'following'],
      ]);
      const parties = await nat.node.deps.db.selectFrom('parties').select(['id', 'homeOrigin']).execute();
      expect(parties.find((p) => p.id === wuhan.id)?.homeOrigin).toBe(hb.origin);
      expect(await nat.node.deps.db.selectFrom('holdings').selectAll().execute()).toEqual([]);
    });

    it('opens an incident that reaches every province, and lists it with what each province has outstanding', async () => {
      const opened = ok(
        await api(nat.node.app, 'POST', '/v1/incidents', {
          token: nat.node.adminToken,
          body: { trigger: { kind: 'lot', lotIds: [lot.id] }, title: '国家级召回 / national recall' },
        }),
      );
      await sync([ha, hb, nat]);
      const list = ok(await api(nat.node.app, 'GET', '/v1/federation/incidents', { token: nat.node.adminToken }));
      const item = (list.items as { id: string; provinces: { origin: string; outstanding: { kg: number } }[] }[]).find(
        (i) => i.id === opened.id,
      )!;
      const held = ok(await api(ha.node.app, 'GET', `/v1/lots/${lot.id}/holdings`, { token: cast.importer.token }))
        .items as { quantity: { kg: number } }[];
      expect(Object.fromEntries(item.provinces.map((p) => [p.origin, p.outstanding.kg]))).toEqual({
        [ha.origin]: held[0]!.quantity.kg,
        [hb.origin]: 200,
      });
      for (const p of [ha, hb]) {
        const lotThere = await p.node.deps.db
          .selectFrom('lots')
          .select('status')
          .where('id', '=', lot.id)
          .executeTakeFirst();
        expect(lotThere?.status).toBe('red');
      }
      // A province's own incidents are in the national list too, with their shares.
      const provincial = ok(await api(hb.node.app, 'GET', '/v1/federation/incidents', { token: hb.node.adminToken }))
        .items as { id: string; origin: string }[];
      expect(provincial.map((i) => [i.origin, i.id])).toContainEqual([nat.origin, opened.id]);
    });
  });
}
