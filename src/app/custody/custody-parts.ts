import type { Transaction } from 'kysely';
import type { Actor, Role } from '../../domain/access.ts';
import type { CustodyCheck, CustodyReason } from '../../domain/custody-rules.ts';
import { custodyReasonText } from '../../domain/custody-rules.ts';
import type { HoldingRow, Schema, ShipmentRow } from '../../store/schema.ts';
import { AppError, invalid, notFound } from '../errors.ts';
import { holdingId } from './holding-id.ts';
import { iso } from '../access/paging.ts';

// The pieces every custody movement shares: quantities, holdings, refusals and the API forms of rows.

/** kg turns a whole number of grams into kilograms for the API. */
export const kg = (grams: number) => grams / 1000;

/** toHolding is the API form of a holding. */
export const toHolding = (h: HoldingRow) => ({
  lotId: h.lotId,
  partyId: h.partyId,
  locationId: h.locationId,
  quantity: { kg: kg(h.grams), cartons: h.cartons },
  updatedAt: iso(h.updatedAt),
  logIndex: h.logIndex,
});

/** toShipment is the API form of a shipment; a sale handed over at the seller's has no vehicle or driver (''). */
export const toShipment = (s: ShipmentRow) => ({
  id: s.id,
  lotId: s.lotId,
  from: { partyId: s.fromPartyId, locationId: s.fromLocationId },
  to: { partyId: s.toPartyId, locationId: s.toLocationId },
  quantity: { kg: kg(s.grams), cartons: s.cartons },
  purpose: s.purpose,
  mode: s.mode,
  carrierPartyId: s.carrierPartyId ?? null,
  vehicleId: s.vehicleId || null,
  driverWorkerId: s.driverWorkerId || null,
  handlerWorkerIds: JSON.parse(s.handlerWorkerIds) as string[],
  departedAt: iso(s.departedAt),
  referenceDoc: s.referenceDoc,
  flags: JSON.parse(s.flags) as unknown[],
  status: s.status,
  received:
    s.receivedAt === null
      ? null
      : { quantity: { kg: kg(s.receivedGrams ?? 0), cartons: s.receivedCartons ?? 0 }, at: iso(s.receivedAt) },
  discrepancy:
    s.receivedAt === null || (s.receivedGrams === s.grams && s.receivedCartons === s.cartons)
      ? null
      : { kg: kg(s.grams - (s.receivedGrams ?? 0)), cartons: s.cartons - (s.receivedCartons ?? 0) },
  // A shipment recognised from a peer's log names that log's entry (app/recognition); else null.
  source: s.homeOrigin ? { origin: s.homeOrigin, index: Number(s.homeIndex), leafHash: s.homeLeafHash ?? null } : null,
  logIndex: s.logIndex,
});

/** toDisposal is the API form of a disposal row or record. */
export const toDisposal = (d: {
  id: string;
  lotId: string;
  partyId: string;
  locationId: string | null;
  grams: number;
  cartons: number;
  method: string;
  referenceDoc: string;
  at: number;
  createdAt: number;
  logIndex: number;
}) => ({
  id: d.id,
  lotId: d.lotId,
  partyId: d.partyId,
  locationId: d.locationId,
  quantity: { kg: kg(d.grams), cartons: d.cartons },
  method: d.method,
  referenceDoc: d.referenceDoc,
  at: iso(d.at),
  // The event time (at) is when the goods left; recordedAt is when the node wrote it down.
  recordedAt: iso(Number(d.createdAt)),
  logIndex: d.logIndex,
});

/** refuse throws a failed custody check as an error naming field, with its reasons worded in English. */
export function refuse(check: CustodyCheck, field: string): void {
  if (check.ok) return;
  const code =
    check.code === 'LotBlocked'
      ? 'LotBlocked'
      : check.code === 'ReceiverCannotReceive'
        ? 'UnknownReference'
        : 'ValidationFailed';
  throw new AppError(code, {
    field,
    reason: check.reasons.map((r: CustodyReason) => custodyReasonText(r, 'en')).join(' '),
    reasons: check.reasons,
  });
}

/** grams reads an API quantity as whole grams and cartons, or refuses it naming field. */
export function grams(field: string, q: { kg: number; cartons: number }) {
  const g = Math.round(q.kg * 1000);
  if (!Number.isFinite(q.kg) || q.kg < 0 || !Number.isSafeInteger(g) || Math.abs(g - q.kg * 1000) > 1e-6) {
    throw invalid(`${field}.kg`, 'must be a non-negative number of kg with at most three decimals');
  }
  if (!Number.isInteger(q.cartons) || q.cartons < 0)
    throw invalid(`${field}.cartons`, 'must be a non-negative whole number');
  return { grams: g, cartons: q.cartons };
}

/** holding is the party's holding of a lot at a location (or none), if it has one. */
export async function holding(trx: Transaction<Schema>, lotId: string, partyId: string, locationId: string | null) {
  return trx
    .selectFrom('holdings')
    .selectAll()
    .where('id', '=', holdingId(lotId, partyId, locationId))
    .executeTakeFirst();
}

/** partyRoles are a party's roles, or null when there is no such party. */
export async function partyRoles(trx: Transaction<Schema>, id: string): Promise<Role[] | null> {
  const p = await trx.selectFrom('parties').select('roles').where('id', '=', id).executeTakeFirst();
  return p ? (JSON.parse(p.roles) as Role[]) : null;
}

/** ownLocation refuses, naming field, a location that is not the actor's; null (no location) passes. */
export async function ownLocation(trx: Transaction<Schema>, actor: Actor, field: string, id: string | null) {
  if (id === null) return;
  const loc = await trx.selectFrom('locations').select('ownerPartyId').where('id', '=', id).executeTakeFirst();
  if (!loc || loc.ownerPartyId !== actor.partyId)
    throw new AppError('UnknownReference', { field, reason: `no location ${id} of yours` });
}

/**
 * takeFrom returns the actor's holding of a lot at a location when it holds at least q there, and
 * otherwise refuses: LotNotFound (naming lotField) when it holds none, InsufficientQuantity (naming
 * quantityField) when it holds less. Call it under the log's lock, so that parallel takes cannot
 * together overspend.
 */
export async function takeFrom(
  trx: Transaction<Schema>,
  actor: Actor,
  lotId: string,
  locationId: string | null,
  q: { grams: number; cartons: number },
  fields: { lot: string; quantity: string } = { lot: 'id', quantity: 'quantity' },
) {
  const from = await holding(trx, lotId, actor.partyId, locationId);
  if (!from) throw notFound('LotNotFound', fields.lot, lotId);
  if (from.grams < q.grams || from.cartons < q.cartons) {
    throw new AppError('InsufficientQuantity', {
      field: fields.quantity,
      reason: `you hold ${kg(from.grams)} kg in ${from.cartons} cartons here; ${kg(q.grams)} kg in ${q.cartons} cartons cannot be taken`,
      held: { kg: kg(from.grams), cartons: from.cartons },
    });
  }
  return from;
}
