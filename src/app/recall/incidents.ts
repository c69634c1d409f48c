/**
 * Recall: the response to a positive. Trace forward and backward (trace.ts), incidents that freeze every
 * affected lot in the same write as the result (incidents.ts, incident-scope.ts), alerts, webhooks and notices, and
 * the reports (incident report, FSMA 204).
 *
 * Invariants:
 * - A positive result, its incident, the freeze and the alerts commit together or not at all.
 * - Contacts and windows come from the events' own times, not from when they were recorded.
 * - Each holder's kilograms count as accounted for only by that holder's own approved actions.
 */
import type { Kysely, Transaction } from 'kysely';
import type { Actor } from '../../domain/access.ts';
import { isRegulator, mayAttempt } from '../../domain/access.ts';
import type { Affected, IncidentAction, IncidentScope } from '../../domain/incident.ts';
import {
  ACTION_NEEDS_APPROVAL,
  DEFAULT_INCIDENT_SCOPE,
  contactsOf,
  packParts,
  touchWindow,
} from '../../domain/incident.ts';
import type { IncidentActionRow, IncidentRow, LotRow, Schema } from '../../store/schema.ts';
import { inChunks } from '../../store/trace.ts';
import { AppError, invalid, notFound } from '../errors.ts';
import { forbid } from '../access/authorize.ts';
import type { Idempotency, Writer } from '../write/commit.ts';
import { commit } from '../write/commit.ts';
import { disposeWith } from '../custody/custody.ts';
import { grams } from '../custody/custody-parts.ts';
import type { Deps } from '../deps.ts';
import { holdingId } from '../custody/holding-id.ts';
import type { AlertInput } from './alerts.ts';
import { alertRefs, announceAlerts, appendWithAlerts } from './alerts.ts';
import { newId } from '../write/ids.ts';
import { affectedHoldings, affectedLots, incidentScopeFor, incidentTouches } from './incident-scope.ts';
import { collectFactsMany, statusPatch } from '../border/lot-facts.ts';
import type { LotStatusPatch } from '../border/lot-facts.ts';
import { iso, pageOf, pageRequest } from '../access/paging.ts';
import { checkEventTimes } from '../registry/time-horizon.ts';
import { incidentAccounts, provinceAccounts, provinceOut, tallyOut } from './incident-accounts.ts';

type Db = Kysely<Schema> | Transaction<Schema>;

/** What an incident is opened from. */
export type IncidentTrigger =
  | { readonly kind: 'positive_result'; readonly sampleId: string; readonly lotId: string }
  | { readonly kind: 'lot'; readonly lotIds: string[] }
  | { readonly kind: 'container'; readonly containerNo: string }
  | {
      readonly kind: 'producer';
      readonly producerId: string;
      readonly productionFrom: string;
      readonly productionTo: string;
    }
  | PeerIncidentTrigger;

/**
 * PeerIncidentTrigger opens an incident that follows one on a peer's log (app/recognition): the peer's incident (its
 * origin, id, number, and the index and leaf hash of its entry), the incident it all started from, and the lots of it
 * that this node holds.
 */
export type PeerIncidentTrigger = {
  readonly kind: 'peer_incident';
  readonly origin: string;
  readonly incidentId: string;
  readonly number: number;
  readonly index: number;
  readonly leafHash: string;
  readonly rootOrigin: string;
  readonly rootIncidentId: string;
  readonly lotIds: string[];
};

export interface OpenIncidentInput {
  readonly trigger: IncidentTrigger;
  readonly title?: string;
  readonly scope?: Partial<IncidentScope>;
  readonly windowFrom?: number;
  readonly windowTo?: number;
}

// A log entry holds at most 65,535 bytes; an incident's lists are packed into entries of this many bytes of rows.
const ENTRY_BUDGET = 48_000;
const kg = (grams: number) => grams / 1000;

