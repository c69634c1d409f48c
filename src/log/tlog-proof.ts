import type { Checkpoint } from './checkpoint.ts';
import { openCheckpoint } from './checkpoint.ts';
import { decodeBase64, encodeBase64, parseDecimal } from './encoding.ts';
import { isHash } from './hash.ts';
import { LogError } from './log-error.ts';
import type { NoteVerifier } from './note-key.ts';
import { verifyInclusion } from './verify.ts';

/** TLOG_PROOF_HEADER is the first line of every c2sp.org/tlog-proof. */
export const TLOG_PROOF_HEADER = 'c2sp.org/tlog-proof@v1';

/**
 * TlogProof is an offline-verifiable proof of inclusion (c2sp.org/tlog-proof): the entry's index, its inclusion proof
 * and the signed checkpoint it leads to, verbatim. `extra` is unauthenticated application data.
 */
export interface TlogProof {
  readonly extra?: Buffer;
  readonly index: number;
  readonly proof: readonly Buffer[];
  readonly checkpoint: string;
}

/** VerifiedTlogProof is what verifyTlogProof vouches for; `cosigners` names witnesses whose cosignature verified. */
export interface VerifiedTlogProof {
  readonly index: number;
  readonly extra?: Buffer;
  readonly checkpoint: Checkpoint;
  readonly cosigners: readonly string[];
}

/**
 * formatTlogProof writes a tlog-proof: the header, `extra <base64>` if there is extra data, `index <N>`, one base64
 * hash per line, an empty line, then the signed checkpoint note verbatim. Throws a LogError with code MalformedProof
 * for a bad index, a hash that is not 32 bytes, or a checkpoint that does not end in a newline.
 */
export function formatTlogProof(proof: TlogProof): string {
  if (!Number.isSafeInteger(proof.index) || proof.index < 0 || !proof.proof.every(isHash)) {
    throw malformed('index must be a non-negative safe integer and every proof hash 32 bytes');
  }
  if (!proof.checkpoint.endsWith('\n')) throw malformed('the checkpoint note must end in a newline');
  const lines = [TLOG_PROOF_HEADER];
  if (proof.extra !== undefined) lines.push(`extra ${encodeBase64(proof.extra)}`);
  lines.push(`index ${proof.index}`, ...proof.proof.map(encodeBase64), '');
  return `${lines.join('\n')}\n${proof.checkpoint}`;
}

/**
 * parseTlogProof parses a tlog-proof strictly, without verifying it. Throws a LogError with code MalformedProof unless
 * the text is the header, an optional `extra` line of canonical base64, an `index` line in canonical decimal (at most
 * 2^53 - 1), zero or more lines of base64 32-byte hashes, an empty line and a non-empty checkpoint.
 */
export function parseTlogProof(text: string): TlogProof {
  const lines = text.split('\n');
  let at = 0;
  if (lines[at++] !== TLOG_PROOF_HEADER) throw malformed(`first line must be ${TLOG_PROOF_HEADER}`);
  let extra: Buffer | undefined;
  if (lines[at]?.startsWith('extra ')) {
    extra = decodeBase64((lines[at++] as string).slice('extra '.length));
    if (extra === undefined) throw malformed('extra data is not base64');
  }
  const indexLine = lines[at++] ?? '';
  const index = indexLine.startsWith('index ') ? parseDecimal(indexLine.slice('index '.length)) : undefined;
  if (index === undefined) throw malformed('expected `index <N>` with N a decimal below 2^53');
  const proof: Buffer[] = [];
  for (let line = lines[at++]; line !== ''; line = lines[at++]) {
    const hash = line === undefined ? undefined : decodeBase64(line);
    if (hash === undefined || !isHash(hash)) throw malformed('proof lines must be base64 32-byte hashes');
    proof.push(hash);
  }
  const checkpoint = lines.slice(at).join('\n');
  if (checkpoint === '') throw malformed('no checkpoint after the proof');
  return extra === undefined ? { index, proof, checkpoint } : { extra, index, proof, checkpoint };
}

/**
 * verifyTlogProof checks a tlog-proof for the entry whose leaf hash is `leafHash`: the checkpoint must carry a valid
 * signature by `log` and have origin `origin`, and the inclusion proof must lead from the leaf to its root. Witness
 * cosignatures by `witnesses` are verified too, and the names of those present are returned; deciding how many are
 * enough is the caller's policy. Throws a LogError: MalformedProof, the note and checkpoint codes, or ProofFailed.
 */
export function verifyTlogProof(
  text: string,
  leafHash: Uint8Array,
  origin: string,
  log: NoteVerifier,
  witnesses: readonly NoteVerifier[] = [],
): VerifiedTlogProof {
  const parsed = parseTlogProof(text);
  const { checkpoint, note } = openCheckpoint(parsed.checkpoint, origin, [log, ...witnesses]);
  const signedBy = (v: NoteVerifier): boolean => note.sigs.some((s) => s.name === v.name && s.keyId === v.keyId);
  if (!signedBy(log)) throw new LogError('UnverifiedNote', `checkpoint is not signed by the log key ${log.name}`);
  if (!verifyInclusion(leafHash, parsed.index, checkpoint.size, parsed.proof, checkpoint.root)) {
    throw new LogError(
      'ProofFailed',
      `entry ${parsed.index} is not included in the checkpoint of size ${checkpoint.size}`,
    );
  }
  const cosigners = witnesses.filter(signedBy).map((w) => w.name);
  const verified = { index: parsed.index, checkpoint, cosigners };
  return parsed.extra === undefined ? verified : { ...verified, extra: parsed.extra };
}

function malformed(reason: string): LogError {
  return new LogError('MalformedProof', reason);
}
