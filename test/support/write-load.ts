import { expect } from 'vitest';
import { openCheckpoint } from '../../src/log/checkpoint.ts';
import { parseVerifierKey } from '../../src/log/note-key.ts';
import { uscc } from './http.ts';
import type { ServerProcess, Target } from './processes.ts';
import { http, openTarget } from './processes.ts';

/** Ack is a write a server acknowledged: 201 with the new party's id and its log index. */
export interface Ack {
  readonly id: string;
  readonly logIndex: number;
  /** base is the server that acknowledged it. */
  readonly base: string;
}

/** Endpoint is a server to write to, and the token to write with. */
export interface Endpoint {
  readonly base: string;
  readonly token: string;
}

/** WriteLoad is concurrent create traffic against one or more servers. */
export interface WriteLoad {
  /** acks are the writes acknowledged so far, in the order the answers arrived. */
  readonly acks: readonly Ack[];
  /** failures are answers no healthy server should give: any status but 201, or a cut connection before cut(). */
  readonly failures: readonly string[];
  /**
   * cut announces that the servers are about to die: from now on a failed connection ends its loop
   * quietly instead of counting as a failure. Answers that still arrive complete are acknowledged.
   */
  cut(): void;
  /** stop ends the loops after their requests in flight, and resolves when they have. */
  stop(): Promise<void>;
  /** done resolves when every loop has ended. */
  readonly done: Promise<void>;
}

/**
 * driveWrites runs `loops` concurrent loops against each endpoint, each POSTing /v1/parties with a
 * fresh valid USCC, one request per connection, until stop() or, after cut(), a failed connection.
 */
export function driveWrites(endpoints: readonly Endpoint[], loops: number): WriteLoad {
  const acks: Ack[] = [];
  const failures: string[] = [];
  let cutting = false;
  let stopping = false;
  const loop = async (ep: Endpoint, n: number) => {
    while (!stopping) {
      const body = { uscc: uscc(), name: { en: `Load ${n}` }, roles: ['importer'], region: '410000' };
      let r;
      try {
        r = await http(ep.base, 'POST', '/v1/parties', { token: ep.token, body });
      } catch (err) {
        if (!cutting) failures.push(`${ep.base}: ${(err as Error).message}`);
        return;
      }
      if (r.status === 201 && typeof r.body?.id === 'string' && Number.isSafeInteger(r.body?.logIndex)) {
        acks.push({ id: r.body.id, logIndex: r.body.logIndex, base: ep.base });
      } else {
        failures.push(`${ep.base}: ${r.status} ${JSON.stringify(r.body)}`);
      }
    }
  };
  const done = Promise.all(endpoints.flatMap((ep) => Array.from({ length: loops }, (_, n) => loop(ep, n)))).then(
    () => {},
  );
  return {
    acks,
    failures,
    cut: () => {
      cutting = true;
    },
    stop: async () => {
      stopping = true;
      await done;
    },
    done,
  };
}

/** sleep resolves after ms. */
export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * loadFor lets load run for at least ms, and then on until every endpoint has acknowledged at least
 * n writes (counting from now), so a slow machine still gets the traffic the test needs. It gives up
 * after 30 s; the caller's own checks then fail.
 */
export async function loadFor(load: WriteLoad, endpoints: readonly Endpoint[], ms: number, n: number): Promise<void> {
  const from = load.acks.length;
  const enough = () => endpoints.every((ep) => load.acks.slice(from).filter((a) => a.base === ep.base).length >= n);
  await sleep(ms);
  for (const deadline = Date.now() + 30_000; !enough() && load.failures.length === 0 && Date.now() < deadline;)
    await sleep(50);
}

const TOKEN_LINE = /^\s+(ct_[A-Za-z0-9_-]+)\s*$/m;

/** adminToken waits for the first-start banner on srv's stdout and returns the admin token in it. */
export async function adminToken(srv: ServerProcess): Promise<string> {
  for (const deadline = Date.now() + 10_000; Date.now() < deadline; await sleep(20)) {
    const m = TOKEN_LINE.exec(srv.stdout);
    if (m) return m[1]!;
  }
  throw new Error(`no admin token on stdout\n${srv.stdout}\n${srv.stderr}`);
}

