import type { Kysely, Transaction } from 'kysely';
import type { ActionStatus, RecordedAction, Tally } from '../../domain/incident.ts';
import { accounting } from '../../domain/incident.ts';
import type { IncidentRow, Schema } from '../../store/schema.ts';
import type { Deps } from '../deps.ts';
import type { PeerRecord } from '../recognition/peer-index.ts';
import { peerRowsByKey, peerRowsByRef } from '../recognition/peer-index.ts';
import { iso } from '../access/paging.ts';

type Db = Kysely<Schema> | Transaction<Schema>;

const kg = (grams: number) => grams / 1000;
const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : Number(v ?? 0) || 0);

/** Trust is how far a fact can be relied on (DESIGN.md "Federation and recognition"). */
export type Trust = 'own' | 'witnessed' | 'unverified';

/** ProvinceAccount is one node's share of an incident that reached several provinces: what it froze and accounted. */
export interface ProvinceAccount {
  readonly origin: string;
  readonly node: string;
  readonly region: string | null;
  readonly incidentId: string;
  readonly number: number;
  readonly status: string;
  readonly trust: Trust;
  readonly tally: Tally;
  readonly byHolder: readonly ({ partyId: string } & Tally)[];
}

/** trustOf says how far a peer's entry at index can be relied on: witnessed when inside its last final checkpoint. */
export function trustOf(
  mirrors: ReadonlyMap<string, { finalSize: number; state: string }>,
  origin: string,
  index: number,
): Trust {
  // A fork or an outage takes nothing back from what the last good checkpoint covers.
  const m = mirrors.get(origin);
  return m && index < m.finalSize ? 'witnessed' : 'unverified';
}

async function mirrorStates(db: Db) {
  const rows = await db.selectFrom('mirrors').select(['origin', 'finalSize', 'state']).execute();
  return new Map(rows.map((r) => [r.origin, { finalSize: Number(r.finalSize), state: r.state }]));
}

async function peerNames(db: Db) {
  const rows = await db
    .selectFrom('peers')
    .select(['logOrigin', 'name', 'region'])
    .where('removedAt', 'is', null)
    .execute();
  return new Map(rows.map((r) => [r.logOrigin, { name: r.name, region: r.region }]));
}

/** peerAccount tallies a peer's incident from its mirrored rows, as that peer's own accounts would. */
async function peerAccount(db: Db, inc: PeerRecord) {
  const id = String(inc.id);
  const [held, actions] = await Promise.all([
    peerRowsByRef(db, 'incidentHoldings', [id]),
    peerRowsByRef(db, 'incidentActions', [id]),
  ]);
  const affected = held
    .filter((h) => h.origin === inc.origin)
    .map((h) => ({
      holdingId: String(h.holdingId),
      lotId: String(h.lotId),
      partyId: String(h.partyId),
      locationId: typeof h.locationId === 'string' ? h.locationId : null,
      region: String(h.region ?? ''),
      grams: Math.max(0, num(h.grams)),
      cartons: Math.max(0, num(h.cartons)),
    }));
  const recorded = actions
    .filter((a) => a.origin === inc.origin)
    .map((a) => ({
      holdingId: String(a.holdingId),
      grams: Math.max(0, num(a.grams)),
      cartons: Math.max(0, num(a.cartons)),
      status: String(a.status) as ActionStatus,
    }));
  return accounting(affected, recorded);
}

type Mirrors = Awaited<ReturnType<typeof mirrorStates>>;
type Names = Awaited<ReturnType<typeof peerNames>>;

/** shareOf is a peer's incident as a province's share: its tally from the mirrored rows, and how far it is witnessed. */
async function shareOf(db: Db, mirrors: Mirrors, names: Names, r: PeerRecord): Promise<ProvinceAccount> {
  const acc = await peerAccount(db, r);
  const peer = names.get(r.origin);
  return {
    origin: r.origin,
    node: peer?.name ?? r.origin,
    region: peer?.region ?? null,
    incidentId: String(r.id),
    number: num(r.number),
    status: String(r.status),
    trust: trustOf(mirrors, r.origin, r.logIndex),
    tally: acc.total,
    byHolder: acc.byParty,
  };
}

