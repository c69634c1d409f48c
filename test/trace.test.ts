import { expect, it } from 'vitest';
import { cartonSerial } from '../src/domain/trace-code.ts';
import { addParty, api, expectError } from './support/http.ts';
import { buildChain, ok } from './support/chain.ts';
import { eachDialect } from './support/test-node.ts';

type Q = { kg: number; cartons: number };
type Aside = {
  shipments: { lotId: string; from: { partyId: string }; to: { partyId: string } }[];
  holdings: { lotId: string; partyId: string; quantity: Q }[];
  parties: { id: string }[];
};
type Graph = {
  lots: { id: string; depth: number; origin: string }[];
  holdings: { lotId: string; partyId: string; quantity: Q }[];
  shipments: { lotId: string; from: { partyId: string }; to: { partyId: string }; status: string; quantity: Q }[];
  transformations: {
    id: string;
    inputs: { lotId: string; quantity: Q }[];
    outputs: { lotId: string; quantity: Q }[];
    lossKg: number;
  }[];
  parties: { id: string; region: string }[];
  border: {
    lotId: string;
    containerNo: string;
    declarationNo: string;
    producer: { id: string; country: string } | null;
  }[];
  summary: { lots: number; holders: number; heldKg: number; regions: string[] };
  alsoFromSameSource: Aside;
  start: { kind: string; lotIds: string[]; carton?: number };
};

const held = (g: Graph) => Object.fromEntries(g.holdings.map((h) => [`${h.lotId}@${h.partyId}`, h.quantity]));

