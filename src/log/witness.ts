import type { Checkpoint } from './checkpoint.ts';
import { parseCheckpoint } from './checkpoint.ts';
import { decodeBase64, parseDecimal } from './encoding.ts';
import { emptyRoot, isHash } from './hash.ts';
import { isLogError, LogError } from './log-error.ts';
import type { Note } from './note.ts';
import { openNote, parseNote, signNote } from './note.ts';
import type { NoteSigner, NoteVerifier } from './note-key.ts';
import { verifyConsistency } from './verify.ts';

// The witness side of c2sp.org/tlog-witness: parsing an add-checkpoint request, judging it against what the witness
// last cosigned for the origin, and the cosignature lines of the reply. Pure: the caller keeps the state, and must
// compare-and-set it atomically with the size it judged against (see judgeAddCheckpoint).

/** MAX_PROOF_LINES is the most consistency proof lines a client may send (tlog-witness). */
export const MAX_PROOF_LINES = 63;

/** AddCheckpointRequest is a parsed add-checkpoint body: the old size, the consistency proof and the signed note. */
export interface AddCheckpointRequest {
  readonly oldSize: number;
  readonly proof: readonly Buffer[];
  /** checkpoint is the signed checkpoint note exactly as submitted. */
  readonly checkpoint: string;
}

/** WitnessedState is what a witness last cosigned for one origin. */
export interface WitnessedState {
  readonly size: number;
  readonly root: Uint8Array;
}

/**
 * WitnessVerdict is the witness's answer with the HTTP status tlog-witness gives it. A 200 carries the checkpoint and
 * its verified log signatures; a 409 the size the client must start from.
 */
export type WitnessVerdict =
  | { readonly status: 200; readonly checkpoint: Checkpoint; readonly note: Note }
  | { readonly status: 409; readonly size: number; readonly reason: string }
  | { readonly status: 400 | 403 | 404 | 422; readonly reason: string; readonly checkpoint?: Checkpoint };

/**
 * parseAddCheckpoint parses an add-checkpoint request body: `old <size>\n`, at most 63 base64 hash lines, an empty
 * line, then a signed checkpoint note. Throws a LogError with code MalformedWitnessRequest (a 400) if the framing is
 * wrong; the note itself is checked by judgeAddCheckpoint.
 */
export function parseAddCheckpoint(body: string | Uint8Array): AddCheckpointRequest {
  let text: string;
  try {
    text = typeof body === 'string' ? body : new TextDecoder('utf-8', { fatal: true }).decode(body);
  } catch (cause) {
    throw new LogError('MalformedWitnessRequest', 'body is not UTF-8', { cause });
  }
  const blank = text.indexOf('\n\n');
  if (blank < 0) throw malformed('no empty line before the checkpoint');
  const head = text.slice(0, blank).split('\n');
  const oldLine = head[0] ?? '';
  const oldSize = oldLine.startsWith('old ') ? parseDecimal(oldLine.slice(4)) : undefined;
  if (oldSize === undefined) throw malformed('the first line must be `old <size>` in decimal without leading zeroes');
  const proofLines = head.slice(1);
  if (proofLines.length > MAX_PROOF_LINES) throw malformed(`more than ${MAX_PROOF_LINES} consistency proof lines`);
  const proof = proofLines.map((line) => {
    const hash = decodeBase64(line);
    if (hash === undefined || !isHash(hash)) throw malformed('a consistency proof line is not a base64 SHA-256 hash');
    return hash;
  });
  return { oldSize, proof, checkpoint: text.slice(blank + 2) };
}

/**
 * judgeAddCheckpoint applies tlog-witness's checks, in its order, to a request: the origin must be known (404), a
 * trusted log key must have signed and no trusted key's signature may fail (403), the old size must not exceed the
 * new one (400), it must equal the size last cosigned for the origin, or 0 if none (409 with that size), a size-0
 * checkpoint must have the empty root and the consistency proof must verify from the state last cosigned (422).
 * `logs` gives the trusted log verifiers per origin; `latest` what the witness last cosigned for the origin.
 */
export function judgeAddCheckpoint(
  req: AddCheckpointRequest,
  logs: ReadonlyMap<string, readonly NoteVerifier[]>,
  latest: WitnessedState | null,
): WitnessVerdict {
  let checkpoint: Checkpoint;
  try {
    checkpoint = parseCheckpoint(parseNote(req.checkpoint).text);
  } catch (err) {
    if (isLogError(err)) return { status: 400, reason: err.message };
    throw err;
  }
  const verifiers = logs.get(checkpoint.origin);
  if (!verifiers || verifiers.length === 0) return { status: 404, reason: `unknown origin ${checkpoint.origin}` };
  let note: Note;
  try {
    note = openNote(req.checkpoint, verifiers);
  } catch (err) {
    if (isLogError(err)) return { status: 403, reason: err.message };
    throw err;
  }
  if (req.oldSize > checkpoint.size) {
    return { status: 400, reason: `old size ${req.oldSize} is above the checkpoint size ${checkpoint.size}` };
  }
  const known = latest?.size ?? 0;
  if (req.oldSize !== known) {
    return { status: 409, size: known, reason: `the latest cosigned size is ${known}, not ${req.oldSize}` };
  }
  if (checkpoint.size === 0 && !checkpoint.root.equals(emptyRoot())) {
    return { status: 422, checkpoint, reason: 'a checkpoint of size 0 must have the empty tree root' };
  }
  if (req.oldSize === 0) {
    if (req.proof.length > 0) return { status: 422, checkpoint, reason: 'a proof from size 0 must be empty' };
  } else if (!verifyConsistency(req.oldSize, checkpoint.size, req.proof, latest!.root, checkpoint.root)) {
    const reason =
      req.oldSize === checkpoint.size
        ? 'same size as the latest cosigned checkpoint, but another root hash'
        : `the consistency proof from size ${req.oldSize} does not verify`;
    return { status: 422, checkpoint, reason };
  }
  return { status: 200, checkpoint, note };
}

/**
 * cosignatureLines returns the reply body of a successful add-checkpoint: one signature line per cosigner over the
 * checkpoint's text, each `— <name> <base64>\n`. The cosigners must make timestamped cosignature/v1 signatures.
 */
export function cosignatureLines(checkpointText: string, cosigners: readonly NoteSigner[]): string {
  return signNote(checkpointText, cosigners).slice(checkpointText.length + 1);
}

function malformed(reason: string): LogError {
  return new LogError('MalformedWitnessRequest', reason);
}
