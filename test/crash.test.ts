import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ServerProcess, Target } from './support/processes.ts';
import { childEnv, dbEnv, freePort, json, killAll, runCli, splitOutput, startServer } from './support/processes.ts';
import { DIALECTS, freshDatabase } from './support/test-node.ts';
import type { Ack } from './support/write-load.ts';
import {
  adminToken,
  awaitCheckpoint,
  driveWrites,
  expectLogIntact,
  loadFor,
  storedIndexes,
} from './support/write-load.ts';

const SLOW = 120_000;
/** LOAD_MS is how long writes run, at least, before each kill. */
const LOAD_MS = 1_500;
const LOOPS = 8;
/** MIN_ACKS is how many writes each round must see acknowledged before the kill. */
const MIN_ACKS = 40;
/** KILLS is how many times the server dies mid-load before the final clean stop. */
const KILLS = 2;
const ORIGIN = 'crash.coldtrace.test';

/** expectNoErrors asserts srv logged nothing at error level or above (pino: 50). */
function expectNoErrors(srv: ServerProcess): void {
  const done = srv.stdout.slice(0, srv.stdout.lastIndexOf('\n') + 1);
  const errors = splitOutput(done).logs.filter((l) => l.level >= 50);
  expect(errors, srv.stdout).toEqual([]);
}

for (const kind of DIALECTS) {
  describe(`crash: SIGKILL under write load [${kind}]`, () => {
    let target: Target;
    let drop: () => Promise<void>;
    beforeEach(async () => {
      const db = await freshDatabase(kind);
      target = { kind, dataDir: db.dataDir, databaseUrl: db.databaseUrl };
      drop = db.drop;
    });
    afterEach(async () => {
      await killAll();
      await drop();
    });

    it(
      'keeps every acknowledged write, leaves no gap, re-checkpoints and verifies after restart',
      { timeout: SLOW },
      async () => {
        // The same port, data directory, origin and database on every start: a restart, not a new node.
        const port = await freePort();
        const base = `http://127.0.0.1:${port}`;
        const env = childEnv({
          ...dbEnv(target),
          COLDTRACE_CHECKPOINT_MS: '200',
          COLDTRACE_LOG_ORIGIN: ORIGIN,
          LOG_LEVEL: 'warn',
        });
        const start = () =>
          startServer(['--port', String(port), '--data', target.dataDir], { env, cwd: target.dataDir, base });

        let srv = await start();
        const token = await adminToken(srv);
        const acks: Ack[] = [];
        for (let kill = 1; kill <= KILLS; kill++) {
          const load = driveWrites([{ base, token }], LOOPS);
          await loadFor(load, [{ base, token }], LOAD_MS, MIN_ACKS);
          // Kill with requests in flight and checkpoints being signed every 200 ms.
          load.cut();
          srv.child.kill('SIGKILL');
          expect(await srv.exited).toEqual({ code: null, signal: 'SIGKILL' });
          await load.done;
          expect(load.failures, 'answers before the kill').toEqual([]);
          expect(load.acks.length, 'writes acknowledged before the kill').toBeGreaterThanOrEqual(MIN_ACKS);
          expectNoErrors(srv);
          acks.push(...load.acks);

          // What the kill left, before any restart runs: entries 0..size-1 with no gap, each acknowledged
          // write among them, and checkpoints only of sizes the log has reached.
          const left = await storedIndexes(target);
          expect(left.indexes.length).toBe(left.size);
          expect(
            left.indexes.every((idx, i) => idx === i),
            'entries are exactly 0..size-1',
          ).toBe(true);
          expect(Math.max(...acks.map((a) => a.logIndex))).toBeLessThan(left.size);
          expect(left.checkpointed ?? 0).toBeLessThanOrEqual(left.size);

          srv = await start();
          expect(srv.stdout, 'a restart prints no new admin token').not.toMatch(/ct_/);
          const size = await expectLogIntact(target, { base, token }, acks);
          expect(size).toBeGreaterThan(Math.max(...acks.map((a) => a.logIndex)));
          // The log matches its last checkpoint: the restarted checkpointer signs the whole log.
          await awaitCheckpoint(base, size);
        }

        expect(await srv.stop('SIGTERM'), srv.stderr).toEqual({ code: 0, signal: null });
        expectNoErrors(srv);
        const stored = await storedIndexes(target);
        expect(stored.checkpointed, 'a clean stop leaves the whole log checkpointed').toBe(stored.size);

        const verify = await runCli(['verify', '--data', target.dataDir], {
          env: childEnv({ ...dbEnv(target), COLDTRACE_LOG_ORIGIN: ORIGIN }),
          cwd: target.dataDir,
        });
        const report = json(verify);
        expect(report, verify.stderr).toMatchObject({ ok: true, entries: stored.size });
        expect(report.checkpoints).toBeGreaterThan(KILLS);
      },
    );
  });
}
