/**
 * Audit: what lets anyone check this node. Reads of the log (tiles, entry bundles, proofs; log-read.ts) and
 * `coldtrace verify`, from a database (here) or over HTTP (verify-remote.ts).
 *
 * Invariants:
 * - Verify trusts nothing but the entries and the node key: every stored hash, tile, checkpoint and projected row is
 *   recomputed from the entries and compared, and the first disagreement is named.
 * - Verify never writes.
 */
import type { Kysely } from 'kysely';
import { openCheckpoint } from '../../log/checkpoint.ts';
import { HASH_SIZE, bytesEqual, leafHash } from '../../log/hash.ts';
import type { NoteVerifier } from '../../log/note-key.ts';
import { appendTiles } from '../../log/tile-builder.ts';
import { TILE_WIDTH } from '../../log/tiles.ts';
import { emptyFrontier, extendFrontier, frontierRoot } from '../../log/tree.ts';
import type { Frontier } from '../../log/tree.ts';
import { listCheckpoints, logSize } from '../../store/log-store.ts';
import { PROJECTED_KEYS } from '../../store/schema.ts';
import type { ProjectedTable, Schema } from '../../store/schema.ts';
import { decodeEntry } from '../write/entry.ts';
import { commitmentHolds, maskedOf } from '../registry/personal.ts';
import type { PersonalKind } from '../registry/personal.ts';
import { secretCommitment } from '../recall/webhooks.ts';
import { rowsFor } from '../write/projection.ts';
import { temperaturePointsProblem } from '../temperature/verify.ts';

/** VerifyReport is what `coldtrace verify` found: ok, or the first thing that disagrees. */
export interface VerifyReport {
  ok: boolean;
  entries: number;
  checkpoints: number;
  tiles: number;
  rows: number;
  problem?: string;
}

class Disagreement extends Error {}
const fail = (msg: string): never => {
  throw new Disagreement(msg);
};

const PAGE = 10_000;

/**
 * verifyDatabase checks a node's database end to end, without trusting anything derived:
 * every entry's bytes against its stored leaf hash and the checkpointed tiles; the tree recomputed
 * from the entries against every checkpoint's signature, origin and root (so consecutive checkpoints
 * are consistent, being prefixes of one recomputed tree); every stored tile; every projected row,
 * re-derived from the entries; the commitments of the personal data that is still held; and each temperature
 * upload's raw points against the SHA-256 its entry holds.
 * It stops at the first disagreement and names the entry, tile or row.
 */
export async function verifyDatabase(
  db: Kysely<Schema>,
  origin: string,
  verifiers: readonly NoteVerifier[],
): Promise<VerifyReport> {
  const report: VerifyReport = { ok: false, entries: 0, checkpoints: 0, tiles: 0, rows: 0 };
  try {
    await run(db, origin, verifiers, report);
    report.ok = true;
  } catch (err) {
    if (!(err instanceof Disagreement)) throw err;
    report.problem = err.message;
  }
  return report;
}

