import { describe, expect, it } from 'vitest';
import { formatCheckpoint } from './checkpoint.ts';
import { leafHash } from './hash.ts';
import { isLogError } from './log-error.ts';
import { signNote } from './note.ts';
import { cosignatureVerifier, cosignerFromSeed, parseVerifierKey, signerFromSeed } from './note-key.ts';
import { inclusionProofFromHashes } from './proof.ts';
import type { GoVectors } from './testing/known-answers.ts';
import { knownAnswersAvailable, readKnownAnswer, suiteTitle } from './testing/known-answers.ts';
import { TLOG_PROOF_HEADER, formatTlogProof, parseTlogProof, verifyTlogProof } from './tlog-proof.ts';
import { rootFromLeafHashes } from './tree.ts';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return isLogError(err) ? err.code : String(err);
  }
  return undefined;
}

const leaves = Array.from({ length: 21 }, (_, i) => leafHash(Buffer.from(`entry ${i}`)));
const logSigner = signerFromSeed('example.com/log', Buffer.alloc(32, 1));
const logKey = parseVerifierKey(logSigner.verifierKey);
const witness = cosignerFromSeed('witness.example/w1', Buffer.alloc(32, 2), () => 1_700_000_000);
const witnessKey = cosignatureVerifier(witness.name, signerFromSeed(witness.name, Buffer.alloc(32, 2)).publicKey);

describe('tlog-proof', () => {
  const root = rootFromLeafHashes(leaves);
  const checkpoint = signNote(formatCheckpoint({ origin: 'example.com/log', size: 21, root }), [logSigner]);
  const proof = { index: 7, proof: inclusionProofFromHashes(7, 21, leaves), checkpoint };

  it('formats and parses, with and without extra data', () => {
    const text = formatTlogProof(proof);
    expect(text.split('\n').slice(0, 3)).toEqual([TLOG_PROOF_HEADER, 'index 7', proof.proof[0]?.toString('base64')]);
    expect(text.endsWith(`\n\n${checkpoint}`)).toBe(true);
    expect(parseTlogProof(text)).toEqual(proof);
    const extra = { ...proof, extra: Buffer.from('age-v1.2.1') };
    expect(formatTlogProof(extra).split('\n')[1]).toBe('extra YWdlLXYxLjIuMQ==');
    expect(parseTlogProof(formatTlogProof(extra))).toEqual(extra);
  });

  it('verifies against the log key and reports the entry and its cosigners', () => {
    const verified = verifyTlogProof(formatTlogProof(proof), leaves[7] as Buffer, 'example.com/log', logKey);
    expect(verified.index).toBe(7);
    expect(verified.checkpoint.size).toBe(21);
    expect(verified.cosigners).toEqual([]);
    const cosigned = {
      ...proof,
      checkpoint: signNote(formatCheckpoint({ origin: 'example.com/log', size: 21, root }), [logSigner, witness]),
    };
    const both = verifyTlogProof(formatTlogProof(cosigned), leaves[7] as Buffer, 'example.com/log', logKey, [
      witnessKey,
    ]);
    expect(both.cosigners).toEqual(['witness.example/w1']);
  });

  it('refuses a wrong leaf, a wrong origin, or a checkpoint signed only by others', () => {
    const text = formatTlogProof(proof);
    expect(codeOf(() => verifyTlogProof(text, leaves[8] as Buffer, 'example.com/log', logKey))).toBe('ProofFailed');
    expect(codeOf(() => verifyTlogProof(text, leaves[7] as Buffer, 'example.com/x', logKey))).toBe(
      'MalformedCheckpoint',
    );
    const other = parseVerifierKey(signerFromSeed('example.com/log', Buffer.alloc(32, 9)).verifierKey);
    expect(codeOf(() => verifyTlogProof(text, leaves[7] as Buffer, 'example.com/log', other))).toBe('UnverifiedNote');
    const onlyWitness = {
      ...proof,
      checkpoint: signNote(formatCheckpoint({ origin: 'example.com/log', size: 21, root }), [witness]),
    };
    expect(
      codeOf(() =>
        verifyTlogProof(formatTlogProof(onlyWitness), leaves[7] as Buffer, 'example.com/log', logKey, [witnessKey]),
      ),
    ).toBe('UnverifiedNote');
  });

  it.each([
    ['wrong header', 'c2sp.org/tlog-proof@v2\nindex 0\n\nx\n'],
    ['missing index', `${TLOG_PROOF_HEADER}\n\nx\n`],
    ['index with leading zero', `${TLOG_PROOF_HEADER}\nindex 01\n\nx\n`],
    ['index beyond 2^53', `${TLOG_PROOF_HEADER}\nindex 18446744073709551615\n\nx\n`],
    ['bad extra', `${TLOG_PROOF_HEADER}\nextra !!\nindex 0\n\nx\n`],
    ['short hash', `${TLOG_PROOF_HEADER}\nindex 0\nAAAA\n\nx\n`],
    ['no empty line', `${TLOG_PROOF_HEADER}\nindex 0\n${'A'.repeat(43)}=`],
    ['no checkpoint', `${TLOG_PROOF_HEADER}\nindex 0\n\n`],
  ])('parseTlogProof refuses %s', (_what, text) => {
    expect(codeOf(() => parseTlogProof(text))).toBe('MalformedProof');
  });
});

describe.skipIf(!knownAnswersAvailable)(suiteTitle('tlog-proof over the go-x-mod-vectors cosigned checkpoint'), () => {
  it('verifies leaf 12345 of the 70,000-leaf tree with the log key and the witness cosignature', () => {
    const go = readKnownAnswer<GoVectors>('go-x-mod-vectors.json');
    const p = go.tree_70000.inclusion_proofs.find((x) => x.index === 12_345 && x.treeSize === 70_000);
    if (p === undefined) throw new Error('missing inclusion proof vector');
    const text = formatTlogProof({
      extra: Buffer.from('leaf-12345'),
      index: p.index,
      proof: p.proofHex.map((h) => Buffer.from(h, 'hex')),
      checkpoint: go.cosignature_ed25519.cosigned_checkpoint,
    });
    const verified = verifyTlogProof(
      text,
      leafHash(Buffer.from('leaf-12345')),
      go.signed_checkpoints.key_name,
      parseVerifierKey(go.signed_checkpoints.vkey),
      [parseVerifierKey(go.cosignature_ed25519.vkey)],
    );
    expect(verified.checkpoint.root.toString('hex')).toBe(p.rootHex);
    expect(verified.cosigners).toEqual([go.cosignature_ed25519.witness_name]);
    expect(verified.extra?.toString()).toBe('leaf-12345');
  });
});
