import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DemoNode, NodeCast } from './federation-cast.ts';
import { castNode, peerAll } from './federation-cast.ts';
import type { NodeSpec, RunningNode } from './federation-nodes.ts';
import { DEMO_ORIGIN_PREFIX, DEMO_TIMING, POLICY_FILE, freePorts, startNode, writePolicy } from './federation-nodes.ts';
import type { StoryResult } from './federation-story.ts';
import { playStory } from './federation-story.ts';

// `coldtrace demo federation`: three provincial nodes and the national node on this machine, peered and witnessing
// each other, and the three-province story played through their APIs. federation.json tells scripts where they are.

/** NODES are the demo's nodes, in the order their ports are taken from --base-port. */
export const NODES: readonly Omit<NodeSpec, 'port'>[] = [
  { key: 'henan', name: '河南省节点 Henan node', region: '410000' },
  { key: 'hubei', name: '湖北省节点 Hubei node', region: '420000' },
  { key: 'zhejiang', name: '浙江省节点 Zhejiang node', region: '330000' },
  { key: 'national', name: '国家节点 National node', region: null },
];

/** FederationFileNode is one node in federation.json: where it is, its keys, and its parties' tokens and ids. */
export interface FederationFileNode {
  name: string;
  region: string | null;
  url: string;
  origin: string;
  logVkey: string;
  witnessVkey: string;
  /** tokens by role or name: admin, regulator, auditor (may read the log's tiles), and the node's businesses. */
  tokens: Record<string, string>;
  parties: Record<string, string>;
}

/** FederationFile is DIR/federation.json. */
export interface FederationFile {
  nodes: FederationFileNode[];
  /** story is what the story made and each province's outcome; a story that stopped part way has its error. */
  story: StoryResult | (Partial<StoryResult> & { error: string }) | null;
}

/** FEDERATION_FILE is the file under the demo's directory that says where the nodes are and how to call them. */
export const FEDERATION_FILE = 'federation.json';

/** FederationDemoOptions: the demo's directory, its ports, how long each step may wait, and where lines go. */
export interface FederationDemoOptions {
  dataDir: string;
  /** basePort gives the nodes basePort … basePort+3 (Henan, Hubei, Zhejiang, national); else free ports. */
  basePort?: number;
  /** timeoutMs bounds each wait on the federation (default 30 s). */
  timeoutMs?: number;
  /** say receives the story as it goes. */
  say?: (line: string) => void;
  /** report receives the nodes' background errors. */
  report?: (line: string) => void;
  /** signal stops the story at its next wait; the nodes keep running until stop. */
  signal?: AbortSignal;
}

/** FederationDemo is the running demo: its nodes, what federation.json says, the story's end (or its failure). */
export interface FederationDemo {
  nodes: RunningNode[];
  file: FederationFile;
  /** resumed is true when the nodes were there already (a second start on the same directory): no story is played. */
  resumed: boolean;
  storyError: Error | null;
  stop(): Promise<void>;
}

/**
 * startFederationDemo starts the four nodes under dataDir and, on a fresh directory, registers their parties, peers
 * them, writes federation.json and plays the story. On a directory that holds a finished demo (its federation.json)
 * it starts the same nodes again on the same ports, and plays nothing. A story that fails leaves the nodes running,
 * with the failure in storyError and in federation.json. A start that fails stops whatever it started.
 */
