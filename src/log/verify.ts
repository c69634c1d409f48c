import { bytesEqual, emptyRoot, isHash, nodeHash } from './hash.ts';

/**
 * TreeIndex is a leaf index or tree size given to a verifier. Verifiers work on the full unsigned 64-bit range, so
 * sizes parsed from untrusted input may be passed as bigint without loss; anything negative, fractional or at least
 * 2^64 simply fails verification.
 */
export type TreeIndex = number | bigint;

const U64_LIMIT = 1n << 64n;

/**
 * verifyInclusion reports whether `proof` shows that the leaf with hash `leafHash` is at `index` in the tree of `size`
 * leaves whose root is `root` (RFC 9162 §2.1.3.2). It never throws: malformed input (index >= size, hashes that are not
 * 32 bytes, a proof of the wrong length, a non-array proof) yields false.
 */
export function verifyInclusion(
  leafHash: Uint8Array,
  index: TreeIndex,
  size: TreeIndex,
  proof: readonly Uint8Array[],
  root: Uint8Array,
): boolean {
  const fnStart = toU64(index);
  const snStart = toU64(size);
  if (fnStart === undefined || snStart === undefined || fnStart >= snStart) return false;
  if (!isHash(leafHash) || !isHash(root) || !Array.isArray(proof) || !proof.every(isHash)) return false;

  let fn = fnStart;
  let sn = snStart - 1n;
  let hash: Uint8Array = leafHash;
  for (const sibling of proof) {
    if (sn === 0n) return false;
    if ((fn & 1n) === 1n || fn === sn) {
      hash = nodeHash(sibling, hash);
      // On the right edge, skip the levels where this node has no sibling.
      while ((fn & 1n) === 0n && fn !== 0n) {
        fn >>= 1n;
        sn >>= 1n;
      }
    } else {
      hash = nodeHash(hash, sibling);
    }
    fn >>= 1n;
    sn >>= 1n;
  }
  return sn === 0n && bytesEqual(hash, root);
}

/**
 * verifyConsistency reports whether `proof` shows that the tree of `oldSize` leaves with root `oldRoot` is a prefix of
 * the tree of `newSize` leaves with root `newRoot` (RFC 9162 §2.1.4.2). Equal sizes need an empty proof and equal
 * roots, and for size 0 that root must be emptyRoot(). A proof from size 0 to a larger size is meaningless and fails.
 * It never throws: malformed input yields false.
 */
export function verifyConsistency(
  oldSize: TreeIndex,
  newSize: TreeIndex,
  proof: readonly Uint8Array[],
  oldRoot: Uint8Array,
  newRoot: Uint8Array,
): boolean {
  const m = toU64(oldSize);
  const n = toU64(newSize);
  if (m === undefined || n === undefined || m > n || !Array.isArray(proof)) return false;
  if (!(oldRoot instanceof Uint8Array) || !(newRoot instanceof Uint8Array)) return false;
  if (m === n) {
    return proof.length === 0 && bytesEqual(oldRoot, newRoot) && (m !== 0n || bytesEqual(oldRoot, emptyRoot()));
  }
  if (m === 0n || proof.length === 0 || !proof.every(isHash) || !isHash(oldRoot) || !isHash(newRoot)) return false;

  // When the old tree is a perfect subtree of the new one its root is the first node of the path; otherwise the
  // proof starts with it.
  const path = isPowerOfTwo(m) ? [oldRoot, ...proof] : [...proof];
  let fn = m - 1n;
  let sn = n - 1n;
  while ((fn & 1n) === 1n) {
    fn >>= 1n;
    sn >>= 1n;
  }
  let oldHash = path[0] as Uint8Array;
  let newHash = oldHash;
  for (const node of path.slice(1)) {
    if (sn === 0n) return false;
    if ((fn & 1n) === 1n || fn === sn) {
      oldHash = nodeHash(node, oldHash);
      newHash = nodeHash(node, newHash);
      while ((fn & 1n) === 0n && fn !== 0n) {
        fn >>= 1n;
        sn >>= 1n;
      }
    } else {
      newHash = nodeHash(newHash, node);
    }
    fn >>= 1n;
    sn >>= 1n;
  }
  return sn === 0n && bytesEqual(oldHash, oldRoot) && bytesEqual(newHash, newRoot);
}

function toU64(value: TreeIndex): bigint | undefined {
  if (typeof value === 'bigint') return value >= 0n && value < U64_LIMIT ? value : undefined;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) return undefined;
  return BigInt(value);
}

function isPowerOfTwo(n: bigint): boolean {
  return n > 0n && (n & (n - 1n)) === 0n;
}
