import type { Kysely, Transaction } from 'kysely';
import type { DocumentKind, LotFacts, LotStatus, SamplePoint, StatusReason } from '../../domain/lot-status.ts';
import { DEFAULT_REQUIRED_SAMPLE_POINTS, DOCUMENT_KINDS, SAMPLE_POINTS, lotStatus } from '../../domain/lot-status.ts';
import { chinaDayBounds } from '../../domain/suspension.ts';
import { getSetting } from '../../store/master.ts';
import { ruleLimit } from '../../store/temperature.ts';
import { breachFact } from '../../domain/temperature.ts';
import { inChunks } from '../../store/trace.ts';
import type { LotRow, Schema } from '../../store/schema.ts';

/** REQUIRED_DOCUMENTS are the documents a declaration is completed with. */
export const REQUIRED_DOCUMENTS = DOCUMENT_KINDS;
export { SAMPLE_POINTS };
export type { DocumentKind, SamplePoint };

/** SAMPLE_RULE names the setting that says which sample points every batch needs. */
export const SAMPLE_RULE = 'required-sample-points';

/** requiredSamplePoints is the sampling rule for a region: its own, else the national one, else the default. */
export async function requiredSamplePoints(
  db: Kysely<Schema> | Transaction<Schema>,
  region: string,
): Promise<SamplePoint[]> {
  const own = (await getSetting(db, `${SAMPLE_RULE}:${region}`)) as SamplePoint[] | undefined;
  const national = own ?? ((await getSetting(db, SAMPLE_RULE)) as SamplePoint[] | undefined);
  return national ?? [...DEFAULT_REQUIRED_SAMPLE_POINTS];
}

const groupBy = <T, K>(rows: readonly T[], key: (r: T) => K) => {
  const m = new Map<K, T[]>();
  for (const r of rows) m.set(key(r), [...(m.get(key(r)) ?? []), r]);
  return m;
};
const byId = <T extends { id: string }>(a: T, b: T) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/**
 * collectFactsMany reads what the statuses of many lots depend on, as of the current transaction, with one query per
 * kind of fact whatever the number of lots (opening an incident recomputes thousands at once). A derived lot's border
 * facts were its parents' and come to it through their current statuses; its producer's suspension at entry reached
 * it through them too.
 */
