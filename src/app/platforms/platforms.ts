/**
 * Platforms: other platforms (a province's own app, a vendor's cloud) that are not coldtrace nodes, registered by a
 * regulator with the codes they issue and an EPCIS 2.0 query interface to read them (DESIGN.md, trust level 4).
 *
 * Invariants:
 * - The register is on the log ('platform.registered'); the credential a platform is read with is kept beside the
 *   log, which holds its SHA-256 (as for peers, federation/peers.ts).
 * - Each platform is stood for by a recognised party (homeOrigin `platform:<id>`), the source of the lots it issues.
 * - How reading a platform goes (platform_state) is operational: it never changes a fact.
 */
import { parseLotLink } from '../../domain/digital-link.ts';
import type { Actor } from '../../domain/access.ts';
import { isRegulator, mayAttempt } from '../../domain/access.ts';
import type { PlatformRow, PlatformStateRow } from '../../store/schema.ts';
import { forbid } from '../access/authorize.ts';
import type { Deps } from '../deps.ts';
import { credentialCommitment } from '../federation/peers.ts';
import { AppError, invalid, notFound } from '../errors.ts';
import { commit } from '../write/commit.ts';
import { newId } from '../write/ids.ts';

/** CODE_KINDS are the ways a platform's codes are told apart from every other: by GS1 prefix, link host or pattern. */
export const CODE_KINDS = ['gs1_prefix', 'dl_host', 'pattern'] as const;
export type CodeKind = (typeof CODE_KINDS)[number];

/** CodeRule is one kind of code a platform issues. */
export interface CodeRule {
  readonly kind: CodeKind;
  readonly value: string;
}

/** PlatformInput is what a regulator gives to register another platform. */
export interface PlatformInput {
  name: string;
  codes: CodeRule[];
  /** queryUrl is the platform's EPCIS 2.0 query interface: `<queryUrl>/events?MATCH_anyEPC=<code>`. */
  queryUrl: string;
  credential?: string | null;
  /** noticeUrl is where a recall here of the platform's goods is pushed (an EPCIS document); none if absent. */
  noticeUrl?: string | null;
}

/** Platform is a platform as the API shows it, with how reading it goes. */
export interface Platform {
  id: string;
  name: string;
  codes: CodeRule[];
  queryUrl: string;
  noticeUrl: string | null;
  hasCredential: boolean;
  partyId: string;
  homeOrigin: string;
  registeredAt: string;
  logIndex: number;
  /** state is 'unknown' (never read), 'available', or 'unavailable' (its facts show as unavailable). */
  state: string;
  since: string | null;
  lastFetchedAt: string | null;
  lastError: string | null;
  lots: number;
  pendingNotices: number;
}

const iso = (ms: number) => new Date(ms).toISOString();

/** homeOriginOf is the homeOrigin of what is recognised from a platform: `platform:<id>`. */
export const homeOriginOf = (id: string) => `platform:${id}`;

function mayManage(actor: Actor | null): void {
  if (actor === null) return;
  if (!mayAttempt(actor, 'federation.manage') || !isRegulator(actor)) throw forbid('federation.manage');
}

function checkUrl(field: string, value: string): string {
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    throw invalid(field, 'must be an absolute http(s) URL');
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') throw invalid(field, 'must be an http(s) URL');
  if (u.username || u.password || u.hash) throw invalid(field, 'must have no credentials or fragment');
  if (value.length > 500) throw invalid(field, 'must be at most 500 characters');
  return u.toString().replace(/\/$/, '');
}

