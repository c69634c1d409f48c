/**
 * Keeping in step with other platforms, in the background: re-reading the lots recognised from each platform (a
 * recall declared there turns the goods red here), and pushing to a platform's channel every recall or positive here
 * that reaches goods with its code (a queue, like webhook deliveries: at least once, retried with backoff).
 *
 * A platform that cannot be read or does not take a notice holds up only itself: its lots keep what this node last
 * recorded, and its notices wait in the queue.
 */
import { createHash } from 'node:crypto';
import type { StatusReason } from '../../domain/lot-status.ts';
import { RED_REASON_CODES } from '../../domain/lot-status.ts';
import { CT_NS, CT_PREFIX, EPCIS_CONTEXT } from '../../epcis/identifiers.ts';
import type { LotRow, PlatformRow } from '../../store/schema.ts';
import type { Deps } from '../deps.ts';
import { AppError } from '../errors.ts';
import { newId } from '../write/ids.ts';
import { call } from './client.ts';
import { homeOriginOf } from './platforms.ts';
import { PlatformUnavailable, refreshLot } from './recognise.ts';

/** LOTS_PER_PASS bounds how many of a platform's lots one pass re-reads. */
const LOTS_PER_PASS = 100;
/** MAX_ATTEMPTS is how often a notice is tried before it is given up as failed. */
const MAX_ATTEMPTS = 10;

/** SyncResult says what one pass did. */
export interface SyncResult {
  readonly refreshed: number;
  readonly changed: number;
  readonly unavailable: string[];
  readonly queued: number;
  readonly delivered: number;
}

/** recallReasons are a lot's red reasons that are this node's own, not the platform's (those it knows already). */
function recallReasons(lot: LotRow, platformId: string): StatusReason[] {
  const reasons = JSON.parse(lot.statusReasons) as StatusReason[];
  return reasons.filter(
    (r) => (RED_REASON_CODES as readonly string[]).includes(r.code) && r.params?.platform !== platformId,
  );
}

/**
 * noticeDocument is what a platform is sent when goods with its code turn red here: an EPCIS 2.0 document with one
 * ObjectEvent of disposition `recalled`, naming the code (as a URI when it is one) and the reasons.
 */
export function noticeDocument(deps: Deps, lot: LotRow, reasons: readonly StatusReason[], at: number) {
  const uri = /^[a-z][a-z0-9+.-]*:/i.test(lot.code) ? lot.code : `${CT_NS}code:${encodeURIComponent(lot.code)}`;
  return {
    '@context': [EPCIS_CONTEXT, { [CT_PREFIX]: CT_NS }],
    type: 'EPCISDocument',
    schemaVersion: '2.0',
    creationDate: new Date(at).toISOString(),
    epcisBody: {
      eventList: [
        {
          type: 'ObjectEvent',
          eventTime: new Date(at).toISOString(),
          eventTimeZoneOffset: '+08:00',
          epcList: [uri],
          action: 'OBSERVE',
          bizStep: 'holding',
          disposition: 'recalled',
          [`${CT_PREFIX}:code`]: lot.code,
          [`${CT_PREFIX}:origin`]: deps.log.origin,
          [`${CT_PREFIX}:reasons`]: reasons.map((r) => r.code).join(' '),
        },
      ],
    },
  };
}

/** queueNotices queues a notice for every lot of p that is red here for reasons of this node not yet pushed. */
async function queueNotices(deps: Deps, p: PlatformRow): Promise<number> {
  if (!p.noticeUrl) return 0;
  const lots = (await deps.db
    .selectFrom('lots')
    .selectAll()
    .where('homeOrigin', '=', homeOriginOf(p.id))
    .where('status', '=', 'red')
    .execute()) as LotRow[];
  let queued = 0;
  const now = deps.clock.now();
  for (const lot of lots) {
    const reasons = recallReasons(lot, p.id);
    if (reasons.length === 0) continue;
    const reasonKey = createHash('sha256')
      .update(JSON.stringify(reasons.map((r) => r.code).sort()))
      .digest('hex');
    const r = await deps.db
      .insertInto('platformDeliveries')
      .values({
        id: newId('pdl'),
        platformId: p.id,
        lotId: lot.id,
        reasonKey,
        body: JSON.stringify(noticeDocument(deps, lot, reasons, now)),
        status: 'pending',
        attempts: 0,
        nextAt: now,
        deliveredAt: null,
        lastError: null,
        createdAt: now,
      })
      .onConflict((oc) => oc.columns(['platformId', 'lotId', 'reasonKey']).doNothing())
      .executeTakeFirst();
    queued += Number(r.numInsertedOrUpdatedRows ?? 0);
  }
  return queued;
}

