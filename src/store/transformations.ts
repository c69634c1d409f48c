import type { Kysely, Transaction } from 'kysely';
import type { Schema } from './schema.ts';

type Db = Kysely<Schema> | Transaction<Schema>;

/** findTransformation is one transformation by id. */
export const findTransformation = (db: Db, id: string) =>
  db.selectFrom('transformations').selectAll().where('id', '=', id).executeTakeFirst();

/** transformationLotsWithCodes are a transformation's input and output lots, with each lot's code, names and status. */
export const transformationLotsWithCodes = (db: Db, transformationId: string) =>
  db
    .selectFrom('transformationLots')
    .innerJoin('lots', 'lots.id', 'transformationLots.lotId')
    .select([
      'transformationLots.lotId',
      'transformationLots.role',
      'transformationLots.locationId',
      'transformationLots.grams',
      'transformationLots.cartons',
      'lots.code',
      'lots.productNameZh',
      'lots.productNameEn',
      'lots.status',
      'lots.importerPartyId',
      'lots.region',
    ])
    .where('transformationLots.transformationId', '=', transformationId)
    .orderBy('transformationLots.role')
    .orderBy('transformationLots.lotId')
    .execute();

/** lotDisposals are the disposals of a lot, oldest first. */
export const lotDisposals = (db: Db, lotId: string) =>
  db.selectFrom('disposals').selectAll().where('lotId', '=', lotId).orderBy('id').execute();
