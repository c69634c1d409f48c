import { describe, expect, it } from 'vitest';
import { emptyRoot, leafHash, nodeHash } from './hash.ts';
import { consistencyProofFromHashes, inclusionProofFromHashes } from './proof.ts';
import type { ConsistencyCase, GoVectors, InclusionCase } from './testing/known-answers.ts';
import {
  goLeafEntries,
  knownAnswersAvailable,
  listKnownAnswers,
  readKnownAnswer,
  suiteTitle,
} from './testing/known-answers.ts';
import { rootFromLeafHashes } from './tree.ts';
import { verifyConsistency, verifyInclusion } from './verify.ts';

const b64 = (text: string): Buffer => Buffer.from(text, 'base64');
const hex = (text: string): Buffer => Buffer.from(text, 'hex');

describe.skipIf(!knownAnswersAvailable)(suiteTitle('verifyInclusion: transparency-dev/merkle cases'), () => {
  const files = listKnownAnswers('inclusion');

  it('finds the cases', () => {
    expect(files.length).toBeGreaterThan(90);
  });

  it.each(files)('%s', (file) => {
    const c = readKnownAnswer<InclusionCase>(file);
    const proof = (c.proof ?? []).map(b64);
    expect(verifyInclusion(b64(c.leafHash), c.leafIdx, c.treeSize, proof, b64(c.root))).toBe(!c.wantErr);
  });
});

describe.skipIf(!knownAnswersAvailable)(suiteTitle('verifyConsistency: transparency-dev/merkle cases'), () => {
  const files = listKnownAnswers('consistency');

  it('finds the cases', () => {
    expect(files.length).toBeGreaterThan(90);
  });

  it.each(files)('%s', (file) => {
    const c = readKnownAnswer<ConsistencyCase>(file);
    const proof = (c.proof ?? []).map(b64);
    expect(verifyConsistency(c.size1, c.size2, proof, b64(c.root1), b64(c.root2))).toBe(!c.wantErr);
  });
});

describe.skipIf(!knownAnswersAvailable)(suiteTitle('verifiers against go-x-mod-vectors proofs'), () => {
  const tree = knownAnswersAvailable ? readKnownAnswer<GoVectors>('go-x-mod-vectors.json').tree_70000 : undefined;

  it('accepts every inclusion proof and rejects it for a neighbouring index', () => {
    for (const p of tree?.inclusion_proofs ?? []) {
      const proof = p.proofHex.map(hex);
      expect(verifyInclusion(hex(p.leafHashHex), p.index, p.treeSize, proof, hex(p.rootHex))).toBe(true);
      expect(verifyInclusion(hex(p.leafHashHex), BigInt(p.index), BigInt(p.treeSize), proof, hex(p.rootHex))).toBe(
        true,
      );
      if (p.treeSize > 1) {
        const other = p.index === 0 ? 1 : p.index - 1;
        expect(verifyInclusion(hex(p.leafHashHex), other, p.treeSize, proof, hex(p.rootHex))).toBe(false);
      }
    }
  });

  it('accepts every consistency proof and rejects it with the roots swapped', () => {
    for (const p of tree?.consistency_proofs ?? []) {
      const proof = p.proofHex.map(hex);
      expect(verifyConsistency(p.size1, p.size2, proof, hex(p.root1Hex), hex(p.root2Hex))).toBe(true);
      expect(verifyConsistency(p.size1, p.size2, proof, hex(p.root2Hex), hex(p.root1Hex))).toBe(false);
    }
  });
});

describe('verifiers on generated proofs', () => {
  const leaves = goLeafEntries(40).map(leafHash);

  it('verify every inclusion and consistency proof of trees up to 40 leaves, and reject tampered ones', () => {
    for (let n = 1; n <= 40; n += 1) {
      const root = rootFromLeafHashes(leaves.slice(0, n));
      for (let i = 0; i < n; i += 1) {
        const proof = inclusionProofFromHashes(i, n, leaves);
        expect(verifyInclusion(leaves[i] as Buffer, i, n, proof, root)).toBe(true);
        if (proof.length > 0) {
          const bad = proof.map((h, j) => (j === proof.length - 1 ? Buffer.from(h).fill(7, 0, 1) : h));
          expect(verifyInclusion(leaves[i] as Buffer, i, n, bad, root)).toBe(false);
        }
      }
      for (let m = 1; m <= n; m += 1) {
        const oldRoot = rootFromLeafHashes(leaves.slice(0, m));
        const proof = consistencyProofFromHashes(m, n, leaves);
        expect(verifyConsistency(m, n, proof, oldRoot, root)).toBe(true);
        if (m < n) expect(verifyConsistency(m, n, proof.slice(1), oldRoot, root)).toBe(false);
      }
    }
  });

  it('reject malformed input without throwing', () => {
    const root = rootFromLeafHashes(leaves.slice(0, 4));
    const proof = inclusionProofFromHashes(1, 4, leaves);
    const leaf = leaves[1] as Buffer;
    expect(verifyInclusion(leaf, 1, 4, proof, root)).toBe(true);
    expect(verifyInclusion(leaf, -1, 4, proof, root)).toBe(false);
    expect(verifyInclusion(leaf, 1.5, 4, proof, root)).toBe(false);
    expect(verifyInclusion(leaf, 1, 2 ** 53, proof, root)).toBe(false);
    expect(verifyInclusion(leaf, 1n, 1n << 64n, proof, root)).toBe(false);
    expect(verifyInclusion(leaf, 1, 4, [...proof, Buffer.alloc(32)], root)).toBe(false);
    expect(verifyInclusion(leaf, 1, 4, [Buffer.alloc(3), ...proof.slice(1)], root)).toBe(false);
    expect(verifyInclusion(leaf, 1, 4, null as unknown as Buffer[], root)).toBe(false);
    expect(verifyInclusion(leaf.subarray(1), 1, 4, proof, root)).toBe(false);
    expect(verifyConsistency(0, 0, [], emptyRoot(), emptyRoot())).toBe(true);
    expect(verifyConsistency(0, 4, [], emptyRoot(), root)).toBe(false);
    expect(verifyConsistency(2, 4, [Buffer.alloc(33)], root, root)).toBe(false);
    expect(verifyConsistency(2, 4, undefined as unknown as Buffer[], root, root)).toBe(false);
    expect(verifyConsistency(4, 2, [], root, root)).toBe(false);
  });

  it('handle sizes beyond 2^53 given as bigint', () => {
    // A leaf at the far right of a 2^60-leaf tree whose other subtrees are all zero hashes: the arithmetic must not
    // lose bits anywhere.
    const size = 1n << 60n;
    const proof = Array.from({ length: 60 }, () => Buffer.alloc(32));
    let root: Buffer = leaves[0] as Buffer;
    for (const sibling of proof) root = nodeHash(sibling, root);
    expect(verifyInclusion(leaves[0] as Buffer, size - 1n, size, proof, root)).toBe(true);
    expect(verifyInclusion(leaves[0] as Buffer, size - 2n, size, proof, root)).toBe(false);
  });
});
