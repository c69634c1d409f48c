import { describe, expect, it } from 'vitest';
import { leafHash } from './hash.ts';
import type { HashReader } from './proof.ts';
import {
  consistencyProof,
  consistencyProofFromHashes,
  inclusionProof,
  inclusionProofFromHashes,
  memoryHashReader,
  treeRoot,
} from './proof.ts';
import type { GoVectors } from './testing/known-answers.ts';
import { goLeafEntries, knownAnswersAvailable, readKnownAnswer, suiteTitle } from './testing/known-answers.ts';
import type { SubtreeId } from './tree.ts';
import { rootFromLeafHashes } from './tree.ts';

const toHex = (hashes: readonly Buffer[]): string[] => hashes.map((h) => h.toString('hex'));

/** countingReader wraps a reader and records every request, to check that proofs read O(log n) hashes in one call. */
function countingReader(inner: HashReader): HashReader & { calls: SubtreeId[][] } {
  const calls: SubtreeId[][] = [];
  return {
    calls,
    hashes(ids) {
      calls.push([...ids]);
      return inner.hashes(ids);
    },
  };
}

describe('proof generation', () => {
  const leaves = goLeafEntries(300).map(leafHash);
  const reader = memoryHashReader(leaves);

  it('async and in-memory variants agree for every index and size up to 40', async () => {
    for (let n = 1; n <= 40; n += 1) {
      for (let i = 0; i < n; i += 1) {
        expect(toHex(await inclusionProof(i, n, reader))).toEqual(toHex(inclusionProofFromHashes(i, n, leaves)));
      }
      for (let m = 1; m <= n; m += 1) {
        expect(toHex(await consistencyProof(m, n, reader))).toEqual(toHex(consistencyProofFromHashes(m, n, leaves)));
      }
      expect(await treeRoot(n, reader)).toEqual(rootFromLeafHashes(leaves.slice(0, n)));
    }
  });

  it('reads O(log n) subtree hashes in a single call', async () => {
    const counting = countingReader(reader);
    await inclusionProof(137, 299, counting);
    await consistencyProof(137, 299, counting);
    await treeRoot(299, counting);
    expect(counting.calls).toHaveLength(3);
    for (const call of counting.calls) expect(call.length).toBeLessThanOrEqual(2 * 9);
  });

  it('gives the RFC 6962 §2.1.3 example proofs for the 7-leaf tree', () => {
    // Tree of 7 leaves d0..d6: PATH(3) = [d2, h(d0,d1), h(d4..d6)]; PROOF(3, 7) = [c, d, g, l] in the RFC's naming.
    const seven = leaves.slice(0, 7);
    const h = (from: number, to: number): string => rootFromLeafHashes(seven.slice(from, to)).toString('hex');
    expect(toHex(inclusionProofFromHashes(3, 7, seven))).toEqual([h(2, 3), h(0, 2), h(4, 7)]);
    expect(toHex(consistencyProofFromHashes(3, 7, seven))).toEqual([h(2, 3), h(3, 4), h(0, 2), h(4, 7)]);
    expect(toHex(consistencyProofFromHashes(4, 7, seven))).toEqual([h(4, 7)]);
    expect(toHex(consistencyProofFromHashes(6, 7, seven))).toEqual([h(4, 6), h(6, 7), h(0, 4)]);
  });

  it('refuses impossible requests with a RangeError', async () => {
    expect(() => inclusionProofFromHashes(5, 5, leaves)).toThrow(RangeError);
    expect(() => inclusionProofFromHashes(-1, 5, leaves)).toThrow(RangeError);
    expect(() => consistencyProofFromHashes(0, 5, leaves)).toThrow(RangeError);
    expect(() => consistencyProofFromHashes(6, 5, leaves)).toThrow(RangeError);
    expect(() => inclusionProofFromHashes(0, 400, leaves)).toThrow(RangeError);
    await expect(inclusionProof(1, 1, reader)).rejects.toThrow(RangeError);
    expect(consistencyProofFromHashes(5, 5, leaves)).toEqual([]);
  });

  it('rejects a reader that returns the wrong number of hashes', async () => {
    const broken: HashReader = { hashes: (ids) => Promise.resolve(ids.slice(1).map(() => Buffer.alloc(32))) };
    await expect(inclusionProof(3, 10, broken)).rejects.toThrow(/hash reader/);
  });
});

describe.skipIf(!knownAnswersAvailable)(suiteTitle('proof generation against go-x-mod-vectors'), () => {
  const tree = knownAnswersAvailable ? readKnownAnswer<GoVectors>('go-x-mod-vectors.json').tree_70000 : undefined;
  const leaves = goLeafEntries(70_000).map(leafHash);
  const reader = memoryHashReader(leaves);

  it('reproduces every inclusion proof', async () => {
    expect(tree?.inclusion_proofs.length).toBe(12);
    for (const p of tree?.inclusion_proofs ?? []) {
      expect(leaves[p.index]?.toString('hex')).toBe(p.leafHashHex);
      expect(toHex(await inclusionProof(p.index, p.treeSize, reader)), `${p.index}@${p.treeSize}`).toEqual(p.proofHex);
      expect(toHex(inclusionProofFromHashes(p.index, p.treeSize, leaves))).toEqual(p.proofHex);
      expect((await treeRoot(p.treeSize, reader)).toString('hex')).toBe(p.rootHex);
    }
  });

  it('reproduces every consistency proof', async () => {
    expect(tree?.consistency_proofs.length).toBe(11);
    for (const p of tree?.consistency_proofs ?? []) {
      expect(toHex(await consistencyProof(p.size1, p.size2, reader)), `${p.size1}->${p.size2}`).toEqual(p.proofHex);
      expect((await treeRoot(p.size1, reader)).toString('hex')).toBe(p.root1Hex);
      expect((await treeRoot(p.size2, reader)).toString('hex')).toBe(p.root2Hex);
    }
  });
});
