/**
 * Recognition: a node recognises what its peers' logs say, so that a lot declared once is received, traced and
 * recalled on every node (enter once, recognised everywhere).
 *
 * After each mirroring step (app/federation), recognisePeer reads the peer's newly verified entries, indexes the rows
 * they project there (peer_rows, peer-index.ts), and acts on them with entries of this node's own log, each naming
 * the peer's entry (origin, index, leaf hash) that caused it:
 * - the peer's own parties join this node's directory ('parties.recognised'), so that its businesses can be named;
 * - a shipment to one of this node's parties becomes an incoming shipment here, with the lot it carries
 *   ('shipment.recognised', which alerts the consignee); receipts.ts receives it by its trace code;
 * - the peer's receipt of a shipment from here closes that shipment here ('shipment.receipt.recognised');
 * - the status reasons that the peer's log gives a lot this node holds become that lot's peer reasons
 *   ('lots.peer.updated'), so that a positive result anywhere turns the lot red everywhere;
 * - an open incident of the peer that includes lots this node holds opens an incident here that follows it (trigger
 *   'peer_incident'), which freezes this node's holdings and alerts their holders and regulators.
 *
 * Invariants:
 * - A node never writes another node's facts: every effect is an entry of this node's log, naming its cause.
 * - Acting is idempotent: each effect is decided against the state it would change, so that a pass interrupted
 *   between its entries and its cursor is simply run again.
 * - A peer's bad or hostile data (an unreadable entry, an unknown party, a lot it never declared, quantities that do
 *   not add up) is refused with a recorded reason, and never stops the node or the other entries.
 * - Safety acts do not wait for finality: a freeze follows a peer's verified entries, and says what it rests on.
 *   Receiving goods does: the shipment must be in a checkpoint that meets this node's policy (receipts.ts).
 */
import type { Transaction } from 'kysely';
import type { StatusReason } from '../../domain/lot-status.ts';
import { lotStatus } from '../../domain/lot-status.ts';
import type { LotRow, Schema } from '../../store/schema.ts';
import { inChunks } from '../../store/trace.ts';
import type { Deps } from '../deps.ts';
import { collectFactsMany } from '../border/lot-facts.ts';
import type { AlertInput } from '../recall/alerts.ts';
import { announceAlerts, alertRefs, appendWithAlerts } from '../recall/alerts.ts';
import { openIncidentWith } from '../recall/incidents.ts';
import type { Writer } from '../write/commit.ts';
import { commit } from '../write/commit.ts';
import { newId } from '../write/ids.ts';
import { kg } from '../custody/custody-parts.ts';
import { AppError } from '../errors.ts';
import { ADMIN_USCC } from '../write/node.ts';
import type { PeerEntry, PeerRecord, Refusal } from './peer-index.ts';
import { indexRows, peerRowsByKey, peerRowsByRef, readPeerEntries } from './peer-index.ts';

/** MAX_ENTRIES_PER_PASS bounds how many of a peer's entries one pass reads and acts on. */
const MAX_ENTRIES_PER_PASS = 2048;
/** PARTIES_PER_ENTRY parties go in one 'parties.recognised' entry, well inside an entry's size. */
const PARTIES_PER_ENTRY = 100;
/** MAX_REFUSALS_KEPT bounds the refusals kept per peer, so a hostile peer cannot fill the disk with them. */
const MAX_REFUSALS_KEPT = 1000;

/** Source names the peer's entry that caused an entry of this node. */
export interface Source {
  readonly origin: string;
  readonly index: number;
  readonly leafHash: string;
}

const sourceOf = (e: PeerEntry): Source => ({ origin: e.origin, index: e.index, leafHash: e.leafHash });
const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const text = (v: unknown, max = 200): v is string => typeof v === 'string' && v.length > 0 && v.length <= max;

/** RecognitionResult says how far a pass went. */
export interface RecognitionResult {
  readonly indexed: number;
  readonly size: number;
  readonly more: boolean;
  readonly refused: number;
}

