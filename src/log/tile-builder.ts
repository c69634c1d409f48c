import { HASH_SIZE, isHash } from './hash.ts';
import { LogError } from './log-error.ts';
import type { HashReader } from './proof.ts';
import { treeRoot } from './proof.ts';
import { TILE_HEIGHT, TILE_WIDTH, encodeEntryBundle, decodeEntryBundle } from './tiles.ts';
import type { TileId } from './tiles.ts';
import type { Frontier, SubtreeId } from './tree.ts';
import { rootFromLeafHashes, subtreesOfRange } from './tree.ts';

/** Tile is a hash tile with its contents: `width` hashes of 32 bytes each, concatenated. */
export interface Tile extends TileId {
  readonly data: Buffer;
}

/** EntryBundle is an entry bundle with its encoded contents (see encodeEntryBundle). */
export interface EntryBundle {
  readonly index: number;
  readonly width: number;
  readonly data: Buffer;
}

/**
 * ReadTile returns the `width` * 32 bytes of the tile at (level, index) as of a tree that contains it at that width
 * or wider. A partial tile is a prefix of every wider version of it, so a store holding a wider (or the full) tile
 * answers with that tile's first `width` hashes. It rejects if it has no such tile.
 */
export type ReadTile = (level: number, index: number, width: number) => Promise<Buffer>;

/**
 * partialTileIds lists the partial tiles (width below 256) of the tree of `size` leaves, lowest level first: at
 * level L, tile floor(size / 256^(L+1)) of width floor(size / 256^L) mod 256, where that width is not zero. These,
 * and only these, are what appendTiles needs to extend the tree.
 */
export function partialTileIds(size: number): TileId[] {
  assertSize(size);
  const ids: TileId[] = [];
  for (let level = 0; TILE_WIDTH ** level <= size; level += 1) {
    const hashes = Math.floor(size / TILE_WIDTH ** level);
    if (hashes % TILE_WIDTH !== 0)
      ids.push({ level, index: Math.floor(hashes / TILE_WIDTH), width: hashes % TILE_WIDTH });
  }
  return ids;
}

/**
 * appendTiles appends `leafHashes` to the tree of `size` leaves whose partial tiles are `partials` (exactly the tiles
 * partialTileIds(size) names, in any order), and returns every tile that is new or wider afterwards, in its final
 * state, ordered by level then index. A level-L tile that becomes full contributes its Merkle root as the next hash
 * at level L+1. Pure: nothing is read or written. Throws a LogError with code MalformedTile if `partials` do not match.
 */
export function appendTiles(size: number, partials: readonly Tile[], leafHashes: readonly Uint8Array[]): Tile[] {
  assertSize(size + leafHashes.length);
  const current = startingHashes(size, partials);
  const counts: number[] = [];
  for (let level = 0; level < current.length; level += 1) counts.push(Math.floor(size / TILE_WIDTH ** level));
  const changed = new Map<string, Tile>();
  const touched = new Set<number>();

  const push = (level: number, hash: Buffer): void => {
    const hashes = (current[level] ??= []);
    hashes.push(hash);
    counts[level] = (counts[level] ?? 0) + 1;
    touched.add(level);
    if (hashes.length < TILE_WIDTH) return;
    const index = (counts[level] as number) / TILE_WIDTH - 1;
    changed.set(`${level}/${index}`, { level, index, width: TILE_WIDTH, data: Buffer.concat(hashes) });
    current[level] = [];
    push(level + 1, rootFromLeafHashes(hashes));
  };
  for (const leaf of leafHashes) {
    if (!isHash(leaf)) throw new RangeError(`leaf hashes must be ${HASH_SIZE} bytes`);
    push(0, Buffer.from(leaf));
  }

  for (const level of touched) {
    const hashes = current[level] ?? [];
    if (hashes.length === 0) continue;
    const index = Math.floor((counts[level] as number) / TILE_WIDTH);
    changed.set(`${level}/${index}`, { level, index, width: hashes.length, data: Buffer.concat(hashes) });
  }
  return [...changed.values()].sort((a, b) => a.level - b.level || a.index - b.index);
}

/** readPartialTiles reads the tiles partialTileIds(size) names, in parallel, ready for appendTiles. */
export async function readPartialTiles(size: number, readTile: ReadTile): Promise<Tile[]> {
  return Promise.all(
    partialTileIds(size).map(async (id) => ({
      ...id,
      data: checkTile(id, await readTile(id.level, id.index, id.width)),
    })),
  );
}

/**
 * appendEntryBundles appends `entries` to a log of `size` entries whose last, partial entry bundle is `partial` (the
 * bundle of index floor(size / 256) with size mod 256 entries; undefined when that is zero), and returns every bundle
 * that is new or longer afterwards, in index order. Throws a LogError: MalformedEntryBundle if `partial` does not hold
 * exactly size mod 256 entries, EntryTooLarge for an entry over 65,535 bytes.
 */
