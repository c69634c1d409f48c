import type { AddressInfo } from 'node:net';
import { expect } from 'vitest';
import { followPeer } from '../../src/app/federation/mirror.ts';
import { activePeers } from '../../src/app/federation/peers.ts';
import { recognisePeer } from '../../src/app/recognition/recognition.ts';
import { api } from './http.ts';
import type { DialectKind, TestNode } from './test-node.ts';
import { openTestNode } from './test-node.ts';

/** Province is a real node listening on loopback, with its log and witness keys. */
export interface Province {
  node: TestNode;
  name: string;
  region: string | null;
  url: string;
  origin: string;
  logVkey: string;
  witnessVkey: string;
}

/** startProvince opens a node for a province (region null: the national node) and listens on a loopback port. */
export async function startProvince(kind: DialectKind, name: string, region: string | null): Promise<Province> {
  const node = await openTestNode(
    kind,
    {},
    { origin: `ct.test/${name}`, nodeName: `node ${name}`, nodeRegion: region },
  );
  await node.app.listen({ port: 0, host: '127.0.0.1' });
  const url = `http://127.0.0.1:${(node.app.server.address() as AddressInfo).port}`;
  const info = (await (await fetch(`${url}/federation/node`)).json()) as {
    log: { origin: string; vkey: string };
    witness: { vkey: string };
  };
  return { node, name, region, url, origin: info.log.origin, logVkey: info.log.vkey, witnessVkey: info.witness.vkey };
}

/** peerWith makes `to` a peer of `from`, with `to`'s admin token to read its tiles. */
export async function peerWith(from: Province, to: Province) {
  const r = await api(from.node.app, 'POST', '/v1/federation/peers', {
    token: from.node.adminToken,
    body: {
      name: `node ${to.name}`,
      region: to.region ?? undefined,
      baseUrl: to.url,
      logVkey: to.logVkey,
      witnessVkey: to.witnessVkey,
      credential: to.node.adminToken,
    },
  });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
}

/** peerAll peers every node with every other. */
export async function peerAll(nodes: readonly Province[]) {
  for (const x of nodes) for (const y of nodes) if (x !== y) await peerWith(x, y);
}

/**
 * sync checkpoints every node, then has every node mirror and recognise every peer, rounds times, as the federation
 * workers would (a round lets an effect on one node reach the next).
 */
export async function sync(nodes: readonly Province[], rounds = 2) {
  for (let round = 0; round < rounds; round++) {
    for (const n of nodes) await n.node.checkpoint();
    for (const n of nodes) {
      for (const p of await activePeers(n.node.deps)) {
        for (let i = 0; i < 100; i++) if (!(await followPeer(n.node.deps, p)).more) break;
        for (let i = 0; i < 100; i++) if (!(await recognisePeer(n.node.deps, p.logOrigin)).more) break;
      }
    }
  }
}
