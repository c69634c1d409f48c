import type { Action } from '../../domain/access.ts';
import { PERMISSIONS } from '../../domain/access.ts';
import { AppError } from '../errors.ts';

/** forbid is the error for an action the actor's roles do not allow, naming the roles that do. */
export function forbid(action: Action): AppError {
  return new AppError('Forbidden', { action, reason: `requires one of the roles: ${PERMISSIONS[action].join(', ')}` });
}
