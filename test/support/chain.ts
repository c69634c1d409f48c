import { expect } from 'vitest';
import { gtinCheckDigit } from '../../src/domain/digital-link.ts';
import { addParty, api, residentId } from './http.ts';
import type { Reply } from './http.ts';
import { borderCast, clearedLot, hire } from './border.ts';
import type { BorderCast } from './border.ts';
import type { TestNode } from './test-node.ts';

type Party = { id: string; token: string };

/**
 * Chain is a hand-built custody graph across provinces, exact enough that a trace or an incident over it can be
 * checked line by line:
 *
 *   L1 (import, Henan, 1000 kg / 50 ct, with a GTIN)   L2 (import, 500 kg / 25 ct)   L3 (import, L1's container, 100 kg)
 *     → cold store C (Jiangsu) 400 / 20, received
 *     → wholesaler W (Zhejiang) 300 / 15, received     → W 200 / 10, received
 *   W repacks L1 100 / 5 + L2 100 / 5 → R 190 kg / 19 ct (loss 10 kg)
 *     W sells R 50 / 5 to retailer Ret (Guangdong), handed over
 *   C ships L1 100 / 5 to restaurant Rest (Jiangsu), still in transit
 */
export interface Chain {
  cast: BorderCast;
  coldStore: Party & { locationId: string };
  wholesaler: Party & { locationId: string };
  retailer: Party;
  restaurant: Party;
  crew: { driver: string; handler: string };
  l1: { id: string; code: string; gtin: string; batchNo: string };
  l2: { id: string; code: string };
  l3: { id: string; code: string };
  r: { id: string; code: string };
  transformationId: string;
}

export const ok = (r: Reply, what = 'request') => {
  expect(r.status, `${what}: ${JSON.stringify(r.body)}`).toBeGreaterThanOrEqual(200);
  expect(r.status, `${what}: ${JSON.stringify(r.body)}`).toBeLessThan(300);
  return r.body;
};

let seq = 0;

async function location(n: TestNode, p: Party, region: string, kind: string) {
  seq++;
  return ok(
    await api(n.app, 'POST', '/v1/locations', {
      token: p.token,
      body: {
        filingNo: `冷-${region}-${Date.now() % 100000}-${seq}`,
        name: `${kind} ${seq}`,
        address: '某路1号',
        region,
        kind,
        tempClass: 'frozen',
      },
    }),
    'location',
  ).id as string;
}

/** crewOf registers a driver and a warehouse handler for the carrier, each with a recent negative test. */
export async function crewOf(n: TestNode, cast: BorderCast) {
  const t = new Date(n.clock.now() - 3_600_000).toISOString();
  const s = String(300 + (seq++ % 600));
  const driver = ok(
    await api(n.app, 'POST', '/v1/workers', {
      token: cast.carrier.token,
      body: { name: '刘师傅', role: 'driver', idNumber: residentId('19820202', s) },
    }),
  ).id as string;
  const handler = ok(
    await api(n.app, 'POST', '/v1/workers', {
      token: cast.carrier.token,
      body: { name: '陈搬运', role: 'warehouse_handler', idNumber: residentId('19830303', s) },
    }),
  ).id as string;
  for (const id of [driver, handler])
    ok(
      await api(n.app, 'POST', `/v1/workers/${id}/tests`, {
        token: cast.carrier.token,
        body: { sampledAt: t, result: 'negative', institution: '疾控中心' },
      }),
    );
  return { driver, handler };
}

/** shipTo ships from a holder and, unless keepInTransit, has the receiver receive all of it. */
export async function shipTo(
  n: TestNode,
  c: Pick<Chain, 'cast' | 'crew'>,
  from: Party,
  lotId: string,
  to: Party & { locationId?: string },
  kg: number,
  cartons: number,
  o: { fromLocationId?: string | null; keepInTransit?: boolean } = {},
) {
  const now = new Date(n.clock.now()).toISOString();
  await hire(n.app, from, c.cast.carrier);
  const s = ok(
    await api(n.app, 'POST', `/v1/lots/${lotId}/shipments`, {
      token: from.token,
      body: {
        fromLocationId: o.fromLocationId ?? null,
        toPartyId: to.id,
        toLocationId: to.locationId ?? null,
        quantity: { kg, cartons },
        carrierPartyId: c.cast.carrier.id,
        vehicleId: c.cast.vehicleId,
        driverWorkerId: c.crew.driver,
        handlerWorkerIds: [c.crew.handler],
        departedAt: now,
        referenceDoc: `DN-${seq++}`,
      },
    }),
    'ship',
  );
  if (!o.keepInTransit)
    ok(
      await api(n.app, 'POST', `/v1/shipments/${s.id}/receipt`, {
        token: to.token,
        body: { quantity: { kg, cartons }, receivedAt: now },
      }),
      'receive',
    );
  return s.id as string;
}

