import { expect, it } from 'vitest';
import { verifyDatabase } from '../src/app/audit/verify.ts';
import { parseVerifierKey } from '../src/log/note-key.ts';
import { runBackfills } from '../src/app/write/backfills.ts';
import { borderCast, clearedLot } from './support/border.ts';
import type { BorderCast } from './support/border.ts';
import { addParty, api, residentId } from './support/http.ts';
import { eachDialect } from './support/test-node.ts';
import type { TestNode } from './support/test-node.ts';

// A breach at a place reaches every lot that was there during it, by the event times of the custody facts: lots that
// came late in the period or have left since, whatever order the readings and the custody records arrive in.

const MIN = 60_000;
const at = (ms: number) => new Date(ms).toISOString();

/** warmReadings: a reading every 10 minutes from start for two hours, at −12 °C from minute 20 to 70, else −20 °C. */
const warmReadings = (start: number) =>
  Array.from({ length: 13 }, (_, i) => ({ at: at(start + i * 10 * MIN), celsius: i >= 2 && i <= 7 ? -12 : -20 }));

async function crewOf(n: TestNode, cast: BorderCast) {
  const seq = String(300 + Math.floor(Math.random() * 600));
  const w = await api(n.app, 'POST', '/v1/workers', {
    token: cast.carrier.token,
    body: { name: '刘师傅', role: 'driver', idNumber: residentId('19820202', seq) },
  });
  expect(w.status, JSON.stringify(w.body)).toBe(201);
  const t = await api(n.app, 'POST', `/v1/workers/${w.body.id}/tests`, {
    token: cast.carrier.token,
    body: { sampledAt: at(n.clock.now() - 20 * 60 * MIN), result: 'negative', institution: '郑州疾控' },
  });
  expect(t.status, JSON.stringify(t.body)).toBe(201);
  return w.body.id as string;
}

async function place(n: TestNode, cast: BorderCast, name: string) {
  const loc = await api(n.app, 'POST', '/v1/locations', {
    token: cast.importer.token,
    body: {
      filingNo: `豫冷-P${n.clock.now() % 100000}-${name}`,
      name,
      address: '郑州市',
      region: '410000',
      kind: 'cold_store',
      tempClass: 'frozen',
    },
  });
  expect(loc.status, JSON.stringify(loc.body)).toBe(201);
  return loc.body.id as string;
}

