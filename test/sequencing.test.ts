import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { generateSigner } from '../src/log/note-key.ts';
import { api, uscc } from './support/http.ts';
import type { ServerProcess, Target } from './support/processes.ts';
import { childEnv, freePort, json, killAll, runCli, splitOutput, startServer } from './support/processes.ts';
import { DIALECTS, eachDialect, freshDatabase } from './support/test-node.ts';
import {
  adminToken,
  awaitCheckpoint,
  driveWrites,
  expectLogIntact,
  loadFor,
  logSizeAt,
  range,
  storedIndexes,
} from './support/write-load.ts';

const SLOW = 120_000;
const HAS_PG = DIALECTS.includes('postgres');

eachDialect('sequencing: concurrent creates in one process', (node) => {
  it(
    'gives 200 concurrent creates distinct indexes that continue the log without a gap',
    { timeout: SLOW },
    async () => {
      const { app, adminToken: token, deps } = node();
      const before = await logSize(app);
      const replies = await Promise.all(
        range(200).map((n) =>
          api(app, 'POST', '/v1/parties', {
            token,
            body: { uscc: uscc(), name: { en: `Concurrent ${n}` }, roles: ['importer'], region: '410000' },
          }),
        ),
      );
      const bad = replies.filter((r) => r.status !== 201);
      expect(bad.map((r) => `${r.status} ${JSON.stringify(r.body)}`)).toEqual([]);
      const indexes = replies.map((r) => r.body.logIndex as number).sort((a, b) => a - b);
      // Nothing else writes: the 200 take exactly the next 200 indexes.
      expect(indexes).toEqual(range(200).map((i) => before + i));

      const size = await logSize(app);
      expect(size).toBe(before + 200);
      const stored = await deps.db.selectFrom('logEntries').select('idx').orderBy('idx').execute();
      expect(stored.map((r) => Number(r.idx))).toEqual(range(size));
      expect(await node().checkpoint()).toBe(size);
    },
  );
});

/** logSize is GET /healthz's logSize, through app.inject. */
async function logSize(app: FastifyInstance): Promise<number> {
  const h = await api(app, 'GET', '/healthz');
  expect(h.status).toBe(200);
  return h.body.logSize as number;
}

/** expectNoErrors asserts srv logged nothing at error level or above (pino: 50). */
function expectNoErrors(srv: ServerProcess): void {
  const errors = splitOutput(srv.stdout).logs.filter((l) => l.level >= 50);
  expect(errors, srv.stdout).toEqual([]);
}

