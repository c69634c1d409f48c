import { Migrator } from 'kysely';
import type { Migration, MigrationProvider, MigrationResultSet } from 'kysely';
import type { Dialect } from './dialect.ts';
import { foundation } from './migrations/0001-foundation.ts';
import { border } from './migrations/0002-border.ts';
import { custody } from './migrations/0003-custody.ts';
import { alerts } from './migrations/0007-alerts.ts';
import { epcis } from './migrations/0006-epcis.ts';
import { temperature } from './migrations/0005-temperature.ts';
import { incidents } from './migrations/0008-incidents.ts';
import { transformSales } from './migrations/0004-transform-sales.ts';
import { federation } from './migrations/0014-federation.ts';
import { custodyHistory } from './migrations/0011-custody-history.ts';
import { recognition } from './migrations/0015-recognition.ts';
import { epcisSubscriptions } from './migrations/0016-epcis-subscriptions.ts';
import { platforms } from './migrations/0017-platforms.ts';

/** migrations lists every migration in order; names sort in the order they must run. */
function migrations(dialect: Dialect): Record<string, Migration> {
  return {
    '0001-foundation': foundation(dialect.bytesType, dialect.sequenceKeyType),
    '0002-border': border(),
    '0003-custody': custody(),
    '0007-alerts': alerts(),
    '0006-epcis': epcis(),
    '0005-temperature': temperature(),
    '0008-incidents': incidents(),
    '0004-transform-sales': transformSales(),
    '0014-federation': federation(dialect.bytesType),
    '0011-custody-history': custodyHistory(),
    '0015-recognition': recognition(),
    '0016-epcis-subscriptions': epcisSubscriptions(),
    '0017-platforms': platforms(),
  };
}

/**
 * migrateToLatest applies every pending migration, the same way on both databases, and throws with the
 * failing migration's name if one fails. Kysely takes a lock, so concurrent starts are safe.
 */
export async function migrateToLatest(dialect: Dialect): Promise<string[]> {
  const provider: MigrationProvider = { getMigrations: async () => migrations(dialect) };
  const migrator = new Migrator({ db: dialect.db, provider });
  const { error, results }: MigrationResultSet = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error) {
    throw new Error(`migration ${failed?.migrationName ?? '(unknown)'} failed`, { cause: error });
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
