/**
 * Recognising another platform's codes: when a code of a registered platform is received, scanned or traced, this
 * node asks the platform for the code's events (EPCIS 2.0 query, JSON-LD), validates them like any capture, and
 * records what it learned on its own log, naming the platform, the URL, the time fetched and the SHA-256 of the
 * document ('platform.lot.recorded', 'platform.received'). The lot is 'recognised', with homeOrigin
 * `platform:<id>`: trust level 4, recorded with the hash of what the platform sent, not verified by a log.
 *
 * Invariants:
 * - An unreachable, slow or lying platform stops nothing else: every request to it is bounded (client.ts), a
 *   platform that just failed is not asked again for FAIL_FAST_MS, and its failure is kept as its state
 *   ('unavailable'), never as a fact.
 * - A recall the platform declares (a `recalled` disposition or an error declaration) is a status reason of the lot
 *   here (code 'recalled', params.platform), kept in the lot's peer reasons beside those of this node's peers.
 */
import type { Actor } from '../../domain/access.ts';
import { mayAttempt } from '../../domain/access.ts';
import { parseLotLink } from '../../domain/digital-link.ts';
import type { StatusReason } from '../../domain/lot-status.ts';
import { lotStatus } from '../../domain/lot-status.ts';
import type { LotRow, PlatformRow } from '../../store/schema.ts';
import { forbid } from '../access/authorize.ts';
import { collectFactsMany } from '../border/lot-facts.ts';
import { grams } from '../custody/custody-parts.ts';
import { toShipment } from '../custody/custody-parts.ts';
import { holdingId } from '../custody/holding-id.ts';
import type { ReceiveInput } from '../custody/custody.ts';
import type { Deps } from '../deps.ts';
import { validateCapture } from '../epcis/capture.ts';
import { AppError, invalid } from '../errors.ts';
import type { Writer } from '../write/commit.ts';
import { commit } from '../write/commit.ts';
import { newId } from '../write/ids.ts';
import { call } from './client.ts';
import type { PlatformFacts } from './facts.ts';
import { eventsOf, platformFacts } from './facts.ts';
import { homeOriginOf, platformFor } from './platforms.ts';

/** FAIL_FAST_MS is how long a platform that failed is not asked again: its facts show as unavailable meanwhile. */
export const FAIL_FAST_MS = 10_000;

/** Learned is what one query of a platform taught: its facts, and the source a log entry names. */
export interface Learned {
  readonly facts: PlatformFacts;
  readonly source: {
    readonly platformId: string;
    readonly homeOrigin: string;
    readonly url: string;
    readonly fetchedAt: number;
    readonly sha256: string;
    readonly events: number;
  };
}

/** Unavailable is the answer for a platform that could not be read: its state, and why. */
export class PlatformUnavailable extends AppError {
  constructor(p: PlatformRow, reason: string) {
    super('PlatformUnavailable', {
      field: 'code',
      reason: `the code is issued by ${p.name}, whose facts are unavailable: ${reason}`.slice(0, 400),
      platformId: p.id,
      retryAfter: Math.ceil(FAIL_FAST_MS / 1000),
    });
  }
}

async function setState(deps: Deps, p: PlatformRow, error: string | null) {
  const now = deps.clock.now();
  const state = error === null ? 'available' : 'unavailable';
  const cur = await deps.db.selectFrom('platformState').selectAll().where('platformId', '=', p.id).executeTakeFirst();
  const row = {
    state,
    since: cur && cur.state === state ? Number(cur.since) : now,
    lastFetchedAt: now,
    lastError: error,
    failures: error === null ? 0 : (cur?.failures ?? 0) + 1,
  };
  if (cur) await deps.db.updateTable('platformState').set(row).where('platformId', '=', p.id).execute();
  else
    await deps.db
      .insertInto('platformState')
      .values({ platformId: p.id, ...row, refreshAfter: '' })
      .execute();
}

/**
 * learn asks platform p for the events of code and reads them. A failure (no answer in time, a refused address, an
 * error status, an answer too large or not a valid EPCIS 2.0 document) marks the platform unavailable and throws
 * PlatformUnavailable; a platform that failed within FAIL_FAST_MS is not asked at all.
 */
