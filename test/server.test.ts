import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { countParties } from '../src/store/parties.ts';
import { uscc } from './support/http.ts';
import type { HttpReply, LogLine, ServerProcess, Target } from './support/processes.ts';
import {
  childEnv,
  dbArgs,
  dbEnv,
  freePort,
  http,
  killAll,
  openTarget,
  splitOutput,
  startServer,
} from './support/processes.ts';
import { DIALECTS, freshDatabase } from './support/test-node.ts';

const SLOW = 120_000;

/**
 * expectCleanStop stops srv with SIGTERM and checks it exits 0, promptly (no handle left open to hold
 * it), and logs that it stopped cleanly as its last line.
 */
async function expectCleanStop(srv: ServerProcess): Promise<LogLine[]> {
  const t0 = Date.now();
  expect(await srv.stop('SIGTERM'), srv.stderr).toEqual({ code: 0, signal: null });
  expect(Date.now() - t0).toBeLessThan(4_500);
  expect(srv.stderr).toBe('');
  const { logs } = splitOutput(srv.stdout);
  const msgs = logs.map((l) => l.msg);
  expect(msgs, srv.stdout).toContain('stopping: finishing requests in flight');
  expect(msgs.at(-1), srv.stdout).toBe('stopped cleanly');
  return logs;
}

/** servingLine waits for srv's "coldtrace serving" log line, written just after it starts listening. */
async function servingLine(srv: ServerProcess): Promise<LogLine> {
  const isServing = (l: LogLine) => l.msg === 'coldtrace serving';
  await srv.waitFor((logs) => logs.some(isServing), 'the serving log line');
  return srv.logs().find(isServing)!;
}

