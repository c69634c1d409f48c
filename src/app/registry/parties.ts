/**
 * Registry: the master data. Parties and their tokens, places, vehicles, workers with their tests, overseas
 * producers, settings per region, and personal data kept erasably beside the log.
 *
 * Invariants:
 * - Personal data enters the log only as a salted commitment bound to its kind; the value can be erased.
 * - A provincial regulator manages its province; the national regulator everything; a party its own.
 */
import type { Actor, Owned, Role } from '../../domain/access.ts';
import { ROLES, canManage, canSee, listScope, mayAttempt } from '../../domain/access.ts';
import { validateRegion } from '../../domain/regions.ts';
import { validateUscc } from '../../domain/uscc.ts';
import { findParty, findPartyByUscc, listParties as listPartyRows } from '../../store/parties.ts';
import type { PartyRow } from '../../store/schema.ts';
import { AppError, invalid, notFound } from '../errors.ts';
import type { Idempotency, Writer } from '../write/commit.ts';
import { commit } from '../write/commit.ts';
import type { Deps } from '../deps.ts';
import { newId } from '../write/ids.ts';
import type { Page } from '../access/paging.ts';
import { iso, pageOf, pageRequest } from '../access/paging.ts';
import { forbid } from '../access/authorize.ts';

/** Party is a party as the API shows it. */
export interface Party {
  id: string;
  uscc: string;
  name: { zh: string | null; en: string | null };
  roles: Role[];
  region: string;
  level: 'national' | 'provincial' | null;
  /** homeOrigin is the log origin of the node whose directory the party is in; null for this node's own. */
  homeOrigin: string | null;
  createdAt: string | null;
  updatedAt: string | null;
  logIndex: number;
}

/** PartyInput is what creates a party. */
export interface PartyInput {
  uscc: string;
  name: { zh?: string | null; en?: string | null };
  roles: string[];
  region: string;
  level?: 'national' | 'provincial' | null;
}

/** toParty renders a row for the API. */
export function toParty(r: PartyRow): Party {
  return {
    id: r.id,
    uscc: r.uscc,
    name: { zh: r.nameZh, en: r.nameEn },
    roles: JSON.parse(r.roles) as Role[],
    region: r.region,
    level: r.level as Party['level'],
    homeOrigin: r.homeOrigin ?? null,
    createdAt: iso(r.createdAt),
    updatedAt: iso(r.updatedAt),
    logIndex: r.logIndex,
  };
}

/** ownedOf is a party as a thing to scope: its own owner, in its region, national if it is a national regulator. */
export function ownedOf(r: PartyRow): Owned {
  return { ownerPartyId: r.id, region: r.region, national: actorOf(r).national };
}

/** actorOf turns a party row into the actor its tokens act as. */
export function actorOf(r: PartyRow): Actor {
  const roles = JSON.parse(r.roles) as Role[];
  return { partyId: r.id, roles, region: r.region, national: roles.includes('regulator') && r.level === 'national' };
}

/** checkPartyInput validates a party's fields and returns them normalised, or throws naming the field. */
export function checkPartyInput(input: PartyInput) {
  const uscc = validateUscc(input.uscc);
  if (!uscc.ok) throw invalid('uscc', uscc.reason);
  const region = validateRegion(input.region);
  if (!region.ok) throw invalid('region', region.reason);
  const zh = input.name.zh?.trim() || null;
  const en = input.name.en?.trim() || null;
  if (!zh && !en) throw invalid('name', 'give a Chinese name (zh), an English name (en), or both');
  if (input.roles.length === 0) throw invalid('roles', 'a party needs at least one role');
  const unknown = input.roles.find((r) => !(ROLES as readonly string[]).includes(r));
  if (unknown) throw invalid('roles', `unknown role "${unknown}"; roles are ${ROLES.join(', ')}`);
  const roles = [...new Set(input.roles)].sort() as Role[];
  const level = input.level ?? null;
  if (level && !roles.includes('regulator')) throw invalid('level', 'only a regulator has a level');
  return {
    uscc: uscc.value,
    nameZh: zh,
    nameEn: en,
    roles,
    region: region.value,
    level: roles.includes('regulator') ? (level ?? 'provincial') : null,
  };
}

/**
 * createParty registers a party. A regulator registers parties in its region (the national level,
 * anywhere); only the national level registers a national regulator. A null actor is the node itself
 * (the CLI and first-start bootstrap).
 */
