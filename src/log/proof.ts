import { HASH_SIZE, emptyRoot, isHash, nodeHash } from './hash.ts';
import type { SubtreeId } from './tree.ts';
import {
  assertIndex,
  foldRight,
  largestPowerOfTwoBelow,
  rootFromLeafHashes,
  subtreeKey,
  subtreesOfRange,
} from './tree.ts';

/**
 * HashReader gives the hashes of perfect subtrees of one tree. `hashes` returns one 32-byte hash per requested id, in
 * request order, and rejects if any is unknown. Implementations may batch or parallelise; callers ask for everything a
 * proof needs in one call.
 */
export interface HashReader {
  hashes(ids: readonly SubtreeId[]): Promise<Buffer[]>;
}

/** A leaf range [start, end) whose RFC 6962 hash is one element of a proof. */
interface Range {
  readonly start: number;
  readonly end: number;
}

/**
 * Plan is what a proof or root needs: the perfect subtrees to read, and how to turn their hashes (in `ids` order) into
 * one hash per range.
 */
interface Plan {
  readonly ids: SubtreeId[];
  assemble(hashes: readonly Buffer[]): Buffer[];
}

/**
 * inclusionProof returns the RFC 6962 / RFC 9162 inclusion proof (audit path) for leaf `index` in the tree of `size`
 * leaves, sibling hashes from the leaf up to the root. It reads O(log size) subtree hashes in a single reader call.
 * Throws a RangeError unless 0 <= index < size.
 */
export async function inclusionProof(index: number, size: number, reader: HashReader): Promise<Buffer[]> {
  return resolve(planOf(inclusionRanges(index, size)), reader);
}

/**
 * consistencyProof returns the RFC 6962 / RFC 9162 consistency proof from the tree of `oldSize` leaves to the tree of
 * `newSize` leaves, reading O(log newSize) subtree hashes in one reader call. It is empty when the sizes are equal.
 * Throws a RangeError unless 0 < oldSize <= newSize (a proof from the empty tree is meaningless).
 */
export async function consistencyProof(oldSize: number, newSize: number, reader: HashReader): Promise<Buffer[]> {
  return resolve(planOf(consistencyRanges(oldSize, newSize)), reader);
}

/** treeRoot returns the RFC 6962 root of the tree of `size` leaves (emptyRoot() for 0), reading O(log size) hashes. */
export async function treeRoot(size: number, reader: HashReader): Promise<Buffer> {
  if (size === 0) return emptyRoot();
  const [root] = await resolve(planOf([{ start: 0, end: size }]), reader);
  return root as Buffer;
}

/**
 * inclusionProofFromHashes is inclusionProof computed synchronously from an in-memory array holding at least `size`
 * leaf hashes. Each call hashes O(size) nodes.
 */
export function inclusionProofFromHashes(index: number, size: number, leafHashes: readonly Uint8Array[]): Buffer[] {
  return resolveFromLeaves(planOf(inclusionRanges(index, size)), size, leafHashes);
}

/**
 * consistencyProofFromHashes is consistencyProof computed synchronously from an in-memory array holding at least
 * `newSize` leaf hashes. Each call hashes O(newSize) nodes.
 */
export function consistencyProofFromHashes(
  oldSize: number,
  newSize: number,
  leafHashes: readonly Uint8Array[],
): Buffer[] {
  return resolveFromLeaves(planOf(consistencyRanges(oldSize, newSize)), newSize, leafHashes);
}

/**
 * memoryHashReader returns a HashReader over a snapshot of an in-memory array of leaf hashes. It hashes every perfect
 * subtree once up front (about one node hash per leaf), then answers each request by lookup. For tests and small trees.
 */