export async function learn(deps: Deps, p: PlatformRow, code: string): Promise<Learned> {
  const st = await deps.db.selectFrom('platformState').selectAll().where('platformId', '=', p.id).executeTakeFirst();
  const now = deps.clock.now();
  if (st?.state === 'unavailable' && st.lastFetchedAt !== null && now - Number(st.lastFetchedAt) < FAIL_FAST_MS)
    throw new PlatformUnavailable(p, st.lastError ?? 'it did not answer');
  const cred = await deps.db
    .selectFrom('platformCredentials')
    .select('credential')
    .where('platformId', '=', p.id)
    .executeTakeFirst();
  const url = `${p.queryUrl}/events?MATCH_anyEPC=${encodeURIComponent(code)}`;
  let got;
  try {
    got = await call(
      'GET',
      url,
      {
        accept: 'application/ld+json, application/json',
        ...(cred ? { authorization: `Bearer ${cred.credential}` } : {}),
      },
      null,
    );
    if (got.status !== 200) throw new Error(`it answered ${got.status}`);
    let doc: unknown;
    try {
      doc = JSON.parse(got.body);
    } catch {
      throw new Error('its answer is not JSON');
    }
    try {
      validateCapture(doc);
    } catch (err) {
      const d = (err as AppError).details as { field?: string; reason?: string } | undefined;
      throw new Error(`its answer is not a valid EPCIS 2.0 document (${d?.field ?? ''}: ${d?.reason ?? ''})`);
    }
    const facts = platformFacts(eventsOf(doc));
    await setState(deps, p, null);
    // A platform that answers, but knows nothing of the code, is available: the code is simply no lot of it.
    if (facts.events === 0)
      throw new AppError('LotNotFound', { field: 'code', reason: `${p.name} knows no event of this code` });
    return {
      facts,
      source: {
        platformId: p.id,
        homeOrigin: homeOriginOf(p.id),
        url,
        fetchedAt: now,
        sha256: got.sha256,
        events: facts.events,
      },
    };
  } catch (err) {
    if (err instanceof AppError) throw err;
    const reason = (err as Error).message.slice(0, 300);
    await setState(deps, p, reason);
    throw new PlatformUnavailable(p, reason);
  }
}

/** platformReasons are the status reasons a platform's facts give a lot. */
function platformReasons(p: PlatformRow, f: PlatformFacts): StatusReason[] {
  return f.recalled ? [{ code: 'recalled', params: { platform: p.id, name: p.name, event: f.recallEvent ?? '' } }] : [];
}

/** producerFor finds or makes the producer a platform names, keyed by the platform and the name. */
async function producerFor(w: Writer, p: PlatformRow, f: PlatformFacts) {
  const registrationNo = `${homeOriginOf(p.id)}:${f.producer ?? 'unknown'}`.slice(0, 200);
  const country = (f.originCountry ?? '').slice(0, 2).toUpperCase();
  const have = await w.trx
    .selectFrom('producers')
    .select('id')
    .where('country', '=', country)
    .where('registrationNo', '=', registrationNo)
    .executeTakeFirst();
  if (have) return { id: have.id, rows: [] };
  const id = newId('pro');
  return {
    id,
    rows: [
      {
        id,
        country,
        registrationNo,
        name: f.producer ?? `unknown (${p.name})`,
        nameZh: null,
        homeOrigin: homeOriginOf(p.id),
        createdAt: w.now,
        updatedAt: w.now,
      },
    ],
  };
}