async function run(db: Kysely<Schema>, origin: string, verifiers: readonly NoteVerifier[], report: VerifyReport) {
  const size = await logSize(db);
  const checkpoints = await listCheckpoints(db);
  const storedTiles = await db.selectFrom('logTiles').selectAll().execute();
  const level0 = new Map(storedTiles.filter((t) => t.level === 0).map((t) => [Number(t.idx), t.data]));
  for (const cp of checkpoints) {
    if (Number(cp.size) > size) fail(`checkpoint at size ${cp.size} is beyond the log's ${size} entries`);
  }

  const expected = new Map<string, { row: Record<string, unknown>; entry: number }>();
  const personalRefs = new Map<string, PersonalRef>();
  const erased = new Set<string>();
  const leaves: Buffer[] = [];
  let frontier: Frontier = emptyFrontier();
  let nextCp = 0;
  const checkCheckpoints = () => {
    while (nextCp < checkpoints.length && Number(checkpoints[nextCp]!.size) === frontier.size) {
      const cp = checkpoints[nextCp]!;
      let opened;
      try {
        opened = openCheckpoint(cp.note, origin, verifiers);
      } catch (err) {
        fail(`checkpoint at size ${cp.size}: ${(err as Error).message}`);
      }
      const root = frontierRoot(frontier);
      if (opened!.checkpoint.size !== frontier.size || !bytesEqual(opened!.checkpoint.root, Buffer.from(cp.root))) {
        fail(`checkpoint at size ${cp.size}: the signed note does not match the stored size and root`);
      }
      if (!bytesEqual(root, opened!.checkpoint.root)) {
        fail(`checkpoint at size ${cp.size}: its root does not match the tree of entries 0..${frontier.size - 1}`);
      }
      nextCp++;
      report.checkpoints++;
    }
  };
  checkCheckpoints();

  for (let from = 0; from < size; from += PAGE) {
    const rows = await db
      .selectFrom('logEntries')
      .select(['idx', 'leafHash', 'data'])
      .where('idx', '>=', from)
      .where('idx', '<', Math.min(from + PAGE, size))
      .orderBy('idx')
      .execute();
    let batch: Buffer[] = [];
    for (const [k, r] of rows.entries()) {
      const idx = from + k;
      if (Number(r.idx) !== idx) fail(`entry ${idx} is missing (found ${r.idx} in its place)`);
      // Drivers hand back Buffers: no copy.
      const data = r.data;
      const lh = leafHash(data);
      if (!bytesEqual(lh, r.leafHash)) fail(`entry ${idx}: its bytes do not match its stored leaf hash`);
      const tile = level0.get(Math.floor(idx / TILE_WIDTH));
      const off = (idx % TILE_WIDTH) * HASH_SIZE;
      if (tile && off < tile.length && !bytesEqual(lh, tile.subarray(off, off + HASH_SIZE))) {
        fail(`entry ${idx}: its hash differs from the checkpointed tile (the entry was changed or moved)`);
      }
      let entry;
      try {
        entry = decodeEntry(data);
      } catch {
        fail(`entry ${idx}: not a coldtrace entry`);
      }
      for (const w of rowsFor(entry!, idx)) {
        const k = rowKey(w.table, w.row);
        const prior = expected.get(k);
        if (w.patch && !prior)
          fail(`entry ${idx} changes ${w.table} row ${k.split('\u0000')[1]}, which no earlier entry wrote`);
        expected.set(k, { row: w.patch ? { ...prior!.row, ...w.row } : { ...w.row }, entry: idx });
      }
      const rec = entry!.record as {
        idNumber?: { ref: string; commitment: string };
        ref?: string;
        retailSale?: { buyerRef: string | null; buyerCommitment: string | null };
      };
      // A worker keeps its ID number's ref across updates: the first entry that names a ref is the one that made it.
      if (rec.idNumber && !personalRefs.has(rec.idNumber.ref))
        personalRefs.set(rec.idNumber.ref, { commitment: rec.idNumber.commitment, kind: 'resident_id', entry: idx });
      if (rec.retailSale?.buyerRef && rec.retailSale.buyerCommitment)
        personalRefs.set(rec.retailSale.buyerRef, {
          commitment: rec.retailSale.buyerCommitment,
          kind: 'retail_buyer',
          entry: idx,
        });
      if (entry!.type === 'personal.erased' && rec.ref) erased.add(rec.ref);
      leaves.push(lh);
      batch.push(lh);
      const cpSize = checkpoints[nextCp] ? Number(checkpoints[nextCp]!.size) : -1;
      if (cpSize === idx + 1) {
        frontier = extendFrontier(frontier, batch);
        batch = [];
        checkCheckpoints();
      }
    }
    if (rows.length !== Math.min(PAGE, size - from)) fail(`entry ${from + rows.length} is missing`);
    frontier = extendFrontier(frontier, batch);
    report.entries += rows.length;
  }
  const beyond = await db.selectFrom('logEntries').select('idx').where('idx', '>=', size).limit(1).executeTakeFirst();
  if (beyond) fail(`entry ${beyond.idx} is beyond the log size ${size}`);
  if (nextCp < checkpoints.length) fail(`checkpoint at size ${checkpoints[nextCp]!.size} was never reached`);

  checkTiles(storedTiles, leaves);
  report.tiles = storedTiles.length;
  report.rows = await checkRows(db, expected);
  await checkPersonal(db, personalRefs, erased);
  await checkWebhookSecrets(db);
  const points = await temperaturePointsProblem(db);
  if (points) fail(points);
}

function checkTiles(stored: Schema['logTiles'][], leaves: Buffer[]) {
  const computed = new Map(appendTiles(0, [], leaves).map((t) => [`${t.level}/${t.index}`, t]));
  const sorted = [...stored].sort((a, b) => a.level - b.level || Number(a.idx) - Number(b.idx));
  for (const t of sorted) {
    const want = computed.get(`${t.level}/${t.idx}`);
    const data = Buffer.from(t.data);
    if (
      !want ||
      want.width < t.width ||
      data.length !== t.width * HASH_SIZE ||
      !bytesEqual(data, want.data.subarray(0, data.length))
    ) {
      fail(`tile ${t.level}/${t.idx} (width ${t.width}) does not match the entries`);
    }
  }
}

