import { createHash, randomBytes } from 'node:crypto';
import type { Transaction } from 'kysely';
import type { Actor } from '../../domain/access.ts';
import { canManage, mayAttempt } from '../../domain/access.ts';
import type { Schema } from '../../store/schema.ts';
import { notFound } from '../errors.ts';
import { forbid } from '../access/authorize.ts';
import { commit } from '../write/commit.ts';
import type { Deps } from '../deps.ts';
import { newId } from '../write/ids.ts';
import { maskResidentId } from '../../domain/resident-id.ts';
import { maskBuyer } from '../../domain/retail-buyer.ts';
import type { RetailBuyer } from '../../domain/retail-buyer.ts';

/** PersonalKind names what a personal value is: a worker's resident ID number, or a retail buyer's name and phone. */
export type PersonalKind = 'resident_id' | 'retail_buyer';

const V2 = 'v2:';

/**
 * commitmentOf is the salted commitment to a personal value of a kind, version 2:
 * `v2:` and the hex of SHA-256(salt || utf8(kind) || 0x00 || utf8(value)). Binding the kind means a row whose kind is
 * changed no longer matches. Kinds hold no NUL, so the kind and value cannot be shifted across the separator.
 */
export function commitmentOf(salt: Uint8Array, kind: PersonalKind, value: string): string {
  const h = createHash('sha256').update(salt).update(kind, 'utf8').update(Buffer.of(0)).update(value, 'utf8');
  return V2 + h.digest('hex');
}

/**
 * commitmentHolds says whether a commitment from the log commits to (salt, kind, value). A version 2 commitment
 * (`v2:` prefix) binds the kind; the version 1 form, bare hex of SHA-256(salt || utf8(value)), which entries written
 * before it hold, binds the value alone, so for those the caller checks the kind against what the entry implies.
 * Any other form holds nothing.
 */
export function commitmentHolds(commitment: string, salt: Uint8Array, kind: string, value: string): boolean {
  if (commitment.startsWith(V2)) return commitmentOf(salt, kind as PersonalKind, value) === commitment;
  if (!/^[0-9a-f]{64}$/.test(commitment)) return false;
  return createHash('sha256').update(salt).update(value, 'utf8').digest('hex') === commitment;
}

/** maskedOf is the masked form shown of a held value of a kind, or null for a value that is not of that kind. */
export function maskedOf(kind: string, value: string): string | null {
  if (kind === 'resident_id') return maskResidentId(value);
  if (kind !== 'retail_buyer') return null;
  try {
    const b = JSON.parse(value) as RetailBuyer;
    return typeof b.name === 'string' && typeof b.phone === 'string' ? maskBuyer(b) : null;
  } catch {
    return null;
  }
}

/**
 * storePersonal keeps a personal value (an identity number, a consumer's name or phone) in the erasable
 * table, and returns what the log may hold instead: a random-salted commitment to its kind and value, and the row's id.
 * Without the salt the commitment cannot be brute-forced, so erasing salt and value together
 * leaves nothing personal anywhere, and nothing in the log changes.
 */
export async function storePersonal(
  trx: Transaction<Schema>,
  kind: PersonalKind,
  value: string,
  masked: string | null,
  now: number,
): Promise<{ commitment: string; ref: string }> {
  const salt = randomBytes(32);
  const commitment = commitmentOf(salt, kind, value);
  const ref = newId('pd');
  await trx
    .insertInto('personalData')
    .values({ id: ref, kind, commitment, salt, value, masked, createdAt: now, erasedAt: null })
    .execute();
  return { commitment, ref };
}

/**
 * erasePersonal erases a personal value on a lawful request, recording the erasure (not the value) in
 * the log. A regulator erases the values of workers in its region; a value no worker holds any more
 * (a replaced ID number) only the national level erases. Out of scope reads as not found.
 */
export async function erasePersonal(deps: Deps, actor: Actor, ref: string, reason: string) {
  if (!mayAttempt(actor, 'personal.erase')) throw forbid('personal.erase');
  return commit(deps, undefined, async (w) => {
    const row = await w.trx
      .selectFrom('personalData')
      .select(['id', 'commitment', 'erasedAt'])
      .where('id', '=', ref)
      .executeTakeFirst();
    const holder = await w.trx
      .selectFrom('workers')
      .innerJoin('parties', 'parties.id', 'workers.employerPartyId')
      .select(['workers.employerPartyId', 'parties.region'])
      .where('workers.personalRef', '=', ref)
      .executeTakeFirst();
    const inScope = holder
      ? canManage(actor, { ownerPartyId: holder.employerPartyId, region: holder.region })
      : actor.national;
    if (!row || !inScope) throw notFound('NotFound', 'ref', ref);
    if (row.erasedAt !== null) return { ref, erasedAt: new Date(row.erasedAt).toISOString(), logIndex: null };
    const logIndex = await w.append('personal.erased', actor.partyId, { ref, commitment: row.commitment, reason });
    await w.trx
      .updateTable('personalData')
      .set({ salt: null, value: null, masked: null, erasedAt: w.now })
      .where('id', '=', ref)
      .execute();
    return { ref, erasedAt: new Date(w.now).toISOString(), logIndex };
  });
}