export function memoryHashReader(leafHashes: readonly Uint8Array[]): HashReader {
  const levels: Buffer[][] = [leafHashes.map((h) => Buffer.from(h))];
  for (let below = levels[0] as Buffer[]; below.length > 1;) {
    const level: Buffer[] = [];
    for (let i = 0; i + 1 < below.length; i += 2) level.push(nodeHash(below[i] as Buffer, below[i + 1] as Buffer));
    levels.push(level);
    below = level;
  }
  return {
    hashes(ids) {
      const found = ids.map((id) => levels[id.level]?.[id.index]);
      const missing = ids.find((_, i) => found[i] === undefined);
      if (missing !== undefined) {
        return Promise.reject(new RangeError(`subtree ${subtreeKey(missing)} is not complete in the tree`));
      }
      return Promise.resolve(found as Buffer[]);
    },
  };
}

/** inclusionRanges lists the ranges whose hashes form the audit path of `index`, bottom-up (RFC 6962 PATH). */
function inclusionRanges(index: number, size: number): Range[] {
  assertIndex(index, 'index');
  assertIndex(size, 'size');
  if (index >= size) throw new RangeError(`index ${index} is not below tree size ${size}`);
  const ranges: Range[] = [];
  let start = 0;
  let end = size;
  while (end - start > 1) {
    const split = start + largestPowerOfTwoBelow(end - start);
    if (index < split) {
      ranges.push({ start: split, end });
      end = split;
    } else {
      ranges.push({ start, end: split });
      start = split;
    }
  }
  return ranges.reverse();
}

/** consistencyRanges lists the ranges of the proof from oldSize to newSize, bottom-up (RFC 6962 SUBPROOF). */
function consistencyRanges(oldSize: number, newSize: number): Range[] {
  assertIndex(oldSize, 'old size');
  assertIndex(newSize, 'new size');
  if (oldSize === 0 || oldSize > newSize) {
    throw new RangeError(`no consistency proof from size ${oldSize} to size ${newSize}`);
  }
  const ranges: Range[] = [];
  let start = 0;
  let end = newSize;
  // The old root itself is left out while the recursion is still on the tree's left edge (SUBPROOF's b flag).
  let onLeftEdge = true;
  while (oldSize !== end) {
    const split = start + largestPowerOfTwoBelow(end - start);
    if (oldSize <= split) {
      ranges.push({ start: split, end });
      end = split;
    } else {
      ranges.push({ start, end: split });
      start = split;
      onLeftEdge = false;
    }
  }
  if (!onLeftEdge) ranges.push({ start, end });
  return ranges.reverse();
}

function planOf(ranges: readonly Range[]): Plan {
  const perRange = ranges.map((range) => subtreesOfRange(range.start, range.end));
  const unique = new Map<string, SubtreeId>();
  for (const ids of perRange) for (const id of ids) unique.set(subtreeKey(id), id);
  const ids = [...unique.values()];
  return {
    ids,
    assemble(hashes) {
      const byKey = new Map(ids.map((id, i) => [subtreeKey(id), hashes[i] as Buffer]));
      return perRange.map((rangeIds) => foldRight(rangeIds.map((id) => byKey.get(subtreeKey(id)) as Buffer)));
    },
  };
}

async function resolve(plan: Plan, reader: HashReader): Promise<Buffer[]> {
  if (plan.ids.length === 0) return [];
  const hashes = await reader.hashes(plan.ids);
  if (hashes.length !== plan.ids.length || !hashes.every(isHash)) {
    throw new Error(
      `hash reader returned ${hashes.length} hashes for ${plan.ids.length} requests, or not ${HASH_SIZE}-byte ones`,
    );
  }
  return plan.assemble(hashes);
}

function resolveFromLeaves(plan: Plan, size: number, leafHashes: readonly Uint8Array[]): Buffer[] {
  return plan.assemble(plan.ids.map((id) => subtreeFromLeaves(id, size, leafHashes)));
}

function subtreeFromLeaves(id: SubtreeId, size: number, leafHashes: readonly Uint8Array[]): Buffer {
  const width = 2 ** id.level;
  const start = id.index * width;
  if (start + width > Math.min(size, leafHashes.length)) {
    throw new RangeError(`subtree ${subtreeKey(id)} is not complete in a tree of ${size} leaves`);
  }
  return rootFromLeafHashes(leafHashes.slice(start, start + width));
}