async function rootLots(db: Db, t: IncidentTrigger): Promise<LotRow[]> {
  let rows: LotRow[];
  let field: string;
  switch (t.kind) {
    case 'positive_result':
      rows = await db.selectFrom('lots').selectAll().where('id', '=', t.lotId).execute();
      field = 'trigger.lotId';
      break;
    case 'lot':
    case 'peer_incident': {
      const ids = [...new Set(t.lotIds)];
      rows = await inChunks(ids, (c) => db.selectFrom('lots').selectAll().where('id', 'in', c).execute());
      const missing = ids.find((id) => !rows.some((r) => r.id === id));
      if (missing) throw notFound('LotNotFound', `trigger.lotIds.${ids.indexOf(missing)}`, missing);
      return rows;
    }
    case 'container':
      rows = await db
        .selectFrom('lots')
        .selectAll()
        .where('containerNo', '=', t.containerNo.trim().toUpperCase())
        .where('origin', '=', 'imported')
        .execute();
      field = 'trigger.containerNo';
      break;
    case 'producer':
      if (t.productionFrom > t.productionTo) throw invalid('trigger.productionTo', 'is before productionFrom');
      rows = await db
        .selectFrom('lots')
        .selectAll()
        .where('producerId', '=', t.producerId)
        .where('productionDate', '>=', t.productionFrom)
        .where('productionDate', '<=', t.productionTo)
        .where('origin', '=', 'imported')
        .execute();
      field = 'trigger.producerId';
      break;
  }
  if (rows.length === 0) throw new AppError('LotNotFound', { field, reason: 'no lot matches this trigger' });
  return rows;
}

function defaultTitle(t: IncidentTrigger, roots: readonly LotRow[]): string {
  const first = roots[0]!;
  const product = first.productNameZh ?? first.productNameEn ?? first.code;
  switch (t.kind) {
    case 'positive_result':
      return `${product} 批次 ${first.code} 核酸检测阳性 / positive nucleic-acid result, lot ${first.code}`;
    case 'lot':
      return `${product} 等 ${roots.length} 个批次 / ${roots.length} lot(s) from ${first.code}`;
    case 'container':
      return `集装箱 ${t.containerNo} / container ${t.containerNo}`;
    case 'producer':
      return `生产企业 ${first.producerId} ${t.productionFrom}–${t.productionTo} / producer ${first.producerId}`;
    case 'peer_incident':
      return `${t.origin} 第 ${t.number} 号事件 / incident ${t.number} of ${t.origin}`;
  }
}

/**
 * openIncidentWith opens an incident inside the caller's write, so that a positive result and the incident it opens
 * commit together: if the node dies in between, neither happened. It computes the affected set (see incident-scope),
 * freezes every affected lot (red, "incident N") with a status patch from the one status function, records what each
 * holder must account for and every contact, and packs all of it into as many log entries as it needs, all in this
 * transaction. `partyId` is who submits the entries (null: the node itself).
 */
export async function openIncidentWith(w: Writer, deps: Deps, partyId: string | null, input: OpenIncidentInput) {
  const roots = await rootLots(w.trx, input.trigger);
  const scope = { ...(await incidentScopeFor(w.trx, roots[0]!.region, DEFAULT_INCIDENT_SCOPE)), ...input.scope };
  const lots = await affectedLots(w.trx, roots, scope);
  const lotIds = lots.map((l) => l.lot.id);
  const [held, touches] = await Promise.all([affectedHoldings(w.trx, lotIds), incidentTouches(w.trx, lotIds)]);
  // The window follows the events' own times: a chain typed in days late still has its contacts.
  const own = touchWindow(
    touches,
    lots.map((l) => Number(l.lot.createdAt)),
    w.now,
  );
  const from = input.windowFrom ?? own.from;
  const to = input.windowTo ?? own.to;
  if (to < from) throw invalid('windowTo', 'is before windowFrom');
  const contacts = contactsOf(touches, from, to);
  const last = await w.trx
    .selectFrom('incidents')
    .select((eb) => eb.fn.max('number').as('n'))
    .executeTakeFirst();
  const number = Number(last?.n ?? 0) + 1;
  const id = newId('inc');
  const regions = [...new Set([...lots.map((l) => l.lot.region), ...held.map((h) => h.region)])].sort();

  const facts = await collectFactsMany(
    w.trx,
    lots.map((l) => l.lot),
  );
  const lotStatuses: LotStatusPatch[] = lots.map(({ lot }) => {
    const f = facts.get(lot.id)!;
    return statusPatch(lot, { ...f, openIncidents: [...(f.openIncidents ?? []), { id, number }] }, w.now);
  });
  const incident = {
    id,
    number,
    title: input.title?.trim() || defaultTitle(input.trigger, roots),
    triggerKind: input.trigger.kind,
    trigger: input.trigger,
    scope,
    windowFrom: from,
    windowTo: to,
    status: 'open',
    regions,
    openedBy: partyId,
    openedAt: w.now,
    closedBy: null,
    closedAt: null,
    closeReason: null,
    ...(input.trigger.kind === 'peer_incident'
      ? { rootOrigin: input.trigger.rootOrigin, rootIncidentId: input.trigger.rootIncidentId }
      : {}),
    updatedAt: w.now,
  };
  const lists = {
    incidentLots: lots.map((l) => ({
      incidentId: id,
      lotId: l.lot.id,
      reason: l.reason,
      depth: l.depth,
      clearedAt: null,
      clearedBy: null,
    })),
    lotStatuses,
    incidentHoldings: held.map((h) => ({
      incidentId: id,
      holdingId: h.holdingId,
      lotId: h.lotId,
      partyId: h.partyId,
      locationId: h.locationId,
      region: h.region,
      grams: h.grams,
      cartons: h.cartons,
      inTransit: h.inTransit ? 1 : 0,
    })),
    incidentContacts: contacts.map((c) => ({ incidentId: id, ...c })),
  };
  const overhead = Buffer.byteLength(JSON.stringify(incident), 'utf8');
  const [first, ...rest] = packParts(lists, ENTRY_BUDGET, overhead);
  const logIndex = await w.append('incident.opened', partyId, { incident, ...first });
  for (const chunk of rest) await w.append('incident.extended', partyId, { incidentId: id, ...chunk });
  const { alerts } = await appendWithAlerts(
    w,
    'incident.extended',
    partyId,
    { incidentId: id },
    await openingAlerts(
      w.trx,
      { id, number, title: incident.title, regions },
      lots.map((l) => l.lot),
      held,
    ),
  );
  return {
    alerts: alertRefs(alerts),
    id,
    number,
    logIndex,
    lots: lots.length,
    holders: new Set(held.map((h) => h.partyId)).size,
    affectedKg: kg(held.reduce((n, h) => n + h.grams, 0)),
    holderIds: [...new Set(held.map((h) => h.partyId))].sort(),
  };
}

