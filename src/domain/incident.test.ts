import { describe, expect, it } from 'vitest';
import type { Affected, RecordedAction, Touch } from './incident.ts';
import { accounting, contactsOf, packParts, tally, touchWindow } from './incident.ts';

const held = (holdingId: string, partyId: string, region: string, grams: number, cartons: number): Affected => ({
  holdingId,
  lotId: holdingId.split('|')[0]!,
  partyId,
  locationId: null,
  region,
  grams,
  cartons,
});
const act = (holdingId: string, grams: number, cartons: number, status: RecordedAction['status']): RecordedAction => ({
  holdingId,
  grams,
  cartons,
  status,
});

describe('tally', () => {
  it('counts accepted and approved actions, holds pending ones apart, and ignores rejected ones', () => {
    const t = tally({ grams: 10_000, cartons: 10 }, [
      act('h', 2_000, 2, 'accepted'),
      act('h', 3_000, 3, 'approved'),
      act('h', 1_000, 1, 'pending_approval'),
      act('h', 4_000, 4, 'rejected'),
    ]);
    expect(t).toEqual({
      affectedGrams: 10_000,
      accountedGrams: 5_000,
      pendingGrams: 1_000,
      outstandingGrams: 5_000,
      affectedCartons: 10,
      accountedCartons: 5,
      outstandingCartons: 5,
    });
  });

  it('never lets outstanding go below zero', () => {
    const t = tally({ grams: 1_000, cartons: 1 }, [act('h', 800, 1, 'accepted'), act('h', 800, 1, 'accepted')]);
    expect(t.outstandingGrams).toBe(0);
    expect(t.accountedGrams).toBe(1_000);
    expect(t.outstandingCartons).toBe(0);
  });
});

describe('accounting', () => {
  it('sums per holder, per region and in total', () => {
    const affected = [
      held('a|p1|-', 'p1', '410000', 5_000, 5),
      held('b|p1|-', 'p1', '410000', 1_000, 1),
      held('a|p2|-', 'p2', '320000', 4_000, 4),
    ];
    const r = accounting(affected, [act('a|p1|-', 5_000, 5, 'accepted'), act('a|p2|-', 1_000, 1, 'pending_approval')]);
    expect(r.byParty.map((p) => [p.partyId, p.outstandingGrams])).toEqual([
      ['p1', 1_000],
      ['p2', 4_000],
    ]);
    expect(r.byRegion.map((p) => [p.region, p.accountedGrams, p.pendingGrams])).toEqual([
      ['320000', 0, 1_000],
      ['410000', 5_000, 0],
    ]);
    expect(r.total).toMatchObject({
      affectedGrams: 10_000,
      accountedGrams: 5_000,
      outstandingGrams: 5_000,
      pendingGrams: 1_000,
    });
  });

  it('is all accounted for exactly when every row is', () => {
    const affected = [held('a|p1|-', 'p1', '410000', 5_000, 5)];
    expect(accounting(affected, [act('a|p1|-', 4_999, 5, 'accepted')]).total.outstandingGrams).toBe(1);
    expect(
      accounting(affected, [act('a|p1|-', 4_999, 5, 'accepted'), act('a|p1|-', 1, 0, 'accepted')]).total
        .outstandingGrams,
    ).toBe(0);
  });

  it("counts an action only at its own holding: one holder's approved retest accounts for none of the others'", () => {
    const affected = [
      held('lot|super|-', 'super', '440000', 567_500, 44),
      held('lot|importer|-', 'importer', '410000', 4_400_000, 339),
      held('lot|store|loc', 'store', '320000', 8_000_000, 617),
    ];
    const r = accounting(affected, [
      act('lot|super|-', 567_500, 44, 'approved'),
      act('lot|gone|-', 1_000_000, 1, 'approved'),
    ]);
    expect(r.rows.map((x) => [x.holdingId, x.outstandingGrams])).toEqual([
      ['lot|super|-', 0],
      ['lot|importer|-', 4_400_000],
      ['lot|store|loc', 8_000_000],
    ]);
    expect(r.total.outstandingGrams).toBe(12_400_000);
  });
});

describe('contactsOf', () => {
  const t = (kind: Touch['kind'], refId: string, at: number, lotId: string): Touch => ({
    kind,
    refId,
    label: refId.toUpperCase(),
    partyId: null,
    at,
    lotId,
  });

  it('folds touches into one contact per thing with its first and last time and lots, inside the window only', () => {
    const c = contactsOf(
      [
        t('driver', 'w1', 50, 'l2'),
        t('vehicle', 'v1', 10, 'l1'),
        t('vehicle', 'v1', 30, 'l2'),
        t('vehicle', 'v1', 20, 'l1'),
        t('vehicle', 'v2', 500, 'l1'),
      ],
      0,
      100,
    );
    expect(c).toEqual([
      { kind: 'vehicle', refId: 'v1', label: 'V1', partyId: null, firstAt: 10, lastAt: 30, lotIds: ['l1', 'l2'] },
      { kind: 'driver', refId: 'w1', label: 'W1', partyId: null, firstAt: 50, lastAt: 50, lotIds: ['l2'] },
    ]);
  });
});

describe('packParts', () => {
  it('keeps every row, in order, and each record within the budget', () => {
    const rows = Array.from({ length: 500 }, (_, i) => ({ id: `row-${i}`, pad: 'x'.repeat(100) }));
    const packed = packParts({ a: rows.slice(0, 300), b: rows.slice(300) }, 10_000, 2_000);
    expect(packed.length).toBeGreaterThan(5);
    expect(packed.flatMap((p) => [...(p.a ?? []), ...(p.b ?? [])])).toEqual(rows);
    for (const [i, p] of packed.entries())
      expect(JSON.stringify(p).length + (i === 0 ? 2_000 : 0)).toBeLessThanOrEqual(10_000);
  });

  it('gives one empty record for nothing, and a row above the budget a record of its own', () => {
    expect(packParts({ a: [] }, 100)).toEqual([{}]);
    const big = { pad: 'y'.repeat(500) };
    expect(packParts({ a: [{ n: 1 }, big, { n: 2 }] }, 100)).toEqual([
      { a: [{ n: 1 }] },
      { a: [big] },
      { a: [{ n: 2 }] },
    ]);
  });
});

describe('touchWindow', () => {
  it('runs from the earliest touch or start to the later of now and the latest touch', () => {
    expect(touchWindow([{ at: 50 }, { at: 20 }, { at: 130 }], [40], 100)).toEqual({ from: 20, to: 130 });
    expect(touchWindow([], [40, 60], 100)).toEqual({ from: 40, to: 100 });
    expect(touchWindow([{ at: 90 }], [], 100)).toEqual({ from: 90, to: 100 });
  });
});