describe.skipIf(!HAS_PG)('sequencing: several processes on one PostgreSQL database', () => {
  const ORIGIN = 'seq.coldtrace.test';
  let target: Target;
  let drop: () => Promise<void>;
  const scratch: string[] = [];
  const tmp = () => {
    const d = mkdtempSync(join(tmpdir(), 'coldtrace-seq-'));
    scratch.push(d);
    return d;
  };
  beforeEach(async () => {
    const db = await freshDatabase('postgres');
    target = { kind: 'postgres', dataDir: db.dataDir, databaseUrl: db.databaseUrl };
    drop = db.drop;
  });
  afterEach(async () => {
    await killAll();
    await drop();
    for (const d of scratch.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it(
    'three servers writing and checkpointing at once share one gapless log that verifies',
    { timeout: SLOW },
    async () => {
      // One node identity on three processes: the same key and origin, each with its own data directory.
      const { signerKey } = generateSigner(ORIGIN);
      const env = childEnv({
        DATABASE_URL: target.databaseUrl,
        COLDTRACE_NODE_KEY: signerKey,
        COLDTRACE_LOG_ORIGIN: ORIGIN,
        // Frequent checkpoints, so the three checkpointers race each other and the writers.
        COLDTRACE_CHECKPOINT_MS: '50',
        LOG_LEVEL: 'warn',
      });
      const start = async () => {
        const port = await freePort();
        const base = `http://127.0.0.1:${port}`;
        const dir = tmp();
        return startServer(['--port', String(port), '--data', dir], { env, cwd: dir, base });
      };
      const first = await start();
      const token = await adminToken(first);
      const servers = [first, ...(await Promise.all([start(), start()]))];
      const endpoints = servers.map((s) => ({ base: s.base, token }));

      const load = driveWrites(endpoints, 6);
      await loadFor(load, endpoints, 2_500, 30);
      await load.stop();
      expect(load.failures).toEqual([]);
      for (const ep of endpoints) {
        expect(
          load.acks.filter((a) => a.base === ep.base).length,
          `writes acknowledged by ${ep.base}`,
        ).toBeGreaterThanOrEqual(30);
      }
      // Every write reads back from a server other than the one that took it.
      const size = await expectLogIntact(
        target,
        endpoints[1]!,
        load.acks.filter((a) => a.base !== endpoints[1]!.base),
      );
      await expectLogIntact(
        target,
        endpoints[0]!,
        load.acks.filter((a) => a.base === endpoints[1]!.base),
      );
      for (const ep of endpoints) {
        expect(await logSizeAt(ep.base)).toBe(size);
        await awaitCheckpoint(ep.base, size);
      }

      const stops = await Promise.all(servers.map((s) => s.stop('SIGTERM')));
      expect(stops).toEqual(servers.map(() => ({ code: 0, signal: null })));
      for (const s of servers) expectNoErrors(s);
      const stored = await storedIndexes(target);
      expect(stored.indexes).toEqual(range(size));
      expect(stored.checkpointed).toBe(size);

      const verify = await runCli(['verify', '--data', tmp()], {
        env: childEnv({ DATABASE_URL: target.databaseUrl, COLDTRACE_NODE_KEY: signerKey }),
        cwd: tmp(),
      });
      expect(json(verify), verify.stderr).toMatchObject({ ok: true, entries: size });
    },
  );

  it('four `party add` processes at once take distinct, contiguous indexes', { timeout: SLOW }, async () => {
    const { signerKey } = generateSigner(ORIGIN);
    const env = childEnv({
      DATABASE_URL: target.databaseUrl,
      COLDTRACE_NODE_KEY: signerKey,
      COLDTRACE_LOG_ORIGIN: ORIGIN,
    });
    // On a fresh database: the four also race to migrate it, which must be safe too.
    const results = await Promise.all(
      range(4).map((n) =>
        runCli(
          [
            'party',
            'add',
            '--name',
            `并发${n}|Concurrent ${n}`,
            '--uscc',
            uscc(),
            '--roles',
            'importer',
            '--region',
            '410000',
            '--data',
            tmp(),
          ],
          {
            env,
            cwd: tmp(),
          },
        ),
      ),
    );
    const added = results.map((r) => json(r) as { id: string; logIndex: number });
    // Each command appends two entries (the party, then its token): eight in all, 0..7.
    const stored = await storedIndexes(target);
    expect(stored.indexes).toEqual(range(8));
    expect(stored.size).toBe(8);
    const indexes = added.map((p) => p.logIndex);
    expect(new Set(indexes).size).toBe(4);
    expect(indexes.every((i) => i >= 0 && i < 8)).toBe(true);

    const verify = await runCli(['verify', '--data', tmp()], { env, cwd: tmp() });
    expect(json(verify), verify.stderr).toMatchObject({ ok: true, entries: 8 });
  });
});

describe.skipIf(!DIALECTS.includes('sqlite'))('sequencing: several processes on one SQLite file', () => {
  const ORIGIN = 'seq.coldtrace.test';
  let target: Target;
  let drop: () => Promise<void>;
  beforeEach(async () => {
    const db = await freshDatabase('sqlite');
    target = { kind: 'sqlite', dataDir: db.dataDir, databaseUrl: undefined };
    drop = db.drop;
  });
  afterEach(async () => {
    await killAll();
    await drop();
  });

  it(
    '`party add` processes and a server under load share the file without failing or skipping',
    { timeout: SLOW },
    async () => {
      // SQLite serialises writers across processes with its file lock: each waits its turn (busy_timeout)
      // rather than failing, whichever process wrote last.
      const env = childEnv({ COLDTRACE_LOG_ORIGIN: ORIGIN, COLDTRACE_CHECKPOINT_MS: '50', LOG_LEVEL: 'warn' });
      const port = await freePort();
      const base = `http://127.0.0.1:${port}`;
      const srv = await startServer(['--port', String(port), '--data', target.dataDir], {
        env,
        cwd: target.dataDir,
        base,
      });
      const token = await adminToken(srv);

      const load = driveWrites([{ base, token }], 6);
      const results = await Promise.all(
        range(4).map((n) =>
          runCli(
            [
              'party',
              'add',
              '--name',
              `Concurrent ${n}`,
              '--uscc',
              uscc(),
              '--roles',
              'importer',
              '--region',
              '410000',
              '--data',
              target.dataDir,
            ],
            {
              env,
              cwd: target.dataDir,
            },
          ),
        ),
      );
      await load.stop();
      const added = results.map((r) => json(r) as { id: string; logIndex: number });
      expect(load.failures).toEqual([]);
      expect(load.acks.length, 'writes the server took while the commands ran').toBeGreaterThan(0);

      const cliAcks = added.map((p) => ({ id: p.id, logIndex: p.logIndex, base: 'cli' }));
      const size = await expectLogIntact(target, { base, token }, [...load.acks, ...cliAcks]);
      await awaitCheckpoint(base, size);
      expect(await srv.stop('SIGTERM'), srv.stderr).toEqual({ code: 0, signal: null });
      expectNoErrors(srv);

      const verify = await runCli(['verify', '--data', target.dataDir], { env, cwd: target.dataDir });
      expect(json(verify), verify.stderr).toMatchObject({ ok: true, entries: size });
    },
  );
});
