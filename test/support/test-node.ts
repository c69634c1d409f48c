import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, afterEach, beforeAll, describe, expect } from 'vitest';
import type { Clock, Deps } from '../../src/app/deps.ts';
import { checkpointOnce } from '../../src/app/write/checkpointer.ts';
import { bootstrapAdmin, openNode } from '../../src/app/write/node.ts';
import { buildApp } from '../../src/http/app.ts';
import type { AppOptions } from '../../src/http/app.ts';
import { createPostgresDatabase, dropPostgresDatabase } from '../../src/store/dialect.ts';
import type { ReplyCheck } from './reply-check.ts';
import { installReplyCheck } from './reply-check.ts';

/** DialectKind names a database every store and HTTP suite runs against. */
export type DialectKind = 'sqlite' | 'postgres';

/**
 * PG_ADMIN_URL is the PostgreSQL server tests create their fresh databases on. Set COLDTRACE_TEST_PG=off
 * to run SQLite only on a machine without PostgreSQL (CI never does).
 */
export const PG_ADMIN_URL = process.env.COLDTRACE_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const DIALECTS: DialectKind[] = process.env.COLDTRACE_TEST_PG === 'off' ? ['sqlite'] : ['sqlite', 'postgres'];

/** TestClock is a clock tests move by hand. */
export class TestClock implements Clock {
  constructor(public t = Date.parse('2026-11-25T08:00:00Z')) {}
  now(): number {
    return this.t;
  }
  advance(ms: number): void {
    this.t += ms;
  }
}

/** TestNode is a node on a fresh database with its HTTP app and a national admin token. */
export interface TestNode {
  kind: DialectKind;
  deps: Deps;
  app: FastifyInstance;
  clock: TestClock;
  adminToken: string;
  adminId: string;
  dataDir: string;
  databaseUrl: string | undefined;
  /** replies records every reply the app sent that its route's response schemas do not describe. */
  replies: ReplyCheck;
  /** checkpoint signs a checkpoint for the current log, as the background checkpointer would. */
  checkpoint(): Promise<number | null>;
  close(): Promise<void>;
}

/** freshDatabase makes an empty database of kind and returns where it is and how to drop it. */
export async function freshDatabase(kind: DialectKind) {
  const dataDir = mkdtempSync(join(tmpdir(), 'coldtrace-test-'));
  if (kind === 'sqlite') {
    return { dataDir, databaseUrl: undefined, drop: async () => rmSync(dataDir, { recursive: true, force: true }) };
  }
  const name = `ct_test_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
  const databaseUrl = await createPostgresDatabase(PG_ADMIN_URL, name);
  return {
    dataDir,
    databaseUrl,
    drop: async () => {
      await dropPostgresDatabase(PG_ADMIN_URL, name);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** openTestNode opens a node of kind on a fresh database, bootstrapped with its admin. */
export async function openTestNode(
  kind: DialectKind,
  appOptions: AppOptions = {},
  nodeOptions: { origin?: string; nodeName?: string; nodeRegion?: string | null } = {},
): Promise<TestNode> {
  const db = await freshDatabase(kind);
  const clock = new TestClock();
  const deps = await openNode({
    dataDir: db.dataDir,
    databaseUrl: db.databaseUrl,
    publicUrl: 'http://ct.test',
    clock,
    ...nodeOptions,
  });
  const admin = (await bootstrapAdmin(deps))!;
  const app = await buildApp(deps, appOptions);
  const replies = installReplyCheck(app);
  return {
    kind,
    deps,
    app,
    clock,
    adminToken: admin.token,
    adminId: admin.partyId,
    dataDir: db.dataDir,
    databaseUrl: db.databaseUrl,
    replies,
    checkpoint: () => checkpointOnce(deps.db, deps.log, deps.clock),
    close: async () => {
      const undocumented = replies.take();
      await app.close();
      await deps.dialect.close();
      await db.drop();
      expectDocumented(undocumented);
    },
  };
}

/** expectDocumented fails with the replies that no response schema describes. */
export function expectDocumented(undocumented: string[]): void {
  expect(undocumented, 'replies that the route schemas do not describe').toEqual([]);
}

/**
 * eachDialect declares suite once per database: the same tests, against real SQLite and real
 * PostgreSQL, each on a fresh database.
 */
export function eachDialect(name: string, suite: (node: () => TestNode) => void, appOptions: AppOptions = {}): void {
  for (const kind of DIALECTS) {
    describe(`${name} [${kind}]`, () => {
      let node: TestNode | undefined;
      beforeAll(async () => {
        node = await openTestNode(kind, appOptions);
      });
      // Every reply a test received must match its route's declared response schema.
      afterEach(() => {
        if (node) expectDocumented(node.replies.take());
      });
      afterAll(async () => {
        await node?.close();
      });
      suite(() => {
        if (!node) throw new Error('test node not open');
        return node;
      });
    });
  }
}
