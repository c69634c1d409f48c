import type { Kysely, Transaction } from 'kysely';
import type { Actor } from '../../domain/access.ts';
import { listScope, mayAttempt } from '../../domain/access.ts';
import { canMove } from '../../domain/custody-rules.ts';
import type { LotStatus, StatusReason } from '../../domain/lot-status.ts';
import { maskBuyer, validateBuyerName, validateMobile } from '../../domain/retail-buyer.ts';
import { chinaDate } from '../../domain/suspension.ts';
import { findLot } from '../../store/border.ts';
import { getSetting } from '../../store/master.ts';
import type { LotRow, Schema } from '../../store/schema.ts';
import { AppError, invalid, notFound } from '../errors.ts';
import { forbid } from '../access/authorize.ts';
import type { Idempotency, Writer } from '../write/commit.ts';
import { commit } from '../write/commit.ts';
import { shipWith } from './custody.ts';
import { grams, holding, kg, partyRoles, refuse, takeFrom, toShipment } from './custody-parts.ts';
import type { Deps } from '../deps.ts';
import { holdingId } from './holding-id.ts';
import { newId } from '../write/ids.ts';
import { lotVisible } from '../border/lots.ts';
import { iso } from '../access/paging.ts';
import { storePersonal } from '../registry/personal.ts';
import { checkEventTimes } from '../registry/time-horizon.ts';
import { reachArrivals } from '../temperature/breaches.ts';

type Db = Kysely<Schema> | Transaction<Schema>;
type Qty = { kg: number; cartons: number };

/** SaleInput sells part of a lot to a retailer or restaurant: handed over at the seller's, or delivered by vehicle. */
export interface SaleInput {
  toPartyId: string;
  toLocationId?: string | null;
  /** The seller's place the goods leave from (null: none). */
  locationId?: string | null;
  quantity: Qty;
  soldAt: number;
  referenceDoc?: string | null;
  /** With a vehicle the sale is delivered: a shipment with purpose 'sale' that the buyer receives. */
  vehicleId?: string | null;
  driverWorkerId?: string | null;
  handlerWorkerIds?: string[];
  /** The carrier whose vehicle or crew delivers the sale, under a job it accepted (see shipWith). */
  carrierPartyId?: string | null;
}

const BUYER_ROLES = ['retailer', 'restaurant'] as const;

/**
 * sellWith records a sale to a retailer or restaurant in the writer's transaction. With a vehicle it
 * is shipWith with purpose 'sale' (every shipping rule applies, and the buyer receives it). Without
 * one the buyer collects it at the seller's stall: one 'sale.handed_over' entry takes the quantity
 * from the seller's holding (refused when it holds less) and credits the buyer's at once, recorded as
 * a received shipment with purpose 'sale' and mode 'handover'. Only green lots are sold.
 */