eachDialect('trace', (node) => {
  it('is exact forward and backward over splits, a merge by repacking and cross-province moves', async () => {
    const n = node();
    const c = await buildChain(n);
    const reg = n.adminToken;
    const { importer } = c.cast;

    const fwd = ok(await api(n.app, 'GET', `/v1/lots/${c.l1.id}/trace?direction=forward`, { token: reg })) as Graph;
    expect(fwd.lots.map((l) => [l.id, l.depth])).toEqual([
      [c.l1.id, 0],
      [c.r.id, 1],
    ]);
    expect(held(fwd)).toEqual({
      [`${c.l1.id}@${importer.id}`]: { kg: 300, cartons: 15 },
      [`${c.l1.id}@${c.coldStore.id}`]: { kg: 300, cartons: 15 },
      [`${c.l1.id}@${c.wholesaler.id}`]: { kg: 200, cartons: 10 },
      [`${c.r.id}@${c.wholesaler.id}`]: { kg: 140, cartons: 14 },
      [`${c.r.id}@${c.retailer.id}`]: { kg: 50, cartons: 5 },
    });
    // Everyone who ever received any of it, the restaurant with its goods still on the road included.
    const receivers = new Set(fwd.shipments.map((s) => s.to.partyId));
    expect(receivers).toEqual(new Set([c.coldStore.id, c.wholesaler.id, c.restaurant.id, c.retailer.id]));
    expect(fwd.shipments.find((s) => s.to.partyId === c.restaurant.id)).toMatchObject({
      status: 'in_transit',
      quantity: { kg: 100, cartons: 5 },
    });
    // L2 went into the repack too, but it is R's parent, not L1's descendant.
    expect(fwd.lots.map((l) => l.id)).not.toContain(c.l2.id);
    expect(fwd.transformations).toEqual([
      expect.objectContaining({
        id: c.transformationId,
        lossKg: 10,
        outputs: [{ lotId: c.r.id, quantity: { kg: 190, cartons: 19 } }],
      }),
    ]);
    expect(fwd.summary).toMatchObject({
      lots: 2,
      holders: 4,
      heldKg: 990,
      regions: ['320000', '330000', '410000', '440000'],
    });

    const back = ok(await api(n.app, 'GET', `/v1/lots/${c.r.id}/trace?direction=backward`, { token: reg })) as Graph;
    expect(new Set(back.lots.map((l) => l.id))).toEqual(new Set([c.r.id, c.l1.id, c.l2.id]));
    expect(back.lots.find((l) => l.id === c.r.id)).toMatchObject({ depth: 0, origin: 'derived' });
    expect(back.lots.find((l) => l.id === c.l2.id)?.depth).toBe(-1);
    const containers = await n.deps.db
      .selectFrom('lots')
      .select(['id', 'containerNo', 'declarationNo'])
      .where('id', 'in', [c.l1.id, c.l2.id])
      .execute();
    expect(
      back.border
        .map((b) => ({ id: b.lotId, containerNo: b.containerNo, declarationNo: b.declarationNo }))
        .sort((a, b) => (a.id < b.id ? -1 : 1)),
    ).toEqual(
      containers
        .map((r) => ({ id: r.id, containerNo: r.containerNo, declarationNo: r.declarationNo }))
        .sort((a, b) => (a.id < b.id ? -1 : 1)),
    );
    for (const b of back.border) expect(b.producer).toMatchObject({ id: c.cast.producerId, country: 'AR' });

    const both = ok(await api(n.app, 'GET', `/v1/lots/${c.l2.id}/trace?direction=both`, { token: reg })) as Graph;
    expect(new Set(both.lots.map((l) => l.id))).toEqual(new Set([c.l2.id, c.r.id]));
  });

  it('goes backward by the path the goods came by, and lists what else came from the same source apart', async () => {
    const n = node();
    const c = await buildChain(n);
    const { importer } = c.cast;
    const back = ok(
      await api(n.app, 'GET', `/v1/lots/${c.r.id}/trace?direction=backward`, { token: n.adminToken }),
    ) as Graph;
    const leg = (s: { lotId: string; from: { partyId: string }; to: { partyId: string } }) =>
      `${s.lotId}:${s.from.partyId}>${s.to.partyId}`;
    // L1 and L2 came from the importer to the wholesaler, who repacked them into R and sold some to the retailer.
    expect(new Set(back.shipments.map(leg))).toEqual(
      new Set([
        `${c.l1.id}:${importer.id}>${c.wholesaler.id}`,
        `${c.l2.id}:${importer.id}>${c.wholesaler.id}`,
        `${c.r.id}:${c.wholesaler.id}>${c.retailer.id}`,
      ]),
    );
    expect(new Set(back.parties.map((p) => p.id))).toEqual(new Set([importer.id, c.wholesaler.id, c.retailer.id]));
    expect(held(back)).toEqual({
      [`${c.r.id}@${c.wholesaler.id}`]: { kg: 140, cartons: 14 },
      [`${c.r.id}@${c.retailer.id}`]: { kg: 50, cartons: 5 },
    });
    expect(back.summary).toMatchObject({ lots: 3, holders: 2, heldKg: 190 });
    // The cold store and the restaurant had other parts of L1: siblings, not the path.
    const aside = back.alsoFromSameSource;
    expect(new Set(aside.shipments.map(leg))).toEqual(
      new Set([`${c.l1.id}:${importer.id}>${c.coldStore.id}`, `${c.l1.id}:${c.coldStore.id}>${c.restaurant.id}`]),
    );
    expect(new Set(aside.parties.map((p) => p.id))).toEqual(new Set([c.coldStore.id, c.restaurant.id]));
    expect(Object.fromEntries(aside.holdings.map((h) => [`${h.lotId}@${h.partyId}`, h.quantity]))).toEqual({
      [`${c.l1.id}@${importer.id}`]: { kg: 300, cartons: 15 },
      [`${c.l1.id}@${c.coldStore.id}`]: { kg: 300, cartons: 15 },
      [`${c.l1.id}@${c.wholesaler.id}`]: { kg: 200, cartons: 10 },
      [`${c.l2.id}@${importer.id}`]: { kg: 300, cartons: 15 },
      [`${c.l2.id}@${c.wholesaler.id}`]: { kg: 100, cartons: 5 },
    });
    // Forward, nothing is set apart: every holder of L1 is downstream of it.
    const fwd = ok(
      await api(n.app, 'GET', `/v1/lots/${c.l1.id}/trace?direction=forward`, { token: n.adminToken }),
    ) as Graph;
    expect(fwd.alsoFromSameSource).toEqual({
      shipments: [],
      disposals: [],
      retailSales: [],
      holdings: [],
      parties: [],
      locations: [],
    });
  });

  it('starts from a trace code, a carton code or a Digital Link, and refuses what names nothing', async () => {
    const n = node();
    const c = await buildChain(n);
    const reg = n.adminToken;
    const byCode = ok(await api(n.app, 'GET', `/v1/trace?ref=${c.l1.code}&direction=forward`, { token: reg })) as Graph;
    expect(byCode.start).toMatchObject({ kind: 'code', lotIds: [c.l1.id] });
    const carton = cartonSerial(c.l1.code, 7);
    const byCarton = ok(await api(n.app, 'GET', `/v1/lots/${carton}/trace?direction=forward`, { token: reg })) as Graph;
    expect(byCarton.start).toMatchObject({ kind: 'carton', lotIds: [c.l1.id], carton: 7 });
    expect(byCarton.lots.map((l) => l.id)).toEqual(byCode.lots.map((l) => l.id));
    const link = `https://id.gs1.org/01/${c.l1.gtin}/10/${encodeURIComponent(c.l1.batchNo)}`;
    const byLink = ok(await api(n.app, 'GET', `/v1/trace?ref=${encodeURIComponent(link)}`, { token: reg })) as Graph;
    expect(byLink.start).toMatchObject({ kind: 'digital_link', lotIds: [c.l1.id] });

    expectError(await api(n.app, 'GET', '/v1/trace?ref=not-a-code', { token: reg }), 400, 'ValidationFailed', 'ref');
    expectError(
      await api(n.app, 'GET', `/v1/trace?ref=${encodeURIComponent('https://id.gs1.org/01/09506000134352/10/NOPE')}`, {
        token: reg,
      }),
      404,
      'LotNotFound',
    );
    expectError(
      await api(n.app, 'GET', `/v1/lots/${c.l1.id}/trace?direction=sideways`, { token: reg }),
      400,
      'ValidationFailed',
    );
    // A business sees its own records, not the whole web of its customers' customers.
    expectError(await api(n.app, 'GET', `/v1/lots/${c.l1.id}/trace`, { token: c.wholesaler.token }), 403, 'Forbidden');
    const auditor = await addParty(n.app, n.adminToken, ['auditor'], '110000');
    expect((await api(n.app, 'GET', `/v1/lots/${c.l1.id}/trace`, { token: auditor.token })).status).toBe(200);
  });
});