/**
 * recognisePeer indexes and acts on the next entries of a peer's mirror, up to its verified size (at most
 * MAX_ENTRIES_PER_PASS at a time), and then moves the peer's cursor.
 */
export async function recognisePeer(deps: Deps, origin: string): Promise<RecognitionResult> {
  const m = await deps.db
    .selectFrom('mirrors')
    .select(['verifiedSize', 'state'])
    .where('origin', '=', origin)
    .executeTakeFirst();
  if (!m) return { indexed: 0, size: 0, more: false, refused: 0 };
  const st = await deps.db.selectFrom('peerIndexState').selectAll().where('origin', '=', origin).executeTakeFirst();
  const from = Number(st?.indexedSize ?? 0);
  const verified = Number(m.verifiedSize);
  if (from >= verified) return { indexed: 0, size: from, more: false, refused: 0 };
  const to = Math.min(verified, from + MAX_ENTRIES_PER_PASS);
  const { entries, refused } = await readPeerEntries(deps.db, origin, from, to);
  try {
    refused.push(...(await deps.db.transaction().execute((trx) => indexRows(trx, entries))));
  } catch {
    // One entry the database will not take must not hold up the others: index them one by one, refusing it.
    for (const e of entries) {
      try {
        refused.push(...(await deps.db.transaction().execute((trx) => indexRows(trx, [e]))));
      } catch (err) {
        refused.push({
          origin,
          index: e.index,
          reason: `entry ${e.index} cannot be indexed: ${(err as Error).message}`.slice(0, 300),
        });
      }
    }
  }
  refused.push(...(await actOn(deps, origin, entries)));
  await keepRefusals(deps, origin, refused);
  const now = deps.clock.now();
  await deps.db
    .insertInto('peerIndexState')
    .values({ origin, indexedSize: to, refused: refused.length, updatedAt: now })
    .onConflict((oc) =>
      oc.column('origin').doUpdateSet((eb) => ({
        indexedSize: to,
        refused: eb('peerIndexState.refused', '+', refused.length),
        updatedAt: now,
      })),
    )
    .execute();
  return { indexed: to - from, size: to, more: to < verified, refused: refused.length };
}

async function keepRefusals(deps: Deps, origin: string, refused: readonly Refusal[]) {
  if (refused.length === 0) return;
  const kept = await deps.db
    .selectFrom('federationEvidence')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('origin', '=', origin)
    .where('kind', '=', 'refused')
    .executeTakeFirst();
  const room = Math.max(0, MAX_REFUSALS_KEPT - Number(kept?.n ?? 0));
  const peer = await deps.db.selectFrom('peers').select('id').where('logOrigin', '=', origin).executeTakeFirst();
  const now = deps.clock.now();
  for (const r of refused.slice(0, room)) {
    await deps.db
      .insertInto('federationEvidence')
      .values({
        id: newId('fev'),
        origin,
        peerId: peer?.id ?? null,
        kind: 'refused',
        reason: r.reason.slice(0, 500),
        earlierNote: null,
        laterNote: JSON.stringify({ index: r.index }),
        recordedAt: now,
      })
      .execute();
  }
}

/** actOn takes the effects of a peer's entries here, each in a write of its own, and returns what it refused. */
async function actOn(deps: Deps, origin: string, entries: readonly PeerEntry[]): Promise<Refusal[]> {
  const refused: Refusal[] = [];
  if (entries.length === 0) return refused;
  refused.push(...(await recogniseParties(deps, origin, entries)));
  for (const e of entries) {
    for (const w of e.rows) {
      if (w.table !== 'shipments') continue;
      const id = String(w.row.id);
      try {
        const r = await recogniseShipment(deps, e, id);
        if (r) refused.push({ origin, index: e.index, reason: r });
      } catch (err) {
        refused.push({ origin, index: e.index, reason: `shipment ${id}: ${(err as Error).message}`.slice(0, 300) });
      }
    }
  }
  refused.push(...(await updatePeerReasons(deps, origin, entries)));
  refused.push(...(await followIncidents(deps, origin, entries)));
  return refused;
}

