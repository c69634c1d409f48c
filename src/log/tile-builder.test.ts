import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { leafHash } from './hash.ts';
import { isLogError } from './log-error.ts';
import { consistencyProof, inclusionProof } from './proof.ts';
import type { GoVectors } from './testing/known-answers.ts';
import { goLeafEntries, knownAnswersAvailable, readKnownAnswer, suiteTitle } from './testing/known-answers.ts';
import type { ReadTile, Tile } from './tile-builder.ts';
import {
  appendEntryBundles,
  appendTiles,
  frontierFromTiles,
  partialTileIds,
  readPartialTiles,
  tileHashReader,
  treeRootFromTiles,
} from './tile-builder.ts';
import { decodeEntryBundle, entriesPath, tilePath } from './tiles.ts';
import { emptyFrontier, extendFrontier, frontierRoot, rootFromLeafHashes } from './tree.ts';

const SIZE = 70_000;
const entries = goLeafEntries(SIZE);
const leaves = entries.map(leafHash);

/** TileStore keeps the widest version of each tile, as a log's storage does, and serves prefixes of it. */
class TileStore {
  readonly tiles = new Map<string, Tile>();
  reads = 0;

  put(tiles: readonly Tile[]): void {
    for (const tile of tiles) {
      const old = this.tiles.get(`${tile.level}/${tile.index}`);
      // Invariant: a tile only ever grows, and its old contents are a prefix of the new.
      if (old !== undefined) expect(tile.data.subarray(0, old.data.length).equals(old.data)).toBe(true);
      this.tiles.set(`${tile.level}/${tile.index}`, tile);
    }
  }

  readonly read: ReadTile = (level, index, width) => {
    this.reads += 1;
    const tile = this.tiles.get(`${level}/${index}`);
    if (tile === undefined || tile.width < width)
      return Promise.reject(new Error(`no tile ${level}/${index}@${width}`));
    return Promise.resolve(tile.data.subarray(0, width * 32));
  };

  paths(): string[] {
    return [...this.tiles.values()].map((t) => tilePath(t.level, t.index, t.width)).sort();
  }
}

const oneBatch = new TileStore();
oneBatch.put(appendTiles(0, [], leaves));

describe('partialTileIds', () => {
  it('follows the spec examples', () => {
    expect(partialTileIds(0)).toEqual([]);
    expect(partialTileIds(256)).toEqual([{ level: 1, index: 0, width: 1 }]);
    expect(partialTileIds(70_000)).toEqual([
      { level: 0, index: 273, width: 112 },
      { level: 1, index: 1, width: 17 },
      { level: 2, index: 0, width: 1 },
    ]);
    expect(partialTileIds(2 ** 24)).toEqual([{ level: 3, index: 0, width: 1 }]);
  });
});

describe('appendTiles', () => {
  it('builds 277 tiles for 70,000 leaves, 273 of them full at level 0', () => {
    expect(oneBatch.tiles.size).toBe(277);
    expect([...oneBatch.tiles.values()].filter((t) => t.level === 0 && t.width === 256)).toHaveLength(273);
    for (const tile of oneBatch.tiles.values()) expect(tile.data.length).toBe(tile.width * 32);
  });

  it('ends in identical tiles when built in uneven batches, keeping every invariant after each batch', async () => {
    const store = new TileStore();
    let frontier = emptyFrontier();
    let bundles = new Map<number, Buffer>();
    const batches = [1, 255, 1000, 3, 0, 256, 65_535 - 1515, 1, 1, 254, 2, 1000];
    for (let seed = 7; batches.reduce((a, b) => a + b, 0) < SIZE; seed = (seed * 7919) % 10_007)
      batches.push(seed % 1500);
    for (const batch of batches) {
      const size = frontier.size;
      const add = leaves.slice(size, Math.min(SIZE, size + batch));
      const partials = await readPartialTiles(size, store.read);
      store.put(appendTiles(size, partials, add));
      frontier = extendFrontier(frontier, add);
      const newSize = frontier.size;

      expect(await treeRootFromTiles(newSize, store.read)).toEqual(frontierRoot(frontier));
      for (const id of partialTileIds(newSize))
        expect(store.tiles.get(`${id.level}/${id.index}`)?.width).toBe(id.width);
      for (const [key, tile] of store.tiles) {
        const final = oneBatch.tiles.get(key);
        expect(final?.data.subarray(0, tile.data.length).equals(tile.data)).toBe(true);
      }

      const partialBundle = bundles.get(Math.floor(size / 256));
      const next = appendEntryBundles(size, size % 256 === 0 ? undefined : partialBundle, entries.slice(size, newSize));
      bundles = new Map([...bundles, ...next.map((b) => [b.index, b.data] as const)]);
    }
    expect(frontier.size).toBe(SIZE);
    expect(store.paths()).toEqual(oneBatch.paths());
    for (const [key, tile] of oneBatch.tiles) expect(store.tiles.get(key)?.data.equals(tile.data)).toBe(true);
    expect(bundles.size).toBe(274);
    expect(
      decodeEntryBundle(bundles.get(273) as Buffer, 112)
        .at(-1)
        ?.toString(),
    ).toBe('leaf-69999');
  });

  it('refuses partial tiles that do not match the size', async () => {
    const partials = await readPartialTiles(1000, oneBatch.read);
    const code = (fn: () => unknown): unknown => {
      try {
        fn();
      } catch (err) {
        return isLogError(err) ? err.code : err;
      }
      return undefined;
    };
    expect(code(() => appendTiles(1000, partials.slice(1), []))).toBe('MalformedTile');
    expect(code(() => appendTiles(1001, partials, []))).toBe('MalformedTile');
    const short = partials.map((t) => ({ ...t, data: t.data.subarray(32) }));
    expect(code(() => appendTiles(1000, short, []))).toBe('MalformedTile');
    expect(appendTiles(1000, partials, [])).toEqual([]);
  });
});

