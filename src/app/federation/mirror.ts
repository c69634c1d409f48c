import type { Checkpoint } from '../../log/checkpoint.ts';
import { openCheckpoint } from '../../log/checkpoint.ts';
import { HASH_SIZE, bytesEqual, emptyRoot, leafHash } from '../../log/hash.ts';
import { parseVerifierKey } from '../../log/note-key.ts';
import { policyCosigners, quorumMet } from '../../log/policy.ts';
import type { ReadTile, Tile } from '../../log/tile-builder.ts';
import { appendEntryBundles, appendTiles, readPartialTiles, treeRootFromTiles } from '../../log/tile-builder.ts';
import { MAX_ENTRY_SIZE, TILE_WIDTH, decodeEntryBundle, entriesPath, tilePath } from '../../log/tiles.ts';
import type { MirrorRow, PeerRow, Schema } from '../../store/schema.ts';
import type { Kysely } from 'kysely';
import type { Deps } from '../deps.ts';
import type { AlertInput } from '../recall/alerts.ts';
import { announceAlerts, alertRefs, appendWithAlerts } from '../recall/alerts.ts';
import { commit } from '../write/commit.ts';
import { keepEvidence } from './witness.ts';
import { originHash } from './peers.ts';

/** MAX_CHECKPOINT_BYTES bounds a peer's checkpoint note (100 signatures of a few hundred bytes). */
const MAX_CHECKPOINT_BYTES = 64 * 1024;
/** MAX_BUNDLE_BYTES bounds an entry bundle: 256 entries of at most 65,535 bytes with their length prefixes. */
const MAX_BUNDLE_BYTES = TILE_WIDTH * (MAX_ENTRY_SIZE + 2);
/** MAX_ENTRIES_PER_STEP bounds the entries one step fetches before it verifies and stores them. */
export const MAX_ENTRIES_PER_STEP = 64 * TILE_WIDTH;
const FETCH_TIMEOUT_MS = 10_000;

/** Fetcher is fetch, injectable so a test can point a node at a misbehaving peer on loopback. */
export type Fetcher = typeof fetch;

/** PeerWithCredential is a peer in force and the token its tiles are read with. */
export type PeerWithCredential = PeerRow & { credential: string | null };

/** StepResult says what one mirroring step did. */
export interface StepResult {
  readonly state: 'following' | 'lagging' | 'unreachable' | 'forked';
  readonly size: number;
  readonly peerSize: number | null;
  /** more is true when the peer is further ahead than one step fetched. */
  readonly more: boolean;
  readonly error?: string;
}

class PeerProblem extends Error {}

async function getBytes(fetcher: Fetcher, url: string, credential: string | null, max: number): Promise<Buffer> {
  let res: Response;
  try {
    res = await fetcher(url, {
      headers: credential ? { authorization: `Bearer ${credential}` } : {},
      redirect: 'error',
      signal: AbortSignal.timeout(FETCH_TIMEOUT_MS),
    });
  } catch (err) {
    throw new PeerProblem(`GET ${url}: ${(err as Error).message}`);
  }
  if (!res.ok) throw new PeerProblem(`GET ${url}: HTTP ${res.status}`);
  const declared = Number(res.headers.get('content-length') ?? '0');
  if (declared > max) throw new PeerProblem(`GET ${url}: ${declared} bytes, more than ${max}`);
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of res.body as AsyncIterable<Uint8Array>) {
    total += chunk.length;
    if (total > max) throw new PeerProblem(`GET ${url}: more than ${max} bytes`);
    chunks.push(Buffer.from(chunk));
  }
  return Buffer.concat(chunks);
}

/** mirrorTileReader reads this node's stored copy of a peer's hash tiles, cut to the width asked for. */
function mirrorTileReader(db: Kysely<Schema>, origin: string): ReadTile {
  return async (level, index, width) => {
    const row = await db
      .selectFrom('mirrorTiles')
      .select(['width', 'data'])
      .where('origin', '=', origin)
      .where('level', '=', level)
      .where('idx', '=', index)
      .executeTakeFirst();
    if (!row || row.width < width) throw new Error(`mirror tile ${level}/${index} of width ${width} is not stored`);
    return Buffer.from(row.data).subarray(0, width * HASH_SIZE);
  };
}

