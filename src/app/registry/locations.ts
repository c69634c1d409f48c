import type { Actor } from '../../domain/access.ts';
import { canManage, canSee, mayAttempt } from '../../domain/access.ts';
import { validateRegion } from '../../domain/regions.ts';
import type { TempClass } from '../../domain/temperature.ts';
import { TEMP_CLASSES } from '../../domain/temperature.ts';
import { findLocation, listLocations as listRows } from '../../store/master.ts';
import type { LocationRow } from '../../store/schema.ts';
import { AppError, invalid, notFound } from '../errors.ts';
import { forbid } from '../access/authorize.ts';
import type { Idempotency } from '../write/commit.ts';
import { commit } from '../write/commit.ts';
import type { Deps } from '../deps.ts';
import { newId } from '../write/ids.ts';
import type { Page } from '../access/paging.ts';
import { iso, pageOf, pageRequest } from '../access/paging.ts';
import { ownerFor } from '../access/references.ts';
import { scopeFilter } from '../access/scope.ts';

export const LOCATION_KINDS = [
  'cold_store',
  'supervision_warehouse',
  'warehouse',
  'port',
  'market',
  'shop',
  'kitchen',
] as const;
export { TEMP_CLASSES };

export interface LocationInput {
  ownerPartyId?: string;
  filingNo: string;
  name: string;
  address: string;
  region: string;
  kind: (typeof LOCATION_KINDS)[number];
  tempClass: TempClass;
}

const toLocation = (r: LocationRow) => ({
  id: r.id,
  ownerPartyId: r.ownerPartyId,
  filingNo: r.filingNo,
  name: r.name,
  address: r.address,
  region: r.region,
  kind: r.kind,
  tempClass: r.tempClass,
  createdAt: iso(r.createdAt),
  updatedAt: iso(r.updatedAt),
  logIndex: r.logIndex,
});
export type Location = ReturnType<typeof toLocation>;

function check(input: Omit<LocationInput, 'ownerPartyId'>) {
  const region = validateRegion(input.region);
  if (!region.ok) throw invalid('region', region.reason);
  const filingNo = input.filingNo.trim();
  // 备案号 formats differ by province; require a plausible identifier rather than guess one format.
  if (!/^[0-9A-Za-z\u4e00-\u9fff()（）\-]{4,40}$/.test(filingNo)) {
    throw invalid('filingNo', 'must be 4 to 40 letters, digits, Chinese characters, hyphens or brackets');
  }
  if (!input.name.trim()) throw invalid('name', 'must not be blank');
  if (!input.address.trim()) throw invalid('address', 'must not be blank');
  return {
    filingNo,
    name: input.name.trim(),
    address: input.address.trim(),
    region: region.value,
    kind: input.kind,
    tempClass: input.tempClass,
  };
}

async function assertFilingFree(trx: Parameters<typeof findLocation>[0], filingNo: string, exceptId?: string) {
  const dup = await trx.selectFrom('locations').select('id').where('filingNo', '=', filingNo).executeTakeFirst();
  if (dup && dup.id !== exceptId) {
    throw new AppError('AlreadyExists', { field: 'filingNo', reason: `filing number already registered as ${dup.id}` });
  }
}

/** createLocation registers a cold store or warehouse for its owner (the actor, or a party it manages). */
export async function createLocation(deps: Deps, actor: Actor, input: LocationInput, idem?: Idempotency) {
  if (!mayAttempt(actor, 'location.create')) throw forbid('location.create');
  const v = check(input);
  return commit(deps, idem, async (w) => {
    const owner = await ownerFor(w.trx, actor, 'ownerPartyId', input.ownerPartyId);
    // A regulator acting for a party of its region registers locations in its region only.
    if (!canManage(actor, { ownerPartyId: owner.id, region: v.region })) {
      throw new AppError('Forbidden', { field: 'region', reason: 'the region is outside your jurisdiction' });
    }
    await assertFilingFree(w.trx, v.filingNo);
    const record = { id: newId('loc'), ownerPartyId: owner.id, ...v, createdAt: w.now, updatedAt: w.now };
    const logIndex = await w.append('location.created', actor.partyId, record);
    return { location: toLocation((await findLocation(w.trx, record.id))!), logIndex };
  });
}

/** updateLocation changes a location's fields; its owner does not change. */
export async function updateLocation(deps: Deps, actor: Actor, id: string, patch: Partial<LocationInput>) {
  if (!mayAttempt(actor, 'location.update')) throw forbid('location.update');
  return commit(deps, undefined, async (w) => {
    const cur = await findLocation(w.trx, id);
    if (!cur || !canSee(actor, cur)) throw notFound('LocationNotFound', 'id', id);
    if (!canManage(actor, cur)) throw forbid('location.update');
    if (patch.ownerPartyId !== undefined && patch.ownerPartyId !== cur.ownerPartyId) {
      throw invalid('ownerPartyId', 'a location cannot change owner; register it anew');
    }
    const v = check({ ...toLocation(cur), ...patch } as LocationInput);
    if (!canManage(actor, { ownerPartyId: cur.ownerPartyId, region: v.region }) && v.region !== cur.region) {
      throw new AppError('Forbidden', { field: 'region', reason: 'the new region is outside your jurisdiction' });
    }
    await assertFilingFree(w.trx, v.filingNo, id);
    const record = {
      id,
      ownerPartyId: cur.ownerPartyId,
      filingNo: v.filingNo,
      name: v.name,
      address: v.address,
      region: v.region,
      kind: v.kind,
      tempClass: v.tempClass,
      createdAt: cur.createdAt,
      updatedAt: w.now,
    };
    const logIndex = await w.append('location.updated', actor.partyId, record);
    return { location: toLocation((await findLocation(w.trx, id))!), logIndex };
  });
}

/** getLocation returns a location the actor may see. */
export async function getLocation(deps: Deps, actor: Actor, id: string): Promise<Location> {
  const row = await findLocation(deps.db, id);
  if (!row || !canSee(actor, row)) throw notFound('LocationNotFound', 'id', id);
  return toLocation(row);
}

/** listLocations lists the locations the actor may see. */
export async function listLocations(
  deps: Deps,
  actor: Actor,
  q: {
    region?: string;
    ownerPartyId?: string;
    kind?: string;
    tempClass?: string;
    filingNo?: string;
    limit?: number;
    cursor?: string;
  },
): Promise<Page<Location>> {
  const page = pageRequest(q.limit, q.cursor);
  const scope = scopeFilter(actor, q.region);
  if (!scope) return { items: [], nextCursor: null };
  if (scope.ownerPartyId && q.ownerPartyId && q.ownerPartyId !== scope.ownerPartyId)
    return { items: [], nextCursor: null };
  const rows = await listRows(deps.db, {
    ...q,
    ownerPartyId: scope.ownerPartyId ?? q.ownerPartyId,
    region: scope.region,
    after: page.after,
    limit: page.limit,
  });
  return pageOf(rows, page, toLocation);
}
