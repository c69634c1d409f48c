/**
 * Write: the one write path. An entry is encoded (entry.ts), appended and projected in one transaction
 * (commit.ts, projection.ts), checkpointed in batches (checkpointer.ts); node.ts opens a node and its keys, and
 * backfills.ts runs the projections a migration asked for.
 *
 * Invariants:
 * - Every accepted write is an entry on the log, and every projected row is a pure function of the entries, as verify
 *   recomputes it.
 * - An acknowledged write has committed (synchronous=FULL / PostgreSQL commit): it survives kill -9.
 */
import { createHash } from 'node:crypto';
import type { Transaction } from 'kysely';
import { leafHash } from '../../log/hash.ts';
import { insertEntry, lockSequencer, reserveIndex } from '../../store/log-store.ts';
import { applyRows } from '../../store/rows.ts';
import type { Schema } from '../../store/schema.ts';
import { AppError } from '../errors.ts';
import type { Deps } from '../deps.ts';
import { decodeEntry, encodeEntry } from './entry.ts';
import type { EntryType } from './entry.ts';
import { rowsFor } from './projection.ts';
import type { RowWrite } from '../../store/rows.ts';
import { familyStatuses } from '../border/lot-family.ts';
import { queueStreamDeliveries } from '../epcis/stream-queue.ts';
import type { WrittenEvent } from '../epcis/stream-queue.ts';

/** Idempotency identifies a retried create: the same party and key must return the first answer. */
export interface Idempotency {
  readonly partyId: string;
  readonly key: string;
  /** fingerprint distinguishes a retry (same request) from a reused key (different request). */
  readonly fingerprint: string;
}

/** Writer is what a use case gets inside its transaction. */
export interface Writer {
  readonly trx: Transaction<Schema>;
  /** now is the write's time, the same for every entry in it. */
  readonly now: number;
  /**
   * append encodes one entry, takes its log index, stores it and applies its projection, all in this
   * transaction, and returns the index.
   */
  append(type: EntryType, party: string | null, record: Record<string, unknown>): Promise<number>;
}

/** fingerprintOf hashes a request's method, path and body for idempotency comparison. */
export function fingerprintOf(method: string, path: string, body: unknown): string {
  return createHash('sha256')
    .update(`${method} ${path}\n${JSON.stringify(body ?? null)}`)
    .digest('hex');
}

const RETRIES = 3;

// FAMILY_CHUNK lot statuses go in one 'lot.family.recomputed' entry, well under MAX_ENTRY_BYTES with many reasons.
const FAMILY_CHUNK = 50;

// The lots whose status columns rows patch.
const statusPatched = (rows: readonly RowWrite[]): string[] =>
  rows.filter((r) => r.table === 'lots' && r.patch && 'status' in r.row).map((r) => String(r.row.id));

/**
 * commit runs fn in one database transaction: validation reads, the log append(s) and the projections
 * commit together or not at all. With an idempotency key, a retry returns the stored first answer and
 * writes nothing; the key is stored in the same transaction, so an acknowledged answer and its key
 * survive together. Transient lock failures are retried.
 *
 * A lot's status is derived, and a derived lot's depends on its parents'. So when the entries fn appended changed the
 * status of any lot, commit recomputes the status of every lot made from those lots, transitively, once fn is done,
 * and appends 'lot.family.recomputed' entries with the statuses that changed, in the same transaction.
 */
export async function commit<T>(deps: Deps, idem: Idempotency | undefined, fn: (w: Writer) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await deps.db.transaction().execute(async (trx) => {
        // Lock first, read second: every read below (idempotency, validation) then sees every write
        // committed before this one, and SQLite, with another process writing, waits for its turn
        // instead of failing when this transaction first writes (see lockSequencer). If we crash while
        // holding the lock, the transaction never committed and the database gives the lock back.
        await lockSequencer(trx);
        if (idem) {
          const prior = await findIdempotent(trx, idem);
          if (prior !== undefined) return prior as T;
        }
        const now = deps.clock.now();
        const touched = new Set<string>();
        const epcisWritten: WrittenEvent[] = [];
        const writer: Writer = {
          trx,
          now,
          append: async (type, party, record) => {
            const entry = { v: 1 as const, type, party, time: now, record };
            const data = encodeEntry(entry);
            const index = await reserveIndex(trx);
            await insertEntry(trx, index, leafHash(data), data);
            // Project from the entry as the log holds it (canonical, keys sorted), exactly as verify
            // replays it, not from the object as the code happened to build it.
            const rows = rowsFor(decodeEntry(data), index);
            await applyRows(trx, rows);
            if (type !== 'lot.family.recomputed') for (const id of statusPatched(rows)) touched.add(id);
            for (const r of rows)
              if (r.table === 'epcisEvents' && !r.patch)
                epcisWritten.push({ ...r.row, eventId: String(r.row.eventId), logIndex: index });
            return index;
          },
        };
        const result = await fn(writer);
        if (touched.size > 0) {
          const patches = await familyStatuses(trx, [...touched].sort(), now);
          for (let i = 0; i < patches.length; i += FAMILY_CHUNK) {
            await writer.append('lot.family.recomputed', null, { lotStatuses: patches.slice(i, i + FAMILY_CHUNK) });
          }
        }
        // The EPCIS events this write made go to the streaming subscriptions they match, queued with them.
        await queueStreamDeliveries(deps, trx, epcisWritten, now);
        if (idem) {
          await trx
            .insertInto('idempotencyKeys')
            .values({ ...idem, status: 201, body: JSON.stringify(result), createdAt: now })
            .execute();
        }
        return result;
      });
    } catch (err) {
      if (err instanceof AppError) throw err;
      if (deps.dialect.isUniqueViolation(err)) {
        // A concurrent retry with the same key won the race: answer as it did.
        if (idem) {
          const prior = await findIdempotent(deps.db, idem);
          if (prior !== undefined) return prior as T;
        }
        throw new AppError('AlreadyExists', { reason: 'a field that must be unique is already taken' }, { cause: err });
      }
      if (deps.dialect.isBusy(err) && attempt < RETRIES) continue;
      if (deps.dialect.isBusy(err)) throw new AppError('Unavailable', { retryAfter: 1 }, { cause: err });
      throw err;
    }
  }
}

async function findIdempotent(db: Deps['db'] | Transaction<Schema>, idem: Idempotency): Promise<unknown> {
  const row = await db
    .selectFrom('idempotencyKeys')
    .select(['fingerprint', 'body'])
    .where('partyId', '=', idem.partyId)
    .where('key', '=', idem.key)
    .executeTakeFirst();
  if (!row) return undefined;
  if (row.fingerprint !== idem.fingerprint) {
    throw new AppError('IdempotencyKeyReused', {
      field: 'Idempotency-Key',
      reason: 'this key was already used for a different request',
    });
  }
  return JSON.parse(row.body);
}
