import type { Actor } from '../../domain/access.ts';
import { mayAttempt } from '../../domain/access.ts';
import { validateOverseasCountry } from '../../domain/country.ts';
import { findProducer, listProducers as listRows } from '../../store/master.ts';
import type { ProducerRow } from '../../store/schema.ts';
import { AppError, invalid, notFound } from '../errors.ts';
import { forbid } from '../access/authorize.ts';
import type { Idempotency } from '../write/commit.ts';
import { commit } from '../write/commit.ts';
import type { Deps } from '../deps.ts';
import { newId } from '../write/ids.ts';
import type { Page } from '../access/paging.ts';
import { iso, pageOf, pageRequest } from '../access/paging.ts';

export interface ProducerInput {
  country: string;
  registrationNo: string;
  name: string;
  nameZh?: string | null;
}

const toProducer = (r: ProducerRow) => ({
  id: r.id,
  country: r.country,
  registrationNo: r.registrationNo,
  name: r.name,
  nameZh: r.nameZh,
  createdAt: iso(r.createdAt),
  updatedAt: iso(r.updatedAt),
  logIndex: r.logIndex,
});
export type Producer = ReturnType<typeof toProducer>;

function check(input: ProducerInput) {
  const country = validateOverseasCountry(input.country);
  if (!country.ok) throw invalid('country', country.reason);
  const registrationNo = input.registrationNo.trim();
  if (!/^[0-9A-Za-z][0-9A-Za-z .\-/]{0,39}$/.test(registrationNo)) {
    throw invalid('registrationNo', 'must be 1 to 40 letters, digits, spaces, dots, hyphens or slashes');
  }
  if (!input.name.trim()) throw invalid('name', 'must not be blank');
  return { country: country.value, registrationNo, name: input.name.trim(), nameZh: input.nameZh?.trim() || null };
}

async function assertFree(trx: Parameters<typeof findProducer>[0], country: string, reg: string, exceptId?: string) {
  const dup = await trx
    .selectFrom('producers')
    .select('id')
    .where('country', '=', country)
    .where('registrationNo', '=', reg)
    .executeTakeFirst();
  if (dup && dup.id !== exceptId) {
    throw new AppError('AlreadyExists', {
      field: 'registrationNo',
      reason: `already registered for ${country} as ${dup.id}`,
    });
  }
}

/** createProducer adds an overseas producer to the register. Customs keeps the register. */
export async function createProducer(deps: Deps, actor: Actor, input: ProducerInput, idem?: Idempotency) {
  if (!mayAttempt(actor, 'producer.create')) throw forbid('producer.create');
  const v = check(input);
  return commit(deps, idem, async (w) => {
    await assertFree(w.trx, v.country, v.registrationNo);
    const record = { id: newId('pro'), ...v, createdAt: w.now, updatedAt: w.now };
    const logIndex = await w.append('producer.created', actor.partyId, record);
    return { producer: toProducer((await findProducer(w.trx, record.id))!), logIndex };
  });
}

/** updateProducer corrects a producer's register entry. */
export async function updateProducer(deps: Deps, actor: Actor, id: string, patch: Partial<ProducerInput>) {
  if (!mayAttempt(actor, 'producer.update')) throw forbid('producer.update');
  return commit(deps, undefined, async (w) => {
    const cur = await findProducer(w.trx, id);
    if (!cur) throw notFound('ProducerNotFound', 'id', id);
    const v = check({ ...cur, ...patch });
    await assertFree(w.trx, v.country, v.registrationNo, id);
    const record = { id, ...v, createdAt: cur.createdAt, updatedAt: w.now };
    const logIndex = await w.append('producer.updated', actor.partyId, record);
    return { producer: toProducer((await findProducer(w.trx, id))!), logIndex };
  });
}

/** getProducer returns a producer; the register is visible to every party. */
export async function getProducer(deps: Deps, actor: Actor, id: string): Promise<Producer> {
  if (!mayAttempt(actor, 'producer.read')) throw forbid('producer.read');
  const row = await findProducer(deps.db, id);
  if (!row) throw notFound('ProducerNotFound', 'id', id);
  return toProducer(row);
}

/** listProducers lists the register, by country and registration number. */
export async function listProducers(
  deps: Deps,
  actor: Actor,
  q: { country?: string; registrationNo?: string; limit?: number; cursor?: string },
): Promise<Page<Producer>> {
  if (!mayAttempt(actor, 'producer.read')) throw forbid('producer.read');
  const page = pageRequest(q.limit, q.cursor);
  const rows = await listRows(deps.db, {
    ...q,
    country: q.country?.toUpperCase(),
    after: page.after,
    limit: page.limit,
  });
  return pageOf(rows, page, toProducer);
}
