import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parsePolicy } from '../../log/policy.ts';
import { DEFAULT_ELIGIBILITY_RULE } from '../../domain/worker-eligibility.ts';
import { orgCodeCheckChar, usccCheckChar } from '../../domain/uscc.ts';
import type { Dialect } from '../../store/dialect.ts';
import { openDialect } from '../../store/dialect.ts';
import { migrateToLatest } from '../../store/migrate.ts';
import { runBackfills } from './backfills.ts';
import { countParties } from '../../store/parties.ts';
import type { Clock, Config, Deps } from '../deps.ts';
import { systemClock } from '../deps.ts';
import { loadNodeKey, loadWitnessKey, originOf } from './node-key.ts';
import { EventBus } from './events.ts';
import { AppError } from '../errors.ts';
import { commit } from './commit.ts';
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

/** nodeOptionsFrom reads --data and DATABASE_URL/COLDTRACE_DATA/PUBLIC_URL, with defaults. */
export function nodeOptionsFrom(
  flags: { data?: string; port?: number; host?: string },
  env = process.env,
): NodeOptions {
  const dataDir = resolve(flags.data ?? env.COLDTRACE_DATA ?? './data');
  const port = flags.port ?? 8080;
  const host = flags.host ?? '127.0.0.1';
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
  return openDialect({ databaseUrl: opts.databaseUrl, sqlitePath: join(opts.dataDir, 'coldtrace.db') });
}

/**
 * openNode opens the database (SQLite under dataDir unless databaseUrl), applies migrations, loads the
 * node key (creating it in dataDir on first start) and returns deps.
 */
export async function openNode(opts: NodeOptions): Promise<Deps> {
  // The key is named after the origin when it is made; afterwards the key's name is the origin, so
  // restarting on another port or URL keeps signing checkpoints for the same log.
  const signer = loadNodeKey(opts.dataDir, opts.origin ?? originOf(opts.publicUrl), { create: true });
  const origin = opts.origin ?? signer.name;
  const dialect = openNodeDialect(opts);
  try {
    await migrateToLatest(dialect);
    await runBackfills(dialect.db);
  } catch (err) {
    await dialect.close();
    throw err;
  }
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
      const { party } = await appendParty(
        w,
        null,
        checkPartyInput({
          uscc: ADMIN_USCC,
          name: { zh: '国家监管管理员', en: 'National regulator (administrator)' },
          roles: ['regulator'],
          region: '110000',
          level: 'national',
        }),
      );
      const { secret } = await appendToken(w, null, party.id, 'bootstrap admin');
      return { partyId: party.id, token: secret };
    });
  } catch (err) {
    if (err instanceof AppError && err.code === 'AlreadyExists') return null;
    throw err;
  }
}