export async function sellWith(w: Writer, deps: Deps, actor: Actor, lotId: string, input: SaleInput) {
  if (!mayAttempt(actor, 'custody.move')) throw forbid('custody.move');
  const q = grams('quantity', input.quantity);
  if (q.grams === 0 && q.cartons === 0) throw invalid('quantity', 'must not be zero');
  if (input.toPartyId === actor.partyId) throw invalid('toPartyId', 'is yourself; a sale goes to another party');
  await checkEventTimes(w, actor, { soldAt: input.soldAt });
  if (!input.vehicleId && (input.driverWorkerId || (input.handlerWorkerIds ?? []).length > 0 || input.carrierPartyId)) {
    throw invalid('vehicleId', 'is required when a driver, handlers or a carrier are given');
  }
  const roles = await partyRoles(w.trx, input.toPartyId);
  if (!roles) throw new AppError('UnknownReference', { field: 'toPartyId', reason: `no party ${input.toPartyId}` });
  if (!roles.some((r) => (BUYER_ROLES as readonly string[]).includes(r))) {
    throw invalid('toPartyId', 'a sale goes to a retailer or restaurant; send goods to other holders as a shipment');
  }
  const fromLocationId = input.locationId ?? null;
  const toLocationId = input.toLocationId ?? null;
  const referenceDoc = input.referenceDoc?.trim() || null;
  if (input.vehicleId) {
    if (!input.driverWorkerId) throw invalid('driverWorkerId', 'is required for a delivered sale');
    return shipWith(w, deps, actor, lotId, {
      fromLocationId,
      toPartyId: input.toPartyId,
      toLocationId,
      quantity: input.quantity,
      vehicleId: input.vehicleId,
      driverWorkerId: input.driverWorkerId,
      handlerWorkerIds: input.handlerWorkerIds ?? [],
      carrierPartyId: input.carrierPartyId ?? null,
      departedAt: input.soldAt,
      referenceDoc,
      purpose: 'sale',
    });
  }
  const lot = await findLot(w.trx, lotId);
  if (!lot) throw notFound('LotNotFound', 'id', lotId);
  const from = await takeFrom(w.trx, actor, lotId, fromLocationId, q);
  refuse(
    canMove({ status: lot.status as LotStatus, reasons: JSON.parse(lot.statusReasons) as StatusReason[] }, 'sale'),
    'lotId',
  );
  if (toLocationId) {
    const loc = await w.trx
      .selectFrom('locations')
      .select('ownerPartyId')
      .where('id', '=', toLocationId)
      .executeTakeFirst();
    if (!loc || loc.ownerPartyId !== input.toPartyId)
      throw new AppError('UnknownReference', { field: 'toLocationId', reason: 'no such location of the buyer' });
  }
  const to = await holding(w.trx, lotId, input.toPartyId, toLocationId);
  const shipment = {
    id: newId('shp'),
    lotId,
    fromPartyId: actor.partyId,
    fromLocationId,
    toPartyId: input.toPartyId,
    toLocationId,
    ...q,
    purpose: 'sale',
    mode: 'handover',
    carrierPartyId: null,
    vehicleId: null,
    driverWorkerId: null,
    handlerWorkerIds: [],
    departedAt: input.soldAt,
    referenceDoc,
    flags: [],
    status: 'received',
    receivedGrams: q.grams,
    receivedCartons: q.cartons,
    receivedAt: input.soldAt,
    createdAt: w.now,
    updatedAt: w.now,
  };
  const holdings = [
    {
      id: from.id,
      lotId,
      partyId: actor.partyId,
      locationId: fromLocationId,
      grams: from.grams - q.grams,
      cartons: from.cartons - q.cartons,
      updatedAt: w.now,
    },
    {
      id: holdingId(lotId, input.toPartyId, toLocationId),
      lotId,
      partyId: input.toPartyId,
      locationId: toLocationId,
      grams: (to?.grams ?? 0) + q.grams,
      cartons: (to?.cartons ?? 0) + q.cartons,
      updatedAt: w.now,
    },
  ];
  const logIndex = await w.append('sale.handed_over', actor.partyId, { shipment, holdings });
  await reachArrivals(w, actor.partyId, [{ lotId, locationId: toLocationId, at: input.soldAt }]);
  const row = await w.trx.selectFrom('shipments').selectAll().where('id', '=', shipment.id).executeTakeFirstOrThrow();
  return { ...toShipment(row), logIndex };
}

/** sellLot is sellWith in a transaction of its own. */
export async function sellLot(deps: Deps, actor: Actor, lotId: string, input: SaleInput, idem?: Idempotency) {
  return commit(deps, idem, (w) => sellWith(w, deps, actor, lotId, input));
}

/** RETAIL_REAL_NAME names the per-region setting: 'on' when retail sales need a real-name purchase record. */
export const RETAIL_REAL_NAME = 'retail-real-name';

/** retailRealName is the region's choice: its own, else the national one, else 'off'. */
export async function retailRealName(db: Db, region: string): Promise<'on' | 'off'> {
  const own = await getSetting(db, `${RETAIL_REAL_NAME}:${region}`);
  return (own ?? (await getSetting(db, RETAIL_REAL_NAME)) ?? 'off') as 'on' | 'off';
}

