/**
 * EPCIS: GS1 EPCIS 2.0 capture (capture.ts), the mapping of events about our lots to custody facts (map.ts),
 * the query interface (query.ts) and the EPCIS form of every custody entry (rows.ts).
 *
 * Invariants:
 * - An event about our lots obeys the same rules as the /v1 write it maps to; capture of a document is all or nothing
 *   unless the client asks to proceed.
 * - An event's ID is its CBV 2.0 hash when it has none of its own.
 */
import { sql } from 'kysely';
import type { Actor } from '../../domain/access.ts';
import { listScope, mayAttempt } from '../../domain/access.ts';
import { documentEvents, eventHashId } from '../../epcis/event-hash.ts';
import type { DocumentEvent, JsonLdContext } from '../../epcis/event-hash.ts';
import { EPCIS_CONTEXT } from '../../epcis/identifiers.ts';
import { epcisValidator, schemaIssue } from '../../epcis/schema.ts';
import { checkEventTime } from '../../domain/event-time.ts';
import type { EpcisCaptureJobRow } from '../../store/schema.ts';
import type { ErrorCode } from '../errors.ts';
import { AppError, invalid, notFound } from '../errors.ts';
import { forbid } from '../access/authorize.ts';
import type { Writer } from '../write/commit.ts';
import { commit } from '../write/commit.ts';
import type { Deps } from '../deps.ts';
import { candidateValues, concernedLots, lotIndex, mapToCustody } from './map.ts';
import type { LotIndex } from './map.ts';
import { newId } from '../write/ids.ts';
import { iso } from '../access/paging.ts';
import { checkEventTimes } from '../registry/time-horizon.ts';

/** CaptureBehaviour is the GS1-Capture-Error-Behaviour of a capture: all or nothing, or as many as possible. */
export type CaptureBehaviour = 'rollback' | 'proceed';

type Rec = Record<string, unknown>;

/** EventError is why one event of a capture was refused: the /v1 error code, the event and the field in it. */
export interface EventError {
  readonly eventIndex: number;
  readonly code: ErrorCode;
  readonly field: string;
  readonly reason: string;
}

/** CapturedEvent is the outcome for one accepted event: its id, hash ID, and whether it was new. */
export interface CapturedEvent {
  readonly eventID: string;
  readonly hashId: string;
  readonly duplicate: boolean;
  readonly logIndex: number | null;
}

/**
 * validateCapture checks a capture payload against the EPCIS 2.0 JSON Schema (an EPCISDocument or
 * EPCISQueryDocument, or with `single` a bare event with its @context). A failure is ValidationFailed naming the
 * field (e.g. epcisBody.eventList.3.bizStep) and the event index.
 */
export function validateCapture(payload: unknown, single = false): void {
  const type = (payload as Rec | null)?.type;
  const isDocument = type === 'EPCISDocument' || type === 'EPCISQueryDocument';
  if (payload === null || typeof payload !== 'object' || Array.isArray(payload) || isDocument === single) {
    throw invalid(
      'type',
      single
        ? 'must be an EPCIS event (ObjectEvent, AggregationEvent, …)'
        : 'must be EPCISDocument or EPCISQueryDocument',
    );
  }
  const validate = epcisValidator();
  if (validate(payload)) return;
  const issue = schemaIssue(validate.errors ?? []);
  throw invalid(issue.field, issue.reason, { eventIndex: single ? 0 : issue.eventIndex });
}

/** stored is the event as we keep it: as captured, with its eventID, and with its document's context when it has one of its own. */
function stored(e: DocumentEvent, eventID: string): Rec {
  const event: Rec = { ...(e.event as Rec), eventID };
  const context = e.hashContext.context;
  const ownTerms = Array.isArray(context) ? context.some((c) => typeof c === 'object') : typeof context === 'object';
  if (event['@context'] === undefined && ownTerms) event['@context'] = context;
  return event;
}

/** Prepared is an event ready to capture: the outcome of the pure work done before the transaction. */
interface Prepared {
  readonly event: Rec;
  readonly eventID: string;
  readonly hashId: string;
  readonly context: JsonLdContext | undefined;
}

