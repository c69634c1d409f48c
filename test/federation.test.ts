import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyRemote } from '../src/app/audit/verify-remote.ts';
import { verifyDatabase } from '../src/app/audit/verify.ts';
import { requestCosignatures } from '../src/app/federation/cosign.ts';
import { followPeer } from '../src/app/federation/mirror.ts';
import { activePeers, originHash } from '../src/app/federation/peers.ts';
import { startFederation } from '../src/app/federation/worker.ts';
import { commit } from '../src/app/write/commit.ts';
import { formatCheckpoint, parseCheckpoint } from '../src/log/checkpoint.ts';
import { encodeEntryBundle } from '../src/log/tiles.ts';
import { parseNote, signNote } from '../src/log/note.ts';
import { parseVerifierKey, SIG_COSIGNATURE_V1, signerFromSeed, verifierKey } from '../src/log/note-key.ts';
import { parsePolicy, verifyWithPolicy } from '../src/log/policy.ts';
import { api, expectError } from './support/http.ts';
import type { DialectKind, TestNode } from './support/test-node.ts';
import { DIALECTS, openTestNode } from './support/test-node.ts';

// Three real nodes on loopback, each with its own database and port, peered with each other: they mirror each other's
// logs, witness each other's checkpoints, and catch a rewrite.

interface Running {
  node: TestNode;
  url: string;
  origin: string;
  logVkey: string;
  witnessVkey: string;
}

async function start(kind: DialectKind, name: string): Promise<Running> {
  const node = await openTestNode(kind, {}, { origin: `ct.test/${name}`, nodeName: `node ${name}` });
  await node.app.listen({ port: 0, host: '127.0.0.1' });
  const url = `http://127.0.0.1:${(node.app.server.address() as AddressInfo).port}`;
  const info = (await (await fetch(`${url}/federation/node`)).json()) as {
    log: { origin: string; vkey: string };
    witness: { vkey: string };
  };
  return { node, url, origin: info.log.origin, logVkey: info.log.vkey, witnessVkey: info.witness.vkey };
}

async function peer(from: Running, to: Running, credential: string | null = to.node.adminToken) {
  const r = await api(from.node.app, 'POST', '/v1/federation/peers', {
    token: from.node.adminToken,
    body: { name: `peer ${to.origin}`, baseUrl: to.url, logVkey: to.logVkey, witnessVkey: to.witnessVkey, credential },
  });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body.id as string;
}

/** fill appends n settings entries to a node's log in one transaction and checkpoints it. */
async function fill(r: Running, n: number, tag = 'x') {
  await commit(r.node.deps, undefined, async (w) => {
    for (let i = 0; i < n; i++)
      await w.append('setting.updated', null, { key: `${tag}${i}`, value: i, updatedAt: w.now });
  });
  await r.node.checkpoint();
}

const peerRow = async (r: Running, origin: string) =>
  (await activePeers(r.node.deps)).find((p) => p.logOrigin === origin)!;

async function witnessPost(r: Running, body: string) {
  const res = await fetch(`${r.url}/witness/add-checkpoint`, {
    method: 'POST',
    headers: { 'content-type': 'text/plain' },
    body,
  });
  return { status: res.status, type: res.headers.get('content-type') ?? '', text: await res.text() };
}

