import { createPrivateKey, createPublicKey, randomBytes, sign, verify } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { decodeBase64, encodeBase64, isWellFormed } from './encoding.ts';
import { sha256Of } from './hash.ts';
import { LogError } from './log-error.ts';

/** SIG_ED25519 is the signed-note signature type of plain Ed25519 note signatures. */
export const SIG_ED25519 = 0x01;
/** SIG_COSIGNATURE_V1 is the type of timestamped Ed25519 checkpoint cosignatures (c2sp.org/tlog-cosignature). */
export const SIG_COSIGNATURE_V1 = 0x04;

/** NoteVerifier checks signatures made by one key, identified in signature lines by its name and 32-bit key ID. */
export interface NoteVerifier {
  readonly name: string;
  readonly keyId: number;
  /** verify reports whether `signature` (without the key ID prefix) is valid over the note text bytes. */
  verify(text: Uint8Array, signature: Uint8Array): boolean;
}

/** NoteSigner signs note texts with one key. */
export interface NoteSigner {
  readonly name: string;
  readonly keyId: number;
  /** sign returns the signature bytes (without the key ID prefix) over the note text bytes. */
  sign(text: Uint8Array): Buffer;
}

/** Ed25519Signer is a NoteSigner that also knows its public key, to publish as a verifier key. */
export interface Ed25519Signer extends NoteSigner {
  readonly publicKey: Buffer;
  /** verifierKey is the vkey string (`name+hex+base64`) that verifies this signer's notes. */
  readonly verifierKey: string;
}

/** ParsedVerifier is a NoteVerifier decoded from a vkey string, with its type and raw public key. */
export interface ParsedVerifier extends NoteVerifier {
  readonly type: number;
  readonly publicKey: Buffer;
}

const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const SPKI_ED25519_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
const COSIGNATURE_SIZE = 8 + 64;

/**
 * keyId returns the signed-note key ID of a key: the first four bytes, big-endian, of
 * SHA-256(name || 0x0A || type || publicKey). `type` defaults to SIG_ED25519.
 */
export function keyId(name: string, publicKey: Uint8Array, type: number = SIG_ED25519): number {
  const digest = sha256Of(Buffer.concat([Buffer.from(`${name}\n`, 'utf8'), Buffer.of(type), publicKey]));
  return digest.readUInt32BE(0);
}

/** isValidKeyName reports whether `name` may name a note key: non-empty, with no Unicode space, '+' or control. */
export function isValidKeyName(name: string): boolean {
  return name.length > 0 && !/[\s+\u0085\p{Cc}]/u.test(name) && isWellFormed(name);
}

/** verifierKey formats a vkey: `name+hex(keyId)+base64(type || publicKey)`. Throws MalformedKey for a bad name. */
export function verifierKey(name: string, publicKey: Uint8Array, type: number = SIG_ED25519): string {
  assertKeyName(name);
  const material = encodeBase64(Buffer.concat([Buffer.of(type), publicKey]));
  return `${name}+${formatKeyId(keyId(name, publicKey, type))}+${material}`;
}

/**
 * parseVerifierKey decodes a vkey into a verifier. It accepts Ed25519 note keys (type 0x01) and Ed25519 cosignature
 * keys (type 0x04), and throws a LogError with code MalformedKey for anything else, including a key ID that does not
 * match the name and key.
 */
export function parseVerifierKey(vkey: string): ParsedVerifier {
  // The base64 part may itself contain '+', so only the first two separate fields.
  const [name = '', idHex = '', material = ''] = splitFields(vkey, 3);
  const bytes = decodeBase64(material);
  if (!isValidKeyName(name) || !/^[0-9a-f]{8}$/.test(idHex) || bytes === undefined) {
    throw new LogError('MalformedKey', 'verifier key must be name+hex8+base64');
  }
  const type = bytes[0];
  const publicKey = bytes.subarray(1);
  if ((type !== SIG_ED25519 && type !== SIG_COSIGNATURE_V1) || publicKey.length !== 32) {
    throw new LogError('MalformedKey', 'verifier key is not an Ed25519 or Ed25519 cosignature key');
  }
  if (keyId(name, publicKey, type) !== parseInt(idHex, 16)) {
    throw new LogError('MalformedKey', `verifier key ID ${idHex} does not match its name and public key`);
  }
  const verifier = type === SIG_ED25519 ? ed25519Verifier(name, publicKey) : cosignatureVerifier(name, publicKey);
  return { ...verifier, type, publicKey: Buffer.from(publicKey) };
}

