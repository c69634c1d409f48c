import type { Kysely, Transaction } from 'kysely';
import { lotsPresent } from '../domain/presence.ts';
import type { Reading } from '../domain/temperature.ts';
import type { Schema, TemperatureBreachRow, TemperaturePointRow } from './schema.ts';

type Db = Kysely<Schema> | Transaction<Schema>;

// Thin queries for temperature uploads, their raw points and breaches. Scoping arrives from the use cases.

/** Subject is what readings were taken of. */
export interface Subject {
  readonly kind: 'vehicle' | 'location' | 'lot';
  readonly id: string;
}

/** POINTS_PER_INSERT keeps one INSERT well under both databases' limits on bound parameters. */
const POINTS_PER_INSERT = 1000;

/** insertPoints stores an upload's raw readings, numbered from 0 in the given order, in the caller's transaction. */
export async function insertPoints(
  trx: Transaction<Schema>,
  uploadId: string,
  subject: Subject,
  readings: readonly Reading[],
): Promise<void> {
  for (let from = 0; from < readings.length; from += POINTS_PER_INSERT) {
    const rows: TemperaturePointRow[] = readings.slice(from, from + POINTS_PER_INSERT).map((r, i) => ({
      uploadId,
      seq: from + i,
      subjectKind: subject.kind,
      subjectId: subject.id,
      at: r.at,
      celsius: r.celsius + 0,
    }));
    await trx.insertInto('temperaturePoints').values(rows).execute();
  }
}

/** uploadPoints returns up to limit points of an upload after seq `after` (−1 for the first), in upload order. */
export const uploadPoints = (db: Db, uploadId: string, after: number, limit: number) =>
  db
    .selectFrom('temperaturePoints')
    .selectAll()
    .where('uploadId', '=', uploadId)
    .where('seq', '>', after)
    .orderBy('seq')
    .limit(limit)
    .execute();

export const findUpload = (db: Db, id: string) =>
  db.selectFrom('temperatureUploads').selectAll().where('id', '=', id).executeTakeFirst();

/** overlappingUpload finds an earlier upload of the same subject and device whose time range overlaps [from, to]. */
export const overlappingUpload = (db: Db, subject: Subject, deviceId: string | null, from: number, to: number) => {
  let q = db
    .selectFrom('temperatureUploads')
    .select(['id', 'firstAt', 'lastAt'])
    .where('subjectKind', '=', subject.kind)
    .where('subjectId', '=', subject.id)
    .where('firstAt', '<=', to)
    .where('lastAt', '>=', from);
  q = deviceId === null ? q.where('deviceId', 'is', null) : q.where('deviceId', '=', deviceId);
  return q.limit(1).executeTakeFirst();
};

/**
 * lotsAtLocation lists the lots that were at a location at some time in [from, to] (event times), from every move of
 * goods into and out of it (lot_presence): those there at `from`, and those that came or went during the period,
 * whether or not they are still there.
 */
export async function lotsAtLocation(db: Db, locationId: string, from: number, to: number): Promise<string[]> {
  const rows = await db
    .selectFrom('lotPresence')
    .select(['lotId', 'partyId', 'locationId', 'direction', 'grams', 'cartons', 'at'])
    .where('locationId', '=', locationId)
    .where('at', '<=', to)
    .execute();
  return lotsPresent(
    rows.map((r) => ({
      ...r,
      direction: r.direction as 'in' | 'out',
      grams: Number(r.grams),
      cartons: Number(r.cartons),
      at: Number(r.at),
    })),
    from,
    to,
  );
}

/** lotsOnVehicle lists the lots of shipments on a vehicle whose departure..receipt overlaps [from, to] (unreceived: still on it). */
export async function lotsOnVehicle(db: Db, vehicleId: string, from: number, to: number): Promise<string[]> {
  const rows = await db
    .selectFrom('shipments')
    .select('lotId')
    .distinct()
    .where('vehicleId', '=', vehicleId)
    .where('departedAt', '<=', to)
    .where((eb) => eb.or([eb('receivedAt', 'is', null), eb('receivedAt', '>=', from)]))
    .orderBy('lotId')
    .execute();
  return rows.map((r) => r.lotId);
}

export const findBreach = (db: Db, id: string) =>
  db.selectFrom('temperatureBreaches').selectAll().where('id', '=', id).executeTakeFirst();

/** breachLotIds lists the lots a breach affects. */
export async function breachLotIds(db: Db, breachId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('temperatureBreachLots')
    .select('lotId')
    .where('breachId', '=', breachId)
    .orderBy('lotId')
    .execute();
  return rows.map((r) => r.lotId);
}

/** ruleLimit reads the threshold out of a breach row's copied rule. */
export const ruleLimit = (b: TemperatureBreachRow): number => (JSON.parse(b.rule) as { maxCelsius: number }).maxCelsius;
