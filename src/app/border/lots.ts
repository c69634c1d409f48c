/**
 * Border: a batch's arrival. Declarations with their papers (lots.ts, documents.ts), the supervision warehouse's
 * bookings, disinfections, samples and results (warehouse.ts), producer suspensions, carton codes and labels, and the
 * status of every lot and the family made from it (lot-facts.ts, lot-family.ts).
 *
 * Invariants:
 * - A lot's status is derived from its facts (domain/lot-status.ts), never set by hand, and recomputed for its whole
 *   family in the write that changes it.
 * - A declaration whose producer is suspended on its arrival date is refused.
 */
import { randomBytes } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import type { Actor } from '../../domain/access.ts';
import { canSee, isRegulator, listScope, mayAttempt } from '../../domain/access.ts';
import { validateContainerNo } from '../../domain/container-no.ts';
import { validateCountry } from '../../domain/country.ts';
import { validateGtin } from '../../domain/digital-link.ts';
import { hsCategory, validateHsCode } from '../../domain/hs-code.ts';
import { chinaDayBounds } from '../../domain/suspension.ts';
import { CARTON_SERIAL_MAX, formatTraceCode, newTraceCode } from '../../domain/trace-code.ts';
import { findLot, findLotByCode, listLots as listRows, producerSuspensions } from '../../store/border.ts';
import { findProducer } from '../../store/master.ts';
import type { LotRow, Schema } from '../../store/schema.ts';
import { AppError, invalid, notFound } from '../errors.ts';
import { forbid } from '../access/authorize.ts';
import type { Idempotency, Writer } from '../write/commit.ts';
import { commit } from '../write/commit.ts';
import type { Deps } from '../deps.ts';
import { newId } from '../write/ids.ts';
import { holdingId } from '../custody/holding-id.ts';
import { lotParents } from './lot-parents.ts';
import { collectFacts, statusPatch } from './lot-facts.ts';
import type { Page } from '../access/paging.ts';
import { iso, pageOf, pageRequest } from '../access/paging.ts';

export const CATEGORIES = ['meat', 'seafood', 'other_frozen'] as const;

/** DeclarationInput is what an importer declares for an inbound batch (首站赋码). */
export interface DeclarationInput {
  declarationNo: string;
  portOfEntry: string;
  arrivalDate: string;
  containerNo: string;
  billOfLading: string;
  product: { zh?: string | null; en?: string | null };
  category: (typeof CATEGORIES)[number];
  hsCode: string;
  gtin?: string | null;
  batchNo: string;
  originCountry: string;
  producerId: string;
  netKg: number;
  cartons: number;
  productionDate: string;
  expiryDate?: string | null;
  shelfLifeDays?: number | null;
}

/** toLot renders a lot row for the API. */
export function toLot(r: LotRow) {
  return {
    id: r.id,
    code: r.code,
    codeText: formatTraceCode(r.code),
    importerPartyId: r.importerPartyId,
    region: r.region,
    declarationNo: r.declarationNo,
    portOfEntry: r.portOfEntry,
    arrivalDate: r.arrivalDate,
    containerNo: r.containerNo,
    billOfLading: r.billOfLading,
    product: { zh: r.productNameZh, en: r.productNameEn },
    category: r.category,
    hsCode: r.hsCode,
    gtin: r.gtin,
    batchNo: r.batchNo,
    originCountry: r.originCountry,
    producerId: r.producerId,
    quantity: { kg: r.netGrams / 1000, cartons: r.cartons },
    productionDate: r.productionDate,
    expiryDate: r.expiryDate,
    status: r.status,
    statusReasons: JSON.parse(r.statusReasons) as unknown[],
    origin: r.origin,
    transformationId: r.transformationId,
    createdAt: iso(r.createdAt),
    updatedAt: iso(r.updatedAt),
    logIndex: r.logIndex,
  };
}
export type Lot = ReturnType<typeof toLot>;

