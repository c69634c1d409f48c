/**
 * The arithmetic of an incident, pure: which quantities each holder must account for, how much of each is accounted
 * for by what the holders did, what touched the goods, and how an incident's records are packed into log entries.
 * The caller gathers the facts from the store.
 */

/** What a holder may have done with a quantity of affected goods. */
export const INCIDENT_ACTIONS = ['sealed', 'destroyed', 'returned', 'retested_negative'] as const;
export type IncidentAction = (typeof INCIDENT_ACTIONS)[number];

/**
 * ACTION_NEEDS_APPROVAL: a negative retest accounts for goods only once a regulator approves it; sealing, destroying
 * and returning count as soon as they are recorded.
 */
export const ACTION_NEEDS_APPROVAL: Readonly<Record<IncidentAction, boolean>> = {
  sealed: false,
  destroyed: false,
  returned: false,
  retested_negative: true,
};

export type ActionStatus = 'accepted' | 'pending_approval' | 'approved' | 'rejected';

/**
 * IncidentScope says which lots besides the root lots' descendants an incident takes in: the imported lots the roots
 * were made from (a positive sample at a market implicates its whole import batch), the lots that came in the same
 * container, and the lots of the same producer with the same production date.
 */
export type IncidentScope = {
  readonly sourceLots: boolean;
  readonly sameContainer: boolean;
  readonly sameProducerDate: boolean;
};

export const DEFAULT_INCIDENT_SCOPE: IncidentScope = Object.freeze({
  sourceLots: true,
  sameContainer: true,
  sameProducerDate: false,
});

/** Why a lot is in an incident, from the strongest tie to the weakest. */
export const LOT_REASONS = ['root', 'source', 'same_container', 'same_producer_date', 'descendant'] as const;
export type LotReason = (typeof LOT_REASONS)[number];

/** An affected quantity: a holding (or goods in transit to it) at the moment the incident opened. */
export type Affected = {
  readonly holdingId: string;
  readonly lotId: string;
  readonly partyId: string;
  readonly locationId: string | null;
  readonly region: string;
  readonly grams: number;
  readonly cartons: number;
};

export type RecordedAction = {
  readonly holdingId: string;
  readonly grams: number;
  readonly cartons: number;
  readonly status: ActionStatus;
};

export type Tally = {
  readonly affectedGrams: number;
  readonly accountedGrams: number;
  readonly pendingGrams: number;
  readonly outstandingGrams: number;
  readonly affectedCartons: number;
  readonly accountedCartons: number;
  readonly outstandingCartons: number;
};

const counts = (s: ActionStatus) => s === 'accepted' || s === 'approved';

/**
 * tally adds up one affected quantity against the actions recorded on it. An action counts when accepted or approved;
 * one awaiting approval is pending; a rejected one does not count. Accounted never exceeds affected, so outstanding is
 * never negative.
 */
export function tally(a: Pick<Affected, 'grams' | 'cartons'>, actions: readonly RecordedAction[]): Tally {
  const sum = (f: (x: RecordedAction) => boolean, k: 'grams' | 'cartons') =>
    actions.filter(f).reduce((n, x) => n + x[k], 0);
  const accountedGrams = Math.min(
    a.grams,
    sum((x) => counts(x.status), 'grams'),
  );
  const accountedCartons = Math.min(
    a.cartons,
    sum((x) => counts(x.status), 'cartons'),
  );
  return {
    affectedGrams: a.grams,
    accountedGrams,
    pendingGrams: Math.min(
      a.grams - accountedGrams,
      sum((x) => x.status === 'pending_approval', 'grams'),
    ),
    outstandingGrams: a.grams - accountedGrams,
    affectedCartons: a.cartons,
    accountedCartons,
    outstandingCartons: a.cartons - accountedCartons,
  };
}

const add = (x: Tally, y: Tally): Tally => ({
  affectedGrams: x.affectedGrams + y.affectedGrams,
  accountedGrams: x.accountedGrams + y.accountedGrams,
  pendingGrams: x.pendingGrams + y.pendingGrams,
  outstandingGrams: x.outstandingGrams + y.outstandingGrams,
  affectedCartons: x.affectedCartons + y.affectedCartons,
  accountedCartons: x.accountedCartons + y.accountedCartons,
  outstandingCartons: x.outstandingCartons + y.outstandingCartons,
});

const ZERO: Tally = {
  affectedGrams: 0,
  accountedGrams: 0,
  pendingGrams: 0,
  outstandingGrams: 0,
  affectedCartons: 0,
  accountedCartons: 0,
  outstandingCartons: 0,
};

/**
 * accounting tallies every affected quantity and sums the tallies per holder, per region and in total. An action
 * counts only at its own holding: a decision on one holder's action accounts for that holding alone, never for other
 * holders of the same lot, and an action on no affected holding counts nowhere. Holders and regions are listed in id
 * order, so two calls over the same facts give the same answer.
 */
