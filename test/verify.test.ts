import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { sql } from 'kysely';
import { beforeAll, expect, it } from 'vitest';
import { verifyDatabase } from '../src/app/audit/verify.ts';
import { parseVerifierKey } from '../src/log/note-key.ts';
import { commit } from '../src/app/write/commit.ts';
import { newId } from '../src/app/write/ids.ts';
import { maskResidentId } from '../src/domain/resident-id.ts';
import type { Schema } from '../src/store/schema.ts';
import { buildChain } from './support/chain.ts';
import { borderCast } from './support/border.ts';
import { borderFlow } from './support/border-flow.ts';
import { addParty, api, residentId } from './support/http.ts';
import { eachDialect } from './support/test-node.ts';
import type { TestNode } from './support/test-node.ts';

const run = promisify(execFile);

async function verify(n: TestNode) {
  return verifyDatabase(n.deps.db, n.deps.log.origin, [parseVerifierKey(n.deps.log.signer.verifierKey)]);
}

/** tamper applies change, expects verify to name the problem, then undoes it and expects verify to pass. */
async function tamper(n: TestNode, change: () => Promise<void>, undo: () => Promise<void>, problem: RegExp) {
  await change();
  const bad = await verify(n);
  expect(bad.ok).toBe(false);
  expect(bad.problem).toMatch(problem);
  await undo();
  expect((await verify(n)).ok).toBe(true);
}

