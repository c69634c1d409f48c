/**
 * Holdings: how much of each lot each holder has at each location, folded from a ledger of movements. Pure: the caller
 * loads the ledger, and applyMovement says whether one more movement is allowed and what the holdings become.
 *
 * Quantities are whole grams and whole cartons (the API shows kg). Every movement that takes goods from a holder is
 * checked on both, so neither can go negative. Goods are conserved: for every lot, what was declared or produced
 * equals what is held, plus what is in transit, plus what was consumed by a transformation, sold to consumers,
 * disposed of, or lost in transit (the shortfall of short receipts). lotBalance gives those figures.
 */

/** A quantity of goods: whole grams and whole cartons, both non-negative. A loose-weight sale takes 0 cartons. */
export type Quantity = { readonly grams: number; readonly cartons: number };

/** Where goods are: a party and one of its locations, or null when it has no filed location (a dock, a counter). */
export type Place = { readonly partyId: string; readonly locationId: string | null };

export const MOVEMENT_KINDS = [
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
] as const;
export type MovementKind = (typeof MOVEMENT_KINDS)[number];

/**
 * One custody fact about one lot. Which places a kind needs:
 *
 * - declare (an imported lot enters) and transform_out (a transformation makes a new lot): `to`. Each lot is brought
 *   into being once, by one of them.
 * - ship: `from`, `to` (the consignee) and a new `shipmentId`. The goods leave `from` at once and are in transit.
 * - receive: `shipmentId` and `to`, whose party must be the consignee (the location may differ from the one announced).
 *   One receipt closes the shipment. It may be short: the shortfall is recorded against the shipment as a
 *   Discrepancy and never reaches the receiver. It may not be over: goods cannot come from nowhere.
 * - store_in, store_out: `from` and `to` of the same party: goods move between its locations, or between a location
 *   and none (the dock).
 * - sell: `from` and `to`: a handover to a buyer (retailer or restaurant) who collects on the spot. A sale that is
 *   delivered is recorded as a ship to the buyer and its receive instead, so the goods are in transit on the way.
 * - retail_sale (to consumers), transform_in (consumed to make other lots), dispose (destroyed or returned abroad):
 *   `from` only. The goods leave the chain.
 */
export type Movement = {
  readonly kind: MovementKind;
  readonly lotId: string;
  readonly from?: Place;
  readonly to?: Place;
  readonly quantity: Quantity;
  readonly shipmentId?: string;
  /** When it happened (epoch ms); kept for the caller, not used by the rules. */
  readonly at?: number;
};

/** What one holder has of one lot at one location. */
export type Holding = {
  readonly lotId: string;
  readonly holderPartyId: string;
  readonly locationId: string | null;
  readonly quantity: Quantity;
};

/** A shipment that has left its sender and not yet been received. */
export type Shipment = {
  readonly shipmentId: string;
  readonly lotId: string;
  readonly from: Place;
  readonly to: Place;
  readonly quantity: Quantity;
};

/** A short receipt: what was shipped, what arrived, and the shortfall, which stays attributable to the shipment. */
export type Discrepancy = {
  readonly shipmentId: string;
  readonly lotId: string;
  readonly from: Place;
  readonly to: Place;
  readonly shipped: Quantity;
  readonly received: Quantity;
  readonly missing: Quantity;
};

/** Where all of one lot came from and went. `introduced` = held + inTransit + consumed + sold + disposed + lostInTransit. */
export type LotBalance = {
  readonly introduced: Quantity;
  readonly held: Quantity;
  readonly inTransit: Quantity;
  readonly consumed: Quantity;
  readonly sold: Quantity;
  readonly disposed: Quantity;
  readonly lostInTransit: Quantity;
};

type Sink = 'consumed' | 'sold' | 'disposed' | 'lostInTransit';

/** Holdings are immutable: applyMovement returns a new value and leaves the old one as it was. */
export type Holdings = {
  readonly held: ReadonlyMap<string, Holding>;
  readonly inTransit: ReadonlyMap<string, Shipment>;
  /** Every shipment id ever used, received or not: an id is never reused. */
  readonly shipmentIds: ReadonlySet<string>;
  readonly discrepancies: readonly Discrepancy[];
  readonly introduced: ReadonlyMap<string, Quantity>;
  readonly sinks: ReadonlyMap<string, Readonly<Record<Sink, Quantity>>>;
};

/**
 * Why a movement is refused. `InsufficientQuantity` names the holding and both quantities; the others name the
 * field of the movement at fault (or the shipment) and say why in a short English phrase.
 */
