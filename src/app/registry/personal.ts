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

/** commitmentOf is the salted commitment SHA-256(salt || utf8(value)), hex. */
export function commitmentOf(salt: Uint8Array, value: string): string {
  return createHash('sha256').update(salt).update(value, 'utf8').digest('hex');
}

/**
 * storePersonal keeps a personal value (an identity number, a consumer's name or phone) in the erasable
 * table, and returns what the log may hold instead: a random-salted commitment and the row's id.
 * Without the salt the commitment cannot be brute-forced, so erasing salt and value together
 * leaves nothing personal anywhere, and nothing in the log changes.
 */
export async function storePersonal(
  trx: Transaction<Schema>,
  kind: string,
  value: string,
  masked: string | null,
  now: number,
): Promise<{ commitment: string; ref: string }> {
  const salt = randomBytes(32);
  const commitment = commitmentOf(salt, value);
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
