import { describe, expect, it } from 'vitest';
import { isLogError } from './log-error.ts';
import { MAX_NOTE_SIGNATURES, openNote, parseNote, signNote } from './note.ts';
import {
  cosignerFromSeed,
  cosignatureVerifier,
  ed25519Verifier,
  parseVerifierKey,
  signerFromSeed,
} from './note-key.ts';
import type { GoVectors, NoteVectors } from './testing/known-answers.ts';
import { knownAnswersAvailable, readKnownAnswer, suiteTitle } from './testing/known-answers.ts';

const seedA = Buffer.alloc(32, 0xa1);
const seedB = Buffer.alloc(32, 0xb2);
const alice = signerFromSeed('example.com/alice', seedA);
const bob = signerFromSeed('example.com/bob', seedB);
const aliceV = parseVerifierKey(alice.verifierKey);
const bobV = parseVerifierKey(bob.verifierKey);

function expectLogError(fn: () => unknown, code: string): void {
  let thrown: unknown;
  try {
    fn();
  } catch (err) {
    thrown = err;
  }
  expect(isLogError(thrown), String(thrown)).toBe(true);
  expect((thrown as { code: string }).code).toBe(code);
}

describe('signNote and openNote', () => {
  it('round-trip with several signers, ignoring unknown keys', () => {
    const note = signNote('hello\n\nworld\n', [alice, bob]);
    expect(note.startsWith('hello\n\nworld\n\n\u2014 example.com/alice ')).toBe(true);
    const opened = openNote(note, [bobV]);
    expect(opened.text).toBe('hello\n\nworld\n');
    expect(opened.sigs.map((s) => s.name)).toEqual(['example.com/bob']);
    expect(opened.unverified.map((s) => s.name)).toEqual(['example.com/alice']);
    expect(openNote(Buffer.from(note, 'utf8'), [aliceV, bobV]).sigs).toHaveLength(2);
  });

  it('refuses a note with no known signature', () => {
    expectLogError(() => openNote(signNote('x\n', [alice]), [bobV]), 'UnverifiedNote');
    // Same name, different key: the key ID differs, so it is an unknown key, not a bad signature.
    const impostor = signerFromSeed('example.com/bob', seedA);
    expectLogError(() => openNote(signNote('x\n', [impostor]), [bobV]), 'UnverifiedNote');
  });

  it('refuses the whole note when a known key signature does not verify', () => {
    const note = signNote('x\n', [alice, bob]);
    const forged = note.replace('x\n\n', 'y\n\n');
    expectLogError(() => openNote(forged, [aliceV]), 'InvalidSignature');
  });

  it('drops a repeated signature by the same key', () => {
    const note = signNote('x\n', [alice]);
    const line = note.slice(3);
    expect(openNote(note + line, [aliceV]).sigs).toHaveLength(1);
  });

  it.each([
    ['no blank line', 'x\n\u2014 a AAAAAAA=\n'],
    ['no signatures', 'x\n\n'],
    ['missing final newline', 'x\n\n\u2014 a AAAAAAA='],
    ['hyphen instead of em dash', 'x\n\n- a AAAAAAA=\n'],
    ['signature too short', 'x\n\n\u2014 a AAAAAA==\n'],
    ['bad base64', 'x\n\n\u2014 a AAAA AAA=\n'],
    ['empty name', 'x\n\n\u2014  AAAAAAA=\n'],
    ['plus in name', 'x\n\n\u2014 a+b AAAAAAA=\n'],
    ['tab in text', 'x\ty\n\n\u2014 a AAAAAAA=\n'],
    ['carriage return', 'x\r\n\n\u2014 a AAAAAAA=\n'],
    ['lone surrogate', 'x\uD800\n\n\u2014 a AAAAAAA=\n'],
    ['trailing blank line', 'x\n\n\u2014 a AAAAAAA=\n\n'],
  ])('parseNote refuses %s', (_what, note) => {
    expectLogError(() => parseNote(note), 'MalformedNote');
  });

  it('refuses invalid UTF-8 bytes and too many signatures', () => {
    expectLogError(() => parseNote(Buffer.from([0x78, 0x0a, 0x0a, 0xff, 0x0a])), 'MalformedNote');
    const many = 'x\n\n' + '\u2014 a AAAAAAA=\n'.repeat(MAX_NOTE_SIGNATURES + 1);
    expectLogError(() => parseNote(many), 'MalformedNote');
    expect(parseNote('x\n\n' + '\u2014 a AAAAAAA=\n'.repeat(16)).sigs).toHaveLength(16);
  });

  it('signNote refuses bad text or duplicate signers', () => {
    expectLogError(() => signNote('no newline', [alice]), 'MalformedNote');
    expectLogError(() => signNote('', [alice]), 'MalformedNote');
    expectLogError(() => signNote('bell\u0007\n', [alice]), 'MalformedNote');
    expectLogError(() => signNote('x\n', [alice, alice]), 'MalformedNote');
    expectLogError(() => signNote('x\n', []), 'MalformedNote');
  });
});

