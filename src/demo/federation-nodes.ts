import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import type { Deps } from '../app/deps.ts';
import { systemClock } from '../app/deps.ts';
import { loadNodeKey, loadWitnessKey } from '../app/write/node-key.ts';
import { startFederation } from '../app/federation/worker.ts';
import { startDeliverer } from '../app/recall/deliverer.ts';
import { startCheckpointer } from '../app/write/checkpointer.ts';
import { bootstrapAdmin, openNode } from '../app/write/node.ts';
import { buildApp } from '../http/app.ts';

/** NodeSpec is one node of the demo federation: a province (region) or the national node (region null). */
export interface NodeSpec {
  /** key names the node's data directory under the demo's, and its log origin (coldtrace.demo/<key>). */
  readonly key: string;
  readonly name: string;
  readonly region: string | null;
  readonly port: number;
}

/** RunningNode is a node serving on 127.0.0.1, with its background work started as `coldtrace serve` starts it. */
export interface RunningNode {
  readonly spec: NodeSpec;
  readonly url: string;
  readonly origin: string;
  readonly logVkey: string;
  readonly witnessVkey: string;
  /** adminToken is the bootstrap admin's token on a fresh node, or null when the node was there before. */
  readonly adminToken: string | null;
  readonly deps: Deps;
  /** stop stops taking connections, finishes what is in flight, signs the last entries and closes the database. */
  stop(): Promise<void>;
}

/** DemoTiming is how fast the demo's nodes work: quicker than `coldtrace serve`'s defaults, so the story moves. */
export interface DemoTiming {
  readonly pollMs: number;
  readonly tickMs: number;
  readonly checkpointMs: number;
}

export const DEMO_TIMING: DemoTiming = { pollMs: 1000, tickMs: 250, checkpointMs: 250 };

/** DEMO_ORIGIN_PREFIX starts every demo node's log origin; the node's key follows it. */
export const DEMO_ORIGIN_PREFIX = 'coldtrace.demo/';

/**
 * startNode opens (or, on a second start, reopens) a node under dataDir/<key> and serves it on 127.0.0.1:<port> with
 * the federation worker (hints on), the checkpointer and the alert deliverer, as `coldtrace serve` runs them.
 * Background errors go to report, prefixed with the node's key. With policyFile (c2sp.org/tlog-policy), a peer's
 * checkpoint is final, and its shipments may be received, only once the policy's witnesses cosigned it.
 */
export async function startNode(
  dataDir: string,
  spec: NodeSpec,
  timing: DemoTiming,
  report: (line: string) => void,
  policyFile?: string,
): Promise<RunningNode> {
  const deps = await openNode({
    dataDir: join(dataDir, spec.key),
    publicUrl: `http://127.0.0.1:${spec.port}`,
    origin: `${DEMO_ORIGIN_PREFIX}${spec.key}`,
    nodeName: spec.name,
    nodeRegion: spec.region,
    policyFile,
  });
  const say = (what: string) => (err: unknown) =>
    report(`[${spec.key}] ${what}: ${err instanceof Error ? err.message : String(err)}`);
  let federation: ReturnType<typeof startFederation> | undefined;
  let checkpointer: ReturnType<typeof startCheckpointer> | undefined;
  let deliverer: ReturnType<typeof startDeliverer> | undefined;
  let app: Awaited<ReturnType<typeof buildApp>> | undefined;
  try {
    const admin = await bootstrapAdmin(deps);
    federation = startFederation(deps, {
      pollMs: timing.pollMs,
      tickMs: timing.tickMs,
      hints: true,
      onError: say('federation pass failed; retrying on the next tick'),
    });
    app = await buildApp(deps, { federation, logger: false });
    checkpointer = startCheckpointer(
      deps.db,
      deps.log,
      deps.clock,
      timing.checkpointMs,
      say('checkpoint failed; retrying on the next tick'),
      () => federation?.kick(),
    );
    await checkpointer.flush();
    deliverer = startDeliverer(deps, { onError: say('webhook delivery pass failed; retrying on the next tick') });
    await app.listen({ port: spec.port, host: '127.0.0.1' });
    const running = app;
    const stops = { federation, checkpointer, deliverer };
    return {
      spec,
      url: `http://127.0.0.1:${spec.port}`,
      origin: deps.log.origin,
      logVkey: deps.log.signer.verifierKey,
      witnessVkey: deps.witness.verifierKey,
      adminToken: admin?.token ?? null,
      deps,
      stop: async () => {
        await running.close();
        await stops.deliverer.stop();
        await stops.federation.stop();
        await stops.checkpointer.stop();
        await deps.dialect.close();
      },
    };
  } catch (err) {
    // A node that did not start leaves nothing running: no timers, no open database.
    await app?.close().catch(() => {});
    await deliverer?.stop().catch(() => {});
    await federation?.stop().catch(() => {});
    await checkpointer?.stop().catch(() => {});
    await deps.dialect.close().catch(() => {});
    throw err;
  }
}

/** freePorts finds n distinct ports nobody listens on at 127.0.0.1, by binding port 0 and closing. */
export async function freePorts(n: number): Promise<number[]> {
  const servers = [];
  for (let i = 0; i < n; i++) {
    const srv = createServer();
    await new Promise<void>((resolve, reject) => {
      srv.once('error', reject);
      srv.listen(0, '127.0.0.1', resolve);
    });
    servers.push(srv);
  }
  // All held open at once, so the n ports differ; then closed for the nodes to take.
  const ports = servers.map((s) => (s.address() as { port: number }).port);
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}

/**
 * writePolicy makes each node's log and witness keys under dataDir/<key> (as the nodes will load them) and writes a
 * c2sp.org/tlog-policy file naming the four logs and witnesses, with a quorum of any two witnesses: a node treats a
 * peer's checkpoint as final once two nodes (itself, another province, or the national node) have cosigned it.
 */
export function writePolicy(dataDir: string, specs: readonly Pick<NodeSpec, 'key'>[]): string {
  const lines = ['# coldtrace demo federation: the four nodes, and any two of their witnesses make a checkpoint final'];
  const witnesses: string[] = [];
  for (const s of specs) {
    const dir = join(dataDir, s.key);
    const origin = `${DEMO_ORIGIN_PREFIX}${s.key}`;
    lines.push(`log ${loadNodeKey(dir, origin, { create: true }).verifierKey}`);
    witnesses.push(`witness ${s.key} ${loadWitnessKey(dir, origin, systemClock, { create: true }).verifierKey}`);
  }
  lines.push(...witnesses, `group federation 2 ${specs.map((s) => s.key).join(' ')}`, 'quorum federation', '');
  const path = join(dataDir, POLICY_FILE);
  writeFileSync(path, lines.join('\n'));
  return path;
}

/** POLICY_FILE is the demo's witness policy, under its directory. */
export const POLICY_FILE = 'policy.txt';