/** ed25519Verifier returns the verifier of plain Ed25519 note signatures by the 32-byte `publicKey` named `name`. */
export function ed25519Verifier(name: string, publicKey: Uint8Array): NoteVerifier {
  assertKeyName(name);
  const key = publicKeyObject(publicKey);
  return {
    name,
    keyId: keyId(name, publicKey, SIG_ED25519),
    verify: (text, signature) => signature.length === 64 && verify(null, text, key, signature),
  };
}

/**
 * cosignatureVerifier returns the verifier of c2sp.org/tlog-cosignature Ed25519 cosignatures (type 0x04) by the
 * witness `name`. A cosignature is an 8-byte big-endian timestamp and an Ed25519 signature over
 * "cosignature/v1\ntime <timestamp>\n" followed by the checkpoint text. It does not judge the timestamp.
 */
export function cosignatureVerifier(name: string, publicKey: Uint8Array): NoteVerifier {
  assertKeyName(name);
  const key = publicKeyObject(publicKey);
  return {
    name,
    keyId: keyId(name, publicKey, SIG_COSIGNATURE_V1),
    verify(text, signature) {
      if (signature.length !== COSIGNATURE_SIZE) return false;
      const timestamp = Buffer.from(signature.buffer, signature.byteOffset, 8).readBigUInt64BE(0);
      if (timestamp >= 1n << 63n) return false;
      return verify(null, cosignedMessage(timestamp, text), key, signature.subarray(8));
    },
  };
}

/** cosignatureTimestamp returns the timestamp (Unix seconds) carried by a type-0x04 cosignature's signature bytes. */
export function cosignatureTimestamp(signature: Uint8Array): number {
  if (signature.length !== COSIGNATURE_SIZE) throw new LogError('MalformedNote', 'not an Ed25519 cosignature');
  return Number(Buffer.from(signature.buffer, signature.byteOffset, 8).readBigUInt64BE(0));
}

/** signerFromSeed returns the Ed25519 note signer named `name` whose RFC 8032 private key is the 32-byte `seed`. */
export function signerFromSeed(name: string, seed: Uint8Array): Ed25519Signer {
  assertKeyName(name);
  const privateKey = privateKeyObject(seed);
  const publicKey = rawPublicKey(privateKey);
  return {
    name,
    keyId: keyId(name, publicKey),
    publicKey,
    verifierKey: verifierKey(name, publicKey),
    sign: (text) => sign(null, text, privateKey),
  };
}

/**
 * cosignerFromSeed returns a signer of c2sp.org/tlog-cosignature Ed25519 cosignatures (type 0x04), as a witness makes
 * them. `unixSeconds` is the injected clock; its value at signing time is the cosignature's timestamp.
 */
export function cosignerFromSeed(name: string, seed: Uint8Array, unixSeconds: () => number): NoteSigner {
  assertKeyName(name);
  const privateKey = privateKeyObject(seed);
  const publicKey = rawPublicKey(privateKey);
  return {
    name,
    keyId: keyId(name, publicKey, SIG_COSIGNATURE_V1),
    sign(text) {
      const timestamp = BigInt(unixSeconds());
      const prefix = Buffer.alloc(8);
      prefix.writeBigUInt64BE(timestamp);
      return Buffer.concat([prefix, sign(null, cosignedMessage(timestamp, text), privateKey)]);
    },
  };
}

/** formatSignerKey formats a Go x/mod style private key: `PRIVATE+KEY+name+hex(keyId)+base64(0x01 || seed)`. */
export function formatSignerKey(name: string, seed: Uint8Array): string {
  const signer = signerFromSeed(name, seed);
  const material = encodeBase64(Buffer.concat([Buffer.of(SIG_ED25519), seed]));
  return `PRIVATE+KEY+${name}+${formatKeyId(signer.keyId)}+${material}`;
}

