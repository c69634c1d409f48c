import { describe, expect, it } from 'vitest';
import * as log from './index.ts';

describe('index', () => {
  it('exposes the library from one place', () => {
    for (const name of [
      'leafHash',
      'verifyInclusion',
      'openNote',
      'parseCheckpoint',
      'appendTiles',
      'tileHashReader',
    ]) {
      expect(typeof (log as Record<string, unknown>)[name]).toBe('function');
    }
  });

  it('runs a log end to end: tiles, signed checkpoint, proof, verification', async () => {
    const store = new Map<string, log.Tile>();
    const readTile: log.ReadTile = (level, index, width) => {
      const tile = store.get(`${level}/${index}`);
      return tile && tile.width >= width
        ? Promise.resolve(tile.data.subarray(0, width * 32))
        : Promise.reject(new Error('no tile'));
    };
    const signer = log.signerFromSeed('example.com/log', Buffer.alloc(32, 3));
    let size = 0;
    for (const batch of [3, 300, 1]) {
      const entries = Array.from({ length: batch }, (_, i) => Buffer.from(`entry ${size + i}`));
      const partials = await log.readPartialTiles(size, readTile);
      for (const tile of log.appendTiles(size, partials, entries.map(log.leafHash)))
        store.set(`${tile.level}/${tile.index}`, tile);
      size += batch;
    }
    const root = await log.treeRootFromTiles(size, readTile);
    const note = log.signNote(log.formatCheckpoint({ origin: 'example.com/log', size, root }), [signer]);

    const { checkpoint } = log.openCheckpoint(note, 'example.com/log', [log.parseVerifierKey(signer.verifierKey)]);
    const reader = log.tileHashReader(checkpoint.size, readTile);
    const proof = await log.inclusionProof(42, checkpoint.size, reader);
    expect(
      log.verifyInclusion(log.leafHash(Buffer.from('entry 42')), 42, checkpoint.size, proof, checkpoint.root),
    ).toBe(true);
    const oldRoot = await log.treeRootFromTiles(3, readTile);
    const consistency = await log.consistencyProof(3, checkpoint.size, reader);
    expect(log.verifyConsistency(3, checkpoint.size, consistency, oldRoot, checkpoint.root)).toBe(true);
  });
});
