import { expect, it } from 'vitest';
import { decodeEntry, encodeEntry } from '../src/app/write/entry.ts';
import { openCheckpoint } from '../src/log/checkpoint.ts';
import { leafHash } from '../src/log/hash.ts';
import { generateSigner, parseVerifierKey } from '../src/log/note-key.ts';
import { decodeEntryBundle } from '../src/log/tiles.ts';
import { verifyConsistency, verifyInclusion } from '../src/log/verify.ts';
import { addParty, api, expectError, residentId } from './support/http.ts';
import { eachDialect } from './support/test-node.ts';

eachDialect('the verifiable log over HTTP', (node) => {
  it('serves a signed checkpoint that its public verifier key opens', async () => {
    const { app, checkpoint } = node();
    await addParty(app, node().adminToken, ['importer']);
    const size = await checkpoint();
    const cp = await app.inject({ method: 'GET', url: '/log/checkpoint' });
    expect(cp.statusCode).toBe(200);
    expect(cp.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(String(cp.headers['cache-control'])).toMatch(/no-cache|max-age=[0-5]\b/);
    const vkey = await app.inject({ method: 'GET', url: '/log/vkey' });
    const verifier = parseVerifierKey(vkey.body.trim());
    const opened = openCheckpoint(cp.body, 'ct.test', [verifier]);
    expect(opened.checkpoint.size).toBe(size);
    // A different key must not open it.
    const other = parseVerifierKey(generateSigner('ct.test').verifierKey);
    expect(() => openCheckpoint(cp.body, 'ct.test', [other])).toThrow();
  });

  it('serves tiles and entry bundles to regulators and auditors only, and they reproduce the root', async () => {
    const { app, adminToken, checkpoint } = node();
    const auditor = await addParty(app, adminToken, ['auditor']);
    const importer = await addParty(app, adminToken, ['importer']);
    const size = (await checkpoint())!;
    const cp = openCheckpoint((await app.inject({ method: 'GET', url: '/log/checkpoint' })).body, 'ct.test', [
      parseVerifierKey((await app.inject({ method: 'GET', url: '/log/vkey' })).body.trim()),
    ]).checkpoint;
    const path = `/log/tile/entries/000.p/${size}`;
    expectError(await api(app, 'GET', path), 401, 'Unauthenticated');
    expectError(await api(app, 'GET', path, { token: importer.token }), 403, 'Forbidden');
    const bundle = await app.inject({
      method: 'GET',
      url: path,
      headers: { authorization: `Bearer ${auditor.token}` },
    });
    expect(bundle.statusCode).toBe(200);
    expect(bundle.headers['content-type']).toBe('application/octet-stream');
    expect(String(bundle.headers['cache-control'])).toContain('immutable');
    const entries = decodeEntryBundle(bundle.rawPayload, size);
    expect(entries).toHaveLength(size);
    const tile = await app.inject({
      method: 'GET',
      url: `/log/tile/0/000.p/${size}`,
      headers: { authorization: `Bearer ${auditor.token}` },
    });
    expect(tile.statusCode).toBe(200);
    expect(tile.rawPayload.length).toBe(32 * size);
    entries.forEach((e, i) => expect(tile.rawPayload.subarray(32 * i, 32 * i + 32).equals(leafHash(e))).toBe(true));
    // Each leaf proves its inclusion under the signed root.
    for (const i of [0, size - 1]) {
      const p = await api(app, 'GET', `/log/proofs/inclusion?index=${i}&size=${size}`);
      expect(p.status).toBe(200);
      const proof = p.body.proof.map((h: string) => Buffer.from(h, 'base64'));
      expect(verifyInclusion(leafHash(entries[i]!), i, size, proof, cp.root)).toBe(true);
      expect(verifyInclusion(leafHash(entries[(i + 1) % size]!), i, size, proof, cp.root)).toBe(false);
    }
    // Entries beyond the checkpoint and non-canonical paths are not served.
    expect(
      (
        await app.inject({
          method: 'GET',
          url: `/log/tile/entries/000.p/${size + 1}`,
          headers: { authorization: `Bearer ${auditor.token}` },
        })
      ).statusCode,
    ).toBe(404);
    expect(
      (await app.inject({ method: 'GET', url: '/log/tile/0/0', headers: { authorization: `Bearer ${auditor.token}` } }))
        .statusCode,
    ).toBe(404);
  });

  it('proves consistency between an old and a new checkpoint', async () => {
    const { app, adminToken, checkpoint } = node();
    const old = (await checkpoint()) ?? Number((await api(app, 'GET', '/healthz')).body.logSize);
    const oldRoot = Buffer.from(
      (await api(app, 'GET', `/log/proofs/inclusion?index=0&size=${old}`)).body.rootHash,
      'base64',
    );
    for (let i = 0; i < 5; i++) await addParty(app, adminToken, ['retailer']);
    const size = (await checkpoint())!;
    const c = await api(app, 'GET', `/log/proofs/consistency?from=${old}&to=${size}`);
    expect(c.status).toBe(200);
    const proof = c.body.proof.map((h: string) => Buffer.from(h, 'base64'));
    expect(Buffer.from(c.body.fromRootHash, 'base64').equals(oldRoot)).toBe(true);
    expect(verifyConsistency(old, size, proof, oldRoot, Buffer.from(c.body.toRootHash, 'base64'))).toBe(true);
    expectError(
      await api(app, 'GET', `/log/proofs/consistency?from=${size}&to=${size + 10}`),
      400,
      'ValidationFailed',
      'to',
    );
    expectError(
      await api(app, 'GET', `/log/proofs/inclusion?index=${size}&size=${size}`),
      400,
      'ValidationFailed',
      'index',
    );
  });

  it('puts every write in the log with its type, party and time, and the record canonical', async () => {
    const { app, adminToken, deps } = node();
    const p = await addParty(app, adminToken, ['customs']);
    const made = await api(app, 'POST', '/v1/producers', {
      token: p.token,
      body: { country: 'AR', registrationNo: '1234', name: 'Frigorífico Ejemplo S.A.' },
    });
    expect(made.status).toBe(201);
    const row = await deps.db
      .selectFrom('logEntries')
      .selectAll()
      .where('idx', '=', made.body.logIndex)
      .executeTakeFirstOrThrow();
    const entry = decodeEntry(row.data);
    expect(entry).toMatchObject({ type: 'producer.created', party: p.id, time: node().clock.now() });
    expect(entry.record).toMatchObject({ id: made.body.id, country: 'AR', registrationNo: '1234' });
    const text = Buffer.from(row.data).toString('utf8');
    // RFC 8785: the bytes are exactly the canonical form of what they parse to.
    expect(text).toBe(encodeEntry(decodeEntry(row.data)).toString('utf8'));
    expect(Object.keys(JSON.parse(text))).toEqual(['party', 'record', 'time', 'type', 'v']);
  });

  it('keeps personal data out of the log: only a salted commitment goes in', async () => {
    const { app, adminToken, deps } = node();
    const employer = await addParty(app, adminToken, ['cold_store']);
    const idNumber = residentId('19900101', '321');
    const w = await api(app, 'POST', '/v1/workers', {
      token: employer.token,
      body: { name: '张三', role: 'driver', idNumber },
    });
    expect(w.status).toBe(201);
    const row = await deps.db
      .selectFrom('logEntries')
      .selectAll()
      .where('idx', '=', w.body.logIndex)
      .executeTakeFirstOrThrow();
    const text = Buffer.from(row.data).toString('utf8');
    expect(text).not.toContain(idNumber);
    expect(text).not.toContain(idNumber.slice(6, 14));
    expect(decodeEntry(row.data).record).toMatchObject({
      idNumber: { commitment: expect.stringMatching(/^v2:[0-9a-f]{64}$/) },
    });
  });
});