/** logSizeAt is GET /healthz's logSize at base. */
export async function logSizeAt(base: string): Promise<number> {
  const h = await http(base, 'GET', '/healthz');
  expect(h.status, JSON.stringify(h.body)).toBe(200);
  return h.body.logSize as number;
}

/**
 * signedSizeAt fetches base's latest checkpoint and its verifier key, checks the signature and the
 * origin (the key's name), and returns the signed size; null before the first checkpoint.
 */
export async function signedSizeAt(base: string): Promise<number | null> {
  const vkey = parseVerifierKey((await (await fetch(`${base}/log/vkey`)).text()).trim());
  const res = await fetch(`${base}/log/checkpoint`);
  const text = await res.text();
  if (res.status === 503) return null;
  expect(res.status, text).toBe(200);
  return openCheckpoint(text, vkey.name, [vkey]).checkpoint.size;
}

/** awaitCheckpoint polls base until its latest signed checkpoint covers exactly size entries. */
export async function awaitCheckpoint(base: string, size: number, ms = 15_000): Promise<void> {
  let last: number | null = null;
  for (const deadline = Date.now() + ms; Date.now() < deadline; await sleep(50)) {
    last = await signedSizeAt(base);
    if (last === size) return;
    expect(last ?? 0, 'a checkpoint never runs ahead of the log').toBeLessThanOrEqual(size);
  }
  throw new Error(`the checkpoint at ${base} stayed at size ${String(last)}, not ${size}`);
}

/**
 * storedIndexes reads every log index straight from t's database, in order, with the stored size
 * (log_state) and the size of the largest stored checkpoint.
 */
export async function storedIndexes(
  t: Target,
): Promise<{ indexes: number[]; size: number; checkpointed: number | null }> {
  const dialect = openTarget(t);
  try {
    const rows = await dialect.db.selectFrom('logEntries').select('idx').orderBy('idx').execute();
    const state = await dialect.db.selectFrom('logState').select('size').executeTakeFirstOrThrow();
    const cp = await dialect.db
      .selectFrom('logCheckpoints')
      .select('size')
      .orderBy('size', 'desc')
      .limit(1)
      .executeTakeFirst();
    return {
      indexes: rows.map((r) => Number(r.idx)),
      size: Number(state.size),
      checkpointed: cp ? Number(cp.size) : null,
    };
  } finally {
    await dialect.close();
  }
}

/** range is [0, 1, …, n-1]. */
export const range = (n: number) => Array.from({ length: n }, (_, i) => i);

/**
 * expectLogIntact asserts that the log at base has no gap and keeps every acknowledged write: the
 * stored entries are exactly 0..logSize-1, the acknowledged indexes are distinct and below logSize,
 * and each acknowledged party reads back (from `reader`, any server on the database) with its index.
 */
export async function expectLogIntact(t: Target, reader: Endpoint, acks: readonly Ack[]): Promise<number> {
  const logSize = await logSizeAt(reader.base);
  const stored = await storedIndexes(t);
  expect(stored.size).toBe(logSize);
  expect(stored.indexes.length, 'entries stored').toBe(logSize);
  expect(
    stored.indexes.every((idx, i) => idx === i),
    'entries are exactly 0..size-1',
  ).toBe(true);
  const indexes = acks.map((a) => a.logIndex);
  expect(new Set(indexes).size, 'acknowledged indexes are distinct').toBe(acks.length);
  expect(Math.max(-1, ...indexes), 'acknowledged indexes are in the log').toBeLessThan(logSize);
  const missing: string[] = [];
  let next = 0;
  const check = async () => {
    while (next < acks.length) {
      const a = acks[next++]!;
      const r = await http(reader.base, 'GET', `/v1/parties/${a.id}`, { token: reader.token });
      if (r.status !== 200 || r.body.logIndex !== a.logIndex)
        missing.push(`${a.id}@${a.logIndex}: ${r.status} ${JSON.stringify(r.body)}`);
    }
  };
  await Promise.all(range(8).map(check));
  expect(missing, 'acknowledged writes that did not survive').toEqual([]);
  return logSize;
}
