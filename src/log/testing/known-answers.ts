/**
 * Test support only (nothing in the library imports this file): loads the shared known-answer data from
 * /work/shared/data/tlog, i.e. ../shared beside the project root. The data is never copied into the project; when the
 * folder is absent the suites that need it are skipped and say why in their titles.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** KNOWN_ANSWERS_DIR is the absolute path of the shared tlog data folder. */
export const KNOWN_ANSWERS_DIR = fileURLToPath(new URL('../../../../shared/data/tlog/', import.meta.url));

/** knownAnswersAvailable reports whether the shared data folder exists. */
export const knownAnswersAvailable = existsSync(KNOWN_ANSWERS_DIR);

/** suiteTitle suffixes `title` with the reason a suite is skipped when the shared data is missing. */
export function suiteTitle(title: string): string {
  return knownAnswersAvailable ? title : `${title} (skipped: known-answer data not found at ${KNOWN_ANSWERS_DIR})`;
}

/**
 * readKnownAnswer parses a JSON file below the data folder. Integers of 16 or more digits become bigint, because the
 * transparency-dev cases hold 64-bit sizes that a double would silently round.
 */
export function readKnownAnswer<T>(relativePath: string): T {
  const text = readFileSync(KNOWN_ANSWERS_DIR + relativePath, 'utf8');
  const quoted = text.replace(/(:\s*)(\d{16,})(?=\s*[,}\]])/g, '$1"__bigint:$2"');
  return JSON.parse(quoted, (_key, value: unknown) =>
    typeof value === 'string' && value.startsWith('__bigint:') ? BigInt(value.slice('__bigint:'.length)) : value,
  ) as T;
}

/** listKnownAnswers returns the paths (relative to the data folder) of every .json file below `folder`, sorted. */
export function listKnownAnswers(folder: string): string[] {
  if (!knownAnswersAvailable) return [];
  const found: string[] = [];
  const walk = (relative: string): void => {
    for (const name of readdirSync(KNOWN_ANSWERS_DIR + relative).sort()) {
      const path = `${relative}/${name}`;
      if (statSync(KNOWN_ANSWERS_DIR + path).isDirectory()) walk(path);
      else if (name.endsWith('.json')) found.push(path);
    }
  };
  walk(folder);
  return found;
}

/** InclusionCase is one transparency-dev/merkle inclusion proof case. Hashes are base64; proof may be null. */
export interface InclusionCase {
  leafIdx: number | bigint;
  treeSize: number | bigint;
  root: string;
  leafHash: string;
  proof: string[] | null;
  desc: string;
  wantErr: boolean;
}

/** ConsistencyCase is one transparency-dev/merkle consistency proof case. Hashes are base64; proof may be null. */
export interface ConsistencyCase {
  size1: number | bigint;
  size2: number | bigint;
  root1: string;
  root2: string;
  proof: string[] | null;
  desc: string;
  wantErr: boolean;
}

/** GoVectors is the part of go-x-mod-vectors.json the tests use. */
export interface GoVectors {
  tree_70000: {
    leaf0_hash_hex: string;
    root_hex_by_size: Record<string, string>;
    inclusion_proofs: { index: number; treeSize: number; leafHashHex: string; rootHex: string; proofHex: string[] }[];
    consistency_proofs: { size1: number; size2: number; root1Hex: string; root2Hex: string; proofHex: string[] }[];
    tiles_for_size_70000: {
      full_level0_tiles: number;
      total_tiles: number;
      sample: { c2spPath: string; level: number; width: number; bytes: number; sha256Hex: string; dataHex?: string }[];
    };
    entry_bundles: { path: string; entries: number; bytes: number; sha256Hex: string; first16BytesHex?: string }[];
  };
  signed_checkpoints: {
    key_name: string;
    key_id_hex: string;
    vkey: string;
    go_note_private_key: string;
    ed25519_seed_hex: string;
    ed25519_pub_hex: string;
    checkpoints: { treeSize: number; note_text: string; signed_note: string }[];
  };
  cosignature_ed25519: {
    witness_name: string;
    vkey: string;
    key_id_hex: string;
    ed25519_seed_hex: string;
    ed25519_pub_hex: string;
    timestamp: number;
    signed_message: string;
    signature_line: string;
    cosigned_checkpoint: string;
  };
  spec_examples: { c2sp_signed_note_example_verifies: boolean; x_mod_PeterNeumann_sign_output: string };
  transparency_dev_merkle_testdata_vs_go_tlog: { agree: number; disagree: string[] };
}

/** NoteVectors is c2sp-note-vectors.json. */
export interface NoteVectors {
  c2sp_signed_note_example: {
    vkey: string;
    key_name: string;
    key_id_hex: string;
    ed25519_pub_hex: string;
    signed_note: string;
    note_text: string;
  };
  x_mod_PeterNeumann: {
    skey: string;
    vkey: string;
    ed25519_pub_hex: string;
    ed25519_seed_hex: string;
    note_text: string;
    signed_note: string;
  };
  c2sp_checkpoint_example_unverifiable: {
    signed_note: string;
    parsed: {
      origin: string;
      tree_size: number;
      root_hash_b64: string;
      log_sig: { key_id_hex: string; sig_len: number };
      witness_cosig: { key_id_hex: string; timestamp: number; sig_len: number; total_decoded_len: number };
    };
  };
}

/** goLeafEntries returns the entries of the go-x-mod-vectors tree: ASCII `leaf-<i>` for i in [0, count). */
export function goLeafEntries(count: number): Buffer[] {
  return Array.from({ length: count }, (_, i) => Buffer.from(`leaf-${i}`, 'ascii'));
}