/**
 * followPeer takes one step of mirroring a peer: it fetches the peer's checkpoint and checks its signature against
 * the peer's log key, fetches the entry bundles from the mirror's verified size (at most MAX_ENTRIES_PER_STEP
 * entries, up to the checkpoint, or to a tile boundary when the checkpoint is further), appends their leaf hashes to
 * the verified tiles and checks the result: the root against the checkpoint's, and every changed tile against the
 * peer's own. Only then are the tiles, the bundles and the new size stored, in one transaction. A checkpoint smaller
 * than, or of the same size with another root than, the verified one, and entries that do not hash to the signed
 * root on top of the verified tree, are a fork: both signed notes are kept as evidence, the peer is marked forked for
 * good, and the node's regulators are alerted. A peer that cannot be reached or sends malformed data is retried.
 */
export async function followPeer(deps: Deps, peer: PeerWithCredential, fetcher: Fetcher = fetch): Promise<StepResult> {
  const origin = peer.logOrigin;
  const now = deps.clock.now();
  let m = await deps.db.selectFrom('mirrors').selectAll().where('origin', '=', origin).executeTakeFirst();
  if (!m) {
    const row: MirrorRow = {
      origin,
      originHash: originHash(origin),
      peerId: peer.id,
      size: 0,
      verifiedSize: 0,
      root: null,
      note: null,
      finalSize: 0,
      finalNote: null,
      state: 'following',
      stateSince: now,
      peerSize: null,
      lastCheckedAt: null,
      lastError: null,
      failures: 0,
      nextAttemptAt: 0,
    };
    await deps.db
      .insertInto('mirrors')
      .values(row)
      .onConflict((oc) => oc.column('origin').doNothing())
      .execute();
    m = (await deps.db.selectFrom('mirrors').selectAll().where('origin', '=', origin).executeTakeFirst())!;
  }
  const verified = Number(m.verifiedSize);
  let size = Number(m.size);
  if (m.state === 'forked')
    return { state: 'forked', size, peerSize: m.peerSize === null ? null : Number(m.peerSize), more: false };
  const base = peer.baseUrl;
  const verifier = parseVerifierKey(peer.logVkey);
  let note: string;
  let cp: Checkpoint;
  try {
    note = (await getBytes(fetcher, `${base}/log/checkpoint`, null, MAX_CHECKPOINT_BYTES)).toString('utf8');
    try {
      cp = openCheckpoint(note, origin, [verifier]).checkpoint;
    } catch (err) {
      throw new PeerProblem(`checkpoint refused: ${(err as Error).message}`);
    }
  } catch (err) {
    return unreachable(deps, m, err);
  }
  // The peer's log as this node verified it, at its size and root (the empty tree before the first step).
  const verifiedRoot = m.root ? Buffer.from(m.root) : emptyRoot();
  if (cp.size < verified || (cp.size === verified && !bytesEqual(cp.root, verifiedRoot))) {
    const reason =
      cp.size < verified
        ? `the peer signed size ${cp.size}, below the size ${verified} it signed before`
        : `the peer signed another root for size ${verified}`;
    return forked(deps, peer, m, reason, note);
  }
  // The same checkpoint again, perhaps with more cosignatures now: keep the fuller note, and see if it is final.
  if (cp.size === verified) return settle(deps, m, { state: 'following', size: verified, peerSize: cp.size, note });
  // Entries fetched while catching up to a checkpoint the peer no longer reaches are dropped, not trusted.
  if (cp.size < size) size = verified;

  const target =
    cp.size - size <= MAX_ENTRIES_PER_STEP
      ? cp.size
      : Math.floor((size + MAX_ENTRIES_PER_STEP) / TILE_WIDTH) * TILE_WIDTH;
  const stored = mirrorTileReader(deps.db, origin);
  let leaves: Buffer[];
  let bundles: { index: number; width: number; data: Buffer }[];
  try {
    const partialBundle =
      size % TILE_WIDTH === 0 ? undefined : await readBundle(deps, origin, Math.floor(size / TILE_WIDTH));
    const fresh: Buffer[] = [];
    for (let n = Math.floor(size / TILE_WIDTH); n * TILE_WIDTH < target; n++) {
      const width = Math.min(TILE_WIDTH, target - n * TILE_WIDTH);
      const bytes = await getBytes(fetcher, `${base}/log/${entriesPath(n, width)}`, peer.credential, MAX_BUNDLE_BYTES);
      let entries: Buffer[];
      try {
        entries = decodeEntryBundle(bytes, width);
      } catch (err) {
        throw new PeerProblem(`entry bundle ${entriesPath(n, width)} is malformed: ${(err as Error).message}`);
      }
      const skip = Math.max(0, size - n * TILE_WIDTH);
      if (partialBundle && skip > 0) {
        // The entries this node already holds must come back unchanged.
        const held = decodeEntryBundle(partialBundle, skip);
        if (!held.every((e, i) => bytesEqual(e, entries[i]!))) {
          return forked(deps, peer, m, `entry bundle ${entriesPath(n, width)} changed entries already mirrored`, note);
        }
      }
      fresh.push(...entries.slice(skip));
    }
    leaves = fresh.map((e) => leafHash(e));
    bundles = appendEntryBundles(size, partialBundle, fresh).map((b) => ({
      index: b.index,
      width: b.width,
      data: b.data,
    }));
  } catch (err) {
    if (err instanceof PeerProblem) return unreachable(deps, m, err);
    throw err;
  }
  const tiles: Tile[] = appendTiles(size, await readPartialTiles(size, stored), leaves);
  const fresh = new Map(tiles.map((t) => [`${t.level}/${t.index}`, t]));
  const read: ReadTile = async (level, index, width) => {
    const t = fresh.get(`${level}/${index}`);
    return t && t.width >= width ? t.data.subarray(0, width * HASH_SIZE) : stored(level, index, width);
  };
  const root = await treeRootFromTiles(target, read);
  if (target === cp.size && !bytesEqual(root, cp.root)) {
    return forked(
      deps,
      peer,
      m,
      `the entries from ${size} to ${cp.size} do not hash to the signed root on top of the verified tree`,
      note,
    );
  }
  try {
    for (const t of tiles) {
      const theirs = await getBytes(
        fetcher,
        `${base}/log/${tilePath(t.level, t.index, t.width)}`,
        peer.credential,
        TILE_WIDTH * HASH_SIZE,
      );
      if (!bytesEqual(theirs, t.data)) {
        if (target === cp.size) {
          return forked(
            deps,
            peer,
            m,
            `tile ${tilePath(t.level, t.index, t.width)} does not hash to the checkpoint`,
            note,
          );
        }
        throw new PeerProblem(`tile ${tilePath(t.level, t.index, t.width)} does not match its entries`);
      }
    }
  } catch (err) {
    if (err instanceof PeerProblem) return unreachable(deps, m, err);
    throw err;
  }
  // At this point every byte is verified: store tiles, bundles and the new size together. If we crash before the
  // commit, nothing changed and the next step starts again from the old verified size.
  await deps.db.transaction().execute(async (trx) => {
    for (const t of tiles) await putTile(trx, origin, t.level, t.index, t.width, t.data);
    for (const b of bundles) await putTile(trx, origin, -1, b.index, b.width, b.data);
    const done = target === cp.size;
    const final = done ? finality(deps, note, cp.size) : null;
    await trx
      .updateTable('mirrors')
      .set({
        ...(final ?? {}),
        size: target,
        verifiedSize: done ? cp.size : verified,
        root: done ? cp.root : m!.root,
        note: done ? note : m!.note,
        state: done ? 'following' : 'lagging',
        stateSince: m!.state === (done ? 'following' : 'lagging') ? m!.stateSince : now,
        peerSize: cp.size,
        lastCheckedAt: now,
        lastError: null,
        failures: 0,
        nextAttemptAt: 0,
      })
      .where('origin', '=', origin)
      .execute();
  });
  return {
    state: target === cp.size ? 'following' : 'lagging',
    size: target,
    peerSize: cp.size,
    more: target < cp.size,
  };
}

