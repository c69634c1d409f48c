import { describe, it, expect } from 'vitest';
import type { Holdings, Movement, Place, Quantity } from './holdings.ts';
import {
  EMPTY_HOLDINGS,
  ZERO,
  add,
  applyMovement,
  heldAt,
  holdersOf,
  holdingsOf,
  inTransit,
  lotBalance,
  receiptDiscrepancy,
} from './holdings.ts';

const q = (grams: number, cartons: number): Quantity => ({ grams, cartons });
const IMP: Place = { partyId: 'pty_imp', locationId: 'loc_port' };
const COLD: Place = { partyId: 'pty_cold', locationId: 'loc_cs1' };
const COLD2: Place = { partyId: 'pty_cold', locationId: 'loc_cs2' };
const DOCK: Place = { partyId: 'pty_cold', locationId: null };
const SHOP: Place = { partyId: 'pty_shop', locationId: 'loc_shop' };

const declare: Movement = { kind: 'declare', lotId: 'lot_a', to: IMP, quantity: q(20_000_000, 1000) };

function fold(ms: Movement[]): Holdings {
  const r = holdingsOf(ms);
  if (!r.ok) throw new Error(`refused at ${r.index}: ${JSON.stringify(r.refusal)}`);
  return r.holdings;
}

function sumBalance(h: Holdings, lotId: string): Quantity {
  const b = lotBalance(h, lotId);
  return [b.held, b.inTransit, b.consumed, b.sold, b.disposed, b.lostInTransit].reduce(add, ZERO);
}

describe('applyMovement: basic custody', () => {
  it('declares a lot to its importer', () => {
    const h = fold([declare]);
    expect(heldAt(h, 'lot_a', IMP)).toEqual(q(20_000_000, 1000));
    expect(holdersOf(h, 'lot_a')).toEqual([
      { lotId: 'lot_a', holderPartyId: 'pty_imp', locationId: 'loc_port', quantity: q(20_000_000, 1000) },
    ]);
  });

  it('moves a shipment out of the sender at once and holds it in transit until received', () => {
    const ship: Movement = {
      kind: 'ship',
      lotId: 'lot_a',
      from: IMP,
      to: COLD,
      quantity: q(5_000_000, 250),
      shipmentId: 'shp_1',
    };
    const h = fold([declare, ship]);
    expect(heldAt(h, 'lot_a', IMP)).toEqual(q(15_000_000, 750));
    expect(heldAt(h, 'lot_a', COLD)).toEqual(ZERO);
    expect(inTransit(h)).toEqual([
      { shipmentId: 'shp_1', lotId: 'lot_a', from: IMP, to: COLD, quantity: q(5_000_000, 250) },
    ]);
    expect(inTransit(h, { partyId: 'pty_cold' })).toHaveLength(1);
    expect(inTransit(h, { partyId: 'pty_shop' })).toHaveLength(0);
    expect(inTransit(h, { lotId: 'lot_b' })).toHaveLength(0);

    const r = applyMovement(h, {
      kind: 'receive',
      lotId: 'lot_a',
      to: COLD,
      quantity: q(5_000_000, 250),
      shipmentId: 'shp_1',
    });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(heldAt(r.holdings, 'lot_a', COLD)).toEqual(q(5_000_000, 250));
    expect(inTransit(r.holdings)).toEqual([]);
    expect(r.holdings.discrepancies).toEqual([]);
    // The holdings given are left as they were.
    expect(inTransit(h)).toHaveLength(1);
  });

  it('records a short receipt as a discrepancy on the shipment, and credits only what arrived', () => {
    const h = fold([
      declare,
      { kind: 'ship', lotId: 'lot_a', from: IMP, to: COLD, quantity: q(5_000_000, 250), shipmentId: 'shp_1' },
      { kind: 'receive', lotId: 'lot_a', to: COLD2, quantity: q(4_980_000, 249), shipmentId: 'shp_1' },
    ]);
    expect(heldAt(h, 'lot_a', COLD2)).toEqual(q(4_980_000, 249));
    expect(h.discrepancies).toEqual([
      {
        shipmentId: 'shp_1',
        lotId: 'lot_a',
        from: IMP,
        to: COLD2,
        shipped: q(5_000_000, 250),
        received: q(4_980_000, 249),
        missing: q(20_000, 1),
      },
    ]);
    expect(lotBalance(h, 'lot_a').lostInTransit).toEqual(q(20_000, 1));
    expect(sumBalance(h, 'lot_a')).toEqual(lotBalance(h, 'lot_a').introduced);
  });

  it('accepts a receipt of nothing: the whole shipment is lost, and stays attributable to it', () => {
    const h = fold([
      declare,
      { kind: 'ship', lotId: 'lot_a', from: IMP, to: COLD, quantity: q(1000, 1), shipmentId: 'shp_1' },
      { kind: 'receive', lotId: 'lot_a', to: COLD, quantity: ZERO, shipmentId: 'shp_1' },
    ]);
    expect(holdersOf(h, 'lot_a').map((x) => x.holderPartyId)).toEqual(['pty_imp']);
    expect(h.discrepancies[0]?.missing).toEqual(q(1000, 1));
  });

  it("moves goods between a party's own locations with store_in and store_out", () => {
    const h = fold([
      { ...declare, to: COLD },
      { kind: 'store_out', lotId: 'lot_a', from: COLD, to: DOCK, quantity: q(1_000_000, 50) },
      { kind: 'store_in', lotId: 'lot_a', from: DOCK, to: COLD2, quantity: q(400_000, 20) },
    ]);
    expect(heldAt(h, 'lot_a', COLD)).toEqual(q(19_000_000, 950));
    expect(heldAt(h, 'lot_a', DOCK)).toEqual(q(600_000, 30));
    expect(heldAt(h, 'lot_a', COLD2)).toEqual(q(400_000, 20));
  });

  it('hands goods to a buyer with sell, and takes them out of the chain with retail sale, transform and dispose', () => {
    const h = fold([
      { ...declare, quantity: q(10_000, 10) },
      { kind: 'sell', lotId: 'lot_a', from: IMP, to: SHOP, quantity: q(6_000, 6) },
      { kind: 'retail_sale', lotId: 'lot_a', from: SHOP, quantity: q(500, 0) },
      { kind: 'transform_in', lotId: 'lot_a', from: SHOP, quantity: q(3_000, 3) },
      { kind: 'transform_out', lotId: 'lot_b', to: SHOP, quantity: q(2_900, 12) },
      { kind: 'dispose', lotId: 'lot_a', from: IMP, quantity: q(4_000, 4) },
    ]);
    expect(lotBalance(h, 'lot_a')).toEqual({
      introduced: q(10_000, 10),
      held: q(2_500, 3),
      inTransit: ZERO,
      consumed: q(3_000, 3),
      sold: q(500, 0),
      disposed: q(4_000, 4),
      lostInTransit: ZERO,
    });
    expect(heldAt(h, 'lot_b', SHOP)).toEqual(q(2_900, 12));
    // The importer gave all it held away, so it is no longer listed as a holder.
    expect(holdersOf(h, 'lot_a').map((x) => x.holderPartyId)).toEqual(['pty_shop']);
  });
});

