/**
 * The pure transparency-log library: RFC 6962 hashing, Merkle proofs, C2SP signed notes, checkpoints and tiles.
 * Nothing here does I/O; storage comes in through HashReader and ReadTile.
 */
export { LogError, isLogError } from './log-error.ts';
export type { LogErrorCode } from './log-error.ts';
export { decodeBase64, encodeBase64, isWellFormed, parseDecimal } from './encoding.ts';
export { HASH_SIZE, bytesEqual, emptyRoot, isHash, leafHash, nodeHash, sha256Of } from './hash.ts';
export {
  assertIndex,
  bitLength,
  emptyFrontier,
  extendFrontier,
  foldRight,
  frontierRoot,
  largestPowerOfTwoBelow,
  rootFromLeafHashes,
  subtreeKey,
  subtreesOfRange,
} from './tree.ts';
export type { Frontier, SubtreeId } from './tree.ts';
export {
  consistencyProof,
  consistencyProofFromHashes,
  inclusionProof,
  inclusionProofFromHashes,
  memoryHashReader,
  treeRoot,
} from './proof.ts';
export type { HashReader } from './proof.ts';
export { verifyConsistency, verifyInclusion } from './verify.ts';
export type { TreeIndex } from './verify.ts';
export {
  SIG_COSIGNATURE_V1,
  SIG_ED25519,
  cosignatureTimestamp,
  cosignatureVerifier,
  cosignerFromSeed,
  ed25519Verifier,
  formatKeyId,
  formatSignerKey,
  generateSigner,
  isValidKeyName,
  keyId,
  parseSignerKey,
  parseVerifierKey,
  signerFromSeed,
  verifierKey,
} from './note-key.ts';
export type { Ed25519Signer, NoteSigner, NoteVerifier, ParsedVerifier } from './note-key.ts';
export { MAX_NOTE_SIGNATURES, openNote, parseNote, signNote } from './note.ts';
export type { Note, NoteSignature, OpenedNote } from './note.ts';
export { formatCheckpoint, openCheckpoint, parseCheckpoint } from './checkpoint.ts';
export type { Checkpoint, CheckpointInput, OpenedCheckpoint } from './checkpoint.ts';
export {
  MAX_ENTRY_SIZE,
  TILE_HEIGHT,
  TILE_WIDTH,
  decodeEntryBundle,
  encodeEntryBundle,
  entriesPath,
  parseTilePath,
  tilePath,
} from './tiles.ts';
export type { ParsedTilePath, TileId } from './tiles.ts';
export {
  appendEntryBundles,
  appendTiles,
  frontierFromTiles,
  partialTileIds,
  readPartialTiles,
  tileHashReader,
  treeRootFromTiles,
} from './tile-builder.ts';
export type { EntryBundle, ReadTile, Tile } from './tile-builder.ts';
export { TLOG_PROOF_HEADER, formatTlogProof, parseTlogProof, verifyTlogProof } from './tlog-proof.ts';
export type { TlogProof, VerifiedTlogProof } from './tlog-proof.ts';
