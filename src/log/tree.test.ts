import { describe, expect, it } from 'vitest';
import { emptyRoot, leafHash, nodeHash } from './hash.ts';
import type { GoVectors } from './testing/known-answers.ts';
import { goLeafEntries, knownAnswersAvailable, readKnownAnswer, suiteTitle } from './testing/known-answers.ts';
import {
  bitLength,
  emptyFrontier,
  extendFrontier,
  frontierRoot,
  largestPowerOfTwoBelow,
  rootFromLeafHashes,
  subtreesOfRange,
} from './tree.ts';

/** mth is RFC 6962's recursive definition, the reference the iterative code is checked against. */
function mth(leaves: readonly Buffer[]): Buffer {
  if (leaves.length === 0) return emptyRoot();
  if (leaves.length === 1) return leaves[0] as Buffer;
  const k = largestPowerOfTwoBelow(leaves.length);
  return nodeHash(mth(leaves.slice(0, k)), mth(leaves.slice(k)));
}

const leaves = goLeafEntries(300).map(leafHash);

describe('rootFromLeafHashes', () => {
  it('matches the recursive RFC 6962 definition for sizes 0..300', () => {
    for (let n = 0; n <= 300; n += 1) expect(rootFromLeafHashes(leaves.slice(0, n))).toEqual(mth(leaves.slice(0, n)));
  });

  it('rejects leaf hashes that are not 32 bytes', () => {
    expect(() => rootFromLeafHashes([Buffer.alloc(31)])).toThrow(RangeError);
  });
});

describe('frontier', () => {
  it('extends in any batching to the same root and keeps one hash per set bit of the size', () => {
    let frontier = emptyFrontier();
    for (const batch of [1, 2, 0, 5, 100, 192]) {
      const before = frontier;
      frontier = extendFrontier(frontier, leaves.slice(frontier.size, frontier.size + batch));
      expect(before.size + batch).toBe(frontier.size);
      expect(frontier.hashes.length).toBe(frontier.size.toString(2).replace(/0/g, '').length);
      expect(frontierRoot(frontier)).toEqual(mth(leaves.slice(0, frontier.size)));
    }
    expect(frontierRoot(emptyFrontier())).toEqual(emptyRoot());
  });

  it('does not modify the frontier it extends', () => {
    const one = extendFrontier(emptyFrontier(), leaves.slice(0, 3));
    const copy = one.hashes.map((h) => Buffer.from(h));
    extendFrontier(one, leaves.slice(3, 10));
    expect(one.hashes).toEqual(copy);
    expect(one.size).toBe(3);
  });
});

describe('subtreesOfRange', () => {
  it('splits a range into aligned perfect subtrees, largest first', () => {
    expect(subtreesOfRange(0, 0)).toEqual([]);
    expect(subtreesOfRange(0, 7)).toEqual([
      { level: 2, index: 0 },
      { level: 1, index: 2 },
      { level: 0, index: 6 },
    ]);
    expect(subtreesOfRange(8, 13)).toEqual([
      { level: 2, index: 2 },
      { level: 0, index: 12 },
    ]);
    expect(subtreesOfRange(2 ** 52, 2 ** 52 + 2 ** 40)).toEqual([{ level: 40, index: 2 ** 12 }]);
  });

  it('refuses misaligned or inverted ranges', () => {
    expect(() => subtreesOfRange(1, 5)).toThrow(RangeError);
    expect(() => subtreesOfRange(5, 4)).toThrow(RangeError);
    expect(() => subtreesOfRange(-1, 4)).toThrow(RangeError);
  });

  it('bitLength and largestPowerOfTwoBelow work past 32 bits', () => {
    expect(bitLength(0)).toBe(0);
    expect(bitLength(2 ** 40)).toBe(41);
    expect(bitLength(Number.MAX_SAFE_INTEGER)).toBe(53);
    expect(largestPowerOfTwoBelow(2)).toBe(1);
    expect(largestPowerOfTwoBelow(2 ** 40 + 1)).toBe(2 ** 40);
    expect(largestPowerOfTwoBelow(2 ** 40)).toBe(2 ** 39);
  });
});

describe.skipIf(!knownAnswersAvailable)(suiteTitle('rootFromLeafHashes against go-x-mod-vectors'), () => {
  it('reproduces the roots of all 17 sizes of the 70,000-leaf tree', () => {
    const { root_hex_by_size: roots } = readKnownAnswer<GoVectors>('go-x-mod-vectors.json').tree_70000;
    const all = goLeafEntries(70_000).map(leafHash);
    expect(Object.keys(roots)).toHaveLength(17);
    let frontier = emptyFrontier();
    for (const size of Object.keys(roots)
      .map(Number)
      .sort((a, b) => a - b)) {
      frontier = extendFrontier(frontier, all.slice(frontier.size, size));
      const want = roots[String(size)] as string;
      if (size === 0 && want === '00'.repeat(32)) {
        // x/mod's convention for the empty tree; this library follows RFC 6962 on purpose.
        expect(frontierRoot(frontier)).toEqual(emptyRoot());
        continue;
      }
      expect(frontierRoot(frontier).toString('hex'), `size ${size}`).toBe(want);
    }
    expect(rootFromLeafHashes(all).toString('hex')).toBe(roots['70000']);
  });
});