const DATE = /^\d{4}-\d{2}-\d{2}$/;
function date(field: string, s: string): string {
  const ms = Date.parse(`${s}T00:00:00Z`);
  if (!DATE.test(s) || Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== s) {
    throw invalid(field, 'must be a calendar date YYYY-MM-DD');
  }
  return s;
}
const addDays = (d: string, n: number) =>
  new Date(Date.parse(`${d}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);

function text(field: string, s: string, pattern: RegExp, rule: string): string {
  const t = s.trim();
  if (!pattern.test(t)) throw invalid(field, rule);
  return t;
}

function checkDeclaration(input: DeclarationInput) {
  const hs = validateHsCode(input.hsCode);
  if (!hs.ok) throw invalid('hsCode', hs.reason);
  if (
    hsCategory(hs.value) !== 'other' &&
    input.category !== 'other_frozen' &&
    hsCategory(hs.value) !== input.category
  ) {
    throw invalid('category', `HS code ${hs.value} is ${hsCategory(hs.value)}, not ${input.category}`);
  }
  const container = validateContainerNo(input.containerNo);
  if (!container.ok) throw invalid('containerNo', container.reason);
  const country = validateCountry(input.originCountry);
  if (!country.ok) throw invalid('originCountry', country.reason);
  let gtin: string | null = null;
  if (input.gtin) {
    const g = validateGtin(input.gtin);
    if (!g.ok) throw invalid('gtin', g.reason);
    gtin = g.value;
  }
  if (!(input.netKg > 0) || !Number.isFinite(input.netKg))
    throw invalid('netKg', 'must be a positive number of kilograms');
  const netGrams = Math.round(input.netKg * 1000);
  // Below a gram rounds to nothing; beyond 2^53 grams (or Infinity) is no longer an exact count.
  if (netGrams < 1 || !Number.isSafeInteger(netGrams))
    throw invalid('netKg', 'must be from 0.001 kg to a whole number of grams below 2^53');
  if (Math.abs(netGrams - input.netKg * 1000) > 1e-6) throw invalid('netKg', 'at most three decimals (grams)');
  if (!Number.isInteger(input.cartons) || input.cartons < 1 || input.cartons > CARTON_SERIAL_MAX) {
    throw invalid('cartons', `must be a whole number from 1 to ${CARTON_SERIAL_MAX}`);
  }
  const productionDate = date('productionDate', input.productionDate);
  const arrivalDate = date('arrivalDate', input.arrivalDate);
  if (productionDate > arrivalDate) throw invalid('productionDate', 'is after the arrival date');
  let expiryDate: string;
  if (input.expiryDate) expiryDate = date('expiryDate', input.expiryDate);
  else if (input.shelfLifeDays && Number.isInteger(input.shelfLifeDays) && input.shelfLifeDays > 0) {
    expiryDate = addDays(productionDate, input.shelfLifeDays);
  } else throw invalid('expiryDate', 'give the expiry date or the shelf life in days');
  if (expiryDate <= productionDate) throw invalid('expiryDate', 'must be after the production date');
  const zh = input.product.zh?.trim() || null;
  const en = input.product.en?.trim() || null;
  if (!zh && !en) throw invalid('product', 'give the product name in Chinese (zh), English (en), or both');
  return {
    declarationNo: text(
      'declarationNo',
      input.declarationNo,
      /^[0-9A-Z]{9,18}$/i,
      'must be the 18-digit customs declaration number (9 to 18 letters or digits)',
    ),
    portOfEntry: text('portOfEntry', input.portOfEntry, /^.{2,60}$/u, 'must be 2 to 60 characters'),
    arrivalDate,
    containerNo: container.value,
    billOfLading: text(
      'billOfLading',
      input.billOfLading,
      /^[0-9A-Za-z-]{4,30}$/,
      'must be 4 to 30 letters, digits or hyphens',
    ),
    productNameZh: zh,
    productNameEn: en,
    category: input.category,
    hsCode: hs.value,
    gtin,
    batchNo: text(
      'batchNo',
      input.batchNo,
      /^[!%-?A-Z_a-z"]{1,20}$/,
      'must be 1 to 20 characters of the GS1 AI 82 set',
    ),
    originCountry: country.value,
    netGrams,
    cartons: input.cartons,
    productionDate,
    expiryDate,
  };
}

/** lotVisible tells whether the actor may see the lot: its importer, its region's regulators, its warehouse and its labs. */
export async function lotVisible(
  db: Kysely<Schema> | Transaction<Schema>,
  actor: Actor,
  lot: LotRow,
): Promise<boolean> {
  if (canSee(actor, { ownerPartyId: lot.importerPartyId, region: lot.region })) return true;
  // A lot recognised from another province (app/recognition) is seen by those it was shipped to here, and by the
  // regulators of the region it reached.
  if (lot.homeOrigin) {
    const reached = await db
      .selectFrom('shipments')
      .innerJoin('parties', 'parties.id', 'shipments.toPartyId')
      .select('shipments.id')
      .where('shipments.lotId', '=', lot.id)
      .where((eb) =>
        eb.or([
          eb('shipments.toPartyId', '=', actor.partyId),
          ...(isRegulator(actor) && actor.region ? [eb('parties.region', '=', actor.region)] : []),
        ]),
      )
      .executeTakeFirst();
    if (reached) return true;
  }
  const [booking, sample] = await Promise.all([
    db
      .selectFrom('bookings')
      .select('id')
      .where('lotId', '=', lot.id)
      .where('warehousePartyId', '=', actor.partyId)
      .executeTakeFirst(),
    db
      .selectFrom('samples')
      .select('id')
      .where('lotId', '=', lot.id)
      .where('labPartyId', '=', actor.partyId)
      .executeTakeFirst(),
  ]);
  return booking !== undefined || sample !== undefined;
}

/** visibleLot returns the lot by id if the actor may see it, or LotNotFound. */
export async function visibleLot(db: Kysely<Schema> | Transaction<Schema>, actor: Actor, id: string): Promise<LotRow> {
  const lot = await findLot(db, id);
  if (!lot || !(await lotVisible(db, actor, lot))) throw notFound('LotNotFound', 'id', id);
  return lot;
}

/**
 * declareLot records an inbound batch for the importer and gives it its trace code. The producer must
 * be in the register and not suspended on the arrival date (China time): otherwise 409 names the
 * suspension and when it lifts. The lot starts yellow until it is cleared.
 */
export async function declareLot(deps: Deps, actor: Actor, input: DeclarationInput, idem?: Idempotency) {
  if (!mayAttempt(actor, 'lot.declare')) throw forbid('lot.declare');
  // Refuse bad input before taking the log's lock; declareWith checks it again, as every writer-level form does.
  checkDeclaration(input);
  return commit(deps, idem, (w) => declareWith(w, deps, actor, input));
}

/** declareWith is declareLot inside the writer's transaction, for callers that batch many writes in one commit. */
export async function declareWith(w: Writer, deps: Deps, actor: Actor, input: DeclarationInput) {
  if (!mayAttempt(actor, 'lot.declare')) throw forbid('lot.declare');
  const v = checkDeclaration(input);
  const producer = await findProducer(w.trx, input.producerId);
  if (!producer)
    throw new AppError('UnknownReference', {
      field: 'producerId',
      reason: `no producer ${input.producerId} in the register`,
    });
  if (producer.country !== v.originCountry) {
    throw invalid(
      'originCountry',
      `the producer ${producer.registrationNo} is in ${producer.country}, not ${v.originCountry}`,
    );
  }
  const [dayStart, dayEnd] = chinaDayBounds(v.arrivalDate);
  const suspensions = await producerSuspensions(w.trx, producer.id);
  const blocking = suspensions
    .filter((s) => s.startsAt < dayEnd && s.endsAt > dayStart)
    .sort((a, b) => b.endsAt - a.endsAt)[0];
  if (blocking) {
    throw new AppError('ProducerSuspended', {
      field: 'producerId',
      reason: `the producer is suspended on the arrival date ${v.arrivalDate}`,
      suspensionId: blocking.id,
      liftsAt: new Date(blocking.endsAt).toISOString(),
    });
  }
  if (v.gtin) {
    const dup = await w.trx
      .selectFrom('lots')
      .select('id')
      .where('gtin', '=', v.gtin)
      .where('batchNo', '=', v.batchNo)
      .executeTakeFirst();
    if (dup)
      throw new AppError('AlreadyExists', {
        field: 'batchNo',
        reason: `GTIN ${v.gtin} batch ${v.batchNo} is already declared as ${dup.id}`,
      });
  }
  let code = newTraceCode(randomBytes);
  while (await findLotByCode(w.trx, code)) code = newTraceCode(randomBytes);
  const importer = await w.trx
    .selectFrom('parties')
    .select('region')
    .where('id', '=', actor.partyId)
    .executeTakeFirstOrThrow();
  const base = {
    id: newId('lot'),
    code,
    importerPartyId: actor.partyId,
    region: importer.region,
    ...v,
    producerId: producer.id,
    createdAt: w.now,
    updatedAt: w.now,
  };
  const pending = {
    ...base,
    origin: 'imported',
    transformationId: null,
    status: 'yellow',
    statusReasons: '[]',
    logIndex: 0,
  };
  const facts = await collectFacts(w.trx, pending);
  const s = statusPatch(pending, facts, w.now);
  // The importer holds the whole batch from the moment it is declared, at no location yet (the port).
  const holdings = [
    {
      id: holdingId(base.id, actor.partyId, null),
      lotId: base.id,
      partyId: actor.partyId,
      locationId: null,
      grams: v.netGrams,
      cartons: v.cartons,
      updatedAt: w.now,
    },
  ];
  const logIndex = await w.append('lot.declared', actor.partyId, {
    lot: { ...base, status: s.status, statusReasons: s.statusReasons },
    holdings,
  });
  return { lot: toLot((await findLot(w.trx, base.id))!), logIndex };
}

/** getLot returns a lot the actor may see, with the lots it was made from when it is derived. */
export async function getLot(deps: Deps, actor: Actor, id: string) {
  const lot = await visibleLot(deps.db, actor, id);
  return { ...toLot(lot), parents: await lotParents(deps.db, lot) };
}

/** listLots lists the lots the actor may see, by status, producer, container or declaration. */
export async function listLots(
  deps: Deps,
  actor: Actor,
  q: {
    region?: string;
    status?: string;
    producerId?: string;
    containerNo?: string;
    declarationNo?: string;
    limit?: number;
    cursor?: string;
  },
): Promise<Page<Lot>> {
  const page = pageRequest(q.limit, q.cursor);
  const scope = listScope(actor);
  if (scope.kind === 'region' && q.region && q.region !== scope.region) return { items: [], nextCursor: null };
  const rows = await listRows(deps.db, {
    ...q,
    region: scope.kind === 'region' ? scope.region : q.region,
    visibleTo: scope.kind === 'own' ? actor.partyId : undefined,
    after: page.after,
    limit: page.limit,
  });
  return pageOf(rows, page, toLot);
}
