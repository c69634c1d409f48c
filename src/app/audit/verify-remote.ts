import { openCheckpoint } from '../../log/checkpoint.ts';
import { HASH_SIZE, bytesEqual, leafHash } from '../../log/hash.ts';
import type { NoteVerifier } from '../../log/note-key.ts';
import type { Policy } from '../../log/policy.ts';
import { verifyWithPolicy } from '../../log/policy.ts';
import { appendTiles } from '../../log/tile-builder.ts';
import { TILE_WIDTH, decodeEntryBundle, entriesPath, tilePath } from '../../log/tiles.ts';
import { rootFromLeafHashes } from '../../log/tree.ts';
import type { VerifyReport } from './verify.ts';

/**
 * verifyRemote checks a node over HTTP as any auditor could, with the tlog-tiles API alone: the
 * checkpoint's signature and origin, every entry bundle against the checkpoint's root, and every
 * hash tile against the tiles recomputed from those entries.
 */
export async function verifyRemote(
  baseUrl: string,
  token: string | undefined,
  origin: string,
  verifiers: readonly NoteVerifier[],
  policy?: Policy,
): Promise<VerifyReport & { size: number; cosigners?: string[] }> {
  // A node's own log is served under /log; a mirror's copy of a peer's log under /mirror/<origin hash>.
  const trimmed = baseUrl.replace(/\/+$/, '');
  const base = /\/mirror\/[0-9a-f]{64}$/.test(trimmed) || trimmed.endsWith('/log') ? trimmed : `${trimmed}/log`;
  const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
  const get = async (path: string) => {
    const res = await fetch(`${base}/${path}`, { headers });
    if (!res.ok) throw new Error(`GET ${base}/${path}: HTTP ${res.status}`);
    return Buffer.from(await res.arrayBuffer());
  };
  const report = { ok: false, entries: 0, checkpoints: 0, tiles: 0, rows: 0, size: 0 } as VerifyReport & {
    size: number;
    cosigners?: string[];
  };
  let cp;
  try {
    const note = await get('checkpoint');
    cp = openCheckpoint(note, origin, verifiers).checkpoint;
    // With a policy (c2sp.org/tlog-policy), the checkpoint must also carry the cosignatures its quorum asks for.
    if (policy) report.cosigners = [...verifyWithPolicy(note, policy).cosigners];
  } catch (err) {
    return { ...report, problem: `checkpoint: ${(err as Error).message}` };
  }
  report.size = cp.size;
  report.checkpoints = 1;
  const leaves: Buffer[] = [];
  for (let n = 0; n * TILE_WIDTH < cp.size; n++) {
    const width = Math.min(TILE_WIDTH, cp.size - n * TILE_WIDTH);
    const entries = decodeEntryBundle(await get(entriesPath(n, width)), width);
    for (const e of entries) leaves.push(leafHash(e));
  }
  report.entries = leaves.length;
  if (!bytesEqual(rootFromLeafHashes(leaves), cp.root)) {
    return { ...report, problem: `the entries do not hash to the checkpoint's root at size ${cp.size}` };
  }
  for (const t of appendTiles(0, [], leaves)) {
    const got = await get(tilePath(t.level, t.index, t.width));
    if (got.length !== t.width * HASH_SIZE || !bytesEqual(got, t.data)) {
      return { ...report, problem: `tile ${tilePath(t.level, t.index, t.width)} does not match the entries` };
    }
    report.tiles++;
  }
  return { ...report, ok: true };
}
