/**
 * Temperature: readings uploaded by places and vehicles (readings.ts), the rules per temperature class
 * (rules.ts), and breaches with the lots they reach (breaches.ts).
 *
 * Invariants:
 * - A breach reaches every lot that was at the place or in the vehicle during it, by event time, whatever order the
 *   uploads and the custody records arrive in.
 */
import { createHash } from 'node:crypto';
import type { Transaction } from 'kysely';
import type { Actor } from '../../domain/access.ts';
import { mayAttempt } from '../../domain/access.ts';
import type { Reading, TempClass } from '../../domain/temperature.ts';
import { detectBreaches, encodeReadings, seriesProblem } from '../../domain/temperature.ts';
import { findLot } from '../../store/border.ts';
import { findLocation, findVehicle } from '../../store/master.ts';
import type { Schema, TemperatureUploadRow } from '../../store/schema.ts';
import type { Subject } from '../../store/temperature.ts';
import { findUpload, insertPoints, overlappingUpload } from '../../store/temperature.ts';
import { AppError, invalid, notFound } from '../errors.ts';
import { forbid } from '../access/authorize.ts';
import type { Idempotency, Writer } from '../write/commit.ts';
import { commit } from '../write/commit.ts';
import { checkEventTimes } from '../registry/time-horizon.ts';
import type { Deps } from '../deps.ts';
import { newId } from '../write/ids.ts';
import { iso } from '../access/paging.ts';
import type { BreachView } from './breaches.ts';
import { MAX_BREACHES_PER_UPLOAD, breachesOfUpload, openBreach, uploadScope } from './breaches.ts';
import { temperatureRuleFor } from './rules.ts';

export type { Subject };
export const SUBJECT_KINDS = ['vehicle', 'location', 'lot'] as const;
/** Where an upload came from: the JSON API, a data logger's CSV file, or EPCIS sensor events. */
export type UploadSource = 'json' | 'csv' | 'epcis';

/** ReadingsInput is one batch of readings of one vehicle, location or lot, with times in epoch ms. */
export interface ReadingsInput {
  readonly subject: Subject;
  readonly readings: readonly Reading[];
  readonly deviceId?: string | null;
  readonly source?: UploadSource;
}

/** MAX_SUSPECT_GAPS bounds the gaps an upload record lists: a file with more is a broken logger, and says so by count. */
const MAX_SUSPECT_GAPS = 50;

/** toUpload renders an upload row for the API. */
export const toUpload = (u: TemperatureUploadRow) => ({
  id: u.id,
  subject: { kind: u.subjectKind, id: u.subjectId },
  deviceId: u.deviceId,
  uploaderPartyId: u.uploaderPartyId,
  region: u.region,
  tempClass: u.tempClass,
  source: u.source,
  count: u.count,
  firstAt: iso(u.firstAt),
  lastAt: iso(u.lastAt),
  pointsSha256: u.pointsSha256,
  suspectGaps: (JSON.parse(u.suspectGaps) as { from: number; to: number }[]).map((g) => ({
    from: iso(g.from),
    to: iso(g.to),
  })),
  createdAt: iso(u.createdAt),
  logIndex: u.logIndex,
});
export type Upload = ReturnType<typeof toUpload>;

/** SubjectFacts is what an upload needs to know of its subject: the region its rule comes from and its class. */
interface SubjectFacts {
  readonly region: string;
  readonly tempClass: TempClass;
}

/**
 * subjectOf checks that the actor may log temperatures of the subject and returns its region and class. A location's
 * owner logs it, at the location's region and class. A vehicle's carrier logs it, and so does a party that sent or
 * received goods on it (a logger travels with the goods), at the carrier's region; vehicles carry frozen goods. A lot
 * is logged by a party that holds or held it, at that party's region; every lot is frozen food. Anything else is
 * answered as not found, so that nobody learns of another party's vehicles or places.
 */
async function subjectOf(trx: Transaction<Schema>, actor: Actor, subject: Subject): Promise<SubjectFacts> {
  if (subject.kind === 'location') {
    const loc = await findLocation(trx, subject.id);
    if (!loc || loc.ownerPartyId !== actor.partyId) throw notFound('LocationNotFound', 'subject.id', subject.id);
    return { region: loc.region, tempClass: loc.tempClass as TempClass };
  }
  if (subject.kind === 'vehicle') {
    const v = await findVehicle(trx, subject.id);
    const onIt =
      v &&
      (v.carrierPartyId === actor.partyId ||
        (await trx
          .selectFrom('shipments')
          .select('id')
          .where('vehicleId', '=', v.id)
          .where((eb) => eb.or([eb('fromPartyId', '=', actor.partyId), eb('toPartyId', '=', actor.partyId)]))
          .executeTakeFirst()) !== undefined);
    if (!v || !onIt) throw notFound('VehicleNotFound', 'subject.id', subject.id);
    return { region: v.region, tempClass: 'frozen' };
  }
  const lot = await findLot(trx, subject.id);
  const held =
    lot &&
    (await trx
      .selectFrom('holdings')
      .select('id')
      .where('lotId', '=', lot.id)
      .where('partyId', '=', actor.partyId)
      .executeTakeFirst());
  if (!lot || !held) throw notFound('LotNotFound', 'subject.id', subject.id);
  const party = await trx
    .selectFrom('parties')
    .select('region')
    .where('id', '=', actor.partyId)
    .executeTakeFirstOrThrow();
  return { region: party.region, tempClass: 'frozen' };
}