/**
 * provinceAccounts gives, for an incident that started here or that follows one of a peer's, every other node's share
 * as its mirrored log shows it: the incident it started from, and every incident on any peer that follows the same
 * root. Each share says how far it can be relied on. This node's own share is in the incident's own accounts.
 */
export async function provinceAccounts(deps: Deps, db: Db, inc: IncidentRow): Promise<ProvinceAccount[]> {
  const self = deps.log.origin;
  const rootOrigin = inc.rootOrigin ?? self;
  const rootId = inc.rootIncidentId ?? inc.id;
  const [followers, root, mirrors, names] = await Promise.all([
    peerRowsByRef(db, 'incidents', [rootId]),
    rootOrigin === self ? Promise.resolve([]) : peerRowsByKey(db, 'incidents', [rootId], rootOrigin),
    mirrorStates(db),
    peerNames(db),
  ]);
  const shares = [...root, ...followers.filter((f) => f.rootOrigin === rootOrigin)].filter((r) => r.origin !== self);
  const out: ProvinceAccount[] = [];
  for (const r of shares) out.push(await shareOf(db, mirrors, names, r));
  return out.sort((a, b) => (a.origin < b.origin ? -1 : a.origin > b.origin ? 1 : 0));
}

/** tallyOut is the API form of a tally. */
export const tallyOut = (t: {
  affectedGrams: number;
  accountedGrams: number;
  pendingGrams: number;
  outstandingGrams: number;
  affectedCartons: number;
  accountedCartons: number;
  outstandingCartons: number;
}) => ({
  affected: { kg: kg(t.affectedGrams), cartons: t.affectedCartons },
  accounted: { kg: kg(t.accountedGrams), cartons: t.accountedCartons },
  pendingApproval: { kg: kg(t.pendingGrams) },
  outstanding: { kg: kg(t.outstandingGrams), cartons: t.outstandingCartons },
});

/**
 * incidentAccounts reads an incident's affected quantities and actions and tallies them. Each holding is accounted for
 * by its own holder's actions alone: a lot released from the incident still counts, at every holder, only what that
 * holder did with it.
 */
export async function incidentAccounts(db: Db, incidentId: string, partyId?: string) {
  let hq = db.selectFrom('incidentHoldings').selectAll().where('incidentId', '=', incidentId);
  let aq = db.selectFrom('incidentActions').selectAll().where('incidentId', '=', incidentId).orderBy('id');
  if (partyId) {
    hq = hq.where('partyId', '=', partyId);
    aq = aq.where('partyId', '=', partyId);
  }
  const [held, actions] = await Promise.all([hq.orderBy('holdingId').execute(), aq.execute()]);
  const affected = held.map((h) => ({
    holdingId: h.holdingId,
    lotId: h.lotId,
    partyId: h.partyId,
    locationId: h.locationId,
    region: h.region,
    grams: Number(h.grams),
    cartons: h.cartons,
    inTransit: h.inTransit === 1,
  }));
  const recorded: RecordedAction[] = actions.map((a) => ({
    holdingId: a.holdingId,
    grams: Number(a.grams),
    cartons: a.cartons,
    status: a.status as ActionStatus,
  }));
  return { ...accounting(affected, recorded), actions };
}

/** provinceOut is the API form of a province's share. */
export const provinceOut = (p: ProvinceAccount) => ({
  origin: p.origin,
  node: p.node,
  region: p.region,
  incidentId: p.incidentId,
  number: p.number,
  status: p.status,
  trust: p.trust,
  ...tallyOut(p.tally),
  byHolder: p.byHolder.map((h) => ({ partyId: h.partyId, ...tallyOut(h) })),
});

/**
 * federationIncidents lists every incident that started on this node or on a peer (not those that follow another),
 * newest first, with every province's share: the national view of recalls. Each peer's incident says how far it can be
 * relied on.
 */