/** openIncident is a regulator's or customs' manual opening, from lots, a container, or a producer and date range. */
export async function openIncident(deps: Deps, actor: Actor, input: OpenIncidentInput, idem?: Idempotency) {
  if (!mayAttempt(actor, 'incident.open')) throw forbid('incident.open');
  if (input.trigger.kind === 'positive_result')
    throw invalid('trigger.kind', 'a positive result opens its incident by itself');
  const opened = await commit(deps, idem, (w) => openIncidentWith(w, deps, actor.partyId, input));
  announceAlerts(deps.events, opened.alerts);
  return getIncident(deps, actor, opened.id);
}

const MAX_LOTS_IN_ALERT = 50;

/**
 * openingAlerts addresses an incident's alerts: every holder, with what it must hold and where (goods in transit to it
 * included); every importer of an affected lot that holds none of it now; and the regulators of every region the
 * goods reached, with the totals.
 */
async function openingAlerts(
  db: Db,
  inc: { id: string; number: number; title: string; regions: readonly string[] },
  lots: readonly LotRow[],
  held: readonly (Affected & { inTransit: boolean })[],
): Promise<AlertInput[]> {
  const code = new Map(lots.map((l) => [l.id, l.code]));
  const title = {
    zh: `第 ${inc.number} 号事件：涉事货物已冻结，请立即封存并报告处置情况`,
    en: `Incident ${inc.number}: affected goods are frozen; hold them and report what you do with them`,
  };
  const byParty = new Map<string, (Affected & { inTransit: boolean })[]>();
  for (const h of held) byParty.set(h.partyId, [...(byParty.get(h.partyId) ?? []), h]);
  const out: AlertInput[] = [...byParty.entries()].map(([partyId, rows]) => ({
    partyId,
    kind: 'incident.opened',
    severity: 'critical',
    title,
    body: {
      incidentId: inc.id,
      number: inc.number,
      totalKg: kg(rows.reduce((n, r) => n + r.grams, 0)),
      holdings: rows.slice(0, MAX_LOTS_IN_ALERT).map((r) => ({
        lotId: r.lotId,
        code: code.get(r.lotId) ?? null,
        locationId: r.locationId,
        kg: kg(r.grams),
        cartons: r.cartons,
        inTransit: r.inTransit,
      })),
      more: Math.max(0, rows.length - MAX_LOTS_IN_ALERT),
    },
  }));
  for (const importer of new Set(lots.map((l) => l.importerPartyId))) {
    if (byParty.has(importer)) continue;
    const own = lots.filter((l) => l.importerPartyId === importer);
    out.push({
      partyId: importer,
      kind: 'incident.opened',
      severity: 'critical',
      title,
      body: {
        incidentId: inc.id,
        number: inc.number,
        lots: own.slice(0, MAX_LOTS_IN_ALERT).map((l) => ({ lotId: l.id, code: l.code })),
        holdings: [],
      },
    });
  }
  const regulators = await db
    .selectFrom('parties')
    .select(['id', 'region', 'roles', 'level'])
    .where('region', 'in', [...inc.regions])
    .where('roles', 'like', '%"regulator"%')
    .execute();
  for (const r of regulators) {
    if (byParty.has(r.id)) continue;
    const here = held.filter((h) => h.region === r.region);
    out.push({
      partyId: r.id,
      kind: 'incident.opened',
      severity: 'critical',
      title: {
        zh: `第 ${inc.number} 号事件涉及本辖区：${inc.title}`,
        en: `Incident ${inc.number} reached your region: ${inc.title}`,
      },
      body: {
        incidentId: inc.id,
        number: inc.number,
        region: r.region,
        holders: new Set(here.map((h) => h.partyId)).size,
        totalKg: kg(here.reduce((n, h) => n + h.grams, 0)),
      },
    });
  }
  return out;
}