export type HoldingsRefusal =
  | {
      readonly code: 'InsufficientQuantity';
      readonly lotId: string;
      readonly holderPartyId: string;
      readonly locationId: string | null;
      readonly held: Quantity;
      readonly requested: Quantity;
    }
  | { readonly code: 'InvalidMovement'; readonly field: string; readonly reason: string }
  | { readonly code: 'LotAlreadyExists'; readonly lotId: string }
  | { readonly code: 'ShipmentNotInTransit'; readonly shipmentId: string }
  | {
      readonly code: 'ReceiptExceedsShipment';
      readonly shipmentId: string;
      readonly shipped: Quantity;
      readonly received: Quantity;
    };

export type HoldingsResult =
  { readonly ok: true; readonly holdings: Holdings } | { readonly ok: false; readonly refusal: HoldingsRefusal };

export const ZERO: Quantity = Object.freeze({ grams: 0, cartons: 0 });

export const EMPTY_HOLDINGS: Holdings = Object.freeze({
  held: new Map(),
  inTransit: new Map(),
  shipmentIds: new Set<string>(),
  discrepancies: [],
  introduced: new Map(),
  sinks: new Map(),
});

/** add returns a + b. */
export function add(a: Quantity, b: Quantity): Quantity {
  return { grams: a.grams + b.grams, cartons: a.cartons + b.cartons };
}

/** subtract returns a − b; the caller makes sure that covers b (see covers). */
export function subtract(a: Quantity, b: Quantity): Quantity {
  return { grams: a.grams - b.grams, cartons: a.cartons - b.cartons };
}

/** covers tells whether `have` is at least `need` in grams and in cartons both. */
export function covers(have: Quantity, need: Quantity): boolean {
  return have.grams >= need.grams && have.cartons >= need.cartons;
}

/**
 * receiptDiscrepancy compares what was shipped with what was received and returns what is missing and what is extra,
 * each non-negative, or null when they agree. Grams and cartons are compared apart, so a receipt with more cartons but
 * fewer grams (say, a mislabelled carton) shows both.
 */
export function receiptDiscrepancy(
  shipped: Quantity,
  received: Quantity,
): { missing: Quantity; extra: Quantity } | null {
  if (shipped.grams === received.grams && shipped.cartons === received.cartons) return null;
  return {
    missing: {
      grams: Math.max(0, shipped.grams - received.grams),
      cartons: Math.max(0, shipped.cartons - received.cartons),
    },
    extra: {
      grams: Math.max(0, received.grams - shipped.grams),
      cartons: Math.max(0, received.cartons - shipped.cartons),
    },
  };
}

/** holdingKey is the map key of one (lot, holder, location). */
export function holdingKey(lotId: string, place: Place): string {
  return JSON.stringify([lotId, place.partyId, place.locationId]);
}

/** heldAt returns what `place` holds of the lot, ZERO when nothing. */
export function heldAt(h: Holdings, lotId: string, place: Place): Quantity {
  return h.held.get(holdingKey(lotId, place))?.quantity ?? ZERO;
}

/** holdersOf lists every non-empty holding of the lot: who holds it now, and where. */
export function holdersOf(h: Holdings, lotId: string): Holding[] {
  return [...h.held.values()].filter((x) => x.lotId === lotId);
}

/**
 * inTransit lists the shipments not yet received, optionally only those of one lot, or those a party sent or is to
 * receive.
 */
export function inTransit(h: Holdings, filter: { lotId?: string; partyId?: string } = {}): Shipment[] {
  return [...h.inTransit.values()].filter(
    (s) =>
      (filter.lotId === undefined || s.lotId === filter.lotId) &&
      (filter.partyId === undefined || s.from.partyId === filter.partyId || s.to.partyId === filter.partyId),
  );
}

/** lotBalance returns where all of one lot came from and went; see LotBalance for the equation it always satisfies. */
export function lotBalance(h: Holdings, lotId: string): LotBalance {
  const sum = (qs: Iterable<Quantity>): Quantity => [...qs].reduce(add, ZERO);
  const sinks = h.sinks.get(lotId);
  return {
    introduced: h.introduced.get(lotId) ?? ZERO,
    held: sum(holdersOf(h, lotId).map((x) => x.quantity)),
    inTransit: sum(inTransit(h, { lotId }).map((s) => s.quantity)),
    consumed: sinks?.consumed ?? ZERO,
    sold: sinks?.sold ?? ZERO,
    disposed: sinks?.disposed ?? ZERO,
    lostInTransit: sinks?.lostInTransit ?? ZERO,
  };
}