/** deliverNotices sends p's due notices; a failure is retried later with backoff, up to MAX_ATTEMPTS. */
async function deliverNotices(deps: Deps, p: PlatformRow): Promise<number> {
  if (!p.noticeUrl) return 0;
  const due = await deps.db
    .selectFrom('platformDeliveries')
    .selectAll()
    .where('platformId', '=', p.id)
    .where('status', '=', 'pending')
    .where('nextAt', '<=', deps.clock.now())
    .orderBy('createdAt')
    .limit(50)
    .execute();
  const cred = await deps.db
    .selectFrom('platformCredentials')
    .select('credential')
    .where('platformId', '=', p.id)
    .executeTakeFirst();
  let delivered = 0;
  for (const d of due) {
    let error: string | null = null;
    try {
      const r = await call(
        'POST',
        p.noticeUrl,
        {
          'content-type': 'application/ld+json',
          ...(cred ? { authorization: `Bearer ${cred.credential}` } : {}),
        },
        d.body,
      );
      if (r.status < 200 || r.status > 299) error = `it answered ${r.status}`;
    } catch (err) {
      error = (err as Error).message.slice(0, 300);
    }
    const now = deps.clock.now();
    const attempts = d.attempts + 1;
    if (error === null) delivered += 1;
    await deps.db
      .updateTable('platformDeliveries')
      .set(
        error === null
          ? { status: 'delivered', attempts, deliveredAt: now, lastError: null }
          : {
              status: attempts >= MAX_ATTEMPTS ? 'failed' : 'pending',
              attempts,
              lastError: error,
              nextAt: now + Math.min(3_600_000, 1000 * 2 ** attempts),
            },
      )
      .where('id', '=', d.id)
      .execute();
    // A platform that does not take one notice will not take the next in this pass.
    if (error !== null) break;
  }
  return delivered;
}

/**
 * syncPlatforms is one pass over every registered platform: re-read its lots, queue notices of what turned red here,
 * send the due ones. A platform that fails is named in `unavailable`; the others go on.
 */
export async function syncPlatforms(deps: Deps): Promise<SyncResult> {
  const platforms = await deps.db.selectFrom('platforms').selectAll().orderBy('id').execute();
  let refreshed = 0,
    changed = 0,
    queued = 0,
    delivered = 0;
  const unavailable: string[] = [];
  for (const p of platforms) {
    // Each pass goes on from where the last one stopped, so that every lot is re-read in turn.
    const st = await deps.db
      .selectFrom('platformState')
      .select('refreshAfter')
      .where('platformId', '=', p.id)
      .executeTakeFirst();
    const lots = (await deps.db
      .selectFrom('lots')
      .selectAll()
      .where('homeOrigin', '=', homeOriginOf(p.id))
      .where('id', '>', st?.refreshAfter ?? '')
      .orderBy('id')
      .limit(LOTS_PER_PASS)
      .execute()) as LotRow[];
    const after = lots.length < LOTS_PER_PASS ? '' : lots[lots.length - 1]!.id;
    for (const lot of lots) {
      try {
        refreshed += 1;
        if (await refreshLot(deps, p, lot)) changed += 1;
      } catch (err) {
        // A lot the platform no longer knows keeps what this node recorded of it.
        if (err instanceof AppError && err.code === 'LotNotFound') continue;
        if (!(err instanceof PlatformUnavailable)) throw err;
        unavailable.push(p.id);
        break;
      }
    }
    if (!unavailable.includes(p.id))
      await deps.db.updateTable('platformState').set({ refreshAfter: after }).where('platformId', '=', p.id).execute();
    queued += await queueNotices(deps, p);
    delivered += await deliverNotices(deps, p);
  }
  return { refreshed, changed, unavailable, queued, delivered };
}

/** pushNotices queues and sends the notices due to every platform, without re-reading any lot. */
export async function pushNotices(deps: Deps): Promise<{ queued: number; delivered: number }> {
  let queued = 0,
    delivered = 0;
  for (const p of await deps.db.selectFrom('platforms').selectAll().orderBy('id').execute()) {
    queued += await queueNotices(deps, p);
    delivered += await deliverNotices(deps, p);
  }
  return { queued, delivered };
}

/** PlatformWorker runs syncPlatforms every intervalMs until stopped. */
export interface PlatformWorker {
  tick(): Promise<SyncResult | null>;
  stop(): Promise<void>;
}

/** PUSH_DELAY_MS gathers the alerts of one write (an incident raises many) into one push. */
const PUSH_DELAY_MS = 250;

/**
 * startPlatformWorker runs syncPlatforms in the background; a failed pass is reported and tried on the next tick.
 * Every alert or positive result here also pushes the notices due soon after (PUSH_DELAY_MS), so that a recall
 * reaches the other platform without waiting for the next pass.
 */
export function startPlatformWorker(deps: Deps, intervalMs = 30_000, onError: (err: unknown) => void = () => {}) {
  let running: Promise<unknown> = Promise.resolve(null);
  const run = <T>(pass: () => Promise<T>): Promise<T> => {
    const next = running.catch(() => null).then(pass);
    running = next;
    return next;
  };
  const tick = () => run(() => syncPlatforms(deps));
  let soon: NodeJS.Timeout | null = null;
  const kick = () => {
    soon ??= setTimeout(() => {
      soon = null;
      run(() => pushNotices(deps)).catch(onError);
    }, PUSH_DELAY_MS);
  };
  const off = [deps.events.on('alert.created', kick), deps.events.on('sample.positive', kick)];
  const timer = setInterval(() => {
    tick().catch(onError);
  }, intervalMs);
  timer.unref();
  return {
    tick,
    stop: async () => {
      clearInterval(timer);
      for (const f of off) f();
      if (soon) clearTimeout(soon);
      await running.catch(onError);
    },
  } satisfies PlatformWorker;
}