function rowKey(table: ProjectedTable, row: Readonly<Record<string, unknown>>): string {
  return `${table}\u0000${PROJECTED_KEYS[table].map((k) => String(row[k])).join('\u0000')}`;
}

function norm(v: unknown): string {
  if (v instanceof Uint8Array) return `bytes:${Buffer.from(v).toString('hex')}`;
  if (typeof v === 'bigint') return String(v);
  if (typeof v === 'string' && /^-?\d+$/.test(v) && v.length < 16) return v;
  return JSON.stringify(v ?? null);
}

async function checkRows(db: Kysely<Schema>, expected: Map<string, { row: Record<string, unknown>; entry: number }>) {
  let count = 0;
  for (const table of Object.keys(PROJECTED_KEYS) as ProjectedTable[]) {
    const keys = PROJECTED_KEYS[table];
    // Projected tables share no static row type; read them generically.
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- generic over the projected tables
    const rows = (await (db as Kysely<any>).selectFrom(table).selectAll().orderBy(keys[0]!).execute()) as Record<
      string,
      unknown
    >[];
    for (const actual of rows) {
      const k = rowKey(table, actual);
      const want = expected.get(k);
      const label = () => `${table} row ${keys.map((c) => String(actual[c])).join('/')}`;
      if (!want) fail(`${label()} is not in the log`);
      for (const col in want!.row) {
        const value = want!.row[col];
        // Most columns are equal primitives; normalise only what is not.
        if (value === actual[col] || norm(value) === norm(actual[col])) continue;
        fail(
          `${label()}, column ${col}: the log (entry ${want!.entry}) says ${norm(value)}, the table has ${norm(actual[col])}`,
        );
      }
      expected.delete(k);
      count++;
    }
  }
  for (const [k, want] of expected) {
    const [table] = k.split('\u0000');
    fail(`${table} row ${k.split('\u0000').slice(1).join('/')} written by entry ${want.entry} is missing`);
  }
  return count;
}

/** checkWebhookSecrets checks every kept webhook signing secret against the SHA-256 its subscription logged. */
async function checkWebhookSecrets(db: Kysely<Schema>) {
  const rows = await db
    .selectFrom('webhookSecrets')
    .innerJoin('webhooks', 'webhooks.id', 'webhookSecrets.webhookId')
    .select(['webhooks.id', 'webhookSecrets.secret', 'webhooks.secretSha256'])
    .execute();
  for (const r of rows) {
    if (secretCommitment(r.secret) !== r.secretSha256)
      fail(`webhook ${r.id}: the kept signing secret does not match the SHA-256 in its log entry`);
  }
}

/** PersonalRef is what the log says of a personal-data row: its commitment, the kind its entry implies, and where. */
type PersonalRef = { commitment: string; kind: PersonalKind; entry: number };

/**
 * checkPersonal checks every personal-data row against the log. Each row must be named by an entry, with the
 * commitment that entry holds and the kind that entry implies (a worker's ID number, a retail buyer). A row still
 * held must open its commitment (kind and value, or the value alone for a version 1 commitment) and show the masked
 * form of its value; an erased row must have its erasure logged and hold nothing, and is not opened.
 */
async function checkPersonal(db: Kysely<Schema>, refs: Map<string, PersonalRef>, erased: Set<string>) {
  const rows = await db.selectFrom('personalData').selectAll().orderBy('id').execute();
  const byId = new Map(rows.map((r) => [r.id, r]));
  for (const [ref, { entry }] of refs) {
    if (!byId.has(ref)) fail(`personal data ${ref} (entry ${entry}) is missing, and no erasure of it is logged`);
  }
  for (const row of rows) {
    const ref = row.id;
    const want = refs.get(ref);
    if (!want) fail(`personal data ${ref} is not in the log`);
    const { commitment, kind, entry } = want!;
    if (row.commitment !== commitment) fail(`personal data ${ref}: commitment differs from entry ${entry}`);
    if (row.kind !== kind)
      fail(`personal data ${ref}, column kind: the log (entry ${entry}) says ${kind}, the table has ${row.kind}`);
    if (row.erasedAt !== null) {
      if (!erased.has(ref)) fail(`personal data ${ref} is erased, but no erasure of it is logged`);
      if (row.value !== null || row.salt !== null || row.masked !== null)
        fail(`personal data ${ref} is marked erased but still holds data`);
      continue;
    }
    if (row.value === null || row.salt === null || !commitmentHolds(commitment, row.salt, row.kind, row.value)) {
      fail(`personal data ${ref}: the held value does not match its commitment in entry ${entry}`);
    }
    if (row.masked !== maskedOf(row.kind, row.value!))
      fail(`personal data ${ref}, column masked: it is not the masked form of the held value`);
  }
}