async function putTile(trx: Kysely<Schema>, origin: string, level: number, idx: number, width: number, data: Buffer) {
  await trx
    .insertInto('mirrorTiles')
    .values({ origin, level, idx, width, data })
    .onConflict((oc) => oc.columns(['origin', 'level', 'idx']).doUpdateSet({ width, data }))
    .execute();
}

async function readBundle(deps: Deps, origin: string, index: number): Promise<Buffer | undefined> {
  const row = await deps.db
    .selectFrom('mirrorTiles')
    .select('data')
    .where('origin', '=', origin)
    .where('level', '=', -1)
    .where('idx', '=', index)
    .executeTakeFirst();
  return row ? Buffer.from(row.data) : undefined;
}

async function settle(
  deps: Deps,
  m: MirrorRow,
  s: { state: 'following'; size: number; peerSize: number; note: string },
): Promise<StepResult> {
  const now = deps.clock.now();
  const fuller = s.note !== m.note && s.note.length > (m.note?.length ?? 0);
  const final = fuller || Number(m.finalSize) < s.size ? finality(deps, s.note, s.size) : null;
  await deps.db
    .updateTable('mirrors')
    .set({
      ...(fuller ? { note: s.note } : {}),
      ...(final && Number(final.finalSize) >= Number(m.finalSize) ? final : {}),
      state: s.state,
      stateSince: m.state === s.state ? m.stateSince : now,
      peerSize: s.peerSize,
      lastCheckedAt: now,
      lastError: null,
      failures: 0,
      nextAttemptAt: 0,
    })
    .where('origin', '=', m.origin)
    .execute();
  return { state: s.state, size: s.size, peerSize: s.peerSize, more: false };
}

