import type { Deps } from '../deps.ts';
import { AppError } from '../errors.ts';
import { platformFor } from './platforms.ts';
import { PlatformUnavailable, recogniseCode } from './recognise.ts';

/**
 * recognisedCode makes sure a code of another platform scanned on the public page is a lot here (asking the platform
 * once, within its short timeout), and says whether it now is. A platform that cannot be read makes it false: the
 * page then says no lot has the code, and nothing else waits.
 */
export async function recognisedCode(deps: Deps, code: string): Promise<boolean> {
  try {
    if (!(await recogniseCode(deps, code))) return false;
  } catch (err) {
    if (err instanceof PlatformUnavailable || (err instanceof AppError && err.code === 'LotNotFound')) return false;
    throw err;
  }
  return platformLotCode(deps, code);
}

/** platformLotCode says whether code is a registered platform's code that names a lot recognised here. */
export async function platformLotCode(deps: Deps, code: string): Promise<boolean> {
  const c = code.trim();
  if (!(await platformFor(deps, c))) return false;
  return (await deps.db.selectFrom('lots').select('id').where('code', '=', c).executeTakeFirst()) !== undefined;
}