async function findIncident(db: Db, id: string) {
  return db.selectFrom('incidents').selectAll().where('id', '=', id).executeTakeFirst();
}

/**
 * incidentAudience tells how much of an incident the actor sees: 'all' for national regulators, customs, auditors and
 * the regulators of any region the goods reached; 'own' for a holder or importer of affected goods (its own quantities
 * only); null for anyone else.
 */
async function incidentAudience(db: Db, actor: Actor, inc: IncidentRow): Promise<'all' | 'own' | null> {
  if (actor.roles.includes('customs') || actor.roles.includes('auditor') || (isRegulator(actor) && actor.national))
    return 'all';
  if (isRegulator(actor) && (JSON.parse(inc.regions) as string[]).includes(actor.region)) return 'all';
  const holds = await db
    .selectFrom('incidentHoldings')
    .select('holdingId')
    .where('incidentId', '=', inc.id)
    .where('partyId', '=', actor.partyId)
    .executeTakeFirst();
  if (holds) return 'own';
  const owns = await db
    .selectFrom('incidentLots')
    .innerJoin('lots', 'lots.id', 'incidentLots.lotId')
    .select('lots.id')
    .where('incidentLots.incidentId', '=', inc.id)
    .where('lots.importerPartyId', '=', actor.partyId)
    .executeTakeFirst();
  return owns ? 'own' : null;
}

async function visibleIncident(db: Db, actor: Actor, id: string) {
  const inc = await findIncident(db, id);
  const audience = inc ? await incidentAudience(db, actor, inc) : null;
  if (!inc || !audience) throw notFound('IncidentNotFound', 'id', id);
  return { inc, audience };
}

const toAction = (a: IncidentActionRow) => ({
  id: a.id,
  lotId: a.lotId,
  partyId: a.partyId,
  locationId: a.locationId,
  action: a.action,
  quantity: { kg: kg(Number(a.grams)), cartons: a.cartons },
  referenceDoc: a.referenceDoc,
  note: a.note,
  at: iso(Number(a.at)),
  recordedAt: iso(Number(a.createdAt)),
  status: a.status,
  recordedBy: a.recordedBy,
  decidedBy: a.decidedBy,
  decidedAt: iso(a.decidedAt === null ? null : Number(a.decidedAt)),
  decisionNote: a.decisionNote,
  logIndex: Number(a.logIndex),
});

