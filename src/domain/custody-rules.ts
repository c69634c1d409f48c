/**
 * The rules a custody movement must pass before holdings change: may this lot move for this purpose, may this party
 * receive goods, is the vehicle fit for the goods, are the driver and handlers eligible, and does a transformation
 * balance. Pure: the caller gathers the facts (statuses from lotStatus, eligibility from worker-eligibility).
 *
 * A refusal carries a stable PascalCase `code` for the API error and `reasons` that custodyReasonText words for the
 * warehouse worker or driver in front of the goods, in Chinese or English.
 */
import type { Role } from './access.ts';
import type { Quantity } from './holdings.ts';
import type { Lang, LotStatus, LotStatusResult, StatusReason } from './lot-status.ts';
import { reasonText } from './lot-status.ts';
import type { TempClass } from './temperature.ts';
import type { Eligibility, WorkerRole } from './worker-eligibility.ts';

/** Why goods move. Only the last three take a lot that is not green: to its seizure, destruction or return. */
export const MOVE_PURPOSES = [
  'shipment',
  'sale',
  'storage',
  'transformation',
  'retail_sale',
  'seizure',
  'destruction',
  'return',
] as const;
export type MovePurpose = (typeof MOVE_PURPOSES)[number];
export const CONTAINMENT_PURPOSES: readonly MovePurpose[] = Object.freeze([
  'seizure',
  'destruction',
  'return',
] as const);

export type CustodyReasonCode =
  | 'lot_blocked'
  | 'lot_not_cleared'
  | 'receiver_role'
  | 'vehicle_not_refrigerated'
  | 'worker_not_eligible'
  | 'transform_no_inputs'
  | 'transform_no_outputs'
  | 'transform_duplicate_input'
  | 'transform_bad_quantity'
  | 'transform_outputs_exceed_inputs'
  | 'transform_unbalanced';

/** One fact that stops a movement. `params` name the thing concerned; `statusReasons` say why a lot is not green. */
export type CustodyReason = {
  readonly code: CustodyReasonCode;
  readonly params?: Readonly<Record<string, string | number>>;
  readonly statusReasons?: readonly StatusReason[];
};

export type CustodyErrorCode =
  'LotBlocked' | 'ReceiverCannotReceive' | 'VehicleNotRefrigerated' | 'WorkerNotEligible' | 'MassBalance';

export type CustodyCheck =
  | { readonly ok: true }
  | { readonly ok: false; readonly code: CustodyErrorCode; readonly reasons: readonly CustodyReason[] };

/**
 * canMove decides whether a lot of status `lot` may move for `purpose`. A green lot may move for any purpose; a yellow
 * or red one only to its seizure, destruction or return. Pass lotStatus's whole result, rather than the bare status,
 * so the refusal can say why the lot is not green.
 */
export function canMove(lot: LotStatus | LotStatusResult, purpose: MovePurpose): CustodyCheck {
  const { status, reasons } = typeof lot === 'string' ? { status: lot, reasons: [] } : lot;
  if (status === 'green' || CONTAINMENT_PURPOSES.includes(purpose)) return { ok: true };
  const code = status === 'red' ? 'lot_blocked' : 'lot_not_cleared';
  return { ok: false, code: 'LotBlocked', reasons: [{ code, params: { purpose }, statusReasons: reasons }] };
}

/**
 * RECEIVING_ROLES are the roles that take goods into their custody. Carriers are not among them: goods on a truck
 * are in transit, consigned to a receiver, and the carrier is recorded through its vehicle and driver. Labs get
 * samples, not goods; customs, regulators and auditors seize goods into a supervision warehouse or cold store, not
 * into their own hands.
 */
export const RECEIVING_ROLES: readonly Role[] = Object.freeze([
  'importer',
  'supervision_warehouse',
  'cold_store',
  'wholesaler',
  'retailer',
  'restaurant',
] as const);

/** receiverMayReceive accepts a receiving party when any of its roles is one of RECEIVING_ROLES. */
export function receiverMayReceive(roles: readonly Role[]): CustodyCheck {
  if (roles.some((r) => RECEIVING_ROLES.includes(r))) return { ok: true };
  return {
    ok: false,
    code: 'ReceiverCannotReceive',
    reasons: [{ code: 'receiver_role', params: { roles: roles.join(',') } }],
  };
}

/** The temperature classes whose goods must travel in a refrigerated vehicle. */
export const REFRIGERATED_CLASSES: readonly TempClass[] = Object.freeze(['frozen', 'chilled'] as const);

/**
 * vehicleOk accepts a vehicle for goods of `tempClass`: frozen and chilled goods need a refrigerated vehicle, ambient
 * goods take any.
 */