describe('applyMovement: refusals', () => {
  const h = fold([{ ...declare, quantity: q(10_000, 10) }]);

  it('refuses to ship more grams than held, naming lot, holder, location, held and requested', () => {
    const r = applyMovement(h, {
      kind: 'ship',
      lotId: 'lot_a',
      from: IMP,
      to: COLD,
      quantity: q(10_001, 1),
      shipmentId: 's',
    });
    expect(r).toEqual({
      ok: false,
      refusal: {
        code: 'InsufficientQuantity',
        lotId: 'lot_a',
        holderPartyId: 'pty_imp',
        locationId: 'loc_port',
        held: q(10_000, 10),
        requested: q(10_001, 1),
      },
    });
  });

  it('refuses more cartons than held even when the grams would do', () => {
    const r = applyMovement(h, { kind: 'sell', lotId: 'lot_a', from: IMP, to: SHOP, quantity: q(100, 11) });
    expect(r.ok || r.refusal.code).toBe('InsufficientQuantity');
  });

  it('refuses to give from a location that holds nothing, even when the party holds the lot elsewhere', () => {
    const r = applyMovement(h, {
      kind: 'dispose',
      lotId: 'lot_a',
      from: { partyId: 'pty_imp', locationId: 'loc_other' },
      quantity: q(1, 0),
    });
    expect(r.ok || r.refusal).toMatchObject({ code: 'InsufficientQuantity', held: ZERO, locationId: 'loc_other' });
  });

  it.each<[string, Movement, string]>([
    ['a negative quantity', { kind: 'dispose', lotId: 'lot_a', from: IMP, quantity: q(-1, 0) }, 'quantity'],
    ['fractional grams', { kind: 'dispose', lotId: 'lot_a', from: IMP, quantity: q(1.5, 0) }, 'quantity'],
    ['a zero quantity', { kind: 'dispose', lotId: 'lot_a', from: IMP, quantity: ZERO }, 'quantity'],
    [
      'a ship without a destination',
      { kind: 'ship', lotId: 'lot_a', from: IMP, quantity: q(1, 0), shipmentId: 's' },
      'to',
    ],
    [
      'a ship without a shipment id',
      { kind: 'ship', lotId: 'lot_a', from: IMP, to: COLD, quantity: q(1, 0) },
      'shipmentId',
    ],
    ['a dispose with a destination', { kind: 'dispose', lotId: 'lot_a', from: IMP, to: COLD, quantity: q(1, 0) }, 'to'],
    ['a store_in to another party', { kind: 'store_in', lotId: 'lot_a', from: IMP, to: COLD, quantity: q(1, 0) }, 'to'],
    [
      'an empty party id',
      { kind: 'dispose', lotId: 'lot_a', from: { partyId: '', locationId: null }, quantity: q(1, 0) },
      'from',
    ],
    ['an empty lot id', { kind: 'dispose', lotId: '', from: IMP, quantity: q(1, 0) }, 'lotId'],
    ['an unknown kind', { kind: 'teleport' as Movement['kind'], lotId: 'lot_a', quantity: q(1, 0) }, 'kind'],
  ])('refuses %s, naming the field', (_name, m, field) => {
    const r = applyMovement(h, m);
    expect(r.ok || r.refusal).toMatchObject({ code: 'InvalidMovement', field });
  });

  it('refuses to declare or produce a lot twice', () => {
    expect(applyMovement(h, declare)).toEqual({ ok: false, refusal: { code: 'LotAlreadyExists', lotId: 'lot_a' } });
    expect(applyMovement(h, { kind: 'transform_out', lotId: 'lot_a', to: SHOP, quantity: q(1, 0) }).ok).toBe(false);
  });

  it('refuses a reused shipment id, a receipt of an unknown or closed shipment, a wrong receiver or lot, and an over-receipt', () => {
    const shipped = fold([
      { ...declare, quantity: q(10_000, 10) },
      { kind: 'ship', lotId: 'lot_a', from: IMP, to: COLD, quantity: q(1_000, 1), shipmentId: 'shp_1' },
    ]);
    const again: Movement = {
      kind: 'ship',
      lotId: 'lot_a',
      from: IMP,
      to: COLD,
      quantity: q(1_000, 1),
      shipmentId: 'shp_1',
    };
    expect(applyMovement(shipped, again).ok || 'refused').toBe('refused');
    const receive: Movement = { kind: 'receive', lotId: 'lot_a', to: COLD, quantity: q(1_000, 1), shipmentId: 'shp_1' };
    expect(applyMovement(shipped, { ...receive, shipmentId: 'shp_9' })).toEqual({
      ok: false,
      refusal: { code: 'ShipmentNotInTransit', shipmentId: 'shp_9' },
    });
    expect(applyMovement(shipped, { ...receive, to: SHOP }).ok || 'refused').toBe('refused');
    expect(applyMovement(shipped, { ...receive, lotId: 'lot_b' }).ok || 'refused').toBe('refused');
    expect(applyMovement(shipped, { ...receive, quantity: q(900, 2) })).toEqual({
      ok: false,
      refusal: { code: 'ReceiptExceedsShipment', shipmentId: 'shp_1', shipped: q(1_000, 1), received: q(900, 2) },
    });
    const received = applyMovement(shipped, receive);
    expect(received.ok).toBe(true);
    if (!received.ok) return;
    expect(applyMovement(received.holdings, receive).ok || 'refused').toBe('refused');
    expect(applyMovement(received.holdings, again).ok || 'refused').toBe('refused');
  });

  it('holdingsOf names the index of the first refused movement', () => {
    const r = holdingsOf([declare, { kind: 'dispose', lotId: 'lot_a', from: COLD, quantity: q(1, 0) }, declare]);
    expect(r).toMatchObject({ ok: false, index: 1, refusal: { code: 'InsufficientQuantity' } });
  });
});

