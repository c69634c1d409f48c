/**
 * Federation: every node mirrors, witnesses and cosigns its peers' logs (C2SP tlog-tiles, tlog-witness,
 * tlog-cosignature, tlog-policy), so that no province can show one history to one peer and another to the next.
 *
 * Invariants:
 * - The peer list is on the log (peer.added, peer.removed); a peer's read credential is kept beside the log, which
 *   holds its SHA-256.
 * - A peer's checkpoint is taken only with a valid signature by the log key its peer entry names, and only when it is
 *   consistent with every checkpoint of that peer this node verified before; a contradiction is kept as evidence and
 *   the peer is marked forked, for good.
 * - The witness cosigns a checkpoint only after persisting it, atomically with the size it checked against.
 * - Only a peer's log entries are trusted (verified against its checkpoints), never its projections.
 */
import { createHash } from 'node:crypto';
import type { Actor } from '../../domain/access.ts';
import { isRegulator, mayAttempt } from '../../domain/access.ts';
import { validateRegion } from '../../domain/regions.ts';
import { isLogError } from '../../log/log-error.ts';
import type { ParsedVerifier } from '../../log/note-key.ts';
import { parseVerifierKey, SIG_COSIGNATURE_V1, SIG_ED25519 } from '../../log/note-key.ts';
import type { MirrorRow, PeerRow } from '../../store/schema.ts';
import { forbid } from '../access/authorize.ts';
import type { Deps } from '../deps.ts';
import { AppError, invalid, notFound } from '../errors.ts';
import { commit } from '../write/commit.ts';
import { newId } from '../write/ids.ts';

/** PeerInput is what a regulator gives to add a peer. */
export interface PeerInput {
  name: string;
  baseUrl: string;
  logVkey: string;
  witnessVkey?: string | null;
  region?: string | null;
  /** credential is the bearer token this node reads the peer's tiles with (a regulator or auditor token there). */
  credential?: string | null;
}

/** Peer is a peer as the API shows it, with how mirroring it goes. */
export interface Peer {
  id: string;
  name: string;
  region: string | null;
  baseUrl: string;
  logOrigin: string;
  logVkey: string;
  witnessVkey: string | null;
  hasCredential: boolean;
  addedAt: string;
  removedAt: string | null;
  logIndex: number;
  mirror: MirrorState | null;
}

/** MirrorState is how following a peer's log goes. */
export interface MirrorState {
  /** state is following (up to date at the last check), lagging, unreachable, or forked. */
  state: string;
  since: string;
  verifiedSize: number;
  /** finalSize is the size of the latest verified checkpoint that meets the node's policy. */
  finalSize: number;
  peerSize: number | null;
  lagEntries: number | null;
  lastCheckedAt: string | null;
  lastError: string | null;
}

const iso = (ms: number) => new Date(ms).toISOString();

/** credentialCommitment is what the log holds of a peer credential: its SHA-256, hex. */
export function credentialCommitment(credential: string): string {
  return createHash('sha256').update(credential, 'utf8').digest('hex');
}

/** originHash is the SHA-256 of a log origin, lowercase hex: the path segment of mirrors and witnesses. */
export function originHash(origin: string): string {
  return createHash('sha256').update(origin, 'utf8').digest('hex');
}

/** mirrorState renders a mirror row for the API. */
export function mirrorState(m: MirrorRow): MirrorState {
  const peerSize = m.peerSize === null ? null : Number(m.peerSize);
  return {
    state: m.state,
    since: iso(Number(m.stateSince)),
    verifiedSize: Number(m.verifiedSize),
    finalSize: Number(m.finalSize),
    peerSize,
    lagEntries: peerSize === null ? null : Math.max(0, peerSize - Number(m.verifiedSize)),
    lastCheckedAt: m.lastCheckedAt === null ? null : iso(Number(m.lastCheckedAt)),
    lastError: m.lastError,
  };
}

