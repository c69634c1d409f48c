import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STORY } from '../src/demo/federation-story.ts';
import { BIN, childEnv } from './support/processes.ts';

// `coldtrace demo federation` as an operator runs it: a child process with four nodes on loopback, driven here only
// through federation.json and the nodes' HTTP APIs. The demo runs on the embedded default, SQLite, whatever the
// environment says, so this suite has no PostgreSQL half.

type FileNode = {
  name: string;
  region: string | null;
  url: string;
  origin: string;
  logVkey: string;
  witnessVkey: string;
  tokens: Record<string, string>;
  parties: Record<string, string>;
};
type FederationFile = {
  nodes: FileNode[];
  story: {
    error?: string;
    lots?: { import: { id: string; code: string }; repacked: { id: string; code: string } };
    incident?: { id: string };
  };
};

const get = async (n: FileNode, path: string, token: string) => {
  const res = await fetch(`${n.url}${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  const text = await res.text();
  let body: any = text;
  try {
    body = JSON.parse(text);
  } catch {
    // a tile or a note
  }
  return { status: res.status, body };
};

const portOpen = (url: string) =>
  new Promise<boolean>((resolve) => {
    const u = new URL(url);
    const s = connect(Number(u.port), u.hostname);
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });

describe('coldtrace demo federation', () => {
  const dir = mkdtempSync(join(tmpdir(), 'coldtrace-demo-federation-'));
  let child: ChildProcess;
  let stdout = '';
  let stderr = '';
  let exited: Promise<number | null>;
  let file: FederationFile;
  let ha: FileNode, hb: FileNode, zj: FileNode, nat: FileNode;

  beforeAll(async () => {
    child = spawn(process.execPath, [BIN, 'demo', 'federation', '--data', dir, '--wait', '15'], {
      env: childEnv(),
      cwd: dir,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (d) => (stdout += String(d)));
    child.stderr!.on('data', (d) => (stderr += String(d)));
    exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
    const deadline = Date.now() + 50_000;
    while (!stdout.includes('Ctrl-C') && child.exitCode === null && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 100));
    expect(stdout, `stdout: ${stdout}\nstderr: ${stderr}`).toContain('Ctrl-C');
    file = JSON.parse(readFileSync(join(dir, 'federation.json'), 'utf8')) as FederationFile;
    [ha, hb, zj, nat] = file.nodes as [FileNode, FileNode, FileNode, FileNode];
  }, 55_000);

  afterAll(async () => {
    if (child.exitCode === null) {
      child.kill('SIGKILL');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes federation.json: four nodes on loopback with their keys, and tokens for regulators, auditors and businesses', () => {
    expect(file.nodes.map((n) => n.region)).toEqual(['410000', '420000', '330000', null]);
    for (const n of file.nodes) {
      expect(n.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(n.logVkey.startsWith(`${n.origin}+`)).toBe(true);
      expect(n.witnessVkey).toMatch(/\+/);
      expect(n.tokens.regulator).toMatch(/^ct_/);
      expect(n.tokens.auditor).toMatch(/^ct_/);
    }
    expect(Object.keys(ha.tokens)).toEqual(expect.arrayContaining(['importer', 'warehouse', 'lab', 'customs']));
    expect(Object.keys(hb.tokens)).toContain('wholesaler');
    expect(Object.keys(zj.tokens)).toEqual(expect.arrayContaining(['wholesaler', 'restaurant', 'lab']));
  });

  it('plays the story to its end, and prints the outcome per province in both languages', () => {
    expect(file.story.error, `${file.story.error}\nstderr: ${stderr}`).toBeUndefined();
    expect(stdout).toContain('kg outstanding');
    expect(stdout).toContain('千克');
  });

  it('peers every node with every other, each witnessing the others, and an auditor reads the tiles', async () => {
    for (const n of file.nodes) {
      const peers = await get(n, '/v1/federation/peers', n.tokens.regulator!);
      expect(peers.status, JSON.stringify(peers.body)).toBe(200);
      const origins = peers.body.items.map((p: any) => p.logOrigin ?? p.origin);
      expect(origins.sort()).toEqual(
        file.nodes
          .filter((x) => x !== n)
          .map((x) => x.origin)
          .sort(),
      );
    }
    // A province holds Henan's shipments final once two witnesses cosigned them (DIR/policy.txt), as they were.
    expect(readFileSync(join(dir, 'policy.txt'), 'utf8')).toContain('quorum federation');
    for (const n of [hb, zj]) {
      const peers = (await get(n, '/v1/federation/peers', n.tokens.regulator!)).body.items;
      const henan = peers.find((p: any) => p.logOrigin === ha.origin);
      expect(henan.mirror.state).toBe('following');
      expect(henan.mirror.finalSize).toBeGreaterThan(0);
    }
    // Each province's checkpoint comes with the other nodes' cosignatures, the national witness's among them.
    for (const n of [ha, hb, zj]) {
      const deadline = Date.now() + 10_000;
      let note = '';
      for (;;) {
        note = String((await get(n, '/log/checkpoint', '')).body);
        if (note.includes(`— ${nat.witnessVkey.split('+')[0]} `) || Date.now() > deadline) break;
        await new Promise((r) => setTimeout(r, 200));
      }
      expect(note).toContain(`— ${nat.witnessVkey.split('+')[0]} `);
      const size = Number(note.split('\n')[1]);
      const tile = size >= 256 ? '/log/tile/0/000' : `/log/tile/0/000.p/${size}`;
      expect((await get(n, tile, n.tokens.auditor!)).status).toBe(200);
      expect((await get(n, tile, n.tokens.wholesaler ?? n.tokens.importer!)).status).toBe(403);
    }
  });

  it('leaves each province holding what it received, less what it repacked, shipped on or destroyed', async () => {
    const lots = file.story.lots!;
    const held = async (n: FileNode, lotId: string) => {
      const r = await get(n, `/v1/lots/${lotId}/holdings`, n.tokens.regulator!);
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      return Object.fromEntries(
        r.body.items.filter((h: any) => h.quantity.kg > 0).map((h: any) => [h.partyId, h.quantity.kg]),
      );
    };
    const shipped = STORY.toHubei.kg + STORY.toZhejiang.kg;
    expect(await held(ha, lots.import.id)).toEqual({ [ha.parties.importer!]: STORY.importKg - shipped });
    expect(await held(hb, lots.import.id)).toEqual({ [hb.parties.wholesaler!]: STORY.toHubei.kg - STORY.repackIn.kg });
    expect(await held(hb, lots.repacked.id)).toEqual({
      [hb.parties.wholesaler!]: STORY.repackOut.kg - STORY.toRestaurant.kg,
    });
    expect(await held(zj, lots.import.id)).toEqual({ [zj.parties.wholesaler!]: STORY.toZhejiang.kg });
    // The restaurant destroyed all it received, under the incident.
    expect(await held(zj, lots.repacked.id)).toEqual({});
  });

  it('turns the lot red everywhere after the positive, and the lot repacked from it too', async () => {
    const lots = file.story.lots!;
    for (const [n, l] of [
      [ha, lots.import],
      [hb, lots.import],
      [zj, lots.import],
      [hb, lots.repacked],
      [zj, lots.repacked],
    ] as const) {
      const r = await get(n, `/v1/lots/${l.id}`, n.tokens.regulator!);
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      expect({ node: n.name, lot: l.code, status: r.body.status }).toEqual({
        node: n.name,
        lot: l.code,
        status: 'red',
      });
    }
  });

  it('shows in every province an open incident covering its holders, outstanding what was received less what was destroyed', async () => {
    const lots = file.story.lots!;
    const root = file.story.incident!.id;
    const expected: [FileNode, Record<string, number>, number][] = [
      [
        ha,
        { [`${ha.parties.importer} ${lots.import.id}`]: STORY.importKg - STORY.toHubei.kg - STORY.toZhejiang.kg },
        0,
      ],
      [
        hb,
        {
          [`${hb.parties.wholesaler} ${lots.import.id}`]: STORY.toHubei.kg - STORY.repackIn.kg,
          [`${hb.parties.wholesaler} ${lots.repacked.id}`]: STORY.repackOut.kg - STORY.toRestaurant.kg,
        },
        0,
      ],
      [
        zj,
        {
          [`${zj.parties.wholesaler} ${lots.import.id}`]: STORY.toZhejiang.kg,
          [`${zj.parties.restaurant} ${lots.repacked.id}`]: STORY.toRestaurant.kg,
        },
        STORY.destroyed.kg,
      ],
    ];
    for (const [n, affected, destroyed] of expected) {
      const list = await get(n, '/v1/incidents?status=open', n.tokens.regulator!);
      expect(list.status, JSON.stringify(list.body)).toBe(200);
      const mine = list.body.items.filter((i: any) => i.id === root || i.trigger?.rootIncidentId === root);
      expect(mine, `${n.name}: ${JSON.stringify(list.body.items)}`).toHaveLength(1);
      const inc = (await get(n, `/v1/incidents/${mine[0].id}`, n.tokens.regulator!)).body;
      const got = Object.fromEntries(inc.holdings.map((h: any) => [`${h.partyId} ${h.lotId}`, h.affected.kg]));
      expect({ node: n.name, holdings: got }).toEqual({ node: n.name, holdings: affected });
      const received = Object.values(affected).reduce((a, b) => a + b, 0);
      expect({ node: n.name, outstanding: inc.total.outstanding.kg }).toEqual({
        node: n.name,
        outstanding: received - destroyed,
      });
    }
  });

  it('stops all four nodes cleanly on SIGINT, and their ports close', async () => {
    child.kill('SIGINT');
    const code = await exited;
    expect(stdout).toContain('stopped cleanly');
    expect(code).toBe(file.story.error ? 1 : 0);
    for (const n of file.nodes) expect(await portOpen(n.url)).toBe(false);
  }, 20_000);
});