/**
 * finality tells whether a verified checkpoint meets the node's policy (c2sp.org/tlog-policy): then it is final, and
 * facts in it may be relied on. Without a policy every verified checkpoint is final. A cosignature by a listed witness
 * that does not verify makes the checkpoint not final (and is not trusted).
 */
function finality(deps: Deps, note: string, size: number): { finalSize: number; finalNote: string } | null {
  const policy = deps.config.federationPolicy;
  if (!policy) return { finalSize: size, finalNote: note };
  try {
    return quorumMet(policy.quorum, new Set(policyCosigners(note, policy)))
      ? { finalSize: size, finalNote: note }
      : null;
  } catch {
    return null;
  }
}

/** BACKOFF_MS is the wait after the n-th failure in a row: from 2 s, doubling, to at most 5 minutes. */
export function backoffMs(failures: number): number {
  return Math.min(300_000, 2_000 * 2 ** Math.max(0, failures - 1));
}

async function unreachable(deps: Deps, m: MirrorRow, err: unknown): Promise<StepResult> {
  if (!(err instanceof PeerProblem)) throw err;
  const now = deps.clock.now();
  const failures = m.failures + 1;
  await deps.db
    .updateTable('mirrors')
    .set({
      state: 'unreachable',
      stateSince: m.state === 'unreachable' ? m.stateSince : now,
      lastCheckedAt: now,
      lastError: err.message.slice(0, 500),
      failures,
      nextAttemptAt: now + backoffMs(failures),
    })
    .where('origin', '=', m.origin)
    .execute();
  return {
    state: 'unreachable',
    size: Number(m.size),
    peerSize: m.peerSize === null ? null : Number(m.peerSize),
    more: false,
    error: err.message,
  };
}