export async function startFederationDemo(o: FederationDemoOptions): Promise<FederationDemo> {
  const say = o.say ?? (() => {});
  let quiet = false;
  const report = (line: string) => {
    if (!quiet) (o.report ?? (() => {}))(line);
  };
  const path = join(o.dataDir, FEDERATION_FILE);
  const previous = existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as FederationFile) : null;
  if (!previous && existsSync(o.dataDir) && readdirSync(o.dataDir).length > 0)
    throw new Error(
      `${o.dataDir} is not empty and holds no ${FEDERATION_FILE}: give the federation demo a new or empty directory`,
    );
  mkdirSync(o.dataDir, { recursive: true });
  const ports = previous
    ? NODES.map((n) => {
        const had = previous.nodes.find((p) => p.origin === `${DEMO_ORIGIN_PREFIX}${n.key}`);
        if (!had) throw new Error(`${path} names no node ${n.key}; give the demo a new directory`);
        return Number(new URL(had.url).port);
      })
    : o.basePort !== undefined
      ? NODES.map((_, i) => o.basePort! + i)
      : await freePorts(NODES.length);

  const policy = previous ? join(o.dataDir, POLICY_FILE) : writePolicy(o.dataDir, NODES);
  const nodes: RunningNode[] = [];
  const stop = async () => {
    quiet = true;
    // Reverse order, each completely: the others' workers then find a peer gone, which they are quiet about.
    for (const n of [...nodes].reverse()) await n.stop();
    nodes.length = 0;
  };
  try {
    for (const [i, spec] of NODES.entries())
      nodes.push(
        await startNode(
          o.dataDir,
          { ...spec, port: ports[i]! },
          DEMO_TIMING,
          report,
          existsSync(policy) ? policy : undefined,
        ),
      );
  } catch (err) {
    await stop();
    throw err;
  }
  if (previous) return { nodes, file: previous, resumed: true, storyError: null, stop };

  let casts: Record<string, NodeCast>;
  let file: FederationFile;
  try {
    const serial = { n: 0 };
    casts = {};
    for (const n of nodes) casts[n.spec.key] = await castNode(demoNode(n), serial);
    await peerAll(Object.values(casts));
    file = { nodes: nodes.map((n) => fileNode(n, casts[n.spec.key]!)), story: null };
    writeFile(path, file);
  } catch (err) {
    await stop();
    throw err;
  }
  let storyError: Error | null = null;
  const progress: Partial<StoryResult> = {};
  try {
    file.story = await playStory(casts, { timeoutMs: o.timeoutMs ?? 30_000, say, signal: o.signal }, progress);
  } catch (err) {
    storyError = err instanceof Error ? err : new Error(String(err));
    file.story = { ...progress, error: storyError.message };
  }
  writeFile(path, file);
  return { nodes, file, resumed: false, storyError, stop };
}

function demoNode(n: RunningNode): DemoNode {
  if (!n.adminToken) throw new Error(`node ${n.spec.key} was not fresh: its admin token is unknown`);
  return {
    key: n.spec.key,
    name: n.spec.name,
    region: n.spec.region,
    url: n.url,
    origin: n.origin,
    logVkey: n.logVkey,
    witnessVkey: n.witnessVkey,
    adminToken: n.adminToken,
  };
}

function fileNode(n: RunningNode, c: NodeCast): FederationFileNode {
  const tokens: Record<string, string> = { admin: c.node.adminToken };
  const parties: Record<string, string> = {};
  for (const [key, m] of Object.entries(c.members)) {
    tokens[key] = m.token;
    parties[key] = m.id;
  }
  return {
    name: n.spec.name,
    region: n.spec.region,
    url: n.url,
    origin: n.origin,
    logVkey: n.logVkey,
    witnessVkey: n.witnessVkey,
    tokens,
    parties,
  };
}

/** writeFile writes federation.json whole or not at all, readable by its owner only: it holds tokens. */
function writeFile(path: string, file: FederationFile) {
  writeFileSync(`${path}.tmp`, `${JSON.stringify(file, null, 2)}\n`, { mode: 0o600 });
  renameSync(`${path}.tmp`, path);
}

/** summaryText is the story's outcome per province, in Chinese and English, as the CLI prints it. */
export function summaryText(file: FederationFile): string {
  const story = file.story;
  if (!story || 'error' in story) return '';
  const names: Record<string, string> = { henan: '河南 Henan', hubei: '湖北 Hubei', zhejiang: '浙江 Zhejiang' };
  const lines = [
    `结局：浙江的事件 #${story.incident.number} 已覆盖三省每个持有方 / Outcome: Zhejiang's incident #${story.incident.number} reached every holder in the three provinces`,
  ];
  for (const p of story.provinces) {
    const holdings = `${p.holdings} holding${p.holdings === 1 ? '' : 's'}`;
    lines.push(
      `  ${(names[p.key] ?? p.key).padEnd(12)} 冻结 ${p.holdings} 处持有，待处置 ${p.outstandingKg} 千克 / ${holdings} frozen, ${p.outstandingKg} kg outstanding (of ${p.affectedKg} kg)   ${p.incidentId}`,
    );
  }
  return `${lines.join('\n')}\n`;
}