/** ownPartyIds returns which of ids are this node's own parties (not recognised ones). */
async function ownParties(trx: Deps['db'] | Transaction<Schema>, ids: readonly string[]) {
  const rows = await inChunks([...new Set(ids)], (c) =>
    trx.selectFrom('parties').select(['id', 'homeOrigin']).where('id', 'in', c).execute(),
  );
  return new Map(rows.map((r) => [r.id, r.homeOrigin ?? null]));
}

/** partyRecord is a peer's party row as a 'parties.recognised' entry carries it, or the reason it is refused. */
function partyRecord(p: PeerRecord, homeOrigin: string): Record<string, unknown> | string {
  let roles: unknown;
  try {
    roles = JSON.parse(String(p.roles));
  } catch {
    return `party ${String(p.id)} has unreadable roles`;
  }
  if (!text(p.id) || !text(p.uscc, 40) || !text(p.region, 20) || !Array.isArray(roles))
    return `party ${String(p.id)} is malformed`;
  if (!roles.every((r) => typeof r === 'string')) return `party ${p.id} has malformed roles`;
  return {
    id: p.id,
    uscc: p.uscc,
    nameZh: typeof p.nameZh === 'string' ? p.nameZh.slice(0, 200) : null,
    nameEn: typeof p.nameEn === 'string' ? p.nameEn.slice(0, 200) : null,
    roles,
    region: p.region,
    level: typeof p.level === 'string' ? p.level : null,
    homeOrigin,
    createdAt: isCount(p.createdAt) ? p.createdAt : 0,
    updatedAt: isCount(p.updatedAt) ? p.updatedAt : 0,
  };
}

/**
 * recogniseParties adds the peer's own parties (not those it recognises of others) to this node's directory, and
 * keeps them as the peer last published them. A party whose id or credit code is already one of this node's own is
 * refused.
 */
async function recogniseParties(deps: Deps, origin: string, entries: readonly PeerEntry[]): Promise<Refusal[]> {
  const refused: Refusal[] = [];
  const touched = new Map<string, PeerEntry>();
  for (const e of entries)
    for (const w of e.rows) if (w.table === 'parties' && !w.row.homeOrigin) touched.set(String(w.row.id), e);
  if (touched.size === 0) return refused;
  const latest = await peerRowsByKey(deps.db, 'parties', [...touched.keys()], origin);
  const rows: { rec: Record<string, unknown>; e: PeerEntry }[] = [];
  const local = await deps.db
    .selectFrom('parties')
    .selectAll()
    .where(
      'id',
      'in',
      latest.map((p) => String(p.id)),
    )
    .execute()
    .then((r) => new Map(r.map((x) => [x.id, x])));
  for (const p of latest) {
    const e = touched.get(String(p.id))!;
    // Every node starts with the same bootstrap administrator: it is not a business of the peer's.
    if (p.uscc === ADMIN_USCC) continue;
    const rec = partyRecord(p, origin);
    if (typeof rec === 'string') {
      refused.push({ origin, index: e.index, reason: rec });
      continue;
    }
    const have = local.get(String(p.id));
    if (have && !have.homeOrigin) {
      refused.push({ origin, index: e.index, reason: `party ${p.id} is one of this node's own` });
      continue;
    }
    if (have && have.homeOrigin !== origin) {
      refused.push({ origin, index: e.index, reason: `party ${p.id} is already recognised from ${have.homeOrigin}` });
      continue;
    }
    const sameUscc = await deps.db
      .selectFrom('parties')
      .select(['id'])
      .where('uscc', '=', String(rec.uscc))
      .where('id', '!=', String(p.id))
      .executeTakeFirst();
    if (sameUscc) {
      refused.push({
        origin,
        index: e.index,
        reason: `party ${p.id}: credit code ${rec.uscc} is party ${sameUscc.id} here`,
      });
      continue;
    }
    if (
      have &&
      have.uscc === rec.uscc &&
      have.nameZh === rec.nameZh &&
      have.nameEn === rec.nameEn &&
      have.roles === JSON.stringify(rec.roles) &&
      have.region === rec.region &&
      have.level === rec.level
    )
      continue;
    rows.push({ rec, e });
  }
  for (let i = 0; i < rows.length; i += PARTIES_PER_ENTRY) {
    const chunk = rows.slice(i, i + PARTIES_PER_ENTRY);
    const last = chunk[chunk.length - 1]!.e;
    await commit(deps, undefined, (w) =>
      w.append('parties.recognised', null, { source: sourceOf(last), recognisedParties: chunk.map((c) => c.rec) }),
    );
  }
  return refused;
}