export function vehicleOk(
  vehicle: { readonly plate: string; readonly refrigerated: boolean },
  tempClass: TempClass,
): CustodyCheck {
  if (vehicle.refrigerated || !REFRIGERATED_CLASSES.includes(tempClass)) return { ok: true };
  return {
    ok: false,
    code: 'VehicleNotRefrigerated',
    reasons: [{ code: 'vehicle_not_refrigerated', params: { plate: vehicle.plate, tempClass } }],
  };
}

/** A driver or handler on a movement, with the verdict of worker-eligibility's eligibility at the movement's time. */
export type WorkerOnDuty = {
  readonly workerId: string;
  readonly name?: string;
  readonly role: WorkerRole;
  readonly eligibility: Eligibility;
};

/** How a region enforces the worker test rule: refuse the movement, or accept it and flag it for the regulator. */
export type Enforcement = 'refuse' | 'flag';

export type WorkersCheck =
  | { readonly ok: true; readonly flags: readonly CustodyReason[] }
  | { readonly ok: false; readonly code: 'WorkerNotEligible'; readonly reasons: readonly CustodyReason[] };

/**
 * workersOk checks every worker on a movement. With all of them eligible it accepts without flags. Otherwise, under
 * 'refuse' it refuses, and under 'flag' it accepts with one flag per ineligible worker, to be recorded with the
 * movement. Either way each reason names the worker, the role and why ('no_test', 'latest_positive', 'expired').
 */
export function workersOk(workers: readonly WorkerOnDuty[], enforcement: Enforcement): WorkersCheck {
  const reasons: CustodyReason[] = workers
    .filter((w) => !w.eligibility.eligible)
    .map((w) => ({
      code: 'worker_not_eligible',
      params: { workerId: w.workerId, name: w.name ?? w.workerId, role: w.role, why: w.eligibility.reason },
    }));
  if (reasons.length === 0) return { ok: true, flags: [] };
  return enforcement === 'flag' ? { ok: true, flags: reasons } : { ok: false, code: 'WorkerNotEligible', reasons };
}

export type TransformInput = { readonly lotId: string; readonly status: LotStatus; readonly quantity: Quantity };
export type TransformOutput = { readonly quantity: Quantity };

export type TransformCheck =
  | {
      readonly ok: true;
      /** The status every output lot starts with: the worst of its inputs. */
      readonly status: LotStatus;
      readonly inputGrams: number;
      readonly outputGrams: number;
      readonly lossGrams: number;
    }
  | { readonly ok: false; readonly code: 'MassBalance'; readonly reasons: readonly CustodyReason[] };

const RANK: Readonly<Record<LotStatus, number>> = { green: 0, yellow: 1, red: 2 };

/** worstStatus returns the worst of some statuses (red > yellow > green); green for none. */
export function worstStatus(statuses: readonly LotStatus[]): LotStatus {
  return statuses.reduce<LotStatus>((w, s) => (RANK[s] > RANK[w] ? s : w), 'green');
}

/**
 * transformOutputs checks the mass balance of a repack or processing step and gives the status of its outputs. Every
 * gram is accounted for: the inputs' grams equal the outputs' grams plus `declaredLossGrams` (trimmings, thaw drip,
 * glaze; 0 when not given), so outputs never weigh more than inputs and no loss goes undeclared. Cartons are not
 * balanced, since a repack changes them. There must be at least one input and one output, no input lot twice, whole
 * non-negative quantities, and output lots of more than 0 g. The outputs inherit the worst input status; whether a
 * lot that is not green may be transformed at all is canMove's question, asked per input.
 */
export function transformOutputs(
  inputs: readonly TransformInput[],
  outputs: readonly TransformOutput[],
  declaredLossGrams = 0,
): TransformCheck {
  const refuse = (code: CustodyReasonCode, params?: Record<string, string | number>): TransformCheck => ({
    ok: false,
    code: 'MassBalance',
    reasons: [params === undefined ? { code } : { code, params }],
  });
  if (inputs.length === 0) return refuse('transform_no_inputs');
  if (outputs.length === 0) return refuse('transform_no_outputs');
  const seen = new Set<string>();
  for (const i of inputs) {
    if (seen.has(i.lotId)) return refuse('transform_duplicate_input', { lotId: i.lotId });
    seen.add(i.lotId);
  }
  const whole = (n: number): boolean => Number.isSafeInteger(n) && n >= 0;
  for (const [n, x] of [...inputs, ...outputs].entries()) {
    const item = n < inputs.length ? `inputs[${n}]` : `outputs[${n - inputs.length}]`;
    if (!whole(x.quantity.grams) || !whole(x.quantity.cartons)) return refuse('transform_bad_quantity', { item });
    if (x.quantity.grams === 0) return refuse('transform_bad_quantity', { item });
  }
  if (!whole(declaredLossGrams)) return refuse('transform_bad_quantity', { item: 'declaredLossGrams' });
  const inputGrams = inputs.reduce((s, i) => s + i.quantity.grams, 0);
  const outputGrams = outputs.reduce((s, o) => s + o.quantity.grams, 0);
  if (outputGrams > inputGrams) return refuse('transform_outputs_exceed_inputs', { inputGrams, outputGrams });
  if (outputGrams + declaredLossGrams !== inputGrams) {
    return refuse('transform_unbalanced', { inputGrams, outputGrams, declaredLossGrams });
  }
  return {
    ok: true,
    status: worstStatus(inputs.map((i) => i.status)),
    inputGrams,
    outputGrams,
    lossGrams: declaredLossGrams,
  };
}