/**
 * applyMovement checks one movement against the holdings and returns the holdings after it, or why it is refused.
 * The holdings given are never changed. The rules are those of Movement; on top of them, every quantity is whole and
 * non-negative, only a receipt may be zero (the whole shipment lost), and no holder gives more than it holds at that
 * location in grams or in cartons. It copies the holdings, so it costs time in proportion to their size: give it the
 * holdings of the lots concerned, and fold whole ledgers with holdingsOf. Two writers that each check against the same
 * holdings can together overspend: the caller serialises the movements of a lot (one transaction, the lot row locked)
 * and checks against holdings read inside it.
 */
export function applyMovement(holdings: Holdings, movement: Movement): HoldingsResult {
  const state = thaw(holdings);
  const refusal = applyInPlace(state, movement);
  return refusal === undefined ? { ok: true, holdings: freeze(state) } : { ok: false, refusal };
}

/**
 * holdingsOf folds a ledger, in order, from empty holdings (or `start`). It stops at the first refused movement and
 * says which one it was, by index, and why.
 */
export function holdingsOf(
  movements: readonly Movement[],
  start: Holdings = EMPTY_HOLDINGS,
): { ok: true; holdings: Holdings } | { ok: false; index: number; refusal: HoldingsRefusal } {
  const state = thaw(start);
  for (const [index, m] of movements.entries()) {
    const refusal = applyInPlace(state, m);
    if (refusal !== undefined) return { ok: false, index, refusal };
  }
  return { ok: true, holdings: freeze(state) };
}

type State = {
  held: Map<string, Holding>;
  inTransit: Map<string, Shipment>;
  shipmentIds: Set<string>;
  discrepancies: Discrepancy[];
  introduced: Map<string, Quantity>;
  sinks: Map<string, Readonly<Record<Sink, Quantity>>>;
};

function thaw(h: Holdings): State {
  return {
    held: new Map(h.held),
    inTransit: new Map(h.inTransit),
    shipmentIds: new Set(h.shipmentIds),
    discrepancies: [...h.discrepancies],
    introduced: new Map(h.introduced),
    sinks: new Map(h.sinks),
  };
}

function freeze(s: State): Holdings {
  return Object.freeze({ ...s, discrepancies: Object.freeze(s.discrepancies) });
}

const SINK_OF: Partial<Record<MovementKind, Sink>> = {
  retail_sale: 'sold',
  transform_in: 'consumed',
  dispose: 'disposed',
};

/** applyInPlace validates everything first and changes `s` only when it returns undefined (no refusal). */
function applyInPlace(s: State, m: Movement): HoldingsRefusal | undefined {
  const invalid = (field: string, reason: string): HoldingsRefusal => ({ code: 'InvalidMovement', field, reason });
  if (!(MOVEMENT_KINDS as readonly string[]).includes(m.kind))
    return invalid('kind', `unknown kind '${String(m.kind)}'`);
  if (typeof m.lotId !== 'string' || m.lotId === '') return invalid('lotId', 'must be a non-empty string');
  const qReason = quantityReason(m.quantity, m.kind === 'receive');
  if (qReason !== undefined) return invalid('quantity', qReason);
  const needs = PLACES[m.kind];
  for (const side of ['from', 'to'] as const) {
    const p = m[side];
    if (needs[side] && p === undefined) return invalid(side, `a ${m.kind} needs '${side}'`);
    if (!needs[side] && p !== undefined) return invalid(side, `a ${m.kind} takes no '${side}'`);
    if (p !== undefined && !isPlace(p))
      return invalid(side, 'must be { partyId, locationId } with a non-empty partyId');
  }
  const { from, to } = m;

  switch (m.kind) {
    case 'declare':
    case 'transform_out': {
      if (s.introduced.has(m.lotId)) return { code: 'LotAlreadyExists', lotId: m.lotId };
      s.introduced.set(m.lotId, m.quantity);
      credit(s, m.lotId, to as Place, m.quantity);
      return undefined;
    }
    case 'ship': {
      const id = m.shipmentId;
      if (typeof id !== 'string' || id === '') return invalid('shipmentId', 'a ship needs a shipmentId');
      if (s.shipmentIds.has(id)) return invalid('shipmentId', `shipment ${id} is already recorded`);
      const short = debitRefusal(s, m.lotId, from as Place, m.quantity);
      if (short !== undefined) return short;
      debit(s, m.lotId, from as Place, m.quantity);
      s.shipmentIds.add(id);
      s.inTransit.set(id, {
        shipmentId: id,
        lotId: m.lotId,
        from: from as Place,
        to: to as Place,
        quantity: m.quantity,
      });
      return undefined;
    }
    case 'receive': {
      const id = m.shipmentId ?? '';
      const shipment = s.inTransit.get(id);
      if (shipment === undefined) return { code: 'ShipmentNotInTransit', shipmentId: id };
      if (shipment.lotId !== m.lotId) return invalid('lotId', `shipment ${id} carries lot ${shipment.lotId}`);
      if (shipment.to.partyId !== (to as Place).partyId)
        return invalid('to', `shipment ${id} is for party ${shipment.to.partyId}`);
      const diff = receiptDiscrepancy(shipment.quantity, m.quantity);
      if (diff !== null && (diff.extra.grams > 0 || diff.extra.cartons > 0)) {
        return { code: 'ReceiptExceedsShipment', shipmentId: id, shipped: shipment.quantity, received: m.quantity };
      }
      s.inTransit.delete(id);
      if (m.quantity.grams > 0 || m.quantity.cartons > 0) credit(s, m.lotId, to as Place, m.quantity);
      if (diff !== null) {
        const { shipmentId, lotId, from: sender } = shipment;
        s.discrepancies.push({
          shipmentId,
          lotId,
          from: sender,
          to: to as Place,
          shipped: shipment.quantity,
          received: m.quantity,
          missing: diff.missing,
        });
        sink(s, m.lotId, 'lostInTransit', diff.missing);
      }
      return undefined;
    }
    case 'store_in':
    case 'store_out':
    case 'sell': {
      if (m.kind !== 'sell' && (from as Place).partyId !== (to as Place).partyId) {
        return invalid('to', `a ${m.kind} stays with one party; use ship or sell to hand goods to another`);
      }
      const short = debitRefusal(s, m.lotId, from as Place, m.quantity);
      if (short !== undefined) return short;
      debit(s, m.lotId, from as Place, m.quantity);
      credit(s, m.lotId, to as Place, m.quantity);
      return undefined;
    }
    case 'retail_sale':
    case 'transform_in':
    case 'dispose': {
      const short = debitRefusal(s, m.lotId, from as Place, m.quantity);
      if (short !== undefined) return short;
      debit(s, m.lotId, from as Place, m.quantity);
      sink(s, m.lotId, SINK_OF[m.kind] as Sink, m.quantity);
      return undefined;
    }
  }
}

