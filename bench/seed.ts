import type { Kysely, Transaction } from 'kysely';
import { checkpointOnce } from '../src/app/write/checkpointer.ts';
import type { Deps } from '../src/app/deps.ts';
import { encodeEntry } from '../src/app/write/entry.ts';
import type { Entry } from '../src/app/write/entry.ts';
import { newId } from '../src/app/write/ids.ts';
import { rowsFor } from '../src/app/write/projection.ts';
import { leafHash } from '../src/log/hash.ts';
import { logSize } from '../src/store/log-store.ts';
import type { LogEntryRow, ProjectedTable, Schema } from '../src/store/schema.ts';

const COUNTRIES = ['BR', 'AR', 'UY', 'DE', 'ES', 'NL', 'NZ', 'AU', 'US', 'CA', 'FR', 'DK', 'IE', 'CL', 'TH'];

/**
 * producerInput is the nth overseas producer, shaped like a real register entry: an establishment
 * number, a Latin name and a Chinese name. tag keeps registration numbers of separate runs apart.
 */
export function producerInput(n: number, tag: string) {
  return {
    country: COUNTRIES[n % COUNTRIES.length]!,
    registrationNo: `${tag}-${String(n).padStart(6, '0')}`,
    name: `Frigorífico Exportador ${n} S.A. — Planta de Faena y Desposte`,
    nameZh: `第${n}号海外冷冻肉类生产企业`,
  };
}

/** SEED_BATCH is how many entries one seeding transaction writes. */
const SEED_BATCH = 5000;
/** CHUNK is the rows per multi-row INSERT, well under both databases' bound-parameter limits. */
const CHUNK = 500;

/**
 * seedLog appends count producer.created entries for partyId, built exactly as the write path builds
 * them (encodeEntry, leafHash, rowsFor) but stored with multi-row inserts, SEED_BATCH entries per
 * transaction, so a log of 10^5 entries takes seconds. It signs a checkpoint (checkpointOnce) every
 * checkpointEvery entries and at the end, so the log verifies like one a running node wrote.
 */
export async function seedLog(deps: Deps, partyId: string, count: number, checkpointEvery: number): Promise<void> {
  let sinceCheckpoint = 0;
  for (let done = 0; done < count;) {
    const k = Math.min(SEED_BATCH, count - done, checkpointEvery - sinceCheckpoint);
    await deps.db.transaction().execute(async (trx) => {
      const start = await logSize(trx);
      const now = deps.clock.now();
      const entries: LogEntryRow[] = [];
      const rows = new Map<ProjectedTable, Record<string, unknown>[]>();
      for (let i = 0; i < k; i++) {
        const idx = start + i;
        const record = { id: newId('pro'), ...producerInput(idx, 'S'), createdAt: now, updatedAt: now };
        const entry: Entry = { v: 1, type: 'producer.created', party: partyId, time: now, record };
        const data = encodeEntry(entry);
        entries.push({ idx, leafHash: leafHash(data), data });
        for (const w of rowsFor(entry, idx)) {
          const list = rows.get(w.table) ?? [];
          list.push({ ...w.row });
          rows.set(w.table, list);
        }
      }
      for (let i = 0; i < entries.length; i += CHUNK) {
        await trx
          .insertInto('logEntries')
          .values(entries.slice(i, i + CHUNK))
          .execute();
      }
      for (const [table, list] of rows) {
        for (let i = 0; i < list.length; i += CHUNK) {
          // The projected tables share no static row type, as in store/rows.ts.
          // eslint-disable-next-line @typescript-eslint/no-explicit-any -- generic over the projected tables
          await (trx as Transaction<any>)
            .insertInto(table)
            .values(list.slice(i, i + CHUNK))
            .execute();
        }
      }
      await trx
        .updateTable('logState')
        .set({ size: start + k })
        .where('id', '=', 1)
        .execute();
    });
    done += k;
    sinceCheckpoint += k;
    if (sinceCheckpoint === checkpointEvery || done === count) {
      await checkpointOnce(deps.db, deps.log, deps.clock);
      sinceCheckpoint = 0;
    }
  }
}

/** entryBytes returns the stored bytes of entries from <= idx < to, in order. */
export async function entryBytes(db: Kysely<Schema>, from: number, to: number): Promise<Buffer[]> {
  const rows = await db
    .selectFrom('logEntries')
    .select('data')
    .where('idx', '>=', from)
    .where('idx', '<', to)
    .orderBy('idx')
    .execute();
  return rows.map((r) => Buffer.from(r.data));
}
