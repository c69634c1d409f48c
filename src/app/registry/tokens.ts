import { createHash, randomBytes } from 'node:crypto';
import type { Actor } from '../../domain/access.ts';
import { canManage, canSee, mayAttempt } from '../../domain/access.ts';
import { findParty } from '../../store/parties.ts';
import type { TokenRow } from '../../store/schema.ts';
import { AppError, notFound } from '../errors.ts';
import { forbid } from '../access/authorize.ts';
import type { Idempotency, Writer } from '../write/commit.ts';
import { commit } from '../write/commit.ts';
import type { Deps } from '../deps.ts';
import { newId } from '../write/ids.ts';
import { actorOf, ownedOf } from './parties.ts';
import { iso } from '../access/paging.ts';

/** Token is a token as the API shows it; the secret is shown only once, when it is created. */
export interface Token {
  id: string;
  partyId: string;
  label: string | null;
  createdAt: string | null;
  revokedAt: string | null;
  /** qa marks a token of the party's quality assurance: it may close the party's temperature breaches. */
  qa: boolean;
  logIndex: number;
}

const toToken = (r: TokenRow): Token => ({
  id: r.id,
  partyId: r.partyId,
  label: r.label,
  createdAt: iso(r.createdAt),
  revokedAt: iso(r.revokedAt),
  qa: r.qa === 1,
  logIndex: r.logIndex,
});

/** hashToken is what is stored of a secret: its SHA-256. The secret has 256 random bits, so no salt. */
export function hashToken(secret: string): Buffer {
  return createHash('sha256').update(secret, 'utf8').digest();
}

async function managedParty(deps: Deps, actor: Actor | null, partyId: string) {
  const party = await findParty(deps.db, partyId);
  const owned = party && ownedOf(party);
  if (!party || (actor && !canSee(actor, owned!))) throw notFound('PartyNotFound', 'partyId', partyId);
  if (actor && (!mayAttempt(actor, 'token.manage') || !canManage(actor, owned!))) throw forbid('token.manage');
  return party;
}

/**
 * createToken issues a new random token for a party. A party issues its own; a regulator issues them
 * for parties in its region. Only the hash is stored; the secret is returned once.
 */
export async function createToken(
  deps: Deps,
  actor: Actor | null,
  partyId: string,
  label: string | null,
  idem?: Idempotency,
  options: { qa?: boolean } = {},
): Promise<{ token: Token; secret: string; logIndex: number }> {
  await managedParty(deps, actor, partyId);
  // A retry with the same idempotency key returns the first answer, secret included: the caller
  // may have lost that answer, and the secret cannot be recovered any other way.
  return commit(deps, idem, (w) => appendToken(w, actor?.partyId ?? null, partyId, label, options.qa === true));
}

/**
 * appendToken issues a token for partyId inside the writer's transaction; the caller has authorised it. A QA token's
 * record says `qa: true`; an ordinary token's record has no qa key (as before QA tokens existed).
 */
export async function appendToken(
  w: Writer,
  actorPartyId: string | null,
  partyId: string,
  label: string | null,
  qa = false,
) {
  const secret = `ct_${randomBytes(32).toString('base64url')}`;
  const record = {
    id: newId('tok'),
    partyId,
    tokenHash: hashToken(secret).toString('hex'),
    label: label?.trim() || null,
    createdAt: w.now,
    revokedAt: null,
    ...(qa ? { qa: true } : {}),
  };
  const logIndex = await w.append('token.created', actorPartyId, record);
  const row = await w.trx.selectFrom('tokens').selectAll().where('id', '=', record.id).executeTakeFirstOrThrow();
  return { token: toToken(row), secret, logIndex };
}

/** revokeToken revokes a token at once; revoking twice is a no-op that returns the same token. */
export async function revokeToken(
  deps: Deps,
  actor: Actor | null,
  tokenId: string,
): Promise<{ token: Token; logIndex: number }> {
  const row = await deps.db.selectFrom('tokens').selectAll().where('id', '=', tokenId).executeTakeFirst();
  if (!row) throw notFound('TokenNotFound', 'tokenId', tokenId);
  await managedParty(deps, actor, row.partyId).catch((e: unknown) => {
    throw e instanceof AppError && e.code === 'PartyNotFound' ? notFound('TokenNotFound', 'tokenId', tokenId) : e;
  });
  if (row.revokedAt !== null) return { token: toToken(row), logIndex: row.logIndex };
  return commit(deps, undefined, async (w) => {
    const record = {
      id: row.id,
      partyId: row.partyId,
      tokenHash: Buffer.from(row.tokenHash).toString('hex'),
      label: row.label,
      createdAt: row.createdAt,
      revokedAt: w.now,
      ...(row.qa === 1 ? { qa: true } : {}),
    };
    const logIndex = await w.append('token.revoked', actor?.partyId ?? null, record);
    const updated = await w.trx.selectFrom('tokens').selectAll().where('id', '=', row.id).executeTakeFirstOrThrow();
    return { token: toToken(updated), logIndex };
  });
}

/** listTokens lists a party's tokens, never their secrets. */
export async function listTokens(deps: Deps, actor: Actor, partyId: string): Promise<Token[]> {
  await managedParty(deps, actor, partyId);
  const rows = await deps.db.selectFrom('tokens').selectAll().where('partyId', '=', partyId).orderBy('id').execute();
  return rows.map(toToken);
}

/** authenticate returns the actor a bearer secret stands for, or null if it is unknown or revoked. */
export async function authenticate(deps: Deps, secret: string): Promise<Actor | null> {
  const row = await deps.db
    .selectFrom('tokens')
    .innerJoin('parties', 'parties.id', 'tokens.partyId')
    .selectAll('parties')
    .select('tokens.qa')
    .where('tokens.tokenHash', '=', hashToken(secret))
    .where('tokens.revokedAt', 'is', null)
    .executeTakeFirst();
  return row ? { ...actorOf(row), qa: row.qa === 1 } : null;
}
