import type { Kysely, Transaction } from 'kysely';
import type { Actor } from '../../domain/access.ts';
import type { AlertKind, Severity } from '../../domain/webhook.ts';
import type { AlertAckRow, AlertRow, Schema } from '../../store/schema.ts';
import { logSize } from '../../store/log-store.ts';
import { AppError, invalid, notFound } from '../errors.ts';
import type { Writer } from '../write/commit.ts';
import { commit } from '../write/commit.ts';
import type { Deps } from '../deps.ts';
import type { EntryType } from '../write/entry.ts';
import { MAX_ENTRY_BYTES } from '../write/entry.ts';
import type { EventBus } from '../write/events.ts';
import { newId } from '../write/ids.ts';
import type { Page } from '../access/paging.ts';
import { iso, pageOf, pageRequest } from '../access/paging.ts';

/*
 * Alerts: one party's inbox, fed by any entry that carries an `alerts` part. An alert never changes once
 * raised; its acknowledgement is a row of its own. To raise alerts from a use case (an incident, say):
 *
 *   const r = await commit(deps, idem, async (w) => {
 *     ...
 *     const { logIndex, alerts } = await appendWithAlerts(w, 'incident.opened', actor.partyId, { incident, ... }, inputs);
 *     return { ..., logIndex, alerts: alertRefs(alerts) };
 *   });
 *   announceAlerts(deps.events, r.alerts);
 *
 * appendWithAlerts appends the entry with the alerts that fit beside it, then 'alerts.raised' entries for
 * the rest, and queues a webhook delivery per (alert, matching webhook), all in the caller's transaction:
 * if the transaction commits, every alert is in the log and every delivery in the queue; if it does not,
 * neither is. announceAlerts, after commit, wakes the event streams of the addressees.
 */

/** AlertInput is one alert to raise: to whom, what kind, how urgent, its title and what to act on. */
export interface AlertInput {
  readonly partyId: string;
  readonly kind: AlertKind;
  readonly severity: Severity;
  readonly title: { readonly zh: string | null; readonly en: string | null };
  /** body is what the addressee must act on, e.g. { incidentId, lots: [{ lotId, kg, cartons }] }; keep it small. */
  readonly body: Readonly<Record<string, unknown>>;
}

/** AlertRecord is an alert as an entry's `alerts` part carries it: the whole row. */
export interface AlertRecord {
  readonly id: string;
  readonly partyId: string;
  readonly kind: string;
  readonly severity: string;
  readonly titleZh: string | null;
  readonly titleEn: string | null;
  readonly body: Readonly<Record<string, unknown>>;
  readonly createdAt: number;
}

/** AlertRef names a raised alert and its addressee: what announceAlerts needs after commit. */
export interface AlertRef {
  readonly id: string;
  readonly partyId: string;
}

/** Alert is an alert as the API, the webhooks and the event stream show it. */
export interface Alert {
  id: string;
  partyId: string;
  kind: string;
  severity: string;
  title: { zh: string | null; en: string | null };
  body: Record<string, unknown>;
  createdAt: string | null;
  acknowledgedAt: string | null;
  acknowledgedBy: string | null;
  ackNote: string | null;
  /** logIndex is the entry that last changed the alert: its acknowledgement, or else the entry that raised it. */
  logIndex: number;
}

/** alertsPart gives each input an id and the write's time: the rows an entry carries as its `alerts` part. Pure but for the ids. */
export function alertsPart(now: number, inputs: readonly AlertInput[]): AlertRecord[] {
  return inputs.map((a) => ({
    id: newId('alr'),
    partyId: a.partyId,
    kind: a.kind,
    severity: a.severity,
    titleZh: a.title.zh,
    titleEn: a.title.en,
    body: a.body,
    createdAt: now,
  }));
}

/** alertRefs keeps what announceAlerts needs of raised alerts. */
export function alertRefs(alerts: readonly AlertRecord[]): AlertRef[] {
  return alerts.map((a) => ({ id: a.id, partyId: a.partyId }));
}

// Room left in an entry for its envelope and the JSON around the alerts list; sizes below are of UTF-8 JSON,
// which is what the canonical form is, give or take key order.
const ENVELOPE_BYTES = 1024;
const bytesOf = (v: unknown) => Buffer.byteLength(JSON.stringify(v), 'utf8');

/**
 * chunkAlerts splits alerts, in order, into lists that each fit in one entry: the first beside a record
 * of firstUsed bytes, the others alone. The first list may be empty. An alert too large for any entry gets
 * a list of its own, and appending it fails with EntryTooLarge.
 */
