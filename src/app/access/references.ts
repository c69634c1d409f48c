import type { Transaction } from 'kysely';
import type { Actor, Role } from '../../domain/access.ts';
import { canManage } from '../../domain/access.ts';
import { findParty } from '../../store/parties.ts';
import type { PartyRow, Schema } from '../../store/schema.ts';
import { AppError } from '../errors.ts';
import { ownedOf } from '../registry/parties.ts';

/**
 * ownerFor resolves the party that will own a new resource: the actor itself by default, or the party
 * named in `field` if the actor manages it (a regulator acting for a party in its region). The owner
 * must have one of `roles` when given.
 */
export async function ownerFor(
  trx: Transaction<Schema>,
  actor: Actor,
  field: string,
  partyId: string | undefined,
  roles?: readonly Role[],
): Promise<PartyRow> {
  const id = partyId ?? actor.partyId;
  const party = await findParty(trx, id);
  if (!party) throw new AppError('UnknownReference', { field, reason: `no party ${id}` });
  if (!canManage(actor, ownedOf(party))) {
    throw new AppError('Forbidden', { field, reason: 'you may only act for yourself or parties in your jurisdiction' });
  }
  if (roles) {
    const has = (JSON.parse(party.roles) as Role[]).some((r) => roles.includes(r));
    if (!has)
      throw new AppError('UnknownReference', { field, reason: `party ${id} must have the role ${roles.join(' or ')}` });
  }
  return party;
}
