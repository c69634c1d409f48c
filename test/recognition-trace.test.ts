import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { followPeer } from '../src/app/federation/mirror.ts';
import { activePeers } from '../src/app/federation/peers.ts';
import { recognisePeer } from '../src/app/recognition/recognition.ts';
import { newTraceCode } from '../src/domain/trace-code.ts';
import { SIG_COSIGNATURE_V1, signerFromSeed, verifierKey } from '../src/log/note-key.ts';
import { parsePolicy } from '../src/log/policy.ts';
import { borderCast, clearedLot, hire } from './support/border.ts';
import type { BorderCast } from './support/border.ts';
import { crewOf, ok } from './support/chain.ts';
import type { Province } from './support/federation.ts';
import { peerAll, startProvince, sync } from './support/federation.ts';
import { addParty, api, expectError } from './support/http.ts';
import { DIALECTS, expectDocumented } from './support/test-node.ts';

// A trace and a public page across provinces. Henan clears a lot and ships it to a wholesaler in Hubei, who receives
// it by its code, repacks part of it into a new lot and ships that on to Zhejiang. Guangdong holds nothing of it.
// Henan's regulator then follows its lot into Hubei and Zhejiang, Zhejiang's regulator back to Henan's border, and
// anyone scanning the packs sees the whole journey, each step with the node that vouches for it.

type Party = { id: string; token: string };
type Vouch = { origin: string; node: string; trust: 'own' | 'witnessed' | 'unverified' };
type Q = { kg: number; cartons: number };
type Graph = {
  lots: { id: string; code: string; origin: string; depth: number; homeOrigin: string | null; vouchedBy: Vouch }[];
  transformations: {
    partyId: string;
    locationId: string;
    inputs: { lotId: string; quantity: Q }[];
    outputs: { lotId: string; quantity: Q }[];
    lossKg: number;
    vouchedBy: Vouch;
  }[];
  shipments: {
    id: string;
    lotId: string;
    from: { partyId: string; locationId: string | null };
    to: { partyId: string; locationId: string | null };
    quantity: Q;
    received: { quantity: Q; vouchedBy: Vouch } | null;
    vehicleId: string | null;
    driverWorkerId: string | null;
    handlerWorkerIds: string[];
    vouchedBy: Vouch;
  }[];
  holdings: { lotId: string; partyId: string; locationId: string | null; quantity: Q; vouchedBy: Vouch }[];
  disposals: { lotId: string; partyId: string; quantity: Q; vouchedBy: Vouch }[];
  parties: { id: string; nameZh: string | null; region: string; vouchedBy: Vouch }[];
  locations: { id: string; name: string; region: string; vouchedBy: Vouch }[];
  vehicles: { id: string; plate: string; vouchedBy: Vouch }[];
  workers: { id: string; name: string; vouchedBy: Vouch }[];
  border: { lotId: string; samples: unknown[]; exitCertificate: unknown; vouchedBy: Vouch }[];
  summary: { holders: number; regions: string[]; nodes: Vouch[]; withheld: number };
  alsoFromSameSource: { holdings: unknown[] };
};
type Step = { kind: string; place: string; regionName: string | null; vouchedBy: Vouch };

