import type { Transaction } from 'kysely';
import type { LotStatus } from '../../domain/lot-status.ts';
import type { Schema } from '../../store/schema.ts';
import { lotLinks, lotsByIds } from '../../store/trace.ts';
import type { LotStatusPatch } from './lot-facts.ts';
import { collectFactsMany, statusPatch } from './lot-facts.ts';

/**
 * familyStatuses recomputes the status of every lot made, directly or through other derived lots, from the given
 * lots, as of the current transaction (after the caller has applied the change to the given lots' own statuses). A
 * child is computed after all its parents in the family, with their new statuses, so a grandchild follows its
 * grandparent in the same call. It returns a patch for each lot whose status or reasons change, parents first, and
 * none for a given lot that was made from none of the others.
 */
export async function familyStatuses(
  trx: Transaction<Schema>,
  lotIds: readonly string[],
  now: number,
): Promise<LotStatusPatch[]> {
  const { links } = await lotLinks(trx, lotIds, 'forward');
  // A given lot made from another given lot is recomputed too: its own patch was computed before its parent's.
  const family = [...new Set(links.map((l) => l.to))];
  if (family.length === 0) return [];
  const rows = await lotsByIds(trx, family);
  const facts = await collectFactsMany(trx, rows);
  const byId = new Map(rows.map((r) => [r.id, r]));
  // Kahn's order over the family: a lot is ready once every parent inside the family has its new status.
  const inside = new Set(family);
  const waiting = new Map<string, number>(family.map((id) => [id, 0]));
  const children = new Map<string, string[]>();
  for (const l of unique(links)) {
    if (!inside.has(l.to)) continue;
    children.set(l.from, [...(children.get(l.from) ?? []), l.to]);
    if (inside.has(l.from)) waiting.set(l.to, waiting.get(l.to)! + 1);
  }
  const fresh = new Map<string, LotStatus>();
  const out: LotStatusPatch[] = [];
  let ready = family.filter((id) => waiting.get(id) === 0).sort();
  while (ready.length > 0) {
    const next: string[] = [];
    for (const id of ready) {
      const lot = byId.get(id)!;
      const f = facts.get(id)!;
      const parents = (f.parents ?? []).map((p) => ({ ...p, status: fresh.get(p.id) ?? p.status }));
      const patch = statusPatch(lot, { ...f, parents }, now);
      fresh.set(id, patch.status);
      if (patch.status !== lot.status || sorted(patch.statusReasons) !== sorted(JSON.parse(lot.statusReasons))) {
        out.push(patch);
      }
      for (const c of children.get(id) ?? []) {
        const left = waiting.get(c)! - 1;
        waiting.set(c, left);
        if (left === 0) next.push(c);
      }
    }
    ready = [...new Set(next)].sort();
  }
  return out;
}

// sorted writes a value as JSON with every object's keys in order, as the log stores it, to compare reasons.
function sorted(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(sorted).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${sorted(o[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}

// The same transformation link can be read twice when a lot is reached from two starts at one level.
function unique<T extends { transformationId: string; from: string; to: string }>(links: readonly T[]): T[] {
  const seen = new Map(links.map((l) => [`${l.transformationId} ${l.from} ${l.to}`, l]));
  return [...seen.values()];
}
