import { randomBytes } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import type { Actor } from '../../domain/access.ts';
import { canSee, mayAttempt } from '../../domain/access.ts';
import type { CustodyReason } from '../../domain/custody-rules.ts';
import { canMove, custodyReasonText, transformOutputs } from '../../domain/custody-rules.ts';
import { validateGtin } from '../../domain/digital-link.ts';
import type { LotStatus, StatusReason } from '../../domain/lot-status.ts';
import { formatTraceCode, newTraceCode } from '../../domain/trace-code.ts';
import { findLot, findLotByCode } from '../../store/border.ts';
import type { LotRow, Schema } from '../../store/schema.ts';
import { findTransformation, transformationLotsWithCodes } from '../../store/transformations.ts';
import { AppError, invalid, notFound } from '../errors.ts';
import { forbid } from '../access/authorize.ts';
import type { Idempotency, Writer } from '../write/commit.ts';
import { commit } from '../write/commit.ts';
import { grams, kg, ownLocation, refuse, takeFrom } from './custody-parts.ts';
import { checkEventTimes } from '../registry/time-horizon.ts';
import type { Deps } from '../deps.ts';
import { holdingId } from './holding-id.ts';
import { newId } from '../write/ids.ts';
import { collectFacts, statusPatch } from '../border/lot-facts.ts';
import { iso } from '../access/paging.ts';
import { reachArrivals } from '../temperature/breaches.ts';

export const TRANSFORMATION_KINDS = ['repack', 'process'] as const;

type Qty = { kg: number; cartons: number };

/** TransformationInput is a repack or processing step: the lots taken in, the new lots made, and the declared loss. */
export interface TransformationInput {
  kind: (typeof TRANSFORMATION_KINDS)[number];
  /** Where it happens: one of the actor's locations, or null; the new lots are held there. */
  locationId: string | null;
  /** Each input is taken from the actor's holding at its locationId (default: the step's location). */
  inputs: { lotId: string; locationId?: string | null; quantity: Qty }[];
  outputs: {
    quantity: Qty;
    productNameZh?: string | null;
    productNameEn?: string | null;
    gtin?: string | null;
    batchNo?: string | null;
  }[];
  /** Trimmings, thaw drip, glaze: inputs must equal outputs plus this. */
  lossKg?: number;
  at: number;
  referenceDoc?: string | null;
}

// The field of the request each mass-balance refusal is about.
function balanceField(r: CustodyReason): string {
  const item = String(r.params?.item ?? '');
  const m = /^(inputs|outputs)\[(\d+)\]$/.exec(item);
  if (m) return `${m[1]}.${m[2]}.quantity`;
  if (item === 'declaredLossGrams') return 'lossKg';
  switch (r.code) {
    case 'transform_no_inputs':
    case 'transform_duplicate_input':
      return 'inputs';
    case 'transform_unbalanced':
      return 'lossKg';
    default:
      return 'outputs';
  }
}

