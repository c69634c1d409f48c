import { openCheckpoint } from '../../log/checkpoint.ts';
import { parseNote } from '../../log/note.ts';
import { parseVerifierKey } from '../../log/note-key.ts';
import { latestCheckpoint } from '../../store/log-store.ts';
import type { Deps } from '../deps.ts';
import { requestCosignatures } from './cosign.ts';
import type { Fetcher, PeerWithCredential } from './mirror.ts';
import { followPeer } from './mirror.ts';
import { activePeers } from './peers.ts';
import { recognisePeer } from '../recognition/recognition.ts';

/** FederationWorker follows the peers' logs and gathers cosignatures for this node's own, in the background. */
export interface FederationWorker {
  /** runOnce mirrors every due peer (each as far as it goes) and asks the peers' witnesses to cosign. */
  runOnce(): Promise<void>;
  /** kick runs a pass soon, e.g. when a peer hints at a new checkpoint. */
  kick(peerOrigin?: string): void;
  stop(): Promise<void>;
}

/** FederationOptions tune the worker: how often peers are polled and this node's checkpoint looked at. */
export interface FederationOptions {
  pollMs?: number;
  tickMs?: number;
  fetcher?: Fetcher;
  onError?: (err: unknown) => void;
  /** hints, on by default, tells the peers at once when this node signs a new checkpoint. */
  hints?: boolean;
}

const MAX_STEPS_PER_PASS = 200;

/**
 * startFederation starts the worker: every tickMs it looks at this node's latest checkpoint and, when it grew, asks
 * the peers' witnesses to cosign it and sends each peer a hint; every pollMs (or on a hint) it follows every peer
 * whose back-off has passed. Peers are followed in parallel, each with its own timeouts, so that one slow or bad peer
 * never holds up the others. Passes never overlap.
 */
export function startFederation(deps: Deps, opts: FederationOptions = {}): FederationWorker {
  const fetcher = opts.fetcher ?? fetch;
  const onError = opts.onError ?? (() => {});
  const pollMs = opts.pollMs ?? 10_000;
  let lastSize = -1;
  let lastPoll = 0;
  let stopped = false;
  let running: Promise<void> = Promise.resolve();
  const urgent = new Set<string>();

  // Follow a peer as far as it goes, then recognise what its new entries say (app/recognition).
  const follow = async (peer: PeerWithCredential) => {
    for (let step = 0; step < MAX_STEPS_PER_PASS; step++) {
      const r = await followPeer(deps, peer, fetcher);
      if (!r.more) break;
    }
    for (let step = 0; step < MAX_STEPS_PER_PASS; step++) {
      const r = await recognisePeer(deps, peer.logOrigin);
      if (!r.more) break;
    }
  };

  const pass = async (all: boolean) => {
    const peers = await activePeers(deps);
    const now = deps.clock.now();
    const due = await deps.db.selectFrom('mirrors').select(['peerId', 'nextAttemptAt']).execute();
    const waitUntil = new Map(due.map((d) => [d.peerId, Number(d.nextAttemptAt)]));
    const chosen = peers.filter((p) => urgent.has(p.logOrigin) || (all && (waitUntil.get(p.id) ?? 0) <= now));
    urgent.clear();
    const results = await Promise.allSettled(chosen.map(follow));
    for (const r of results) if (r.status === 'rejected') onError(r.reason);
    const cp = await latestCheckpoint(deps.db);
    if (cp && Number(cp.size) !== lastSize) {
      const grew = lastSize >= 0;
      lastSize = Number(cp.size);
      // Hints first: they are one small request each, and the peers then fetch while the witnesses cosign.
      if (grew && opts.hints !== false) await Promise.allSettled(peers.map((p) => hint(p, cp.note)));
      await requestCosignatures(deps, peers, fetcher);
    } else {
      // Witnesses that were down get the same checkpoint again on the poll.
      if (all) await requestCosignatures(deps, peers, fetcher);
    }
  };

  const hint = async (peer: PeerWithCredential, note: string) => {
    await fetcher(`${peer.baseUrl}/federation/hint`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain; charset=utf-8' },
      body: note,
      redirect: 'error',
      signal: AbortSignal.timeout(5_000),
    }).then((r) => r.body?.cancel());
  };

  const run = (all: boolean) => {
    running = running
      .catch(() => {})
      .then(() => (stopped ? undefined : pass(all)))
      .catch(onError);
    return running;
  };

  const timer = setInterval(() => {
    const now = Date.now();
    const all = now - lastPoll >= pollMs;
    if (all) lastPoll = now;
    void run(all);
  }, opts.tickMs ?? 1_000);
  timer.unref();

  return {
    runOnce: () => run(true),
    kick(origin) {
      if (origin) urgent.add(origin);
      void run(false);
    },
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running.catch(() => {});
    },
  };
}

/**
 * acceptHint checks a hint from a peer: a checkpoint note signed by the log key of a peer in force. It returns the
 * peer's origin to follow at once, or null for anything else (a hint never changes state by itself).
 */
export async function acceptHint(deps: Deps, note: string): Promise<string | null> {
  let origin: string;
  try {
    origin = parseNote(note).text.split('\n', 1)[0]!;
  } catch {
    return null;
  }
  const peer = (await activePeers(deps)).find((p) => p.logOrigin === origin);
  if (!peer) return null;
  try {
    openCheckpoint(note, origin, [parseVerifierKey(peer.logVkey)]);
  } catch {
    return null;
  }
  return origin;
}
