import { HASH_SIZE, emptyRoot, isHash, nodeHash } from './hash.ts';

/**
 * SubtreeId names the perfect subtree of 2^level leaves that starts at leaf index * 2^level. Level 0 names a single
 * leaf; its hash is the leaf hash.
 */
export interface SubtreeId {
  readonly level: number;
  readonly index: number;
}

/**
 * Frontier is the compact state of a tree of `size` leaves: the roots of the perfect subtrees its leaves split into,
 * one per set bit of `size`, largest (leftmost) first. It is enough to compute the root and to keep appending.
 */
export interface Frontier {
  readonly size: number;
  readonly hashes: readonly Buffer[];
}

/** emptyFrontier returns the frontier of the tree with no leaves. */
export function emptyFrontier(): Frontier {
  return { size: 0, hashes: [] };
}

/**
 * extendFrontier returns the frontier after appending `leafHashes` to the tree `frontier` describes. The input is not
 * modified. Cost: one node hash per merged pair, amortised under one per leaf.
 */
export function extendFrontier(frontier: Frontier, leafHashes: readonly Uint8Array[]): Frontier {
  const stack = [...frontier.hashes];
  let size = frontier.size;
  if (!Number.isSafeInteger(size + leafHashes.length)) throw new RangeError('tree size beyond 2^53 - 1');
  for (const leaf of leafHashes) {
    if (!isHash(leaf)) throw new RangeError(`leaf hash ${size} is not ${HASH_SIZE} bytes`);
    let hash: Buffer = Buffer.from(leaf);
    // Each trailing one bit of the old size is a perfect subtree of the same height as the one being completed.
    for (let bits = size; bits % 2 === 1; bits = Math.floor(bits / 2)) {
      hash = nodeHash(stack.pop() as Buffer, hash);
    }
    stack.push(hash);
    size += 1;
  }
  return { size, hashes: stack };
}

/** frontierRoot returns the RFC 6962 Merkle Tree Hash of the tree the frontier describes (emptyRoot() when empty). */
export function frontierRoot(frontier: Frontier): Buffer {
  return foldRight(frontier.hashes);
}

/**
 * rootFromLeafHashes returns the RFC 6962 Merkle Tree Hash MTH(D[0:n]) of the given leaf hashes, for any n, in one
 * iterative pass; emptyRoot() for none.
 */
export function rootFromLeafHashes(leafHashes: readonly Uint8Array[]): Buffer {
  return frontierRoot(extendFrontier(emptyFrontier(), leafHashes));
}

/**
 * subtreesOfRange splits the leaf range [start, end) into the perfect subtrees whose right-to-left fold gives the
 * RFC 6962 hash MTH(D[start:end]): one per set bit of end - start, largest first. `start` must be a multiple of the
 * largest one, which holds for every range a proof or a root needs; otherwise it throws a RangeError.
 */
export function subtreesOfRange(start: number, end: number): SubtreeId[] {
  assertIndex(start, 'start');
  assertIndex(end, 'end');
  if (end < start) throw new RangeError(`range end ${end} is before start ${start}`);
  const ids: SubtreeId[] = [];
  let offset = start;
  for (let level = bitLength(end - start) - 1; level >= 0; level -= 1) {
    const width = 2 ** level;
    if (end - offset < width) continue;
    if (offset % width !== 0) throw new RangeError(`range [${start}, ${end}) does not start on a subtree boundary`);
    ids.push({ level, index: offset / width });
    offset += width;
  }
  return ids;
}

/** foldRight combines subtree hashes, listed left to right, into the hash of their concatenation (or emptyRoot()). */
export function foldRight(hashes: readonly Uint8Array[]): Buffer {
  const last = hashes.at(-1);
  if (last === undefined) return emptyRoot();
  let hash: Buffer = Buffer.from(last);
  for (let i = hashes.length - 2; i >= 0; i -= 1) hash = nodeHash(hashes[i] as Uint8Array, hash);
  return hash;
}

/** subtreeKey returns a string that identifies a subtree, for use as a map key. */
export function subtreeKey(id: SubtreeId): string {
  return `${id.level}/${id.index}`;
}

/** largestPowerOfTwoBelow returns the largest power of two strictly below n, for n >= 2 (RFC 6962's split point k). */
export function largestPowerOfTwoBelow(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** bitLength returns the number of bits needed to write the non-negative integer n (0 for 0). Safe beyond 2^32. */
export function bitLength(n: number): number {
  let bits = 0;
  for (let rest = n; rest >= 1; rest = Math.floor(rest / 2)) bits += 1;
  return bits;
}

/** assertIndex throws a RangeError unless `value` is a non-negative safe integer. */
export function assertIndex(value: number, what: string): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`${what} must be a non-negative integer below 2^53, got ${value}`);
  }
}