export function appendEntryBundles(
  size: number,
  partial: Uint8Array | undefined,
  entries: readonly Uint8Array[],
): EntryBundle[] {
  assertSize(size + entries.length);
  const width = size % TILE_WIDTH;
  let pending: Uint8Array[] = width === 0 ? [] : decodeEntryBundle(partial ?? Buffer.alloc(0), width);
  let index = Math.floor(size / TILE_WIDTH);
  const bundles: EntryBundle[] = [];
  for (let next = 0; next < entries.length;) {
    const take = Math.min(TILE_WIDTH - pending.length, entries.length - next);
    pending = [...pending, ...entries.slice(next, next + take)];
    next += take;
    bundles.push({ index, width: pending.length, data: encodeEntryBundle(pending) });
    if (pending.length === TILE_WIDTH) {
      pending = [];
      index += 1;
    }
  }
  return bundles;
}

/**
 * tileHashReader is a HashReader for the tree of `size` leaves backed by tiles. The hash of a perfect subtree at tree
 * level h comes from the level floor(h/8) tile holding its 2^(h mod 8) hashes; each distinct tile is read once per
 * request, at the width it has in the tree of `size`, and all reads run in parallel. Rejects with a RangeError for a
 * subtree not complete in that tree, and a LogError with code MalformedTile when a tile has the wrong length.
 */
export function tileHashReader(size: number, readTile: ReadTile): HashReader {
  assertSize(size);
  return {
    async hashes(ids) {
      const places = ids.map((id) => placeInTile(id, size));
      const tiles = new Map<string, Promise<Buffer>>();
      for (const { tile } of places) {
        const key = `${tile.level}/${tile.index}`;
        if (!tiles.has(key))
          tiles.set(
            key,
            readTile(tile.level, tile.index, tile.width).then((data) => checkTile(tile, data)),
          );
      }
      const read = new Map(await Promise.all([...tiles].map(async ([key, data]) => [key, await data] as const)));
      return places.map(({ tile, offset, count }) => {
        const data = read.get(`${tile.level}/${tile.index}`) as Buffer;
        const hashes = [];
        for (let i = offset; i < offset + count; i += 1) hashes.push(data.subarray(i * HASH_SIZE, (i + 1) * HASH_SIZE));
        return count === 1 ? Buffer.from(hashes[0] as Buffer) : rootFromLeafHashes(hashes);
      });
    },
  };
}

/**
 * frontierFromTiles returns the frontier of the tree of `size` leaves (the state extendFrontier continues from),
 * reading at most one tile per level.
 */
export async function frontierFromTiles(size: number, readTile: ReadTile): Promise<Frontier> {
  const ids = subtreesOfRange(0, size);
  return { size, hashes: ids.length === 0 ? [] : await tileHashReader(size, readTile).hashes(ids) };
}

/** treeRootFromTiles returns the root of the tree of `size` leaves, reading O(log size) tiles through `readTile`. */
export async function treeRootFromTiles(size: number, readTile: ReadTile): Promise<Buffer> {
  return treeRoot(size, tileHashReader(size, readTile));
}

/** placeInTile finds the tile of the tree of `size` leaves that holds the hashes making up subtree `id`. */
function placeInTile(id: SubtreeId, size: number): { tile: TileId; offset: number; count: number } {
  const level = Math.floor(id.level / TILE_HEIGHT);
  const count = 2 ** (id.level - level * TILE_HEIGHT);
  const first = id.index * count;
  const index = Math.floor(first / TILE_WIDTH);
  const offset = first % TILE_WIDTH;
  const width = Math.min(TILE_WIDTH, Math.floor(size / TILE_WIDTH ** level) - index * TILE_WIDTH);
  if (!Number.isSafeInteger(first) || offset + count > width) {
    throw new RangeError(`subtree ${id.level}/${id.index} is not complete in a tree of ${size} leaves`);
  }
  return { tile: { level, index, width }, offset, count };
}

function startingHashes(size: number, partials: readonly Tile[]): Buffer[][] {
  const expected = partialTileIds(size);
  if (partials.length !== expected.length) {
    throw new LogError(
      'MalformedTile',
      `tree of ${size} leaves has ${expected.length} partial tiles, got ${partials.length}`,
    );
  }
  const current: Buffer[][] = [];
  for (let level = 0; TILE_WIDTH ** level <= size; level += 1) current.push([]);
  for (const id of expected) {
    const tile = partials.find((t) => t.level === id.level && t.index === id.index && t.width === id.width);
    if (tile === undefined)
      throw new LogError('MalformedTile', `missing partial tile ${id.level}/${id.index} of width ${id.width}`);
    const data = checkTile(id, tile.data);
    current[id.level] = Array.from({ length: id.width }, (_, i) =>
      Buffer.from(data.subarray(i * HASH_SIZE, (i + 1) * HASH_SIZE)),
    );
  }
  return current;
}

function checkTile(id: TileId, data: Uint8Array): Buffer {
  if (data.length !== id.width * HASH_SIZE) {
    throw new LogError(
      'MalformedTile',
      `tile ${id.level}/${id.index} should be ${id.width * HASH_SIZE} bytes, got ${data.length}`,
    );
  }
  return Buffer.from(data.buffer, data.byteOffset, data.length);
}

function assertSize(size: number): void {
  if (!Number.isSafeInteger(size) || size < 0) throw new RangeError(`tree size ${size} is not a safe integer >= 0`);
}
