import { describe, expect, it } from 'vitest';
import { formatCheckpoint } from './checkpoint.ts';
import { isLogError } from './log-error.ts';
import { signNote } from './note.ts';
import { cosignerFromSeed, SIG_COSIGNATURE_V1, signerFromSeed, verifierKey } from './note-key.ts';
import { parsePolicy, quorumMet, verifyWithPolicy } from './policy.ts';
import type { GoVectors } from './testing/known-answers.ts';
import { knownAnswersAvailable, readKnownAnswer, suiteTitle } from './testing/known-answers.ts';
import { cosignatureLines } from './witness.ts';

const seed = (byte: number) => Buffer.alloc(32, byte);
const log = signerFromSeed('example.com/log', seed(1));
const witnessOf = (n: number) => {
  const name = `witness.example/x${n}`;
  const signer = cosignerFromSeed(name, seed(10 + n), () => 1_700_000_000);
  const pub = signerFromSeed(name, seed(10 + n)).publicKey;
  return { name, signer, vkey: verifierKey(name, pub, SIG_COSIGNATURE_V1) };
};
const [w1, w2, w3, y1] = [witnessOf(1), witnessOf(2), witnessOf(3), witnessOf(4)];

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return isLogError(err) ? `${err.code}: ${err.message}` : String(err);
  }
  return undefined;
}

const twoLevels = `# two organisations
log ${log.verifierKey} https://ct.example/log

witness X1 ${w1!.vkey}
witness X2 ${w2!.vkey}\thttps://w2.example
  witness X3 ${w3!.vkey}
group X-witnesses 2 X1 X2 X3
witness Y1 ${y1!.vkey}
group Y-witnesses any Y1
group X-and-Y all X-witnesses Y-witnesses
quorum X-and-Y
`;

describe('parsePolicy', () => {
  it('reads logs, witnesses, groups and the quorum', () => {
    const p = parsePolicy(twoLevels);
    expect(p.logs.map((l) => [l.verifier.name, l.url])).toEqual([['example.com/log', 'https://ct.example/log']]);
    expect(p.witnesses.map((w) => [w.name, w.url])).toEqual([
      ['X1', undefined],
      ['X2', 'https://w2.example'],
      ['X3', undefined],
      ['Y1', undefined],
    ]);
    expect(p.quorum).toMatchObject({ kind: 'group', name: 'X-and-Y', k: 2 });
    const q = p.quorum;
    expect(quorumMet(q, new Set(['X1', 'X2', 'Y1']))).toBe(true);
    expect(quorumMet(q, new Set(['X1', 'X3', 'Y1']))).toBe(true);
    expect(quorumMet(q, new Set(['X1', 'Y1']))).toBe(false);
    expect(quorumMet(q, new Set(['X1', 'X2', 'X3']))).toBe(false);
    expect(parsePolicy(`log ${log.verifierKey}\nquorum none\n`).quorum).toEqual({ kind: 'none' });
  });

  it.each([
    ['no quorum', `log ${log.verifierKey}\n`, 'quorum'],
    ['two quorums', `witness A ${w1!.vkey}\nquorum A\nquorum A\n`, 'line 3'],
    ['a name used before it is defined', `group G any A\nwitness A ${w1!.vkey}\nquorum G\n`, 'line 1'],
    ['a member listed twice', `witness A ${w1!.vkey}\ngroup G any A A\nquorum G\n`, 'twice'],
    ['a threshold above n', `witness A ${w1!.vkey}\ngroup G 2 A\nquorum G\n`, 'threshold'],
    ['a threshold of 0', `witness A ${w1!.vkey}\ngroup G 0 A\nquorum G\n`, 'threshold'],
    ['none as a member', `group G any none\nquorum G\n`, 'none'],
    ['a duplicate key', `witness A ${w1!.vkey}\nwitness B ${w1!.vkey}\nquorum A\n`, 'twice'],
    ['a log key as a witness', `witness A ${log.verifierKey}\nquorum A\n`, 'type'],
    ['a witness key as a log', `log ${w1!.vkey}\nquorum none\n`, 'type'],
    ['an unknown keyword', `logs ${log.verifierKey}\nquorum none\n`, 'unknown'],
    ['a carriage return', `log ${log.verifierKey}\r\nquorum none\n`, 'control'],
    ['a name defined twice', `witness A ${w1!.vkey}\ngroup A any A\nquorum A\n`, 'already'],
  ])('refuses %s', (_why, text, words) => {
    const got = codeOf(() => parsePolicy(text));
    expect(got).toMatch(/^MalformedPolicy/);
    expect(got).toContain(words);
  });
});

describe('verifyWithPolicy', () => {
  const text = formatCheckpoint({ origin: log.name, size: 5, root: Buffer.alloc(32, 9) });
  const note = signNote(text, [log]);
  const cosigned = (...ws: (typeof w1)[]) =>
    note +
    cosignatureLines(
      text,
      ws.map((w) => w!.signer),
    );

  it('accepts a checkpoint whose cosigners meet the quorum, and names them', () => {
    const p = parsePolicy(twoLevels);
    expect(verifyWithPolicy(cosigned(w1, w3, y1), p).cosigners).toEqual(['X1', 'X3', 'Y1']);
    expect(codeOf(() => verifyWithPolicy(cosigned(w1, y1), p))).toMatch(/^QuorumNotMet/);
    expect(verifyWithPolicy(note, parsePolicy(`log ${log.verifierKey}\nquorum none\n`)).checkpoint.size).toBe(5);
  });

  it('refuses a checkpoint from a log the policy does not list, or with a forged cosignature', () => {
    const other = signerFromSeed('example.com/other', seed(2));
    const p = parsePolicy(twoLevels);
    expect(codeOf(() => verifyWithPolicy(signNote(text.replace(log.name, other.name), [other]), p))).toMatch(
      /^UnverifiedNote/,
    );
    const forged = cosigned(w1, w2, y1).replace(
      /(— witness.example\/x2 \S{20})(\S)/,
      (_m, a: string, c: string) => a + (c === 'A' ? 'B' : 'A'),
    );
    expect(codeOf(() => verifyWithPolicy(forged, p))).toMatch(/^InvalidSignature/);
  });
});

describe.skipIf(!knownAnswersAvailable)(suiteTitle('verifyWithPolicy on the known cosigned checkpoint'), () => {
  it('meets a one-witness quorum with the go-x-mod log key and the known witness key', () => {
    const v = readKnownAnswer<GoVectors>('go-x-mod-vectors.json');
    const p = parsePolicy(`log ${v.signed_checkpoints.vkey}\nwitness w1 ${v.cosignature_ed25519.vkey}\nquorum w1\n`);
    const got = verifyWithPolicy(v.cosignature_ed25519.cosigned_checkpoint, p);
    expect(got.cosigners).toEqual(['w1']);
    expect(got.checkpoint.size).toBe(70000);
  });
});
