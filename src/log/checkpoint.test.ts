import { describe, expect, it } from 'vitest';
import { formatCheckpoint, openCheckpoint, parseCheckpoint } from './checkpoint.ts';
import { emptyRoot } from './hash.ts';
import { isLogError } from './log-error.ts';
import { parseNote, signNote } from './note.ts';
import { parseVerifierKey, signerFromSeed } from './note-key.ts';
import type { GoVectors, NoteVectors } from './testing/known-answers.ts';
import { knownAnswersAvailable, readKnownAnswer, suiteTitle } from './testing/known-answers.ts';

const ROOT = 'CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return isLogError(err) ? err.code : String(err);
  }
  return undefined;
}

describe('formatCheckpoint and parseCheckpoint', () => {
  it('round-trip, with and without extensions', () => {
    const root = Buffer.from(ROOT, 'base64');
    const text = formatCheckpoint({ origin: 'example.com/log', size: 20852163, root });
    expect(text).toBe(`example.com/log\n20852163\n${ROOT}\n`);
    expect(parseCheckpoint(text)).toEqual({ origin: 'example.com/log', size: 20852163, root, extensions: [] });
    const withExt = formatCheckpoint({ origin: 'o', size: 0, root: emptyRoot(), extensions: ['a b', 'c'] });
    expect(withExt).toBe('o\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\na b\nc\n');
    expect(parseCheckpoint(withExt).extensions).toEqual(['a b', 'c']);
  });

  it.each([
    ['no final newline', `o\n1\n${ROOT}`],
    ['two lines', 'o\n1\n'],
    ['empty origin', `\n1\n${ROOT}\n`],
    ['leading zero', `o\n01\n${ROOT}\n`],
    ['negative size', `o\n-1\n${ROOT}\n`],
    ['size with plus', `o\n+1\n${ROOT}\n`],
    ['size with space', `o\n1 \n${ROOT}\n`],
    ['size beyond 2^53 - 1', `o\n9007199254740992\n${ROOT}\n`],
    ['size of 2^64 - 1', `o\n18446744073709551615\n${ROOT}\n`],
    ['root too short', 'o\n1\nAAAA\n'],
    ['root unpadded', `o\n1\n${ROOT.slice(0, -1)}\n`],
    ['root in hex', `o\n1\n${'00'.repeat(32)}\n`],
    ['empty extension line', `o\n1\n${ROOT}\n\next\n`],
    ['trailing blank line', `o\n1\n${ROOT}\n\n`],
    ['carriage return', `o\r\n1\n${ROOT}\n`],
  ])('parseCheckpoint refuses %s', (_what, text) => {
    expect(codeOf(() => parseCheckpoint(text))).toBe('MalformedCheckpoint');
  });

  it('formatCheckpoint refuses what could not be parsed back', () => {
    const root = emptyRoot();
    expect(codeOf(() => formatCheckpoint({ origin: '', size: 1, root }))).toBe('MalformedCheckpoint');
    expect(codeOf(() => formatCheckpoint({ origin: 'a\nb', size: 1, root }))).toBe('MalformedCheckpoint');
    expect(codeOf(() => formatCheckpoint({ origin: 'o', size: -1, root }))).toBe('MalformedCheckpoint');
    expect(codeOf(() => formatCheckpoint({ origin: 'o', size: 1.5, root }))).toBe('MalformedCheckpoint');
    expect(codeOf(() => formatCheckpoint({ origin: 'o', size: 2 ** 53, root }))).toBe('MalformedCheckpoint');
    expect(codeOf(() => formatCheckpoint({ origin: 'o', size: 1, root: root.subarray(1) }))).toBe(
      'MalformedCheckpoint',
    );
    expect(codeOf(() => formatCheckpoint({ origin: 'o', size: 1, root, extensions: [''] }))).toBe(
      'MalformedCheckpoint',
    );
  });

  it('openCheckpoint checks signature and origin', () => {
    const signer = signerFromSeed('example.com/log', Buffer.alloc(32, 5));
    const note = signNote(formatCheckpoint({ origin: 'example.com/log', size: 3, root: emptyRoot() }), [signer]);
    const verifier = parseVerifierKey(signer.verifierKey);
    expect(openCheckpoint(note, 'example.com/log', [verifier]).checkpoint.size).toBe(3);
    expect(codeOf(() => openCheckpoint(note, 'example.com/other', [verifier]))).toBe('MalformedCheckpoint');
    expect(codeOf(() => openCheckpoint(note, 'example.com/log', []))).toBe('UnverifiedNote');
  });
});

describe.skipIf(!knownAnswersAvailable)(suiteTitle('checkpoints against known answers'), () => {
  it('parses the C2SP example checkpoint', () => {
    const example = readKnownAnswer<NoteVectors>('c2sp-note-vectors.json').c2sp_checkpoint_example_unverifiable;
    const checkpoint = parseCheckpoint(parseNote(example.signed_note).text);
    expect(checkpoint.origin).toBe(example.parsed.origin);
    expect(checkpoint.size).toBe(example.parsed.tree_size);
    expect(checkpoint.root.toString('base64')).toBe(example.parsed.root_hash_b64);
  });

  it('formats every x/mod checkpoint text exactly and opens the signed notes', () => {
    const go = readKnownAnswer<GoVectors>('go-x-mod-vectors.json');
    const { checkpoints, vkey, key_name: origin } = go.signed_checkpoints;
    const roots = go.tree_70000.root_hex_by_size;
    for (const c of checkpoints) {
      const parsed = parseCheckpoint(c.note_text);
      expect(parsed.size).toBe(c.treeSize);
      expect(parsed.root.toString('hex')).toBe(roots[String(c.treeSize)]);
      expect(formatCheckpoint(parsed)).toBe(c.note_text);
      expect(openCheckpoint(c.signed_note, origin, [parseVerifierKey(vkey)]).checkpoint).toEqual(parsed);
    }
    expect(parseCheckpoint(checkpoints.at(-1)?.note_text ?? '').extensions).toEqual([
      'coldchain-ext example extension line',
    ]);
  });
});
