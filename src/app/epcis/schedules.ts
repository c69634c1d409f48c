import { isProblem, nextFire, parseSchedule } from '../../domain/query-schedule.ts';
import type { Deps } from '../deps.ts';
import { newId } from '../write/ids.ts';
import { filtered, parseQuery } from './query.ts';
import { actorOfParty } from './stream-queue.ts';

/** MAX_REPORT is the most events one scheduled run reports; the rest wait for the next run. */
export const MAX_REPORT = 10_000;

/**
 * runSchedules runs every scheduled subscription whose schedule has fired since it last ran (once, however many
 * times it fired meanwhile): it queues the events of its query that the subscriber may see and that were recorded
 * since the last run, in log order, or, with reportIfEmpty and no events, an empty report; and it moves the last run
 * to the fire time. Queue and state change in one transaction, and the state only if no other process ran it first.
 * Returns how many subscriptions ran.
 */
export async function runSchedules(deps: Deps, now: number): Promise<number> {
  const subs = await deps.db
    .selectFrom('epcisSubscriptions as s')
    .innerJoin('epcisScheduleState as t', 't.subscriptionId', 's.id')
    .innerJoin('epcisQueries as q', 'q.name', 's.queryName')
    .innerJoin('parties as p', 'p.id', 's.partyId')
    .select(['s.id', 's.schedule', 's.reportIfEmpty', 't.lastRunAt', 'q.query', 'p.roles', 'p.region', 'p.level'])
    .select('p.id as partyId')
    .where('s.cancelledAt', 'is', null)
    .where('q.deletedAt', 'is', null)
    .execute();
  let ran = 0;
  for (const s of subs) {
    const schedule = parseSchedule(JSON.parse(s.schedule ?? 'null'));
    if (isProblem(schedule)) continue;
    const last = Number(s.lastRunAt);
    const fire = nextFire(schedule, last);
    if (fire === null || fire > now) continue;
    // The run reports up to the latest fire time not after now: a node that was down runs once on return.
    let upTo = fire;
    for (let f = nextFire(schedule, upTo); f !== null && f <= now; f = nextFire(schedule, upTo)) upTo = f;
    const actor = actorOfParty({ id: s.partyId, roles: s.roles, region: s.region, level: s.level });
    const base = parseQuery(JSON.parse(s.query) as Record<string, unknown>);
    const t = base.times;
    const query = {
      ...base,
      times: {
        ...t,
        GE_recordTime: Math.max(t.GE_recordTime ?? last, last),
        LT_recordTime: Math.min(t.LT_recordTime ?? upTo, upTo),
      },
    };
    await deps.db.transaction().execute(async (trx) => {
      const moved = await trx
        .updateTable('epcisScheduleState')
        .set({ lastRunAt: upTo })
        .where('subscriptionId', '=', s.id)
        .where('lastRunAt', '=', last)
        .executeTakeFirst();
      if (Number(moved.numUpdatedRows) !== 1) return;
      const events = (await (
        await filtered(deps, actor, query, trx)
      )
        .orderBy('epcisEvents.logIndex')
        .orderBy('epcisEvents.eventId')
        .limit(MAX_REPORT)
        .execute()) as unknown as { eventId: string; logIndex: number }[];
      const row = (eventId: string, eventLogIndex: number) => ({
        id: newId('sdl'),
        subscriptionId: s.id,
        eventId,
        eventLogIndex,
        status: 'pending',
        attempts: 0,
        nextAt: now,
        lastError: null,
        createdAt: now,
        updatedAt: now,
      });
      // An empty report is a delivery naming no event ('').
      const rows =
        events.length > 0
          ? events.map((e) => row(e.eventId, Number(e.logIndex)))
          : s.reportIfEmpty === 1
            ? [row('', 0)]
            : [];
      for (let i = 0; i < rows.length; i += 500)
        await trx
          .insertInto('epcisDeliveries')
          .values(rows.slice(i, i + 500))
          .execute();
    });
    ran++;
  }
  return ran;
}