/** RetailSaleInput is one sale to a consumer, with the buyer's name and mobile where a real-name record is taken. */
export interface RetailSaleInput {
  locationId?: string | null;
  quantity: Qty;
  soldAt: number;
  buyer?: { name: string; phone: string } | null;
}

/**
 * retailSaleWith records a retailer's or restaurant's sale to a consumer from its holding, in the
 * writer's transaction (refused when it holds less, or the lot is not green). Where the seller's
 * region turns real-name records on, the buyer's name and mobile number are required; given either
 * way, they are kept only as erasable personal data, and the log holds a salted commitment.
 */
export async function retailSaleWith(w: Writer, deps: Deps, actor: Actor, lotId: string, input: RetailSaleInput) {
  if (!mayAttempt(actor, 'retail.sell')) throw forbid('retail.sell');
  const q = grams('quantity', input.quantity);
  if (q.grams === 0 && q.cartons === 0) throw invalid('quantity', 'must not be zero');
  await checkEventTimes(w, actor, { soldAt: input.soldAt });
  let buyer: { name: string; phone: string } | null = null;
  if (input.buyer) {
    const name = validateBuyerName(input.buyer.name);
    if (!name.ok) throw invalid('buyer.name', name.reason);
    const phone = validateMobile(input.buyer.phone);
    if (!phone.ok) throw invalid('buyer.phone', phone.reason);
    buyer = { name: name.value, phone: phone.value };
  }
  const locationId = input.locationId ?? null;
  const lot = await findLot(w.trx, lotId);
  if (!lot) throw notFound('LotNotFound', 'id', lotId);
  const from = await takeFrom(w.trx, actor, lotId, locationId, q);
  refuse(
    canMove(
      { status: lot.status as LotStatus, reasons: JSON.parse(lot.statusReasons) as StatusReason[] },
      'retail_sale',
    ),
    'lotId',
  );
  const region = (
    await w.trx.selectFrom('parties').select('region').where('id', '=', actor.partyId).executeTakeFirstOrThrow()
  ).region;
  if (!buyer && (await retailRealName(w.trx, region)) === 'on') {
    throw invalid('buyer', "this region requires a real-name purchase record: give the buyer's name and mobile number");
  }
  const masked = buyer ? maskBuyer(buyer) : null;
  const personal = buyer ? await storePersonal(w.trx, 'retail_buyer', JSON.stringify(buyer), masked, w.now) : null;
  const retailSale = {
    id: newId('rs'),
    lotId,
    partyId: actor.partyId,
    locationId,
    day: chinaDate(input.soldAt),
    ...q,
    soldAt: input.soldAt,
    buyerRef: personal?.ref ?? null,
    buyerCommitment: personal?.commitment ?? null,
    createdAt: w.now,
  };
  const holdings = [
    {
      id: from.id,
      lotId,
      partyId: actor.partyId,
      locationId,
      grams: from.grams - q.grams,
      cartons: from.cartons - q.cartons,
      updatedAt: w.now,
    },
  ];
  const logIndex = await w.append('retail.sold', actor.partyId, { retailSale, holdings });
  return toRetailSale({ ...retailSale, logIndex, masked, erasedAt: null });
}

/** retailSell is retailSaleWith in a transaction of its own. */
export async function retailSell(deps: Deps, actor: Actor, lotId: string, input: RetailSaleInput, idem?: Idempotency) {
  return commit(deps, idem, (w) => retailSaleWith(w, deps, actor, lotId, input));
}

function toRetailSale(r: {
  id: string;
  lotId: string;
  partyId: string;
  locationId: string | null;
  day: string;
  grams: number;
  cartons: number;
  soldAt: number;
  buyerRef: string | null;
  logIndex: number;
  masked: string | null;
  erasedAt: number | null;
}) {
  return {
    id: r.id,
    lotId: r.lotId,
    partyId: r.partyId,
    locationId: r.locationId,
    day: r.day,
    quantity: { kg: kg(r.grams), cartons: r.cartons },
    soldAt: iso(r.soldAt),
    buyer:
      r.buyerRef === null
        ? null
        : r.erasedAt !== null
          ? { ref: r.buyerRef, masked: null, erased: true }
          : { ref: r.buyerRef, masked: r.masked, erased: false },
    logIndex: r.logIndex,
  };
}