/** newLot is the recognised lot for a code of platform p, as its facts give it (productName fills a gap). */
async function newLot(
  w: Writer,
  p: PlatformRow,
  code: string,
  l: Learned,
  productName: string | null,
  netGrams: number,
  arrivedAt: number,
) {
  const f = l.facts;
  const product = f.product ?? productName;
  if (product === null) throw invalid('productName', `${p.name} does not name the product of this code; give it`);
  const producer = await producerFor(w, p, f);
  const link = /^https?:\/\//i.test(code) ? parseLotLink(code) : null;
  const party = await w.trx.selectFrom('parties').select('region').where('id', '=', p.partyId).executeTakeFirst();
  const peerReasons = platformReasons(p, f);
  const s = lotStatus({
    origin: 'recognised',
    presentDocuments: [],
    disinfected: false,
    samples: [],
    exitCertificate: false,
    producerSuspendedAtEntry: false,
    peerReasons,
  });
  const lot = {
    id: newId('lot'),
    code,
    importerPartyId: p.partyId,
    region: party?.region ?? '000000',
    declarationNo: '',
    portOfEntry: '',
    arrivalDate: chinaDay(arrivedAt),
    containerNo: '',
    billOfLading: '',
    productNameZh: product,
    productNameEn: product,
    category: '',
    hsCode: '',
    gtin: link?.ok ? link.value.gtin : null,
    batchNo: (link?.ok ? link.value.lot : (f.lot ?? code)).slice(0, 100),
    originCountry: f.originCountry ?? '',
    producerId: producer.id,
    netGrams: Math.max(f.grams, netGrams),
    cartons: 0,
    productionDate: isDay(f.productionDate),
    expiryDate: isDay(f.expiryDate),
    status: s.status,
    statusReasons: s.reasons,
    origin: 'recognised',
    transformationId: null,
    homeOrigin: homeOriginOf(p.id),
    peerReasons,
    createdAt: w.now,
    updatedAt: w.now,
  };
  return { recognisedProducers: producer.rows, recognisedLots: [lot] };
}

/** restated is the status patch of a lot held here when a platform's facts change its reasons, or null. */
async function restated(w: Writer, lot: LotRow, p: PlatformRow, f: PlatformFacts) {
  const others = (JSON.parse(lot.peerReasons ?? '[]') as StatusReason[]).filter((r) => r.params?.platform !== p.id);
  const peerReasons = [...others, ...platformReasons(p, f)];
  if (JSON.stringify(peerReasons) === (lot.peerReasons ?? '[]')) return null;
  const changed = { ...lot, peerReasons: JSON.stringify(peerReasons) };
  const facts = await collectFactsMany(w.trx, [changed]);
  const s = lotStatus(facts.get(lot.id)!);
  return { id: lot.id, peerReasons, status: s.status, statusReasons: s.reasons, updatedAt: w.now };
}

/** chinaDay is the day (YYYY-MM-DD, China time) of an epoch-ms time: the day a recognised lot arrived here. */
const chinaDay = (ms: number) => new Date(ms + 8 * 3_600_000).toISOString().slice(0, 10);
const isDay = (v: string | null) => (v !== null && /^\d{4}-\d{2}-\d{2}$/.test(v) ? v : '');

const sourceRecord = (l: Learned) => ({ ...l.source, facts: l.facts });

/**
 * recogniseCode makes sure a code of a registered platform is a lot here, asking the platform only when no lot has
 * the code yet. It returns the platform (null when the code is no platform's); a platform that cannot be read throws
 * PlatformUnavailable.
 */
export async function recogniseCode(deps: Deps, code: string): Promise<PlatformRow | null> {
  const c = code.trim();
  const p = await platformFor(deps, c);
  if (!p) return null;
  const have = await deps.db.selectFrom('lots').select('id').where('code', '=', c).executeTakeFirst();
  if (have) return p;
  const l = await learn(deps, p, c);
  await commit(deps, undefined, async (w) => {
    const again = await w.trx.selectFrom('lots').select('id').where('code', '=', c).executeTakeFirst();
    if (again) return;
    const parts = await newLot(w, p, c, l, null, 0, w.now);
    await w.append('platform.lot.recorded', null, { source: sourceRecord(l), ...parts });
  });
  return p;
}

/** PlatformReceipt is a receipt by a platform's code: what arrived, and the product name if the platform lacks it. */
export interface PlatformReceipt extends ReceiveInput {
  readonly code: string;
  readonly productName?: string | null;
}

/**
 * receiveFromPlatform receives goods by a platform's code without their declaration being typed again: the platform
 * is asked for the code's events, the lot is recognised from them (or its reasons brought up to date), and the actor
 * holds what arrived, as a received shipment from the platform. The platform must answer: goods are not received on
 * facts that cannot be read, and a lot the platform says is recalled is not received.
 */