function deviceIdOf(v: string | null | undefined): string | null {
  if (v === undefined || v === null) return null;
  const t = v.trim();
  if (t.length === 0 || t.length > 64 || /[\u0000-\u001f\u007f\ud800-\udfff]/.test(t))
    throw invalid('deviceId', 'must be 1 to 64 printable characters');
  return t;
}

/**
 * recordReadingsWith records one batch of readings inside an existing commit (another use case, such as EPCIS
 * capture of sensor events, may call it among its own writes). It checks the readings (see seriesProblem; a problem
 * names `readings.{i}.at` or `readings.{i}.celsius`) and the actor's right to log the subject, refuses a batch that
 * overlaps an earlier one of the same subject and device (409: the same file twice), stores the raw points, appends
 * the upload record (with the SHA-256 of the points' canonical encoding, see encodeReadings), then detects breaches
 * under the rule in force for the subject's region and class and appends each breach with the status of every lot it
 * affects.
 */
export async function recordReadingsWith(w: Writer, deps: Deps, actor: Actor, input: ReadingsInput) {
  if (!mayAttempt(actor, 'temperature.upload')) throw forbid('temperature.upload');
  if (!(SUBJECT_KINDS as readonly string[]).includes(input.subject.kind))
    throw invalid('subject.kind', `must be one of ${SUBJECT_KINDS.join(', ')}`);
  const problem = seriesProblem(input.readings, w.now);
  if (problem) throw invalid(`readings.${problem.index}.${problem.key}`, problem.reason);
  // Readings come in time order: the first is the oldest.
  await checkEventTimes(w, actor, { 'readings.0.at': input.readings[0]!.at });
  const deviceId = deviceIdOf(input.deviceId);
  const facts = await subjectOf(w.trx, actor, input.subject);
  const readings = input.readings;
  const first = readings[0]!.at;
  const last = readings[readings.length - 1]!.at;
  const prior = await overlappingUpload(w.trx, input.subject, deviceId, first, last);
  if (prior) {
    throw new AppError('Conflict', {
      field: 'readings',
      reason: `readings of this ${input.subject.kind}${deviceId ? ` from device ${deviceId}` : ''} from ${iso(prior.firstAt)} to ${iso(prior.lastAt)} were already uploaded as ${prior.id}`,
      uploadId: prior.id,
    });
  }
  const inForce = await temperatureRuleFor(w.trx, facts.region, facts.tempClass);
  const report = inForce.rule ? detectBreaches(readings, inForce.rule) : { breaches: [], gaps: [] };
  if (report.breaches.length > MAX_BREACHES_PER_UPLOAD) {
    throw invalid(
      'readings',
      `these readings hold ${report.breaches.length} separate breaches; an upload may open at most ${MAX_BREACHES_PER_UPLOAD} (check the logger, or split the file)`,
    );
  }
  const upload = {
    id: newId('tpu'),
    subjectKind: input.subject.kind,
    subjectId: input.subject.id,
    deviceId,
    uploaderPartyId: actor.partyId,
    region: facts.region,
    tempClass: facts.tempClass,
    source: input.source ?? 'json',
    count: readings.length,
    firstAt: first,
    lastAt: last,
    pointsSha256: createHash('sha256').update(encodeReadings(readings)).digest('hex'),
    suspectGaps: report.gaps
      .filter((g) => g.suspect)
      .slice(0, MAX_SUSPECT_GAPS)
      .map((g) => ({ from: g.from, to: g.to })),
    createdAt: w.now,
  };
  // The upload's row comes first, so that its points and breaches refer to an existing upload.
  const logIndex = await w.append('temperature.uploaded', actor.partyId, { upload });
  await insertPoints(w.trx, upload.id, input.subject, readings);
  const breaches: BreachView[] = [];
  for (const b of report.breaches) breaches.push(await openBreach(w, actor, upload, b, inForce));
  return { ...toUpload((await findUpload(w.trx, upload.id))!), breaches, logIndex };
}

/** recordReadings records one batch of readings as its own commit; see recordReadingsWith. */
export async function recordReadings(deps: Deps, actor: Actor, input: ReadingsInput, idem?: Idempotency) {
  if (!mayAttempt(actor, 'temperature.upload')) throw forbid('temperature.upload');
  return commit(deps, idem, (w) => recordReadingsWith(w, deps, actor, input));
}

/** getUpload returns an upload with its breaches, to the uploader, the holders of the lots they affect and regulators. */
export async function getUpload(deps: Deps, actor: Actor, id: string) {
  const u = await deps.db
    .selectFrom('temperatureUploads')
    .selectAll()
    .where('id', '=', id)
    .where(uploadScope(actor))
    .executeTakeFirst();
  if (!u) throw notFound('NotFound', 'id', id);
  return { ...toUpload(u), breaches: await breachesOfUpload(deps.db, u.id) };
}