const toPeer = (r: PeerRow, credential: boolean, m: MirrorRow | undefined): Peer => ({
  id: r.id,
  name: r.name,
  region: r.region,
  baseUrl: r.baseUrl,
  logOrigin: r.logOrigin,
  logVkey: r.logVkey,
  witnessVkey: r.witnessVkey,
  hasCredential: credential,
  addedAt: iso(Number(r.addedAt)),
  removedAt: r.removedAt === null ? null : iso(Number(r.removedAt)),
  logIndex: Number(r.logIndex),
  mirror: m ? mirrorState(m) : null,
});

/** mayManage lets a regulator, or the node's administrator at its command line (no actor), change the peers. */
function mayManage(actor: Actor | null): void {
  if (actor === null) return;
  if (!mayAttempt(actor, 'federation.manage') || !isRegulator(actor)) throw forbid('federation.manage');
}

function key(field: string, vkey: string, type: number): ParsedVerifier {
  let v: ParsedVerifier;
  try {
    v = parseVerifierKey(vkey);
  } catch (err) {
    if (isLogError(err)) throw invalid(field, err.message);
    throw err;
  }
  if (v.type !== type) {
    throw invalid(
      field,
      type === SIG_ED25519 ? 'must be an Ed25519 log key (type 0x01)' : 'must be a cosignature/v1 key (type 0x04)',
    );
  }
  return v;
}

