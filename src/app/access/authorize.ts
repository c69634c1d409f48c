/**
 * Access: who may see and touch what. The permission table itself is pure (domain/access.ts); this folder turns it
 * into refusals (forbid), list scopes (scope.ts), the owner of a new resource (references.ts) and list paging.
 *
 * Invariants:
 * - A refusal names the action and the roles that may perform it; it never reveals whether the resource exists.
 * - A list is scoped in SQL to what the actor may see, never filtered after reading.
 */
import type { Action } from '../../domain/access.ts';
import { PERMISSIONS } from '../../domain/access.ts';
import { AppError } from '../errors.ts';

/** forbid is the error for an action the actor's roles do not allow, naming the roles that do. */
export function forbid(action: Action): AppError {
  return new AppError('Forbidden', { action, reason: `requires one of the roles: ${PERMISSIONS[action].join(', ')}` });
}