eachDialect('coldtrace verify catches tampering', (node) => {
  let ids: { party: string; producer: string; worker: string };
  beforeAll(async () => {
    const { app, adminToken, checkpoint } = node();
    const importer = await addParty(app, adminToken, ['importer']);
    const customs = await addParty(app, adminToken, ['customs']);
    await checkpoint();
    const producer = await api(app, 'POST', '/v1/producers', {
      token: customs.token,
      body: { country: 'BR', registrationNo: 'SIF 1234', name: 'Frigorífico Teste' },
    });
    const worker = await api(app, 'POST', '/v1/workers', {
      token: importer.token,
      body: { name: '李四', role: 'port_handler', idNumber: residentId() },
    });
    await api(app, 'PATCH', `/v1/parties/${importer.id}`, {
      token: adminToken,
      body: { name: { en: 'Renamed Importer' } },
    });
    await checkpoint();
    ids = { party: importer.id, producer: producer.body.id, worker: worker.body.id };
  });

  it('passes on an untouched database', async () => {
    const r = await verify(node());
    expect(r).toMatchObject({ ok: true, checkpoints: 2 });
    expect(r.entries).toBeGreaterThan(8);
    expect(r.rows).toBeGreaterThan(5);
  });

  it('finds a projected row edited by hand', async () => {
    const { db } = node().deps;
    await tamper(
      node(),
      () => sql`UPDATE parties SET name_en = 'Forged Ltd' WHERE id = ${ids.party}`.execute(db).then(() => {}),
      () => sql`UPDATE parties SET name_en = 'Renamed Importer' WHERE id = ${ids.party}`.execute(db).then(() => {}),
      new RegExp(`parties row ${ids.party}, column nameEn`),
    );
  });

  it('finds a projected row deleted, and a row that no entry wrote', async () => {
    const { db } = node().deps;
    const saved = await db.selectFrom('producers').selectAll().where('id', '=', ids.producer).executeTakeFirstOrThrow();
    await tamper(
      node(),
      () =>
        db
          .deleteFrom('producers')
          .where('id', '=', ids.producer)
          .execute()
          .then(() => {}),
      () =>
        db
          .insertInto('producers')
          .values(saved)
          .execute()
          .then(() => {}),
      new RegExp(`producers row ${ids.producer} written by entry \\d+ is missing`),
    );
    await tamper(
      node(),
      () =>
        db
          .insertInto('producers')
          .values({ ...saved, id: 'pro_01ZZZZZZZZZZZZZZZZZZZZZZZZ', registrationNo: 'X' })
          .execute()
          .then(() => {}),
      () =>
        db
          .deleteFrom('producers')
          .where('id', '=', 'pro_01ZZZZZZZZZZZZZZZZZZZZZZZZ')
          .execute()
          .then(() => {}),
      /producers row pro_01ZZZZZZZZZZZZZZZZZZZZZZZZ is not in the log/,
    );
  });

  it("finds an entry's bytes altered, with or without its stored hash", async () => {
    const { db } = node().deps;
    const row = await db.selectFrom('logEntries').selectAll().where('idx', '=', 3).executeTakeFirstOrThrow();
    const forged = Buffer.from(Buffer.from(row.data).toString('utf8').replace('"v":1', '"v":1 '), 'utf8');
    await tamper(
      node(),
      () =>
        db
          .updateTable('logEntries')
          .set({ data: forged })
          .where('idx', '=', 3)
          .execute()
          .then(() => {}),
      () =>
        db
          .updateTable('logEntries')
          .set({ data: row.data })
          .where('idx', '=', 3)
          .execute()
          .then(() => {}),
      /^entry 3: its bytes do not match its stored leaf hash/,
    );
    const { leafHash } = await import('../src/log/hash.ts');
    await tamper(
      node(),
      () =>
        db
          .updateTable('logEntries')
          .set({ data: forged, leafHash: leafHash(forged) })
          .where('idx', '=', 3)
          .execute()
          .then(() => {}),
      () =>
        db
          .updateTable('logEntries')
          .set({ data: row.data, leafHash: row.leafHash })
          .where('idx', '=', 3)
          .execute()
          .then(() => {}),
      /^entry 3: its hash differs from the checkpointed tile/,
    );
  });

  it('finds two entries swapped', async () => {
    const { db } = node().deps;
    const a = await db.selectFrom('logEntries').selectAll().where('idx', '=', 4).executeTakeFirstOrThrow();
    const b = await db.selectFrom('logEntries').selectAll().where('idx', '=', 5).executeTakeFirstOrThrow();
    const put = async (idx: number, r: typeof a) =>
      db.updateTable('logEntries').set({ data: r.data, leafHash: r.leafHash }).where('idx', '=', idx).execute();
    await tamper(
      node(),
      async () => {
        await put(4, b);
        await put(5, a);
      },
      async () => {
        await put(4, a);
        await put(5, b);
      },
      /^entry 4: its hash differs from the checkpointed tile/,
    );
  });

  it('finds an entry deleted from the middle, and a held personal value changed', async () => {
    const { db } = node().deps;
    const row = await db.selectFrom('logEntries').selectAll().where('idx', '=', 2).executeTakeFirstOrThrow();
    await tamper(
      node(),
      () =>
        db
          .deleteFrom('logEntries')
          .where('idx', '=', 2)
          .execute()
          .then(() => {}),
      () =>
        db
          .insertInto('logEntries')
          .values(row)
          .execute()
          .then(() => {}),
      /^entry 2 is missing/,
    );
    const pd = await db.selectFrom('personalData').selectAll().executeTakeFirstOrThrow();
    await tamper(
      node(),
      () =>
        db
          .updateTable('personalData')
          .set({ value: residentId('19700101', '999') })
          .where('id', '=', pd.id)
          .execute()
          .then(() => {}),
      () =>
        db
          .updateTable('personalData')
          .set({ value: pd.value })
          .where('id', '=', pd.id)
          .execute()
          .then(() => {}),
      new RegExp(`personal data ${pd.id}: the held value does not match its commitment`),
    );
  });

  it('still passes after a lawful erasure of personal data', async () => {
    const { app, adminToken, deps } = node();
    const pd = await deps.db.selectFrom('personalData').select('id').executeTakeFirstOrThrow();
    const r = await api(app, 'POST', `/v1/personal-data/${pd.id}/erasure`, {
      token: adminToken,
      body: { reason: 'PIPL art. 47 request' },
    });
    expect(r.status).toBe(200);
    await node().checkpoint();
    expect((await verify(node())).ok).toBe(true);
    const w = await api(app, 'GET', `/v1/workers/${ids.worker}`, { token: adminToken });
    expect(w.body.idNumber).toEqual({ masked: null, erased: true });
  });

  it('finds a kept webhook signing secret that no longer matches its logged SHA-256', async () => {
    const n = node();
    const hook = await api(n.app, 'POST', '/v1/webhooks', {
      token: n.adminToken,
      body: { url: 'https://alerts.example.com/coldtrace' },
    });
    expect(hook.status, JSON.stringify(hook.body)).toBe(201);
    await n.checkpoint();
    const kept = await n.deps.db
      .selectFrom('webhookSecrets')
      .select('secret')
      .where('webhookId', '=', hook.body.id)
      .executeTakeFirstOrThrow();
    await tamper(
      n,
      () =>
        sql`UPDATE webhook_secrets SET secret = 'whsec_forged' WHERE webhook_id = ${hook.body.id}`
          .execute(n.deps.db)
          .then(() => {}),
      () =>
        sql`UPDATE webhook_secrets SET secret = ${kept.secret} WHERE webhook_id = ${hook.body.id}`
          .execute(n.deps.db)
          .then(() => {}),
      new RegExp(`webhook ${hook.body.id}: the kept signing secret`),
    );
  });

  it('exits non-zero from the CLI and names the entry', async () => {
    const n = node();
    const env = {
      ...process.env,
      COLDTRACE_DATA: n.dataDir,
      DATABASE_URL: n.databaseUrl ?? '',
      COLDTRACE_LOG_ORIGIN: n.deps.log.origin,
    };
    const ok = await run(process.execPath, ['bin/coldtrace.js', 'verify'], { env });
    expect(JSON.parse(ok.stdout)).toMatchObject({ ok: true });
    const { db } = n.deps;
    await sql`UPDATE parties SET region = '320000' WHERE id = ${ids.party}`.execute(db);
    const bad = await run(process.execPath, ['bin/coldtrace.js', 'verify'], { env }).catch(
      (e: { code: number; stderr: string }) => e,
    );
    await sql`UPDATE parties SET region = '410000' WHERE id = ${ids.party}`.execute(db);
    expect((bad as { code: number }).code).toBe(1);
    expect((bad as { stderr: string }).stderr).toContain(`parties row ${ids.party}, column region`);
  });
});

