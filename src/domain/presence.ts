/**
 * Presence: when each lot was at each place, from the custody facts and their event times. Every fact that puts goods
 * into a place or takes them out of it is a move, and a lot was at a place during a period when some of it was there
 * at the period's start, or when any of it came or went during the period. Pure: the caller reads the moves, and
 * presenceMoves is the one definition of the moves a log record stands for (the projection and the migration that
 * backfilled it both call it).
 */

/** PresenceMove is one quantity of a lot coming into (in) or going out of (out) a party's place at an event time. */
export type PresenceMove = {
  readonly lotId: string;
  readonly partyId: string;
  readonly locationId: string;
  readonly direction: 'in' | 'out';
  readonly grams: number;
  readonly cartons: number;
  readonly at: number;
};

type Rec = Readonly<Record<string, unknown>>;

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

function move(
  direction: 'in' | 'out',
  lotId: unknown,
  partyId: unknown,
  locationId: unknown,
  grams: unknown,
  cartons: unknown,
  at: unknown,
): PresenceMove[] {
  // Goods at no filed place (a dock, a counter, the port) have no presence to record.
  if (typeof locationId !== 'string' || locationId === '' || typeof lotId !== 'string' || typeof partyId !== 'string')
    return [];
  const t = num(at);
  if (t === null) return [];
  return [{ lotId, partyId, locationId, direction, grams: num(grams) ?? 0, cartons: num(cartons) ?? 0, at: t }];
}

/**
 * presenceMoves returns the moves a custody record of the given entry type stands for, in a fixed order: departures
 * and receipts (a handed-over sale is both), transfers between a holder's places, disposals, sales to consumers and
 * the lots a transformation consumed and made. Other entries have none.
 */
export function presenceMoves(type: string, r: Rec): PresenceMove[] {
  const s = r.shipment as Rec | undefined;
  switch (type) {
    case 'shipment.departed':
      return move('out', s?.lotId, s?.fromPartyId, s?.fromLocationId, s?.grams, s?.cartons, s?.departedAt);
    case 'shipment.received':
      return move('in', s?.lotId, s?.toPartyId, s?.toLocationId, s?.receivedGrams, s?.receivedCartons, s?.receivedAt);
    case 'sale.handed_over':
      return [
        ...move('out', s?.lotId, s?.fromPartyId, s?.fromLocationId, s?.grams, s?.cartons, s?.departedAt),
        ...move('in', s?.lotId, s?.toPartyId, s?.toLocationId, s?.receivedGrams, s?.receivedCartons, s?.receivedAt),
      ];
    case 'holding.transferred': {
      const t = r.transfer as Rec | undefined;
      const partyId = ((r.holdings as Rec[] | undefined) ?? [])[0]?.partyId;
      return [
        ...move('out', t?.lotId, partyId, t?.fromLocationId, t?.grams, t?.cartons, t?.at),
        ...move('in', t?.lotId, partyId, t?.toLocationId, t?.grams, t?.cartons, t?.at),
      ];
    }
    case 'holding.disposed': {
      const d = r.disposal as Rec | undefined;
      return move('out', d?.lotId, d?.partyId, d?.locationId, d?.grams, d?.cartons, d?.at);
    }
    case 'retail.sold': {
      const x = r.retailSale as Rec | undefined;
      return move('out', x?.lotId, x?.partyId, x?.locationId, x?.grams, x?.cartons, x?.soldAt);
    }
    case 'lot.transformed': {
      const t = r.transformation as Rec | undefined;
      return ((r.transformationLots as Rec[] | undefined) ?? []).flatMap((l) =>
        move(l.role === 'input' ? 'out' : 'in', l.lotId, t?.partyId, l.locationId, l.grams, l.cartons, t?.at),
      );
    }
    default:
      return [];
  }
}

/**
 * lotsPresent returns, sorted, the lots that were at a place at some time in [from, to], given every move there up
 * to `to`: some of the lot was there at `from` (more came in than went out by then), or some came or went during
 * the period. A lot that left before `from` and a lot that came after `to` are not present.
 */
export function lotsPresent(moves: readonly PresenceMove[], from: number, to: number): string[] {
  const before = new Map<string, { grams: number; cartons: number }>();
  const during = new Set<string>();
  for (const m of moves) {
    if (m.at > to) continue;
    if (m.at >= from) {
      during.add(m.lotId);
      continue;
    }
    const sign = m.direction === 'in' ? 1 : -1;
    const b = before.get(m.lotId) ?? { grams: 0, cartons: 0 };
    before.set(m.lotId, { grams: b.grams + sign * m.grams, cartons: b.cartons + sign * m.cartons });
  }
  for (const [lotId, b] of before) if (b.grams > 0 || b.cartons > 0) during.add(lotId);
  return [...during].sort();
}