describe('cosignatures', () => {
  it('verify over the cosignature/v1 message and ignore being read as plain signatures', () => {
    const witness = cosignerFromSeed('witness.example/w', seedB, () => 1_700_000_000);
    const note = signNote('origin\n1\nAAAA\n', [alice, witness]);
    const verifier = cosignatureVerifier('witness.example/w', bob.publicKey);
    expect(openNote(note, [verifier]).sigs[0]?.signature.readBigUInt64BE(0)).toBe(1_700_000_000n);
    // Same name and key but plain Ed25519: a different key ID, so the cosignature is just unknown.
    expectLogError(() => openNote(note, [ed25519Verifier('witness.example/w', bob.publicKey)]), 'UnverifiedNote');
  });
});

describe.skipIf(!knownAnswersAvailable)(suiteTitle('signed notes against c2sp-note-vectors and x/mod'), () => {
  const vectors = knownAnswersAvailable ? readKnownAnswer<NoteVectors>('c2sp-note-vectors.json') : undefined;
  const go = knownAnswersAvailable ? readKnownAnswer<GoVectors>('go-x-mod-vectors.json') : undefined;

  it('opens the C2SP signed-note example with its vkey', () => {
    const example = vectors?.c2sp_signed_note_example;
    if (example === undefined) throw new Error('missing vector');
    const verifier = parseVerifierKey(example.vkey);
    expect(verifier.name).toBe(example.key_name);
    expect(verifier.keyId.toString(16).padStart(8, '0')).toBe(example.key_id_hex);
    expect(verifier.publicKey.toString('hex')).toBe(example.ed25519_pub_hex);
    const opened = openNote(example.signed_note, [verifier]);
    expect(opened.text).toBe(example.note_text);
    expectLogError(() => openNote(example.signed_note.replace('example', 'Example'), [verifier]), 'InvalidSignature');
  });

  it('reproduces the x/mod PeterNeumann note byte for byte', () => {
    const peter = vectors?.x_mod_PeterNeumann;
    if (peter === undefined) throw new Error('missing vector');
    const signer = signerFromSeed('PeterNeumann', Buffer.from(peter.ed25519_seed_hex, 'hex'));
    expect(signer.verifierKey).toBe(peter.vkey);
    expect(signNote(peter.note_text, [signer])).toBe(peter.signed_note);
    expect(signNote(peter.note_text, [signer])).toBe(go?.spec_examples.x_mod_PeterNeumann_sign_output);
    expect(openNote(peter.signed_note, [parseVerifierKey(peter.vkey)]).text).toBe(peter.note_text);
  });

  it('parses the unverifiable C2SP checkpoint example signatures', () => {
    const example = vectors?.c2sp_checkpoint_example_unverifiable;
    if (example === undefined) throw new Error('missing vector');
    const [log, witness] = parseNote(example.signed_note).sigs;
    expect(log?.keyId.toString(16).padStart(8, '0')).toBe(example.parsed.log_sig.key_id_hex);
    expect(log?.signature.length).toBe(example.parsed.log_sig.sig_len);
    expect(witness?.keyId.toString(16).padStart(8, '0')).toBe(example.parsed.witness_cosig.key_id_hex);
    expect(witness?.signature.length).toBe(example.parsed.witness_cosig.total_decoded_len - 4);
    expect(witness?.signature.readBigUInt64BE(0)).toBe(BigInt(example.parsed.witness_cosig.timestamp));
  });

  it('reproduces and verifies every x/mod signed checkpoint', () => {
    const checkpoints = go?.signed_checkpoints;
    if (checkpoints === undefined) throw new Error('missing vector');
    const signer = signerFromSeed(checkpoints.key_name, Buffer.from(checkpoints.ed25519_seed_hex, 'hex'));
    expect(signer.publicKey.toString('hex')).toBe(checkpoints.ed25519_pub_hex);
    expect(signer.verifierKey).toBe(checkpoints.vkey);
    expect(checkpoints.checkpoints).toHaveLength(5);
    for (const c of checkpoints.checkpoints) {
      expect(signNote(c.note_text, [signer])).toBe(c.signed_note);
      expect(openNote(c.signed_note, [parseVerifierKey(checkpoints.vkey)]).text).toBe(c.note_text);
    }
  });

  it('reproduces and verifies the witness cosignature', () => {
    const cosig = go?.cosignature_ed25519;
    const checkpoints = go?.signed_checkpoints;
    if (cosig === undefined || checkpoints === undefined) throw new Error('missing vector');
    const witness = cosignerFromSeed(
      cosig.witness_name,
      Buffer.from(cosig.ed25519_seed_hex, 'hex'),
      () => cosig.timestamp,
    );
    const verifier = parseVerifierKey(cosig.vkey);
    expect(verifier.type).toBe(0x04);
    expect(verifier.keyId).toBe(witness.keyId);
    expect(verifier.publicKey.toString('hex')).toBe(cosig.ed25519_pub_hex);
    const logged = checkpoints.checkpoints.find(
      (c) => c.signed_note + cosig.signature_line === cosig.cosigned_checkpoint,
    );
    expect(logged).toBeDefined();
    const text = logged?.note_text ?? '';
    expect('cosignature/v1\ntime 1700000000\n' + text).toBe(cosig.signed_message);
    const signer = signerFromSeed(checkpoints.key_name, Buffer.from(checkpoints.ed25519_seed_hex, 'hex'));
    expect(signNote(text, [signer, witness])).toBe(cosig.cosigned_checkpoint);
    const opened = openNote(cosig.cosigned_checkpoint, [verifier, parseVerifierKey(checkpoints.vkey)]);
    expect(opened.sigs).toHaveLength(2);
  });
});