/** getIncident shows an incident: all of it to its regulators, a holder's own quantities and actions to a holder. */
export async function getIncident(deps: Deps, actor: Actor, id: string) {
  const { inc, audience } = await visibleIncident(deps.db, actor, id);
  const acc = await incidentAccounts(deps.db, id, audience === 'own' ? actor.partyId : undefined);
  const lots = await deps.db
    .selectFrom('incidentLots')
    .innerJoin('lots', 'lots.id', 'incidentLots.lotId')
    .select([
      'lots.id',
      'lots.code',
      'lots.productNameZh',
      'lots.productNameEn',
      'lots.status',
      'lots.importerPartyId',
      'lots.region',
      'incidentLots.reason',
      'incidentLots.depth',
      'incidentLots.clearedAt',
    ])
    .where('incidentLots.incidentId', '=', id)
    .orderBy('incidentLots.depth')
    .orderBy('lots.id')
    .execute();
  const mine = new Set(acc.rows.map((r) => r.lotId));
  const provinces = audience === 'all' ? await provinceAccounts(deps, deps.db, inc) : [];
  const contacts =
    audience === 'all'
      ? await deps.db
          .selectFrom('incidentContacts')
          .selectAll()
          .where('incidentId', '=', id)
          .orderBy('kind')
          .orderBy('refId')
          .execute()
      : [];
  return {
    ...incidentSummary(inc),
    audience,
    lots: lots
      .filter((l) => audience === 'all' || mine.has(l.id) || l.importerPartyId === actor.partyId)
      .map((l) => ({
        id: l.id,
        code: l.code,
        productNameZh: l.productNameZh,
        productNameEn: l.productNameEn,
        status: l.status,
        region: l.region,
        reason: l.reason,
        depth: l.depth,
        cleared: l.clearedAt !== null,
      })),
    holdings: acc.rows.map((r) => ({
      holdingId: r.holdingId,
      lotId: r.lotId,
      partyId: r.partyId,
      locationId: r.locationId,
      region: r.region,
      inTransit: r.inTransit,
      ...tallyOut(r),
    })),
    byHolder: acc.byParty.map((p) => ({ partyId: p.partyId, ...tallyOut(p) })),
    byRegion: acc.byRegion.map((p) => ({ region: p.region, ...tallyOut(p) })),
    total: tallyOut(acc.total),
    // Every other node's share of an incident that reached several provinces, as their logs show it.
    provinces: provinces.map(provinceOut),
    actions: acc.actions.map(toAction),
    contacts: contacts.map((c) => ({
      kind: c.kind,
      id: c.refId,
      label: c.label,
      partyId: c.partyId,
      firstAt: iso(Number(c.firstAt)),
      lastAt: iso(Number(c.lastAt)),
      lotIds: JSON.parse(c.lotIds) as string[],
    })),
  };
}

const incidentSummary = (inc: IncidentRow) => ({
  id: inc.id,
  number: Number(inc.number),
  title: inc.title,
  status: inc.status,
  trigger: JSON.parse(inc.trigger) as IncidentTrigger,
  scope: JSON.parse(inc.scope) as IncidentScope,
  window: { from: iso(Number(inc.windowFrom)), to: iso(Number(inc.windowTo)) },
  regions: JSON.parse(inc.regions) as string[],
  openedBy: inc.openedBy,
  openedAt: iso(Number(inc.openedAt)),
  closedBy: inc.closedBy,
  closedAt: iso(inc.closedAt === null ? null : Number(inc.closedAt)),
  closeReason: inc.closeReason,
  logIndex: Number(inc.logIndex),
});

/**
 * listIncidents lists, newest first, the incidents the actor may see (as incidentAudience decides, in SQL): all of
 * them for national regulators, customs and auditors; those whose goods reached its region for a provincial
 * regulator; those it holds affected goods in, or imported affected lots of, for a business.
 */
export async function listIncidents(
  deps: Deps,
  actor: Actor,
  f: { status?: 'open' | 'closed'; limit?: number; cursor?: string },
) {
  const page = pageRequest(f.limit, f.cursor);
  let q = deps.db
    .selectFrom('incidents')
    .selectAll()
    .orderBy('id', 'desc')
    .limit(page.limit + 1);
  if (f.status) q = q.where('status', '=', f.status);
  if (page.after) q = q.where('id', '<', page.after);
  const everything =
    actor.roles.includes('customs') || actor.roles.includes('auditor') || (isRegulator(actor) && actor.national);
  if (!everything && isRegulator(actor)) q = q.where('regions', 'like', `%"${actor.region}"%`);
  else if (!everything) {
    q = q.where((eb) =>
      eb.or([
        eb('id', 'in', eb.selectFrom('incidentHoldings').select('incidentId').where('partyId', '=', actor.partyId)),
        eb(
          'id',
          'in',
          eb
            .selectFrom('incidentLots')
            .innerJoin('lots', 'lots.id', 'incidentLots.lotId')
            .select('incidentLots.incidentId')
            .where('lots.importerPartyId', '=', actor.partyId),
        ),
      ]),
    );
  }
  return pageOf(await q.execute(), page, incidentSummary);
}

export interface ActionInput {
  readonly lotId: string;
  readonly locationId: string | null;
  readonly action: IncidentAction;
  readonly quantity: { kg: number; cartons: number };
  readonly at: number;
  readonly referenceDoc?: string | null;
  readonly note?: string | null;
}

