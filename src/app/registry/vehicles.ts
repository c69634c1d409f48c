import type { Actor } from '../../domain/access.ts';
import { canManage, canSee, mayAttempt } from '../../domain/access.ts';
import { validatePlate } from '../../domain/plate.ts';
import { findVehicle, listVehicles as listRows } from '../../store/master.ts';
import type { VehicleRow } from '../../store/schema.ts';
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

export interface VehicleInput {
  plate: string;
  carrierPartyId?: string;
  refrigerated: boolean;
}

type Joined = VehicleRow & { region: string };

const toVehicle = (r: Joined) => ({
  id: r.id,
  plate: r.plate,
  carrierPartyId: r.carrierPartyId,
  refrigerated: r.refrigerated === 1,
  region: r.region,
  createdAt: iso(r.createdAt),
  updatedAt: iso(r.updatedAt),
  logIndex: r.logIndex,
});
export type Vehicle = ReturnType<typeof toVehicle>;
const owned = (r: Joined) => ({ ownerPartyId: r.carrierPartyId, region: r.region });

function plateOf(s: string): string {
  const p = validatePlate(s);
  if (!p.ok) throw invalid('plate', p.reason);
  return p.value;
}

async function assertPlateFree(deps: Deps, trx: Parameters<typeof findVehicle>[0], plate: string, exceptId?: string) {
  const dup = await trx.selectFrom('vehicles').select('id').where('plate', '=', plate).executeTakeFirst();
  if (dup && dup.id !== exceptId) {
    throw new AppError('AlreadyExists', { field: 'plate', reason: `plate already registered as ${dup.id}` });
  }
}

/** createVehicle registers a vehicle for a carrier (the actor, or a carrier a regulator manages). */
export async function createVehicle(deps: Deps, actor: Actor, input: VehicleInput, idem?: Idempotency) {
  if (!mayAttempt(actor, 'vehicle.create')) throw forbid('vehicle.create');
  const plate = plateOf(input.plate);
  return commit(deps, idem, async (w) => {
    const carrier = await ownerFor(w.trx, actor, 'carrierPartyId', input.carrierPartyId, ['carrier']);
    await assertPlateFree(deps, w.trx, plate);
    const record = {
      id: newId('veh'),
      plate,
      carrierPartyId: carrier.id,
      refrigerated: input.refrigerated,
      createdAt: w.now,
      updatedAt: w.now,
    };
    const logIndex = await w.append('vehicle.created', actor.partyId, record);
    return { vehicle: toVehicle((await findVehicle(w.trx, record.id))!), logIndex };
  });
}

/** updateVehicle changes plate or refrigeration; the carrier does not change. */
export async function updateVehicle(deps: Deps, actor: Actor, id: string, patch: Partial<VehicleInput>) {
  if (!mayAttempt(actor, 'vehicle.update')) throw forbid('vehicle.update');
  return commit(deps, undefined, async (w) => {
    const cur = await findVehicle(w.trx, id);
    if (!cur || !canSee(actor, owned(cur))) throw notFound('VehicleNotFound', 'id', id);
    if (!canManage(actor, owned(cur))) throw forbid('vehicle.update');
    if (patch.carrierPartyId !== undefined && patch.carrierPartyId !== cur.carrierPartyId) {
      throw invalid('carrierPartyId', 'a vehicle cannot change carrier; register it anew');
    }
    const plate = patch.plate === undefined ? cur.plate : plateOf(patch.plate);
    await assertPlateFree(deps, w.trx, plate, id);
    const record = {
      id,
      plate,
      carrierPartyId: cur.carrierPartyId,
      refrigerated: patch.refrigerated ?? cur.refrigerated === 1,
      createdAt: cur.createdAt,
      updatedAt: w.now,
    };
    const logIndex = await w.append('vehicle.updated', actor.partyId, record);
    return { vehicle: toVehicle((await findVehicle(w.trx, id))!), logIndex };
  });
}

/** getVehicle returns a vehicle the actor may see. */
export async function getVehicle(deps: Deps, actor: Actor, id: string): Promise<Vehicle> {
  const row = await findVehicle(deps.db, id);
  if (!row || !canSee(actor, owned(row))) throw notFound('VehicleNotFound', 'id', id);
  return toVehicle(row);
}

/** listVehicles lists the vehicles the actor may see. */
export async function listVehicles(
  deps: Deps,
  actor: Actor,
  q: {
    region?: string;
    carrierPartyId?: string;
    refrigerated?: boolean;
    plate?: string;
    limit?: number;
    cursor?: string;
  },
): Promise<Page<Vehicle>> {
  const page = pageRequest(q.limit, q.cursor);
  const scope = scopeFilter(actor, q.region);
  if (!scope) return { items: [], nextCursor: null };
  if (scope.ownerPartyId && q.carrierPartyId && q.carrierPartyId !== scope.ownerPartyId)
    return { items: [], nextCursor: null };
  const plate = q.plate === undefined ? undefined : ((validatePlate(q.plate) as { value?: string }).value ?? q.plate);
  const rows = await listRows(deps.db, {
    refrigerated: q.refrigerated,
    plate,
    ownerPartyId: scope.ownerPartyId ?? q.carrierPartyId,
    region: scope.region,
    after: page.after,
    limit: page.limit,
  });
  return pageOf(rows, page, toVehicle);
}