/** The rows a 'shipment.recognised' entry needs beside the shipment: the lot, and the parties and producer it names. */
interface Recognised {
  parties: Record<string, unknown>[];
  producers: Record<string, unknown>[];
  lots: Record<string, unknown>[];
}

/**
 * partiesFor finds, in the peers' directories, every party among ids that this node does not hold yet. The version a
 * party's own node published wins over one that another peer recognised.
 */
async function partiesFor(w: Writer, ids: readonly string[]): Promise<Record<string, unknown>[] | string> {
  const have = await ownParties(w.trx, ids);
  const missing = [...new Set(ids)].filter((id) => !have.has(id));
  if (missing.length === 0) return [];
  const found = await peerRowsByKey(w.trx, 'parties', missing);
  const out: Record<string, unknown>[] = [];
  for (const id of missing) {
    const versions = found.filter((p) => p.id === id);
    const best = versions.find((p) => !p.homeOrigin) ?? versions[0];
    if (!best) return `party ${id} is in no peer's directory`;
    const home = typeof best.homeOrigin === 'string' ? best.homeOrigin : best.origin;
    const rec = partyRecord(best, home);
    if (typeof rec === 'string') return rec;
    out.push(rec);
  }
  return out;
}

/** peerLotRow is a peer's lot row as this node recognises it, or the reason it cannot. */
async function recognisedLot(w: Writer, deps: Deps, origin: string, lotId: string): Promise<Recognised | string> {
  const lot = (await peerRowsByKey(w.trx, 'lots', [lotId], origin))[0];
  if (!lot) return `lot ${lotId} was never declared or made on ${origin}`;
  if (!text(lot.code, 100) || !text(lot.importerPartyId) || !text(lot.producerId) || !isCount(lot.netGrams))
    return `lot ${lotId} is malformed`;
  const parties = await partiesFor(w, [String(lot.importerPartyId)]);
  if (typeof parties === 'string') return parties;
  const producers: Record<string, unknown>[] = [];
  const haveProducer = await w.trx
    .selectFrom('producers')
    .select('id')
    .where('id', '=', String(lot.producerId))
    .executeTakeFirst();
  if (!haveProducer) {
    const found = await peerRowsByKey(w.trx, 'producers', [String(lot.producerId)]);
    const p = found.find((x) => !x.homeOrigin) ?? found[0];
    if (!p) return `producer ${String(lot.producerId)} is in no peer's register`;
    producers.push({
      id: p.id,
      country: String(p.country ?? ''),
      registrationNo: String(p.registrationNo ?? ''),
      name: String(p.name ?? ''),
      nameZh: typeof p.nameZh === 'string' ? p.nameZh : null,
      homeOrigin: typeof p.homeOrigin === 'string' ? p.homeOrigin : p.origin,
      createdAt: isCount(p.createdAt) ? p.createdAt : 0,
      updatedAt: isCount(p.updatedAt) ? p.updatedAt : 0,
    });
  }
  const peerReasons = await peerReasonsFor(w.trx, deps.log.origin, lotId);
  const s = lotStatus({
    origin: 'recognised',
    presentDocuments: [],
    disinfected: false,
    samples: [],
    exitCertificate: false,
    producerSuspendedAtEntry: false,
    peerReasons,
  });
  const { origin: _o, rowOrigin: _k, logIndex: _i, statusReasons: _r, peerReasons: _p, ...row } = lot;
  return {
    parties,
    producers,
    lots: [
      {
        ...row,
        origin: 'recognised',
        transformationId: null,
        homeOrigin: typeof lot.homeOrigin === 'string' ? lot.homeOrigin : origin,
        status: s.status,
        statusReasons: s.reasons,
        peerReasons,
        updatedAt: w.now,
      },
    ],
  };
}

