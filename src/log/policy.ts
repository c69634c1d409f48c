import type { Checkpoint } from './checkpoint.ts';
import { parseCheckpoint } from './checkpoint.ts';
import { parseDecimal } from './encoding.ts';
import { isLogError, LogError } from './log-error.ts';
import type { NoteVerifier, ParsedVerifier } from './note-key.ts';
import { parseVerifierKey, SIG_COSIGNATURE_V1, SIG_ED25519 } from './note-key.ts';
import { openNote, parseNote } from './note.ts';

// c2sp.org/tlog-policy: which logs are trusted, which witnesses, and the quorum of cosignatures a checkpoint needs.

/** PolicyLog is a trusted log: its key (named after its origin) and an optional URL. */
export interface PolicyLog {
  readonly verifier: ParsedVerifier;
  readonly url?: string;
}

/** PolicyWitness is a named witness: its cosignature key and an optional submission URL. */
export interface PolicyWitness {
  readonly name: string;
  readonly verifier: ParsedVerifier;
  readonly url?: string;
}

/** Quorum is the rule a set of cosigning witnesses must meet: none, one witness, or k of a group's members. */
export type Quorum =
  | { readonly kind: 'none' }
  | { readonly kind: 'witness'; readonly name: string }
  | { readonly kind: 'group'; readonly name: string; readonly k: number; readonly members: readonly Quorum[] };

/** Policy is a parsed policy file. */
export interface Policy {
  readonly logs: readonly PolicyLog[];
  readonly witnesses: readonly PolicyWitness[];
  readonly quorum: Quorum;
}

/** MAX_POLICY_ITEMS bounds the logs, witnesses and groups a policy may define (the spec asks for at least 32 each). */
export const MAX_POLICY_ITEMS = 256;

/**
 * parsePolicy parses a tlog-policy file: `log <vkey> [<url>]`, `witness <name> <vkey> [<url>]`,
 * `group <name> all|any|<k> <name>...` and exactly one `quorum <name>`, with comments and blank lines. Names are
 * defined before use and listed at most once per group; keys are never duplicated; log keys are Ed25519 note keys and
 * witness keys cosignature/v1 keys. Throws a LogError with code MalformedPolicy naming the line.
 */
export function parsePolicy(text: string): Policy {
  if (/[\u0000-\u0008\u000b-\u001f\u007f]/.test(text)) throw bad(0, 'only tab and newline may be control characters');
  const logs: PolicyLog[] = [];
  const witnesses: PolicyWitness[] = [];
  const names = new Map<string, Quorum>([['none', { kind: 'none' }]]);
  const keys = new Set<string>();
  let quorum: Quorum | undefined;
  const lines = text.split('\n');
  lines.forEach((raw, i) => {
    const line = i + 1;
    const words = raw.split(/[ \t]+/).filter((w) => w !== '');
    if (words.length === 0 || words[0]!.startsWith('#')) return;
    const [keyword, ...args] = words;
    const key = (vkey: string, type: number, what: string): ParsedVerifier => {
      let verifier: ParsedVerifier;
      try {
        verifier = parseVerifierKey(vkey);
      } catch (err) {
        if (isLogError(err)) throw bad(line, err.message);
        throw err;
      }
      if (verifier.type !== type) throw bad(line, `a ${what} key must be of type 0x0${type}`);
      const raw = verifier.publicKey.toString('hex');
      if (keys.has(raw)) throw bad(line, 'the same public key is listed twice');
      keys.add(raw);
      return verifier;
    };
    if (logs.length + witnesses.length + names.size > MAX_POLICY_ITEMS) throw bad(line, 'too many definitions');
    switch (keyword) {
      case 'log': {
        if (args.length < 1 || args.length > 2) throw bad(line, 'expected `log <vkey> [<url>]`');
        logs.push({ verifier: key(args[0]!, SIG_ED25519, 'log'), ...(args[1] ? { url: args[1] } : {}) });
        return;
      }
      case 'witness': {
        if (args.length < 2 || args.length > 3) throw bad(line, 'expected `witness <name> <vkey> [<url>]`');
        const name = args[0]!;
        if (names.has(name)) throw bad(line, `the name ${name} is already defined`);
        witnesses.push({
          name,
          verifier: key(args[1]!, SIG_COSIGNATURE_V1, 'witness'),
          ...(args[2] ? { url: args[2] } : {}),
        });
        names.set(name, { kind: 'witness', name });
        return;
      }
      case 'group': {
        if (args.length < 3) throw bad(line, 'expected `group <name> all|any|<k> <name>...`');
        const [name, threshold, ...memberNames] = args as [string, string, ...string[]];
        if (names.has(name)) throw bad(line, `the name ${name} is already defined`);
        if (new Set(memberNames).size !== memberNames.length) throw bad(line, 'a member is listed twice');
        const members = memberNames.map((m) => {
          const q = names.get(m);
          if (!q || m === 'none') throw bad(line, `${m} is not a witness or group defined above`);
          return q;
        });
        const k =
          threshold === 'all' ? members.length : threshold === 'any' ? 1 : (parseDecimal(threshold) ?? Number.NaN);
        if (!(k >= 1 && k <= members.length))
          throw bad(line, `the threshold must be all, any or 1 to ${members.length}`);
        names.set(name, { kind: 'group', name, k, members });
        return;
      }
      case 'quorum': {
        if (args.length !== 1) throw bad(line, 'expected `quorum <name>`');
        if (quorum) throw bad(line, 'a policy has exactly one quorum line');
        const q = names.get(args[0]!);
        if (!q) throw bad(line, `${args[0]} is not defined above`);
        quorum = q;
        return;
      }
      default:
        throw bad(line, `unknown keyword ${keyword}`);
    }
  });
  if (!quorum) throw bad(0, 'a policy needs a quorum line');
  return { logs, witnesses, quorum };
}