for (const kind of DIALECTS) {
  describe(`trace and public page across provinces [${kind}]`, () => {
    let ha: Province, hb: Province, zj: Province, gd: Province;
    let cast: BorderCast;
    let crew: { driver: string; handler: string };
    let hbCrew: { driver: string; handler: string };
    let hbCarrier: Party, hbVehicle: string;
    let wuhan: Party, hangzhou: Party, regHA: Party, regHB: Party, regZJ: Party;
    let wuhanLoc: string, hangzhouLoc: string;
    let lot: { id: string; code: string };
    let packs: { id: string; code: string };
    let toHubei: string, toZhejiang: string;
    let hubeiClosed = false;
    const all = () => [ha, hb, zj, gd];
    const now = (p: Province) => new Date(p.node.clock.now()).toISOString();
    // Every node's clock moves on together, so that the journey's steps have an order of their own.
    const tick = () => {
      for (const p of all()) p.node.clock.advance(3_600_000);
    };
    const byKey = <T extends { lotId: string; partyId: string }>(xs: readonly T[]) =>
      Object.fromEntries(xs.map((x) => [`${x.lotId}@${x.partyId}`, x]));
    const at = (v: Vouch) => `${v.node}/${v.trust}`;

    beforeAll(async () => {
      [ha, hb, zj, gd] = await Promise.all([
        startProvince(kind, 'henan', '410000'),
        startProvince(kind, 'hubei', '420000'),
        startProvince(kind, 'zhejiang', '330000'),
        startProvince(kind, 'guangdong', '440000'),
      ]);
      await peerAll(all());
      cast = await borderCast(ha.node.app, ha.node.adminToken);
      crew = await crewOf(ha.node, cast);
      regHA = await addParty(ha.node.app, ha.node.adminToken, ['regulator'], '410000', { level: 'provincial' });
      wuhan = await addParty(hb.node.app, hb.node.adminToken, ['wholesaler'], '420000');
      regHB = await addParty(hb.node.app, hb.node.adminToken, ['regulator'], '420000', { level: 'provincial' });
      hbCarrier = await addParty(hb.node.app, hb.node.adminToken, ['carrier'], '420000');
      hbVehicle = ok(
        await api(hb.node.app, 'POST', '/v1/vehicles', {
          token: hbCarrier.token,
          body: { plate: '鄂A12345', refrigerated: true },
        }),
      ).id as string;
      hbCrew = await crewOf(hb.node, { carrier: hbCarrier } as BorderCast);
      await hire(hb.node.app, wuhan, hbCarrier);
      const location = async (p: Province, who: Party, filingNo: string, name: string, region: string) =>
        ok(
          await api(p.node.app, 'POST', '/v1/locations', {
            token: who.token,
            body: { filingNo, name, address: '冷链物流园1号', region, kind: 'cold_store', tempClass: 'frozen' },
          }),
        ).id as string;
      wuhanLoc = await location(hb, wuhan, '鄂冷-001', '武汉白沙洲冷库', '420000');
      hangzhou = await addParty(zj.node.app, zj.node.adminToken, ['wholesaler'], '330000');
      regZJ = await addParty(zj.node.app, zj.node.adminToken, ['regulator'], '330000', { level: 'provincial' });
      hangzhouLoc = await location(zj, hangzhou, '浙冷-001', '杭州勾庄冷库', '330000');
      lot = await clearedLot(ha.node, cast);
      await sync(all());

      tick();
      toHubei = ok(
        await api(ha.node.app, 'POST', `/v1/lots/${lot.id}/shipments`, {
          token: cast.importer.token,
          body: {
            fromLocationId: null,
            toPartyId: wuhan.id,
            toLocationId: null,
            quantity: { kg: 400, cartons: 40 },
            carrierPartyId: cast.carrier.id,
            vehicleId: cast.vehicleId,
            driverWorkerId: crew.driver,
            handlerWorkerIds: [crew.handler],
            departedAt: now(ha),
            referenceDoc: 'DN-HA-1',
          },
        }),
        'ship to Hubei',
      ).id as string;
      await sync(all());
      tick();
      ok(
        await api(hb.node.app, 'POST', '/v1/receipts', {
          token: wuhan.token,
          body: { code: lot.code, quantity: { kg: 400, cartons: 40 }, receivedAt: now(hb), locationId: wuhanLoc },
        }),
        'receive in Hubei',
      );
      tick();
      const repack = ok(
        await api(hb.node.app, 'POST', '/v1/transformations', {
          token: wuhan.token,
          body: {
            kind: 'repack',
            at: now(hb),
            locationId: wuhanLoc,
            inputs: [{ lotId: lot.id, locationId: wuhanLoc, quantity: { kg: 300, cartons: 30 } }],
            outputs: [
              {
                quantity: { kg: 295, cartons: 59 },
                productNameZh: '冷冻猪肉（小包装）',
                productNameEn: 'Frozen pork, retail packs',
              },
            ],
            lossKg: 5,
          },
        }),
        'repack in Hubei',
      );
      packs = { id: repack.outputs[0].lotId, code: repack.outputs[0].code };
      tick();
      toZhejiang = ok(
        await api(hb.node.app, 'POST', `/v1/lots/${packs.id}/shipments`, {
          token: wuhan.token,
          body: {
            fromLocationId: wuhanLoc,
            toPartyId: hangzhou.id,
            toLocationId: null,
            quantity: { kg: 200, cartons: 40 },
            carrierPartyId: hbCarrier.id,
            vehicleId: hbVehicle,
            driverWorkerId: hbCrew.driver,
            handlerWorkerIds: [hbCrew.handler],
            departedAt: now(hb),
            referenceDoc: 'DN-HB-1',
          },
        }),
        'ship to Zhejiang',
      ).id as string;
      await sync(all());
      tick();
      ok(
        await api(zj.node.app, 'POST', '/v1/receipts', {
          token: hangzhou.token,
          body: { code: packs.code, quantity: { kg: 200, cartons: 40 }, receivedAt: now(zj), locationId: hangzhouLoc },
        }),
        'receive in Zhejiang',
      );
      await sync(all());
    });
    // Every reply must match its route's declared response schema.
    afterEach(() => {
      for (const p of all()) if (p && !(p === hb && hubeiClosed)) expectDocumented(p.node.replies.take());
    });
    afterAll(async () => {
      for (const p of [ha, hb, zj, gd]) if (p && !(p === hb && hubeiClosed)) await p.node.close();
    });

    it("Henan's regulator follows its lot into Hubei and Zhejiang: holders, quantities, places, vehicles, workers and who vouches", async () => {
      const g = ok(
        await api(ha.node.app, 'GET', `/v1/lots/${lot.id}/trace?direction=forward`, { token: regHA.token }),
      ) as Graph;
      expect(g.lots.map((l) => [l.id, l.depth, l.origin, l.homeOrigin, at(l.vouchedBy)])).toEqual([
        [lot.id, 0, 'imported', null, 'node henan/own'],
        [packs.id, 1, 'derived', hb.origin, 'node hubei/witnessed'],
      ]);
      // Hubei's repack: the new lot's parent is Henan's lot.
      expect(g.transformations).toEqual([
        expect.objectContaining({
          partyId: wuhan.id,
          locationId: wuhanLoc,
          inputs: [{ lotId: lot.id, quantity: { kg: 300, cartons: 30 } }],
          outputs: [{ lotId: packs.id, quantity: { kg: 295, cartons: 59 } }],
          lossKg: 5,
          vouchedBy: { origin: hb.origin, node: 'node hubei', trust: 'witnessed' },
        }),
      ]);
      const held = byKey(g.holdings);
      expect(Object.keys(held).sort()).toEqual(
        [
          `${lot.id}@${cast.importer.id}`,
          `${lot.id}@${wuhan.id}`,
          `${packs.id}@${wuhan.id}`,
          `${packs.id}@${hangzhou.id}`,
        ].sort(),
      );
      expect(at(held[`${lot.id}@${cast.importer.id}`]!.vouchedBy)).toBe('node henan/own');
      expect(held[`${lot.id}@${wuhan.id}`]).toMatchObject({ quantity: { kg: 100, cartons: 10 }, locationId: wuhanLoc });
      expect(at(held[`${lot.id}@${wuhan.id}`]!.vouchedBy)).toBe('node hubei/witnessed');
      expect(held[`${packs.id}@${wuhan.id}`]?.quantity).toEqual({ kg: 95, cartons: 19 });
      expect(held[`${packs.id}@${hangzhou.id}`]).toMatchObject({
        quantity: { kg: 200, cartons: 40 },
        locationId: hangzhouLoc,
        vouchedBy: { origin: zj.origin, node: 'node zhejiang', trust: 'witnessed' },
      });

      // Each shipment once, though it is on two logs: Henan's own record of the first, Hubei's of the onward one,
      // each with the place where it was received, which only the consignee's node knows.
      expect(g.shipments.map((s) => s.id).sort()).toEqual([toHubei, toZhejiang].sort());
      const [first, onward] = [toHubei, toZhejiang].map((id) => g.shipments.find((s) => s.id === id)!);
      expect(first).toMatchObject({
        from: { partyId: cast.importer.id },
        to: { partyId: wuhan.id, locationId: wuhanLoc },
        quantity: { kg: 400, cartons: 40 },
        received: { quantity: { kg: 400, cartons: 40 } },
        vehicleId: cast.vehicleId,
      });
      expect([at(first!.vouchedBy), at(first!.received!.vouchedBy)]).toEqual(['node henan/own', 'node henan/own']);
      expect(onward).toMatchObject({
        lotId: packs.id,
        from: { partyId: wuhan.id, locationId: wuhanLoc },
        to: { partyId: hangzhou.id, locationId: hangzhouLoc },
        quantity: { kg: 200, cartons: 40 },
        received: { quantity: { kg: 200, cartons: 40 } },
        vehicleId: hbVehicle,
        driverWorkerId: hbCrew.driver,
        handlerWorkerIds: [hbCrew.handler],
      });
      expect(at(onward!.vouchedBy)).toBe('node hubei/witnessed');

      // The other provinces' businesses by name (from the directory Henan recognised), places, vehicles and crews.
      expect(g.parties.find((p) => p.id === wuhan.id)).toMatchObject({ nameZh: '测试wholesaler', region: '420000' });
      expect(g.parties.find((p) => p.id === hangzhou.id)).toMatchObject({ region: '330000' });
      expect(g.locations.map((l) => [l.name, at(l.vouchedBy)]).sort()).toEqual([
        ['杭州勾庄冷库', 'node zhejiang/witnessed'],
        ['武汉白沙洲冷库', 'node hubei/witnessed'],
      ]);
      expect(g.vehicles.map((v) => [v.plate, v.vouchedBy.node]).sort()).toEqual([
        [expect.stringMatching(/^豫A/), 'node henan'],
        ['鄂A12345', 'node hubei'],
      ]);
      expect(
        g.workers
          .filter((w) => w.vouchedBy.node === 'node hubei')
          .map((w) => w.id)
          .sort(),
      ).toEqual([hbCrew.driver, hbCrew.handler].sort());
      expect(g.summary).toMatchObject({ holders: 3, regions: ['330000', '410000', '420000'], withheld: 0 });
      expect(g.summary.nodes.map(at)).toEqual(['node henan/own', 'node hubei/witnessed', 'node zhejiang/witnessed']);
      // The lot's code traces the same graph.
      const byCode = ok(
        await api(ha.node.app, 'GET', `/v1/trace?ref=${lot.code}&direction=forward`, { token: regHA.token }),
      ) as Graph;
      expect(byCode.holdings).toEqual(g.holdings);
    });

    it("a regulator elsewhere sees its own province's part, and the holders of what was made there, not Henan's", async () => {
      const g = ok(
        await api(hb.node.app, 'GET', `/v1/lots/${lot.id}/trace?direction=forward`, { token: regHB.token }),
      ) as Graph;
      // Henan's lot is recognised in Hubei, not Hubei's: Henan's importer's holding is not Hubei's to see.
      const held = byKey(g.holdings);
      expect(held[`${lot.id}@${cast.importer.id}`]).toBeUndefined();
      expect(g.summary.withheld).toBeGreaterThan(0);
      // The packs were made in Hubei: their holders in Zhejiang are.
      expect(held[`${packs.id}@${hangzhou.id}`]?.vouchedBy.node).toBe('node zhejiang');
      expect(at(held[`${lot.id}@${wuhan.id}`]!.vouchedBy)).toBe('node hubei/own');
      // The shipment from Henan shows once, as Hubei recorded it.
      expect(g.shipments.filter((s) => s.id === toHubei).map((s) => at(s.vouchedBy))).toEqual(['node hubei/own']);

      // Guangdong holds nothing of the lot: its regulator finds it through the mirror and sees none of its holders;
      // the national level sees them all.
      const regGD = await addParty(gd.node.app, gd.node.adminToken, ['regulator'], '440000', { level: 'provincial' });
      const far = ok(
        await api(gd.node.app, 'GET', `/v1/trace?ref=${lot.code}&direction=forward`, { token: regGD.token }),
      ) as Graph;
      expect(far.lots.map((l) => [l.id, at(l.vouchedBy)])).toEqual([[lot.id, 'node henan/witnessed']]);
      expect(far.holdings).toEqual([]);
      expect(far.summary.withheld).toBeGreaterThan(0);
      const national = ok(
        await api(gd.node.app, 'GET', `/v1/trace?ref=${lot.code}&direction=forward`, { token: gd.node.adminToken }),
      ) as Graph;
      expect(Object.keys(byKey(national.holdings)).sort()).toEqual(
        [
          `${lot.id}@${cast.importer.id}`,
          `${lot.id}@${wuhan.id}`,
          `${packs.id}@${wuhan.id}`,
          `${packs.id}@${hangzhou.id}`,
        ].sort(),
      );
      expect(national.summary.nodes.map(at)).toEqual([
        'node henan/witnessed',
        'node hubei/witnessed',
        'node zhejiang/witnessed',
      ]);
    });

    it("Zhejiang's regulator traces the packs back to Henan's lot and its border records", async () => {
      const g = ok(
        await api(zj.node.app, 'GET', `/v1/lots/${packs.code}/trace?direction=backward`, { token: regZJ.token }),
      ) as Graph;
      expect(g.lots.map((l) => [l.id, l.depth, l.homeOrigin, at(l.vouchedBy)])).toEqual([
        [packs.id, 0, hb.origin, 'node zhejiang/own'],
        [lot.id, -1, ha.origin, 'node henan/witnessed'],
      ]);
      expect(g.transformations.map((t) => [t.partyId, at(t.vouchedBy)])).toEqual([[wuhan.id, 'node hubei/witnessed']]);
      expect(g.border).toEqual([
        expect.objectContaining({
          lotId: lot.id,
          exitCertificate: expect.objectContaining({ number: expect.any(String) }),
          vouchedBy: { origin: ha.origin, node: 'node henan', trust: 'witnessed' },
        }),
      ]);
      expect(g.border[0]!.samples).toHaveLength(2);
      // The way the goods came: Henan → Hubei (with Henan's vehicle and crew), Hubei → Zhejiang; nothing of where
      // the rest of Henan's lot went or who holds it.
      expect(g.shipments.map((s) => s.id).sort()).toEqual([toHubei, toZhejiang].sort());
      expect(g.vehicles.map((v) => v.id).sort()).toEqual([cast.vehicleId, hbVehicle].sort());
      expect(g.workers.map((w) => w.id)).toEqual(expect.arrayContaining([crew.driver, hbCrew.driver]));
      expect(g.holdings.map((h) => `${h.lotId}@${h.partyId}`)).toEqual([`${packs.id}@${hangzhou.id}`]);
      expect(g.alsoFromSameSource.holdings).toEqual([]);
    });

    it('the public page shows the whole journey on Zhejiang and on a node that holds nothing, step by step with its node', async () => {
      const journey = (steps: Step[]) => steps.map((s) => [s.kind, s.regionName, at(s.vouchedBy)]);
      const onZJ = ok(await api(zj.node.app, 'GET', `/t/${packs.code}.json?lang=en`));
      expect(onZJ).toMatchObject({ resolvedVia: 'this_node', vouchedBy: { node: 'node zhejiang', trust: 'own' } });
      expect(journey(onZJ.journey)).toEqual([
        ['entry', null, 'node henan/witnessed'],
        ['disinfection', 'Henan', 'node henan/witnessed'],
        ['exit_certificate', 'Henan', 'node henan/witnessed'],
        ['province_arrival', 'Hubei', 'node henan/witnessed'],
        ['transformed', 'Hubei', 'node hubei/witnessed'],
        ['province_arrival', 'Zhejiang', 'node zhejiang/own'],
      ]);
      expect(onZJ.madeFrom.map((p: { code: string }) => p.code)).toEqual([lot.code]);
      expect(onZJ.distribution.provinces).toEqual([{ region: '330000', regionName: 'Zhejiang', businesses: 1 }]);

      // Guangdong holds nothing of it, and resolves the code through Hubei's mirrored log.
      const onGD = ok(await api(gd.node.app, 'GET', `/t/${packs.code}.json?lang=en`));
      expect(onGD).toMatchObject({
        resolvedVia: 'mirror',
        vouchedBy: { origin: hb.origin, node: 'node hubei', trust: 'witnessed' },
        product: { en: 'Frozen pork, retail packs' },
        status: { colour: 'green' },
      });
      expect(journey(onGD.journey)).toEqual([
        ['entry', null, 'node henan/witnessed'],
        ['disinfection', 'Henan', 'node henan/witnessed'],
        ['exit_certificate', 'Henan', 'node henan/witnessed'],
        ['province_arrival', 'Hubei', 'node henan/witnessed'],
        ['transformed', 'Hubei', 'node hubei/witnessed'],
        ['province_arrival', 'Zhejiang', 'node hubei/witnessed'],
      ]);
      expect(onGD.verify.proofs[0].url).toMatch(new RegExp(`^${hb.url}/log/proofs/inclusion\\?index=`));
      const parent = ok(await api(gd.node.app, 'GET', `/t/${lot.code}.json?lang=zh`));
      expect(parent).toMatchObject({ resolvedVia: 'mirror', tests: { taken: 2, negative: 2 } });
      expect(parent.documents.filter((d: { present: boolean }) => d.present)).toHaveLength(4);

      // No person, vehicle or business off the way is named; scanned at Zhejiang's wholesaler, the way there is.
      for (const body of [onZJ, onGD, parent])
        for (const secret of [
          '刘师傅',
          '陈搬运',
          '鄂A12345',
          hbVehicle,
          hbCrew.driver,
          crew.driver,
          'DN-HB-1',
          wuhan.id,
        ])
          expect(JSON.stringify(body)).not.toContain(secret);
      const { uscc } = await zj.node.deps.db
        .selectFrom('parties')
        .select('uscc')
        .where('id', '=', hangzhou.id)
        .executeTakeFirstOrThrow();
      const atHolder = ok(await api(zj.node.app, 'GET', `/t/${packs.code}.json?lang=zh&holder=${uscc}`));
      expect(atHolder.journey.filter((s: Step) => s.kind === 'received')).toEqual([
        expect.objectContaining({
          place: '测试wholesaler · 杭州勾庄冷库',
          vouchedBy: expect.objectContaining({ trust: 'own' }),
        }),
      ]);

      // The page itself, in both languages, says who vouches for each step.
      const zh = await gd.node.app.inject({ method: 'GET', url: `/t/${packs.code}?lang=zh` });
      expect(zh.statusCode).toBe(200);
      expect(zh.body).toContain('data-resolved="mirror"');
      expect(zh.body).toContain('记录于：node henan');
      expect(zh.body).toContain('已见证');
      const en = await gd.node.app.inject({ method: 'GET', url: `/t/${packs.code}?lang=en` });
      expect(en.body).toContain('Recorded by node hubei');
      expect(en.body).toContain('Arrived in another province');
    });

    it('a code no node here knows of names the nodes to ask, until the mirror brings it', async () => {
      const unknown = newTraceCode(randomBytes);
      const r = await api(gd.node.app, 'GET', `/t/${unknown}.json?lang=en`);
      expectError(r, 404, 'LotNotFound', 'code');
      expect(r.body.error.details.ask.node).toBeNull();
      expect(r.body.error.details.ask.peers.map((p: { name: string; url: string }) => [p.name, p.url])).toEqual([
        ['node henan', `${ha.url}/t/${unknown}?lang=en`],
        ['node hubei', `${hb.url}/t/${unknown}?lang=en`],
        ['node zhejiang', `${zj.url}/t/${unknown}?lang=en`],
      ]);
      const page = await gd.node.app.inject({ method: 'GET', url: `/t/${unknown}?lang=zh` });
      expect(page.statusCode).toBe(404);
      expect(page.body).toContain('data-ask="unknown"');
      expect(page.body).toContain(`href="${zj.url}/t/${unknown}?lang=zh"`);

      // A lot Henan declares now is not in Guangdong's mirror yet: the page names the nodes; once synced, it resolves.
      tick();
      const fresh = await clearedLot(ha.node, cast);
      expectError(await api(gd.node.app, 'GET', `/t/${fresh.code}.json`), 404, 'LotNotFound', 'code');
      await sync(all(), 1);
      expect(ok(await api(gd.node.app, 'GET', `/t/${fresh.code}.json`))).toMatchObject({
        code: fresh.code,
        resolvedVia: 'mirror',
        vouchedBy: { node: 'node henan', trust: 'witnessed' },
      });
    });

    it("a peer's facts after its last checkpoint that meets this node's witness policy are unverified", async () => {
      tick();
      ok(
        await api(zj.node.app, 'POST', `/v1/lots/${packs.id}/disposals`, {
          token: hangzhou.token,
          body: {
            locationId: hangzhouLoc,
            quantity: { kg: 10, cartons: 2 },
            method: 'destroyed',
            referenceDoc: '销毁记录 ZJ-1',
            at: now(zj),
          },
        }),
        'dispose in Zhejiang',
      );
      await zj.node.checkpoint();
      // Henan now wants a cosignature that no witness gives: Zhejiang's new checkpoint is verified, but not final.
      const nobody = signerFromSeed('ct.test/nobody/witness', Buffer.alloc(32, 9));
      const strict = parsePolicy(
        `log ${zj.logVkey}\nwitness D ${verifierKey(nobody.name, nobody.publicKey, SIG_COSIGNATURE_V1)}\nquorum D\n`,
      );
      const deps = { ...ha.node.deps, config: { ...ha.node.deps.config, federationPolicy: strict } };
      const peer = (await activePeers(ha.node.deps)).find((p) => p.logOrigin === zj.origin)!;
      expect((await followPeer(deps, peer)).state).toBe('following');
      await recognisePeer(ha.node.deps, zj.origin);
      const g = ok(
        await api(ha.node.app, 'GET', `/v1/lots/${lot.id}/trace?direction=forward`, { token: regHA.token }),
      ) as Graph;
      const h = byKey(g.holdings)[`${packs.id}@${hangzhou.id}`]!;
      expect([h.quantity, at(h.vouchedBy)]).toEqual([{ kg: 190, cartons: 38 }, 'node zhejiang/unverified']);
      expect(g.disposals.map((d) => [d.partyId, d.quantity.kg, at(d.vouchedBy)])).toEqual([
        [hangzhou.id, 10, 'node zhejiang/unverified'],
      ]);
      // What Zhejiang's witnessed checkpoint covered stays witnessed.
      expect(at(g.locations.find((l) => l.id === hangzhouLoc)!.vouchedBy)).toBe('node zhejiang/witnessed');
    });

    it("an unreachable peer's facts are shown as unverified", async () => {
      await hb.node.close();
      hubeiClosed = true;
      const peer = (await activePeers(ha.node.deps)).find((p) => p.logOrigin === hb.origin)!;
      expect((await followPeer(ha.node.deps, peer)).state).toBe('unreachable');
      const g = ok(
        await api(ha.node.app, 'GET', `/v1/lots/${lot.id}/trace?direction=forward`, { token: regHA.token }),
      ) as Graph;
      expect(g.summary.nodes.find((n) => n.origin === hb.origin)?.trust).toBe('unverified');
      expect(at(g.transformations[0]!.vouchedBy)).toBe('node hubei/unverified');
      expect(at(g.locations.find((l) => l.id === wuhanLoc)!.vouchedBy)).toBe('node hubei/unverified');
      expect(at(g.locations.find((l) => l.id === hangzhouLoc)!.vouchedBy)).toBe('node zhejiang/witnessed');
      // Nothing stops: the facts are still there, marked.
      expect(byKey(g.holdings)[`${packs.id}@${wuhan.id}`]?.quantity).toEqual({ kg: 95, cartons: 19 });
    });
  });
}