/**
 * recogniseShipment acts on a peer's shipment as the peer's log has it now: one to a party of this node, still in
 * transit and not yet recognised, becomes an incoming shipment here (with its lot, if this node does not hold it
 * yet); one from here that the peer has received is closed here with what arrived. It returns a refusal reason, or
 * null.
 */
async function recogniseShipment(deps: Deps, e: PeerEntry, id: string): Promise<string | null> {
  const s = (await peerRowsByKey(deps.db, 'shipments', [id], e.origin))[0];
  if (!s) return null;
  const local = await deps.db.selectFrom('shipments').selectAll().where('id', '=', id).executeTakeFirst();
  if (local && !local.homeOrigin && s.status === 'received' && local.status === 'in_transit')
    return closeShipment(deps, e, s);
  if (local || s.status !== 'in_transit' || Number(s.logIndex) !== e.index) return null;
  const to = await deps.db
    .selectFrom('parties')
    .select(['id', 'homeOrigin', 'nameZh', 'nameEn'])
    .where('id', '=', String(s.toPartyId))
    .executeTakeFirst();
  if (!to || to.homeOrigin) return null;
  if (!text(s.lotId) || !text(s.fromPartyId) || !isCount(s.grams) || !isCount(s.cartons) || !isCount(s.departedAt))
    return `shipment ${id} is malformed`;
  if (s.grams === 0 && s.cartons === 0) return `shipment ${id} carries nothing`;
  const r = await commit(deps, undefined, async (w) => {
    const recheck = await w.trx.selectFrom('shipments').select('id').where('id', '=', id).executeTakeFirst();
    if (recheck) return null;
    const lot = await w.trx.selectFrom('lots').selectAll().where('id', '=', String(s.lotId)).executeTakeFirst();
    let rec: Recognised = { parties: [], producers: [], lots: [] };
    let code = lot?.code;
    if (!lot) {
      const got = await recognisedLot(w, deps, e.origin, String(s.lotId));
      if (typeof got === 'string') return got;
      rec = got;
      code = String(got.lots[0]!.code);
      if (Number(s.grams) > Number(got.lots[0]!.netGrams))
        return `shipment ${id} carries ${kg(Number(s.grams))} kg of a lot of ${kg(Number(got.lots[0]!.netGrams))} kg`;
    } else if (Number(s.grams) > Number(lot.netGrams)) {
      return `shipment ${id} carries ${kg(Number(s.grams))} kg of a lot of ${kg(Number(lot.netGrams))} kg`;
    }
    const parties = await partiesFor(w, [String(s.fromPartyId)]);
    if (typeof parties === 'string') return parties;
    const known = new Set(rec.parties.map((p) => p.id));
    rec.parties.push(...parties.filter((p) => !known.has(p.id)));
    const { origin: _o, logIndex: _i, ...row } = s;
    const shipment = {
      ...row,
      handlerWorkerIds: safeList(s.handlerWorkerIds),
      flags: safeList(s.flags),
      toLocationId: null,
      homeOrigin: e.origin,
      homeIndex: e.index,
      homeLeafHash: e.leafHash,
      updatedAt: w.now,
    };
    const from = rec.parties.find((p) => p.id === s.fromPartyId) as { nameZh?: string; nameEn?: string } | undefined;
    const sender =
      from ??
      (await w.trx
        .selectFrom('parties')
        .select(['nameZh', 'nameEn'])
        .where('id', '=', String(s.fromPartyId))
        .executeTakeFirst());
    const alerts: AlertInput[] = [
      {
        partyId: to.id,
        kind: 'shipment.incoming',
        severity: 'info',
        title: {
          zh: `来自 ${sender?.nameZh ?? s.fromPartyId} 的跨省来货：批次 ${code}，${kg(Number(s.grams))} 千克`,
          en: `Incoming from ${sender?.nameEn ?? s.fromPartyId} in another province: lot ${code}, ${kg(Number(s.grams))} kg`,
        },
        body: {
          shipmentId: id,
          lotId: s.lotId,
          code: code ?? null,
          fromPartyId: s.fromPartyId,
          kg: kg(Number(s.grams)),
          cartons: s.cartons,
          origin: e.origin,
        },
      },
    ];
    const { alerts: raised } = await appendWithAlerts(
      w,
      'shipment.recognised',
      null,
      {
        source: sourceOf(e),
        recognisedParties: rec.parties,
        recognisedProducers: rec.producers,
        recognisedLots: rec.lots,
        shipment,
      },
      alerts,
    );
    return alertRefs(raised);
  });
  if (typeof r === 'string') return r;
  if (r) announceAlerts(deps.events, r);
  return null;
}

