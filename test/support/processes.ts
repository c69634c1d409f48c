import { execFile, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import type { Dialect } from '../../src/store/dialect.ts';
import { openPostgres, openSqlite } from '../../src/store/dialect.ts';
import type { DialectKind } from './test-node.ts';

/** BIN is the coldtrace executable, run exactly as an operator runs it. */
export const BIN = fileURLToPath(new URL('../../bin/coldtrace.js', import.meta.url));

/** Target is one fresh database, as freshDatabase returns it. */
export interface Target {
  kind: DialectKind;
  dataDir: string;
  databaseUrl: string | undefined;
}

// Variables coldtrace reads: a child starts without the parent's, so only what a test sets applies.
const OWN_VARS = ['DATABASE_URL', 'COLDTRACE_DATA', 'COLDTRACE_PUBLIC_URL', 'PORT', 'HOST', 'LOG_LEVEL'];

/** childEnv is the parent's environment minus coldtrace's own variables, plus extra. */
export function childEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const k of OWN_VARS) delete env[k];
  for (const [k, v] of Object.entries(extra)) if (v !== undefined) env[k] = v;
  return env;
}

/** dbArgs are the flags that point a command at t: --data for SQLite, nothing for PostgreSQL. */
export function dbArgs(t: Target): string[] {
  return t.kind === 'sqlite' ? ['--data', t.dataDir] : [];
}

/** dbEnv is the environment that points a command at t: DATABASE_URL for PostgreSQL. */
export function dbEnv(t: Target): Record<string, string | undefined> {
  return { DATABASE_URL: t.databaseUrl };
}

/** CliResult is how a one-shot command ended. */
export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** runCli runs `coldtrace ...args` to completion in cwd and resolves with how it ended; it never rejects. */
export function runCli(args: string[], opts: { env?: NodeJS.ProcessEnv; cwd: string }): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { env: opts.env ?? childEnv(), cwd: opts.cwd, timeout: 60_000, maxBuffer: 16 * 1024 * 1024 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : null) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** json parses a command's stdout, failing the test with its output when it is not JSON. */
export function json(r: CliResult): any {
  expect(r.code, `exit ${String(r.code)}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`).toBe(0);
  return JSON.parse(r.stdout);
}

/** freePort finds a port nobody listens on at host, by binding port 0 and closing. */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, host, () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

/** Reply is a complete HTTP answer: status, headers and parsed JSON body. */
export interface HttpReply {
  status: number;
  body: any;
  headers: Record<string, string | string[] | undefined>;
}

/**
 * http makes one request on its own connection (no keep-alive) and resolves only with a complete
 * response; an aborted or cut-short response rejects.
 */
export function http(
  base: string,
  method: string,
  path: string,
  opts: { token?: string; body?: unknown } = {},
): Promise<HttpReply> {
  const payload = opts.body === undefined ? undefined : JSON.stringify(opts.body);
  const headers: Record<string, string> = {};
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  if (payload !== undefined) {
    headers['content-type'] = 'application/json';
    headers['content-length'] = String(Buffer.byteLength(payload));
  }
  return new Promise((resolve, reject) => {
    const req = request(new URL(path, base), { method, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('aborted', () => reject(new Error('response aborted')));
      res.on('end', () => {
        if (!res.complete) return reject(new Error('response incomplete'));
        const text = Buffer.concat(chunks).toString('utf8');
        try {
          resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : null, headers: res.headers });
        } catch (err) {
          reject(new Error(`not JSON: ${text}`, { cause: err }));
        }
      });
    });
    req.on('error', reject);
    req.end(payload);
  });
}

/** LogLine is one structured log record. */
export interface LogLine {
  level: number;
  time: number;
  msg: string;
  [k: string]: unknown;
}

const TOKEN_LINE = /^\s+(ct_[A-Za-z0-9_-]+)\s*$/;

/**
 * splitOutput splits a server's stdout into the first-start banner (if any), the admin token in it
 * (if any) and the log lines after it. Every line after the banner must parse as a log record with
 * level, time and msg; the test fails naming the first line that does not.
 */