/** checkCodeRule validates one code rule; a pattern must compile and must not match every code. */
function checkCodeRule(r: CodeRule, i: number): CodeRule {
  const f = `codes.${i}`;
  if (!(CODE_KINDS as readonly string[]).includes(r.kind))
    throw invalid(`${f}.kind`, `must be one of ${CODE_KINDS.join(', ')}`);
  const value = r.value.trim();
  if (r.kind === 'gs1_prefix' && !/^\d{6,12}$/.test(value))
    throw invalid(`${f}.value`, 'a GS1 company prefix is 6 to 12 digits');
  if (
    r.kind === 'dl_host' &&
    !/^(?=.{1,253}$)[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*(:\d{1,5})?$/i.test(value)
  )
    throw invalid(`${f}.value`, 'must be a host name, as in https://<host>/01/…');
  if (r.kind === 'pattern') {
    if (value.length < 1 || value.length > 200) throw invalid(`${f}.value`, 'a pattern is 1 to 200 characters');
    let re: RegExp;
    try {
      re = new RegExp(`^(?:${value})$`, 'u');
    } catch (err) {
      throw invalid(`${f}.value`, `is not a regular expression: ${(err as Error).message}`.slice(0, 200));
    }
    // A pattern that takes our own codes would take this node's goods away from its own log.
    if (re.test('') || re.test('CT-410100-20260101-0001')) throw invalid(`${f}.value`, 'matches too much');
  }
  return { kind: r.kind, value: r.kind === 'dl_host' ? value.toLowerCase() : value };
}

/** checkPlatformInput validates a registration, naming the field at fault. */
export function checkPlatformInput(input: PlatformInput) {
  const name = input.name.trim();
  if (name === '' || name.length > 200) throw invalid('name', 'must be 1 to 200 characters');
  if (!Array.isArray(input.codes) || input.codes.length === 0 || input.codes.length > 20)
    throw invalid('codes', 'must list 1 to 20 kinds of code');
  const codes = input.codes.map(checkCodeRule);
  const queryUrl = checkUrl('queryUrl', input.queryUrl);
  const noticeUrl = input.noticeUrl ? checkUrl('noticeUrl', input.noticeUrl) : null;
  const credential = input.credential ?? null;
  if (credential !== null && (credential.length < 1 || credential.length > 500 || /\s/.test(credential)))
    throw invalid('credential', 'must be a token of 1 to 500 characters with no spaces');
  return { name, codes, queryUrl, noticeUrl, credential };
}

/** registerPlatform registers another platform as a log entry; its credential is kept outside the log. */
export async function registerPlatform(deps: Deps, actor: Actor | null, input: PlatformInput): Promise<Platform> {
  mayManage(actor);
  const p = checkPlatformInput(input);
  const id = await commit(deps, undefined, async (w) => {
    const same = await w.trx.selectFrom('platforms').select(['id', 'name']).execute();
    if (same.some((x) => x.name === p.name))
      throw new AppError('Conflict', { field: 'name', reason: `a platform named ${p.name} is registered already` });
    const id = newId('plt');
    const partyId = newId('pty');
    const home = homeOriginOf(id);
    await w.append('platform.registered', actor?.partyId ?? null, {
      recognisedParties: [
        {
          id: partyId,
          uscc: home,
          nameZh: p.name,
          nameEn: p.name,
          roles: ['importer'],
          region: actor?.region ?? '000000',
          level: null,
          homeOrigin: home,
          createdAt: w.now,
          updatedAt: w.now,
        },
      ],
      platform: {
        id,
        name: p.name,
        codes: p.codes,
        queryUrl: p.queryUrl,
        credentialSha256: p.credential === null ? null : credentialCommitment(p.credential),
        noticeUrl: p.noticeUrl,
        partyId,
        registeredAt: w.now,
      },
    });
    if (p.credential !== null)
      await w.trx.insertInto('platformCredentials').values({ platformId: id, credential: p.credential }).execute();
    return id;
  });
  return getPlatform(deps, actor, id);
}

function toPlatform(
  r: PlatformRow,
  s: PlatformStateRow | undefined,
  credential: boolean,
  lots: number,
  pending: number,
): Platform {
  return {
    id: r.id,
    name: r.name,
    codes: JSON.parse(r.codes) as CodeRule[],
    queryUrl: r.queryUrl,
    noticeUrl: r.noticeUrl,
    hasCredential: credential,
    partyId: r.partyId,
    homeOrigin: homeOriginOf(r.id),
    registeredAt: iso(Number(r.registeredAt)),
    logIndex: Number(r.logIndex),
    state: s?.state ?? 'unknown',
    since: s ? iso(Number(s.since)) : null,
    lastFetchedAt: s?.lastFetchedAt == null ? null : iso(Number(s.lastFetchedAt)),
    lastError: s?.lastError ?? null,
    lots,
    pendingNotices: pending,
  };
}

/** listPlatforms lists the registered platforms with their state, for regulators. */
export async function listPlatforms(deps: Deps, actor: Actor | null): Promise<Platform[]> {
  mayManage(actor);
  const [rows, states, creds, lots, pending] = await Promise.all([
    deps.db.selectFrom('platforms').selectAll().orderBy('registeredAt').orderBy('id').execute(),
    deps.db.selectFrom('platformState').selectAll().execute(),
    deps.db.selectFrom('platformCredentials').select('platformId').execute(),
    deps.db
      .selectFrom('lots')
      .select(['homeOrigin', (eb) => eb.fn.countAll<number>().as('n')])
      .where('homeOrigin', 'like', 'platform:%')
      .groupBy('homeOrigin')
      .execute(),
    deps.db
      .selectFrom('platformDeliveries')
      .select(['platformId', (eb) => eb.fn.countAll<number>().as('n')])
      .where('status', '=', 'pending')
      .groupBy('platformId')
      .execute(),
  ]);
  const st = new Map(states.map((s) => [s.platformId, s]));
  const cr = new Set(creds.map((c) => c.platformId));
  const ln = new Map(lots.map((l) => [String(l.homeOrigin), Number(l.n)]));
  const pn = new Map(pending.map((l) => [l.platformId, Number(l.n)]));
  return rows.map((r) => toPlatform(r, st.get(r.id), cr.has(r.id), ln.get(homeOriginOf(r.id)) ?? 0, pn.get(r.id) ?? 0));
}

/** getPlatform is one registered platform with its state. */
export async function getPlatform(deps: Deps, actor: Actor | null, id: string): Promise<Platform> {
  const p = (await listPlatforms(deps, actor)).find((x) => x.id === id);
  if (!p) throw notFound('NotFound', 'id', id);
  return p;
}

/** ruleMatches tells whether code is one of the codes a rule describes. */
function ruleMatches(r: CodeRule, code: string): boolean {
  if (r.kind === 'pattern') return new RegExp(`^(?:${r.value})$`, 'u').test(code);
  if (!/^https?:\/\//i.test(code))
    return r.kind === 'gs1_prefix' && /^\d{8,14}$/.test(code) && code.padStart(14, '0').slice(1).startsWith(r.value);
  let u: URL;
  try {
    u = new URL(code);
  } catch {
    return false;
  }
  if (r.kind === 'dl_host') return u.host.toLowerCase() === r.value;
  const link = parseLotLink(code);
  return link.ok && link.value.gtin.slice(1).startsWith(r.value);
}

/**
 * platformFor returns the registered platform whose codes include code, or null: codes longer than 512 characters
 * are no platform's. The first platform registered wins when two claim a code.
 */
export async function platformFor(deps: Pick<Deps, 'db'>, code: string): Promise<PlatformRow | null> {
  const c = code.trim();
  if (c.length === 0 || c.length > 512) return null;
  const rows = await deps.db.selectFrom('platforms').selectAll().orderBy('registeredAt').orderBy('id').execute();
  for (const r of rows) {
    const rules = JSON.parse(r.codes) as CodeRule[];
    if (rules.some((rule) => ruleMatches(rule, c))) return r;
  }
  return null;
}
