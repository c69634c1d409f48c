import { describe, it, expect } from 'vitest';
import type { CustodyReason, MovePurpose, TransformInput, WorkerOnDuty } from './custody-rules.ts';
import {
  CONTAINMENT_PURPOSES,
  MOVE_PURPOSES,
  RECEIVING_ROLES,
  canMove,
  custodyReasonText,
  receiverMayReceive,
  transformOutputs,
  vehicleOk,
  workersOk,
  worstStatus,
} from './custody-rules.ts';
import { ROLES } from './access.ts';
import type { Role } from './access.ts';
import type { LotStatus } from './lot-status.ts';

const MOVING: MovePurpose[] = MOVE_PURPOSES.filter((p) => !CONTAINMENT_PURPOSES.includes(p));

describe('canMove', () => {
  it('lets a green lot move for every purpose', () => {
    for (const p of MOVE_PURPOSES) expect(canMove('green', p)).toEqual({ ok: true });
  });

  it('stops a yellow or red lot for every purpose but seizure, destruction and return', () => {
    for (const status of ['yellow', 'red'] as const) {
      for (const p of MOVING) expect(canMove(status, p)).toMatchObject({ ok: false, code: 'LotBlocked' });
      for (const p of CONTAINMENT_PURPOSES) expect(canMove(status, p)).toEqual({ ok: true });
    }
    expect(CONTAINMENT_PURPOSES).toEqual(['seizure', 'destruction', 'return']);
  });

  it("carries the lot's own reasons into the refusal, and words them for the worker", () => {
    const r = canMove(
      { status: 'red', reasons: [{ code: 'sample_positive', params: { sampleId: 'smp_1', point: 'content' } }] },
      'shipment',
    );
    expect(r).toEqual({
      ok: false,
      code: 'LotBlocked',
      reasons: [
        {
          code: 'lot_blocked',
          params: { purpose: 'shipment' },
          statusReasons: [{ code: 'sample_positive', params: { sampleId: 'smp_1', point: 'content' } }],
        },
      ],
    });
    if (r.ok) return;
    const reason = r.reasons[0] as CustodyReason;
    expect(custodyReasonText(reason, 'en')).toBe(
      'This lot is blocked (red). It cannot be moved, shipped or sold, only seized, destroyed or returned. Why: Sample smp_1 (product itself) tested positive.',
    );
    expect(custodyReasonText(reason, 'zh')).toBe(
      '该批货物为红码（已阻断），不能出库、发货或销售，只能用于查封、销毁或退运。原因：内容物样品 smp_1 核酸检测呈阳性',
    );
  });

  it('says "not cleared" for a yellow lot', () => {
    const r = canMove('yellow', 'sale');
    expect(r.ok || custodyReasonText(r.reasons[0] as CustodyReason, 'en')).toMatch(
      /^This lot is not cleared yet \(yellow\)\./,
    );
  });
});

describe('receiverMayReceive', () => {
  it('accepts the roles that take goods into custody', () => {
    for (const role of [
      'cold_store',
      'wholesaler',
      'retailer',
      'restaurant',
      'importer',
      'supervision_warehouse',
    ] as const) {
      expect(receiverMayReceive([role])).toEqual({ ok: true });
    }
  });

  it('refuses carriers, labs, customs, regulators and auditors, and a party with no role', () => {
    for (const role of ['carrier', 'lab', 'customs', 'regulator', 'auditor'] as const) {
      expect(receiverMayReceive([role])).toMatchObject({ ok: false, code: 'ReceiverCannotReceive' });
    }
    expect(receiverMayReceive([]).ok).toBe(false);
  });

  it('accepts a party with several roles when any of them receives', () => {
    expect(receiverMayReceive(['carrier', 'cold_store'])).toEqual({ ok: true });
  });

  it('names only known roles', () => {
    const known: readonly Role[] = ROLES;
    for (const r of RECEIVING_ROLES) expect(known).toContain(r);
  });
});

