import type { Kysely, Transaction } from 'kysely';
import type { Schema } from './schema.ts';

type Db = Kysely<Schema> | Transaction<Schema>;

// Thin queries for lots and what happens to them at the border.

/** findLot returns a lot by id. */
export const findLot = (db: Db, id: string) =>
  db.selectFrom('lots').selectAll().where('id', '=', id).executeTakeFirst();

/** findLotByCode returns a lot by its trace code. */
export const findLotByCode = (db: Db, code: string) =>
  db.selectFrom('lots').selectAll().where('code', '=', code).executeTakeFirst();

/** findLotsByGtinBatch returns the lots declared with this GTIN-14 and batch number. */
export const findLotsByGtinBatch = (db: Db, gtin: string, batchNo: string) =>
  db.selectFrom('lots').selectAll().where('gtin', '=', gtin).where('batchNo', '=', batchNo).execute();

/** LotListArgs filters a lot list; scoping arrives as plain filters. */
export interface LotListArgs {
  ownerPartyId?: string | undefined;
  region?: string | undefined;
  visibleTo?: string | undefined;
  status?: string | undefined;
  producerId?: string | undefined;
  containerNo?: string | undefined;
  declarationNo?: string | undefined;
  after: string | null;
  limit: number;
}

/** listLots lists lots by owner, region, status, producer, container or declaration. */
export async function listLots(db: Db, a: LotListArgs) {
  let q = db
    .selectFrom('lots')
    .selectAll()
    .orderBy('id')
    .limit(a.limit + 1);
  if (a.after) q = q.where('id', '>', a.after);
  if (a.ownerPartyId) q = q.where('importerPartyId', '=', a.ownerPartyId);
  if (a.visibleTo) {
    const party = a.visibleTo;
    q = q.where((eb) =>
      eb.or([
        eb('importerPartyId', '=', party),
        eb('id', 'in', eb.selectFrom('bookings').select('lotId').where('warehousePartyId', '=', party)),
        eb('id', 'in', eb.selectFrom('samples').select('lotId').where('labPartyId', '=', party)),
      ]),
    );
  }
  if (a.region) q = q.where('region', '=', a.region);
  if (a.status) q = q.where('status', '=', a.status);
  if (a.producerId) q = q.where('producerId', '=', a.producerId);
  if (a.containerNo) q = q.where('containerNo', '=', a.containerNo);
  if (a.declarationNo) q = q.where('declarationNo', '=', a.declarationNo);
  return q.execute();
}

/** lotDocuments returns a lot's documents, oldest first. */
export const lotDocuments = (db: Db, lotId: string) =>
  db.selectFrom('documents').selectAll().where('lotId', '=', lotId).orderBy('id').execute();

/** lotSamples returns a lot's samples, oldest first. */
export const lotSamples = (db: Db, lotId: string) =>
  db.selectFrom('samples').selectAll().where('lotId', '=', lotId).orderBy('id').execute();

/** lotDisinfections returns a lot's disinfection records, oldest first. */
export const lotDisinfections = (db: Db, lotId: string) =>
  db.selectFrom('disinfections').selectAll().where('lotId', '=', lotId).orderBy('id').execute();

/** lotBookings returns a lot's supervision-warehouse bookings, oldest first. */
export const lotBookings = (db: Db, lotId: string) =>
  db.selectFrom('bookings').selectAll().where('lotId', '=', lotId).orderBy('id').execute();

/** lotExitCertificate returns a lot's exit certificate, if issued. */
export const lotExitCertificate = (db: Db, lotId: string) =>
  db.selectFrom('exitCertificates').selectAll().where('lotId', '=', lotId).executeTakeFirst();

/** lotCartonRanges returns the carton serial ranges issued under a lot. */
export const lotCartonRanges = (db: Db, lotId: string) =>
  db.selectFrom('cartonRanges').selectAll().where('lotId', '=', lotId).orderBy('firstSerial').execute();

/** producerSuspensions returns every suspension of a producer, in start order. */
export const producerSuspensions = (db: Db, producerId: string) =>
  db.selectFrom('suspensions').selectAll().where('producerId', '=', producerId).orderBy('startsAt').execute();

/** activeSuspensions lists suspensions in force at t, optionally for one producer. */
export async function activeSuspensions(db: Db, t: number, producerId?: string) {
  let q = db
    .selectFrom('suspensions')
    .selectAll()
    .where('startsAt', '<=', t)
    .where('endsAt', '>', t)
    .orderBy('endsAt', 'desc');
  if (producerId) q = q.where('producerId', '=', producerId);
  return q.execute();
}
