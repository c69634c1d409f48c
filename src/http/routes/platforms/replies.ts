import { bool, int, list, obj, str, strOrNull } from '../../schemas.ts';

/** codeRule is one kind of code a platform issues. */
export const codeRule = obj({
  kind: { type: 'string', enum: ['gs1_prefix', 'dl_host', 'pattern'] },
  value: str,
});

/** platform is a registered platform with how reading it goes (app/platforms/platforms.ts Platform). */
export const platform = obj({
  id: str,
  name: str,
  codes: list(codeRule),
  queryUrl: str,
  noticeUrl: strOrNull,
  hasCredential: bool,
  partyId: str,
  homeOrigin: { type: 'string', description: 'platform:<id>: the homeOrigin of the lots recognised from it' },
  registeredAt: str,
  logIndex: int,
  state: {
    type: 'string',
    description: 'unknown (never read), available, or unavailable (its facts show as unavailable)',
  },
  since: strOrNull,
  lastFetchedAt: strOrNull,
  lastError: strOrNull,
  lots: int,
  pendingNotices: int,
});

/** platformList is every registered platform. */
export const platformList = obj({ items: list(platform) });
