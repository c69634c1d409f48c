/**
 * Carrier jobs: which vehicles and workers a shipper may name on its shipments and bookings. Its own, always; a
 * carrier's, only when the shipper names that carrier and the carrier has accepted a job from the shipper that is in
 * force at the time of the movement. Pure: the caller reads the job and the owners.
 */

/** CarrierJob is a shipper's job for a carrier, offered by the shipper and then accepted by the carrier. */
export type CarrierJob = {
  readonly shipperPartyId: string;
  readonly carrierPartyId: string;
  readonly validFrom: number;
  /** validTo is when the job ends (exclusive), or null for a job with no end. */
  readonly validTo: number | null;
  readonly status: 'offered' | 'accepted';
};

/** jobInForce tells whether the carrier has accepted the job and `at` lies within its period. */
export function jobInForce(job: CarrierJob, at: number): boolean {
  return job.status === 'accepted' && job.validFrom <= at && (job.validTo === null || at < job.validTo);
}

/**
 * mayServe tells whether a vehicle or worker of ownerPartyId may be named by shipperPartyId: it is the shipper's own,
 * or it belongs to the carrier the shipper named (whose job in force the caller has checked).
 */
export function mayServe(ownerPartyId: string, shipperPartyId: string, carrierPartyId: string | null): boolean {
  return ownerPartyId === shipperPartyId || (carrierPartyId !== null && ownerPartyId === carrierPartyId);
}

/** jobPeriodProblem says what is wrong with a job's period, or null when it is a period. */
export function jobPeriodProblem(validFrom: number, validTo: number | null): { field: string; reason: string } | null {
  if (!Number.isSafeInteger(validFrom)) return { field: 'validFrom', reason: 'must be a time' };
  if (validTo !== null && !(validTo > validFrom)) return { field: 'validTo', reason: 'must be after validFrom' };
  return null;
}
