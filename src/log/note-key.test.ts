import { describe, expect, it } from 'vitest';
import { isLogError } from './log-error.ts';
import {
  formatSignerKey,
  generateSigner,
  isValidKeyName,
  keyId,
  parseSignerKey,
  parseVerifierKey,
  signerFromSeed,
  verifierKey,
} from './note-key.ts';
import type { GoVectors, NoteVectors } from './testing/known-answers.ts';
import { knownAnswersAvailable, readKnownAnswer, suiteTitle } from './testing/known-answers.ts';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return isLogError(err) ? err.code : String(err);
  }
  return undefined;
}

describe('note keys', () => {
  it('round-trip generated keys', () => {
    const { signerKey, verifierKey: vkey } = generateSigner('example.com/log');
    const signer = parseSignerKey(signerKey);
    expect(signer.verifierKey).toBe(vkey);
    const verifier = parseVerifierKey(vkey);
    const text = Buffer.from('hello\n');
    expect(verifier.verify(text, signer.sign(text))).toBe(true);
    expect(verifier.verify(Buffer.from('hellO\n'), signer.sign(text))).toBe(false);
    expect(verifier.verify(text, Buffer.alloc(3))).toBe(false);
  });

  it('validates key names', () => {
    expect(isValidKeyName('example.com/log')).toBe(true);
    for (const bad of ['', 'a b', 'a+b', 'a\u00a0b', 'a\u3000b', 'a\nb', 'a\u0085b'])
      expect(isValidKeyName(bad)).toBe(false);
    expect(codeOf(() => signerFromSeed('a b', Buffer.alloc(32)))).toBe('MalformedKey');
  });

  it.each([
    ['two parts', 'name+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k'],
    ['uppercase hex', 'example.com/foo+530D903A+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k'],
    ['wrong key ID', 'example.com/foo+530d903b+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k'],
    ['wrong name', 'example.com/bar+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k'],
    ['unknown type', 'example.com/foo+530d903a+AukyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k'],
    ['short key', 'example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3Q=='],
  ])('parseVerifierKey refuses %s', (_what, vkey) => {
    expect(codeOf(() => parseVerifierKey(vkey))).toBe('MalformedKey');
  });

  it('parseSignerKey refuses a wrong key ID or shape', () => {
    const skey = formatSignerKey('n', Buffer.alloc(32, 9));
    expect(parseSignerKey(skey).name).toBe('n');
    expect(codeOf(() => parseSignerKey(skey.replace(/\+[0-9a-f]{8}\+/, '+00000000+')))).toBe('MalformedKey');
    expect(codeOf(() => parseSignerKey(skey.replace('PRIVATE+KEY', 'PRIVATE+KEYS')))).toBe('MalformedKey');
    expect(codeOf(() => parseSignerKey(skey.slice(0, -4)))).toBe('MalformedKey');
  });

  it('verifierKey and keyId agree', () => {
    const signer = signerFromSeed('n', Buffer.alloc(32, 1));
    expect(verifierKey('n', signer.publicKey)).toBe(signer.verifierKey);
    expect(signer.verifierKey.split('+')[1]).toBe(keyId('n', signer.publicKey).toString(16).padStart(8, '0'));
    expect(keyId('n', signer.publicKey, 0x04)).not.toBe(signer.keyId);
  });
});

describe.skipIf(!knownAnswersAvailable)(suiteTitle('note keys against known answers'), () => {
  it('derive the x/mod and C2SP keys, key IDs and key strings', () => {
    const notes = readKnownAnswer<NoteVectors>('c2sp-note-vectors.json');
    const go = readKnownAnswer<GoVectors>('go-x-mod-vectors.json');
    const foo = notes.c2sp_signed_note_example;
    expect(keyId(foo.key_name, Buffer.from(foo.ed25519_pub_hex, 'hex')).toString(16)).toBe(foo.key_id_hex);
    expect(verifierKey(foo.key_name, Buffer.from(foo.ed25519_pub_hex, 'hex'))).toBe(foo.vkey);

    const peter = notes.x_mod_PeterNeumann;
    expect(formatSignerKey('PeterNeumann', Buffer.from(peter.ed25519_seed_hex, 'hex'))).toBe(peter.skey);
    expect(parseSignerKey(peter.skey).verifierKey).toBe(peter.vkey);
    expect(parseSignerKey(peter.skey).publicKey.toString('hex')).toBe(peter.ed25519_pub_hex);

    const log = go.signed_checkpoints;
    expect(formatSignerKey(log.key_name, Buffer.from(log.ed25519_seed_hex, 'hex'))).toBe(log.go_note_private_key);
    expect(parseSignerKey(log.go_note_private_key).keyId.toString(16)).toBe(log.key_id_hex);

    const witness = go.cosignature_ed25519;
    expect(keyId(witness.witness_name, Buffer.from(witness.ed25519_pub_hex, 'hex'), 0x04).toString(16)).toBe(
      witness.key_id_hex,
    );
    expect(verifierKey(witness.witness_name, Buffer.from(witness.ed25519_pub_hex, 'hex'), 0x04)).toBe(witness.vkey);
  });
});
