import { describe, expect, it } from 'vitest';
import { formatCheckpoint } from './checkpoint.ts';
import { emptyRoot } from './hash.ts';
import { isLogError } from './log-error.ts';
import { openNote, signNote } from './note.ts';
import { cosignatureVerifier, cosignerFromSeed, parseVerifierKey, signerFromSeed } from './note-key.ts';
import type { GoVectors } from './testing/known-answers.ts';
import { knownAnswersAvailable, readKnownAnswer, suiteTitle } from './testing/known-answers.ts';
import type { WitnessedState } from './witness.ts';
import { cosignatureLines, judgeAddCheckpoint, parseAddCheckpoint } from './witness.ts';

const seed = (byte: number) => Buffer.alloc(32, byte);
const log = signerFromSeed('example.com/other-log', seed(7));
const logs = new Map([[log.name, [parseVerifierKey(log.verifierKey)]]]);
const root = (b: number) => Buffer.alloc(32, b);
const signed = (size: number, r: Buffer, signer = log) =>
  signNote(formatCheckpoint({ origin: signer.name, size, root: r }), [signer]);
const body = (old: number, proof: Buffer[], note: string) =>
  `old ${old}\n${proof.map((p) => `${p.toString('base64')}\n`).join('')}\n${note}`;

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return isLogError(err) ? err.code : String(err);
  }
  return undefined;
}

describe('parseAddCheckpoint', () => {
  it('reads the old size, the proof lines and the note', () => {
    const note = signed(3, root(1));
    const req = parseAddCheckpoint(body(2, [root(9), root(8)], note));
    expect(req).toEqual({ oldSize: 2, proof: [root(9), root(8)], checkpoint: note });
    expect(parseAddCheckpoint(Buffer.from(body(0, [], note))).proof).toEqual([]);
  });

  it.each([
    ['no empty line', 'old 0\nexample\n'],
    ['a leading zero', `old 01\n\n${signed(3, root(1))}`],
    ['no old line', `new 1\n\n${signed(3, root(1))}`],
    ['a negative size', `old -1\n\n${signed(3, root(1))}`],
    ['a short hash', `old 1\nAAAA\n\n${signed(3, root(1))}`],
    [
      '64 proof lines',
      body(
        1,
        Array.from({ length: 64 }, () => root(2)),
        signed(3, root(1)),
      ),
    ],
  ])('refuses %s', (_why, text) => {
    expect(codeOf(() => parseAddCheckpoint(text))).toBe('MalformedWitnessRequest');
  });

  it('refuses bytes that are not UTF-8', () => {
    expect(codeOf(() => parseAddCheckpoint(Buffer.from([0x6f, 0x6c, 0x64, 0x20, 0xff])))).toBe(
      'MalformedWitnessRequest',
    );
  });
});