export async function receiveFromPlatform(deps: Deps, actor: Actor, p: PlatformRow, input: PlatformReceipt) {
  if (!mayAttempt(actor, 'custody.move')) throw forbid('custody.move');
  const code = input.code.trim();
  const q = grams('quantity', input.quantity);
  const productName = input.productName?.trim() ? input.productName.trim().slice(0, 200) : null;
  const l = await learn(deps, p, code);
  if (l.facts.recalled)
    throw new AppError('LotBlocked', {
      field: 'code',
      reason: `${p.name} has recalled these goods (${l.facts.recallEvent})`,
    });
  return commit(deps, undefined, async (w) => {
    if (input.locationId) {
      const loc = await w.trx
        .selectFrom('locations')
        .select('ownerPartyId')
        .where('id', '=', input.locationId)
        .executeTakeFirst();
      if (!loc || loc.ownerPartyId !== actor.partyId)
        throw new AppError('UnknownReference', { field: 'locationId', reason: 'no such location of yours' });
    }
    const lot = (await w.trx.selectFrom('lots').selectAll().where('code', '=', code).executeTakeFirst()) as
      LotRow | undefined;
    const parts = lot
      ? { recognisedProducers: [], recognisedLots: [] }
      : await newLot(w, p, code, l, productName, q.grams, input.receivedAt);
    const lotId = lot?.id ?? String(parts.recognisedLots[0]!.id);
    const patch = lot ? await restated(w, lot, p, l.facts) : null;
    if (lot && (patch?.status ?? lot.status) === 'red')
      throw new AppError('LotBlocked', { field: 'code', reason: 'the lot is red here' });
    const locationId = input.locationId ?? null;
    const cur = await w.trx
      .selectFrom('holdings')
      .selectAll()
      .where('id', '=', holdingId(lotId, actor.partyId, locationId))
      .executeTakeFirst();
    const shipment = {
      id: newId('shp'),
      lotId,
      fromPartyId: p.partyId,
      fromLocationId: null,
      toPartyId: actor.partyId,
      toLocationId: locationId,
      grams: q.grams,
      cartons: q.cartons,
      purpose: 'shipment',
      carrierPartyId: null,
      vehicleId: null,
      driverWorkerId: null,
      handlerWorkerIds: [],
      departedAt: input.receivedAt,
      referenceDoc: code.slice(0, 100),
      flags: [],
      status: 'received',
      receivedGrams: q.grams,
      receivedCartons: q.cartons,
      receivedAt: input.receivedAt,
      mode: 'handover',
      homeOrigin: homeOriginOf(p.id),
      homeIndex: null,
      // Not a log's leaf: the document it rests on is named, with its SHA-256, by the entry's `source`.
      homeLeafHash: null,
      createdAt: w.now,
      updatedAt: w.now,
    };
    const logIndex = await w.append('platform.received', actor.partyId, {
      source: sourceRecord(l),
      ...parts,
      shipment,
      holdings: [
        {
          id: holdingId(lotId, actor.partyId, locationId),
          lotId,
          partyId: actor.partyId,
          locationId,
          grams: (cur?.grams ?? 0) + q.grams,
          cartons: (cur?.cartons ?? 0) + q.cartons,
          updatedAt: w.now,
        },
      ],
      ...(patch ? { lotStatuses: [patch] } : {}),
    });
    const row = await w.trx.selectFrom('shipments').selectAll().where('id', '=', shipment.id).executeTakeFirstOrThrow();
    return { ...toShipment(row), logIndex };
  });
}

/**
 * refreshLot asks the platform again for a lot's events and records here what changed of its reasons (a recall the
 * platform declared turns the lot red). It returns whether the lot's reasons changed.
 */
export async function refreshLot(deps: Deps, p: PlatformRow, lot: LotRow): Promise<boolean> {
  const l = await learn(deps, p, lot.code);
  return commit(deps, undefined, async (w) => {
    const now = (await w.trx
      .selectFrom('lots')
      .selectAll()
      .where('id', '=', lot.id)
      .executeTakeFirstOrThrow()) as LotRow;
    const patch = await restated(w, now, p, l.facts);
    if (!patch) return false;
    await w.append('platform.lot.recorded', null, { source: sourceRecord(l), lotStatuses: [patch] });
    return true;
  });
}
