import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { isLogError } from './log-error.ts';
import type { GoVectors } from './testing/known-answers.ts';
import { goLeafEntries, knownAnswersAvailable, readKnownAnswer, suiteTitle } from './testing/known-answers.ts';
import { MAX_ENTRY_SIZE, decodeEntryBundle, encodeEntryBundle, entriesPath, parseTilePath, tilePath } from './tiles.ts';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return isLogError(err) ? err.code : String(err);
  }
  return undefined;
}

describe('tile paths', () => {
  it.each([
    [0, 0, 256, 'tile/0/000'],
    [0, 273, 112, 'tile/0/273.p/112'],
    [1, 1, 17, 'tile/1/001.p/17'],
    [2, 0, 1, 'tile/2/000.p/1'],
    [3, 1000, 256, 'tile/3/x001/000'],
    [63, 1234067, 255, 'tile/63/x001/x234/067.p/255'],
    [0, Number.MAX_SAFE_INTEGER, 256, 'tile/0/x009/x007/x199/x254/x740/991'],
  ])('tilePath(%i, %i, %i) is %s and parses back', (level, index, width, path) => {
    expect(tilePath(level, index, width)).toBe(path);
    expect(parseTilePath(path)).toEqual({ kind: 'tile', level, index, width });
  });

  it('names entry bundles', () => {
    expect(entriesPath(0)).toBe('tile/entries/000');
    expect(entriesPath(273, 112)).toBe('tile/entries/273.p/112');
    expect(parseTilePath('tile/entries/x001/x234/067.p/7')).toEqual({ kind: 'entries', index: 1234067, width: 7 });
  });

  it.each([
    'tile/0/0',
    'tile/0/0000',
    'tile/00/000',
    'tile/01/000',
    'tile/64/000',
    'tile/0/x000/001',
    'tile/0/001/002',
    'tile/0/x001',
    'tile/0/X001/002',
    'tile/0/000.p/256',
    'tile/0/000.p/0',
    'tile/0/000.p/012',
    'tile/0/000.p/',
    'tile/0/000.p',
    '/tile/0/000',
    'tile/0/000/',
    'tile/entries/000.p/256',
    'tile/0/x009/x007/x199/x254/x740/992',
    'tile/-1/000',
  ])('parseTilePath refuses %s', (path) => {
    expect(codeOf(() => parseTilePath(path))).toBe('MalformedTilePath');
  });

  it('refuses impossible tile ids', () => {
    expect(() => tilePath(64, 0)).toThrow(RangeError);
    expect(() => tilePath(0, -1)).toThrow(RangeError);
    expect(() => tilePath(0, 0, 0)).toThrow(RangeError);
    expect(() => tilePath(0, 0, 257)).toThrow(RangeError);
    expect(() => entriesPath(0.5)).toThrow(RangeError);
  });
});

describe('entry bundles', () => {
  it('round-trip including empty and maximum-size entries', () => {
    const entries = [Buffer.alloc(0), Buffer.from('leaf-0'), Buffer.alloc(MAX_ENTRY_SIZE, 7)];
    const bundle = encodeEntryBundle(entries);
    expect(bundle.subarray(0, 10).toString('hex')).toBe('000000066c6561662d30');
    const decoded = decodeEntryBundle(bundle, 3);
    expect(decoded.map((e) => e.length)).toEqual([0, 6, MAX_ENTRY_SIZE]);
    expect(decoded.every((e, i) => e.equals(entries[i] as Buffer))).toBe(true);
  });

  it('refuses oversized entries and malformed bundles', () => {
    expect(codeOf(() => encodeEntryBundle([Buffer.alloc(MAX_ENTRY_SIZE + 1)]))).toBe('EntryTooLarge');
    expect(codeOf(() => decodeEntryBundle(Buffer.from([0])))).toBe('MalformedEntryBundle');
    expect(codeOf(() => decodeEntryBundle(Buffer.from([0, 3, 1, 2])))).toBe('MalformedEntryBundle');
    expect(codeOf(() => decodeEntryBundle(encodeEntryBundle([Buffer.from('a')]), 2))).toBe('MalformedEntryBundle');
    expect(codeOf(() => decodeEntryBundle(Buffer.alloc(2 * 257)))).toBe('MalformedEntryBundle');
    expect(() => encodeEntryBundle(Array.from({ length: 257 }, () => Buffer.alloc(0)))).toThrow(RangeError);
  });
});

describe.skipIf(!knownAnswersAvailable)(suiteTitle('entry bundles and tile paths against go-x-mod-vectors'), () => {
  it('reproduces both entry bundles byte for byte', () => {
    const { entry_bundles: bundles, tiles_for_size_70000: tiles } =
      readKnownAnswer<GoVectors>('go-x-mod-vectors.json').tree_70000;
    const entries = goLeafEntries(70_000);
    expect(bundles).toHaveLength(2);
    for (const want of bundles) {
      const parsed = parseTilePath(want.path);
      if (parsed.kind !== 'entries') throw new Error(`${want.path} is not an entry bundle path`);
      expect(entriesPath(parsed.index, parsed.width)).toBe(want.path);
      const start = parsed.index * 256;
      const bundle = encodeEntryBundle(entries.slice(start, start + parsed.width));
      expect(bundle.length).toBe(want.bytes);
      expect(parsed.width).toBe(want.entries);
      expect(createHash('sha256').update(bundle).digest('hex')).toBe(want.sha256Hex);
      if (want.first16BytesHex !== undefined) expect(bundle.subarray(0, 16).toString('hex')).toBe(want.first16BytesHex);
      expect(decodeEntryBundle(bundle, parsed.width)).toEqual(entries.slice(start, start + parsed.width));
    }
    for (const tile of tiles.sample) {
      expect(parseTilePath(tile.c2spPath)).toEqual({
        kind: 'tile',
        level: tile.level,
        index: expect.any(Number),
        width: tile.width,
      });
    }
  });
});
