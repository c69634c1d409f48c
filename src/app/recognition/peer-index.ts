import type { Kysely, Transaction } from 'kysely';
import { leafHash } from '../../log/hash.ts';
import { TILE_WIDTH, decodeEntryBundle } from '../../log/tiles.ts';
import type { RowWrite } from '../../store/rows.ts';
import { PROJECTED_KEYS } from '../../store/schema.ts';
import type { ProjectedTable, Schema } from '../../store/schema.ts';
import { inChunks } from '../../store/trace.ts';
import type { Deps } from '../deps.ts';
import type { Entry } from '../write/entry.ts';
import { decodeEntry } from '../write/entry.ts';
import { rowsFor } from '../write/projection.ts';

type Db = Kysely<Schema> | Transaction<Schema>;

/** INDEXED_TABLES are the peers' projected tables that recognition, traces and incident accounts read. */
export const INDEXED_TABLES: readonly ProjectedTable[] = [
  'parties',
  'producers',
  'locations',
  'vehicles',
  'workers',
  'lots',
  'cartonRanges',
  'bookings',
  'documents',
  'disinfections',
  'samples',
  'exitCertificates',
  'suspensions',
  'holdings',
  'shipments',
  'transformations',
  'transformationLots',
  'disposals',
  'retailSales',
  'incidents',
  'incidentLots',
  'incidentHoldings',
  'incidentActions',
];
const INDEXED = new Set<string>(INDEXED_TABLES);

/** UPSERT_ROWS rows of 8 values go in one statement, well inside both databases' limits on bound values. */
const UPSERT_ROWS = 500;

/** PeerEntry is one mirrored entry of a peer's log, decoded, with the rows it projects there. */
export interface PeerEntry {
  readonly origin: string;
  readonly index: number;
  readonly leafHash: string;
  readonly entry: Entry;
  readonly rows: readonly RowWrite[];
}

/** Refusal is a peer's entry this node would not index, with the reason. */
export interface Refusal {
  readonly origin: string;
  readonly index: number;
  readonly reason: string;
}

/** PeerRow is the latest state of one of a peer's rows, parsed. */
export type PeerRecord = Record<string, unknown> & { readonly origin: string; readonly logIndex: number };

// A peer's ids and codes are short printable strings; anything else is not indexed (and a key is refused).
const printable = (v: string) => v.length > 0 && v.length <= 200 && !/[\u0000-\u001f]/.test(v);
const str = (v: unknown): string | null => (typeof v === 'string' && printable(v) ? v : null);

/** rowKey is a peer's row's primary key as peer_rows keeps it. */
export function rowKey(table: ProjectedTable, row: Readonly<Record<string, unknown>>): string | null {
  const parts = PROJECTED_KEYS[table].map((k) => row[k]);
  if (!parts.every((p) => (typeof p === 'string' && printable(p)) || Number.isSafeInteger(p))) return null;
  return parts.map(String).join('\u001f');
}

function refs(table: ProjectedTable, row: Readonly<Record<string, unknown>>) {
  return {
    lotId: table === 'lots' ? str(row.id) : str(row.lotId),
    partyId:
      str(row.partyId) ??
      str(row.toPartyId) ??
      str(row.importerPartyId) ??
      str(row.producerId) ??
      str(row.ownerPartyId) ??
      str(row.carrierPartyId) ??
      str(row.employerPartyId),
    refId:
      table === 'lots'
        ? str(row.code)
        : table === 'incidents'
          ? str(row.rootIncidentId)
          : table === 'shipments'
            ? str(row.fromPartyId)
            : (str(row.incidentId) ?? str(row.transformationId)),
  };
}

/**
 * readPeerEntries reads up to max entries of a peer's mirrored log from index `from`, as the mirror verified them.
 * An entry that is not a coldtrace entry, or whose projection cannot be computed, is returned as a refusal.
 */
export async function readPeerEntries(
  db: Db,
  origin: string,
  from: number,
  to: number,
): Promise<{ entries: PeerEntry[]; refused: Refusal[] }> {
  const entries: PeerEntry[] = [];
  const refused: Refusal[] = [];
  const first = Math.floor(from / TILE_WIDTH);
  const last = Math.floor((to - 1) / TILE_WIDTH);
  const bundles = await db
    .selectFrom('mirrorTiles')
    .select(['idx', 'width', 'data'])
    .where('origin', '=', origin)
    .where('level', '=', -1)
    .where('idx', '>=', first)
    .where('idx', '<=', last)
    .orderBy('idx')
    .execute();
  for (const b of bundles) {
    const list = decodeEntryBundle(Buffer.from(b.data), Number(b.width));
    for (let i = 0; i < list.length; i++) {
      const index = Number(b.idx) * TILE_WIDTH + i;
      if (index < from || index >= to) continue;
      const bytes = list[i]!;
      try {
        const entry = decodeEntry(bytes);
        const rows = rowsFor(entry, index).filter((r) => INDEXED.has(r.table));
        for (const r of rows) if (rowKey(r.table, r.row) === null) throw new Error(`a ${r.table} row has no valid key`);
        entries.push({ origin, index, leafHash: leafHash(bytes).toString('hex'), entry, rows });
      } catch (err) {
        refused.push({
          origin,
          index,
          reason: `entry ${index} cannot be read: ${(err as Error).message}`.slice(0, 300),
        });
      }
    }
  }
  return { entries, refused };
}

