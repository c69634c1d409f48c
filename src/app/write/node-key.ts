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
import type { Ed25519Signer } from '../../log/note-key.ts';
import { generateSigner, parseSignerKey } from '../../log/note-key.ts';

/** NODE_KEY_FILE is the node's signing key under the data directory, readable by its owner only. */
export const NODE_KEY_FILE = 'node.key';

/** originOf is the log origin for a public URL: the URL without its scheme or trailing slash. */
export function originOf(publicUrl: string): string {
  return publicUrl.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '').replace(/\/+$/, '');
}

/**
 * initNodeKey creates a new Ed25519 key named name in dataDir (mode 0600) and returns its verifier key.
 * It refuses to overwrite an existing key: a node's key is its identity in every checkpoint it signed.
 */
export function initNodeKey(dataDir: string, name: string): { path: string; verifierKey: string } {
  const path = join(dataDir, NODE_KEY_FILE);
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
  const fromEnv = (opts.env ?? process.env).COLDTRACE_NODE_KEY;
  if (fromEnv) return parseSignerKey(fromEnv.trim());
  const path = join(dataDir, NODE_KEY_FILE);
  if (!existsSync(path)) {
    if (!opts.create) throw new Error(`no node key: run "coldtrace keys init" or set COLDTRACE_NODE_KEY`);
    try {
      initNodeKey(dataDir, name);
    } catch (err) {
      // Another process created it first: use theirs.
      if ((err as { code?: string }).code !== 'EEXIST' && !existsSync(path)) throw err;
    }
  }
  return parseSignerKey(readFileSync(path, 'utf8').trim());
}