/**
 * recordIncidentAction records what a holder did with affected goods it holds: sealed them in place, destroyed or
 * returned them (which also disposes of them, in the same write), or had them retested negative (which counts only
 * once a regulator approves it). The quantity may not exceed what is still outstanding at that holding.
 */
export async function recordIncidentAction(deps: Deps, actor: Actor, incidentId: string, input: ActionInput) {
  if (!mayAttempt(actor, 'incident.act')) throw forbid('incident.act');
  const q = grams('quantity', input.quantity);
  if (q.grams === 0 && q.cartons === 0) throw invalid('quantity', 'must not be zero');
  const referenceDoc = input.referenceDoc?.trim() || null;
  if (input.action !== 'sealed' && !referenceDoc)
    throw invalid('referenceDoc', `must name the record of the ${input.action.replace('_', ' ')} goods`);
  return commit(deps, undefined, async (w) => {
    await checkEventTimes(w, actor, { at: input.at });
    const inc = await findIncident(w.trx, incidentId);
    if (!inc || (await incidentAudience(w.trx, actor, inc)) === null)
      throw notFound('IncidentNotFound', 'id', incidentId);
    if (inc.status !== 'open') throw new AppError('Conflict', { field: 'id', reason: 'the incident is closed' });
    const hid = holdingId(input.lotId, actor.partyId, input.locationId);
    const acc = await incidentAccounts(w.trx, incidentId, actor.partyId);
    const row = acc.rows.find((r) => r.holdingId === hid);
    if (!row)
      throw new AppError('UnknownReference', {
        field: 'lotId',
        reason: 'you hold no affected goods of this lot at this location in this incident',
      });
    const open = row.outstandingGrams - row.pendingGrams;
    if (q.grams > open || q.cartons > row.outstandingCartons) {
      throw new AppError('InsufficientQuantity', {
        field: 'quantity',
        reason: `${kg(open)} kg in ${row.outstandingCartons} cartons are still to be accounted for here`,
        outstanding: { kg: kg(open), cartons: row.outstandingCartons },
      });
    }
    if (input.action === 'destroyed' || input.action === 'returned') {
      await disposeWith(w, deps, actor, input.lotId, {
        locationId: input.locationId,
        quantity: input.quantity,
        method: input.action,
        referenceDoc: referenceDoc!,
        at: input.at,
      });
    }
    const incidentAction = {
      id: newId('ina'),
      incidentId,
      holdingId: hid,
      lotId: input.lotId,
      partyId: actor.partyId,
      locationId: input.locationId,
      action: input.action,
      ...q,
      referenceDoc,
      note: input.note?.trim() || null,
      at: input.at,
      status: ACTION_NEEDS_APPROVAL[input.action] ? 'pending_approval' : 'accepted',
      recordedBy: actor.partyId,
      decidedBy: null,
      decidedAt: null,
      decisionNote: null,
      createdAt: w.now,
      updatedAt: w.now,
    };
    const logIndex = await w.append('incident.action.recorded', actor.partyId, { incidentAction });
    return toAction({ ...incidentAction, logIndex });
  });
}

async function regulatorOf(db: Db, actor: Actor, incidentId: string) {
  const inc = await findIncident(db, incidentId);
  if (!inc || (await incidentAudience(db, actor, inc)) !== 'all') throw notFound('IncidentNotFound', 'id', incidentId);
  return inc;
}

/** statusesWithout recomputes the statuses of lots as if they were no longer in incident `incidentId`. */
async function statusesWithout(w: Writer, incidentId: string, lotIds: readonly string[]) {
  const lots = await inChunks(lotIds, (c) => w.trx.selectFrom('lots').selectAll().where('id', 'in', c).execute());
  const facts = await collectFactsMany(w.trx, lots);
  return lots.map((lot) => {
    const f = facts.get(lot.id)!;
    return statusPatch(
      lot,
      { ...f, openIncidents: (f.openIncidents ?? []).filter((i) => (typeof i === 'string' ? i : i.id) !== incidentId) },
      w.now,
    );
  });
}

/**
 * decideIncidentAction is a regulator's approval or rejection of a negative retest. An approval accounts for the
 * retested quantity at that holder's holding alone: the lot stays frozen, and every other holder still accounts for
 * its own goods. Releasing the lot is a separate act (releaseIncidentLot).
 */