function safeList(v: unknown): unknown[] {
  try {
    const parsed = typeof v === 'string' ? (JSON.parse(v) as unknown) : v;
    return Array.isArray(parsed) ? parsed.slice(0, 100) : [];
  } catch {
    return [];
  }
}

/** closeShipment records here that a peer received a shipment that left from here, with what arrived. */
async function closeShipment(deps: Deps, e: PeerEntry, s: PeerRecord): Promise<string | null> {
  if (!isCount(s.receivedGrams) || !isCount(s.receivedCartons) || !isCount(s.receivedAt))
    return `the receipt of shipment ${String(s.id)} is malformed`;
  return commit(deps, undefined, async (w) => {
    const local = await w.trx.selectFrom('shipments').selectAll().where('id', '=', String(s.id)).executeTakeFirst();
    if (!local || local.status !== 'in_transit') return null;
    if (local.toPartyId !== s.toPartyId)
      return `shipment ${local.id} was sent to ${local.toPartyId}, not ${String(s.toPartyId)}`;
    if (Number(s.receivedGrams) > Number(local.grams) || Number(s.receivedCartons) > local.cartons)
      return `shipment ${local.id}: more received than was shipped`;
    const { logIndex: _, ...prior } = local;
    const shipment = {
      ...prior,
      handlerWorkerIds: JSON.parse(local.handlerWorkerIds) as unknown[],
      flags: JSON.parse(local.flags) as unknown[],
      status: 'received',
      receivedGrams: s.receivedGrams,
      receivedCartons: s.receivedCartons,
      receivedAt: s.receivedAt,
      updatedAt: w.now,
    };
    await w.append('shipment.receipt.recognised', null, { source: sourceOf(e), shipment });
    return null;
  });
}

/**
 * peerReasonsFor gathers the status reasons that the peers' logs give a lot: each peer's own reasons, tagged with
 * its origin, and reasons a peer passes on from a log that this node does not mirror itself. A reason that came from
 * this node is never taken back from a peer, so reasons cannot circle between nodes.
 */
export async function peerReasonsFor(
  db: Deps['db'] | Transaction<Schema>,
  self: string,
  lotId: string,
): Promise<StatusReason[]> {
  return (await peerReasonsMany(db, self, [lotId])).get(lotId) ?? [];
}

async function peerReasonsMany(db: Deps['db'] | Transaction<Schema>, self: string, lotIds: readonly string[]) {
  const rows = await peerRowsByKey(db, 'lots', lotIds);
  const out = new Map<string, StatusReason[]>();
  for (const id of lotIds) {
    const versions = rows.filter((r) => r.id === id);
    const origins = new Set(versions.map((v) => v.origin));
    const seen = new Map<string, StatusReason>();
    for (const v of versions) {
      let reasons: unknown;
      try {
        reasons = JSON.parse(String(v.statusReasons));
      } catch {
        continue;
      }
      if (!Array.isArray(reasons)) continue;
      for (const r of reasons.slice(0, 100) as { code?: unknown; params?: Record<string, unknown> }[]) {
        if (!r || typeof r.code !== 'string') continue;
        const params = r.params && typeof r.params === 'object' ? r.params : {};
        const from = typeof params.origin === 'string' ? params.origin : null;
        if (from === self || (from !== null && origins.has(from))) continue;
        const tagged: StatusReason = {
          code: r.code as StatusReason['code'],
          params: { ...(params as Record<string, string | number>), origin: from ?? v.origin },
        };
        seen.set(JSON.stringify(tagged), tagged);
      }
    }
    out.set(
      id,
      [...seen.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, r]) => r),
    );
  }
  return out;
}

