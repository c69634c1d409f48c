import type { Kysely, Transaction } from 'kysely';
import type { LogCheckpointRow, LogTileRow, Schema } from './schema.ts';

type Db = Kysely<Schema> | Transaction<Schema>;

/**
 * lockSequencer takes the sequencer's lock in trx without taking an index: a write to the log_state
 * row that changes nothing. A write transaction runs it first, before any read, because its lock is what
 * serialises writers (see reserveIndex), and on SQLite it must be taken before the transaction reads:
 * SQLite cannot upgrade a read snapshot to a write once another process has committed (it fails at once
 * with SQLITE_BUSY_SNAPSHOT, or with SQLITE_BUSY without waiting out busy_timeout), whereas a first
 * statement that writes waits for the write lock and reads under it. On PostgreSQL the row lock then
 * covers the transaction's validation reads too, so they see every write committed before it.
 */
export async function lockSequencer(trx: Transaction<Schema>): Promise<void> {
  await trx
    .updateTable('logState')
    .set((eb) => ({ size: eb.ref('size') }))
    .where('id', '=', 1)
    .executeTakeFirstOrThrow();
}

/**
 * reserveIndex takes the next log index inside trx. The single log_state row is the sequencer: its
 * update holds a row lock (PostgreSQL) or the write lock (SQLite) until trx ends, so concurrent
 * writers, in this process or another, are serialised and never share or skip an index. A rollback
 * gives the index back.
 */
export async function reserveIndex(trx: Transaction<Schema>): Promise<number> {
  const { size } = await trx
    .updateTable('logState')
    .set((eb) => ({ size: eb('size', '+', 1) }))
    .where('id', '=', 1)
    .returning('size')
    .executeTakeFirstOrThrow();
  return Number(size) - 1;
}

/** insertEntry stores entry bytes at idx with their leaf hash. */
export async function insertEntry(trx: Transaction<Schema>, idx: number, leafHash: Buffer, data: Buffer) {
  await trx.insertInto('logEntries').values({ idx, leafHash, data }).execute();
}

/** logSize is the number of committed entries. */
export async function logSize(db: Db): Promise<number> {
  const row = await db.selectFrom('logState').select('size').where('id', '=', 1).executeTakeFirstOrThrow();
  return Number(row.size);
}

/** readEntries returns entries with from <= idx < to, in order. */
export async function readEntries(db: Db, from: number, to: number) {
  return db
    .selectFrom('logEntries')
    .select(['idx', 'leafHash', 'data'])
    .where('idx', '>=', from)
    .where('idx', '<', to)
    .orderBy('idx')
    .execute();
}

/** readLeafHashes returns the leaf hashes with from <= idx < to, in order. */
export async function readLeafHashes(db: Db, from: number, to: number): Promise<Buffer[]> {
  const rows = await db
    .selectFrom('logEntries')
    .select(['leafHash'])
    .where('idx', '>=', from)
    .where('idx', '<', to)
    .orderBy('idx')
    .execute();
  return rows.map((r) => Buffer.from(r.leafHash));
}

/** latestCheckpoint returns the largest stored checkpoint, or undefined before the first. */
export async function latestCheckpoint(db: Db): Promise<LogCheckpointRow | undefined> {
  return db.selectFrom('logCheckpoints').selectAll().orderBy('size', 'desc').limit(1).executeTakeFirst();
}

/** listCheckpoints returns every stored checkpoint in size order. */
export async function listCheckpoints(db: Db): Promise<LogCheckpointRow[]> {
  return db.selectFrom('logCheckpoints').selectAll().orderBy('size').execute();
}

/** readTileRow returns the stored tile (level, idx), at whatever width it has reached. */
export async function readTileRow(db: Db, level: number, idx: number): Promise<LogTileRow | undefined> {
  return db.selectFrom('logTiles').selectAll().where('level', '=', level).where('idx', '=', idx).executeTakeFirst();
}

/**
 * saveCheckpoint stores tiles and the checkpoint that covers them in one transaction. Tiles only grow,
 * so a tile is written only if it is wider than what is stored: two nodes racing write the same bytes.
 */
export async function saveCheckpoint(
  db: Kysely<Schema>,
  tiles: readonly LogTileRow[],
  checkpoint: LogCheckpointRow,
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    for (const t of tiles) {
      await trx
        .insertInto('logTiles')
        .values(t)
        .onConflict((oc) =>
          oc
            .columns(['level', 'idx'])
            .doUpdateSet({ width: t.width, data: t.data })
            .where('logTiles.width', '<', t.width),
        )
        .execute();
    }
    await trx
      .insertInto('logCheckpoints')
      .values(checkpoint)
      .onConflict((oc) => oc.column('size').doNothing())
      .execute();
  });
}