function prepare(events: readonly DocumentEvent[]): Prepared[] {
  return events.map((e) => {
    const hashId = eventHashId(e.event, e.hashContext);
    const own = (e.event as Rec).eventID;
    const eventID = typeof own === 'string' && own !== '' ? own : hashId;
    return { event: stored(e, eventID), eventID, hashId, context: e.hashContext.context };
  });
}

/** EventFailure carries the first refused event of an all-or-nothing capture out of its transaction. */
class EventFailure extends AppError {
  constructor(
    readonly failure: EventError,
    cause: AppError,
  ) {
    super(
      cause.code,
      { ...cause.details, field: failure.field, reason: failure.reason, eventIndex: failure.eventIndex },
      { cause },
    );
  }
}

function eventError(err: unknown, eventIndex: number, fieldPrefix: string): EventError {
  const e = err instanceof AppError ? err : new AppError('InternalError', {}, { cause: err });
  const inner = typeof e.details.field === 'string' && e.details.field !== '' ? `.${e.details.field}` : '';
  return {
    eventIndex,
    code: e.code,
    field: `${fieldPrefix}${inner}`,
    reason: typeof e.details.reason === 'string' ? e.details.reason : e.code,
  };
}

async function existing(w: Writer, ids: readonly string[]) {
  const found = new Map<string, { hashId: string; json: string }>();
  const unique = [...new Set(ids)];
  for (let i = 0; i < unique.length; i += 500) {
    const rows = await w.trx
      .selectFrom('epcisEvents')
      .select(['eventId', 'hashId', 'json'])
      .where('eventId', 'in', unique.slice(i, i + 500))
      .execute();
    for (const r of rows) found.set(r.eventId, r);
  }
  return found;
}

/**
 * captureOne records one prepared event in w: nothing when the same event (same eventID and hash ID) is already
 * stored, unless it now carries an error declaration; a conflict when the eventID names a different event; otherwise
 * its custody facts (if it concerns our lots) and one `epcis.captured` entry.
 */
async function captureOne(
  w: Writer,
  deps: Deps,
  actor: Actor,
  p: Prepared,
  lots: LotIndex,
  known: Map<string, { hashId: string; json: string }>,
): Promise<CapturedEvent> {
  const prior = known.get(p.eventID);
  if (prior) {
    if (prior.hashId !== p.hashId) {
      throw new AppError('Conflict', {
        field: 'eventID',
        reason: `eventID ${p.eventID} is already used by a different event`,
      });
    }
    const declared =
      p.event.errorDeclaration !== undefined && (JSON.parse(prior.json) as Rec).errorDeclaration === undefined;
    if (!declared) return { eventID: p.eventID, hashId: p.hashId, duplicate: true, logIndex: null };
  }
  // An error declaration marks an event already stored; it does not make its custody facts a second time.
  if (!prior) {
    // An event about our lots makes facts, and meets the horizon as any fact does; one about nothing of ours is kept
    // as received (old events of other systems may be replayed), but none may come from the future.
    const at = Date.parse(String(p.event.eventTime));
    if (concernedLots(p.event, lots).length > 0) await checkEventTimes(w, actor, { eventTime: at });
    else {
      const c = checkEventTime(at, w.now, Infinity);
      if (!c.ok) throw invalid('eventTime', c.reason);
    }
  }
  const facts = prior ? { lots: [], supersedes: [] } : await mapToCustody(w, deps, actor, p.event, p.context, lots);
  const record = {
    event: { ...p.event, recordTime: new Date(w.now).toISOString() },
    hashId: p.hashId,
    partyId: actor.partyId,
    recordTime: w.now,
    lots: facts.lots,
    supersedes: facts.supersedes,
  };
  let logIndex: number;
  try {
    logIndex = await w.append('epcis.captured', actor.partyId, record);
  } catch (err) {
    if (err instanceof AppError && err.code === 'EntryTooLarge')
      throw new AppError('EntryTooLarge', {
        field: '',
        reason: `this event is too large for one log entry: ${String(err.details.reason)}`,
      });
    throw err;
  }
  known.set(p.eventID, { hashId: p.hashId, json: JSON.stringify(record.event) });
  return { eventID: p.eventID, hashId: p.hashId, duplicate: false, logIndex };
}