/**
 * parseSignerKey decodes a private key made by formatSignerKey (or Go's note.GenerateKey) into a signer. Throws a
 * LogError with code MalformedKey if the format, type or key ID is wrong. The key ID check catches a mistyped seed.
 */
export function parseSignerKey(skey: string): Ed25519Signer {
  const [p0, p1, name = '', idHex = '', material = ''] = splitFields(skey, 5);
  const bytes = decodeBase64(material);
  if (p0 !== 'PRIVATE' || p1 !== 'KEY' || !/^[0-9a-f]{8}$/.test(idHex) || bytes === undefined) {
    throw new LogError('MalformedKey', 'signer key must be PRIVATE+KEY+name+hex8+base64');
  }
  if (bytes.length !== 33 || bytes[0] !== SIG_ED25519) throw new LogError('MalformedKey', 'signer key is not Ed25519');
  const signer = signerFromSeed(name, bytes.subarray(1));
  if (signer.keyId !== parseInt(idHex, 16)) throw new LogError('MalformedKey', 'signer key ID does not match its key');
  return signer;
}

/** Cosigner is a witness's cosignature/v1 signer with the vkey (type 0x04) that verifies its cosignatures. */
export interface Cosigner extends NoteSigner {
  readonly verifierKey: string;
}

/**
 * cosignerFromSignerKey returns the cosignature/v1 signer for an Ed25519 private key in the format of parseSignerKey:
 * the same seed and name, signing type-0x04 cosignatures stamped with `unixSeconds()`. Throws MalformedKey as
 * parseSignerKey does.
 */
export function cosignerFromSignerKey(skey: string, unixSeconds: () => number): Cosigner {
  const plain = parseSignerKey(skey);
  const seed = decodeBase64(splitFields(skey, 5)[4]!)!.subarray(1);
  return {
    ...cosignerFromSeed(plain.name, seed, unixSeconds),
    verifierKey: verifierKey(plain.name, plain.publicKey, SIG_COSIGNATURE_V1),
  };
}

/** generateSigner makes a new random Ed25519 key named `name` and returns its private and verifier key strings. */
export function generateSigner(name: string): { signerKey: string; verifierKey: string } {
  const seed = randomBytes(32);
  return { signerKey: formatSignerKey(name, seed), verifierKey: signerFromSeed(name, seed).verifierKey };
}

/** splitFields splits `text` at its first count - 1 '+' signs; fewer fields come back when there are fewer signs. */
function splitFields(text: string, count: number): string[] {
  const fields: string[] = [];
  let rest = text;
  for (let plus = rest.indexOf('+'); fields.length < count - 1 && plus >= 0; plus = rest.indexOf('+')) {
    fields.push(rest.slice(0, plus));
    rest = rest.slice(plus + 1);
  }
  return fields.length === count - 1 ? [...fields, rest] : [];
}

function cosignedMessage(timestamp: bigint, text: Uint8Array): Buffer {
  return Buffer.concat([Buffer.from(`cosignature/v1\ntime ${timestamp}\n`, 'ascii'), text]);
}

function privateKeyObject(seed: Uint8Array): KeyObject {
  if (seed.length !== 32) throw new LogError('MalformedKey', 'an Ed25519 seed is 32 bytes');
  return createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]), format: 'der', type: 'pkcs8' });
}

function publicKeyObject(publicKey: Uint8Array): KeyObject {
  if (publicKey.length !== 32) throw new LogError('MalformedKey', 'an Ed25519 public key is 32 bytes');
  try {
    return createPublicKey({ key: Buffer.concat([SPKI_ED25519_PREFIX, publicKey]), format: 'der', type: 'spki' });
  } catch (cause) {
    throw new LogError('MalformedKey', 'not a valid Ed25519 public key', { cause });
  }
}

function rawPublicKey(privateKey: KeyObject): Buffer {
  return createPublicKey(privateKey).export({ format: 'der', type: 'spki' }).subarray(SPKI_ED25519_PREFIX.length);
}

function assertKeyName(name: string): void {
  if (!isValidKeyName(name)) throw new LogError('MalformedKey', `invalid key name ${JSON.stringify(name)}`);
}

/** formatKeyId writes a key ID as 8 lowercase hex digits, as vkeys and private keys do. */
export function formatKeyId(id: number): string {
  return id.toString(16).padStart(8, '0');
}