export function chunkAlerts(alerts: readonly AlertRecord[], firstUsed: number): AlertRecord[][] {
  const chunks: AlertRecord[][] = [[]];
  let room = MAX_ENTRY_BYTES - ENVELOPE_BYTES - firstUsed;
  for (const a of alerts) {
    const size = bytesOf(a) + 1;
    if (size > room) {
      chunks.push([a]);
      room = MAX_ENTRY_BYTES - ENVELOPE_BYTES - size;
    } else {
      chunks[chunks.length - 1]!.push(a);
      room -= size;
    }
  }
  return chunks;
}

/**
 * appendWithAlerts appends an entry of type carrying record and as many of the alerts as fit beside it,
 * then 'alerts.raised' entries (each naming the first entry as its cause) for the rest, and queues their
 * webhook deliveries, all in w's transaction. It returns the first entry's log index and the alerts.
 * Call announceAlerts with them once the transaction has committed.
 */
export async function appendWithAlerts(
  w: Writer,
  type: EntryType,
  party: string | null,
  record: Record<string, unknown>,
  inputs: readonly AlertInput[],
): Promise<{ logIndex: number; alerts: AlertRecord[] }> {
  const alerts = alertsPart(w.now, inputs);
  const [first = [], ...rest] = chunkAlerts(alerts, bytesOf(record));
  const logIndex = await w.append(type, party, { ...record, alerts: first });
  for (const chunk of rest) await w.append('alerts.raised', party, { cause: { type, logIndex }, alerts: chunk });
  await queueDeliveries(w.trx, alerts, w.now);
  return { logIndex, alerts };
}

const IN_LIST = 500;

/**
 * queueDeliveries inserts, in trx, a pending delivery for every alert and every active webhook of its
 * addressee that takes the alert's kind. Call it in the transaction that appends the alerts (as
 * appendWithAlerts does), so that an alert committed is an alert queued, whatever happens next.
 */
export async function queueDeliveries(
  trx: Transaction<Schema>,
  alerts: readonly AlertRecord[],
  now: number,
): Promise<void> {
  const parties = [...new Set(alerts.map((a) => a.partyId))];
  const hooks = new Map<string, { id: string; kinds: string[] | null }[]>();
  for (let i = 0; i < parties.length; i += IN_LIST) {
    const rows = await trx
      .selectFrom('webhooks')
      .select(['id', 'partyId', 'kinds'])
      .where('partyId', 'in', parties.slice(i, i + IN_LIST))
      .where('disabledAt', 'is', null)
      .execute();
    for (const r of rows)
      hooks.set(r.partyId, [
        ...(hooks.get(r.partyId) ?? []),
        { id: r.id, kinds: r.kinds === null ? null : (JSON.parse(r.kinds) as string[]) },
      ]);
  }
  const deliveries = alerts.flatMap((a) =>
    (hooks.get(a.partyId) ?? [])
      .filter((h) => h.kinds === null || h.kinds.includes(a.kind))
      .map((h) => ({
        id: newId('dlv'),
        alertId: a.id,
        webhookId: h.id,
        status: 'pending',
        attempts: 0,
        nextAt: now,
        claim: null,
        createdAt: now,
        updatedAt: now,
      })),
  );
  for (let i = 0; i < deliveries.length; i += IN_LIST) {
    await trx
      .insertInto('alertDeliveries')
      .values(deliveries.slice(i, i + IN_LIST))
      .execute();
  }
}

/**
 * announceAlerts tells in-process subscribers (the event streams) that alerts were committed. Call it
 * only after the transaction that raised them committed; the rows are the record, so a stream that
 * misses an announcement still finds the alert when it next reads.
 */
export function announceAlerts(events: EventBus, alerts: readonly AlertRef[]): void {
  for (const a of alerts) events.emit({ type: 'alert.created', alertId: a.id, partyId: a.partyId });
}

type Db = Kysely<Schema> | Transaction<Schema>;
type Joined = AlertRow &
  Pick<AlertAckRow, 'acknowledgedAt' | 'acknowledgedBy' | 'note'> & { ackLogIndex: number | null };

const selectAlerts = (db: Db) =>
  db
    .selectFrom('alerts')
    .leftJoin('alertAcks', 'alertAcks.alertId', 'alerts.id')
    .selectAll('alerts')
    .select([
      'alertAcks.acknowledgedAt',
      'alertAcks.acknowledgedBy',
      'alertAcks.note',
      'alertAcks.logIndex as ackLogIndex',
    ]);

/** toAlert renders an alert row, with its acknowledgement if any, for the API. */
export function toAlert(r: Joined): Alert {
  return {
    id: r.id,
    partyId: r.partyId,
    kind: r.kind,
    severity: r.severity,
    title: { zh: r.titleZh, en: r.titleEn },
    body: JSON.parse(r.body) as Record<string, unknown>,
    createdAt: iso(r.createdAt),
    acknowledgedAt: iso(r.acknowledgedAt ?? null),
    acknowledgedBy: r.acknowledgedBy ?? null,
    ackNote: r.note ?? null,
    logIndex: r.ackLogIndex ?? r.logIndex,
  };
}