eachDialect('breaches over time at a place', (node) => {
  const setup = async () => {
    const n = node();
    const cast = await borderCast(n.app, n.adminToken);
    const store = await addParty(n.app, n.adminToken, ['cold_store']);
    const driver = await crewOf(n, cast);
    const moveIn = async (lotId: string, locationId: string, when: number) => {
      const r = await api(n.app, 'POST', `/v1/lots/${lotId}/transfers`, {
        token: cast.importer.token,
        body: { fromLocationId: null, toLocationId: locationId, quantity: { kg: 100, cartons: 5 }, at: at(when) },
      });
      expect(r.status, JSON.stringify(r.body)).toBe(201);
    };
    const shipOut = async (lotId: string, locationId: string, when: number) => {
      const r = await api(n.app, 'POST', `/v1/lots/${lotId}/shipments`, {
        token: cast.importer.token,
        body: {
          fromLocationId: locationId,
          toPartyId: store.id,
          quantity: { kg: 100, cartons: 5 },
          carrierPartyId: cast.carrier.id,
          vehicleId: cast.vehicleId,
          driverWorkerId: driver,
          departedAt: at(when),
        },
      });
      expect(r.status, JSON.stringify(r.body)).toBe(201);
    };
    const upload = async (locationId: string, start: number) => {
      const r = await api(n.app, 'POST', '/v1/temperature-uploads', {
        token: cast.importer.token,
        body: { subject: { kind: 'location', id: locationId }, readings: warmReadings(start) },
      });
      expect(r.status, JSON.stringify(r.body)).toBe(201);
      expect(r.body.breaches).toHaveLength(1);
      return r.body.breaches[0] as { id: string; lotIds: string[]; startAt: string; endAt: string };
    };
    const status = async (id: string) =>
      (await api(n.app, 'GET', `/v1/lots/${id}`, { token: n.adminToken })).body.status as string;
    const breachLots = async (id: string) =>
      (await api(n.app, 'GET', `/v1/temperature-breaches/${id}`, { token: n.adminToken })).body.lotIds as string[];
    const verify = async () => {
      await n.checkpoint();
      return verifyDatabase(n.deps.db, n.deps.log.origin, [parseVerifierKey(n.deps.log.signer.verifierKey)]);
    };
    return { n, cast, moveIn, shipOut, upload, status, breachLots, verify };
  };

  it('a breach uploaded afterwards reaches lots there at its start, that came late in it or left during it, and no others', async () => {
    const { n, cast, moveIn, shipOut, upload, status, verify } = await setup();
    const cold = await place(n, cast, '一号冷库');
    const now = n.clock.now();
    // The readings run from 4 h ago; the breach is from 3 h 40 min ago (start + 20 min) to 2 h 40 min ago (start + 80).
    const start = now - 240 * MIN;
    const [throughout, cameLate, leftSince, leftBefore, cameAfter] = [
      await clearedLot(n, cast),
      await clearedLot(n, cast),
      await clearedLot(n, cast),
      await clearedLot(n, cast),
      await clearedLot(n, cast),
    ];
    await moveIn(throughout.id, cold, now - 10 * 60 * MIN);
    await moveIn(cameLate.id, cold, start + 50 * MIN);
    await moveIn(leftSince.id, cold, now - 10 * 60 * MIN);
    await shipOut(leftSince.id, cold, start + 40 * MIN);
    await moveIn(leftBefore.id, cold, now - 10 * 60 * MIN);
    await shipOut(leftBefore.id, cold, start + 10 * MIN);
    await moveIn(cameAfter.id, cold, start + 100 * MIN);

    const breach = await upload(cold, start);
    expect(breach.startAt).toBe(at(start + 20 * MIN));
    expect(breach.lotIds).toEqual([throughout.id, cameLate.id, leftSince.id].sort());
    for (const l of [throughout, cameLate, leftSince]) expect(await status(l.id)).toBe('yellow');
    for (const l of [leftBefore, cameAfter]) expect(await status(l.id)).toBe('green');
    expect((await verify()).problem).toBeUndefined();
  });

  it('goods recorded as received after the breach was uploaded, with an event time inside it, are reached too', async () => {
    const { n, cast, moveIn, upload, status, breachLots, verify } = await setup();
    const cold = await place(n, cast, '二号冷库');
    const now = n.clock.now();
    const start = now - 240 * MIN;
    const breach = await upload(cold, start);
    expect(breach.lotIds).toEqual([]);
    const [paperInside, paperAfter] = [await clearedLot(n, cast), await clearedLot(n, cast)];
    // Paper records typed in later: one put into the store during the breach, one after it ended.
    await moveIn(paperInside.id, cold, start + 30 * MIN);
    await moveIn(paperAfter.id, cold, start + 110 * MIN);
    expect(await breachLots(breach.id)).toEqual([paperInside.id]);
    expect(await status(paperInside.id)).toBe('yellow');
    expect(await status(paperAfter.id)).toBe('green');
    expect((await verify()).problem).toBeUndefined();
  });

  it('goods recorded as shipped after a breach of the vehicle was uploaded, departing during it, are reached too', async () => {
    const { n, cast, shipOut, moveIn, status, breachLots, verify } = await setup();
    const cold = await place(n, cast, '四号冷库');
    const now = n.clock.now();
    const start = now - 240 * MIN;
    const up = await api(n.app, 'POST', '/v1/temperature-uploads', {
      token: cast.carrier.token,
      body: { subject: { kind: 'vehicle', id: cast.vehicleId }, readings: warmReadings(start) },
    });
    expect(up.status, JSON.stringify(up.body)).toBe(201);
    const breach = up.body.breaches[0] as { id: string; lotIds: string[] };
    expect(breach.lotIds).toEqual([]);
    const [onBoard, laterTrip] = [await clearedLot(n, cast), await clearedLot(n, cast)];
    for (const l of [onBoard, laterTrip]) await moveIn(l.id, cold, now - 10 * 60 * MIN);
    await shipOut(onBoard.id, cold, start + 30 * MIN);
    await shipOut(laterTrip.id, cold, start + 110 * MIN);
    expect(await breachLots(breach.id)).toEqual([onBoard.id]);
    expect(await status(onBoard.id)).toBe('yellow');
    expect(await status(laterTrip.id)).toBe('green');
    expect((await verify()).problem).toBeUndefined();
  });

  it('the migration backfills the presence of goods moved before it, exactly as the log projects it', async () => {
    const { n, cast, moveIn, shipOut, verify } = await setup();
    const cold = await place(n, cast, '三号冷库');
    const lot = await clearedLot(n, cast);
    await moveIn(lot.id, cold, n.clock.now() - 120 * MIN);
    await shipOut(lot.id, cold, n.clock.now() - 60 * MIN);
    const rows = () => n.deps.db.selectFrom('lotPresence').selectAll().orderBy('logIndex').orderBy('seq').execute();
    const before = await rows();
    expect(before.filter((r) => r.lotId === lot.id).map((r) => [r.lotId, r.locationId, r.direction])).toEqual([
      [lot.id, cold, 'in'],
      [lot.id, cold, 'out'],
    ]);
    // A node from before 0011 has no presence rows: the migration's backfill writes them from the log.
    await n.deps.db.deleteFrom('lotPresence').execute();
    await n.deps.db.insertInto('projectionBackfills').values({ name: 'lot-presence' }).execute();
    expect(await runBackfills(n.deps.db)).toEqual(['lot-presence']);
    expect(await rows()).toEqual(before);
    expect((await verify()).problem).toBeUndefined();
    // A presence row is a projection like any other: verify names one edited by hand.
    const mine = before.find((r) => r.lotId === lot.id)!;
    const edit = (at: number) =>
      n.deps.db
        .updateTable('lotPresence')
        .set({ at })
        .where('logIndex', '=', mine.logIndex)
        .where('seq', '=', mine.seq)
        .execute();
    await edit(mine.at + 1);
    expect((await verify()).problem).toContain(`lotPresence row ${mine.logIndex}/${mine.seq}, column at`);
    await edit(mine.at);
  });
});