for (const kind of DIALECTS) {
  describe(`federation of three nodes [${kind}]`, () => {
    let a: Running, b: Running, c: Running;
    beforeAll(async () => {
      [a, b, c] = await Promise.all([start(kind, 'a'), start(kind, 'b'), start(kind, 'c')]);
      for (const [x, y] of [
        [a, b],
        [a, c],
        [b, a],
        [b, c],
        [c, a],
        [c, b],
      ] as const)
        await peer(x, y);
      for (const r of [a, b, c]) await fill(r, 5, r.origin);
    });
    afterAll(async () => {
      for (const r of [a, b, c]) await r?.node.close();
    });

    it('says who each node is, and lists its peers', async () => {
      const info = await (await fetch(`${a.url}/federation/node`)).json();
      expect(info).toMatchObject({ name: 'node a', log: { origin: 'ct.test/a' } });
      expect(info.witness.vkey).not.toBe(info.log.vkey);
      expect(parseVerifierKey(info.witness.vkey).type).toBe(4);
      const list = await api(a.node.app, 'GET', '/v1/federation/peers', { token: a.node.adminToken });
      expect(list.body.items.map((p: { logOrigin: string }) => p.logOrigin).sort()).toEqual(['ct.test/b', 'ct.test/c']);
      // Each change of the peer list is an entry on the node's own log.
      const entries = await a.node.deps.db.selectFrom('logEntries').select('data').execute();
      expect(entries.filter((e) => Buffer.from(e.data).toString().includes('"peer.added"'))).toHaveLength(2);
    });

    it('refuses a peer from a party that is not a regulator, a bad key, and its own log', async () => {
      const r = await api(a.node.app, 'POST', '/v1/federation/peers', {
        token: a.node.adminToken,
        body: { name: 'x', baseUrl: b.url, logVkey: b.witnessVkey },
      });
      expectError(r, 400, 'ValidationFailed', 'logVkey');
      const own = await api(a.node.app, 'POST', '/v1/federation/peers', {
        token: a.node.adminToken,
        body: { name: 'x', baseUrl: b.url, logVkey: a.logVkey },
      });
      expectError(own, 400, 'ValidationFailed', 'logVkey');
      const dup = await api(a.node.app, 'POST', '/v1/federation/peers', {
        token: a.node.adminToken,
        body: { name: 'x', baseUrl: b.url, logVkey: b.logVkey },
      });
      expectError(dup, 409, 'Conflict', 'logVkey');
    });

    it('mirrors each peer, serving the copy byte for byte, and the project verifier checks the copy', async () => {
      for (const [x, y] of [
        [b, a],
        [c, a],
        [a, b],
      ] as const) {
        const step = await followPeer(x.node.deps, await peerRow(x, y.origin));
        expect(step, JSON.stringify(step)).toMatchObject({ state: 'following', more: false });
      }
      const hash = originHash(a.origin);
      const theirs = await (await fetch(`${a.url}/log/checkpoint`)).text();
      const mirrored = await (await fetch(`${b.url}/mirror/${hash}/checkpoint`)).text();
      expect(mirrored).toBe(theirs);
      const size = parseCheckpoint(parseNote(theirs).text).size;
      const auth = { authorization: `Bearer ${b.node.adminToken}` };
      const tile = await fetch(`${b.url}/mirror/${hash}/tile/0/000.p/${size}`, { headers: auth });
      const original = await fetch(`${a.url}/log/tile/0/000.p/${size}`, {
        headers: { authorization: `Bearer ${a.node.adminToken}` },
      });
      expect(Buffer.from(await tile.arrayBuffer())).toEqual(Buffer.from(await original.arrayBuffer()));
      expect((await fetch(`${b.url}/mirror/${hash}/tile/0/000.p/${size + 1}`, { headers: auth })).status).toBe(404);
      const report = await verifyRemote(`${b.url}/mirror/${hash}`, b.node.adminToken, a.origin, [
        parseVerifierKey(a.logVkey),
      ]);
      expect(report, JSON.stringify(report)).toMatchObject({ ok: true, size });
    });

    it('gets every checkpoint cosigned by the peers’ witnesses, and a policy decides', async () => {
      await fill(a, 3, 'cosign');
      const out = await requestCosignatures(a.node.deps, await activePeers(a.node.deps));
      expect(out.map((o) => o.ok)).toEqual([true, true]);
      const note = await (await fetch(`${a.url}/log/checkpoint`)).text();
      expect(parseNote(note).sigs).toHaveLength(3);
      const policy = (quorum: string) =>
        parsePolicy(`log ${a.logVkey}\nwitness B ${b.witnessVkey}\nwitness C ${c.witnessVkey}\n${quorum}\n`);
      expect(verifyWithPolicy(note, policy('group both all B C\nquorum both')).cosigners).toEqual(['B', 'C']);
      const d = signerFromSeed('ct.test/d/witness', Buffer.alloc(32, 4));
      const dKey = verifierKey(d.name, d.publicKey, SIG_COSIGNATURE_V1);
      const needsD = parsePolicy(
        `log ${a.logVkey}\nwitness B ${b.witnessVkey}\nwitness D ${dKey}\ngroup BD all B D\nquorum BD\n`,
      );
      expect(() => verifyWithPolicy(note, needsD)).toThrow(/QuorumNotMet/);
      // coldtrace verify --url --policy: the tiles and the cosignatures.
      const keys = [parseVerifierKey(a.logVkey)];
      const met = await verifyRemote(
        a.url,
        a.node.adminToken,
        a.origin,
        keys,
        policy('group both all B C\nquorum both'),
      );
      expect(met, JSON.stringify(met)).toMatchObject({ ok: true, cosigners: ['B', 'C'] });
      const unmet = await verifyRemote(a.url, a.node.adminToken, a.origin, keys, needsD);
      expect(unmet.ok).toBe(false);
      expect(unmet.problem).toMatch(/QuorumNotMet/);
      // The witness serves what it cosigned, with the log's signature and its own cosignature.
      const monitored = await (await fetch(`${b.url}/witness/${originHash(a.origin)}/checkpoint`)).text();
      expect(parseNote(monitored).text).toBe(parseNote(note).text);
      expect(parseNote(monitored).sigs).toHaveLength(2);
      // A second request for the same size is answered from what is stored, not asked again.
      expect(await requestCosignatures(a.node.deps, await activePeers(a.node.deps))).toEqual([]);
    });

    it('treats a peer checkpoint as final only when its cosignatures meet the node policy', async () => {
      const size = parseCheckpoint(parseNote(await (await fetch(`${a.url}/log/checkpoint`)).text()).text).size;
      const d = signerFromSeed('ct.test/d/witness', Buffer.alloc(32, 4));
      const dKey = verifierKey(d.name, d.publicKey, SIG_COSIGNATURE_V1);
      const strict = parsePolicy(
        `log ${a.logVkey}\nwitness C ${c.witnessVkey}\nwitness D ${dKey}\ngroup CD all C D\nquorum CD\n`,
      );
      const withStrict = { ...b.node.deps, config: { ...b.node.deps.config, federationPolicy: strict } };
      const before = (await b.node.deps.db.selectFrom('mirrors').select('finalSize').executeTakeFirst())?.finalSize;
      expect((await followPeer(withStrict, await peerRow(b, a.origin))).state).toBe('following');
      let row = await b.node.deps.db
        .selectFrom('mirrors')
        .selectAll()
        .where('origin', '=', a.origin)
        .executeTakeFirstOrThrow();
      expect(Number(row.verifiedSize)).toBe(size);
      expect(Number(row.finalSize)).toBe(Number(before));
      const loose = parsePolicy(`log ${a.logVkey}\nwitness C ${c.witnessVkey}\nquorum C\n`);
      await followPeer(
        { ...b.node.deps, config: { ...b.node.deps.config, federationPolicy: loose } },
        await peerRow(b, a.origin),
      );
      row = await b.node.deps.db
        .selectFrom('mirrors')
        .selectAll()
        .where('origin', '=', a.origin)
        .executeTakeFirstOrThrow();
      expect(Number(row.finalSize)).toBe(size);
      // The mirror now serves the checkpoint with the cosignatures it gathered since.
      expect(parseNote(row.note!).sigs).toHaveLength(3);
    });

    it('answers add-checkpoint with each status of tlog-witness', async () => {
      const note = await (await fetch(`${c.url}/log/checkpoint`)).text();
      const cp = parseCheckpoint(parseNote(note).text);
      // B has cosigned nothing of C yet: 409 names size 0.
      const conflict = await witnessPost(b, `old 1\n\n${note}`);
      expect(conflict).toMatchObject({ status: 409, text: '0\n' });
      expect(conflict.type).toMatch(/^text\/x\.tlog\.size/);
      expect((await witnessPost(b, `old ${cp.size + 1}\n\n${note}`)).status).toBe(400);
      expect((await witnessPost(b, `old 0\n${Buffer.alloc(32).toString('base64')}\n\n${note}`)).status).toBe(422);
      const ok = await witnessPost(b, `old 0\n\n${note}`);
      expect(ok.status, ok.text).toBe(200);
      expect(ok.text).toMatch(/^\u2014 ct\.test\/b\/witness /);
      const same = await witnessPost(b, `old ${cp.size}\n\n${note}`);
      expect(same.status).toBe(200);
      const stranger = signerFromSeed('ct.test/stranger', Buffer.alloc(32, 9));
      const unknown = signNote(formatCheckpoint({ origin: stranger.name, size: 1, root: Buffer.alloc(32) }), [
        stranger,
      ]);
      expect((await witnessPost(b, `old 0\n\n${unknown}`)).status).toBe(404);
      const impostor = signerFromSeed(c.origin, Buffer.alloc(32, 8));
      const forged = signNote(formatCheckpoint({ origin: c.origin, size: cp.size, root: Buffer.alloc(32, 1) }), [
        impostor,
      ]);
      expect((await witnessPost(b, `old ${cp.size}\n\n${forged}`)).status).toBe(403);
      expect((await witnessPost(b, 'old 0\n')).status).toBe(400);
    });

    it('refuses hints and reads from strangers', async () => {
      const stranger = signerFromSeed('ct.test/stranger', Buffer.alloc(32, 9));
      const hint = signNote(formatCheckpoint({ origin: stranger.name, size: 1, root: Buffer.alloc(32) }), [stranger]);
      const res = await fetch(`${a.url}/federation/hint`, {
        method: 'POST',
        headers: { 'content-type': 'text/plain' },
        body: hint,
      });
      expect(res.status).toBe(403);
      const good = await fetch(`${a.url}/federation/hint`, {
        method: 'POST',
        headers: { 'content-type': 'text/plain' },
        body: await (await fetch(`${b.url}/log/checkpoint`)).text(),
      });
      expect(good.status).toBe(202);
      expect((await fetch(`${b.url}/mirror/${originHash(a.origin)}/tile/0/000.p/1`)).status).toBe(401);
    });

    it('catches up thousands of entries after being down, and a slow or bad peer does not stop the others', async () => {
      await fill(a, 2500, 'bulk');
      // A peer that serves a validly signed checkpoint and garbage entries, on loopback.
      const rogue = signerFromSeed('ct.test/rogue', Buffer.alloc(32, 5));
      const rogueNote = signNote(formatCheckpoint({ origin: rogue.name, size: 2, root: Buffer.alloc(32, 7) }), [rogue]);
      const server = createServer((req, res) => {
        if (req.url === '/log/checkpoint') return res.end(rogueNote);
        if (req.url?.startsWith('/log/tile/entries/'))
          return res.end(encodeEntryBundle([Buffer.from('x'), Buffer.from('y')]));
        res.statusCode = 404;
        res.end();
      });
      await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
      const rogueUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const add = await api(b.node.app, 'POST', '/v1/federation/peers', {
        token: b.node.adminToken,
        body: { name: 'rogue', baseUrl: rogueUrl, logVkey: rogue.verifierKey },
      });
      expect(add.status).toBe(201);
      const worker = startFederation(b.node.deps, { tickMs: 3_600_000 });
      try {
        await worker.runOnce();
      } finally {
        await worker.stop();
        server.close();
      }
      const size = parseCheckpoint(parseNote(await (await fetch(`${a.url}/log/checkpoint`)).text()).text).size;
      const peers = await api(b.node.app, 'GET', '/v1/federation/peers', { token: b.node.adminToken });
      const byOrigin = new Map(peers.body.items.map((p: { logOrigin: string }) => [p.logOrigin, p]));
      expect(byOrigin.get(a.origin)).toMatchObject({
        mirror: { state: 'following', verifiedSize: size, lagEntries: 0 },
      });
      expect(byOrigin.get('ct.test/rogue')).toMatchObject({ mirror: { state: 'forked', verifiedSize: 0 } });
      const report = await verifyRemote(`${b.url}/mirror/${originHash(a.origin)}`, b.node.adminToken, a.origin, [
        parseVerifierKey(a.logVkey),
      ]);
      expect(report, JSON.stringify(report)).toMatchObject({ ok: true, size });
    });

    it('detects a rewritten log, keeps both signed notes, alerts the regulators and stops cosigning', async () => {
      const step = await followPeer(c.node.deps, await peerRow(c, b.origin));
      expect(step.state).toBe('following');
      const before = await (await fetch(`${b.url}/log/checkpoint`)).text();
      // B's operator edits an entry in the database and signs the rewritten log again with B's key.
      const db = b.node.deps.db;
      const entries = await db.selectFrom('logEntries').select(['idx', 'data']).orderBy('idx').execute();
      const entry = entries.find((e) => /"value":\d+/.test(Buffer.from(e.data).toString()))!;
      const edited = Buffer.from(
        Buffer.from(entry.data)
          .toString()
          .replace(/"value":\d+/, '"value":999'),
      );
      const { leafHash } = await import('../src/log/hash.ts');
      await db
        .updateTable('logEntries')
        .set({ data: edited, leafHash: leafHash(edited) })
        .where('idx', '=', entry.idx)
        .execute();
      await db.deleteFrom('logTiles').execute();
      await db.deleteFrom('logCheckpoints').execute();
      await fill(b, 1, 'after');
      const forked = await followPeer(c.node.deps, await peerRow(c, b.origin));
      expect(forked.state).toBe('forked');
      const id = (await peerRow(c, b.origin)).id;
      const shown = await api(c.node.app, 'GET', `/v1/federation/peers/${id}`, { token: c.node.adminToken });
      expect(shown.body.mirror.state).toBe('forked');
      expect(shown.body.evidence).toHaveLength(1);
      expect(shown.body.evidence[0].earlierNote).toBe(before);
      expect(parseCheckpoint(parseNote(shown.body.evidence[0].laterNote).text).origin).toBe(b.origin);
      const alerts = await api(c.node.app, 'GET', '/v1/alerts', { token: c.node.adminToken });
      expect(alerts.body.items.map((x: { kind: string }) => x.kind)).toContain('federation.fork');
      // The mirror keeps serving the last verified checkpoint, and the witness refuses to cosign the rewrite.
      expect(await (await fetch(`${c.url}/mirror/${originHash(b.origin)}/checkpoint`)).text()).toBe(before);
      const now = await (await fetch(`${b.url}/log/checkpoint`)).text();
      const r = await witnessPost(c, `old 0\n\n${now}`);
      expect([403, 409]).toContain(r.status);
      const again = await followPeer(c.node.deps, await peerRow(c, b.origin));
      expect(again.state).toBe('forked');
      // C's own log, with its peers and the fork on it, still verifies.
      await c.node.checkpoint();
      const verified = await verifyDatabase(c.node.deps.db, c.origin, [parseVerifierKey(c.logVkey)]);
      expect(verified, JSON.stringify(verified)).toMatchObject({ ok: true });
    });
  });
}
