import { describe, expect, it } from 'vitest';
import type { PresenceMove } from './presence.ts';
import { lotsPresent, presenceMoves } from './presence.ts';

const m = (lotId: string, direction: 'in' | 'out', at: number, grams = 1000): PresenceMove => ({
  lotId,
  partyId: 'p',
  locationId: 'loc',
  direction,
  grams,
  cartons: 1,
  at,
});

describe('lotsPresent', () => {
  const moves = [
    m('there-throughout', 'in', 0),
    m('came-late', 'in', 150),
    m('left-during', 'in', 10),
    m('left-during', 'out', 120),
    m('left-before', 'in', 10),
    m('left-before', 'out', 90),
    m('came-after', 'in', 250),
    m('part-left', 'in', 0, 2000),
    m('part-left', 'out', 50, 1000),
  ];
  it('lists lots there at the start, those that came or went during the period, and no others', () => {
    expect(lotsPresent(moves, 100, 200)).toEqual(['came-late', 'left-during', 'part-left', 'there-throughout']);
  });
});

describe('presenceMoves', () => {
  it('reads a transfer as an out and an in at the event time, and skips places that are not filed', () => {
    const record = {
      transfer: { lotId: 'l', fromLocationId: null, toLocationId: 'cold', grams: 5, cartons: 1, at: 7 },
      holdings: [{ partyId: 'p' }],
    };
    expect(presenceMoves('holding.transferred', record)).toEqual([
      { lotId: 'l', partyId: 'p', locationId: 'cold', direction: 'in', grams: 5, cartons: 1, at: 7 },
    ]);
    expect(presenceMoves('lot.declared', record)).toEqual([]);
  });
});
