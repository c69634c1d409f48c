import { decodeBase64, encodeBase64, isWellFormed, parseDecimal } from './encoding.ts';
import { isHash } from './hash.ts';
import { LogError } from './log-error.ts';
import type { OpenedNote } from './note.ts';
import { openNote } from './note.ts';
import type { NoteVerifier } from './note-key.ts';

/** Checkpoint is the body of a c2sp.org/tlog-checkpoint: the log's origin, tree size and root hash. */
export interface Checkpoint {
  readonly origin: string;
  readonly size: number;
  readonly root: Buffer;
  /** Opaque non-empty lines after the root. Not recommended: monitors cannot audit them. */
  readonly extensions: readonly string[];
}

/** CheckpointInput is what formatCheckpoint needs; extensions are optional. */
export interface CheckpointInput {
  readonly origin: string;
  readonly size: number;
  readonly root: Uint8Array;
  readonly extensions?: readonly string[];
}

/** OpenedCheckpoint is a checkpoint taken from a signed note whose signatures were verified. */
export interface OpenedCheckpoint {
  readonly checkpoint: Checkpoint;
  readonly note: OpenedNote;
}

/**
 * formatCheckpoint returns the checkpoint note text: the origin, the decimal size and the base64 root, then any
 * extension lines, each ending in a newline. Throws a LogError with code MalformedCheckpoint if a field could not be
 * parsed back by parseCheckpoint (empty or multi-line origin, size not a safe integer, root not 32 bytes...).
 */
export function formatCheckpoint(input: CheckpointInput): string {
  const lines = [input.origin, String(input.size), encodeBase64(input.root), ...(input.extensions ?? [])];
  const text = lines.map((line) => `${line}\n`).join('');
  if (!Number.isSafeInteger(input.size) || input.size < 0 || !isHash(input.root)) {
    throw malformed('size must be a non-negative safe integer and root 32 bytes');
  }
  parseCheckpoint(text);
  return text;
}

/**
 * parseCheckpoint parses checkpoint note text strictly: at least three newline-terminated lines; a non-empty origin;
 * the size in decimal without leading zeroes; the root as canonical base64 of exactly 32 bytes; then non-empty
 * extension lines. No control characters other than newline. Sizes above 2^53 - 1 are refused rather than rounded.
 * Throws a LogError with code MalformedCheckpoint. It checks no signature: see openCheckpoint.
 */
export function parseCheckpoint(text: string): Checkpoint {
  if (!text.endsWith('\n') || /[\u0000-\u0009\u000b-\u001f]/.test(text) || !isWellFormed(text)) {
    throw malformed('text must end in a newline and hold no control characters other than newlines');
  }
  const [origin = '', sizeLine = '', rootLine = '', ...extensions] = text.slice(0, -1).split('\n');
  if (origin === '') throw malformed('origin line is empty or missing');
  const size = parseDecimal(sizeLine);
  if (size === undefined) {
    const reason = /^[1-9][0-9]*$/.test(sizeLine) ? 'tree size above 2^53 - 1 is not supported' : 'bad tree size';
    throw malformed(`${reason}: ${JSON.stringify(sizeLine)}`);
  }
  const root = decodeBase64(rootLine);
  if (root === undefined || !isHash(root)) throw malformed('root hash is not base64 of 32 bytes');
  if (extensions.some((line) => line === '')) throw malformed('extension lines must be non-empty');
  return { origin, size, root, extensions };
}

/**
 * openCheckpoint verifies a signed checkpoint note against `verifiers` (see openNote) and parses its text, then
 * checks that the origin is `origin`. Throws a LogError: the note's codes, or MalformedCheckpoint for the text or a
 * different origin.
 */
export function openCheckpoint(
  signedNote: string | Uint8Array,
  origin: string,
  verifiers: readonly NoteVerifier[],
): OpenedCheckpoint {
  const note = openNote(signedNote, verifiers);
  const checkpoint = parseCheckpoint(note.text);
  if (checkpoint.origin !== origin) {
    throw malformed(`checkpoint is for origin ${JSON.stringify(checkpoint.origin)}, not ${JSON.stringify(origin)}`);
  }
  return { checkpoint, note };
}

function malformed(reason: string): LogError {
  return new LogError('MalformedCheckpoint', reason);
}