export function accounting<A extends Affected>(affected: readonly A[], actions: readonly RecordedAction[]) {
  const byHolding = new Map<string, RecordedAction[]>();
  for (const a of actions) byHolding.set(a.holdingId, [...(byHolding.get(a.holdingId) ?? []), a]);
  const rows = affected.map((a) => ({ ...a, ...tally(a, byHolding.get(a.holdingId) ?? []) }));
  const group = (key: (r: (typeof rows)[number]) => string) => {
    const m = new Map<string, Tally>();
    for (const r of rows) m.set(key(r), add(m.get(key(r)) ?? ZERO, r));
    return [...m.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  };
  return {
    rows,
    byParty: group((r) => r.partyId).map(([partyId, t]) => ({ partyId, ...t })),
    byRegion: group((r) => r.region).map(([region, t]) => ({ region, ...t })),
    total: rows.reduce<Tally>((t, r) => add(t, r), ZERO),
  };
}

/** A touch is one vehicle, worker or place that handled some affected lot at some time. */
export type Touch = {
  readonly kind: 'vehicle' | 'driver' | 'handler' | 'location';
  readonly refId: string;
  readonly label: string;
  readonly partyId: string | null;
  readonly at: number;
  readonly lotId: string;
};

export type Contact = Omit<Touch, 'at' | 'lotId'> & {
  readonly firstAt: number;
  readonly lastAt: number;
  readonly lotIds: readonly string[];
};

/**
 * touchWindow is an incident's window when none is given: from the earliest of `since` (the affected lots' own
 * starts) and every touch, to the later of `now` and the latest touch. It follows the touches' own times, when the
 * goods were handled, so records typed in days later, or out of order, still fall inside it.
 */
export function touchWindow(touches: readonly Pick<Touch, 'at'>[], since: readonly number[], now: number) {
  let from = now;
  let to = now;
  for (const s of since) from = Math.min(from, s);
  for (const t of touches) {
    from = Math.min(from, t.at);
    to = Math.max(to, t.at);
  }
  return { from, to };
}

/**
 * contactsOf folds touches inside [from, to] into one contact per kind and id: first and last time, and the affected
 * lots it touched, sorted. Touches outside the window are left out. Contacts come in kind, then id order.
 */
export function contactsOf(touches: readonly Touch[], from: number, to: number): Contact[] {
  const m = new Map<string, { c: Omit<Contact, 'lotIds'>; lots: Set<string> }>();
  for (const t of touches) {
    if (t.at < from || t.at > to) continue;
    const key = `${t.kind}|${t.refId}`;
    const cur = m.get(key);
    if (!cur) {
      m.set(key, {
        c: { kind: t.kind, refId: t.refId, label: t.label, partyId: t.partyId, firstAt: t.at, lastAt: t.at },
        lots: new Set([t.lotId]),
      });
      continue;
    }
    cur.c = { ...cur.c, firstAt: Math.min(cur.c.firstAt, t.at), lastAt: Math.max(cur.c.lastAt, t.at) };
    cur.lots.add(t.lotId);
  }
  const order = ['vehicle', 'driver', 'handler', 'location'];
  return [...m.values()]
    .map(({ c, lots }) => ({ ...c, lotIds: [...lots].sort() }))
    .sort(
      (a, b) => order.indexOf(a.kind) - order.indexOf(b.kind) || (a.refId < b.refId ? -1 : a.refId > b.refId ? 1 : 0),
    );
}

/**
 * packParts splits named lists of rows into as few records as possible, in the order given, so that the JSON of each
 * record's lists stays within `budget` bytes: an incident over thousands of lots cannot fit one log entry. The first
 * record has room for `firstOverhead` bytes of other parts. A single row larger than the budget is still packed, alone.
 */
export function packParts(
  lists: Readonly<Record<string, readonly unknown[]>>,
  budget: number,
  firstOverhead = 0,
): Record<string, unknown[]>[] {
  const out: Record<string, unknown[]>[] = [];
  let cur: Record<string, unknown[]> = {};
  let size = firstOverhead;
  let rows = 0;
  for (const [name, items] of Object.entries(lists)) {
    for (const item of items) {
      const bytes = Buffer.byteLength(JSON.stringify(item), 'utf8') + 1;
      if (rows > 0 && size + bytes + name.length + 8 > budget) {
        out.push(cur);
        cur = {};
        size = 0;
        rows = 0;
      }
      if (!cur[name]) size += name.length + 8;
      (cur[name] ??= []).push(item);
      size += bytes;
      rows++;
    }
  }
  if (rows > 0 || out.length === 0) out.push(cur);
  return out;
}
