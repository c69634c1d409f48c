import type { Kysely } from 'kysely';
import type { Actor } from '../../domain/access.ts';
import { listScope } from '../../domain/access.ts';
import type { EpcisQueryRow, Schema } from '../../store/schema.ts';
import { AppError, invalid, notFound } from '../errors.ts';
import type { Deps } from '../deps.ts';
import { commit } from '../write/commit.ts';
import type { EventQuery } from './query.ts';
import { LIST_PARAMS, TIME_PARAMS, parseQuery, queryEvents } from './query.ts';

// Named queries of the EPCIS REST binding: a name for a set of GET /epcis/events parameters, on the log.

/** QUERY_NAME is the shape of a query name: it is a path segment, so URL-safe characters only. */
export const QUERY_NAME = /^[A-Za-z0-9._~-]{1,100}$/;

/** NamedQuery is a named query as served: its name and its parameters (lists as arrays). */
export interface NamedQuery {
  readonly name: string;
  readonly query: Readonly<Record<string, string | readonly string[]>>;
  readonly createdAt: string;
}

const PARAMS = new Set<string>([...LIST_PARAMS, ...TIME_PARAMS]);

/**
 * checkDefinition checks a named query's parameters as GET /epcis/events checks its own (paging aside), and returns
 * them normalised (every list an array) with the parsed query; a bad one is ValidationFailed naming `query.<param>`.
 */
export function checkDefinition(raw: unknown): { params: Record<string, string | string[]>; parsed: EventQuery } {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw invalid('query', 'must be an object of query parameters');
  const params: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(raw)) {
    if (!PARAMS.has(k)) throw invalid(`query.${k}`, 'is not a query parameter of this server');
    const isList = (LIST_PARAMS as readonly string[]).includes(k);
    if (isList) {
      const values = Array.isArray(v) ? (v as unknown[]) : [v];
      if (values.length === 0 || values.some((x) => typeof x !== 'string'))
        throw invalid(`query.${k}`, 'must be a string or a non-empty list of strings');
      params[k] = (values as string[]).flatMap((x) => x.split('|')).map((x) => x.trim());
    } else {
      if (typeof v !== 'string') throw invalid(`query.${k}`, 'must be a string');
      params[k] = v;
    }
  }
  try {
    return { params, parsed: parseQuery(params) };
  } catch (err) {
    if (err instanceof AppError && typeof err.details.field === 'string')
      throw invalid(`query.${err.details.field}`, String(err.details.reason));
    throw err;
  }
}

const toNamed = (r: EpcisQueryRow): NamedQuery => ({
  name: r.name,
  query: JSON.parse(r.query) as Record<string, string | string[]>,
  createdAt: new Date(Number(r.createdAt)).toISOString(),
});

const visible = (actor: Actor, r: { partyId: string }) =>
  listScope(actor).kind !== 'own' || r.partyId === actor.partyId;

/** findQuery returns the live named query the actor may see, or throws NotFound naming queryName. */
export async function findQuery(db: Kysely<Schema>, actor: Actor, name: string): Promise<EpcisQueryRow> {
  const row = await db.selectFrom('epcisQueries').selectAll().where('name', '=', name).executeTakeFirst();
  if (!row || row.deletedAt !== null || !visible(actor, row)) throw notFound('NotFound', 'queryName', name);
  return row;
}

/**
 * createQuery names a query for the actor: an entry on the log. Names are unique on the node while the query lives
 * (Conflict otherwise); a deleted query's name may be taken again.
 */
export async function createQuery(deps: Deps, actor: Actor, body: { name?: unknown; query?: unknown }) {
  if (typeof body.name !== 'string' || !QUERY_NAME.test(body.name))
    throw invalid('name', 'must be 1 to 100 letters, digits, or . _ ~ -');
  const name = body.name;
  const { params } = checkDefinition(body.query);
  return commit(deps, undefined, async (w) => {
    const prior = await w.trx
      .selectFrom('epcisQueries')
      .select('deletedAt')
      .where('name', '=', name)
      .executeTakeFirst();
    if (prior && prior.deletedAt === null)
      throw new AppError('Conflict', { field: 'name', reason: `a query named ${name} already exists` });
    const record = { name, partyId: actor.partyId, query: params, createdAt: w.now, deletedAt: null };
    await w.append('epcis.query.created', actor.partyId, record);
    return toNamed({ ...record, query: JSON.stringify(params), logIndex: 0 });
  });
}

/** listQueries lists the live named queries the actor may see, by name, perPage at a time after the name `after`. */
export async function listQueries(deps: Deps, actor: Actor, perPage: number, after: string | null) {
  let q = deps.db.selectFrom('epcisQueries').selectAll().where('deletedAt', 'is', null);
  if (listScope(actor).kind === 'own') q = q.where('partyId', '=', actor.partyId);
  if (after !== null) q = q.where('name', '>', after);
  const rows = await q
    .orderBy('name')
    .limit(perPage + 1)
    .execute();
  const kept = rows.slice(0, perPage);
  return { queries: kept.map(toNamed), next: rows.length > perPage ? kept[kept.length - 1]!.name : null };
}

/** getQuery returns one named query the actor may see. */
export async function getQuery(deps: Deps, actor: Actor, name: string): Promise<NamedQuery> {
  return toNamed(await findQuery(deps.db, actor, name));
}

/** deleteQuery deletes a named query (an entry on the log); its subscriptions end with it. Only its owner may. */
export async function deleteQuery(deps: Deps, actor: Actor, name: string): Promise<void> {
  await commit(deps, undefined, async (w) => {
    const row = await findQuery(w.trx, actor, name);
    if (row.partyId !== actor.partyId)
      throw new AppError('Forbidden', {
        field: 'queryName',
        reason: 'only the party that named a query may delete it',
      });
    const { logIndex: _, ...rest } = row;
    await w.append('epcis.query.deleted', actor.partyId, {
      ...rest,
      query: JSON.parse(row.query) as unknown,
      createdAt: Number(row.createdAt),
      deletedAt: w.now,
    });
  });
}

/** queryOf returns the parsed query of a named query row, paged as given. */
export function queryOf(row: EpcisQueryRow, paging: Record<string, unknown> = {}): EventQuery {
  return parseQuery({ ...(JSON.parse(row.query) as Record<string, unknown>), ...paging });
}

/** namedQueryEvents runs a named query for the actor, as GET /epcis/events would with its parameters. */
export async function namedQueryEvents(deps: Deps, actor: Actor, name: string, paging: Record<string, unknown>) {
  const row = await findQuery(deps.db, actor, name);
  const result = await queryEvents(deps, actor, queryOf(row, paging));
  const results = (result.document.epcisBody as { queryResults: Record<string, unknown> }).queryResults;
  results.queryName = name;
  return result;
}