/**
 * indexRows stores the rows that a peer's entries project in peer_rows, as the latest state of each row: a whole
 * row replaces the earlier one, a patch is merged into it. A patch of a row the peer never wrote is refused.
 */
export async function indexRows(trx: Transaction<Schema>, entries: readonly PeerEntry[]): Promise<Refusal[]> {
  const refused: Refusal[] = [];
  const latest = new Map<
    string,
    { origin: string; table: ProjectedTable; key: string; row: Record<string, unknown>; index: number }
  >();
  for (const e of entries) {
    for (const w of e.rows) {
      const key = rowKey(w.table, w.row)!;
      const id = `${e.origin}\u0001${w.table}\u0001${key}`;
      let cur = latest.get(id);
      if (w.patch && !cur) {
        const stored = await trx
          .selectFrom('peerRows')
          .select(['data'])
          .where('origin', '=', e.origin)
          .where('tbl', '=', w.table)
          .where('key', '=', key)
          .executeTakeFirst();
        if (!stored) {
          refused.push({
            origin: e.origin,
            index: e.index,
            reason: `entry ${e.index} patches ${w.table} ${key}, which it never wrote`,
          });
          continue;
        }
        cur = {
          origin: e.origin,
          table: w.table,
          key,
          row: JSON.parse(stored.data) as Record<string, unknown>,
          index: e.index,
        };
      }
      const row = w.patch ? { ...cur!.row, ...w.row } : { ...w.row };
      latest.set(id, { origin: e.origin, table: w.table, key, row, index: e.index });
    }
  }
  // Many rows to a statement (keys are distinct: latest keeps one state per row), each replacing the stored state.
  const rows = [...latest.values()].map((v) => ({
    origin: v.origin,
    tbl: v.table,
    key: v.key,
    ...refs(v.table, v.row),
    data: JSON.stringify(v.row),
    logIndex: v.index,
  }));
  for (let i = 0; i < rows.length; i += UPSERT_ROWS) {
    await trx
      .insertInto('peerRows')
      .values(rows.slice(i, i + UPSERT_ROWS))
      .onConflict((oc) =>
        oc.columns(['origin', 'tbl', 'key']).doUpdateSet((eb) => ({
          lotId: eb.ref('excluded.lotId'),
          partyId: eb.ref('excluded.partyId'),
          refId: eb.ref('excluded.refId'),
          data: eb.ref('excluded.data'),
          logIndex: eb.ref('excluded.logIndex'),
        })),
      )
      .execute();
  }
  return refused;
}

// A record's `origin` is the peer's log; a row's own `origin` column (a lot's imported, derived or recognised) is kept
// as `rowOrigin`.
const parse = (r: { origin: string; data: string; logIndex: number }): PeerRecord => {
  const row = JSON.parse(r.data) as Record<string, unknown>;
  return {
    ...row,
    ...(row.origin === undefined ? {} : { rowOrigin: row.origin }),
    origin: r.origin,
    logIndex: Number(r.logIndex),
  };
};

/** peerRowsBy reads the peers' rows of a table whose indexed column (see refs) holds any of values. */
async function peerRowsBy(
  db: Db,
  table: ProjectedTable,
  column: 'key' | 'lotId' | 'partyId' | 'refId',
  values: readonly string[],
  origin?: string,
) {
  const rows = await inChunks([...new Set(values)], (c) => {
    let q = db
      .selectFrom('peerRows')
      .select(['origin', 'data', 'logIndex'])
      .where('tbl', '=', table)
      .where(column, 'in', c);
    if (origin) q = q.where('origin', '=', origin);
    return q.execute();
  });
  return rows.map(parse);
}

/** peerRowsByKey reads the peers' rows of a table by key (and, optionally, of one origin). */
export const peerRowsByKey = (db: Db, table: ProjectedTable, keys: readonly string[], origin?: string) =>
  peerRowsBy(db, table, 'key', keys, origin);

/** peerRowsByLot reads the peers' rows of a table that concern any of lots. */
export const peerRowsByLot = (db: Db, table: ProjectedTable, lotIds: readonly string[]) =>
  peerRowsBy(db, table, 'lotId', lotIds);

/** peerRowsByRef reads the peers' rows of a table by their reference column (see refs). */
export const peerRowsByRef = (db: Db, table: ProjectedTable, refIds: readonly string[]) =>
  peerRowsBy(db, table, 'refId', refIds);

/** peerRowsByParty reads the peers' rows of a table that name any of parties (holder, consignee, importer). */
export const peerRowsByParty = (db: Db, table: ProjectedTable, partyIds: readonly string[]) =>
  peerRowsBy(db, table, 'partyId', partyIds);

/** finalSizes maps each mirrored origin to the size of its latest checkpoint that meets this node's policy. */
export async function finalSizes(deps: Deps): Promise<Map<string, { final: number; verified: number; state: string }>> {
  const rows = await deps.db.selectFrom('mirrors').select(['origin', 'finalSize', 'verifiedSize', 'state']).execute();
  return new Map(
    rows.map((r) => [r.origin, { final: Number(r.finalSize), verified: Number(r.verifiedSize), state: r.state }]),
  );
}