describe('judgeAddCheckpoint', () => {
  const judge = (old: number, proof: Buffer[], note: string, latest: WitnessedState | null = null) =>
    judgeAddCheckpoint(parseAddCheckpoint(body(old, proof, note)), logs, latest);

  it('404 for an unknown origin, 403 for an unknown key or a bad signature by a known one', () => {
    const stranger = signerFromSeed('example.com/stranger', seed(3));
    expect(judge(0, [], signed(1, root(1), stranger)).status).toBe(404);
    const impostor = signerFromSeed(log.name, seed(4));
    expect(judge(0, [], signed(1, root(1), impostor)).status).toBe(403);
    const note = signed(1, root(1));
    const broken = note.replace(
      / (\S{10})(\S+)\n$/,
      (_m, a: string, b: string) => ` ${a}${b.replace(/^./, (c) => (c === 'A' ? 'B' : 'A'))}\n`,
    );
    expect(broken).not.toBe(note);
    expect(judge(0, [], broken).status).toBe(403);
  });

  it('400 for an old size above the checkpoint, 409 with the latest size when the old size is not it', () => {
    expect(judge(5, [], signed(4, root(1))).status).toBe(400);
    expect(judge(2, [], signed(4, root(1)))).toMatchObject({ status: 409, size: 0 });
    expect(judge(0, [], signed(4, root(1)), { size: 3, root: root(2) })).toMatchObject({ status: 409, size: 3 });
  });

  it('422 for a size-0 checkpoint with another root, a proof from 0, a bad proof, or the same size with another root', () => {
    expect(judge(0, [], signed(0, root(1))).status).toBe(422);
    expect(judge(0, [], signed(0, emptyRoot())).status).toBe(200);
    expect(judge(0, [root(3)], signed(4, root(1))).status).toBe(422);
    expect(judge(3, [root(3)], signed(4, root(1)), { size: 3, root: root(2) }).status).toBe(422);
    expect(judge(3, [], signed(3, root(1)), { size: 3, root: root(2) }).status).toBe(422);
    expect(judge(3, [], signed(3, root(2)), { size: 3, root: root(2) }).status).toBe(200);
  });

  it('ignores cosignatures from keys it does not know', () => {
    const witness = cosignerFromSeed('witness.example/other', seed(5), () => 1_700_000_000);
    const note = signed(2, root(1));
    const text = note.slice(0, note.indexOf('\n\n') + 1);
    const cosigned = note + cosignatureLines(text, [witness]);
    expect(judge(0, [], cosigned).status).toBe(200);
  });
});

describe.skipIf(!knownAnswersAvailable)(suiteTitle('a witness over the go-x-mod 70,000-leaf log'), () => {
  it('cosigns 0 → 256 → 70000 with the consistency proof, byte for byte as the known cosignature', () => {
    const v = readKnownAnswer<GoVectors>('go-x-mod-vectors.json');
    const logSigner = signerFromSeed(
      v.signed_checkpoints.key_name,
      Buffer.from(v.signed_checkpoints.ed25519_seed_hex, 'hex'),
    );
    const known = new Map([[logSigner.name, [parseVerifierKey(v.signed_checkpoints.vkey)]]]);
    const rootOf = (size: number) => Buffer.from(v.tree_70000.root_hex_by_size[String(size)]!, 'hex');
    const at256 = signNote(formatCheckpoint({ origin: logSigner.name, size: 256, root: rootOf(256) }), [logSigner]);
    const first = judgeAddCheckpoint(parseAddCheckpoint(body(0, [], at256)), known, null);
    expect(first.status).toBe(200);

    const final = v.signed_checkpoints.checkpoints.find((c) => c.treeSize === 70000)!;
    const proof = v.tree_70000.consistency_proofs.find((c) => c.size1 === 256 && c.size2 === 70000)!;
    const hashes = proof.proofHex.map((h) => Buffer.from(h, 'hex'));
    const stale = judgeAddCheckpoint(parseAddCheckpoint(body(256, hashes, final.signed_note)), known, null);
    expect(stale).toMatchObject({ status: 409, size: 0 });
    const second = judgeAddCheckpoint(parseAddCheckpoint(body(256, hashes, final.signed_note)), known, {
      size: 256,
      root: rootOf(256),
    });
    expect(second.status).toBe(200);
    const wrong = hashes.map((h, i) => (i === 3 ? root(0) : h));
    expect(
      judgeAddCheckpoint(parseAddCheckpoint(body(256, wrong, final.signed_note)), known, {
        size: 256,
        root: rootOf(256),
      }).status,
    ).toBe(422);

    const c = v.cosignature_ed25519;
    const witness = cosignerFromSeed(c.witness_name, Buffer.from(c.ed25519_seed_hex, 'hex'), () => c.timestamp);
    const lines = cosignatureLines(final.note_text, [witness]);
    expect(lines).toBe(c.signature_line);
    const cosigned = final.signed_note + lines;
    const wkey = parseVerifierKey(c.vkey);
    expect(openNote(cosigned, [cosignatureVerifier(wkey.name, wkey.publicKey)]).sigs).toHaveLength(1);
  });
});