/** CaptureOutcome is what a capture did: its job, each event's result (null when refused), and for a refused rollback the error. */
export interface CaptureOutcome {
  readonly job: ReturnType<typeof toJob>;
  readonly events: readonly (CapturedEvent | null)[];
  readonly failure?: AppError;
}

/**
 * captureEvents captures events in ONE transaction, as job jobId of the actor. With `rollback`, the first refused
 * event refuses them all (nothing is written but the failed job, which names the event and field); with `proceed`,
 * each refused event is rolled back to its own savepoint and the others are kept. The job row is written in the same
 * transaction as the events, so an acknowledged capture and its job survive a crash together.
 */
export async function captureEvents(
  deps: Deps,
  actor: Actor,
  events: readonly DocumentEvent[],
  behaviour: CaptureBehaviour,
  fieldOf: (i: number) => string,
): Promise<CaptureOutcome> {
  if (!mayAttempt(actor, 'epcis.capture')) throw forbid('epcis.capture');
  const prepared = prepare(events);
  const jobId = newId('cap');
  const createdAt = deps.clock.now();
  try {
    return await commit(deps, undefined, async (w) => {
      const known = await existing(
        w,
        prepared.map((p) => p.eventID),
      );
      const lots = await lotIndex(
        w.trx,
        prepared.flatMap((p) => candidateValues(p.event)),
        deps.config.publicUrl,
      );
      const results: (CapturedEvent | null)[] = [];
      const errors: EventError[] = [];
      for (const [i, p] of prepared.entries()) {
        if (behaviour === 'rollback') {
          try {
            results.push(await captureOne(w, deps, actor, p, lots, known));
          } catch (err) {
            if (!(err instanceof AppError)) throw err;
            const failure = eventError(err, i, fieldOf(i));
            throw new EventFailure(failure, err);
          }
          continue;
        }
        // Savepoints give each event of a `proceed` capture its own all-or-nothing, log index included.
        await sql`savepoint epcis_event`.execute(w.trx);
        try {
          results.push(await captureOne(w, deps, actor, p, lots, new Map(known)));
          await sql`release savepoint epcis_event`.execute(w.trx);
        } catch (err) {
          await sql`rollback to savepoint epcis_event`.execute(w.trx);
          await sql`release savepoint epcis_event`.execute(w.trx);
          errors.push(eventError(err, i, fieldOf(i)));
          results.push(null);
        }
        const r = results[results.length - 1];
        if (r && !r.duplicate) known.set(r.eventID, { hashId: r.hashId, json: '{}' });
      }
      const job = jobRow(jobId, actor, behaviour, createdAt, w.now, prepared.length, results, errors);
      await w.trx.insertInto('epcisCaptureJobs').values(job).execute();
      return { job: toJob(job), events: results };
    });
  } catch (err) {
    if (!(err instanceof EventFailure)) throw err;
    // All or nothing: the events were rolled back; the job that says why is kept.
    const job = jobRow(jobId, actor, behaviour, createdAt, deps.clock.now(), prepared.length, [], [err.failure]);
    await deps.db.insertInto('epcisCaptureJobs').values(job).execute();
    return { job: toJob(job), events: [], failure: err };
  }
}

function jobRow(
  id: string,
  actor: Actor,
  behaviour: CaptureBehaviour,
  createdAt: number,
  finishedAt: number,
  count: number,
  results: readonly (CapturedEvent | null)[],
  errors: readonly EventError[],
): EpcisCaptureJobRow {
  return {
    id,
    partyId: actor.partyId,
    behaviour,
    running: 0,
    success: errors.length === 0 ? 1 : 0,
    eventCount: count,
    capturedCount: results.filter((r) => r !== null).length,
    errors: JSON.stringify(errors),
    createdAt,
    finishedAt,
  };
}

