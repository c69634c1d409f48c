import { describe, expect, it } from 'vitest';
import { jobInForce, jobPeriodProblem, mayServe } from './carrier-jobs.ts';

describe('carrier jobs', () => {
  const job = { shipperPartyId: 's', carrierPartyId: 'c', validFrom: 100, validTo: 200, status: 'accepted' } as const;
  it('is in force only once accepted and within its period', () => {
    expect(jobInForce(job, 100)).toBe(true);
    expect(jobInForce(job, 199)).toBe(true);
    expect(jobInForce(job, 200)).toBe(false);
    expect(jobInForce(job, 99)).toBe(false);
    expect(jobInForce({ ...job, status: 'offered' }, 150)).toBe(false);
    expect(jobInForce({ ...job, validTo: null }, 10_000)).toBe(true);
  });
  it("lets a shipper name its own and its named carrier's vehicles and workers, no one else's", () => {
    expect(mayServe('s', 's', null)).toBe(true);
    expect(mayServe('c', 's', 'c')).toBe(true);
    expect(mayServe('c', 's', null)).toBe(false);
    expect(mayServe('x', 's', 'c')).toBe(false);
  });
  it('refuses a period that ends before it starts', () => {
    expect(jobPeriodProblem(100, 100)).toEqual({ field: 'validTo', reason: 'must be after validFrom' });
    expect(jobPeriodProblem(100, null)).toBeNull();
  });
});