eachDialect('coldtrace verify covers the border', (node) => {
  // A lot cleared all the way to green, and one that turned red on a positive sample and suspended its producer.
  let ids: { green: string; red: string; sample: string; suspension: string; document: string; exit: string };
  beforeAll(async () => {
    const n = node();
    const cast = await borderCast(n.app, n.adminToken);
    const flow = borderFlow(n, cast);
    const green = (await flow.declare()).id;
    const [document] = await flow.attach(green);
    await flow.arrive(await flow.book(green));
    await flow.disinfect(green);
    for (const point of ['outer_pack', 'content']) await flow.result(await flow.sample(green, point), 'negative');
    const exit = (await flow.exit(green)).id;
    const issued = await api(n.app, 'POST', `/v1/lots/${green}/cartons`, {
      token: cast.importer.token,
      body: { count: 24 },
    });
    expect(issued.status, JSON.stringify(issued.body)).toBe(201);

    const red = (await flow.declare()).id;
    await flow.attach(red);
    await flow.arrive(await flow.book(red));
    await flow.disinfect(red);
    const sample = await flow.sample(red, 'outer_pack');
    await flow.result(await flow.sample(red, 'content'), 'negative');
    const positive = await flow.result(sample, 'positive');
    await n.checkpoint();
    ids = { green, red, sample, suspension: positive.suspensionId, document: document!, exit };
  });

  it('passes after the whole border: declarations, documents, bookings, arrivals, disinfections, samples, results, release, cartons and a suspension', async () => {
    const { db } = node().deps;
    const lots = await db.selectFrom('lots').select(['id', 'status']).orderBy('id').execute();
    expect(lots).toEqual([
      { id: ids.green, status: 'green' },
      { id: ids.red, status: 'red' },
    ]);
    const count = async (
      table:
        'documents' | 'bookings' | 'disinfections' | 'samples' | 'exitCertificates' | 'cartonRanges' | 'suspensions',
    ) =>
      Number(
        (
          await db
            .selectFrom(table)
            .select((eb) => eb.fn.countAll().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
    expect(await count('documents')).toBe(8);
    expect(await count('samples')).toBe(4);
    expect(await count('suspensions')).toBe(1);
    expect(await count('exitCertificates')).toBe(1);
    expect(await count('cartonRanges')).toBe(1);
    const r = await verify(node());
    expect(r.problem, r.problem).toBeUndefined();
    expect(r).toMatchObject({ ok: true, checkpoints: 1 });
  });

  it("finds a lot's status edited by hand, red to green", async () => {
    const { db } = node().deps;
    await tamper(
      node(),
      () => sql`UPDATE lots SET status = 'green' WHERE id = ${ids.red}`.execute(db).then(() => {}),
      () => sql`UPDATE lots SET status = 'red' WHERE id = ${ids.red}`.execute(db).then(() => {}),
      new RegExp(`^lots row ${ids.red}, column status: the log \\(entry \\d+\\) says "red", the table has "green"`),
    );
    // Its reasons are as much a part of the status.
    const { statusReasons } = await db
      .selectFrom('lots')
      .select('statusReasons')
      .where('id', '=', ids.red)
      .executeTakeFirstOrThrow();
    await tamper(
      node(),
      () =>
        db
          .updateTable('lots')
          .set({ statusReasons: '[]' })
          .where('id', '=', ids.red)
          .execute()
          .then(() => {}),
      () =>
        db
          .updateTable('lots')
          .set({ statusReasons })
          .where('id', '=', ids.red)
          .execute()
          .then(() => {}),
      new RegExp(`^lots row ${ids.red}, column statusReasons`),
    );
  });

  it('finds a sample row deleted, and a result rewritten', async () => {
    const { db } = node().deps;
    const saved = await db.selectFrom('samples').selectAll().where('id', '=', ids.sample).executeTakeFirstOrThrow();
    await tamper(
      node(),
      () =>
        db
          .deleteFrom('samples')
          .where('id', '=', ids.sample)
          .execute()
          .then(() => {}),
      () =>
        db
          .insertInto('samples')
          .values(saved)
          .execute()
          .then(() => {}),
      new RegExp(`^samples row ${ids.sample} written by entry \\d+ is missing`),
    );
    await tamper(
      node(),
      () =>
        db
          .updateTable('samples')
          .set({ result: 'negative' })
          .where('id', '=', ids.sample)
          .execute()
          .then(() => {}),
      () =>
        db
          .updateTable('samples')
          .set({ result: 'positive' })
          .where('id', '=', ids.sample)
          .execute()
          .then(() => {}),
      new RegExp(
        `^samples row ${ids.sample}, column result: the log \\(entry \\d+\\) says "positive", the table has "negative"`,
      ),
    );
  });

  it("finds a suspension's end moved by hand", async () => {
    const { db } = node().deps;
    const { endsAt } = await db
      .selectFrom('suspensions')
      .select('endsAt')
      .where('id', '=', ids.suspension)
      .executeTakeFirstOrThrow();
    const shorter = Number(endsAt) - 6 * 86_400_000;
    await tamper(
      node(),
      () => sql`UPDATE suspensions SET ends_at = ${shorter} WHERE id = ${ids.suspension}`.execute(db).then(() => {}),
      () =>
        sql`UPDATE suspensions SET ends_at = ${Number(endsAt)} WHERE id = ${ids.suspension}`.execute(db).then(() => {}),
      new RegExp(
        `^suspensions row ${ids.suspension}, column endsAt: the log \\(entry \\d+\\) says ${Number(endsAt)}, the table has ${shorter}`,
      ),
    );
  });

  it("finds a document's hash swapped, and an exit certificate that no entry issued", async () => {
    const { db } = node().deps;
    const { sha256 } = await db
      .selectFrom('documents')
      .select('sha256')
      .where('id', '=', ids.document)
      .executeTakeFirstOrThrow();
    await tamper(
      node(),
      () =>
        db
          .updateTable('documents')
          .set({ sha256: '0'.repeat(64) })
          .where('id', '=', ids.document)
          .execute()
          .then(() => {}),
      () =>
        db
          .updateTable('documents')
          .set({ sha256 })
          .where('id', '=', ids.document)
          .execute()
          .then(() => {}),
      new RegExp(`^documents row ${ids.document}, column sha256`),
    );
    const exit = await db
      .selectFrom('exitCertificates')
      .selectAll()
      .where('id', '=', ids.exit)
      .executeTakeFirstOrThrow();
    const forged = { ...exit, id: 'exc_01ZZZZZZZZZZZZZZZZZZZZZZZZ', number: 'CK41FORGED', lotId: ids.red };
    await tamper(
      node(),
      () =>
        db
          .insertInto('exitCertificates')
          .values(forged)
          .execute()
          .then(() => {}),
      () =>
        db
          .deleteFrom('exitCertificates')
          .where('id', '=', forged.id)
          .execute()
          .then(() => {}),
      /^exitCertificates row exc_01ZZZZZZZZZZZZZZZZZZZZZZZZ is not in the log/,
    );
  });
});

eachDialect('verify after settings', (node) => {
  it('passes after rules are set through the API (rows are projected from the canonical entry)', async () => {
    const { app, adminToken, checkpoint, deps } = node();
    const rule = { maxAgeHours: { port_handler: 48, warehouse_handler: 168, driver: 72, sales: null } };
    expect(
      (
        await api(app, 'PUT', '/v1/settings/worker-eligibility', {
          token: adminToken,
          body: { region: '410000', rule },
        })
      ).status,
    ).toBe(200);
    expect(
      (
        await api(app, 'PUT', '/v1/settings/sample-points', {
          token: adminToken,
          body: { points: ['outer_pack', 'content'] },
        })
      ).status,
    ).toBe(200);
    await checkpoint();
    const r = await verifyDatabase(deps.db, deps.log.origin, [parseVerifierKey(deps.log.signer.verifierKey)]);
    expect(r.problem).toBeUndefined();
    expect(r.ok).toBe(true);
  });
});

eachDialect('coldtrace verify covers personal data', (node) => {
  let rows: { worker: Schema['personalData']; buyer: Schema['personalData']; old: Schema['personalData'] };
  const set = (id: string, values: Partial<Schema['personalData']>) => async () => {
    await node().deps.db.updateTable('personalData').set(values).where('id', '=', id).execute();
  };
  const pd = (id: string) =>
    node().deps.db.selectFrom('personalData').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

  beforeAll(async () => {
    const n = node();
    const c = await buildChain(n);
    const sale = await api(n.app, 'POST', `/v1/lots/${c.r.id}/retail-sales`, {
      token: c.retailer.token,
      body: {
        quantity: { kg: 1.5, cartons: 0 },
        soldAt: new Date(n.clock.now()).toISOString(),
        buyer: { name: '张三', phone: '138 1234 5678' },
      },
    });
    expect(sale.status, JSON.stringify(sale.body)).toBe(201);
    const buyerRef = (
      await n.deps.db
        .selectFrom('retailSales')
        .select('buyerRef')
        .where('id', '=', sale.body.id)
        .executeTakeFirstOrThrow()
    ).buyerRef!;
    const workerRef = (
      await n.deps.db
        .selectFrom('workers')
        .select('personalRef')
        .where('id', '=', c.crew.driver)
        .executeTakeFirstOrThrow()
    ).personalRef;
    // A worker registered before commitments bound the kind: its entry holds the version 1 form, SHA-256(salt || value).
    const oldRef = await commit(n.deps, undefined, async (w) => {
      const salt = randomBytes(32);
      const value = residentId('19790707', '456');
      const commitment = createHash('sha256').update(salt).update(value, 'utf8').digest('hex');
      const ref = newId('pd');
      await w.trx
        .insertInto('personalData')
        .values({
          id: ref,
          kind: 'resident_id',
          commitment,
          salt,
          value,
          masked: maskResidentId(value),
          createdAt: w.now,
          erasedAt: null,
        })
        .execute();
      await w.append('worker.created', c.cast.carrier.id, {
        id: newId('wkr'),
        employerPartyId: c.cast.carrier.id,
        name: '老工人',
        role: 'driver',
        idNumber: { commitment, ref },
        createdAt: w.now,
        updatedAt: w.now,
      });
      return ref;
    });
    await n.checkpoint();
    rows = { worker: await pd(workerRef), buyer: await pd(buyerRef), old: await pd(oldRef) };
  });

  it('passes untouched, with commitments that bind the kind (version 2) beside an old version 1 entry', async () => {
    expect(rows.worker.commitment).toMatch(/^v2:[0-9a-f]{64}$/);
    expect(rows.buyer).toMatchObject({ kind: 'retail_buyer', masked: '张* 138****5678' });
    expect(rows.buyer.commitment).toMatch(/^v2:[0-9a-f]{64}$/);
    expect(rows.old.commitment).toMatch(/^[0-9a-f]{64}$/);
    const r = await verify(node());
    expect(r.problem).toBeUndefined();
    expect(r.ok).toBe(true);
  });

  it("finds a row's kind edited by hand, for a worker's ID number, a buyer and an old entry", async () => {
    for (const [row, other] of [
      [rows.worker, 'retail_buyer'],
      [rows.buyer, 'resident_id'],
      [rows.old, 'retail_buyer'],
    ] as const) {
      await tamper(
        node(),
        set(row.id, { kind: other }),
        set(row.id, { kind: row.kind }),
        new RegExp(
          `^personal data ${row.id}, column kind: the log \\(entry \\d+\\) says ${row.kind}, the table has ${other}`,
        ),
      );
    }
    // Even with the kind check aside, a version 2 commitment does not open under another kind.
    const { commitmentHolds } = await import('../src/app/registry/personal.ts');
    expect(commitmentHolds(rows.buyer.commitment, rows.buyer.salt!, 'retail_buyer', rows.buyer.value!)).toBe(true);
    expect(commitmentHolds(rows.buyer.commitment, rows.buyer.salt!, 'resident_id', rows.buyer.value!)).toBe(false);
  });

  it("finds a row's value, mask or salt edited by hand", async () => {
    const forgedBuyer = JSON.stringify({ name: '李四', phone: '13900001111' });
    for (const [row, values] of [
      [rows.worker, { value: residentId('19700101', '999') }],
      [rows.buyer, { value: forgedBuyer, masked: '李* 139****1111' }],
      [rows.old, { value: residentId('19700101', '998') }],
      [rows.buyer, { salt: Buffer.alloc(32) }],
    ] as const) {
      await tamper(
        node(),
        set(row.id, values),
        set(row.id, { value: row.value, masked: row.masked, salt: row.salt }),
        new RegExp(`^personal data ${row.id}: the held value does not match its commitment in entry \\d+`),
      );
    }
    await tamper(
      node(),
      set(rows.buyer.id, { masked: '王* 138****5678' }),
      set(rows.buyer.id, { masked: rows.buyer.masked }),
      new RegExp(`^personal data ${rows.buyer.id}, column masked`),
    );
  });

  it('finds a personal-data row that no entry names', async () => {
    const { db } = node().deps;
    const forged = { ...rows.buyer, id: 'pd_01ZZZZZZZZZZZZZZZZZZZZZZZZ' };
    await tamper(
      node(),
      () =>
        db
          .insertInto('personalData')
          .values(forged)
          .execute()
          .then(() => {}),
      () =>
        db
          .deleteFrom('personalData')
          .where('id', '=', forged.id)
          .execute()
          .then(() => {}),
      /^personal data pd_01ZZZZZZZZZZZZZZZZZZZZZZZZ is not in the log/,
    );
  });

  it('skips erased rows: nothing is left to open, and the log still verifies', async () => {
    const n = node();
    for (const row of [rows.buyer, rows.old]) {
      const r = await api(n.app, 'POST', `/v1/personal-data/${row.id}/erasure`, {
        token: n.adminToken,
        body: { reason: 'PIPL art. 47 request' },
      });
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      expect(await pd(row.id)).toMatchObject({ value: null, salt: null, masked: null, erasedAt: expect.anything() });
    }
    await n.checkpoint();
    const r = await verify(n);
    expect(r.problem).toBeUndefined();
    // A value put back into an erased row is found.
    await tamper(
      n,
      set(rows.buyer.id, { value: rows.buyer.value }),
      set(rows.buyer.id, { value: null }),
      new RegExp(`^personal data ${rows.buyer.id} is marked erased but still holds data`),
    );
  });
});
