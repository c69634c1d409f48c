import type { Actor } from '../../domain/access.ts';
import { mayAttempt } from '../../domain/access.ts';
import { cartonSerial } from '../../domain/trace-code.ts';
import { findLot, lotCartonRanges } from '../../store/border.ts';
import { AppError, invalid } from '../errors.ts';
import { forbid } from '../access/authorize.ts';
import type { Idempotency } from '../write/commit.ts';
import { commit } from '../write/commit.ts';
import type { Deps } from '../deps.ts';
import { newId } from '../write/ids.ts';
import { visibleLot } from './lots.ts';

/**
 * issueCartonCodes gives the next `count` cartons of a lot their serial codes under the lot code
 * (all remaining cartons by default). Serials never exceed the declared carton count.
 */
export async function issueCartonCodes(
  deps: Deps,
  actor: Actor,
  lotId: string,
  count: number | undefined,
  idem?: Idempotency,
) {
  if (!mayAttempt(actor, 'cartons.issue')) throw forbid('cartons.issue');
  return commit(deps, idem, async (w) => {
    const lot = await visibleLot(w.trx, actor, lotId);
    if (lot.importerPartyId !== actor.partyId) throw forbid('cartons.issue');
    const ranges = await lotCartonRanges(w.trx, lotId);
    const issued = ranges.reduce((n, r) => Math.max(n, r.lastSerial), 0);
    const n = count ?? lot.cartons - issued;
    if (!Number.isInteger(n) || n < 1) {
      throw new AppError('Conflict', { field: 'count', reason: `all ${lot.cartons} cartons already have codes` });
    }
    if (issued + n > lot.cartons)
      throw invalid('count', `only ${lot.cartons - issued} of ${lot.cartons} cartons are left without codes`);
    const cartonRange = { id: newId('ctn'), lotId, firstSerial: issued + 1, lastSerial: issued + n, createdAt: w.now };
    const logIndex = await w.append('cartons.issued', actor.partyId, { cartonRange });
    return { ...cartonRange, createdAt: new Date(w.now).toISOString(), logIndex };
  });
}

/** cartonCodes lists a lot's carton codes, in serial order. */
export async function cartonCodes(
  deps: Deps,
  actor: Actor,
  lotId: string,
): Promise<{ serial: number; code: string }[]> {
  const lot = await visibleLot(deps.db, actor, lotId);
  const ranges = await lotCartonRanges(deps.db, lotId);
  const out: { serial: number; code: string }[] = [];
  for (const r of ranges)
    for (let s = r.firstSerial; s <= r.lastSerial; s++) out.push({ serial: s, code: cartonSerial(lot.code, s) });
  return out;
}

/** cartonLot finds the lot a carton code belongs to, if that serial was issued. */
export async function cartonLot(deps: Deps, lotCode: string, serial: number) {
  const lot = await deps.db.selectFrom('lots').selectAll().where('code', '=', lotCode).executeTakeFirst();
  if (!lot) return undefined;
  const ranges = await lotCartonRanges(deps.db, lot.id);
  return ranges.some((r) => serial >= r.firstSerial && serial <= r.lastSerial)
    ? (await findLot(deps.db, lot.id))!
    : undefined;
}