describe('tileHashReader', () => {
  it('gives the same roots as the leaves for many sizes, reading few tiles', async () => {
    let frontier = emptyFrontier();
    for (const size of [0, 1, 2, 255, 256, 257, 511, 512, 65_535, 65_536, 65_537, 69_999, 70_000]) {
      frontier = extendFrontier(frontier, leaves.slice(frontier.size, size));
      oneBatch.reads = 0;
      expect(await treeRootFromTiles(size, oneBatch.read), `size ${size}`).toEqual(frontierRoot(frontier));
      expect(oneBatch.reads).toBeLessThanOrEqual(3);
    }
  });

  it('rebuilds the frontier of any size from the tiles', async () => {
    let frontier = emptyFrontier();
    for (const size of [0, 1, 3, 256, 1000, 65_537, 70_000]) {
      frontier = extendFrontier(frontier, leaves.slice(frontier.size, size));
      expect(await frontierFromTiles(size, oneBatch.read)).toEqual(frontier);
    }
  });

  it('refuses subtrees outside the tree and tiles of the wrong length', async () => {
    const reader = tileHashReader(1000, oneBatch.read);
    await expect(reader.hashes([{ level: 0, index: 1000 }])).rejects.toThrow(RangeError);
    await expect(reader.hashes([{ level: 3, index: 125 }])).rejects.toThrow(RangeError);
    expect(await reader.hashes([{ level: 3, index: 124 }])).toEqual([rootFromLeafHashes(leaves.slice(992, 1000))]);
    const truncating = tileHashReader(1000, (l, i, w) => oneBatch.read(l, i, w).then((d) => d.subarray(32)));
    await expect(truncating.hashes([{ level: 0, index: 0 }])).rejects.toThrow(/MalformedTile/);
  });

  it('serves proofs that match the in-memory ones', async () => {
    const reader = tileHashReader(SIZE, oneBatch.read);
    const proof = await inclusionProof(12_345, SIZE, reader);
    expect(proof).toHaveLength(17);
    expect(await consistencyProof(1000, SIZE, reader)).toHaveLength(15);
  });
});

describe.skipIf(!knownAnswersAvailable)(suiteTitle('tiles against go-x-mod-vectors'), () => {
  const tree = knownAnswersAvailable ? readKnownAnswer<GoVectors>('go-x-mod-vectors.json').tree_70000 : undefined;
  const hex = (hashes: readonly Buffer[]): string[] => hashes.map((h) => h.toString('hex'));

  it('reproduces the tile set: count, paths, widths, SHA-256 and partial tiles bytes', () => {
    const set = tree?.tiles_for_size_70000;
    expect(oneBatch.tiles.size).toBe(set?.total_tiles);
    expect([...oneBatch.tiles.values()].filter((t) => t.level === 0 && t.width === 256)).toHaveLength(
      set?.full_level0_tiles ?? -1,
    );
    expect(set?.sample).toHaveLength(9);
    const byPath = new Map([...oneBatch.tiles.values()].map((t) => [tilePath(t.level, t.index, t.width), t]));
    for (const want of set?.sample ?? []) {
      const tile = byPath.get(want.c2spPath);
      expect(tile, want.c2spPath).toBeDefined();
      expect(tile?.level).toBe(want.level);
      expect(tile?.width).toBe(want.width);
      expect(tile?.data.length).toBe(want.bytes);
      expect(
        createHash('sha256')
          .update(tile?.data ?? '')
          .digest('hex'),
      ).toBe(want.sha256Hex);
      if (want.dataHex !== undefined) expect(tile?.data.toString('hex')).toBe(want.dataHex);
    }
  });

  it('reproduces the roots of all 17 sizes from the tiles', async () => {
    for (const [size, root] of Object.entries(tree?.root_hex_by_size ?? {})) {
      expect((await treeRootFromTiles(Number(size), oneBatch.read)).toString('hex'), `size ${size}`).toBe(root);
    }
  });

  it('reproduces every inclusion and consistency proof through the tile reader', async () => {
    for (const p of tree?.inclusion_proofs ?? []) {
      expect(hex(await inclusionProof(p.index, p.treeSize, tileHashReader(p.treeSize, oneBatch.read)))).toEqual(
        p.proofHex,
      );
    }
    for (const p of tree?.consistency_proofs ?? []) {
      expect(hex(await consistencyProof(p.size1, p.size2, tileHashReader(p.size2, oneBatch.read)))).toEqual(p.proofHex);
    }
  });

  it('reproduces the entry bundles', () => {
    const bundles = appendEntryBundles(0, undefined, entries);
    expect(bundles).toHaveLength(274);
    for (const want of tree?.entry_bundles ?? []) {
      const bundle = bundles.find((b) => entriesPath(b.index, b.width) === want.path);
      expect(
        createHash('sha256')
          .update(bundle?.data ?? '')
          .digest('hex'),
      ).toBe(want.sha256Hex);
    }
  });
});