describe('vehicleOk', () => {
  const reefer = { plate: '沪A12345', refrigerated: true };
  const van = { plate: '沪B54321', refrigerated: false };

  it('accepts a refrigerated vehicle for any goods, and any vehicle for ambient goods', () => {
    for (const c of ['frozen', 'chilled', 'ambient'] as const) expect(vehicleOk(reefer, c)).toEqual({ ok: true });
    expect(vehicleOk(van, 'ambient')).toEqual({ ok: true });
  });

  it('refuses a vehicle that is not refrigerated for frozen or chilled goods, naming the plate', () => {
    const r = vehicleOk(van, 'frozen');
    expect(r).toEqual({
      ok: false,
      code: 'VehicleNotRefrigerated',
      reasons: [{ code: 'vehicle_not_refrigerated', params: { plate: '沪B54321', tempClass: 'frozen' } }],
    });
    if (r.ok) return;
    expect(custodyReasonText(r.reasons[0] as CustodyReason, 'zh')).toBe(
      '车辆 沪B54321 不是冷藏车，冷冻货物必须用冷藏车运输',
    );
    expect(custodyReasonText(r.reasons[0] as CustodyReason, 'en')).toBe(
      'Vehicle 沪B54321 is not refrigerated; frozen goods need a refrigerated vehicle.',
    );
    expect(vehicleOk(van, 'chilled').ok).toBe(false);
  });
});

describe('workersOk', () => {
  const fine: WorkerOnDuty = {
    workerId: 'wkr_1',
    name: '张三',
    role: 'driver',
    eligibility: { eligible: true, reason: 'ok' },
  };
  const expired: WorkerOnDuty = {
    workerId: 'wkr_2',
    name: '李四',
    role: 'warehouse_handler',
    eligibility: { eligible: false, reason: 'expired' },
  };
  const untested: WorkerOnDuty = {
    workerId: 'wkr_3',
    role: 'warehouse_handler',
    eligibility: { eligible: false, reason: 'no_test' },
  };

  it('accepts eligible workers without flags under either enforcement', () => {
    expect(workersOk([fine], 'refuse')).toEqual({ ok: true, flags: [] });
    expect(workersOk([fine], 'flag')).toEqual({ ok: true, flags: [] });
    expect(workersOk([], 'refuse')).toEqual({ ok: true, flags: [] });
  });

  it('refuses under "refuse", naming every ineligible worker and why', () => {
    expect(workersOk([fine, expired, untested], 'refuse')).toEqual({
      ok: false,
      code: 'WorkerNotEligible',
      reasons: [
        {
          code: 'worker_not_eligible',
          params: { workerId: 'wkr_2', name: '李四', role: 'warehouse_handler', why: 'expired' },
        },
        {
          code: 'worker_not_eligible',
          params: { workerId: 'wkr_3', name: 'wkr_3', role: 'warehouse_handler', why: 'no_test' },
        },
      ],
    });
  });

  it('accepts with one flag per ineligible worker under "flag"', () => {
    const r = workersOk([fine, expired], 'flag');
    expect(r).toMatchObject({ ok: true, flags: [{ code: 'worker_not_eligible', params: { workerId: 'wkr_2' } }] });
    if (!r.ok) return;
    expect(custodyReasonText(r.flags[0] as CustodyReason, 'zh')).toBe('李四核酸检测已过期，不能上岗');
    expect(custodyReasonText(r.flags[0] as CustodyReason, 'en')).toBe(
      '李四 has an expired nucleic-acid test and may not work on this.',
    );
  });
});

