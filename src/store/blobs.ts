import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, stat } from 'node:fs/promises';
import { join } from 'node:path';

/** blobPath is where the blob with hex SHA-256 sha lives: blobs/ab/cd/abcd…, content-addressed. */
export function blobPath(dir: string, sha: string): string {
  return join(dir, sha.slice(0, 2), sha.slice(2, 4), sha);
}

/**
 * putBlob stores bytes under their SHA-256 and returns it. The file is written to a temporary name,
 * fsynced, then renamed, so a blob either exists whole or not at all. It is stored before the
 * database transaction that references it commits: a crash between the two leaves an unreferenced
 * blob, which is harmless, never a reference to a missing file.
 */
export async function putBlob(dir: string, bytes: Uint8Array): Promise<string> {
  const sha = createHash('sha256').update(bytes).digest('hex');
  const path = blobPath(dir, sha);
  const exists = await stat(path).then(
    () => true,
    () => false,
  );
  if (exists) return sha;
  await mkdir(join(dir, sha.slice(0, 2), sha.slice(2, 4)), { recursive: true });
  const tmp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  const fh = await open(tmp, 'wx', 0o640);
  try {
    await fh.writeFile(bytes);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, path);
  return sha;
}

/** getBlob reads the blob sha, or returns null if it is not stored. */
export async function getBlob(dir: string, sha: string): Promise<Buffer | null> {
  if (!/^[0-9a-f]{64}$/.test(sha)) return null;
  return readFile(blobPath(dir, sha)).catch(() => null);
}

const intact = new Map<string, { stamp: string; ok: boolean }>();

/**
 * blobIntact tells whether the blob sha is stored and its bytes still hash to sha. The answer is
 * remembered per file identity (inode, size, modification time), so an unchanged file is hashed once
 * per process, while any rewrite, replacement or deletion is noticed at the next call.
 */
export async function blobIntact(dir: string, sha: string): Promise<boolean> {
  if (!/^[0-9a-f]{64}$/.test(sha)) return false;
  const path = blobPath(dir, sha);
  const st = await stat(path).catch(() => null);
  if (!st) return false;
  const stamp = `${st.ino}:${st.size}:${st.mtimeMs}:${st.ctimeMs}`;
  const known = intact.get(path);
  if (known?.stamp === stamp) return known.ok;
  const bytes = await readFile(path).catch(() => null);
  const ok = bytes !== null && createHash('sha256').update(bytes).digest('hex') === sha;
  if (intact.size > 100_000) intact.clear();
  intact.set(path, { stamp, ok });
  return ok;
}