// The HTTP status each refusal would have had on its own, for the RFC 7807 problems of a job (as src/http/errors.ts).
const PROBLEM_STATUS: Partial<Record<ErrorCode, number>> = {
  Forbidden: 403,
  NotFound: 404,
  LotNotFound: 404,
  Conflict: 409,
  LotBlocked: 409,
  InsufficientQuantity: 409,
  AlreadyExists: 409,
  UnknownReference: 422,
  EntryTooLarge: 413,
  LocationNotFound: 404,
  VehicleNotFound: 404,
  WorkerNotFound: 404,
};

/** toJob renders a capture job as the REST binding's CaptureJob, with each error as an RFC 7807 problem. */
export function toJob(r: EpcisCaptureJobRow) {
  const errors = JSON.parse(r.errors) as EventError[];
  return {
    captureID: r.id,
    createdAt: iso(r.createdAt),
    finishedAt: iso(r.finishedAt),
    running: r.running === 1,
    success: r.success === 1,
    captureErrorBehaviour: r.behaviour,
    errors: errors.map((e) => ({
      type: 'epcisException:ValidationException',
      title: e.code,
      status: PROBLEM_STATUS[e.code] ?? 400,
      detail: `event ${e.eventIndex}, ${e.field}: ${e.reason}`,
      ...e,
    })),
    eventCount: r.eventCount,
    capturedCount: r.capturedCount,
  };
}

/** captureDocument validates an EPCIS document and captures its events (see captureEvents). */
export async function captureDocument(
  deps: Deps,
  actor: Actor,
  document: unknown,
  behaviour: CaptureBehaviour,
): Promise<CaptureOutcome> {
  if (!mayAttempt(actor, 'epcis.capture')) throw forbid('epcis.capture');
  validateCapture(document);
  const doc = document as Rec;
  const body = doc.epcisBody as Rec;
  const list = body.eventList ? 'epcisBody.eventList' : 'epcisBody.queryResults.resultsBody.eventList';
  return captureEvents(deps, actor, documentEvents(doc), behaviour, (i) => `${list}.${i}`);
}

/** captureSingleEvent validates and captures one bare event (POST /epcis/events); a refusal is thrown with its field. */
export async function captureSingleEvent(
  deps: Deps,
  actor: Actor,
  event: unknown,
): Promise<{ event: Rec; captured: CapturedEvent }> {
  if (!mayAttempt(actor, 'epcis.capture')) throw forbid('epcis.capture');
  validateCapture(event, true);
  const e = event as Rec;
  const context = (e['@context'] ?? EPCIS_CONTEXT) as JsonLdContext;
  const outcome = await captureEvents(deps, actor, [{ event: e, hashContext: { context } }], 'rollback', () => '');
  if (outcome.failure) {
    const f = outcome.failure.details;
    throw new AppError(outcome.failure.code, { ...f, field: String(f.field).replace(/^\./, '') || '(event)' });
  }
  const captured = outcome.events[0]!;
  const row = await deps.db
    .selectFrom('epcisEvents')
    .select('json')
    .where('eventId', '=', captured.eventID)
    .executeTakeFirstOrThrow();
  return { event: JSON.parse(row.json) as Rec, captured };
}

/** getCaptureJob returns a capture job to the party that captured it, or to a regulator or auditor. */
export async function getCaptureJob(deps: Deps, actor: Actor, id: string) {
  const row = await deps.db.selectFrom('epcisCaptureJobs').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row || (row.partyId !== actor.partyId && listScope(actor).kind === 'own'))
    throw notFound('NotFound', 'captureID', id);
  return toJob(row);
}

/** listCaptureJobs lists the actor's capture jobs (everyone's for regulators and auditors), newest first. */
export async function listCaptureJobs(deps: Deps, actor: Actor, perPage: number, after: string | null) {
  let q = deps.db
    .selectFrom('epcisCaptureJobs')
    .selectAll()
    .orderBy('id', 'desc')
    .limit(perPage + 1);
  if (listScope(actor).kind === 'own') q = q.where('partyId', '=', actor.partyId);
  if (after) q = q.where('id', '<', after);
  const rows = await q.execute();
  const more = rows.length > perPage;
  const kept = more ? rows.slice(0, perPage) : rows;
  return { jobs: kept.map(toJob), next: more ? kept[kept.length - 1]!.id : null };
}