/** checkPeerInput validates a peer: a name, an http(s) base URL, the log's vkey (named after its origin), keys. */
export function checkPeerInput(input: PeerInput) {
  const name = input.name.trim();
  if (name === '' || name.length > 200) throw invalid('name', 'must be 1 to 200 characters');
  let url: URL;
  try {
    url = new URL(input.baseUrl);
  } catch {
    throw invalid('baseUrl', 'must be an absolute http or https URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw invalid('baseUrl', 'must be http or https');
  if (url.search || url.hash || url.username || url.password) {
    throw invalid('baseUrl', 'must have no query, fragment or credentials');
  }
  const log = key('logVkey', input.logVkey, SIG_ED25519);
  const witness = input.witnessVkey ? key('witnessVkey', input.witnessVkey, SIG_COSIGNATURE_V1) : null;
  let region: string | null = null;
  if (input.region) {
    const r = validateRegion(input.region);
    if (!r.ok) throw invalid('region', r.reason);
    region = r.value;
  }
  const credential = input.credential ?? null;
  if (credential !== null && (credential.length < 1 || credential.length > 500 || /\s/.test(credential))) {
    throw invalid('credential', 'must be a token of 1 to 500 characters with no spaces');
  }
  return {
    name,
    baseUrl: url.toString().replace(/\/+$/, ''),
    logOrigin: log.name,
    logVkey: input.logVkey,
    witnessVkey: witness ? input.witnessVkey! : null,
    region,
    credential,
  };
}

/**
 * addPeer adds a peer to the node's federation, as a log entry; its credential is kept outside the log. A log origin
 * is a peer at most once among the peers in force, and never this node's own origin.
 */
export async function addPeer(deps: Deps, actor: Actor | null, input: PeerInput): Promise<Peer> {
  mayManage(actor);
  const p = checkPeerInput(input);
  if (p.logOrigin === deps.log.origin) throw invalid('logVkey', 'is this node’s own log key');
  return commit(deps, undefined, async (w) => {
    const clash = await w.trx
      .selectFrom('peers')
      .select('id')
      .where('logOrigin', '=', p.logOrigin)
      .where('removedAt', 'is', null)
      .executeTakeFirst();
    if (clash)
      throw new AppError('Conflict', {
        field: 'logVkey',
        reason: `the origin ${p.logOrigin} is already the peer ${clash.id}`,
      });
    const record = {
      id: newId('per'),
      name: p.name,
      region: p.region,
      baseUrl: p.baseUrl,
      logOrigin: p.logOrigin,
      logVkey: p.logVkey,
      witnessVkey: p.witnessVkey,
      credentialSha256: p.credential === null ? null : credentialCommitment(p.credential),
      addedBy: actor?.partyId ?? 'node',
      addedAt: w.now,
      removedAt: null,
    };
    const logIndex = await w.append('peer.added', actor?.partyId ?? null, record);
    if (p.credential !== null) {
      await w.trx.insertInto('peerCredentials').values({ peerId: record.id, credential: p.credential }).execute();
    }
    return toPeer({ ...record, logIndex }, p.credential !== null, undefined);
  });
}

/** removePeer takes a peer out of the federation, as a log entry; its mirror is kept, and no longer followed. */
export async function removePeer(deps: Deps, actor: Actor | null, id: string): Promise<Peer> {
  mayManage(actor);
  return commit(deps, undefined, async (w) => {
    const row = await w.trx.selectFrom('peers').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw notFound('PeerNotFound', 'id', id);
    if (row.removedAt !== null) throw new AppError('Conflict', { field: 'id', reason: 'the peer was already removed' });
    const { logIndex: _old, ...rest } = row;
    const record = { ...rest, addedAt: Number(rest.addedAt), removedAt: w.now };
    const logIndex = await w.append('peer.removed', actor?.partyId ?? null, record);
    await w.trx.deleteFrom('peerCredentials').where('peerId', '=', id).execute();
    return toPeer({ ...record, logIndex }, false, undefined);
  });
}

/** listPeers lists the peers (in force, or all with removed), with their mirror state. */
export async function listPeers(deps: Deps, actor: Actor | null, opts: { removed?: boolean } = {}): Promise<Peer[]> {
  if (actor && !mayAttempt(actor, 'federation.read')) throw forbid('federation.read');
  let q = deps.db.selectFrom('peers').selectAll().orderBy('id');
  if (!opts.removed) q = q.where('removedAt', 'is', null);
  const rows = await q.execute();
  const creds = new Set((await deps.db.selectFrom('peerCredentials').select('peerId').execute()).map((c) => c.peerId));
  const mirrors = new Map((await deps.db.selectFrom('mirrors').selectAll().execute()).map((m) => [m.peerId, m]));
  return rows.map((r) => toPeer(r, creds.has(r.id), mirrors.get(r.id)));
}

/** getPeer returns one peer with its mirror state and the evidence of any fork. */
export async function getPeer(deps: Deps, actor: Actor, id: string) {
  if (!mayAttempt(actor, 'federation.read')) throw forbid('federation.read');
  const row = await deps.db.selectFrom('peers').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound('PeerNotFound', 'id', id);
  const cred = await deps.db.selectFrom('peerCredentials').select('peerId').where('peerId', '=', id).executeTakeFirst();
  const mirror = await deps.db.selectFrom('mirrors').selectAll().where('peerId', '=', id).executeTakeFirst();
  const evidence = await deps.db
    .selectFrom('federationEvidence')
    .selectAll()
    .where('origin', '=', row.logOrigin)
    .orderBy('id')
    .execute();
  return {
    ...toPeer(row, cred !== undefined, mirror),
    evidence: evidence.map((e) => ({
      id: e.id,
      kind: e.kind,
      reason: e.reason,
      earlierNote: e.earlierNote,
      laterNote: e.laterNote,
      recordedAt: iso(Number(e.recordedAt)),
    })),
  };
}

/** activePeers are the peers in force with their credentials, for the node's own background work. */
export async function activePeers(deps: Deps): Promise<(PeerRow & { credential: string | null })[]> {
  const rows = await deps.db
    .selectFrom('peers')
    .leftJoin('peerCredentials', 'peerCredentials.peerId', 'peers.id')
    .selectAll('peers')
    .select('peerCredentials.credential')
    .where('peers.removedAt', 'is', null)
    .orderBy('peers.id')
    .execute();
  return rows;
}
