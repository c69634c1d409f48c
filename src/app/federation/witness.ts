import { encodeBase64 } from '../../log/encoding.ts';
import { isLogError } from '../../log/log-error.ts';
import type { Note } from '../../log/note.ts';
import type { NoteVerifier } from '../../log/note-key.ts';
import { formatKeyId, parseVerifierKey } from '../../log/note-key.ts';
import type { WitnessedState, WitnessVerdict } from '../../log/witness.ts';
import { cosignatureLines, judgeAddCheckpoint, parseAddCheckpoint } from '../../log/witness.ts';
import type { Deps } from '../deps.ts';
import { newId } from '../write/ids.ts';
import { activePeers, originHash } from './peers.ts';

/** WitnessReply is an HTTP answer of the witness: a status, a content type and a text body. */
export interface WitnessReply {
  readonly status: 200 | 400 | 403 | 404 | 409 | 422 | 503;
  readonly contentType: string;
  readonly body: string;
}

const text = (status: WitnessReply['status'], body: string): WitnessReply => ({
  status,
  contentType: 'text/plain; charset=utf-8',
  body: body.endsWith('\n') ? body : `${body}\n`,
});

/** signatureLines renders verified signatures back into note signature lines. */
function signatureLines(note: Note): string {
  return note.sigs
    .map((s) => {
      const id = Buffer.alloc(4);
      id.writeUInt32BE(s.keyId);
      return `\u2014 ${s.name} ${encodeBase64(Buffer.concat([id, s.signature]))}\n`;
    })
    .join('');
}

/**
 * addCheckpoint is tlog-witness's add-checkpoint: it judges the request against the latest checkpoint this witness
 * cosigned for the origin (the peers in force are the known logs; a peer found forked gets no cosignature), and on
 * success persists the new checkpoint, compare-and-set on the size it judged against, before it replies with the
 * cosignature. A checkpoint validly signed by a known log but inconsistent with what was cosigned is kept as
 * evidence. Concurrent requests for one origin serialise on the compare-and-set: the loser is judged again.
 */
export async function addCheckpoint(deps: Deps, body: Buffer): Promise<WitnessReply> {
  let req;
  try {
    req = parseAddCheckpoint(body);
  } catch (err) {
    if (isLogError(err)) return text(400, err.message);
    throw err;
  }
  const peers = await activePeers(deps);
  const logs = new Map<string, NoteVerifier[]>();
  for (const p of peers) logs.set(p.logOrigin, [...(logs.get(p.logOrigin) ?? []), parseVerifierKey(p.logVkey)]);
  for (let attempt = 0; attempt < 5; attempt++) {
    const latest = await readLatest(deps, req.checkpoint, logs);
    const verdict: WitnessVerdict = judgeAddCheckpoint(req, logs, latest.state);
    if (verdict.status === 409) {
      return { status: 409, contentType: 'text/x.tlog.size', body: `${verdict.size}\n` };
    }
    if (verdict.status !== 200) {
      if (verdict.status === 422 && verdict.checkpoint) {
        await keepEvidence(
          deps,
          verdict.checkpoint.origin,
          'witness-inconsistent',
          verdict.reason,
          latest.note,
          req.checkpoint,
        );
      }
      return text(verdict.status, verdict.reason);
    }
    const { checkpoint, note } = verdict;
    const peer = peers.find((p) => p.logOrigin === checkpoint.origin)!;
    const mirror = await deps.db.selectFrom('mirrors').select('state').where('peerId', '=', peer.id).executeTakeFirst();
    if (mirror?.state === 'forked') return text(403, `the log ${checkpoint.origin} was found forked; no cosignature`);
    const lines = cosignatureLines(note.text, [deps.witness]);
    const stored = note.text + '\n' + signatureLines(note) + lines;
    const now = deps.clock.now();
    if (latest.state === null) {
      try {
        await deps.db
          .insertInto('witnessCheckpoints')
          .values({
            origin: checkpoint.origin,
            originHash: originHash(checkpoint.origin),
            size: checkpoint.size,
            root: checkpoint.root,
            note: stored,
            updatedAt: now,
          })
          .execute();
      } catch (err) {
        if (deps.dialect.isUniqueViolation(err)) continue;
        throw err;
      }
    } else {
      const r = await deps.db
        .updateTable('witnessCheckpoints')
        .set({ size: checkpoint.size, root: checkpoint.root, note: stored, updatedAt: now })
        .where('origin', '=', checkpoint.origin)
        .where('size', '=', latest.state.size)
        .executeTakeFirst();
      if (Number(r.numUpdatedRows) !== 1) continue;
    }
    return { status: 200, contentType: 'text/plain; charset=utf-8', body: lines };
  }
  return text(503, 'busy: too many concurrent updates for this origin, try again');
}

async function readLatest(
  deps: Deps,
  note: string,
  logs: ReadonlyMap<string, readonly NoteVerifier[]>,
): Promise<{ state: WitnessedState | null; note: string | null }> {
  const origin = note.slice(0, note.indexOf('\n'));
  if (!logs.has(origin)) return { state: null, note: null };
  const row = await deps.db
    .selectFrom('witnessCheckpoints')
    .selectAll()
    .where('origin', '=', origin)
    .executeTakeFirst();
  if (!row) return { state: null, note: null };
  return { state: { size: Number(row.size), root: Buffer.from(row.root) }, note: row.note };
}

/** keepEvidence stores two signed notes that contradict each other, or a refused one with its reason. */
export async function keepEvidence(
  deps: Deps,
  origin: string,
  kind: string,
  reason: string,
  earlierNote: string | null,
  laterNote: string,
  peerId: string | null = null,
): Promise<void> {
  await deps.db
    .insertInto('federationEvidence')
    .values({ id: newId('fev'), origin, peerId, kind, reason, earlierNote, laterNote, recordedAt: deps.clock.now() })
    .execute();
}

/**
 * witnessedCheckpoint serves tlog-witness's monitoring GET: the latest checkpoint this witness cosigned for the
 * origin whose SHA-256 is hash, with the log's signatures it verified and its own cosignature; null if none.
 */
export async function witnessedCheckpoint(deps: Deps, hash: string): Promise<string | null> {
  const row = await deps.db
    .selectFrom('witnessCheckpoints')
    .select('note')
    .where('originHash', '=', hash)
    .executeTakeFirst();
  return row?.note ?? null;
}

/** witnessInfo describes this node's witness for GET /federation/node. */
export function witnessInfo(deps: Deps) {
  return { name: deps.witness.name, vkey: deps.witness.verifierKey, keyId: formatKeyId(deps.witness.keyId) };
}
