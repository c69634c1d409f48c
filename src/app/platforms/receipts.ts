import type { Actor } from '../../domain/access.ts';
import type { Deps } from '../deps.ts';
import { platformFor } from './platforms.ts';
import type { PlatformReceipt } from './recognise.ts';
import { receiveFromPlatform } from './recognise.ts';

/**
 * receiveByPlatformCode receives goods by another platform's code (recognise.ts receiveFromPlatform), or returns null
 * when the code is no registered platform's, or when a lot with that code is already on its way to the actor from
 * here (a shipment like any other, received by the usual path).
 */
export async function receiveByPlatformCode(
  deps: Deps,
  actor: Actor,
  input: PlatformReceipt & { shipmentId?: string },
) {
  if (input.shipmentId) return null;
  const p = await platformFor(deps, input.code);
  if (!p) return null;
  const lot = await deps.db.selectFrom('lots').select('id').where('code', '=', input.code.trim()).executeTakeFirst();
  if (lot) {
    const pending = await deps.db
      .selectFrom('shipments')
      .select('id')
      .where('lotId', '=', lot.id)
      .where('toPartyId', '=', actor.partyId)
      .where('status', '=', 'in_transit')
      .executeTakeFirst();
    if (pending) return null;
  }
  return receiveFromPlatform(deps, actor, p, input);
}
