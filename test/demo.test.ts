import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Kysely } from 'kysely';
import type { Schema } from '../src/store/schema.ts';
import { childEnv, dbArgs, dbEnv, json, openTarget, runCli } from './support/processes.ts';
import type { Target } from './support/processes.ts';
import { DIALECTS, freshDatabase } from './support/test-node.ts';

const SLOW = 180_000;
const drops: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const d of drops) await d();
});

async function target(kind: 'sqlite' | 'postgres'): Promise<Target> {
  const db = await freshDatabase(kind);
  drops.push(db.drop);
  return { kind, dataDir: db.dataDir, databaseUrl: db.databaseUrl };
}

const cli = (t: Target, ...args: string[]) =>
  runCli([...args, ...dbArgs(t)], { env: childEnv(dbEnv(t)), cwd: t.dataDir });

async function withDb<T>(t: Target, fn: (db: Kysely<Schema>) => Promise<T>): Promise<T> {
  const d = openTarget(t);
  try {
    return await fn(d.db);
  } finally {
    await d.close();
  }
}

for (const kind of DIALECTS) {
  describe(`coldtrace demo [${kind}]`, () => {
    it(
      'plays the story to a positive market sample whose incident freezes every affected lot, and the log verifies',
      async () => {
        const t = await target(kind);
        const out = json(await cli(t, 'demo', '--json'));
        expect(out.admin.token).toMatch(/^ct_/);
        expect(out.parties.length).toBeGreaterThanOrEqual(15);
        for (const p of out.parties) expect(p.token).toMatch(/^ct_[A-Za-z0-9_-]{43}$/);
        expect(out.lots.map((l: { key: string }) => l.key)).toEqual([
          'import_shoulder',
          'import_belly',
          'import_beef_green',
          'repacked_shoulder',
        ]);
        const green = out.lots.find((l: { key: string }) => l.key === 'import_beef_green');
        const story = out.lots.filter((l: { key: string }) => l.key !== 'import_beef_green');
        expect(out.lots[0].url).toBe(`http://127.0.0.1:8080/t/${out.lots[0].code}`);
        // The root lot, the other lot from its container and the lot repacked from it.
        expect(out.incident).toMatchObject({ number: 1, lots: 3 });
        expect(out.incident.holders).toBeGreaterThanOrEqual(8);

        await withDb(t, async (db) => {
          const frozen = await db
            .selectFrom('incidentLots')
            .innerJoin('lots', 'lots.id', 'incidentLots.lotId')
            .select(['lots.id', 'lots.status', 'lots.statusReasons'])
            .where('incidentLots.incidentId', '=', out.incident.id)
            .execute();
          expect(frozen.map((l) => l.id).sort()).toEqual(story.map((l: { id: string }) => l.id).sort());
          // The lot from the other container went its own way and stays green.
          const beef = await db
            .selectFrom('lots')
            .select(['status'])
            .where('id', '=', green.id)
            .executeTakeFirstOrThrow();
          expect(beef.status).toBe('green');
          // The story's events carry their own times over the five days before now, recorded as it was played: the
          // incident's window spans days, and its contacts were found in it.
          const inc = await db
            .selectFrom('incidents')
            .select(['windowFrom', 'windowTo', 'openedAt'])
            .where('id', '=', out.incident.id)
            .executeTakeFirstOrThrow();
          const days = (Number(inc.windowTo) - Number(inc.windowFrom)) / 86_400_000;
          expect(days).toBeGreaterThan(4.5);
          expect(days).toBeLessThanOrEqual(5.1);
          const departures = await db
            .selectFrom('shipments')
            .select(['departedAt', 'createdAt'])
            .where('lotId', '=', out.lots[0].id)
            .execute();
          expect(new Set(departures.map((d) => Number(d.departedAt))).size).toBeGreaterThan(3);
          const kinds = await db
            .selectFrom('incidentContacts')
            .select('kind')
            .distinct()
            .where('incidentId', '=', out.incident.id)
            .execute();
          expect(kinds.map((k) => k.kind).sort()).toEqual(['driver', 'handler', 'location', 'vehicle']);
          for (const l of frozen) {
            expect(l.status).toBe('red');
            expect(JSON.parse(l.statusReasons)).toContainEqual(expect.objectContaining({ code: 'open_incident' }));
          }
          // Goods were held in Henan, Jiangsu, Zhejiang and Guangdong, and one delivery was still on the road.
          const held = await db
            .selectFrom('incidentHoldings')
            .select(['region', 'inTransit'])
            .where('incidentId', '=', out.incident.id)
            .execute();
          expect([...new Set(held.map((h) => h.region))].sort()).toEqual(['320000', '330000', '410000', '440000']);
          expect(held.some((h) => h.inTransit === 1)).toBe(true);
          expect(
            Number(
              (
                await db
                  .selectFrom('retailSales')
                  .select((eb) => eb.fn.countAll().as('n'))
                  .executeTakeFirstOrThrow()
              ).n,
            ),
          ).toBeGreaterThan(0);
        });
        const verified = json(await cli(t, 'verify'));
        expect(verified.ok).toBe(true);

        // A second run on the same node makes a second, separate story.
        const again = json(await cli(t, 'demo', '--json'));
        expect(again.admin).toBeNull();
        expect(again.incident.number).toBe(2);
        expect(again.incident.lots).toBe(3);
        expect(again.lots.find((l: { key: string }) => l.key === 'import_beef_green')).toBeDefined();
        expect(again.lots[0].id).not.toBe(out.lots[0].id);
        expect(json(await cli(t, 'verify')).ok).toBe(true);
      },
      SLOW,
    );
  });
}