/** findAlert reads one alert with its acknowledgement, whoever it is addressed to. */
export async function findAlert(db: Db, id: string): Promise<Alert | undefined> {
  const r = await selectAlerts(db).where('alerts.id', '=', id).executeTakeFirst();
  return r && toAlert(r as Joined);
}

/** listAlerts pages through the actor's own inbox, newest first, optionally only what is unacknowledged or of one kind. */
export async function listAlerts(
  deps: Deps,
  actor: Actor,
  q: { unacknowledged?: boolean; kind?: string; limit?: number; cursor?: string },
): Promise<Page<Alert>> {
  const page = pageRequest(q.limit, q.cursor);
  let query = selectAlerts(deps.db)
    .where('alerts.partyId', '=', actor.partyId)
    .orderBy('alerts.id', 'desc')
    .limit(page.limit + 1);
  if (page.after) query = query.where('alerts.id', '<', page.after);
  if (q.unacknowledged) query = query.where('alertAcks.alertId', 'is', null);
  if (q.kind) query = query.where('alerts.kind', '=', q.kind);
  return pageOf((await query.execute()) as Joined[], page, toAlert);
}

/** getAlert returns an alert of the actor's own inbox; anyone else's reads as not found. */
export async function getAlert(deps: Deps, actor: Actor, id: string): Promise<Alert> {
  const a = await findAlert(deps.db, id);
  if (!a || a.partyId !== actor.partyId) throw notFound('AlertNotFound', 'id', id);
  return a;
}

/**
 * acknowledgeAlert records, in the log, that the addressee has seen an alert, with an optional note of
 * what it is doing. An alert is acknowledged once: a second time is AlreadyAcknowledged (409), naming
 * when and by whom.
 */
export async function acknowledgeAlert(deps: Deps, actor: Actor, id: string, note: string | null): Promise<Alert> {
  return commit(deps, undefined, async (w) => {
    const a = await findAlert(w.trx, id);
    if (!a || a.partyId !== actor.partyId) throw notFound('AlertNotFound', 'id', id);
    if (a.acknowledgedAt !== null) {
      throw new AppError('AlreadyAcknowledged', {
        field: 'id',
        reason: `acknowledged at ${a.acknowledgedAt}`,
        acknowledgedAt: a.acknowledgedAt,
        acknowledgedBy: a.acknowledgedBy,
      });
    }
    const alertAck = {
      alertId: id,
      partyId: a.partyId,
      acknowledgedAt: w.now,
      acknowledgedBy: actor.partyId,
      note: note?.trim() || null,
    };
    await w.append('alert.acknowledged', actor.partyId, { alertAck });
    return (await findAlert(w.trx, id))!;
  });
}

/** StreamCursor is a position in a party's alerts in log order: after alert id at logIndex. */
export interface StreamCursor {
  readonly logIndex: number;
  readonly id: string;
}

/**
 * alertsAfter returns up to limit of the party's alerts raised after cursor, in log order (the order
 * they committed in), each with its own cursor.
 */
export async function alertsAfter(
  db: Db,
  partyId: string,
  cursor: StreamCursor,
  limit: number,
): Promise<{ alert: Alert; cursor: StreamCursor }[]> {
  const rows = await selectAlerts(db)
    .where('alerts.partyId', '=', partyId)
    .where((eb) =>
      eb.or([
        eb('alerts.logIndex', '>', cursor.logIndex),
        eb.and([eb('alerts.logIndex', '=', cursor.logIndex), eb('alerts.id', '>', cursor.id)]),
      ]),
    )
    .orderBy('alerts.logIndex')
    .orderBy('alerts.id')
    .limit(limit)
    .execute();
  return (rows as Joined[]).map((r) => ({ alert: toAlert(r), cursor: { logIndex: r.logIndex, id: r.id } }));
}

/**
 * streamCursorAt is where an event stream starts: after the actor's alert lastEventId (400 if it is not
 * one of theirs), or, without one, after everything committed so far.
 */
export async function streamCursorAt(deps: Deps, actor: Actor, lastEventId: string | undefined): Promise<StreamCursor> {
  if (lastEventId === undefined || lastEventId === '') return { logIndex: await logSize(deps.db), id: '' };
  const r = await deps.db
    .selectFrom('alerts')
    .select(['logIndex', 'partyId'])
    .where('id', '=', lastEventId)
    .executeTakeFirst();
  if (!r || r.partyId !== actor.partyId) throw invalid('Last-Event-ID', 'is not the id of an alert of yours');
  return { logIndex: r.logIndex, id: lastEventId };
}
