import type { Kysely, Transaction } from 'kysely';
import type { Actor } from '../../domain/access.ts';
import { DEFAULT_HORIZON_DAYS, checkEventTime, validateHorizonDays } from '../../domain/event-time.ts';
import { getSetting } from '../../store/master.ts';
import type { Schema } from '../../store/schema.ts';
import { invalid } from '../errors.ts';
import type { Writer } from '../write/commit.ts';
import type { Deps } from '../deps.ts';
import { setRegionalSetting } from './settings.ts';

type Db = Kysely<Schema> | Transaction<Schema>;

/** TIME_HORIZON names the setting that says, per region or nationally, how many days back an event time may lie. */
export const TIME_HORIZON = 'event-time-horizon';

/** horizonDaysFor is the horizon in force for a region: its own, else the national one, else DEFAULT_HORIZON_DAYS. */
export async function horizonDaysFor(db: Db, region: string): Promise<number> {
  const own = (await getSetting(db, `${TIME_HORIZON}:${region}`)) as number | undefined;
  if (own !== undefined) return own;
  const national = (await getSetting(db, TIME_HORIZON)) as number | undefined;
  return national ?? DEFAULT_HORIZON_DAYS;
}

// One write reads each region's horizon once: the scale generator puts hundreds of facts in one transaction.
const horizons = new WeakMap<object, Map<string, number>>();

/**
 * checkEventTimes refuses, naming the field, any event time a client supplied for a fact recorded in w that lies
 * beyond the clock skew in the future of the write's time, or further back than the actor's region's horizon (see
 * checkEventTime). The write's time is the record time; the event times are kept on the fact beside it.
 */
export async function checkEventTimes(w: Writer, actor: Actor, times: Readonly<Record<string, number>>) {
  let cache = horizons.get(w.trx);
  if (!cache) horizons.set(w.trx, (cache = new Map()));
  let days = cache.get(actor.region);
  if (days === undefined) cache.set(actor.region, (days = await horizonDaysFor(w.trx, actor.region)));
  for (const [field, at] of Object.entries(times)) {
    const c = checkEventTime(at, w.now, days);
    if (!c.ok) throw invalid(field, c.reason);
  }
}

/**
 * setTimeHorizon sets how many days back an event time may lie, for a region (a provincial regulator, its own
 * region) or for the whole country (region null; the national regulator only).
 */
export async function setTimeHorizon(deps: Deps, actor: Actor, region: string | null, days: unknown) {
  const r = await setRegionalSetting(deps, actor, TIME_HORIZON, region, () => {
    const d = validateHorizonDays(days);
    if (!d.ok) throw invalid('days', d.reason);
    return d.value;
  });
  return { region, days: r.value, logIndex: r.logIndex };
}
