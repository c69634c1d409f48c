import * as crypto from 'node:crypto';

/** HASH_SIZE is the length in bytes of every hash in the log (SHA-256). */
export const HASH_SIZE = 32;

// crypto.hash (Node >= 20.12) is about twice as fast as createHash for 32-byte inputs, and tile building hashes a lot.
const sha256: (data: Uint8Array) => Buffer =
  typeof crypto.hash === 'function'
    ? (data) => crypto.hash('sha256', data, 'buffer')
    : (data) => crypto.createHash('sha256').update(data).digest();

// Reused for every node hash: hashing is synchronous, so no two calls can interleave.
const nodeInput = Buffer.alloc(1 + 2 * HASH_SIZE);
nodeInput[0] = 0x01;

/** leafHash returns the RFC 6962 leaf hash of `entry`: SHA-256(0x00 || entry). */
export function leafHash(entry: Uint8Array): Buffer {
  const input = Buffer.allocUnsafe(1 + entry.length);
  input[0] = 0x00;
  input.set(entry, 1);
  return sha256(input);
}

/** nodeHash returns the RFC 6962 interior node hash: SHA-256(0x01 || left || right). Both must be 32 bytes. */
export function nodeHash(left: Uint8Array, right: Uint8Array): Buffer {
  if (left.length !== HASH_SIZE || right.length !== HASH_SIZE) {
    throw new RangeError(`nodeHash needs two ${HASH_SIZE}-byte hashes, got ${left.length} and ${right.length} bytes`);
  }
  nodeInput.set(left, 1);
  nodeInput.set(right, 1 + HASH_SIZE);
  return sha256(nodeInput);
}

const EMPTY_ROOT = sha256(new Uint8Array(0));

/**
 * emptyRoot returns the root of the tree with no leaves, SHA-256 of the empty string, as RFC 6962 defines it. (Go's
 * golang.org/x/mod/sumdb/tlog uses 32 zero bytes instead; this library follows the RFC.) Each call returns a new copy.
 */
export function emptyRoot(): Buffer {
  return Buffer.from(EMPTY_ROOT);
}

/** bytesEqual reports whether `a` and `b` hold the same bytes. Hashes are public, so it need not be constant-time. */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.compare(a, b) === 0;
}

/** isHash reports whether `value` is a Uint8Array of exactly HASH_SIZE bytes. */
export function isHash(value: unknown): value is Uint8Array {
  return value instanceof Uint8Array && value.length === HASH_SIZE;
}

/** sha256Of returns SHA-256(data); exported for key IDs and tests, which hash arbitrary bytes. */
export function sha256Of(data: Uint8Array): Buffer {
  return sha256(data);
}