export async function createParty(
  deps: Deps,
  actor: Actor | null,
  input: PartyInput,
  idem?: Idempotency,
): Promise<{ party: Party; logIndex: number }> {
  if (actor && !mayAttempt(actor, 'party.create')) throw forbid('party.create');
  const v = checkPartyInput(input);
  if (actor && !canManage(actor, { ownerPartyId: '', region: v.region })) {
    throw new AppError('Forbidden', {
      field: 'region',
      reason: 'a provincial regulator registers parties in its own region',
    });
  }
  if (actor && v.level === 'national' && !actor.national) {
    throw new AppError('Forbidden', {
      field: 'level',
      reason: 'only the national regulator registers a national regulator',
    });
  }
  return commit(deps, idem, (w) => appendParty(w, actor?.partyId ?? null, v));
}

/** appendParty registers a checked party inside the writer's transaction; the caller has authorised it. */
export async function appendParty(w: Writer, actorPartyId: string | null, v: ReturnType<typeof checkPartyInput>) {
  if (await findPartyByUscc(w.trx, v.uscc)) {
    throw new AppError('AlreadyExists', { field: 'uscc', reason: 'a party with this code is already registered' });
  }
  const record = { id: newId('pty'), ...v, createdAt: w.now, updatedAt: w.now };
  const logIndex = await w.append('party.created', actorPartyId, record);
  const row = (await findParty(w.trx, record.id))!;
  return { party: toParty(row), logIndex };
}

/** PartyPatch is a partial update of names, roles, region or level. */
export type PartyPatch = Partial<PartyInput>;

/** updateParty changes a party; only a regulator whose scope covers the party (before and after) may. */
export async function updateParty(
  deps: Deps,
  actor: Actor,
  id: string,
  patch: PartyPatch,
): Promise<{ party: Party; logIndex: number }> {
  if (!mayAttempt(actor, 'party.update')) throw forbid('party.update');
  return commit(deps, undefined, async (w) => {
    const cur = await findParty(w.trx, id);
    if (!cur || !canSee(actor, { ownerPartyId: cur.id, region: cur.region })) throw notFound('PartyNotFound', 'id', id);
    if (!canManage(actor, { ...ownedOf(cur), ownerPartyId: '' })) throw forbid('party.update');
    if (patch.uscc !== undefined && patch.uscc !== cur.uscc) {
      throw invalid('uscc', 'the unified social credit code of a party cannot change; register a new party');
    }
    const merged = checkPartyInput({
      uscc: cur.uscc,
      name: { zh: cur.nameZh, en: cur.nameEn, ...patch.name },
      roles: patch.roles ?? (JSON.parse(cur.roles) as string[]),
      region: patch.region ?? cur.region,
      level: patch.level === undefined ? (cur.level as PartyInput['level']) : patch.level,
    });
    if (!canManage(actor, { ownerPartyId: '', region: merged.region })) {
      throw new AppError('Forbidden', { field: 'region', reason: 'the new region is outside your jurisdiction' });
    }
    if (merged.level === 'national' && cur.level !== 'national' && !actor.national) {
      throw new AppError('Forbidden', { field: 'level', reason: 'only the national regulator grants national level' });
    }
    const record = { id: cur.id, ...merged, createdAt: cur.createdAt, updatedAt: w.now };
    const logIndex = await w.append('party.updated', actor.partyId, record);
    return { party: toParty((await findParty(w.trx, id))!), logIndex };
  });
}

/** getParty returns a party the actor may see, or PartyNotFound (never revealing others exist). */
export async function getParty(deps: Deps, actor: Actor, id: string): Promise<Party> {
  const row = await findParty(deps.db, id);
  if (!row || !canSee(actor, { ownerPartyId: row.id, region: row.region })) throw notFound('PartyNotFound', 'id', id);
  return toParty(row);
}

/** listParties lists the parties the actor may see, filtered by region, role or uscc. */
export async function listParties(
  deps: Deps,
  actor: Actor,
  q: { region?: string; role?: string; uscc?: string; limit?: number; cursor?: string },
): Promise<Page<Party>> {
  const page = pageRequest(q.limit, q.cursor);
  const scope = listScope(actor);
  if (scope.kind === 'region' && q.region && q.region !== scope.region) return { items: [], nextCursor: null };
  const rows = await listPartyRows(
    deps.db,
    {
      region: scope.kind === 'region' ? scope.region : q.region,
      role: q.role,
      uscc: q.uscc,
      onlyId: scope.kind === 'own' ? actor.partyId : undefined,
    },
    page.after,
    page.limit,
  );
  return pageOf(rows, page, toParty);
}
