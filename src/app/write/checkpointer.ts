import type { Kysely } from 'kysely';
import { formatCheckpoint } from '../../log/checkpoint.ts';
import { HASH_SIZE } from '../../log/hash.ts';
import { signNote } from '../../log/note.ts';
import type { ReadTile, Tile } from '../../log/tile-builder.ts';
import { appendTiles, readPartialTiles, treeRootFromTiles } from '../../log/tile-builder.ts';
import { latestCheckpoint, logSize, readLeafHashes, readTileRow, saveCheckpoint } from '../../store/log-store.ts';
import type { Schema } from '../../store/schema.ts';
import type { Clock, LogIdentity } from '../deps.ts';

/** storedTileReader reads tiles from the database, cutting a wider stored tile to the width asked for. */
export function storedTileReader(db: Kysely<Schema>): ReadTile {
  return async (level, index, width) => {
    const row = await readTileRow(db, level, index);
    if (!row || row.width < width) throw new Error(`tile ${level}/${index} of width ${width} is not stored`);
    return Buffer.from(row.data).subarray(0, width * HASH_SIZE);
  };
}

/**
 * checkpointOnce brings the tiles up to the current log size and signs a checkpoint for it, or does
 * nothing when the latest checkpoint already covers the log. Safe to run from several processes at
 * once: tiles are deterministic and only ever widened, and checkpoints are keyed by size.
 *
 * If we crash before saveCheckpoint commits, nothing was written; if after, tiles and checkpoint are
 * there together. Either way the next run starts from the latest stored checkpoint.
 */
export async function checkpointOnce(db: Kysely<Schema>, id: LogIdentity, clock: Clock): Promise<number | null> {
  const last = await latestCheckpoint(db);
  const from = last ? Number(last.size) : 0;
  const size = await logSize(db);
  if (last && size === from) return null;
  const stored = storedTileReader(db);
  const partials = await readPartialTiles(from, stored);
  const tiles = appendTiles(from, partials, await readLeafHashes(db, from, size));
  const fresh = new Map(tiles.map((t) => [`${t.level}/${t.index}`, t]));
  const read: ReadTile = async (level, index, width) => {
    const t = fresh.get(`${level}/${index}`);
    return t && t.width >= width ? t.data.subarray(0, width * HASH_SIZE) : stored(level, index, width);
  };
  const root = await treeRootFromTiles(size, read);
  const note = signNote(formatCheckpoint({ origin: id.origin, size, root }), [id.signer]);
  await saveCheckpoint(db, tiles.map(toRow), { size, root, note, createdAt: clock.now() });
  return size;
}

const toRow = (t: Tile) => ({ level: t.level, idx: t.index, width: t.width, data: t.data });

/** Checkpointer signs checkpoints in the background, in batches, while entries arrive. */
export interface Checkpointer {
  /** flush signs a checkpoint now if there are new entries, and returns the covered size. */
  flush(): Promise<number | null>;
  /** stop ends the loop after a last flush, so a clean shutdown leaves every entry checkpointed. */
  stop(): Promise<void>;
}

/**
 * startCheckpointer signs a checkpoint every intervalMs when there are new entries: one signature per
 * batch, not per write. onSigned hears of each new checkpoint at once (the federation worker then hints its peers
 * and asks their witnesses, instead of waiting for its own tick). Runs never overlap within a process; failures are reported and retried on the
 * next tick, because a missed checkpoint delays proofs but loses nothing.
 */
export function startCheckpointer(
  db: Kysely<Schema>,
  id: LogIdentity,
  clock: Clock,
  intervalMs: number,
  onError: (err: unknown) => void,
  onSigned?: (size: number) => void,
): Checkpointer {
  let running: Promise<number | null> = Promise.resolve(null);
  const flush = () => {
    running = running
      .catch(() => null)
      .then(() => checkpointOnce(db, id, clock))
      .then((size) => {
        if (size !== null) onSigned?.(size);
        return size;
      });
    return running;
  };
  const timer = setInterval(() => {
    flush().catch(onError);
  }, intervalMs);
  timer.unref();
  return {
    flush,
    stop: async () => {
      clearInterval(timer);
      await flush().catch(onError);
    },
  };
}
