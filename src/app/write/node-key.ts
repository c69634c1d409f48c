import { randomBytes } from 'node:crypto';
import {
  existsSync,
  fsyncSync,
  closeSync,
  linkSync,
  mkdirSync,
  openSync,
  readFileSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import type { Cosigner, Ed25519Signer } from '../../log/note-key.ts';
import { cosignerFromSignerKey, generateSigner, parseSignerKey } from '../../log/note-key.ts';
import type { Clock } from '../deps.ts';

/** NODE_KEY_FILE is the node's signing key under the data directory, readable by its owner only. */
export const NODE_KEY_FILE = 'node.key';

/** WITNESS_KEY_FILE is the node's witness key under the data directory: a key of its own, never the log key. */
export const WITNESS_KEY_FILE = 'witness.key';

/**
 * loadWitnessKey returns the node's witness cosigner (cosignature/v1, named `<origin>/witness`): from
 * COLDTRACE_WITNESS_KEY when set, or from witness.key in dataDir, created on first use when create is true.
 * Its cosignatures carry the clock's time in Unix seconds.
 */
export function loadWitnessKey(
  dataDir: string,
  origin: string,
  clock: Clock,
  opts: { create: boolean; env?: NodeJS.ProcessEnv },
): Cosigner {
  const text = loadKeyText(dataDir, `${origin}/witness`, WITNESS_KEY_FILE, 'COLDTRACE_WITNESS_KEY', opts);
  return cosignerFromSignerKey(text, () => Math.floor(clock.now() / 1000));
}

/** originOf is the log origin for a public URL: the URL without its scheme or trailing slash. */
export function originOf(publicUrl: string): string {
  return publicUrl.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '').replace(/\/+$/, '');
}

/**
 * initNodeKey creates a new Ed25519 key named name in dataDir (mode 0600) and returns its verifier key.
 * It refuses to overwrite an existing key: a node's key is its identity in every checkpoint it signed.
 */
export function initNodeKey(
  dataDir: string,
  name: string,
  file: string = NODE_KEY_FILE,
): { path: string; verifierKey: string } {
  const path = join(dataDir, file);
  if (existsSync(path)) throw new Error(`${path} already exists; a node key is never replaced silently`);
  mkdirSync(dataDir, { recursive: true });
  const { signerKey, verifierKey } = generateSigner(name);
  // Write a temporary file whole, then link it into place: link fails if the key exists, so two
  // processes starting at once never both create one, and nobody ever reads a half-written key.
  const tmp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  const fd = openSync(tmp, 'wx', 0o600);
  try {
    writeSync(fd, `${signerKey}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    linkSync(tmp, path);
  } finally {
    unlinkSync(tmp);
  }
  return { path, verifierKey };
}

/**
 * loadNodeKey returns the node's signer: from COLDTRACE_NODE_KEY (a PRIVATE+KEY string) when set, or
 * from the key file in dataDir, creating that file on first use when create is true.
 */
export function loadNodeKey(
  dataDir: string,
  name: string,
  opts: { create: boolean; env?: NodeJS.ProcessEnv },
): Ed25519Signer {
  return parseSignerKey(loadKeyText(dataDir, name, NODE_KEY_FILE, 'COLDTRACE_NODE_KEY', opts));
}

/**
 * loadKeyText returns a private key string: from the environment variable envVar when set, or from file in dataDir,
 * creating it on first use when create is true (a new random Ed25519 key named name).
 */
export function loadKeyText(
  dataDir: string,
  name: string,
  file: string,
  envVar: string,
  opts: { create: boolean; env?: NodeJS.ProcessEnv },
): string {
  const fromEnv = (opts.env ?? process.env)[envVar];
  if (fromEnv) return fromEnv.trim();
  const path = join(dataDir, file);
  if (!existsSync(path)) {
    if (!opts.create) throw new Error(`no key at ${path}: run "coldtrace keys init" or set ${envVar}`);
    try {
      initNodeKey(dataDir, name, file);
    } catch (err) {
      // Another process created it first: use theirs.
      if ((err as { code?: string }).code !== 'EEXIST' && !existsSync(path)) throw err;
    }
  }
  return readFileSync(path, 'utf8').trim();
}
