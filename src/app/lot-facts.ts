import type { Kysely, Transaction } from 'kysely';
import type { DocumentKind, LotFacts, SamplePoint, StatusReason } from '../domain/lot-status.ts';
import { DEFAULT_REQUIRED_SAMPLE_POINTS, DOCUMENT_KINDS, SAMPLE_POINTS, lotStatus } from '../domain/lot-status.ts';
import { chinaDayBounds } from '../domain/suspension.ts';
import { lotDisinfections, lotDocuments, lotExitCertificate, lotSamples, producerSuspensions } from '../store/border.ts';
import { getSetting } from '../store/master.ts';
import type { LotRow, Schema } from '../store/schema.ts';

/** REQUIRED_DOCUMENTS are the documents a declaration is completed with. */
export const REQUIRED_DOCUMENTS = DOCUMENT_KINDS;
export { SAMPLE_POINTS };
export type { DocumentKind, SamplePoint };

/** SAMPLE_RULE names the setting that says which sample points every batch needs. */
export const SAMPLE_RULE = 'required-sample-points';

/** requiredSamplePoints is the sampling rule for a region: its own, else the national one, else the default. */
export async function requiredSamplePoints(db: Kysely<Schema> | Transaction<Schema>, region: string): Promise<SamplePoint[]> {
  const own = (await getSetting(db, `${SAMPLE_RULE}:${region}`)) as SamplePoint[] | undefined;
  const national = own ?? ((await getSetting(db, SAMPLE_RULE)) as SamplePoint[] | undefined);
  return national ?? [...DEFAULT_REQUIRED_SAMPLE_POINTS];
}

/** collectFacts reads what the status of lot depends on, as of the current transaction. */
export async function collectFacts(trx: Transaction<Schema>, lot: LotRow): Promise<LotFacts> {
  const [docs, dis, samples, exit, suspensions, required] = await Promise.all([
    lotDocuments(trx, lot.id),
    lotDisinfections(trx, lot.id),
    lotSamples(trx, lot.id),
    lotExitCertificate(trx, lot.id),
    producerSuspensions(trx, lot.producerId),
    requiredSamplePoints(trx, lot.region),
  ]);
  const [dayStart, dayEnd] = chinaDayBounds(lot.arrivalDate);
  return {
    requiredDocuments: [...REQUIRED_DOCUMENTS],
    presentDocuments: [...new Set(docs.map((d) => d.kind))] as DocumentKind[],
    disinfected: dis.length > 0,
    samples: samples.map((s) => ({ id: s.id, point: s.point as SamplePoint, result: s.result as 'pending' | 'negative' | 'positive' })),
    requiredSamplePoints: required,
    exitCertificate: exit !== undefined,
    producerSuspendedAtEntry: suspensions.some((s) => s.startsAt < dayEnd && s.endsAt > dayStart && s.createdAt <= lot.createdAt),
  };
}

/** LotStatusPatch is the part of an entry that records a lot's recomputed status. */
export interface LotStatusPatch {
  id: string;
  status: 'green' | 'yellow' | 'red';
  statusReasons: readonly StatusReason[];
  updatedAt: number;
}

/**
 * statusPatch recomputes a lot's status from facts (after the caller has applied the change being
 * written) with the one pure status function, for the entry that records the change.
 */
export function statusPatch(lot: LotRow, facts: LotFacts, now: number): LotStatusPatch {
  const s = lotStatus(facts);
  return { id: lot.id, status: s.status, statusReasons: s.reasons, updatedAt: now };
}
