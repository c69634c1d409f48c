import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parsePolicy } from '../../log/policy.ts';
import { DEFAULT_ELIGIBILITY_RULE } from '../../domain/worker-eligibility.ts';
import { orgCodeCheckChar, usccCheckChar } from '../../domain/uscc.ts';
import type { Dialect } from '../../store/dialect.ts';
import { ensurePostgresDatabase, openDialect } from '../../store/dialect.ts';
import { migrateToLatest } from '../../store/migrate.ts';
import { runBackfills } from './backfills.ts';
import { countParties } from '../../store/parties.ts';
import type { Clock, Config, Deps } from '../deps.ts';
import { systemClock } from '../deps.ts';
import { NODE_KEY_FILE, loadNodeKey, loadWitnessKey, originOf } from './node-key.ts';
import { EventBus } from './events.ts';
import { AppError } from '../errors.ts';
import { commit } from './commit.ts';
import type { PartyInput } from '../registry/parties.ts';
import { appendParty, checkPartyInput } from '../registry/parties.ts';
import { appendToken } from '../registry/tokens.ts';

/** NodeOptions are the settings a node starts from, after flags and environment are read. */
export interface NodeOptions {
  dataDir: string;
  databaseUrl?: string | undefined;
  publicUrl: string;
  /** origin is the checkpoint origin line; it defaults to the public URL without its scheme. */
  origin?: string | undefined;
  /** nodeName names the node to its peers (COLDTRACE_NODE_NAME); it defaults to the origin. */
  nodeName?: string | undefined;
  /** nodeRegion is the province the node serves (COLDTRACE_NODE_REGION), or null for a national node. */
  nodeRegion?: string | null | undefined;
  /** policyFile is a c2sp.org/tlog-policy file peers' checkpoints must meet to be final (COLDTRACE_FEDERATION_POLICY). */
  policyFile?: string | undefined;
  clock?: Clock;
}

/** nodeOptionsFrom reads --data and DATABASE_URL/COLDTRACE_DATA/COLDTRACE_PUBLIC_URL/PORT/HOST, with defaults. */
export function nodeOptionsFrom(
  flags: { data?: string; port?: number; host?: string },
  env = process.env,
): NodeOptions {
  const dataDir = resolve(flags.data ?? env.COLDTRACE_DATA ?? './data');
  // PORT and HOST as `serve` reads them, so that every command names the same public URL.
  const port = flags.port ?? (env.PORT ? Number(env.PORT) : 8080);
  const host = flags.host ?? env.HOST ?? '127.0.0.1';
  return {
    dataDir,
    databaseUrl: env.DATABASE_URL || undefined,
    origin: env.COLDTRACE_LOG_ORIGIN || undefined,
    nodeName: env.COLDTRACE_NODE_NAME || undefined,
    nodeRegion: env.COLDTRACE_NODE_REGION || null,
    policyFile: env.COLDTRACE_FEDERATION_POLICY || undefined,
    publicUrl: (env.COLDTRACE_PUBLIC_URL ?? `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`).replace(
      /\/+$/,
      '',
    ),
  };
}

/** openNodeDialect opens the node's database (SQLite under dataDir unless databaseUrl) without migrating it. */
export function openNodeDialect(opts: NodeOptions): Dialect {
  return openDialect({ databaseUrl: opts.databaseUrl, sqlitePath: join(opts.dataDir, SQLITE_FILE) });
}

/** SQLITE_FILE is the node's SQLite database under the data directory. */
export const SQLITE_FILE = 'coldtrace.db';

/**
 * OpenMode says whether a command may start a new node. Commands that only read (verify, reports, exports,
 * lists) set existing, so that a mistyped --data is refused, naming the path, instead of silently
 * becoming a new, empty node.
 */
export interface OpenMode {
  readonly existing?: boolean;
}

/**
 * checkDataDir throws a plain, readable error when dataDir is a file, or, with existing, when it holds
 * no node: for SQLite its database file, and in any case its key (unless COLDTRACE_NODE_KEY gives it).
 */
