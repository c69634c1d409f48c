import { findParty, findPartyByUscc } from '../../store/parties.ts';
import type { PartyRow } from '../../store/schema.ts';
import { AppError, notFound } from '../errors.ts';
import type { Deps } from '../deps.ts';
import { commit } from '../write/commit.ts';
import { ADMIN_PARTY, ADMIN_USCC } from '../write/node.ts';
import { appendParty, checkPartyInput, toParty } from './parties.ts';
import type { Party } from './parties.ts';
import { appendToken } from './tokens.ts';

/** RECOVERY_LABEL labels every token admin recovery issues, so the log shows how it came about. */
export const RECOVERY_LABEL = 'admin recovery (coldtrace admin recover)';

const isNationalRegulator = (r: PartyRow) =>
  r.level === 'national' && (JSON.parse(r.roles) as string[]).includes('regulator');

/**
 * recoverAdmin gives the node operator a way back in when the admin token is lost: a new token for a
 * national regulator (partyId, or by default the bootstrap admin), or, when there is no bootstrap admin,
 * a new admin party with its token. It is the CLI's act, with no HTTP route: whoever holds the data
 * directory and the database already holds the node, so it asks for nothing more, and it is a log entry
 * like any other write (token.created, by the node operator, labelled RECOVERY_LABEL), so it is seen.
 */
export async function recoverAdmin(
  deps: Deps,
  partyId?: string,
): Promise<{ party: Party; token: string; tokenId: string; created: boolean; logIndex: number }> {
  return commit(deps, undefined, async (w) => {
    let row = partyId ? await findParty(w.trx, partyId) : await findPartyByUscc(w.trx, ADMIN_USCC);
    if (partyId && !row) throw notFound('PartyNotFound', '--party', partyId);
    if (row && !isNationalRegulator(row))
      throw new AppError('Forbidden', {
        field: '--party',
        reason: partyId
          ? `${partyId} is not a national regulator`
          : `the bootstrap admin ${row.id} is no longer a national regulator; name one with --party`,
      });
    let created = false;
    if (!row) {
      const { party } = await appendParty(w, null, checkPartyInput(ADMIN_PARTY));
      row = (await findParty(w.trx, party.id))!;
      created = true;
    }
    const { token, secret, logIndex } = await appendToken(w, null, row.id, RECOVERY_LABEL);
    return { party: toParty(row), token: secret, tokenId: token.id, created, logIndex };
  });
}