export function splitOutput(stdout: string): { banner: string; token: string | null; logs: LogLine[] } {
  const lines = stdout.split('\n');
  if (lines.at(-1) === '') lines.pop();
  const tokenAt = lines.findIndex((l) => TOKEN_LINE.test(l));
  // The banner ends with the token line and the blank line after it.
  const bannerEnd = tokenAt < 0 ? 0 : tokenAt + 2;
  if (tokenAt >= 0) expect(lines[tokenAt + 1], 'blank line after the token').toBe('');
  const logs = lines.slice(bannerEnd).map((l) => {
    let rec: unknown;
    try {
      rec = JSON.parse(l);
    } catch {
      expect.fail(`stdout line is not JSON: ${JSON.stringify(l)}`);
    }
    expect(rec, l).toMatchObject({ level: expect.any(Number), time: expect.any(Number), msg: expect.any(String) });
    return rec as LogLine;
  });
  return {
    banner: lines.slice(0, bannerEnd).join('\n'),
    token: tokenAt < 0 ? null : TOKEN_LINE.exec(lines[tokenAt]!)![1]!,
    logs,
  };
}

const live = new Set<ChildProcess>();

/** ServerProcess is a running `coldtrace serve` child, with its output so far. */
export class ServerProcess {
  stdout = '';
  stderr = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private closed = false;
  private readonly waiters = new Set<() => void>();

  constructor(
    readonly child: ChildProcess,
    readonly base: string,
  ) {
    live.add(child);
    child.stdout!.setEncoding('utf8').on('data', (s: string) => {
      this.stdout += s;
      for (const w of this.waiters) w();
    });
    child.stderr!.setEncoding('utf8').on('data', (s: string) => {
      this.stderr += s;
    });
    // 'close' comes after the exit and after the last of stdout and stderr has been read.
    this.exited = new Promise((resolve) => {
      child.once('close', (code, signal) => {
        this.closed = true;
        live.delete(child);
        for (const w of this.waiters) w();
        resolve({ code, signal });
      });
    });
  }

  /** running tells whether the child is still running or its output still being read. */
  get running(): boolean {
    return !this.closed;
  }

  /** logs are the structured log lines so far (complete lines only, banner skipped). */
  logs(): LogLine[] {
    const done = this.stdout.slice(0, this.stdout.lastIndexOf('\n') + 1);
    return splitOutput(done).logs;
  }

  /** waitFor resolves when pred holds of the log, and rejects if the child exits first or ms pass. */
  waitFor(pred: (logs: LogLine[]) => boolean, what: string, ms = 20_000): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = () => {
        if (pred(this.logs())) return done(resolve);
        if (!this.running)
          done(() => reject(new Error(`server exited before ${what}\n${this.stdout}\n${this.stderr}`)));
      };
      const timer = setTimeout(
        () => done(() => reject(new Error(`timed out waiting for ${what}\n${this.stdout}`))),
        ms,
      );
      const done = (f: () => void) => {
        clearTimeout(timer);
        this.waiters.delete(check);
        f();
      };
      this.waiters.add(check);
      check();
    });
  }

  /** stop sends signal and waits for the exit. */
  async stop(signal: NodeJS.Signals = 'SIGTERM') {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
    return this.exited;
  }
}

/**
 * startServer spawns `coldtrace serve ...args` and resolves once GET /healthz at base answers 200.
 * It rejects (with the child's output) if the child exits first.
 */
export async function startServer(
  args: string[],
  opts: { env: NodeJS.ProcessEnv; cwd: string; base: string },
): Promise<ServerProcess> {
  const child = spawn(process.execPath, [BIN, 'serve', ...args], {
    env: opts.env,
    cwd: opts.cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const srv = new ServerProcess(child, opts.base);
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(`server exited (${String(child.exitCode)}) before ready\n${srv.stdout}\n${srv.stderr}`);
    const ok = await http(opts.base, 'GET', '/healthz').then(
      (r) => r.status === 200,
      () => false,
    );
    if (ok) return srv;
    if (Date.now() > deadline) throw new Error(`server not ready at ${opts.base}\n${srv.stdout}\n${srv.stderr}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** killAll kills every child still running and waits for them, so no test leaks a process. */
export async function killAll(): Promise<void> {
  await Promise.all(
    [...live].map(
      (c) =>
        new Promise<void>((resolve) => {
          c.once('close', () => resolve());
          c.kill('SIGKILL');
        }),
    ),
  );
}

/** openTarget opens t's database directly, as the node would, for checks after the fact. */
export function openTarget(t: Target): Dialect {
  return t.databaseUrl ? openPostgres(t.databaseUrl, 1) : openSqlite(join(t.dataDir, 'coldtrace.db'));
}
