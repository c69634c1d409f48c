import Database from 'better-sqlite3';
import { CamelCasePlugin, Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import pg from 'pg';
import type { Schema } from './schema.ts';

/**
 * Dialect is every difference between SQLite and PostgreSQL, as capabilities. Nothing outside this
 * module asks which database it runs on; it asks the dialect for what it needs.
 */
export interface Dialect {
  /** label is for logs and test names only. */
  readonly label: 'sqlite' | 'postgres';
  /** bytesType is the column type for raw bytes (hashes, log entries). */
  readonly bytesType: 'blob' | 'bytea';
  /**
   * sequenceKeyType is the type of a 64-bit integer primary key: on SQLite, INTEGER makes it the rowid
   * itself, so the log table has no separate key index and each append writes one page fewer.
   */
  readonly sequenceKeyType: 'integer' | 'bigint';
  /** db is the Kysely instance, camelCase in TypeScript and snake_case in SQL. */
  readonly db: Kysely<Schema>;
  /** isUniqueViolation tells whether err is a unique or primary-key constraint failure. */
  isUniqueViolation(err: unknown): boolean;
  /** isBusy tells whether err is a transient lock or serialisation failure worth one retry. */
  isBusy(err: unknown): boolean;
  /** close releases the connections (and checkpoints SQLite's WAL). */
  close(): Promise<void>;
}

// int8 (bigint) comes back from pg as a string by default. Every bigint we store is epoch ms, a log
// index or a count, all below 2^53, so numbers are exact.
pg.types.setTypeParser(20, (v) => Number(v));

/** openSqlite opens (creating if needed) the SQLite file at path, in WAL mode with full fsync. */
export function openSqlite(path: string): Dialect {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const sqlite = new Database(path);
  sqlite.pragma('journal_mode = WAL');
  // FULL: an acknowledged write has reached the disk, not only the WAL in the page cache.
  sqlite.pragma('synchronous = FULL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  // 64 MiB of page cache (the default is 2 MiB): a trace reads thousands of rows scattered over the file.
  sqlite.pragma('cache_size = -65536');
  const db = new Kysely<Schema>({
    dialect: new SqliteDialect({ database: withStatementCache(sqlite) }),
    plugins: [new CamelCasePlugin()],
  });
  return {
    label: 'sqlite',
    bytesType: 'blob',
    sequenceKeyType: 'integer',
    db,
    isUniqueViolation: (err) =>
      hasCode(err, 'SQLITE_CONSTRAINT_UNIQUE') || hasCode(err, 'SQLITE_CONSTRAINT_PRIMARYKEY'),
    isBusy: (err) => codeOf(err).startsWith('SQLITE_BUSY'),
    close: async () => {
      await db.destroy();
    },
  };
}

/**
 * withStatementCache hands Kysely a database whose prepare() reuses compiled statements: Kysely's
 * SQLite driver prepares every query anew, which is a large share of a small write's CPU. A statement
 * still busy (being iterated) is never handed out twice; the cache is bounded.
 */
function withStatementCache(sqlite: Database.Database) {
  const cache = new Map<string, Database.Statement>();
  return {
    close: () => sqlite.close(),
    prepare: (query: string) => {
      const hit = cache.get(query);
      if (hit && !hit.busy) return hit;
      const stmt = sqlite.prepare(query);
      if (cache.size >= 1000) cache.delete(cache.keys().next().value!);
      cache.set(query, stmt);
      return stmt;
    },
  };
}

/** openPostgres connects a pool to the PostgreSQL database at url. */
export function openPostgres(url: string, poolSize = 10): Dialect {
  const pool = new pg.Pool({ connectionString: url, max: poolSize });
  // An idle client that loses its server must not crash the process; the next query reconnects.
  pool.on('error', () => {});
  const db = new Kysely<Schema>({
    dialect: new PostgresDialect({ pool }),
    plugins: [new CamelCasePlugin()],
  });
  return {
    label: 'postgres',
    bytesType: 'bytea',
    sequenceKeyType: 'bigint',
    db,
    isUniqueViolation: (err) => hasCode(err, '23505'),
    isBusy: (err) => hasCode(err, '40001') || hasCode(err, '40P01'),
    close: async () => {
      await db.destroy();
    },
  };
}

/** openDialect picks PostgreSQL when databaseUrl is set, and the SQLite file otherwise. */
export function openDialect(opts: { databaseUrl?: string | undefined; sqlitePath: string }): Dialect {
  return opts.databaseUrl ? openPostgres(opts.databaseUrl) : openSqlite(opts.sqlitePath);
}

/** createPostgresDatabase creates an empty database next to adminUrl's and returns its URL. */
export async function createPostgresDatabase(adminUrl: string, name: string): Promise<string> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE "${name.replace(/"/g, '')}"`);
  } finally {
    await client.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/** DatabaseMissing is thrown when a PostgreSQL database does not exist and may not, or cannot, be created here. */
export class DatabaseMissing extends Error {
  override readonly name = 'DatabaseMissing';
}

/** quoteIdent quotes a PostgreSQL identifier. */
const quoteIdent = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** maintenanceUrl is url pointing at the server's `postgres` maintenance database instead. */
function maintenanceUrl(url: string): string {
  const u = new URL(url);
  u.pathname = '/postgres';
  return u.toString();
}

/**
 * ensurePostgresDatabase makes sure the database url names exists. When it does not and create is true,
 * it creates it from the server's `postgres` maintenance database, as the same user; when it does not and
 * create is false, or the user may not create databases, it throws DatabaseMissing saying exactly what
 * to run. Returns whether it created the database. Other connection failures pass through unchanged.
 */
export async function ensurePostgresDatabase(url: string, create: boolean): Promise<boolean> {
  const probe = new pg.Client({ connectionString: url });
  try {
    await probe.connect();
    return false;
  } catch (err) {
    // 3D000 invalid_catalog_name: the server is there, the database is not.
    if (!hasCode(err, '3D000')) throw err;
  } finally {
    await probe.end().catch(() => {});
  }
  const u = new URL(url);
  const name = decodeURIComponent(u.pathname.replace(/^\//, ''));
  const where = `${u.hostname || 'localhost'}:${u.port || '5432'}`;
  const user = decodeURIComponent(u.username) || 'postgres';
  const howTo =
    `create it with: createdb -h ${u.hostname || 'localhost'} -p ${u.port || '5432'} -U ${user} '${name.replace(/'/g, `'\\''`)}'` +
    ` (or in psql: CREATE DATABASE ${quoteIdent(name)};)`;
  if (!create) throw new DatabaseMissing(`the PostgreSQL database "${name}" does not exist on ${where}; ${howTo}`);
  const admin = new pg.Client({ connectionString: maintenanceUrl(url) });
  try {
    await admin.connect();
    await admin.query(`CREATE DATABASE ${quoteIdent(name)}`);
    return true;
  } catch (err) {
    // 42P04 duplicate_database: another process created it meanwhile.
    if (hasCode(err, '42P04')) return false;
    throw new DatabaseMissing(
      `the PostgreSQL database "${name}" does not exist on ${where} and could not be created as ${user} (${(err as Error).message}); ${howTo}`,
      { cause: err },
    );
  } finally {
    await admin.end().catch(() => {});
  }
}

/** dropPostgresDatabase drops the database name, closing any connections still open to it. */
export async function dropPostgresDatabase(adminUrl: string, name: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS "${name.replace(/"/g, '')}" WITH (FORCE)`);
  } finally {
    await client.end();
  }
}

function codeOf(err: unknown): string {
  const code = typeof err === 'object' && err !== null && 'code' in err ? (err as { code: unknown }).code : undefined;
  return typeof code === 'string' ? code : '';
}

function hasCode(err: unknown, code: string): boolean {
  return codeOf(err) === code;
}
