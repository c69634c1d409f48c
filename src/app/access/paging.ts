import { invalid } from '../errors.ts';

/** Page is one page of a list: the items and the cursor of the next page, or null at the end. */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export const DEFAULT_LIMIT = 50;
export const MAX_LIMIT = 500;

/** PageRequest is a validated limit and the id after which the page starts. */
export interface PageRequest {
  readonly limit: number;
  readonly after: string | null;
}

/** pageRequest validates ?limit= and ?cursor=; a cursor is opaque to clients. */
export function pageRequest(limit: number | undefined, cursor: string | undefined): PageRequest {
  const n = limit ?? DEFAULT_LIMIT;
  if (!Number.isInteger(n) || n < 1 || n > MAX_LIMIT) {
    throw invalid('limit', `must be an integer from 1 to ${MAX_LIMIT}`);
  }
  if (cursor === undefined || cursor === '') return { limit: n, after: null };
  const after = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!/^[a-z]{2,4}_[0-9A-Z]{26}$/.test(after)) throw invalid('cursor', 'is not a cursor this server gave');
  return { limit: n, after };
}

/** pageOf turns limit+1 rows (ordered by id) into a page, mapping each kept row. */
export function pageOf<R extends { id: string }, T>(rows: R[], req: PageRequest, map: (r: R) => T): Page<T> {
  const more = rows.length > req.limit;
  const kept = more ? rows.slice(0, req.limit) : rows;
  const last = kept[kept.length - 1];
  return {
    items: kept.map(map),
    nextCursor: more && last ? Buffer.from(last.id, 'utf8').toString('base64url') : null,
  };
}

/** iso renders epoch ms as ISO 8601 in UTC, or null. */
export function iso(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}

/**
 * pageList pages a whole list that its query returned at once: limit items from the position a cursor of this kind
 * names. Its cursors are positions, so a list that changes between pages may repeat or skip an item; lists that grow
 * large page in SQL with pageRequest and pageOf instead.
 */
export function pageList<T>(items: readonly T[], limit: number | undefined, cursor: string | undefined): Page<T> {
  const n = limit ?? DEFAULT_LIMIT;
  if (!Number.isInteger(n) || n < 1 || n > MAX_LIMIT)
    throw invalid('limit', `must be an integer from 1 to ${MAX_LIMIT}`);
  let from = 0;
  if (cursor !== undefined && cursor !== '') {
    const m = /^at:([0-9]{1,9})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (!m) throw invalid('cursor', 'is not a cursor this server gave');
    from = Number(m[1]);
  }
  const to = from + n;
  return {
    items: items.slice(from, to),
    nextCursor: to < items.length ? Buffer.from(`at:${to}`, 'utf8').toString('base64url') : null,
  };
}
