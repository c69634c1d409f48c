import type { Actor } from '../../domain/access.ts';
import { mayAttempt } from '../../domain/access.ts';
import { HASH_SIZE } from '../../log/hash.ts';
import { consistencyProof, inclusionProof, treeRoot } from '../../log/proof.ts';
import { tileHashReader } from '../../log/tile-builder.ts';
import { encodeEntryBundle } from '../../log/tiles.ts';
import { TILE_WIDTH } from '../../log/tiles.ts';
import { latestCheckpoint, readEntries, readTileRow } from '../../store/log-store.ts';
import { AppError, invalid } from '../errors.ts';
import { forbid } from '../access/authorize.ts';
import { storedTileReader } from '../write/checkpointer.ts';
import type { Deps } from '../deps.ts';

/** currentCheckpoint returns the latest signed checkpoint note, or Unavailable before the first. */
export async function currentCheckpoint(deps: Deps): Promise<{ size: number; note: string }> {
  const cp = await latestCheckpoint(deps.db);
  if (!cp) throw new AppError('Unavailable', { reason: 'no checkpoint has been signed yet', retryAfter: 1 });
  return { size: Number(cp.size), note: cp.note };
}

function mustRead(actor: Actor | null): void {
  if (!actor)
    throw new AppError('Unauthenticated', { field: 'authorization', reason: 'tiles and entries need a token' });
  if (!mayAttempt(actor, 'log.read')) throw forbid('log.read');
}

/**
 * readTile serves a hash tile at a width some checkpoint requires: a full tile, or a partial tile that
 * is a prefix of the stored one. Tiles beyond the latest checkpoint are not served.
 */
export async function readTile(
  deps: Deps,
  actor: Actor | null,
  level: number,
  index: number,
  width: number,
): Promise<Buffer> {
  mustRead(actor);
  const row = await readTileRow(deps.db, level, index);
  if (!row || row.width < width)
    throw new AppError('NotFound', { reason: `no tile ${level}/${index} of width ${width}` });
  return Buffer.from(row.data).subarray(0, width * HASH_SIZE);
}

/** readEntryBundle serves entries [256·index, 256·index + width), all covered by the latest checkpoint. */
export async function readEntryBundle(deps: Deps, actor: Actor | null, index: number, width: number): Promise<Buffer> {
  mustRead(actor);
  const { size } = await currentCheckpoint(deps);
  const start = index * TILE_WIDTH;
  if (start + width > size)
    throw new AppError('NotFound', { reason: `entries ${start}..${start + width - 1} are not checkpointed yet` });
  const rows = await readEntries(deps.db, start, start + width);
  return encodeEntryBundle(rows.map((r) => Buffer.from(r.data)));
}

function checkSize(field: string, n: number, max: number): void {
  if (!Number.isSafeInteger(n) || n < 0) throw invalid(field, 'must be a non-negative integer');
  if (n > max) throw invalid(field, `must be at most ${max}, the latest checkpoint's size`);
}

/** proveInclusion returns the inclusion proof of the entry at index in the tree of size. */
export async function proveInclusion(deps: Deps, index: number, size: number) {
  const cp = await currentCheckpoint(deps);
  checkSize('size', size, cp.size);
  if (!(index < size)) throw invalid('index', 'must be below size');
  const reader = tileHashReader(size, storedTileReader(deps.db));
  const [proof, root, entry] = await Promise.all([
    inclusionProof(index, size, reader),
    treeRoot(size, reader),
    readEntries(deps.db, index, index + 1),
  ]);
  return {
    index,
    size,
    leafHash: Buffer.from(entry[0]!.leafHash).toString('base64'),
    rootHash: root.toString('base64'),
    proof: proof.map((h) => h.toString('base64')),
  };
}

/** proveConsistency returns the consistency proof between the trees of sizes from and to. */
export async function proveConsistency(deps: Deps, from: number, to: number) {
  const cp = await currentCheckpoint(deps);
  checkSize('to', to, cp.size);
  checkSize('from', from, to);
  const reader = tileHashReader(to, storedTileReader(deps.db));
  const [proof, oldRoot, newRoot] = await Promise.all([
    consistencyProof(from, to, reader),
    treeRoot(from, tileHashReader(from, storedTileReader(deps.db))),
    treeRoot(to, reader),
  ]);
  return {
    from,
    to,
    fromRootHash: oldRoot.toString('base64'),
    toRootHash: newRoot.toString('base64'),
    proof: proof.map((h) => h.toString('base64')),
  };
}
