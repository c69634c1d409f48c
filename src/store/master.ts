import type { Kysely, Transaction } from 'kysely';
import type { Schema } from './schema.ts';

type Db = Kysely<Schema> | Transaction<Schema>;

// Thin queries for master data. Scoping arrives as plain filters (owner, region) from the use cases.

export interface ListArgs {
  ownerPartyId?: string | undefined;
  region?: string | undefined;
  after: string | null;
  limit: number;
}

/** findLocation returns a location by id. */
export const findLocation = (db: Db, id: string) =>
  db.selectFrom('locations').selectAll().where('id', '=', id).executeTakeFirst();

/** listLocations lists locations by owner, region, kind and temperature class. */
export async function listLocations(db: Db, a: ListArgs & { kind?: string; tempClass?: string; filingNo?: string }) {
  let q = db
    .selectFrom('locations')
    .selectAll()
    .orderBy('id')
    .limit(a.limit + 1);
  if (a.after) q = q.where('id', '>', a.after);
  if (a.ownerPartyId) q = q.where('ownerPartyId', '=', a.ownerPartyId);
  if (a.region) q = q.where('region', '=', a.region);
  if (a.kind) q = q.where('kind', '=', a.kind);
  if (a.tempClass) q = q.where('tempClass', '=', a.tempClass);
  if (a.filingNo) q = q.where('filingNo', '=', a.filingNo);
  return q.execute();
}

/** findVehicle returns a vehicle with its carrier's region. */
export const findVehicle = (db: Db, id: string) =>
  db
    .selectFrom('vehicles')
    .innerJoin('parties', 'parties.id', 'vehicles.carrierPartyId')
    .selectAll('vehicles')
    .select('parties.region')
    .where('vehicles.id', '=', id)
    .executeTakeFirst();

/** listVehicles lists vehicles by carrier, the carrier's region, and refrigeration. */
export async function listVehicles(db: Db, a: ListArgs & { refrigerated?: boolean; plate?: string }) {
  let q = db
    .selectFrom('vehicles')
    .innerJoin('parties', 'parties.id', 'vehicles.carrierPartyId')
    .selectAll('vehicles')
    .select('parties.region')
    .orderBy('vehicles.id')
    .limit(a.limit + 1);
  if (a.after) q = q.where('vehicles.id', '>', a.after);
  if (a.ownerPartyId) q = q.where('vehicles.carrierPartyId', '=', a.ownerPartyId);
  if (a.region) q = q.where('parties.region', '=', a.region);
  if (a.refrigerated !== undefined) q = q.where('vehicles.refrigerated', '=', a.refrigerated ? 1 : 0);
  if (a.plate) q = q.where('vehicles.plate', '=', a.plate);
  return q.execute();
}

/** findWorker returns a worker with the employer's region and the masked identity number, if kept. */
export const findWorker = (db: Db, id: string) =>
  db
    .selectFrom('workers')
    .innerJoin('parties', 'parties.id', 'workers.employerPartyId')
    .leftJoin('personalData', 'personalData.id', 'workers.personalRef')
    .selectAll('workers')
    .select(['parties.region', 'personalData.masked', 'personalData.erasedAt'])
    .where('workers.id', '=', id)
    .executeTakeFirst();

/** listWorkers lists workers by employer, the employer's region and role. */
export async function listWorkers(db: Db, a: ListArgs & { role?: string }) {
  let q = db
    .selectFrom('workers')
    .innerJoin('parties', 'parties.id', 'workers.employerPartyId')
    .leftJoin('personalData', 'personalData.id', 'workers.personalRef')
    .selectAll('workers')
    .select(['parties.region', 'personalData.masked', 'personalData.erasedAt'])
    .orderBy('workers.id')
    .limit(a.limit + 1);
  if (a.after) q = q.where('workers.id', '>', a.after);
  if (a.ownerPartyId) q = q.where('workers.employerPartyId', '=', a.ownerPartyId);
  if (a.region) q = q.where('parties.region', '=', a.region);
  if (a.role) q = q.where('workers.role', '=', a.role);
  return q.execute();
}

/** workerTests returns a worker's nucleic-acid tests, latest sample first. */
export const workerTests = (db: Db, workerId: string) =>
  db.selectFrom('workerTests').selectAll().where('workerId', '=', workerId).orderBy('sampledAt', 'desc').execute();

/** findProducer returns an overseas producer by id. */
export const findProducer = (db: Db, id: string) =>
  db.selectFrom('producers').selectAll().where('id', '=', id).executeTakeFirst();

/** listProducers lists producers by country and registration number. */
export async function listProducers(
  db: Db,
  a: { country?: string; registrationNo?: string; after: string | null; limit: number },
) {
  let q = db
    .selectFrom('producers')
    .selectAll()
    .orderBy('id')
    .limit(a.limit + 1);
  if (a.after) q = q.where('id', '>', a.after);
  if (a.country) q = q.where('country', '=', a.country);
  if (a.registrationNo) q = q.where('registrationNo', '=', a.registrationNo);
  return q.execute();
}

/** getSetting returns a setting's JSON value, or undefined. */
export async function getSetting(db: Db, key: string): Promise<unknown> {
  const row = await db.selectFrom('settings').select('value').where('key', '=', key).executeTakeFirst();
  return row ? JSON.parse(row.value) : undefined;
}