export function checkDataDir(opts: NodeOptions, mode: OpenMode = {}, env = process.env): void {
  const dir = opts.dataDir;
  const st = statSync(dir, { throwIfNoEntry: false });
  if (st && !st.isDirectory())
    throw new Error(`${dir} is a file, not a data directory; give --data (or COLDTRACE_DATA) a directory`);
  if (!mode.existing) return;
  const missing = !st
    ? 'the directory does not exist'
    : !opts.databaseUrl && !existsSync(join(dir, SQLITE_FILE))
      ? `it has no ${SQLITE_FILE}`
      : !env.COLDTRACE_NODE_KEY && !existsSync(join(dir, NODE_KEY_FILE))
        ? `it has no ${NODE_KEY_FILE}`
        : null;
  if (missing)
    throw new Error(
      `no coldtrace node in ${dir} (${missing}); check --data or COLDTRACE_DATA (and DATABASE_URL), or start a node there with "coldtrace serve"`,
    );
}

/**
 * prepareNodeDatabase checks the data directory and, on PostgreSQL, makes sure the database exists,
 * creating it unless mode.existing (see ensurePostgresDatabase). It writes nothing else.
 */
export async function prepareNodeDatabase(opts: NodeOptions, mode: OpenMode = {}): Promise<void> {
  checkDataDir(opts);
  // The database first: a missing one is the more useful thing to be told, with what to run.
  if (opts.databaseUrl) await ensurePostgresDatabase(opts.databaseUrl, !mode.existing);
  checkDataDir(opts, mode);
}

/**
 * openNode opens the database (SQLite under dataDir unless databaseUrl; a missing PostgreSQL database is
 * created when it may be), applies migrations, then loads the node key (creating it in dataDir on first
 * start) and returns deps. With mode.existing it refuses a data directory that holds no node.
 */
export async function openNode(opts: NodeOptions, mode: OpenMode = {}): Promise<Deps> {
  await prepareNodeDatabase(opts, mode);
  const dialect = openNodeDialect(opts);
  let signer;
  try {
    await migrateToLatest(dialect);
    await runBackfills(dialect.db);
    // Only now, with a database that works, is a key made: a start that fails leaves no key behind to
    // name a node that never was. The key is named after the origin when it is made; afterwards the
    // key's name is the origin, so restarting on another port or URL keeps signing for the same log.
    signer = loadNodeKey(opts.dataDir, opts.origin ?? originOf(opts.publicUrl), { create: true });
  } catch (err) {
    await dialect.close();
    throw err;
  }
  const origin = opts.origin ?? signer.name;
  const clock = opts.clock ?? systemClock;
  const config: Config = {
    dataDir: opts.dataDir,
    publicUrl: opts.publicUrl,
    workerRule: DEFAULT_ELIGIBILITY_RULE,
    nodeName: opts.nodeName ?? origin,
    nodeRegion: opts.nodeRegion ?? null,
    ...(opts.policyFile ? { federationPolicy: parsePolicy(readFileSync(opts.policyFile, 'utf8')) } : {}),
  };
  return {
    dialect,
    db: dialect.db,
    clock,
    config,
    log: { origin, signer },
    witness: loadWitnessKey(opts.dataDir, origin, clock, { create: true }),
    events: new EventBus(),
    blobDir: join(opts.dataDir, 'blobs'),
  };
}

/** ADMIN_USCC is the bootstrap administrator's code: a valid GB 32100 code for a national body. */
export const ADMIN_USCC = (() => {
  const body = '00000001';
  const first17 = `11100000${body}${orgCodeCheckChar(body)}`;
  return first17 + usccCheckChar(first17);
})();

/** ADMIN_PARTY is the bootstrap administrator as a party: the national regulator that starts a node. */
export const ADMIN_PARTY: PartyInput = {
  uscc: ADMIN_USCC,
  name: { zh: '国家监管管理员', en: 'National regulator (administrator)' },
  roles: ['regulator'],
  region: '110000',
  level: 'national',
};

/**
 * bootstrapAdmin creates, on a node with no parties, the national-regulator admin party and a token
 * for it, in one transaction, and returns them; on any other node it returns null. The token is
 * shown only this once. If two processes start at once on a fresh database, one creates the admin and
 * the other gets null.
 */
export async function bootstrapAdmin(deps: Deps): Promise<{ partyId: string; token: string } | null> {
  if ((await countParties(deps.db)) > 0) return null;
  try {
    return await commit(deps, undefined, async (w) => {
      if ((await countParties(w.trx)) > 0) return null;
      const { party } = await appendParty(w, null, checkPartyInput(ADMIN_PARTY));
      const { secret } = await appendToken(w, null, party.id, 'bootstrap admin');
      return { partyId: party.id, token: secret };
    });
  } catch (err) {
    if (err instanceof AppError && err.code === 'AlreadyExists') return null;
    throw err;
  }
}