type Shape = Awaited<ReturnType<typeof shapeOf>>;

/** shapeOf reads what a scale dataset looks like: tiers, quantities and their balance. */
async function shapeOf(db: Kysely<Schema>) {
  const roles = new Map(
    (await db.selectFrom('parties').select(['id', 'roles']).execute()).map((p) => [
      p.id,
      (JSON.parse(p.roles) as string[]).join(','),
    ]),
  );
  const lots = await db
    .selectFrom('lots')
    .select(['id', 'origin', 'netGrams', 'cartons', 'batchNo', 'productNameEn', 'importerPartyId'])
    .orderBy('createdAt')
    .orderBy('batchNo')
    .execute();
  const sum = async (table: 'holdings' | 'disposals' | 'retailSales', lotIds?: string[]) => {
    const rows = await db.selectFrom(table).select(['lotId', 'grams']).execute();
    const m = new Map<string, number>();
    for (const r of rows)
      if (!lotIds || lotIds.includes(r.lotId)) m.set(r.lotId, (m.get(r.lotId) ?? 0) + Number(r.grams));
    return m;
  };
  const [held, disposed, retail] = [await sum('holdings'), await sum('disposals'), await sum('retailSales')];
  const inputs = new Map<string, number>();
  for (const r of await db
    .selectFrom('transformationLots')
    .select(['lotId', 'grams'])
    .where('role', '=', 'input')
    .execute())
    inputs.set(r.lotId, (inputs.get(r.lotId) ?? 0) + Number(r.grams));
  const shipments = await db
    .selectFrom('shipments')
    .select(['lotId', 'fromPartyId', 'toPartyId', 'grams', 'status', 'receivedGrams', 'purpose'])
    .execute();
  const transit = new Map<string, number>();
  for (const s of shipments)
    if (s.status === 'in_transit') transit.set(s.lotId, (transit.get(s.lotId) ?? 0) + Number(s.grams));
  const holders = await db.selectFrom('holdings').select(['lotId', 'partyId']).where('grams', '>', 0).execute();
  return {
    lots: lots.map((l) => ({
      origin: l.origin,
      netGrams: Number(l.netGrams),
      cartons: l.cartons,
      batchNo: l.batchNo,
      product: l.productNameEn,
    })),
    balance: lots.map((l) => ({
      lot: l.id,
      declared: Number(l.netGrams),
      accounted:
        (held.get(l.id) ?? 0) +
        (disposed.get(l.id) ?? 0) +
        (retail.get(l.id) ?? 0) +
        (inputs.get(l.id) ?? 0) +
        (transit.get(l.id) ?? 0),
    })),
    moves: [...new Set(shipments.map((s) => `${roles.get(s.fromPartyId)}→${roles.get(s.toPartyId)}`))].sort(),
    holdersByTier: Object.fromEntries(
      ['importer', 'cold_store', 'wholesaler', 'retailer', 'restaurant'].map((r) => [
        r,
        new Set(holders.filter((h) => roles.get(h.partyId) === r).map((h) => h.partyId)).size,
      ]),
    ),
    shortReceipts: shipments.filter((s) => s.status === 'received' && Number(s.receivedGrams) !== Number(s.grams))
      .length,
    retailSellers: [
      ...new Set((await db.selectFrom('retailSales').select('partyId').execute()).map((r) => roles.get(r.partyId))),
    ].sort(),
    counts: { shipments: shipments.length, holdings: holders.length },
  };
}