const BATCH = /^[!%-?A-Z_a-z"]{1,20}$/;

function checkOutputs(outputs: TransformationInput['outputs']) {
  return outputs.map((o, i) => {
    let gtin: string | null = null;
    if (o.gtin) {
      const g = validateGtin(o.gtin);
      if (!g.ok) throw invalid(`outputs.${i}.gtin`, g.reason);
      gtin = g.value;
    }
    const batchNo = o.batchNo?.trim() || null;
    if (batchNo !== null && !BATCH.test(batchNo))
      throw invalid(`outputs.${i}.batchNo`, 'must be 1 to 20 characters of the GS1 AI 82 set');
    return {
      q: grams(`outputs.${i}.quantity`, o.quantity),
      gtin,
      batchNo,
      zh: o.productNameZh?.trim() || null,
      en: o.productNameEn?.trim() || null,
    };
  });
}

async function newCode(trx: Transaction<Schema>, taken: Set<string>): Promise<string> {
  let code = newTraceCode(randomBytes);
  while (taken.has(code) || (await findLotByCode(trx, code))) code = newTraceCode(randomBytes);
  taken.add(code);
  return code;
}

/**
 * transformWith records a repack or processing step by a holder, in the writer's transaction: the
 * input quantities leave the actor's holdings (refused with InsufficientQuantity, under the log's
 * lock, when it holds less) and each output becomes a new derived lot, with a new trace code, held
 * by the actor at the step's location. Every gram must be accounted for (transformOutputs): inputs
 * equal outputs plus the declared loss. Only green lots may be transformed. A new lot copies its
 * border identity (declaration, container, producer, origin, HS code, production date) from the
 * heaviest input and the earliest expiry date of all inputs; its status is lotStatus's for a derived
 * lot with its inputs' statuses, so it inherits the worst of them.
 */
export async function transformWith(w: Writer, deps: Deps, actor: Actor, input: TransformationInput) {
  if (!mayAttempt(actor, 'custody.transform')) throw forbid('custody.transform');
  if (!(TRANSFORMATION_KINDS as readonly string[]).includes(input.kind))
    throw invalid('kind', `must be one of ${TRANSFORMATION_KINDS.join(', ')}`);
  const ins = input.inputs.map((x, i) => ({
    ...x,
    locationId: x.locationId === undefined ? input.locationId : x.locationId,
    q: grams(`inputs.${i}.quantity`, x.quantity),
  }));
  const outs = checkOutputs(input.outputs);
  const loss = grams('lossKg', { kg: input.lossKg ?? 0, cartons: 0 }).grams;
  const referenceDoc = input.referenceDoc?.trim() || null;
  await checkEventTimes(w, actor, { at: input.at });

  await ownLocation(w.trx, actor, 'locationId', input.locationId);
  const lots: LotRow[] = [];
  for (const [i, x] of ins.entries()) {
    const lot = await findLot(w.trx, x.lotId);
    if (!lot) throw notFound('LotNotFound', `inputs.${i}.lotId`, x.lotId);
    lots.push(lot);
  }
  const balance = transformOutputs(
    ins.map((x, i) => ({ lotId: x.lotId, status: lots[i]!.status as LotStatus, quantity: x.q })),
    outs.map((o) => ({ quantity: o.q })),
    loss,
  );
  if (!balance.ok) {
    const r = balance.reasons[0]!;
    throw invalid(balanceField(r), balance.reasons.map((x) => custodyReasonText(x, 'en')).join(' '), {
      reasons: balance.reasons,
    });
  }
  for (const [i, lot] of lots.entries()) {
    refuse(
      canMove(
        { status: lot.status as LotStatus, reasons: JSON.parse(lot.statusReasons) as StatusReason[] },
        'transformation',
      ),
      `inputs.${i}.lotId`,
    );
  }
  const taken = [];
  for (const [i, x] of ins.entries()) {
    await ownLocation(w.trx, actor, `inputs.${i}.locationId`, x.locationId);
    taken.push(
      await takeFrom(w.trx, actor, x.lotId, x.locationId, x.q, {
        lot: `inputs.${i}.lotId`,
        quantity: `inputs.${i}.quantity`,
      }),
    );
  }

  const transformation = {
    id: newId('trf'),
    partyId: actor.partyId,
    locationId: input.locationId,
    kind: input.kind,
    at: input.at,
    lossGrams: loss,
    referenceDoc,
    createdAt: w.now,
  };
  const heaviest = lots[ins.reduce((best, x, i) => (x.q.grams > ins[best]!.q.grams ? i : best), 0)]!;
  const expiryDate = lots.map((l) => l.expiryDate).sort()[0]!;
  const region = (
    await w.trx.selectFrom('parties').select('region').where('id', '=', actor.partyId).executeTakeFirstOrThrow()
  ).region;
  const codes = new Set<string>();
  const derivedLots = [];
  for (const [i, o] of outs.entries()) {
    if (o.gtin) {
      const batchNo = o.batchNo ?? heaviest.batchNo;
      const dup = await w.trx
        .selectFrom('lots')
        .select('id')
        .where('gtin', '=', o.gtin)
        .where('batchNo', '=', batchNo)
        .executeTakeFirst();
      const twice = outs.some((p, j) => j < i && p.gtin === o.gtin && (p.batchNo ?? heaviest.batchNo) === batchNo);
      if (dup || twice)
        throw new AppError('AlreadyExists', {
          field: `outputs.${i}.batchNo`,
          reason: `GTIN ${o.gtin} batch ${batchNo} is already a lot`,
        });
    }
    const base = {
      id: newId('lot'),
      code: await newCode(w.trx, codes),
      importerPartyId: actor.partyId,
      region,
      declarationNo: heaviest.declarationNo,
      portOfEntry: heaviest.portOfEntry,
      arrivalDate: heaviest.arrivalDate,
      containerNo: heaviest.containerNo,
      billOfLading: heaviest.billOfLading,
      productNameZh: o.zh ?? (o.en ? null : heaviest.productNameZh),
      productNameEn: o.en ?? (o.zh ? null : heaviest.productNameEn),
      category: heaviest.category,
      hsCode: heaviest.hsCode,
      gtin: o.gtin,
      batchNo: o.batchNo ?? heaviest.batchNo,
      originCountry: heaviest.originCountry,
      producerId: heaviest.producerId,
      netGrams: o.q.grams,
      cartons: o.q.cartons,
      productionDate: heaviest.productionDate,
      expiryDate,
      origin: 'derived',
      transformationId: transformation.id,
      createdAt: w.now,
      updatedAt: w.now,
    };
    const pending = { ...base, status: 'yellow', statusReasons: '[]', logIndex: 0 };
    // The transformation's rows are not written yet, so the parents' statuses are given, not read.
    const parents = [...new Map(lots.map((l) => [l.id, l])).values()]
      .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
      .map((l) => ({ id: l.id, code: l.code, status: l.status as LotStatus }));
    const facts = { ...(await collectFacts(w.trx, pending)), parents };
    const s = statusPatch(pending, facts, w.now);
    derivedLots.push({ ...base, status: s.status, statusReasons: s.statusReasons });
  }
  const transformationLots = [
    ...ins.map((x) => ({
      transformationId: transformation.id,
      lotId: x.lotId,
      role: 'input',
      locationId: x.locationId,
      ...x.q,
    })),
    ...derivedLots.map((l) => ({
      transformationId: transformation.id,
      lotId: l.id,
      role: 'output',
      locationId: input.locationId,
      grams: l.netGrams,
      cartons: l.cartons,
    })),
  ];
  const holdings = [
    ...taken.map((h, i) => ({
      id: h.id,
      lotId: h.lotId,
      partyId: h.partyId,
      locationId: h.locationId,
      grams: h.grams - ins[i]!.q.grams,
      cartons: h.cartons - ins[i]!.q.cartons,
      updatedAt: w.now,
    })),
    ...derivedLots.map((l) => ({
      id: holdingId(l.id, actor.partyId, input.locationId),
      lotId: l.id,
      partyId: actor.partyId,
      locationId: input.locationId,
      grams: l.netGrams,
      cartons: l.cartons,
      updatedAt: w.now,
    })),
  ];
  await w.append('lot.transformed', actor.partyId, { transformation, derivedLots, transformationLots, holdings });
  await reachArrivals(
    w,
    actor.partyId,
    derivedLots.map((l) => ({ lotId: l.id, locationId: input.locationId, at: input.at })),
  );
  return (await transformationView(w.trx, transformation.id))!.view;
}

/** transformLots is transformWith in a transaction of its own. */
export async function transformLots(deps: Deps, actor: Actor, input: TransformationInput, idem?: Idempotency) {
  return commit(deps, idem, (w) => transformWith(w, deps, actor, input));
}

async function transformationView(db: Kysely<Schema> | Transaction<Schema>, id: string) {
  const t = await findTransformation(db, id);
  if (!t) return undefined;
  const lots = await transformationLotsWithCodes(db, id);
  const lot = (l: (typeof lots)[number]) => ({
    lotId: l.lotId,
    code: l.code,
    codeText: formatTraceCode(l.code),
    product: { zh: l.productNameZh, en: l.productNameEn },
    status: l.status,
    locationId: l.locationId,
    quantity: { kg: kg(l.grams), cartons: l.cartons },
  });
  return {
    view: {
      id: t.id,
      partyId: t.partyId,
      locationId: t.locationId,
      kind: t.kind,
      at: iso(t.at),
      loss: { kg: kg(t.lossGrams) },
      referenceDoc: t.referenceDoc,
      inputs: lots.filter((l) => l.role === 'input').map(lot),
      outputs: lots.filter((l) => l.role === 'output').map(lot),
      createdAt: iso(t.createdAt),
      logIndex: t.logIndex,
    },
    lots,
  };
}

/**
 * getTransformation returns a transformation with its input and output lots, to the party that made
 * it, to the importers of its lots, and to the regulators of the region of the party or of any lot.
 */
export async function getTransformation(deps: Deps, actor: Actor, id: string) {
  const found = await transformationView(deps.db, id);
  if (!found) throw notFound('NotFound', 'id', id);
  const party = await deps.db
    .selectFrom('parties')
    .select('region')
    .where('id', '=', found.view.partyId)
    .executeTakeFirstOrThrow();
  const visible =
    canSee(actor, { ownerPartyId: found.view.partyId, region: party.region }) ||
    found.lots.some((l) => canSee(actor, { ownerPartyId: l.importerPartyId, region: l.region }));
  if (!visible) throw notFound('NotFound', 'id', id);
  return found.view;
}