/** updatePeerReasons records, for every lot held here that the peer's entries touched, the reasons its peers give it. */
async function updatePeerReasons(deps: Deps, origin: string, entries: readonly PeerEntry[]): Promise<Refusal[]> {
  const touched = new Set<string>();
  for (const e of entries) for (const w of e.rows) if (w.table === 'lots') touched.add(String(w.row.id));
  if (touched.size === 0) return [];
  const last = entries[entries.length - 1]!;
  await commit(deps, undefined, async (w) => {
    const lots = (await inChunks([...touched], (c) =>
      w.trx.selectFrom('lots').selectAll().where('id', 'in', c).execute(),
    )) as LotRow[];
    if (lots.length === 0) return;
    const reasons = await peerReasonsMany(
      w.trx,
      deps.log.origin,
      lots.map((l) => l.id),
    );
    const changed = lots
      .filter((l) => JSON.stringify(reasons.get(l.id) ?? []) !== (l.peerReasons ?? '[]'))
      .map((l) => ({ ...l, peerReasons: JSON.stringify(reasons.get(l.id) ?? []) }));
    if (changed.length === 0) return;
    const facts = await collectFactsMany(w.trx, changed);
    const lotStatuses = changed.map((l) => {
      const s = lotStatus(facts.get(l.id)!);
      return {
        id: l.id,
        peerReasons: reasons.get(l.id) ?? [],
        status: s.status,
        statusReasons: s.reasons,
        updatedAt: w.now,
      };
    });
    for (let i = 0; i < lotStatuses.length; i += 50) {
      await w.append('lots.peer.updated', null, { source: sourceOf(last), lotStatuses: lotStatuses.slice(i, i + 50) });
    }
  });
  return [];
}

/**
 * followIncidents opens, for every open incident of the peer that includes lots held here, an incident here that
 * follows it, unless this node already follows the incident it all started from (or started it).
 */
async function followIncidents(deps: Deps, origin: string, entries: readonly PeerEntry[]): Promise<Refusal[]> {
  const refused: Refusal[] = [];
  const touched = new Map<string, PeerEntry>();
  for (const e of entries)
    for (const w of e.rows) {
      if (w.table === 'incidentLots' || w.table === 'incidents') {
        const id = String(w.table === 'incidents' ? w.row.id : w.row.incidentId);
        if (!touched.has(id)) touched.set(id, e);
      }
    }
  for (const [incidentId, e] of touched) {
    const inc = (await peerRowsByKey(deps.db, 'incidents', [incidentId], origin))[0];
    if (!inc || inc.status !== 'open') continue;
    const rootOrigin = typeof inc.rootOrigin === 'string' ? inc.rootOrigin : origin;
    const rootIncidentId = typeof inc.rootIncidentId === 'string' ? inc.rootIncidentId : incidentId;
    if (rootOrigin === deps.log.origin) continue;
    const lotIds = (await peerRowsByRef(deps.db, 'incidentLots', [incidentId]))
      .filter((r) => r.origin === origin && r.clearedAt == null)
      .map((r) => String(r.lotId));
    try {
      const opened = await commit(deps, undefined, async (w) => {
        const already = await w.trx
          .selectFrom('incidents')
          .select('id')
          .where('rootOrigin', '=', rootOrigin)
          .where('rootIncidentId', '=', rootIncidentId)
          .executeTakeFirst();
        if (already) return null;
        const held = (
          await inChunks(lotIds, (c) => w.trx.selectFrom('lots').select('id').where('id', 'in', c).execute())
        ).map((l) => l.id);
        if (held.length === 0) return null;
        return openIncidentWith(w, deps, null, {
          trigger: {
            kind: 'peer_incident',
            origin,
            incidentId,
            number: Number(inc.number),
            index: e.index,
            leafHash: e.leafHash,
            rootOrigin,
            rootIncidentId,
            lotIds: held.sort(),
          },
          title: typeof inc.title === 'string' ? inc.title.slice(0, 300) : undefined,
          ...(isCount(inc.windowFrom) && isCount(inc.windowTo) && inc.windowFrom <= inc.windowTo
            ? { windowFrom: inc.windowFrom, windowTo: inc.windowTo }
            : {}),
        });
      });
      if (opened) announceAlerts(deps.events, opened.alerts);
    } catch (err) {
      refused.push({
        origin,
        index: e.index,
        reason: `incident ${incidentId}: ${(err as Error).message}`.slice(0, 300),
      });
    }
  }
  return refused;
}

