import { decodeBase64, encodeBase64, isWellFormed } from './encoding.ts';
import { LogError } from './log-error.ts';
import type { NoteSigner, NoteVerifier } from './note-key.ts';
import { formatKeyId, isValidKeyName } from './note-key.ts';

/** NoteSignature is one signature line: the key name, the 32-bit key ID and the signature bytes after the ID. */
export interface NoteSignature {
  readonly name: string;
  readonly keyId: number;
  readonly signature: Buffer;
}

/** Note is a parsed signed note: its text (ending in a newline) and its signature lines in order. */
export interface Note {
  readonly text: string;
  readonly sigs: readonly NoteSignature[];
}

/** OpenedNote is a note whose `sigs` were all verified by known keys; lines from unknown keys are in `unverified`. */
export interface OpenedNote extends Note {
  readonly unverified: readonly NoteSignature[];
}

/** MAX_NOTE_SIGNATURES bounds the signature lines a note may carry (the spec asks verifiers to accept at least 16). */
export const MAX_NOTE_SIGNATURES = 100;

const SIG_PREFIX = '\u2014 ';

/**
 * signNote returns the signed note for `text` with one signature line per signer, in order. The text must be
 * non-empty, end in a newline, be well-formed Unicode and contain no control characters other than newline; signer
 * names must be valid and each (name, key ID) pair may appear once. Throws a LogError with code MalformedNote if not.
 */
export function signNote(text: string, signers: readonly NoteSigner[]): string {
  assertNoteText(text);
  if (signers.length === 0) throw malformed('a signed note needs at least one signer');
  const message = Buffer.from(text, 'utf8');
  const seen = new Set<string>();
  const lines = signers.map((signer) => {
    const key = `${signer.name}+${signer.keyId}`;
    if (!isValidKeyName(signer.name) || seen.has(key)) {
      throw new LogError('MalformedNote', `invalid or repeated signer ${JSON.stringify(signer.name)}`);
    }
    seen.add(key);
    const id = Buffer.alloc(4);
    id.writeUInt32BE(signer.keyId);
    return `${SIG_PREFIX}${signer.name} ${encodeBase64(Buffer.concat([id, signer.sign(message)]))}\n`;
  });
  return `${text}\n${lines.join('')}`;
}

/**
 * parseNote splits a signed note into its text and signature lines without verifying anything, so its text MUST NOT
 * be trusted: use openNote for that. Bytes must be valid UTF-8. Throws a LogError with code MalformedNote unless the
 * note is a text ending in a newline, a blank line, then 1 to MAX_NOTE_SIGNATURES lines `— <name> <base64>` whose
 * base64 holds a 4-byte key ID and at least one signature byte.
 */
export function parseNote(note: string | Uint8Array): Note {
  const source = typeof note === 'string' ? note : decodeUtf8(note);
  assertClean(source);
  // The text ends at the last blank line; signature lines cannot contain one.
  const split = source.lastIndexOf('\n\n');
  const text = source.slice(0, split + 1);
  const block = source.slice(split + 2);
  if (split < 0 || block === '' || !block.endsWith('\n')) throw malformed('no signature block after a blank line');
  const lines = block.slice(0, -1).split('\n');
  if (lines.length > MAX_NOTE_SIGNATURES) throw malformed(`more than ${MAX_NOTE_SIGNATURES} signatures`);
  const sigs = lines.map((line) => {
    if (!line.startsWith(SIG_PREFIX)) throw malformed('signature line does not start with an em dash and a space');
    const rest = line.slice(SIG_PREFIX.length);
    const space = rest.indexOf(' ');
    const name = rest.slice(0, space);
    const bytes = decodeBase64(rest.slice(space + 1));
    if (space < 0 || !isValidKeyName(name) || bytes === undefined || bytes.length < 5) {
      throw malformed('signature line is not `— <name> <base64(key ID || signature)>`');
    }
    return { name, keyId: bytes.readUInt32BE(0), signature: bytes.subarray(4) };
  });
  return { text, sigs };
}

/**
 * openNote parses a signed note and verifies it against the known verifiers, matched by key name and key ID.
 * Signatures by unknown keys are ignored (returned in `unverified`), repeated ones by a known key are dropped. Throws
 * a LogError: MalformedNote if the format is wrong, InvalidSignature if a known key's signature does not verify (the
 * whole note is then refused), UnverifiedNote if no known key signed it.
 */
export function openNote(note: string | Uint8Array, verifiers: readonly NoteVerifier[]): OpenedNote {
  const parsed = parseNote(note);
  const message = Buffer.from(parsed.text, 'utf8');
  const sigs: NoteSignature[] = [];
  const unverified: NoteSignature[] = [];
  const seen = new Set<NoteVerifier>();
  for (const sig of parsed.sigs) {
    const verifier = verifiers.find((v) => v.name === sig.name && v.keyId === sig.keyId);
    if (verifier === undefined) {
      unverified.push(sig);
      continue;
    }
    if (seen.has(verifier)) continue;
    seen.add(verifier);
    if (!verifier.verify(message, sig.signature)) {
      throw new LogError(
        'InvalidSignature',
        `signature by ${sig.name} (key ID ${formatKeyId(sig.keyId)}) does not verify`,
      );
    }
    sigs.push(sig);
  }
  if (sigs.length === 0) throw new LogError('UnverifiedNote', 'note has no verifiable signature from a known key');
  return { text: parsed.text, sigs, unverified };
}

function assertNoteText(text: string): void {
  if (text === '' || !text.endsWith('\n')) throw malformed('note text must end in a newline');
  assertClean(text);
}

function assertClean(text: string): void {
  if (/[\u0000-\u0009\u000b-\u001f]/.test(text) || !isWellFormed(text)) {
    throw malformed('note has a control character other than newline, or is not well-formed Unicode');
  }
}

function decodeUtf8(bytes: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch (cause) {
    throw new LogError('MalformedNote', 'note is not valid UTF-8', { cause });
  }
}

function malformed(reason: string): LogError {
  return new LogError('MalformedNote', reason);
}
