import type { Kysely, Transaction } from 'kysely';
import type { Actor } from '../../domain/access.ts';
import type { TempClass, TemperatureRule } from '../../domain/temperature.ts';
import { DEFAULT_TEMPERATURE_RULES, TEMP_CLASSES, validateTemperatureRule } from '../../domain/temperature.ts';
import { getSetting } from '../../store/master.ts';
import type { Schema } from '../../store/schema.ts';
import { invalid } from '../errors.ts';
import type { Deps } from '../deps.ts';
import { setRegionalSetting } from '../registry/settings.ts';

/** TEMPERATURE_RULES names the setting: per region, or nationally, a rule (or null: none) for some temperature classes. */
export const TEMPERATURE_RULES = 'temperature-rules';

type RuleMap = Partial<Record<TempClass, TemperatureRule | null>>;

/**
 * RuleInForce is the breach rule for one temperature class in one region, and who set it: the region ('410000'), the
 * national regulator ('national'), or nobody ('default', DEFAULT_TEMPERATURE_RULES). A breach keeps a copy of it, so a
 * rule changed later never changes what an old breach was judged by.
 */
export interface RuleInForce {
  readonly tempClass: TempClass;
  readonly rule: TemperatureRule | null;
  readonly setBy: string;
}

/**
 * temperatureRuleFor is the rule in force for a class in a region: the region's own for that class, else the national
 * one, else the default. A class set to null has no rule (no breach is ever detected). Inside a write, pass the
 * transaction.
 */
export async function temperatureRuleFor(
  db: Kysely<Schema> | Transaction<Schema>,
  region: string,
  tempClass: TempClass,
): Promise<RuleInForce> {
  const own = (await getSetting(db, `${TEMPERATURE_RULES}:${region}`)) as RuleMap | undefined;
  if (own && tempClass in own) return { tempClass, rule: own[tempClass] ?? null, setBy: region };
  const national = (await getSetting(db, TEMPERATURE_RULES)) as RuleMap | undefined;
  if (national && tempClass in national) return { tempClass, rule: national[tempClass] ?? null, setBy: 'national' };
  return { tempClass, rule: DEFAULT_TEMPERATURE_RULES[tempClass], setBy: 'default' };
}

/** temperatureRulesFor is the rule in force for every class in a region. */
export async function temperatureRulesFor(db: Kysely<Schema>, region: string) {
  const entries = await Promise.all(
    TEMP_CLASSES.map(async (c) => [c, await temperatureRuleFor(db, region, c)] as const),
  );
  return Object.fromEntries(entries) as Record<TempClass, RuleInForce>;
}

/**
 * setTemperatureRules sets the breach rules of some temperature classes for a region (a provincial regulator, its
 * own) or nationally (region null; the national regulator). `rules` maps a class to a rule, or to null for no rule;
 * classes it leaves out fall back to the national rule, then the default. It replaces what that region had set.
 */
export async function setTemperatureRules(
  deps: Deps,
  actor: Actor,
  region: string | null,
  rules: Readonly<Record<string, unknown>>,
) {
  const r = await setRegionalSetting(deps, actor, TEMPERATURE_RULES, region, () => {
    const out: RuleMap = {};
    const classes = Object.keys(rules);
    if (classes.length === 0)
      throw invalid('rules', `give a rule (or null) for at least one of ${TEMP_CLASSES.join(', ')}`);
    for (const c of classes) {
      if (!(TEMP_CLASSES as readonly string[]).includes(c))
        throw invalid(`rules.${c}`, `is not a temperature class (${TEMP_CLASSES.join(', ')})`);
      const value = rules[c];
      if (value === null) {
        out[c as TempClass] = null;
        continue;
      }
      const v = validateTemperatureRule(value);
      if (!v.ok) throw invalid(`rules.${c}`, v.reason);
      out[c as TempClass] = v.value;
    }
    return out;
  });
  return { region, rules: r.value, logIndex: r.logIndex };
}
