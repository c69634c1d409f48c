import type { Actor } from '../../domain/access.ts';
import { mayAttempt } from '../../domain/access.ts';
import { inChunks } from '../../store/trace.ts';
import { forbid } from '../access/authorize.ts';
import type { ReceiveInput } from '../custody/custody.ts';
import { receiveWith } from '../custody/custody.ts';
import type { Deps } from '../deps.ts';
import { AppError } from '../errors.ts';
import { resolveTraceStart } from '../recall/trace.ts';
import { commit } from '../write/commit.ts';
import { receiveByPlatformCode } from '../platforms/receipts.ts';

/** ReceiptInput is all a consignee gives to receive goods: the code on them, what arrived, when and where. */
export interface ReceiptInput extends ReceiveInput {
  /** code is the lot's trace code, a carton code, or a GS1 Digital Link URI, as scanned. */
  readonly code: string;
  /** shipmentId picks one shipment when several of the same lot are on their way to the actor. */
  readonly shipmentId?: string;
  /** productName names the goods when another platform's code is received and that platform does not. */
  readonly productName?: string | null;
}

/**
 * receiveByCode receives goods by the code on them: the oldest shipment of that lot to the actor that is still in
 * transit (or the one named), from this province or another. A shipment recognised from a peer's log is received
 * without any declaration, certificate or test being asked for again: the lot, its papers and its results are the
 * peer's, and the receipt names the peer's entry (custody.ts crossBorderCheck says when it may be received).
 */
export async function receiveByCode(deps: Deps, actor: Actor, input: ReceiptInput) {
  if (!mayAttempt(actor, 'custody.move')) throw forbid('custody.move');
  // Another platform's code (app/platforms) is received on what that platform says, unless shipped on from here.
  const fromPlatform = await receiveByPlatformCode(deps, actor, input);
  if (fromPlatform) return fromPlatform;
  const start = await resolveTraceStart(deps.db, input.code, 'code');
  return commit(deps, undefined, async (w) => {
    const pending = await inChunks(start.lotIds, (c) =>
      w.trx
        .selectFrom('shipments')
        .select(['id', 'departedAt'])
        .where('lotId', 'in', c)
        .where('toPartyId', '=', actor.partyId)
        .where('status', '=', 'in_transit')
        .execute(),
    );
    pending.sort((a, b) => Number(a.departedAt) - Number(b.departedAt) || (a.id < b.id ? -1 : 1));
    const chosen = input.shipmentId ? pending.find((p) => p.id === input.shipmentId) : pending[0];
    if (!chosen)
      throw new AppError('NotFound', {
        field: input.shipmentId ? 'shipmentId' : 'code',
        reason: input.shipmentId
          ? `shipment ${input.shipmentId} of this lot is not on its way to you`
          : 'no shipment of this lot is on its way to you',
      });
    return receiveWith(w, deps, actor, chosen.id, input);
  });
}