export async function decideIncidentAction(
  deps: Deps,
  actor: Actor,
  incidentId: string,
  actionId: string,
  input: { approve: boolean; note?: string | null },
) {
  if (!mayAttempt(actor, 'incident.manage')) throw forbid('incident.manage');
  return commit(deps, undefined, async (w) => {
    const inc = await regulatorOf(w.trx, actor, incidentId);
    if (inc.status !== 'open') throw new AppError('Conflict', { field: 'id', reason: 'the incident is closed' });
    const a = await w.trx
      .selectFrom('incidentActions')
      .selectAll()
      .where('id', '=', actionId)
      .where('incidentId', '=', incidentId)
      .executeTakeFirst();
    if (!a) throw notFound('NotFound', 'actionId', actionId);
    if (a.status !== 'pending_approval')
      throw new AppError('Conflict', {
        field: 'actionId',
        reason: `this action is ${a.status}, not awaiting approval`,
      });
    const { logIndex: _, ...prior } = a;
    const incidentAction = {
      ...prior,
      status: input.approve ? 'approved' : 'rejected',
      decidedBy: actor.partyId,
      decidedAt: w.now,
      decisionNote: input.note?.trim() || null,
      updatedAt: w.now,
    };
    const notice: AlertInput = {
      partyId: a.partyId,
      kind: 'incident.updated',
      severity: 'warning',
      title: input.approve
        ? {
            zh: `第 ${inc.number} 号事件：复检阴性已获批准`,
            en: `Incident ${inc.number}: your negative retest was approved`,
          }
        : {
            zh: `第 ${inc.number} 号事件：复检结果未获批准`,
            en: `Incident ${inc.number}: your negative retest was not approved`,
          },
      body: { incidentId, number: Number(inc.number), actionId, lotId: a.lotId, approved: input.approve },
    };
    const { logIndex, alerts } = await appendWithAlerts(
      w,
      'incident.action.decided',
      actor.partyId,
      { incidentAction },
      [notice],
    );
    return { ...toAction({ ...incidentAction, logIndex }), alerts: alertRefs(alerts) };
  }).then(({ alerts, ...rest }) => {
    announceAlerts(deps.events, alerts);
    return rest;
  });
}

/**
 * releaseIncidentLot is a regulator's explicit release of one lot from an open incident, with a stated reason: the
 * lot's status is recomputed without the incident (green again if nothing else holds it, red still if, say, it tested
 * positive itself), and every holder of it is told why. It accounts for nothing: each holder's goods stay outstanding
 * until that holder acts or the incident is closed.
 */
export async function releaseIncidentLot(
  deps: Deps,
  actor: Actor,
  incidentId: string,
  lotId: string,
  input: { reason?: string | null },
) {
  if (!mayAttempt(actor, 'incident.manage')) throw forbid('incident.manage');
  const reason = input.reason?.trim() || null;
  if (!reason) throw invalid('reason', 'releasing a lot from an incident needs a stated reason');
  return commit(deps, undefined, async (w) => {
    const inc = await regulatorOf(w.trx, actor, incidentId);
    if (inc.status !== 'open') throw new AppError('Conflict', { field: 'id', reason: 'the incident is closed' });
    const lotRow = await w.trx
      .selectFrom('incidentLots')
      .selectAll()
      .where('incidentId', '=', incidentId)
      .where('lotId', '=', lotId)
      .executeTakeFirst();
    if (!lotRow) throw notFound('LotNotFound', 'lotId', lotId);
    if (lotRow.clearedAt !== null)
      throw new AppError('Conflict', { field: 'lotId', reason: 'this lot is already released from the incident' });
    const { logIndex: _, ...prior } = lotRow;
    const incidentLot = { ...prior, clearedAt: w.now, clearedBy: actor.partyId };
    const [status] = await statusesWithout(w, incidentId, [lotId]);
    const holders = await w.trx
      .selectFrom('incidentHoldings')
      .select('partyId')
      .distinct()
      .where('incidentId', '=', incidentId)
      .where('lotId', '=', lotId)
      .orderBy('partyId')
      .execute();
    const notices: AlertInput[] = holders.map((h) => ({
      partyId: h.partyId,
      kind: 'incident.updated',
      severity: 'warning',
      title: {
        zh: `第 ${inc.number} 号事件：监管部门已解除该批次冻结（${reason}）`,
        en: `Incident ${inc.number}: the regulator released the lot (${reason})`,
      },
      body: { incidentId, number: Number(inc.number), lotId, released: true, reason },
    }));
    const { logIndex, alerts } = await appendWithAlerts(
      w,
      'incident.lot.released',
      actor.partyId,
      { release: { incidentId, lotId, reason }, incidentLots: [incidentLot], lotStatuses: [status!] },
      notices,
    );
    return {
      incidentId,
      lotId,
      reason,
      releasedBy: actor.partyId,
      releasedAt: iso(w.now),
      status: status!.status,
      logIndex,
      alerts: alertRefs(alerts),
    };
  }).then(({ alerts, ...rest }) => {
    announceAlerts(deps.events, alerts);
    return rest;
  });
}