/**
 * forked records a fork: the evidence (the last verified signed note and the contradicting one), the mirror marked
 * forked, and a 'peer.forked' entry on this node's log that alerts its regulators.
 */
async function forked(
  deps: Deps,
  peer: PeerWithCredential,
  m: MirrorRow,
  reason: string,
  laterNote: string,
): Promise<StepResult> {
  const now = deps.clock.now();
  await keepEvidence(deps, peer.logOrigin, 'fork', reason, m.note, laterNote, peer.id);
  await deps.db
    .updateTable('mirrors')
    .set({ state: 'forked', stateSince: now, lastCheckedAt: now, lastError: reason })
    .where('origin', '=', m.origin)
    .execute();
  const regulators = await deps.db
    .selectFrom('parties')
    .select(['id', 'roles', 'region', 'level'])
    .where('roles', 'like', '%regulator%')
    .execute();
  const addressees = regulators.filter(
    (r) => r.level === 'national' || deps.config.nodeRegion == null || r.region === deps.config.nodeRegion,
  );
  const inputs: AlertInput[] = addressees.map((r) => ({
    partyId: r.id,
    kind: 'federation.fork',
    severity: 'critical',
    title: { zh: `对等节点 ${peer.name} 的日志出现分叉`, en: `The log of peer ${peer.name} forked` },
    body: { peerId: peer.id, origin: peer.logOrigin, reason },
  }));
  const r = await commit(deps, undefined, async (w) => {
    const { alerts } = await appendWithAlerts(
      w,
      'peer.forked',
      null,
      { fork: { peerId: peer.id, origin: peer.logOrigin, reason, earlierNote: m.note, laterNote, detectedAt: now } },
      inputs,
    );
    return alertRefs(alerts);
  });
  announceAlerts(deps.events, r);
  return { state: 'forked', size: Number(m.size), peerSize: null, more: false, error: reason };
}

/** mirrorCheckpoint serves /mirror/<hash>/checkpoint: the peer's last verified checkpoint as it signed it. */
export async function mirrorCheckpoint(deps: Deps, hash: string): Promise<string | null> {
  const m = await deps.db.selectFrom('mirrors').select(['note']).where('originHash', '=', hash).executeTakeFirst();
  return m?.note ?? null;
}

/**
 * mirrorTile serves /mirror/<hash>/tile/…: a hash tile (level ≥ 0) or entry bundle (level -1) of a mirrored log, as
 * the peer served it, at a width covered by the verified checkpoint; null if there is none.
 */
export async function mirrorTile(
  deps: Deps,
  hash: string,
  level: number,
  index: number,
  width: number,
): Promise<Buffer | null> {
  const m = await deps.db
    .selectFrom('mirrors')
    .select(['origin', 'verifiedSize', 'note'])
    .where('originHash', '=', hash)
    .executeTakeFirst();
  if (!m || m.note === null) return null;
  // Only what the verified checkpoint covers is served: a tile's last hash must sit inside that tree.
  const verified = Number(m.verifiedSize);
  if (level >= 0 && (index * TILE_WIDTH + width) * TILE_WIDTH ** level > verified) return null;
  const row = await deps.db
    .selectFrom('mirrorTiles')
    .select(['width', 'data'])
    .where('origin', '=', m.origin)
    .where('level', '=', level)
    .where('idx', '=', index)
    .executeTakeFirst();
  if (!row || row.width < width) return null;
  if (level >= 0) return Buffer.from(row.data).subarray(0, width * HASH_SIZE);
  if (index * TILE_WIDTH + width > verified) return null;
  return row.width === width ? Buffer.from(row.data) : encodePrefix(Buffer.from(row.data), width);
}

function encodePrefix(bundle: Buffer, width: number): Buffer {
  let at = 0;
  for (let i = 0; i < width; i++) at += 2 + bundle.readUInt16BE(at);
  return bundle.subarray(0, at);
}