describe('receiptDiscrepancy', () => {
  it('is null for an exact receipt', () => {
    expect(receiptDiscrepancy(q(1000, 2), q(1000, 2))).toBeNull();
  });
  it('gives what is missing and what is extra, grams and cartons apart', () => {
    expect(receiptDiscrepancy(q(1000, 2), q(900, 2))).toEqual({ missing: q(100, 0), extra: ZERO });
    expect(receiptDiscrepancy(q(1000, 2), q(900, 3))).toEqual({ missing: q(100, 0), extra: q(0, 1) });
  });
});

/** mulberry32: a small seeded generator, so a failing ledger can be replayed from its seed. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('property: random ledgers', () => {
  const PARTIES = ['pty_1', 'pty_2', 'pty_3'];
  const LOCS = ['loc_x', 'loc_y', null];
  const KINDS: Movement['kind'][] = [
    'declare',
    'ship',
    'receive',
    'store_in',
    'store_out',
    'sell',
    'retail_sale',
    'transform_in',
    'transform_out',
    'dispose',
  ];

  function randomMovement(r: () => number, h: Holdings, n: number): Movement {
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T;
    const place = (party = pick(PARTIES)): Place => ({ partyId: party, locationId: pick(LOCS) });
    const holdings = [...h.held.values()];
    const kind = pick(KINDS);
    // Mostly draw from what is held, so most movements are accepted; sometimes ask for a little more than there is.
    const source = holdings.length > 0 && r() < 0.9 ? pick(holdings) : undefined;
    const from: Place = source ? { partyId: source.holderPartyId, locationId: source.locationId } : place();
    const lotId = source?.lotId ?? pick(['lot_0', 'lot_1', `lot_new${n}`]);
    const have = source?.quantity ?? q(1000, 1);
    const amount = (): Quantity => {
      const over = r() < 0.1 ? 1 : 0;
      return q(Math.floor(r() * have.grams) + over, Math.floor(r() * (have.cartons + 1)) + (r() < 0.05 ? 1 : 0));
    };
    switch (kind) {
      case 'declare':
      case 'transform_out':
        return {
          kind,
          lotId: `lot_new${n}`,
          to: place(),
          quantity: q(1 + Math.floor(r() * 50_000), Math.floor(r() * 100)),
        };
      case 'ship':
        return { kind, lotId, from, to: place(), quantity: amount(), shipmentId: `shp_${n}` };
      case 'receive': {
        const open = [...h.inTransit.values()];
        const s = open.length > 0 ? pick(open) : undefined;
        if (s === undefined) return { kind, lotId, to: place(), quantity: ZERO, shipmentId: 'shp_none' };
        const short = r() < 0.3;
        const got = short
          ? q(Math.floor(r() * s.quantity.grams), Math.floor(r() * (s.quantity.cartons + 1)))
          : r() < 0.05
            ? add(s.quantity, q(1, 0))
            : s.quantity;
        return {
          kind,
          lotId: s.lotId,
          to: { partyId: s.to.partyId, locationId: pick(LOCS) },
          quantity: got,
          shipmentId: s.shipmentId,
        };
      }
      case 'store_in':
      case 'store_out':
        return { kind, lotId, from, to: place(from.partyId), quantity: amount() };
      case 'sell':
        return { kind, lotId, from, to: place(), quantity: amount() };
      default:
        return { kind, lotId, from, quantity: amount() };
    }
  }

  /** checkInvariants returns the first broken invariant, or undefined; plain code, because it runs after every step. */
  function brokenInvariant(h: Holdings): string | undefined {
    for (const x of h.held.values()) {
      const { grams, cartons } = x.quantity;
      if (grams < 0 || cartons < 0 || grams + cartons === 0) return `bad holding ${JSON.stringify(x)}`;
    }
    const lots = new Set([...h.introduced.keys(), ...[...h.held.values()].map((x) => x.lotId)]);
    for (const lot of lots) {
      const total = sumBalance(h, lot);
      const introduced = lotBalance(h, lot).introduced;
      if (total.grams !== introduced.grams || total.cartons !== introduced.cartons) {
        return `${lot} not conserved: ${JSON.stringify(lotBalance(h, lot))}`;
      }
    }
    return undefined;
  }

  it.each(Array.from({ length: 40 }, (_, i) => i + 1))(
    'seed %i: never negative, and every lot is conserved',
    (seed) => {
      const r = rng(seed);
      let h = EMPTY_HOLDINGS;
      let accepted = 0;
      let overspends = 0;
      for (let n = 0; n < 300; n++) {
        const m = randomMovement(r, h, n);
        const res = applyMovement(h, m);
        if (!res.ok && res.refusal.code === 'InsufficientQuantity') overspends++;
        if (res.ok) {
          h = res.holdings;
          accepted++;
          const broken = brokenInvariant(h);
          if (broken !== undefined) expect.fail(`seed ${seed}, step ${n}: ${broken}`);
        }
      }
      // The generator is useless if it only produces refusals, or never tries to overspend.
      expect(accepted).toBeGreaterThan(100);
      expect(overspends).toBeGreaterThan(0);
    },
  );

  it('folding the accepted movements with holdingsOf gives the same holdings as applying them one by one', () => {
    const r = rng(99);
    let h = EMPTY_HOLDINGS;
    const accepted: Movement[] = [];
    for (let n = 0; n < 300; n++) {
      const m = randomMovement(r, h, n);
      const res = applyMovement(h, m);
      if (res.ok) {
        h = res.holdings;
        accepted.push(m);
      }
    }
    expect(fold(accepted)).toEqual(h);
  });
});
