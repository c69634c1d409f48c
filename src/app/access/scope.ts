import type { Actor } from '../../domain/access.ts';
import { listScope } from '../../domain/access.ts';

/** ScopeFilter is how a list query restricts rows for an actor: by owner, by region, or not at all. */
export type ScopeFilter = { ownerPartyId?: string; region?: string } | null;

/**
 * scopeFilter turns the actor's list scope and the requested region filter into one filter. It returns
 * null when the two cannot overlap, so the list is empty without a query.
 */
export function scopeFilter(actor: Actor, requestedRegion: string | undefined): ScopeFilter {
  const scope = listScope(actor);
  if (scope.kind === 'own') return { ownerPartyId: actor.partyId, region: requestedRegion };
  if (scope.kind === 'region') {
    if (requestedRegion && requestedRegion !== scope.region) return null;
    return { region: scope.region };
  }
  return { region: requestedRegion };
}