export async function federationIncidents(deps: Deps, f: { status?: 'open' | 'closed' } = {}) {
  const db = deps.db;
  const self = deps.log.origin;
  let own = db.selectFrom('incidents').selectAll().where('rootOrigin', 'is', null);
  if (f.status) own = own.where('status', '=', f.status);
  const [mine, peers, mirrors, names] = await Promise.all([
    own.execute(),
    db.selectFrom('peerRows').select(['origin', 'data', 'logIndex']).where('tbl', '=', 'incidents').execute(),
    mirrorStates(db),
    peerNames(db),
  ]);
  const roots = peers
    .map((r): PeerRecord => ({
      ...(JSON.parse(r.data) as Record<string, unknown>),
      origin: r.origin,
      logIndex: Number(r.logIndex),
    }))
    .filter((r) => !r.rootOrigin && (!f.status || r.status === f.status));
  const items = [];
  for (const inc of mine) {
    const local = (await incidentAccounts(db, inc.id)).total;
    const shares = await provinceAccounts(deps, db, inc);
    items.push(summary(self, deps.config.nodeName ?? self, deps.config.nodeRegion ?? null, inc, 'own', local, shares));
  }
  for (const r of roots) {
    const acc = await peerAccount(db, r);
    const peer = names.get(r.origin);
    const row = {
      id: String(r.id),
      number: num(r.number),
      title: String(r.title ?? ''),
      status: String(r.status),
      openedAt: num(r.openedAt),
      closedAt: r.closedAt == null ? null : num(r.closedAt),
      rootOrigin: null,
      rootIncidentId: null,
    } as unknown as IncidentRow;
    const followers = (await peerRowsByRef(db, 'incidents', [String(r.id)])).filter(
      (x) => x.rootOrigin === r.origin && x.origin !== self,
    );
    const shares: ProvinceAccount[] = [];
    for (const x of followers) shares.push(await shareOf(db, mirrors, names, x));
    const mineFollowing = await db
      .selectFrom('incidents')
      .select('id')
      .where('rootOrigin', '=', r.origin)
      .where('rootIncidentId', '=', String(r.id))
      .executeTakeFirst();
    if (mineFollowing) {
      shares.push({
        origin: self,
        node: deps.config.nodeName ?? self,
        region: deps.config.nodeRegion ?? null,
        incidentId: mineFollowing.id,
        number: 0,
        status: 'open',
        trust: 'own',
        tally: (await incidentAccounts(db, mineFollowing.id)).total,
        byHolder: [],
      });
    }
    items.push(
      summary(
        r.origin,
        peer?.name ?? r.origin,
        peer?.region ?? null,
        row,
        trustOf(mirrors, r.origin, r.logIndex),
        acc.total,
        shares,
      ),
    );
  }
  items.sort((a, b) =>
    (a.openedAt ?? '') < (b.openedAt ?? '') ? 1 : (a.openedAt ?? '') > (b.openedAt ?? '') ? -1 : 0,
  );
  return { items, nextCursor: null };
}

function summary(
  origin: string,
  node: string,
  region: string | null,
  inc: IncidentRow,
  trust: Trust,
  own: Tally,
  shares: readonly ProvinceAccount[],
) {
  const all = [own, ...shares.map((s) => s.tally)];
  const sum = (k: keyof Tally) => all.reduce((n, t) => n + t[k], 0);
  return {
    origin,
    node,
    region,
    id: inc.id,
    number: Number(inc.number),
    title: inc.title,
    status: inc.status,
    trust,
    openedAt: iso(Number(inc.openedAt)),
    closedAt: iso(inc.closedAt == null ? null : Number(inc.closedAt)),
    ...tallyOut(own),
    provinces: shares.map(provinceOut),
    total: {
      affected: { kg: kg(sum('affectedGrams')), cartons: sum('affectedCartons') },
      outstanding: { kg: kg(sum('outstandingGrams')), cartons: sum('outstandingCartons') },
    },
  };
}