for (const kind of DIALECTS) {
  describe(`coldtrace serve [${kind}]`, () => {
    let target: Target;
    let drop: () => Promise<void>;
    const scratch: string[] = [];
    beforeEach(async () => {
      const db = await freshDatabase(kind);
      target = { kind, dataDir: db.dataDir, databaseUrl: db.databaseUrl };
      drop = db.drop;
    });
    afterEach(async () => {
      await killAll();
      await drop();
      for (const d of scratch.splice(0)) rmSync(d, { recursive: true, force: true });
    });

    /** tmp makes a scratch directory removed after the test. */
    const tmp = () => {
      const d = mkdtempSync(join(tmpdir(), 'coldtrace-srv-'));
      scratch.push(d);
      return d;
    };

    /** start serves target on a free port on 127.0.0.1. */
    const start = async () => {
      const port = await freePort();
      const base = `http://127.0.0.1:${port}`;
      const srv = await startServer(['--port', String(port), ...dbArgs(target)], {
        env: childEnv(dbEnv(target)),
        cwd: tmp(),
        base,
      });
      // Once the serving line is read, so is the banner before it.
      await servingLine(srv);
      return { srv, base };
    };

    it(
      'prints the admin token on first start only; it acts as the national regulator',
      async () => {
        const first = await start();
        const health = await http(first.base, 'GET', '/healthz');
        expect(health.status).toBe(200);
        expect(health.body).toMatchObject({ status: 'ok', database: kind });

        const out = splitOutput(first.srv.stdout);
        expect(out.token).toMatch(/^ct_[A-Za-z0-9_-]{43}$/);
        expect(out.banner).toMatch(/first start/);
        expect(out.banner).toMatch(/pty_[0-9A-Z]{26}/);
        const token = out.token!;
        const me = await http(first.base, 'GET', '/v1/me', { token });
        expect(me.status, JSON.stringify(me.body)).toBe(200);
        expect(me.body).toMatchObject({
          roles: ['regulator'],
          level: 'national',
          national: true,
          id: out.banner.match(/pty_[0-9A-Z]{26}/)![0],
        });
        const logs = await expectCleanStop(first.srv);
        expect(logs.find((l) => l.msg === 'coldtrace serving')).toMatchObject({ database: kind });

        const second = await start();
        const again = splitOutput(second.srv.stdout);
        expect(again.token).toBeNull();
        expect(again.banner).toBe('');
        expect(second.srv.stdout).not.toMatch(/ct_[A-Za-z0-9_-]{43}/);
        expect((await http(second.base, 'GET', '/v1/me', { token })).status).toBe(200);
        expect((await http(second.base, 'GET', '/healthz')).body).toMatchObject({ status: 'ok', database: kind });
        await expectCleanStop(second.srv);
      },
      SLOW,
    );

    it(
      'honours PORT and HOST, and --port and --host over them',
      async () => {
        // Any 127/8 address is loopback on Linux: binding 127.0.0.2 proves HOST was read.
        const envPort = await freePort('127.0.0.2');
        const byEnv = await startServer(dbArgs(target), {
          env: childEnv({ ...dbEnv(target), PORT: String(envPort), HOST: '127.0.0.2' }),
          cwd: tmp(),
          base: `http://127.0.0.2:${envPort}`,
        });
        expect((await http(byEnv.base, 'GET', '/healthz')).body).toMatchObject({ status: 'ok', database: kind });
        await expect(http(`http://127.0.0.1:${envPort}`, 'GET', '/healthz')).rejects.toMatchObject({
          code: 'ECONNREFUSED',
        });
        expect(await servingLine(byEnv)).toMatchObject({ publicUrl: `http://127.0.0.2:${envPort}` });
        await expectCleanStop(byEnv);

        const flagPort = await freePort();
        const ignoredPort = await freePort('127.0.0.2');
        const byFlags = await startServer(['--port', String(flagPort), '--host', '127.0.0.1', ...dbArgs(target)], {
          env: childEnv({ ...dbEnv(target), PORT: String(ignoredPort), HOST: '127.0.0.2' }),
          cwd: tmp(),
          base: `http://127.0.0.1:${flagPort}`,
        });
        expect((await http(byFlags.base, 'GET', '/healthz')).status).toBe(200);
        await expect(http(`http://127.0.0.2:${ignoredPort}`, 'GET', '/healthz')).rejects.toMatchObject({
          code: 'ECONNREFUSED',
        });
        await expectCleanStop(byFlags);
      },
      SLOW,
    );

    it(
      'takes its data directory from COLDTRACE_DATA, and --data over it',
      async () => {
        const envDir = tmp();
        const cwd = tmp();
        const port = await freePort();
        const byEnv = await startServer(['--port', String(port)], {
          env: childEnv({ ...dbEnv(target), COLDTRACE_DATA: envDir }),
          cwd,
          base: `http://127.0.0.1:${port}`,
        });
        expect(await servingLine(byEnv)).toMatchObject({ dataDir: envDir });
        await expectCleanStop(byEnv);
        if (kind === 'sqlite') expect(existsSync(join(envDir, 'coldtrace.db'))).toBe(true);
        // Nothing went to the default ./data under the working directory.
        expect(readdirSync(cwd)).toEqual([]);

        const flagDir = tmp();
        const port2 = await freePort();
        const byFlag = await startServer(['--port', String(port2), '--data', flagDir], {
          env: childEnv({ ...dbEnv(target), COLDTRACE_DATA: envDir }),
          cwd,
          base: `http://127.0.0.1:${port2}`,
        });
        expect(await servingLine(byFlag)).toMatchObject({ dataDir: flagDir });
        // SQLite: a fresh database in the new directory, so a first start with a token. PostgreSQL: same database, none.
        expect(splitOutput(byFlag.stdout).token !== null).toBe(kind === 'sqlite');
        await expectCleanStop(byFlag);
        if (kind === 'sqlite') expect(existsSync(join(flagDir, 'coldtrace.db'))).toBe(true);
      },
      SLOW,
    );

    it(
      'on SIGTERM finishes every request it accepted, then closes the database cleanly',
      async () => {
        const { srv, base } = await start();
        const admin = splitOutput(srv.stdout).token!;
        const partyBody = () => ({
          uscc: uscc(),
          name: { zh: '在途冷链', en: 'In Flight Cold Chain' },
          roles: ['cold_store'],
          region: '410000',
        });
        const incomingPosts = () =>
          srv.logs().filter((l) => l.msg === 'incoming request' && (l.req as { method?: string })?.method === 'POST');

        // Slow clients: headers and half the body now, the rest only after SIGTERM. The server has
        // accepted these requests (it logged them) and must finish them.
        const SLOW_CLIENTS = 3;
        const slow = Array.from({ length: SLOW_CLIENTS }, () => slowPost(base, '/v1/parties', admin, partyBody()));
        await srv.waitFor(() => incomingPosts().length >= SLOW_CLIENTS, 'the slow requests to arrive');

        // A burst of ordinary clients, still arriving as SIGTERM lands.
        const burst: Promise<HttpReply | Error>[] = Array.from({ length: 40 }, () =>
          http(base, 'POST', '/v1/parties', { token: admin, body: partyBody() }).catch((e: Error) => e),
        );
        await srv.waitFor(() => incomingPosts().length > SLOW_CLIENTS, 'the burst to start');
        srv.child.kill('SIGTERM');
        await srv.waitFor(
          (l) => l.some((x) => x.msg === 'stopping: finishing requests in flight'),
          'the server to start stopping',
        );
        for (const s of slow) s.finish();

        const slowReplies = await Promise.all(slow.map((s) => s.reply));
        for (const r of slowReplies) {
          expect(r.status, JSON.stringify(r.body)).toBe(201);
          expect(r.body.id).toMatch(/^pty_/);
        }
        const burstReplies = await Promise.all(burst);
        const answered = burstReplies.filter((r): r is HttpReply => !(r instanceof Error));
        const refused = burstReplies.filter((r): r is Error => r instanceof Error);
        // A client whose request the server never read (still in the listen backlog, or on a connection
        // closed as idle) gets a refused or reset connection, never a cut-short answer. The counts below
        // and the party count in the database show none of those requests ran.
        for (const e of refused)
          expect(['ECONNREFUSED', 'ECONNRESET'], String(e)).toContain((e as NodeJS.ErrnoException).code);
        for (const r of answered) {
          expect([201, 503], JSON.stringify(r.body)).toContain(r.status);
          if (r.status === 201) expect(r.body.id).toMatch(/^pty_/);
          else expect(r.body).toBeTypeOf('object');
        }

        const logs = await expectCleanStop(srv);
        // Every request the server logged as accepted was answered, and the clients got every answer.
        const accepted = logs
          .filter((l) => l.msg === 'incoming request' && (l.req as { method?: string }).method === 'POST')
          .map((l) => l.reqId);
        const completed = new Set(logs.filter((l) => l.msg === 'request completed').map((l) => l.reqId));
        for (const id of accepted) expect(completed.has(id), `request ${String(id)} never completed`).toBe(true);
        const accepted503 = logs.filter((l) => /refusing to accept new requests/.test(l.msg)).length;
        expect(slowReplies.length + answered.filter((r) => r.status !== 503).length).toBe(accepted.length);
        expect(answered.filter((r) => r.status === 503).length).toBe(accepted503);

        // The database closed cleanly: for SQLite the WAL was checkpointed and removed, and every party
        // the server acknowledged is there.
        if (kind === 'sqlite') {
          expect(existsSync(join(target.dataDir, 'coldtrace.db-wal'))).toBe(false);
          expect(existsSync(join(target.dataDir, 'coldtrace.db'))).toBe(true);
        }
        const created = slowReplies.length + answered.filter((r) => r.status === 201).length;
        const d = openTarget(target);
        try {
          expect(await countParties(d.db)).toBe(1 + created);
          const ids = [...slowReplies, ...answered.filter((r) => r.status === 201)].map((r) => r.body.id as string);
          const rows = await d.db.selectFrom('parties').select('id').where('id', 'in', ids).execute();
          expect(rows).toHaveLength(ids.length);
        } finally {
          await d.close();
        }
      },
      SLOW,
    );

    it(
      'logs structured JSON lines after the banner, and never the token',
      async () => {
        const { srv, base } = await start();
        const admin = splitOutput(srv.stdout).token!;
        await http(base, 'GET', '/v1/me', { token: admin });
        await http(base, 'GET', '/v1/me', { token: 'ct_not_a_real_token_at_all' });
        await http(base, 'GET', '/no/such/route');
        await http(base, 'POST', '/v1/parties', { token: admin, body: { uscc: 'x' } });
        const logs = await expectCleanStop(srv);
        expect(logs.length).toBeGreaterThanOrEqual(8);
        for (const l of logs) {
          expect(l.level).toBeGreaterThanOrEqual(10);
          expect(Math.abs(l.time - Date.now())).toBeLessThan(10 * 60_000);
        }
        const { banner } = splitOutput(srv.stdout);
        expect(srv.stdout.slice(banner.length)).not.toContain(admin);
        expect(srv.stdout.slice(banner.length)).not.toContain('ct_not_a_real_token');
      },
      SLOW,
    );
  });
}

/** slowPost sends a POST's headers and half its body now, and the rest when finish is called. */
function slowPost(
  base: string,
  path: string,
  token: string,
  body: unknown,
): { reply: Promise<HttpReply>; finish: () => void } {
  const payload = Buffer.from(JSON.stringify(body));
  const half = Math.floor(payload.length / 2);
  let finish = () => {};
  const reply = new Promise<HttpReply>((resolve, reject) => {
    const req = request(
      new URL(path, base),
      {
        method: 'POST',
        agent: false,
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': 'application/json',
          'content-length': String(payload.length),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          if (!res.complete) return reject(new Error('response incomplete'));
          const text = Buffer.concat(chunks).toString('utf8');
          try {
            resolve({ status: res.statusCode ?? 0, body: JSON.parse(text), headers: res.headers });
          } catch (err) {
            reject(new Error(`not JSON: ${text}`, { cause: err }));
          }
        });
      },
    );
    req.on('error', reject);
    req.write(payload.subarray(0, half));
    finish = () => req.end(payload.subarray(half));
  });
  return { reply, finish };
}
