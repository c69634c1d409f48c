import { latestCheckpoint } from '../../store/log-store.ts';
import { openNote } from '../../log/note.ts';
import { cosignatureVerifier, parseVerifierKey } from '../../log/note-key.ts';
import { consistencyProof } from '../../log/proof.ts';
import { tileHashReader } from '../../log/tile-builder.ts';
import { parseDecimal } from '../../log/encoding.ts';
import type { Deps } from '../deps.ts';
import { storedTileReader } from '../write/checkpointer.ts';
import type { Fetcher, PeerWithCredential } from './mirror.ts';

const TIMEOUT_MS = 10_000;
const MAX_REPLY_BYTES = 64 * 1024;

/** CosignOutcome is what one peer's witness answered for this node's latest checkpoint. */
export interface CosignOutcome {
  readonly peerId: string;
  readonly size: number;
  readonly ok: boolean;
  readonly error?: string;
}

/**
 * requestCosignatures submits this node's latest checkpoint to the witness of every peer that has one
 * (c2sp.org/tlog-witness add-checkpoint), with a consistency proof from the size that witness last cosigned, and
 * keeps each cosignature that verifies against the peer's witness key. A 409 tells the size the witness holds: the
 * request is made again once from there. Peers that already cosigned this size are skipped.
 */
export async function requestCosignatures(
  deps: Deps,
  peers: readonly PeerWithCredential[],
  fetcher: Fetcher = fetch,
): Promise<CosignOutcome[]> {
  const cp = await latestCheckpoint(deps.db);
  if (!cp) return [];
  const size = Number(cp.size);
  const have = new Set(
    (await deps.db.selectFrom('checkpointCosignatures').select('witnessVkey').where('size', '=', size).execute()).map(
      (r) => r.witnessVkey,
    ),
  );
  const out: CosignOutcome[] = [];
  for (const peer of peers) {
    if (!peer.witnessVkey || have.has(peer.witnessVkey)) continue;
    out.push(await submit(deps, peer, size, cp.note, fetcher));
  }
  return out;
}

async function submit(
  deps: Deps,
  peer: PeerWithCredential,
  size: number,
  note: string,
  fetcher: Fetcher,
): Promise<CosignOutcome> {
  const sub = await deps.db
    .selectFrom('witnessSubmissions')
    .select('size')
    .where('peerId', '=', peer.id)
    .executeTakeFirst();
  let old = sub ? Number(sub.size) : 0;
  for (let attempt = 0; attempt < 2; attempt++) {
    if (old > size) return { peerId: peer.id, size, ok: false, error: `the witness holds size ${old}, above ours` };
    const proof =
      old === 0 || old === size
        ? []
        : await consistencyProof(old, size, tileHashReader(size, storedTileReader(deps.db)));
    const body = `old ${old}\n${proof.map((h) => `${h.toString('base64')}\n`).join('')}\n${note}`;
    let res: Response;
    let text: string;
    try {
      res = await fetcher(`${peer.baseUrl}/witness/add-checkpoint`, {
        method: 'POST',
        headers: { 'content-type': 'text/plain; charset=utf-8' },
        body,
        redirect: 'error',
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
      text = await res.text();
    } catch (err) {
      return { peerId: peer.id, size, ok: false, error: (err as Error).message };
    }
    if (text.length > MAX_REPLY_BYTES) return { peerId: peer.id, size, ok: false, error: 'reply too large' };
    if (res.status === 409 && (res.headers.get('content-type') ?? '').startsWith('text/x.tlog.size')) {
      const held = parseDecimal(text.trim());
      if (held === undefined) return { peerId: peer.id, size, ok: false, error: 'a 409 without a size' };
      old = held;
      await remember(deps, peer.id, held);
      continue;
    }
    if (res.status !== 200)
      return { peerId: peer.id, size, ok: false, error: `HTTP ${res.status}: ${text.slice(0, 200)}` };
    const key = parseVerifierKey(peer.witnessVkey!);
    const verifier = cosignatureVerifier(key.name, key.publicKey);
    let line: string | undefined;
    try {
      const opened = openNote(note + text, [verifier]);
      const sig = opened.sigs[0]!;
      line = text
        .split('\n')
        .find(
          (l) =>
            l.startsWith(`\u2014 ${sig.name} `) &&
            Buffer.from(l.split(' ')[2] ?? '', 'base64').readUInt32BE(0) === sig.keyId,
        );
    } catch (err) {
      return { peerId: peer.id, size, ok: false, error: `cosignature refused: ${(err as Error).message}` };
    }
    if (!line) return { peerId: peer.id, size, ok: false, error: 'no cosignature by the peer witness key' };
    await deps.db
      .insertInto('checkpointCosignatures')
      .values({ size, witnessVkey: peer.witnessVkey!, line: `${line}\n`, receivedAt: deps.clock.now() })
      .onConflict((oc) => oc.columns(['size', 'witnessVkey']).doNothing())
      .execute();
    await remember(deps, peer.id, size);
    return { peerId: peer.id, size, ok: true };
  }
  return { peerId: peer.id, size, ok: false, error: 'the witness kept answering 409' };
}

async function remember(deps: Deps, peerId: string, size: number) {
  const now = deps.clock.now();
  await deps.db
    .insertInto('witnessSubmissions')
    .values({ peerId, size, updatedAt: now })
    .onConflict((oc) => oc.column('peerId').doUpdateSet({ size, updatedAt: now }))
    .execute();
}

/**
 * cosignedCheckpoint is this node's latest checkpoint with the cosignatures its peers' witnesses gave it appended:
 * what /log/checkpoint serves. Clients ignore cosignatures from keys they do not know.
 */
export async function cosignedCheckpoint(deps: Deps): Promise<{ size: number; note: string } | null> {
  const cp = await latestCheckpoint(deps.db);
  if (!cp) return null;
  const size = Number(cp.size);
  const lines = await deps.db
    .selectFrom('checkpointCosignatures')
    .select('line')
    .where('size', '=', size)
    .orderBy('witnessVkey')
    .execute();
  return { size, note: cp.note + lines.map((l) => l.line).join('') };
}