/**
 * retailScope is which sellers' retail sales of a lot the actor sees: all of them (the national level,
 * the lot's importer, the regulators of the lot's region), those of sellers in its region (other
 * regulators), or its own. Someone who sees neither the lot nor sales of its own gets LotNotFound.
 */
async function retailScope(
  db: Db,
  actor: Actor,
  lotId: string,
): Promise<{ lot: LotRow; region?: string; partyId?: string }> {
  const lot = await findLot(db, lotId);
  if (!lot) throw notFound('LotNotFound', 'id', lotId);
  const scope = listScope(actor);
  if (scope.kind === 'all' || lot.importerPartyId === actor.partyId) return { lot };
  if (scope.kind === 'region') return lot.region === scope.region ? { lot } : { lot, region: scope.region };
  const own = await db
    .selectFrom('retailSales')
    .select('id')
    .where('lotId', '=', lotId)
    .where('partyId', '=', actor.partyId)
    .executeTakeFirst();
  if (!own && !(await lotVisible(db, actor, lot))) throw notFound('LotNotFound', 'id', lotId);
  return { lot, partyId: actor.partyId };
}

/** retailSalesDaily totals a lot's retail sales per China-local day and seller: kg, cartons and number of sales. */
export async function retailSalesDaily(deps: Deps, actor: Actor, lotId: string) {
  const { region, partyId } = await retailScope(deps.db, actor, lotId);
  const rows = await deps.db
    .selectFrom('retailSales')
    .select((eb) => [
      'retailSales.day',
      'retailSales.partyId',
      eb.fn.sum<number | string>('retailSales.grams').as('grams'),
      eb.fn.sum<number | string>('retailSales.cartons').as('cartons'),
      eb.fn.countAll<number | string>().as('sales'),
    ])
    .where('retailSales.lotId', '=', lotId)
    .groupBy(['retailSales.day', 'retailSales.partyId'])
    .orderBy('retailSales.day')
    .orderBy('retailSales.partyId')
    .$if(partyId !== undefined, (qb) => qb.where('retailSales.partyId', '=', partyId!))
    .$if(region !== undefined, (qb) =>
      qb.where('retailSales.partyId', 'in', deps.db.selectFrom('parties').select('id').where('region', '=', region!)),
    )
    .execute();
  return {
    lotId,
    items: rows.map((r) => ({
      day: r.day,
      partyId: r.partyId,
      quantity: { kg: kg(Number(r.grams)), cartons: Number(r.cartons) },
      sales: Number(r.sales),
    })),
    nextCursor: null,
  };
}

/**
 * listRetailSales lists a lot's retail sales, newest first, to those retailSalesDaily shows them to.
 * A buyer appears only masked (张** 138****5678), and only to the seller itself and regulators.
 */
export async function listRetailSales(deps: Deps, actor: Actor, lotId: string) {
  const { region, partyId } = await retailScope(deps.db, actor, lotId);
  const rows = await deps.db
    .selectFrom('retailSales')
    .leftJoin('personalData', 'personalData.id', 'retailSales.buyerRef')
    .selectAll('retailSales')
    .select(['personalData.masked', 'personalData.erasedAt'])
    .where('retailSales.lotId', '=', lotId)
    .orderBy('retailSales.id', 'desc')
    .limit(500)
    .$if(partyId !== undefined, (qb) => qb.where('retailSales.partyId', '=', partyId!))
    .$if(region !== undefined, (qb) =>
      qb.where('retailSales.partyId', 'in', deps.db.selectFrom('parties').select('id').where('region', '=', region!)),
    )
    .execute();
  const regulator = actor.roles.includes('regulator');
  return {
    items: rows.map((r) => {
      const sale = toRetailSale(r);
      return regulator || r.partyId === actor.partyId
        ? sale
        : { ...sale, buyer: sale.buyer === null ? null : { ref: null, masked: null, erased: sale.buyer.erased } };
    }),
    nextCursor: null,
  };
}