/**
 * recogniseLots makes lots that this node knows only from its peers' logs into lots of its own, recognised, with an
 * entry naming the peer's entry each comes from ('lot.recognised'), so that an incident can be opened on them here:
 * the national node holds no goods, yet opens incidents that reach every province. Each lot is taken as its home
 * node's log has it, or else as a peer that recognised it does. Lots held here already are left as they are; a lot no
 * peer knows is LotNotFound.
 */
export async function recogniseLots(deps: Deps, lotIds: readonly string[], field = 'trigger.lotIds') {
  await commit(deps, undefined, async (w) => {
    const have = new Set(
      (await inChunks([...lotIds], (c) => w.trx.selectFrom('lots').select('id').where('id', 'in', c).execute())).map(
        (l) => l.id,
      ),
    );
    const missing = [...new Set(lotIds)].filter((id) => !have.has(id));
    if (missing.length === 0) return;
    const rows = await peerRowsByKey(w.trx, 'lots', missing);
    const rec: Recognised = { parties: [], producers: [], lots: [] };
    let source: Source | null = null;
    for (const [i, id] of missing.entries()) {
      const versions = rows.filter((r) => r.id === id);
      const home = versions.find((v) => (typeof v.homeOrigin === 'string' ? v.homeOrigin : v.origin) === v.origin);
      const chosen = home ?? versions[0];
      if (!chosen)
        throw new AppError('LotNotFound', {
          field: `${field}.${lotIds.indexOf(id)}`,
          reason: `no node this one mirrors knows lot ${id}`,
          id,
        });
      const got = await recognisedLot(w, deps, chosen.origin, id);
      if (typeof got === 'string') throw new AppError('UnknownReference', { field: `${field}.${i}`, reason: got });
      const known = new Set(rec.parties.map((p) => p.id));
      rec.parties.push(...got.parties.filter((p) => !known.has(p.id)));
      const knownProducers = new Set(rec.producers.map((p) => p.id));
      rec.producers.push(...got.producers.filter((p) => !knownProducers.has(p.id)));
      rec.lots.push(...got.lots);
      source ??= {
        origin: chosen.origin,
        index: chosen.logIndex,
        leafHash: await leafOf(w, chosen.origin, chosen.logIndex),
      };
    }
    await w.append('lot.recognised', null, {
      source,
      recognisedParties: rec.parties,
      recognisedProducers: rec.producers,
      recognisedLots: rec.lots,
    });
  });
}

/** leafOf reads the leaf hash of a peer's entry from the mirror's level-0 tile. */
async function leafOf(w: Writer, origin: string, index: number): Promise<string> {
  const row = await w.trx
    .selectFrom('mirrorTiles')
    .select(['width', 'data'])
    .where('origin', '=', origin)
    .where('level', '=', 0)
    .where('idx', '=', Math.floor(index / 256))
    .executeTakeFirst();
  const at = (index % 256) * 32;
  return row && Buffer.from(row.data).length >= at + 32
    ? Buffer.from(row.data)
        .subarray(at, at + 32)
        .toString('hex')
    : '';
}