export async function collectFactsMany(
  trx: Transaction<Schema>,
  lots: readonly LotRow[],
): Promise<Map<string, LotFacts>> {
  const ids = lots.map((l) => l.id);
  const transformations = [
    ...new Set(lots.filter((l) => l.origin === 'derived' && l.transformationId).map((l) => l.transformationId!)),
  ];
  const producers = [...new Set(lots.map((l) => l.producerId))];
  const regions = [...new Set(lots.map((l) => l.region))];
  const [docs, dis, samples, exits, suspensions, parents, breaches, incidents, required] = await Promise.all([
    inChunks(ids, (c) => trx.selectFrom('documents').select(['id', 'lotId', 'kind']).where('lotId', 'in', c).execute()),
    inChunks(ids, (c) => trx.selectFrom('disinfections').select(['id', 'lotId']).where('lotId', 'in', c).execute()),
    inChunks(ids, (c) =>
      trx.selectFrom('samples').select(['id', 'lotId', 'point', 'result']).where('lotId', 'in', c).execute(),
    ),
    inChunks(ids, (c) => trx.selectFrom('exitCertificates').select(['id', 'lotId']).where('lotId', 'in', c).execute()),
    inChunks(producers, (c) =>
      trx
        .selectFrom('suspensions')
        .select(['id', 'producerId', 'startsAt', 'endsAt', 'createdAt'])
        .where('producerId', 'in', c)
        .execute(),
    ),
    inChunks(transformations, (c) =>
      trx
        .selectFrom('transformationLots')
        .innerJoin('lots', 'lots.id', 'transformationLots.lotId')
        .select([
          'transformationLots.transformationId as transformationId',
          'lots.id as id',
          'lots.code as code',
          'lots.status as status',
        ])
        .where('transformationLots.transformationId', 'in', c)
        .where('transformationLots.role', '=', 'input')
        .execute(),
    ),
    inChunks(ids, (c) =>
      trx
        .selectFrom('temperatureBreaches')
        .innerJoin('temperatureBreachLots', 'temperatureBreachLots.breachId', 'temperatureBreaches.id')
        .selectAll('temperatureBreaches')
        .select('temperatureBreachLots.lotId as lotId')
        .where('temperatureBreachLots.lotId', 'in', c)
        .where('temperatureBreaches.status', '=', 'open')
        .execute(),
    ),
    inChunks(ids, (c) =>
      trx
        .selectFrom('incidentLots')
        .innerJoin('incidents', 'incidents.id', 'incidentLots.incidentId')
        .select(['incidentLots.lotId as lotId', 'incidents.id as id', 'incidents.number as number'])
        .where('incidentLots.lotId', 'in', c)
        .where('incidentLots.clearedAt', 'is', null)
        .where('incidents.status', '=', 'open')
        .execute(),
    ),
    Promise.all(regions.map(async (r) => [r, await requiredSamplePoints(trx, r)] as const)).then((e) => new Map(e)),
  ]);
  const docsOf = groupBy(docs, (d) => d.lotId);
  const disOf = groupBy(dis, (d) => d.lotId);
  const samplesOf = groupBy([...samples].sort(byId), (d) => d.lotId);
  const exitOf = new Set(exits.map((e) => e.lotId));
  const suspensionsOf = groupBy(suspensions, (x) => x.producerId);
  const parentsOf = groupBy(parents, (p) => p.transformationId);
  const breachesOf = groupBy([...breaches].sort(byId), (b) => b.lotId);
  const incidentsOf = groupBy(
    [...incidents].sort((a, b) => Number(a.number) - Number(b.number)),
    (i) => i.lotId,
  );
  const out = new Map<string, LotFacts>();
  for (const lot of lots) {
    const derived = lot.origin === 'derived';
    const [dayStart, dayEnd] = chinaDayBounds(lot.arrivalDate);
    out.set(lot.id, {
      requiredDocuments: [...REQUIRED_DOCUMENTS],
      presentDocuments: [...new Set((docsOf.get(lot.id) ?? []).map((d) => d.kind))] as DocumentKind[],
      disinfected: disOf.has(lot.id),
      samples: (samplesOf.get(lot.id) ?? []).map((x) => ({
        id: x.id,
        point: x.point as SamplePoint,
        result: x.result as 'pending' | 'negative' | 'positive',
      })),
      requiredSamplePoints: required.get(lot.region)!,
      exitCertificate: exitOf.has(lot.id),
      openBreaches: (breachesOf.get(lot.id) ?? []).map((b) => breachFact({ ...b, limitCelsius: ruleLimit(b) })),
      producerSuspendedAtEntry:
        lot.origin === 'imported' &&
        (suspensionsOf.get(lot.producerId) ?? []).some(
          (x) => x.startsAt < dayEnd && x.endsAt > dayStart && x.createdAt <= lot.createdAt,
        ),
      openIncidents: (incidentsOf.get(lot.id) ?? []).map((i) => ({ id: i.id, number: Number(i.number) })),
      peerReasons: JSON.parse(lot.peerReasons ?? '[]') as StatusReason[],
      ...(lot.origin === 'recognised' ? { origin: 'recognised' as const } : {}),
      ...(derived
        ? {
            origin: 'derived' as const,
            parents: (parentsOf.get(lot.transformationId!) ?? [])
              .sort(byId)
              .map((p) => ({ id: p.id, code: p.code, status: p.status as LotStatus })),
          }
        : {}),
    });
  }
  return out;
}

/** collectFacts reads what the status of one lot depends on, as of the current transaction (see collectFactsMany). */
export async function collectFacts(trx: Transaction<Schema>, lot: LotRow): Promise<LotFacts> {
  return (await collectFactsMany(trx, [lot])).get(lot.id)!;
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