for (const kind of DIALECTS) {
  describe(`coldtrace demo --scale [${kind}]`, () => {
    it(
      'makes the four tiers, every lot balances to the gram, and the same seed gives the same shape',
      async () => {
        const t = await target(kind);
        const lots = kind === 'sqlite' ? 12 : 6;
        const stats = json(await cli(t, 'demo', '--scale', String(lots), '--seed', '7', '--json'));
        expect(stats.importLots).toBe(lots);
        const shape: Shape = await withDb(t, shapeOf);
        expect(shape.lots.filter((l) => l.origin === 'imported')).toHaveLength(lots);
        expect(stats.derivedLots).toBe(shape.lots.filter((l) => l.origin === 'derived').length);
        expect(stats.holdings).toBe(shape.counts.holdings);
        expect(stats.shipments).toBe(shape.counts.shipments);
        // importer → cold store → wholesaler → retailers and restaurants, and nothing else.
        expect(shape.moves).toEqual([
          'cold_store→wholesaler',
          'importer→cold_store',
          'wholesaler→restaurant',
          'wholesaler→retailer',
        ]);
        for (const tier of ['cold_store', 'wholesaler', 'retailer', 'restaurant'])
          expect(shape.holdersByTier[tier], tier).toBeGreaterThan(0);
        expect(shape.retailSellers.every((r) => r === 'retailer' || r === 'restaurant')).toBe(true);
        expect(shape.shortReceipts).toBe(0);
        // held + disposed + sold over the counter + repacked away + on the road = declared, for every lot.
        for (const b of shape.balance) expect(b.accounted, b.lot).toBe(b.declared);
        // One lot in every few hundred fans out to many buyers: the first one does.
        expect(stats.wide.lotIds).toHaveLength(1);
        expect(stats.wide.holdings).toBeGreaterThan(10);
        expect(stats.events).toBeGreaterThan(lots * 50);
        // It names some lots to try, with their trace codes and public pages, the widest first.
        expect(stats.lots.length).toBeGreaterThanOrEqual(3);
        expect(stats.lots[0]).toMatchObject({ id: stats.wide.lotIds[0], wide: true });
        for (const l of stats.lots) expect(l.url).toBe(`http://127.0.0.1:8080/t/${l.code}`);
        if (kind === 'sqlite') {
          expect(json(await cli(t, 'verify')).ok).toBe(true);
          const again = await target(kind);
          const text = await cli(again, 'demo', '--scale', String(lots), '--seed', '7');
          expect(text.code, text.stderr).toBe(0);
          expect(text.stdout).toMatch(/code [0-9A-Z]+ +widest\n +http:\/\/127\.0\.0\.1:8080\/t\/[0-9A-Z]+/);
          const other: Shape = await withDb(again, shapeOf);
          expect(other.lots).toEqual(shape.lots);
          expect(other.moves).toEqual(shape.moves);
          expect(other.counts).toEqual(shape.counts);
          // A node with data already is refused, clearly.
          const refused = await cli(again, 'demo', '--scale', '3');
          expect(refused.code).not.toBe(0);
          expect(refused.stderr).toMatch(/needs a fresh node/);
        }
      },
      SLOW,
    );
  });
}

for (const kind of DIALECTS) {
  describe(`coldtrace demo's next steps [${kind}]`, () => {
    it(
      'name the same database, data directory and port, so following them reaches the node the demo filled',
      async () => {
        const t = await target(kind);
        const port = '18765';
        const r = await runCli(['demo', ...dbArgs(t)], {
          env: childEnv({ ...dbEnv(t), PORT: port }),
          cwd: t.dataDir,
        });
        expect(r.code, r.stderr).toBe(0);
        const env = t.databaseUrl ? `DATABASE_URL=${t.databaseUrl} ` : '';
        // Without --data the demo used ./data under its working directory.
        const dir = t.kind === 'sqlite' ? t.dataDir : join(t.dataDir, 'data');
        expect(r.stdout).toContain(`  ${env}npx coldtrace serve --data ${dir} --port ${port}\n`);
        expect(r.stdout).toContain(`  ${env}npx coldtrace verify --data ${dir}\n`);
        expect(r.stdout).toContain(`export API=http://127.0.0.1:${port} `);
        expect(r.stdout).toMatch(new RegExp(`http://127\\.0\\.0\\.1:${port}/t/`));
        if (!t.databaseUrl) expect(r.stdout).not.toContain('DATABASE_URL');
        // The printed verify, run as printed (from another directory), finds the demo's log.
        const printed = json(await runCli(['verify', '--data', dir], { env: childEnv(dbEnv(t)), cwd: tmpdir() }));
        expect(printed.ok).toBe(true);
        expect(printed.entries).toBeGreaterThan(100);
      },
      SLOW,
    );
  });
}