const kg = (grams: string | number): string => String(Number(grams) / 1000);

const TEMP_WORDS: Readonly<Record<Lang, Readonly<Record<string, string>>>> = {
  zh: { frozen: '冷冻', chilled: '冷藏', ambient: '常温' },
  en: { frozen: 'frozen', chilled: 'chilled', ambient: 'ambient' },
};

const WHY_WORDS: Readonly<Record<Lang, Readonly<Record<string, string>>>> = {
  zh: { no_test: '没有核酸检测记录', latest_positive: '最近一次核酸检测为阳性', expired: '核酸检测已过期' },
  en: {
    no_test: 'has no nucleic-acid test on record',
    latest_positive: 'last tested positive',
    expired: 'has an expired nucleic-acid test',
  },
};

/**
 * custodyReasonText words a refusal reason for the person holding the goods, in Chinese or English: one or two short
 * sentences, naming the vehicle, worker or quantities concerned. For a lot that is not green it adds lotStatus's own
 * reasons. An unknown code is returned as it is, so nothing is ever shown blank.
 */
export function custodyReasonText(reason: CustodyReason, lang: Lang): string {
  const p = reason.params ?? {};
  const str = (k: string): string => String(p[k] ?? '?');
  const zh = lang === 'zh';
  const why = (reason.statusReasons ?? []).map((r) => reasonText(r, lang)).join(zh ? '；' : ' ');
  const tail = why === '' ? '' : zh ? `原因：${why}` : ` Why: ${why}`;
  switch (reason.code) {
    case 'lot_blocked':
      return zh
        ? `该批货物为红码（已阻断），不能出库、发货或销售，只能用于查封、销毁或退运。${tail}`
        : `This lot is blocked (red). It cannot be moved, shipped or sold, only seized, destroyed or returned.${tail}`;
    case 'lot_not_cleared':
      return zh
        ? `该批货物为黄码（尚未放行），不能出库、发货或销售，只能用于查封、销毁或退运。${tail}`
        : `This lot is not cleared yet (yellow). It cannot be moved, shipped or sold, only seized, destroyed or returned.${tail}`;
    case 'receiver_role':
      return zh
        ? '收货方不是冷库、批发商、零售商、餐饮、进口商或监管仓，不能收货'
        : 'The receiver is not a cold store, wholesaler, retailer, restaurant, importer or supervision warehouse, so it cannot take goods.';
    case 'vehicle_not_refrigerated': {
      const t = TEMP_WORDS[lang][str('tempClass')] ?? str('tempClass');
      return zh
        ? `车辆 ${str('plate')} 不是冷藏车，${t}货物必须用冷藏车运输`
        : `Vehicle ${str('plate')} is not refrigerated; ${t} goods need a refrigerated vehicle.`;
    }
    case 'worker_not_eligible': {
      const w = WHY_WORDS[lang][str('why')] ?? str('why');
      return zh ? `${str('name')}${w}，不能上岗` : `${str('name')} ${w} and may not work on this.`;
    }
    case 'transform_no_inputs':
      return zh ? '没有填写原料批次' : 'No input lot is given.';
    case 'transform_no_outputs':
      return zh ? '没有填写产出批次' : 'No output lot is given.';
    case 'transform_duplicate_input':
      return zh ? `原料批次 ${str('lotId')} 填了两次` : `Input lot ${str('lotId')} is listed twice.`;
    case 'transform_bad_quantity':
      return zh ? `${str('item')} 的重量或箱数不对` : `The weight or cartons of ${str('item')} are not right.`;
    case 'transform_outputs_exceed_inputs':
      return zh
        ? `产出 ${kg(str('outputGrams'))} 千克，比原料 ${kg(str('inputGrams'))} 千克还多`
        : `The output (${kg(str('outputGrams'))} kg) weighs more than the input (${kg(str('inputGrams'))} kg).`;
    case 'transform_unbalanced':
      return zh
        ? `原料 ${kg(str('inputGrams'))} 千克，产出 ${kg(str('outputGrams'))} 千克加申报损耗 ${kg(str('declaredLossGrams'))} 千克，对不上`
        : `Input ${kg(str('inputGrams'))} kg does not equal output ${kg(str('outputGrams'))} kg plus declared loss ${kg(str('declaredLossGrams'))} kg.`;
    default:
      return String((reason as { code: unknown }).code);
  }
}
