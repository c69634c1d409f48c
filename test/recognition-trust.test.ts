import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { followPeer } from '../src/app/federation/mirror.ts';
import { activePeers } from '../src/app/federation/peers.ts';
import { recognisePeer } from '../src/app/recognition/recognition.ts';
import { commit } from '../src/app/write/commit.ts';
import { SIG_COSIGNATURE_V1, signerFromSeed, verifierKey } from '../src/log/note-key.ts';
import { parsePolicy } from '../src/log/policy.ts';
import { leafHash } from '../src/log/hash.ts';
import { insertEntry, lockSequencer, reserveIndex } from '../src/store/log-store.ts';
import { borderCast, clearedLot } from './support/border.ts';
import type { BorderCast } from './support/border.ts';
import { crewOf, ok } from './support/chain.ts';
import type { Province } from './support/federation.ts';
import { peerAll, startProvince, sync } from './support/federation.ts';
import { addParty, api, expectError, uscc } from './support/http.ts';
import { DIALECTS } from './support/test-node.ts';

// What a node does when a peer goes down, forks, or sends what it should not.

type Party = { id: string; token: string };

/** rawAppend writes entries to a node's log as they are, without projecting them: a peer that logs what it likes. */
async function rawAppend(p: Province, entries: readonly (Buffer | Record<string, unknown>)[]) {
  await p.node.deps.db.transaction().execute(async (trx) => {
    await lockSequencer(trx);
    for (const e of entries) {
      const bytes = Buffer.isBuffer(e) ? e : Buffer.from(JSON.stringify({ v: 1, party: null, time: 1, ...e }));
      await insertEntry(trx, await reserveIndex(trx), leafHash(bytes), bytes);
    }
  });
  await p.node.checkpoint();
}