describe('transformOutputs', () => {
  const input = (lotId: string, grams: number, status: LotStatus = 'green'): TransformInput => ({
    lotId,
    status,
    quantity: { grams, cartons: 1 },
  });
  const out = (grams: number, cartons = 4) => ({ quantity: { grams, cartons } });

  it('accepts a repack that keeps every gram, with new carton counts', () => {
    expect(transformOutputs([input('lot_a', 10_000)], [out(6_000, 12), out(4_000, 8)])).toEqual({
      ok: true,
      status: 'green',
      inputGrams: 10_000,
      outputGrams: 10_000,
      lossGrams: 0,
    });
  });

  it('accepts processing with its loss declared', () => {
    expect(transformOutputs([input('lot_a', 10_000), input('lot_b', 5_000)], [out(14_200)], 800)).toMatchObject({
      ok: true,
      inputGrams: 15_000,
      outputGrams: 14_200,
      lossGrams: 800,
    });
  });

  it('refuses outputs heavier than the inputs', () => {
    const r = transformOutputs([input('lot_a', 10_000)], [out(10_001)]);
    expect(r).toEqual({
      ok: false,
      code: 'MassBalance',
      reasons: [{ code: 'transform_outputs_exceed_inputs', params: { inputGrams: 10_000, outputGrams: 10_001 } }],
    });
    if (r.ok) return;
    expect(custodyReasonText(r.reasons[0] as CustodyReason, 'en')).toBe(
      'The output (10.001 kg) weighs more than the input (10 kg).',
    );
  });

  it('refuses a loss that is not declared, or declared wrong', () => {
    expect(transformOutputs([input('lot_a', 10_000)], [out(9_000)])).toMatchObject({
      ok: false,
      reasons: [{ code: 'transform_unbalanced' }],
    });
    const r = transformOutputs([input('lot_a', 10_000)], [out(9_000)], 500);
    expect(r.ok || custodyReasonText(r.reasons[0] as CustodyReason, 'en')).toBe(
      'Input 10 kg does not equal output 9 kg plus declared loss 0.5 kg.',
    );
  });

  it.each<[string, TransformInput[], { quantity: { grams: number; cartons: number } }[], number, string]>([
    ['no inputs', [], [out(1)], 0, 'transform_no_inputs'],
    ['no outputs', [input('lot_a', 1)], [], 0, 'transform_no_outputs'],
    ['an input listed twice', [input('lot_a', 1), input('lot_a', 1)], [out(2)], 0, 'transform_duplicate_input'],
    ['an empty output', [input('lot_a', 1)], [out(0), out(1)], 0, 'transform_bad_quantity'],
    ['fractional grams', [input('lot_a', 1.5)], [out(1.5)], 0, 'transform_bad_quantity'],
    ['a negative loss', [input('lot_a', 2)], [out(3)], -1, 'transform_bad_quantity'],
  ])('refuses %s', (_name, inputs, outputs, loss, code) => {
    expect(transformOutputs(inputs, outputs, loss)).toMatchObject({
      ok: false,
      code: 'MassBalance',
      reasons: [{ code }],
    });
  });

  it('gives the outputs the worst status of the inputs', () => {
    const outs = [out(3_000)];
    expect(transformOutputs([input('a', 1_000), input('b', 2_000, 'yellow')], outs)).toMatchObject({
      ok: true,
      status: 'yellow',
    });
    expect(transformOutputs([input('a', 1_000, 'red'), input('b', 2_000, 'yellow')], outs)).toMatchObject({
      ok: true,
      status: 'red',
    });
    expect(worstStatus([])).toBe('green');
    expect(worstStatus(['yellow', 'green', 'red', 'yellow'])).toBe('red');
  });
});

describe('custodyReasonText', () => {
  it('words every reason in both languages, and passes an unknown code through', () => {
    const reasons: CustodyReason[] = [
      { code: 'receiver_role' },
      { code: 'transform_no_inputs' },
      { code: 'transform_no_outputs' },
      { code: 'transform_duplicate_input', params: { lotId: 'lot_a' } },
      { code: 'transform_bad_quantity', params: { item: 'outputs[0]' } },
    ];
    for (const r of reasons) {
      for (const lang of ['zh', 'en'] as const) {
        const text = custodyReasonText(r, lang);
        expect(text).not.toBe(r.code);
        expect(text).not.toContain('?');
      }
    }
    expect(custodyReasonText({ code: 'from_the_future' } as unknown as CustodyReason, 'en')).toBe('from_the_future');
  });
});
