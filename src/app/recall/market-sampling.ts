import type { Actor } from '../../domain/access.ts';
import { isRegulator, mayAttempt } from '../../domain/access.ts';
import type { SamplePoint } from '../../domain/lot-status.ts';
import { SAMPLE_POINTS } from '../../domain/lot-status.ts';
import { findLot } from '../../store/border.ts';
import { AppError, invalid, notFound } from '../errors.ts';
import { forbid } from '../access/authorize.ts';
import type { Idempotency } from '../write/commit.ts';
import { checkEventTimes } from '../registry/time-horizon.ts';
import { commit } from '../write/commit.ts';
import type { Deps } from '../deps.ts';
import { appendSample } from '../border/warehouse.ts';
import { iso } from '../access/paging.ts';

export interface MarketSampleInput {
  readonly point: SamplePoint;
  readonly labPartyId: string;
  readonly takenAt: number;
  /** heldBy is the holder whose goods were sampled: a cold store, wholesaler, retailer or restaurant. */
  readonly heldBy: string;
}

/**
 * takeMarketSample records a regulator's surveillance sample of goods on the market (市场抽检), taken from a holder in
 * the regulator's region (any region for the national regulator), and sends it to a lab. The lab posts the result as
 * for any sample; a positive one opens an incident from this lot.
 */
export async function takeMarketSample(
  deps: Deps,
  actor: Actor,
  lotId: string,
  input: MarketSampleInput,
  idem?: Idempotency,
) {
  if (!mayAttempt(actor, 'sample.market') || !isRegulator(actor)) throw forbid('sample.market');
  if (!(SAMPLE_POINTS as readonly string[]).includes(input.point))
    throw invalid('point', `must be one of ${SAMPLE_POINTS.join(', ')}`);
  return commit(deps, idem, async (w) => {
    await checkEventTimes(w, actor, { takenAt: input.takenAt });
    const lot = await findLot(w.trx, lotId);
    if (!lot) throw notFound('LotNotFound', 'id', lotId);
    const holder = await w.trx
      .selectFrom('holdings')
      .innerJoin('parties', 'parties.id', 'holdings.partyId')
      .select(['parties.region', 'holdings.grams'])
      .where('holdings.lotId', '=', lotId)
      .where('holdings.partyId', '=', input.heldBy)
      .where('holdings.grams', '>', 0)
      .executeTakeFirst();
    if (!holder)
      throw new AppError('UnknownReference', {
        field: 'heldBy',
        reason: `party ${input.heldBy} holds none of this lot`,
      });
    if (!actor.national && holder.region !== actor.region)
      throw new AppError('Forbidden', {
        field: 'heldBy',
        reason: 'a provincial regulator samples goods held in its own region',
      });
    const sample = await appendSample(w, actor.partyId, lot, input);
    return {
      id: sample.id,
      lotId,
      heldBy: input.heldBy,
      labPartyId: input.labPartyId,
      point: input.point,
      takenAt: iso(input.takenAt),
      result: 'pending',
      logIndex: sample.logIndex,
    };
  });
}