/** quorumMet reports whether the witnesses named in `cosigned` meet `quorum`. */
export function quorumMet(quorum: Quorum, cosigned: ReadonlySet<string>): boolean {
  switch (quorum.kind) {
    case 'none':
      return true;
    case 'witness':
      return cosigned.has(quorum.name);
    case 'group':
      return quorum.members.filter((m) => quorumMet(m, cosigned)).length >= quorum.k;
  }
}

/**
 * policyCosigners returns the names of the policy's witnesses whose cosignatures on the signed note verify, ignoring
 * signatures by keys the policy does not list. Throws a LogError InvalidSignature if a listed witness's cosignature
 * does not verify, or MalformedNote.
 */
export function policyCosigners(signedNote: string | Uint8Array, policy: Policy): string[] {
  const note = parseNote(signedNote);
  const message = Buffer.from(note.text, 'utf8');
  const names: string[] = [];
  for (const w of policy.witnesses) {
    const sig = note.sigs.find((s) => s.name === w.verifier.name && s.keyId === w.verifier.keyId);
    if (!sig) continue;
    if (!w.verifier.verify(message, sig.signature)) {
      throw new LogError('InvalidSignature', `the cosignature by ${w.name} does not verify`);
    }
    names.push(w.name);
  }
  return names;
}

/** PolicyVerdict is a checkpoint that meets a policy, and the witnesses whose cosignatures verified. */
export interface PolicyVerdict {
  readonly checkpoint: Checkpoint;
  readonly cosigners: readonly string[];
}

/**
 * verifyWithPolicy opens a signed checkpoint under a policy: a listed log whose key name is the origin must have
 * signed it, each listed witness's cosignature must verify if present (a bad one refuses the note), and the witnesses
 * that cosigned must meet the quorum. Throws a LogError: the note's codes, MalformedCheckpoint, or QuorumNotMet.
 */
export function verifyWithPolicy(signedNote: string | Uint8Array, policy: Policy): PolicyVerdict {
  const checkpoint = parseCheckpoint(parseNote(signedNote).text);
  const logs = policy.logs.filter((l) => l.verifier.name === checkpoint.origin).map((l) => l.verifier);
  if (logs.length === 0)
    throw new LogError('UnverifiedNote', `no log in the policy has the origin ${checkpoint.origin}`);
  const witnessBy = new Map<NoteVerifier, string>(policy.witnesses.map((w) => [w.verifier, w.name]));
  const opened = openNote(signedNote, [...logs, ...witnessBy.keys()]);
  const verified = (v: NoteVerifier) => opened.sigs.some((s) => s.name === v.name && s.keyId === v.keyId);
  if (!logs.some(verified)) throw new LogError('UnverifiedNote', 'no listed log key signed the checkpoint');
  const cosigners = [...witnessBy].filter(([v]) => verified(v)).map(([, name]) => name);
  if (!quorumMet(policy.quorum, new Set(cosigners))) {
    throw new LogError('QuorumNotMet', `cosigned by ${cosigners.join(', ') || 'no listed witness'}: quorum not met`);
  }
  return { checkpoint, cosigners };
}

function bad(line: number, reason: string): LogError {
  return new LogError('MalformedPolicy', line > 0 ? `line ${line}: ${reason}` : reason);
}
