import type { Kysely, Transaction } from 'kysely';
import type { Schema } from './schema.ts';

type Db = Kysely<Schema> | Transaction<Schema>;

// Both databases take this many bound values in one statement with room to spare (SQLite's default limit
// is 32,766, PostgreSQL's 65,535), so a lookup over any number of ids is split into chunks of it.
const CHUNK = 900;

/** inChunks runs query over ids in chunks small enough for either database and concatenates the rows. */
export async function inChunks<T>(ids: readonly string[], query: (chunk: string[]) => Promise<T[]>): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < ids.length; i += CHUNK) out.push(...(await query(ids.slice(i, i + CHUNK))));
  return out;
}

/** LotLink is one edge of the lot graph: a transformation that took `from` and made `to`. */
export interface LotLink {
  readonly transformationId: string;
  readonly from: string;
  readonly to: string;
}

/**
 * lotLinks walks the lot graph from the given lots, a level at a time, through transformations: forward to the lots
 * made from them, backward to the lots they were made from. It returns every lot reached with its distance from the
 * nearest start (the starts at 0) and every edge crossed. One query per level, whatever the number of lots in it.
 */
export async function lotLinks(db: Db, starts: readonly string[], way: 'forward' | 'backward') {
  const depth = new Map<string, number>(starts.map((id) => [id, 0]));
  const links: LotLink[] = [];
  let frontier = [...new Set(starts)];
  const [near, far] = way === 'forward' ? (['input', 'output'] as const) : (['output', 'input'] as const);
  for (let level = 1; frontier.length > 0; level++) {
    const rows = await inChunks(frontier, (chunk) =>
      db
        .selectFrom('transformationLots as a')
        .innerJoin('transformationLots as b', (j) =>
          j.onRef('b.transformationId', '=', 'a.transformationId').on('b.role', '=', far),
        )
        .select(['a.transformationId as transformationId', 'a.lotId as near', 'b.lotId as far'])
        .where('a.role', '=', near)
        .where('a.lotId', 'in', chunk)
        .execute(),
    );
    const next: string[] = [];
    for (const r of rows) {
      links.push(
        way === 'forward'
          ? { transformationId: r.transformationId, from: r.near, to: r.far }
          : { transformationId: r.transformationId, from: r.far, to: r.near },
      );
      if (!depth.has(r.far)) {
        depth.set(r.far, level);
        next.push(r.far);
      }
    }
    frontier = next;
  }
  return { depth, links };
}

export const lotsByIds = (db: Db, ids: readonly string[]) =>
  inChunks(ids, (c) => db.selectFrom('lots').selectAll().where('id', 'in', c).execute());

/** shipmentsOfLots reads the shipments of lots, with the columns a trace or an incident shows. */
export const shipmentsOfLots = (db: Db, ids: readonly string[]) =>
  inChunks(ids, (c) =>
    db
      .selectFrom('shipments')
      .select([
        'id',
        'lotId',
        'purpose',
        'fromPartyId',
        'fromLocationId',
        'toPartyId',
        'toLocationId',
        'grams',
        'cartons',
        'receivedGrams',
        'receivedCartons',
        'receivedAt',
        'status',
        'departedAt',
        'createdAt',
        'updatedAt',
        'vehicleId',
        'driverWorkerId',
        'handlerWorkerIds',
      ])
      .where('lotId', 'in', c)
      .execute(),
  );

export const holdingsOfLots = (db: Db, ids: readonly string[]) =>
  inChunks(ids, (c) => db.selectFrom('holdings').selectAll().where('lotId', 'in', c).where('grams', '>', 0).execute());

export const transformationsByIds = (db: Db, ids: readonly string[]) =>
  inChunks(ids, (c) => db.selectFrom('transformations').selectAll().where('id', 'in', c).execute());

export const transformationLotsOf = (db: Db, ids: readonly string[]) =>
  inChunks(ids, (c) => db.selectFrom('transformationLots').selectAll().where('transformationId', 'in', c).execute());

export const disposalsOfLots = (db: Db, ids: readonly string[]) =>
  inChunks(ids, (c) => db.selectFrom('disposals').selectAll().where('lotId', 'in', c).execute());

/** retailTotalsOfLots sums retail sales per lot and seller: what reached consumers, and when. */
export const retailTotalsOfLots = (db: Db, ids: readonly string[]) =>
  inChunks(ids, (c) =>
    db
      .selectFrom('retailSales')
      .select((eb) => [
        'lotId',
        'partyId',
        eb.fn.sum<number | string>('grams').as('grams'),
        eb.fn.sum<number | string>('cartons').as('cartons'),
        eb.fn.countAll<number | string>().as('sales'),
        eb.fn.min<number | string>('soldAt').as('firstAt'),
        eb.fn.max<number | string>('soldAt').as('lastAt'),
        eb.fn.max<number | string>('createdAt').as('lastRecordedAt'),
      ])
      .where('lotId', 'in', c)
      .groupBy(['lotId', 'partyId'])
      .execute(),
  );

export const partiesByIds = (db: Db, ids: readonly string[]) =>
  inChunks(ids, (c) =>
    db.selectFrom('parties').select(['id', 'nameZh', 'nameEn', 'roles', 'region']).where('id', 'in', c).execute(),
  );

export const locationsByIds = (db: Db, ids: readonly string[]) =>
  inChunks(ids, (c) =>
    db
      .selectFrom('locations')
      .select(['id', 'ownerPartyId', 'name', 'filingNo', 'region', 'kind'])
      .where('id', 'in', c)
      .execute(),
  );

export const producersByIds = (db: Db, ids: readonly string[]) =>
  inChunks(ids, (c) =>
    db
      .selectFrom('producers')
      .select(['id', 'country', 'registrationNo', 'name', 'nameZh'])
      .where('id', 'in', c)
      .execute(),
  );

export const vehiclesByIds = (db: Db, ids: readonly string[]) =>
  inChunks(ids, (c) =>
    db.selectFrom('vehicles').select(['id', 'plate', 'carrierPartyId', 'refrigerated']).where('id', 'in', c).execute(),
  );

export const workersByIds = (db: Db, ids: readonly string[]) =>
  inChunks(ids, (c) =>
    db.selectFrom('workers').select(['id', 'name', 'role', 'employerPartyId']).where('id', 'in', c).execute(),
  );

export const exitCertificatesOfLots = (db: Db, ids: readonly string[]) =>
  inChunks(ids, (c) => db.selectFrom('exitCertificates').selectAll().where('lotId', 'in', c).execute());

export const samplesOfLots = (db: Db, ids: readonly string[]) =>
  inChunks(ids, (c) => db.selectFrom('samples').selectAll().where('lotId', 'in', c).execute());

export const documentsOfLots = (db: Db, ids: readonly string[]) =>
  inChunks(ids, (c) => db.selectFrom('documents').select(['id', 'lotId', 'kind']).where('lotId', 'in', c).execute());