for (const kind of DIALECTS) {
  describe(`recognition when peers fail [${kind}]`, () => {
    let ha: Province, hb: Province;
    let cast: BorderCast;
    let crew: { driver: string; handler: string };
    let wuhan: Party;
    let lot: { id: string; code: string };
    const now = (p: Province) => new Date(p.node.clock.now()).toISOString();
    const ship = async (kgs: number) =>
      ok(
        await api(ha.node.app, 'POST', `/v1/lots/${lot.id}/shipments`, {
          token: cast.importer.token,
          body: {
            fromLocationId: null,
            toPartyId: wuhan.id,
            toLocationId: null,
            quantity: { kg: kgs, cartons: 1 },
            carrierPartyId: cast.carrier.id,
            vehicleId: cast.vehicleId,
            driverWorkerId: crew.driver,
            handlerWorkerIds: [crew.handler],
            departedAt: now(ha),
          },
        }),
        'ship',
      ) as { id: string };
    const incoming = async () =>
      (
        ok(await api(hb.node.app, 'GET', '/v1/shipments?direction=in', { token: wuhan.token })).items as {
          id: string;
        }[]
      ).map((s) => s.id);

    beforeAll(async () => {
      [ha, hb] = await Promise.all([startProvince(kind, 'henan', '410000'), startProvince(kind, 'hubei', '420000')]);
      await peerAll([ha, hb]);
      cast = await borderCast(ha.node.app, ha.node.adminToken);
      crew = await crewOf(ha.node, cast);
      wuhan = await addParty(hb.node.app, hb.node.adminToken, ['wholesaler'], '420000');
      lot = await clearedLot(ha.node, cast);
      await sync([ha, hb]);
    });
    afterAll(async () => {
      for (const p of [ha, hb]) await p?.node.close();
    });

    it('a shipment to a node that is down reaches it when it comes back', async () => {
      const port = Number(new URL(hb.url).port);
      await new Promise<void>((resolve) => hb.node.app.server.close(() => resolve()));
      hb.node.app.server.closeAllConnections();
      const s = await ship(10);
      await sync([ha]);
      const mirror = await ha.node.deps.db
        .selectFrom('mirrors')
        .select('state')
        .where('origin', '=', hb.origin)
        .executeTakeFirst();
      expect(mirror?.state).toBe('unreachable');
      await new Promise<void>((resolve) => hb.node.app.server.listen(port, '127.0.0.1', () => resolve()));
      await sync([ha, hb]);
      expect(await incoming()).toContain(s.id);
      ok(
        await api(hb.node.app, 'POST', '/v1/receipts', {
          token: wuhan.token,
          body: { code: lot.code, quantity: { kg: 10, cartons: 1 }, receivedAt: now(hb) },
        }),
      );
    });

    it('waits for a checkpoint that meets its policy before goods are received', async () => {
      const s = await ship(5);
      // Hubei follows Henan under a policy that asks for a witness who never cosigns: the shipment is known, but it
      // is in no checkpoint that meets the policy.
      await ha.node.checkpoint();
      const d = signerFromSeed('ct.test/d/witness', Buffer.alloc(32, 4));
      const strict = parsePolicy(
        `log ${ha.logVkey}\nwitness D ${verifierKey(d.name, d.publicKey, SIG_COSIGNATURE_V1)}\nquorum D\n`,
      );
      const deps = { ...hb.node.deps, config: { ...hb.node.deps.config, federationPolicy: strict } };
      const peer = (await activePeers(hb.node.deps)).find((p) => p.logOrigin === ha.origin)!;
      expect((await followPeer(deps, peer)).state).toBe('following');
      await recognisePeer(deps, ha.origin);
      expect(await incoming()).toContain(s.id);
      const early = await api(hb.node.app, 'POST', '/v1/receipts', {
        token: wuhan.token,
        body: { code: lot.code, quantity: { kg: 5, cartons: 1 }, receivedAt: now(hb), shipmentId: s.id },
      });
      expectError(early, 409, 'NotYetWitnessed', 'shipmentId');
      await sync([ha, hb]);
      ok(
        await api(hb.node.app, 'POST', '/v1/receipts', {
          token: wuhan.token,
          body: { code: lot.code, quantity: { kg: 5, cartons: 1 }, receivedAt: now(hb), shipmentId: s.id },
        }),
      );
    });

    it('refuses what a hostile peer logs, with a recorded reason, and goes on with the rest', async () => {
      const rogueParty = uscc('410100');
      await rawAppend(ha, [
        Buffer.from('not a coldtrace entry'),
        {
          type: 'party.created',
          record: {
            id: wuhan.id,
            uscc: rogueParty,
            nameZh: '冒名',
            nameEn: null,
            roles: ['wholesaler'],
            region: '410000',
            level: null,
            createdAt: 1,
            updatedAt: 1,
          },
        },
        {
          type: 'shipment.departed',
          record: {
            shipment: {
              id: 'shp_NEVER',
              lotId: 'lot_NEVERDECLARED',
              fromPartyId: cast.importer.id,
              fromLocationId: null,
              toPartyId: wuhan.id,
              toLocationId: null,
              grams: 1000,
              cartons: 1,
              purpose: 'shipment',
              carrierPartyId: null,
              vehicleId: 'veh_x',
              driverWorkerId: 'wkr_x',
              handlerWorkerIds: [],
              departedAt: 1,
              referenceDoc: null,
              flags: [],
              status: 'in_transit',
              receivedGrams: null,
              receivedCartons: null,
              receivedAt: null,
              mode: 'delivered',
              createdAt: 1,
              updatedAt: 1,
            },
            holdings: [],
          },
        },
        {
          type: 'shipment.departed',
          record: {
            shipment: {
              id: 'shp_NEGATIVE',
              lotId: lot.id,
              fromPartyId: cast.importer.id,
              toPartyId: wuhan.id,
              grams: -5000,
              cartons: 1,
              departedAt: 1,
              status: 'in_transit',
              handlerWorkerIds: [],
              flags: [],
            },
          },
        },
        {
          type: 'lots.peer.updated',
          record: { lotStatuses: [{ id: 'lot_NEVERWRITTEN', status: 'green', statusReasons: [] }] },
        },
      ]);
      const good = await addParty(ha.node.app, ha.node.adminToken, ['retailer'], '410000');
      await sync([ha, hb]);

      const peerId = (
        await hb.node.deps.db
          .selectFrom('peers')
          .select('id')
          .where('logOrigin', '=', ha.origin)
          .executeTakeFirstOrThrow()
      ).id;
      const shown = ok(await api(hb.node.app, 'GET', `/v1/federation/peers/${peerId}`, { token: hb.node.adminToken }));
      const reasons = (shown.evidence as { kind: string; reason: string }[])
        .filter((e) => e.kind === 'refused')
        .map((e) => e.reason);
      for (const pattern of [/cannot be read/, /one of this node's own/, /never declared/, /malformed/, /never wrote/])
        expect(
          reasons.some((r) => pattern.test(r)),
          `${pattern} in ${JSON.stringify(reasons)}`,
        ).toBe(true);
      // Nothing of it was taken in: the node's own party is unchanged, no shipment came of it, and later entries were
      // recognised as usual.
      const own = ok(await api(hb.node.app, 'GET', `/v1/parties/${wuhan.id}`, { token: hb.node.adminToken }));
      expect(own).toMatchObject({ homeOrigin: null, roles: ['wholesaler'] });
      expect(await incoming()).not.toContain('shp_NEVER');
      expect(await incoming()).not.toContain('shp_NEGATIVE');
      const learnt = ok(await api(hb.node.app, 'GET', `/v1/parties/${good.id}`, { token: hb.node.adminToken }));
      expect(learnt).toMatchObject({ homeOrigin: ha.origin });
    });

    it("a consignee of a forked peer still receives what the peer's last good checkpoint covers", async () => {
      const s = await ship(3);
      await sync([ha, hb]);
      // Henan's operator rewrites an old entry and signs the rewritten log again.
      const db = ha.node.deps.db;
      const entries = await db.selectFrom('logEntries').select(['idx', 'data']).orderBy('idx').execute();
      const entry = entries.find((e) => Buffer.from(e.data).toString().includes('"party.created"'))!;
      const edited = Buffer.from(Buffer.from(entry.data).toString().replace('"region"', '"region2"'));
      await db
        .updateTable('logEntries')
        .set({ data: edited, leafHash: leafHash(edited) })
        .where('idx', '=', entry.idx)
        .execute();
      await db.deleteFrom('logTiles').execute();
      await db.deleteFrom('logCheckpoints').execute();
      await commit(ha.node.deps, undefined, (w) =>
        w.append('setting.updated', null, { key: 'x', value: 1, updatedAt: w.now }),
      );
      await sync([ha, hb]);
      const m = await hb.node.deps.db
        .selectFrom('mirrors')
        .select('state')
        .where('origin', '=', ha.origin)
        .executeTakeFirst();
      expect(m?.state).toBe('forked');
      ok(
        await api(hb.node.app, 'POST', '/v1/receipts', {
          token: wuhan.token,
          body: { code: lot.code, quantity: { kg: 3, cartons: 1 }, receivedAt: now(hb), shipmentId: s.id },
        }),
      );
      // Hubei's own work goes on.
      const other = await addParty(hb.node.app, hb.node.adminToken, ['retailer'], '420000');
      expect(other.id).toBeTruthy();
    });
  });
}