/** buildChain builds the graph described on Chain. */
export async function buildChain(n: TestNode): Promise<Chain> {
  const cast = await borderCast(n.app, n.adminToken);
  const [cs, ws, retailer, restaurant] = await Promise.all([
    addParty(n.app, n.adminToken, ['cold_store'], '320000'),
    addParty(n.app, n.adminToken, ['wholesaler'], '330000'),
    addParty(n.app, n.adminToken, ['retailer'], '440000'),
    addParty(n.app, n.adminToken, ['restaurant'], '320000'),
  ]);
  const coldStore = { ...cs, locationId: await location(n, cs, '320000', 'cold_store') };
  const wholesaler = { ...ws, locationId: await location(n, ws, '330000', 'cold_store') };
  const crew = await crewOf(n, cast);
  const body12 = `69${String(100000000 + seq++).slice(-9)}1`;
  const gtin = body12 + gtinCheckDigit(body12);
  const l1 = await clearedLot(n, cast, { netKg: 1000, cartons: 50, gtin });
  const l1Row = await n.deps.db
    .selectFrom('lots')
    .select(['batchNo', 'containerNo', 'gtin'])
    .where('id', '=', l1.id)
    .executeTakeFirstOrThrow();
  const l2 = await clearedLot(n, cast, { netKg: 500, cartons: 25 });
  const l3 = await clearedLot(n, cast, { netKg: 100, cartons: 5, containerNo: l1Row.containerNo });
  const c = { cast, crew };
  await shipTo(n, c, cast.importer, l1.id, coldStore, 400, 20);
  await shipTo(n, c, cast.importer, l1.id, wholesaler, 300, 15);
  await shipTo(n, c, cast.importer, l2.id, wholesaler, 200, 10);
  const t = ok(
    await api(n.app, 'POST', '/v1/transformations', {
      token: wholesaler.token,
      body: {
        kind: 'repack',
        locationId: wholesaler.locationId,
        at: new Date(n.clock.now()).toISOString(),
        lossKg: 10,
        referenceDoc: 'RP-1',
        inputs: [
          { lotId: l1.id, locationId: wholesaler.locationId, quantity: { kg: 100, cartons: 5 } },
          { lotId: l2.id, locationId: wholesaler.locationId, quantity: { kg: 100, cartons: 5 } },
        ],
        outputs: [
          { quantity: { kg: 190, cartons: 19 }, productNameZh: '分装冷冻猪肉', productNameEn: 'Repacked frozen pork' },
        ],
      },
    }),
    'transform',
  );
  const r = (t.outputs as { lotId: string; code: string }[])[0]!;
  ok(
    await api(n.app, 'POST', `/v1/lots/${r.lotId}/sales`, {
      token: wholesaler.token,
      body: {
        toPartyId: retailer.id,
        locationId: wholesaler.locationId,
        quantity: { kg: 50, cartons: 5 },
        soldAt: new Date(n.clock.now()).toISOString(),
        referenceDoc: 'INV-9',
      },
    }),
    'sale',
  );
  await shipTo(n, c, coldStore, l1.id, restaurant, 100, 5, {
    fromLocationId: coldStore.locationId,
    keepInTransit: true,
  });
  return {
    cast,
    coldStore,
    wholesaler,
    retailer,
    restaurant,
    crew,
    l1: { ...l1, gtin: l1Row.gtin!, batchNo: l1Row.batchNo },
    l2,
    l3,
    r: { id: r.lotId, code: r.code },
    transformationId: t.id as string,
  };
}