const PLACES: Readonly<Record<MovementKind, { from: boolean; to: boolean }>> = {
  declare: { from: false, to: true },
  transform_out: { from: false, to: true },
  ship: { from: true, to: true },
  receive: { from: false, to: true },
  store_in: { from: true, to: true },
  store_out: { from: true, to: true },
  sell: { from: true, to: true },
  retail_sale: { from: true, to: false },
  transform_in: { from: true, to: false },
  dispose: { from: true, to: false },
};

function quantityReason(q: Quantity | undefined, zeroAllowed: boolean): string | undefined {
  if (typeof q !== 'object' || q === null) return 'must be { grams, cartons }';
  for (const k of ['grams', 'cartons'] as const) {
    if (!Number.isSafeInteger(q[k]) || q[k] < 0) return `${k} must be a whole number, 0 or more`;
  }
  if (!zeroAllowed && q.grams === 0 && q.cartons === 0) return 'must not be zero';
  return undefined;
}

function isPlace(p: Place): boolean {
  return (
    typeof p === 'object' &&
    p !== null &&
    typeof p.partyId === 'string' &&
    p.partyId !== '' &&
    (p.locationId === null || (typeof p.locationId === 'string' && p.locationId !== ''))
  );
}

function debitRefusal(s: State, lotId: string, from: Place, q: Quantity): HoldingsRefusal | undefined {
  const held = s.held.get(holdingKey(lotId, from))?.quantity ?? ZERO;
  if (covers(held, q)) return undefined;
  return {
    code: 'InsufficientQuantity',
    lotId,
    holderPartyId: from.partyId,
    locationId: from.locationId,
    held,
    requested: q,
  };
}

function debit(s: State, lotId: string, from: Place, q: Quantity): void {
  const key = holdingKey(lotId, from);
  const left = subtract(s.held.get(key)?.quantity ?? ZERO, q);
  // An emptied holding is dropped, so holdersOf names only those who still hold something.
  if (left.grams === 0 && left.cartons === 0) s.held.delete(key);
  else s.held.set(key, { lotId, holderPartyId: from.partyId, locationId: from.locationId, quantity: left });
}

function credit(s: State, lotId: string, to: Place, q: Quantity): void {
  const key = holdingKey(lotId, to);
  const now = add(s.held.get(key)?.quantity ?? ZERO, q);
  s.held.set(key, { lotId, holderPartyId: to.partyId, locationId: to.locationId, quantity: now });
}

function sink(s: State, lotId: string, which: Sink, q: Quantity): void {
  const cur = s.sinks.get(lotId) ?? { consumed: ZERO, sold: ZERO, disposed: ZERO, lostInTransit: ZERO };
  s.sinks.set(lotId, { ...cur, [which]: add(cur[which], q) });
}
