import type { Actor } from '../../domain/access.ts';
import { isRegulator, mayAttempt } from '../../domain/access.ts';
import { validateRegion } from '../../domain/regions.ts';
import type { EligibilityRule } from '../../domain/worker-eligibility.ts';
import { validateEligibilityRule } from '../../domain/worker-eligibility.ts';
import { getSetting } from '../../store/master.ts';
import { AppError, invalid } from '../errors.ts';
import { forbid } from '../access/authorize.ts';
import { commit } from '../write/commit.ts';
import type { Kysely, Transaction } from 'kysely';
import type { Schema } from '../../store/schema.ts';
import type { Deps } from '../deps.ts';

const ELIGIBILITY = 'worker-eligibility';
const keyFor = (region: string | null) => (region ? `${ELIGIBILITY}:${region}` : ELIGIBILITY);

/**
 * eligibilityRuleFor is the rule in force for a region: the region's own, else the national one set
 * through the API, else the node's configured default. Inside a write, pass the transaction as db.
 */
export async function eligibilityRuleFor(
  deps: Deps,
  region: string,
  db: Kysely<Schema> | Transaction<Schema> = deps.db,
): Promise<EligibilityRule> {
  const own = (await getSetting(db, keyFor(region))) as EligibilityRule | undefined;
  if (own) return own;
  const national = (await getSetting(db, keyFor(null))) as EligibilityRule | undefined;
  return national ?? deps.config.workerRule;
}

/**
 * setEligibilityRule sets the worker test rule for a region (a provincial regulator, its own region) or
 * for the whole country (region null; the national regulator only).
 */
export async function setEligibilityRule(deps: Deps, actor: Actor, region: string | null, input: unknown) {
  const rule = validateEligibilityRule(input);
  const r = await setRegionalSetting(deps, actor, ELIGIBILITY, region, () => {
    if (!rule.ok) throw invalid('rule', rule.reason);
    return rule.value;
  });
  return { region, rule: r.value, logIndex: r.logIndex };
}

/**
 * setRegionalSetting stores a rule for a region (a provincial regulator, its own region) or for the
 * whole country (region null; the national regulator only), as a log entry. check validates the
 * value after the caller's right to set it is established.
 */
export async function setRegionalSetting<T>(
  deps: Deps,
  actor: Actor,
  name: string,
  region: string | null,
  check: () => T,
) {
  if (!mayAttempt(actor, 'settings.update') || !isRegulator(actor)) throw forbid('settings.update');
  if (region !== null) {
    const r = validateRegion(region);
    if (!r.ok) throw invalid('region', r.reason);
    if (!actor.national && r.value !== actor.region) {
      throw new AppError('Forbidden', {
        field: 'region',
        reason: 'a provincial regulator sets the rule for its own region',
      });
    }
  } else if (!actor.national) {
    throw new AppError('Forbidden', { field: 'region', reason: 'only the national regulator sets the national rule' });
  }
  const value = check();
  return commit(deps, undefined, async (w) => {
    const record = { key: region ? `${name}:${region}` : name, value, updatedAt: w.now };
    const logIndex = await w.append('setting.updated', actor.partyId, record);
    return { value, logIndex };
  });
}
