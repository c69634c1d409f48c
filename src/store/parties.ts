import type { Kysely, Transaction } from 'kysely';
import type { PartyRow, Schema } from './schema.ts';

type Db = Kysely<Schema> | Transaction<Schema>;

/** findParty returns the party row by id. */
export async function findParty(db: Db, id: string): Promise<PartyRow | undefined> {
  return db.selectFrom('parties').selectAll().where('id', '=', id).executeTakeFirst();
}

/** findPartyByUscc returns the party with that unified social credit code. */
export async function findPartyByUscc(db: Db, uscc: string): Promise<PartyRow | undefined> {
  return db.selectFrom('parties').selectAll().where('uscc', '=', uscc).executeTakeFirst();
}

/** countParties counts every party; zero means a fresh node. */
export async function countParties(db: Db): Promise<number> {
  const r = await db
    .selectFrom('parties')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

/** PartyFilter narrows a party list; every field is optional. */
export interface PartyFilter {
  region?: string | undefined;
  role?: string | undefined;
  uscc?: string | undefined;
  onlyId?: string | undefined;
}

/** listParties returns up to limit+1 parties after the cursor id, ordered by id. */
export async function listParties(db: Db, f: PartyFilter, after: string | null, limit: number): Promise<PartyRow[]> {
  let q = db
    .selectFrom('parties')
    .selectAll()
    .orderBy('id')
    .limit(limit + 1);
  if (after) q = q.where('id', '>', after);
  if (f.region) q = q.where('region', '=', f.region);
  if (f.uscc) q = q.where('uscc', '=', f.uscc);
  if (f.onlyId) q = q.where('id', '=', f.onlyId);
  // roles is a JSON array of plain words, so a quoted match is exact.
  if (f.role) q = q.where('roles', 'like', `%"${f.role}"%`);
  return q.execute();
}