/**
 * closeIncident closes an incident once every affected kilogram is accounted for. With kilograms still outstanding,
 * a regulator may close it only by stating why; without a reason the answer is 409 with what is outstanding per holder.
 * Closing recomputes every lot still frozen in it, without it.
 */
export async function closeIncident(deps: Deps, actor: Actor, incidentId: string, input: { reason?: string | null }) {
  if (!mayAttempt(actor, 'incident.manage')) throw forbid('incident.manage');
  const reason = input.reason?.trim() || null;
  return commit(deps, undefined, async (w) => {
    const inc = await regulatorOf(w.trx, actor, incidentId);
    if (inc.status !== 'open')
      throw new AppError('Conflict', { field: 'id', reason: 'the incident is already closed' });
    const acc = await incidentAccounts(w.trx, incidentId);
    if (acc.total.outstandingGrams > 0 && !reason) {
      throw new AppError('IncidentOutstanding', {
        field: 'reason',
        reason: `${kg(acc.total.outstandingGrams)} kg are not yet accounted for; close with a stated reason or wait for the holders`,
        outstanding: acc.byParty
          .filter((p) => p.outstandingGrams > 0)
          .map((p) => ({ partyId: p.partyId, kg: kg(p.outstandingGrams), cartons: p.outstandingCartons })),
      });
    }
    // An incident that started here closes only when every province it reached has accounted for every kg.
    if (!inc.rootOrigin && !reason) {
      const open = (await provinceAccounts(deps, w.trx, inc)).filter((p) => p.tally.outstandingGrams > 0);
      if (open.length > 0)
        throw new AppError('IncidentOutstanding', {
          field: 'reason',
          reason: `${kg(open.reduce((n, p) => n + p.tally.outstandingGrams, 0))} kg are not yet accounted for in other provinces; close with a stated reason or wait for them`,
          outstanding: [],
          provinces: open.map((p) => ({
            origin: p.origin,
            node: p.node,
            region: p.region,
            kg: kg(p.tally.outstandingGrams),
            cartons: p.tally.outstandingCartons,
          })),
        });
    }
    const frozen = await w.trx
      .selectFrom('incidentLots')
      .select('lotId')
      .where('incidentId', '=', incidentId)
      .where('clearedAt', 'is', null)
      .execute();
    const { logIndex: _, ...prior } = inc;
    const incident = {
      ...prior,
      number: Number(prior.number),
      trigger: JSON.parse(inc.trigger) as unknown,
      scope: JSON.parse(inc.scope) as unknown,
      regions: JSON.parse(inc.regions) as unknown,
      status: 'closed',
      closedBy: actor.partyId,
      closedAt: w.now,
      closeReason: reason,
      updatedAt: w.now,
    };
    const [first, ...rest] = packParts(
      {
        lotStatuses: await statusesWithout(
          w,
          incidentId,
          frozen.map((f) => f.lotId),
        ),
      },
      ENTRY_BUDGET,
      Buffer.byteLength(JSON.stringify(incident)),
    );
    const logIndex = await w.append('incident.closed', actor.partyId, { incident, ...first });
    for (const chunk of rest) await w.append('incident.extended', actor.partyId, { incidentId, ...chunk });
    const holders = [...new Set(acc.rows.map((r) => r.partyId))];
    const { alerts } = await appendWithAlerts(
      w,
      'incident.extended',
      actor.partyId,
      { incidentId },
      holders.map((partyId) => ({
        partyId,
        kind: 'incident.closed',
        severity: 'info',
        title: { zh: `第 ${inc.number} 号事件已结案`, en: `Incident ${inc.number} is closed` },
        body: { incidentId, number: Number(inc.number), reason },
      })),
    );
    return {
      ...incidentSummary({
        ...inc,
        status: 'closed',
        closedBy: actor.partyId,
        closedAt: w.now,
        closeReason: reason,
        logIndex,
      }),
      outstanding: { kg: kg(acc.total.outstandingGrams) },
      alerts: alertRefs(alerts),
    };
  }).then(({ alerts, ...rest }) => {
    announceAlerts(deps.events, alerts);
    return rest;
  });
}
