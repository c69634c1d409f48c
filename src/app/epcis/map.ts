import type { Transaction } from 'kysely';
import type { Actor } from '../../domain/access.ts';
import { MOVE_PURPOSES } from '../../domain/custody-rules.ts';
import type { MovePurpose } from '../../domain/custody-rules.ts';
import { namespacePrefixes } from '../../epcis/json-event.ts';
import type { JsonLdContext } from '../../epcis/json-event.ts';
import { CT_NS, asArray, cbvWord, lotRef, ourId } from '../../epcis/identifiers.ts';
import type { LotRef } from '../../epcis/identifiers.ts';
import type { LotRow, Schema } from '../../store/schema.ts';
import { AppError } from '../errors.ts';
import type { Writer } from '../write/commit.ts';
import { disposeWith, receiveWith, shipWith, transferWith } from '../custody/custody.ts';
import type { TransformationInput } from '../custody/transform.ts';
import { transformWith } from '../custody/transform.ts';
import { recordReadingsWith } from '../temperature/temperature.ts';
import type { Deps } from '../deps.ts';

// How a captured EPCIS event that concerns our lots becomes the same custody fact a /v1 write makes, through the
// same writer-level functions (shipWith, receiveWith, transferWith), in the capture's transaction.

type Rec = Readonly<Record<string, unknown>>;

/** LotIndex finds our lots by what EPCIS identifiers say about them; built once per capture. */
export interface LotIndex {
  lotsOf(value: string): LotRow[];
}

/**
 * lotIndex looks up, in one query per kind, every lot the given identifiers may name (by GTIN and batch, trace
 * code, or id).
 */
export async function lotIndex(
  trx: Transaction<Schema>,
  values: Iterable<string>,
  publicUrl: string,
): Promise<LotIndex> {
  const refs = new Map<string, LotRef>();
  for (const v of values) {
    const ref = lotRef(v, publicUrl);
    if (ref) refs.set(v, ref);
  }
  const by = <K extends LotRef['by']>(k: K) =>
    [...refs.values()].filter((r): r is Extract<LotRef, { by: K }> => r.by === k);
  const gtins = [...new Set(by('lgtin').map((r) => r.gtin))];
  const codes = [...new Set(by('code').map((r) => r.code))];
  const ids = [...new Set(by('id').map((r) => r.id))];
  const found: LotRow[] = [];
  for (const [column, list] of [
    ['gtin', gtins],
    ['code', codes],
    ['id', ids],
  ] as const) {
    for (let i = 0; i < list.length; i += 500) {
      found.push(
        ...(await trx
          .selectFrom('lots')
          .selectAll()
          .where(column, 'in', list.slice(i, i + 500))
          .execute()),
      );
    }
  }
  return {
    lotsOf(value: string): LotRow[] {
      const ref = refs.get(value);
      if (!ref) return [];
      if (ref.by === 'lgtin') return found.filter((l) => l.gtin === ref.gtin && l.batchNo === ref.batch);
      if (ref.by === 'code') return found.filter((l) => l.code === ref.code);
      return found.filter((l) => l.id === ref.id);
    },
  };
}

/** candidateValues lists the identifiers of an event that may name a lot: its EPCs and its quantity classes. */
export function candidateValues(event: Rec): string[] {
  const out: string[] = [];
  for (const list of ['epcList', 'childEPCs', 'inputEPCList', 'outputEPCList'])
    for (const v of asArray(event[list])) if (typeof v === 'string') out.push(v);
  for (const list of ['quantityList', 'childQuantityList', 'inputQuantityList', 'outputQuantityList']) {
    for (const q of asArray(event[list])) {
      const c = (q as Rec | null)?.epcClass;
      if (typeof c === 'string') out.push(c);
    }
  }
  if (typeof event.parentID === 'string') out.push(event.parentID);
  return out;
}

/** LotShare is what an event says about one of our lots: the weight in kg, the cartons, and where it says so. */
interface LotShare {
  lot: LotRow;
  kg: number;
  cartons: number;
  field: string;
  hasWeight: boolean;
}

/** EventFieldError is a refusal whose field already names the part of the event at fault. */
class EventFieldError extends AppError {}

function fail(code: AppError['code'], field: string, reason: string): never {
  throw new EventFieldError(code, { field, reason });
}

/** concernedLots returns the ids of our lots an event names anywhere. */
export function concernedLots(event: Rec, lots: LotIndex): string[] {
  return [...new Set(candidateValues(event).flatMap((v) => lots.lotsOf(v).map((l) => l.id)))];
}

function shares(event: Rec, lots: LotIndex, cartonsField: number | null): LotShare[] {
  const byLot = new Map<string, LotShare>();
  const share = (lot: LotRow, field: string) => {
    const s = byLot.get(lot.id) ?? { lot, kg: 0, cartons: 0, field, hasWeight: false };
    byLot.set(lot.id, s);
    return s;
  };
  const one = (value: string, field: string): LotRow | null => {
    const found = lots.lotsOf(value);
    if (found.length > 1)
      fail(
        'ValidationFailed',
        field,
        `names ${found.length} lots (the same GTIN and batch were declared more than once); name the lot by its trace code`,
      );
    return found[0] ?? null;
  };
  for (const [k, q] of asArray(event.quantityList).entries()) {
    const { epcClass, quantity, uom } = (q ?? {}) as { epcClass?: unknown; quantity?: unknown; uom?: unknown };
    if (typeof epcClass !== 'string') continue;
    const lot = one(epcClass, `quantityList.${k}.epcClass`);
    if (!lot) continue;
    const s = share(lot, `quantityList.${k}`);
    if (typeof quantity !== 'number') continue;
    if (uom !== 'KGM')
      fail('ValidationFailed', `quantityList.${k}.uom`, 'the quantity of one of our lots must be in KGM (kilograms)');
    s.kg += quantity;
    s.hasWeight = true;
  }
  for (const [k, epc] of asArray(event.epcList).entries()) {
    if (typeof epc !== 'string') continue;
    const lot = one(epc, `epcList.${k}`);
    if (lot) share(lot, `epcList.${k}`).cartons += 1;
  }
  const list = [...byLot.values()];
  for (const s of list) {
    if (!s.hasWeight)
      fail('ValidationFailed', s.field, `give the weight of lot ${s.lot.code} in quantityList (uom KGM)`);
  }
  if (cartonsField !== null) {
    if (list.length !== 1)
      fail('ValidationFailed', 'ct:cartons', 'applies only to an event about one lot; list cartons in epcList instead');
    list[0]!.cartons = cartonsField;
  }
  return list;
}

/** Extensions reads the ct: fields of an event, whatever prefix its document gave our namespace. */
function extensions(event: Rec, context: JsonLdContext | undefined) {
  const prefixes = namespacePrefixes((event['@context'] as JsonLdContext | undefined) ?? context);
  const names = new Map<string, string>();
  for (const key of Object.keys(event)) {
    const colon = key.indexOf(':');
    if (colon > 0 && prefixes.get(key.slice(0, colon)) === CT_NS) names.set(key.slice(colon + 1), key);
  }
  return {
    key: (name: string) => names.get(name) ?? `ct:${name}`,
    get: (name: string): unknown => {
      const k = names.get(name);
      return k === undefined ? undefined : event[k];
    },
  };
}

function typed(list: unknown, type: string, key: 'source' | 'destination'): { value: string; index: number } | null {
  for (const [index, item] of asArray(list).entries()) {
    const i = (item ?? {}) as Rec;
    const t = typeof i.type === 'string' ? i.type.replace(/^.*SDT-/, '').replace(/^urn:epcglobal:cbv:sdt:/, '') : '';
    if (t === type && typeof i[key] === 'string') return { value: i[key] as string, index };
  }
  return null;
}

/** MappedFacts is what a captured event became: the lots it concerns and the derived events it stands for. */
export interface MappedFacts {
  readonly lots: readonly string[];
  readonly supersedes: readonly string[];
}

/** MAPPED_STEPS are the business steps that become custody facts when an event names our lots. */
export const MAPPED_STEPS = ['shipping', 'receiving', 'storing', 'stocking', 'destroying', 'decommissioning'] as const;

/**
 * mapToCustody makes a captured event that names our lots the custody fact(s) it describes, in w's transaction, by
 * the same rules as /v1: an ObjectEvent with bizStep shipping ships each lot it names (shipWith), receiving receives
 * the shipment (receiveWith), storing or stocking moves goods between the holder's own places (transferWith),
 * destroying (or decommissioning with disposition returned) disposes of them (disposeWith). Other
 * events are stored as they are. A refusal keeps the /v1 error code; its field is the part of the event that gave
 * the refused value (e.g. quantityList.0 for an overspend).
 */
export async function mapToCustody(
  w: Writer,
  deps: Deps,
  actor: Actor,
  event: Rec,
  context: JsonLdContext | undefined,
  lots: LotIndex,
): Promise<MappedFacts> {
  const concerned = concernedLots(event, lots);
  const step = cbvWord('BizStep', event.bizStep);
  if (concerned.length > 0 && event.type === 'TransformationEvent')
    return transform(w, deps, actor, event, context, lots, concerned);
  if (concerned.length === 0 || event.type !== 'ObjectEvent') return { lots: concerned, supersedes: [] };
  if (!step || !(MAPPED_STEPS as readonly string[]).includes(step)) {
    await sensorReadings(w, deps, actor, event, concerned);
    return { lots: concerned, supersedes: [] };
  }
  const ext = extensions(event, context);
  const cartons = ext.get('cartons');
  if (cartons !== undefined && (!Number.isInteger(cartons) || (cartons as number) < 0))
    fail('ValidationFailed', ext.key('cartons'), 'must be a whole number of cartons');
  const at = Date.parse(String(event.eventTime));
  const supersedes: string[] = [];
  const done = async (logIndex: number) => supersedes.push(...(await derivedAt(w, logIndex)));
  // Which part of the event supplied each input of the custody rule, so a refusal points at it.
  const ours = (kind: 'party' | 'location' | 'vehicle' | 'worker' | 'shipment', value: unknown, field: string) => {
    if (value === undefined || value === null) return null;
    const id = ourId(kind, value);
    if (!id) fail('ValidationFailed', field, `must be a urn:coldtrace:${kind}:{id} URI`);
    return id;
  };
  for (const s of shares(event, lots, (cartons as number | undefined) ?? null)) {
    const quantity = { kg: Math.round(s.kg * 1000) / 1000, cartons: s.cartons };
    const fieldOf: Record<string, string> = { quantity: s.field, lotId: s.field, id: s.field };
    try {
      if (step === 'shipping') {
        const to = typed(event.destinationList, 'owning_party', 'destination');
        if (!to)
          fail(
            'ValidationFailed',
            'destinationList',
            'name the receiving party: a destination of type owning_party, urn:coldtrace:party:{id}',
          );
        const toLoc = typed(event.destinationList, 'location', 'destination');
        const fromLoc = typed(event.sourceList, 'location', 'source');
        const readPoint = (event.readPoint as Rec | undefined)?.id;
        const handlers = asArray(ext.get('handlers'));
        const purpose = ext.get('purpose');
        if (purpose !== undefined && !(MOVE_PURPOSES as readonly unknown[]).includes(purpose))
          fail('ValidationFailed', ext.key('purpose'), `must be one of ${MOVE_PURPOSES.join(', ')}`);
        const tx = asArray(event.bizTransactionList)[0] as Rec | undefined;
        const doc =
          typeof tx?.bizTransaction === 'string' ? (ourId('doc', tx.bizTransaction) ?? tx.bizTransaction) : null;
        Object.assign(fieldOf, {
          toPartyId: `destinationList.${to.index}`,
          toLocationId: toLoc ? `destinationList.${toLoc.index}` : 'destinationList',
          fromLocationId: fromLoc ? `sourceList.${fromLoc.index}` : 'readPoint',
          vehicleId: ext.key('vehicle'),
          driverWorkerId: ext.key('driver'),
          carrierPartyId: ext.key('carrier'),
          referenceDoc: 'bizTransactionList.0',
        });
        handlers.forEach((_, i) => (fieldOf[`handlerWorkerIds.${i}`] = `${ext.key('handlers')}.${i}`));
        const vehicleId =
          ours('vehicle', ext.get('vehicle'), ext.key('vehicle')) ??
          fail('ValidationFailed', ext.key('vehicle'), 'name the vehicle: urn:coldtrace:vehicle:{id}');
        const driverWorkerId =
          ours('worker', ext.get('driver'), ext.key('driver')) ??
          fail('ValidationFailed', ext.key('driver'), 'name the driver: urn:coldtrace:worker:{id}');
        const r = await shipWith(w, deps, actor, s.lot.id, {
          fromLocationId: fromLoc
            ? ours('location', fromLoc.value, fieldOf.fromLocationId!)
            : ourId('location', readPoint),
          toPartyId: ours('party', to.value, fieldOf.toPartyId!)!,
          toLocationId: toLoc ? ours('location', toLoc.value, fieldOf.toLocationId!) : null,
          quantity,
          carrierPartyId: ours('party', ext.get('carrier'), ext.key('carrier')),
          vehicleId,
          driverWorkerId,
          handlerWorkerIds: handlers.map((h, i) => ours('worker', h, `${ext.key('handlers')}.${i}`)!),
          departedAt: at,
          referenceDoc: doc ? doc.slice(0, 100) : null,
          ...(purpose === undefined ? {} : { purpose: purpose as MovePurpose }),
        });
        await done(r.logIndex);
      } else if (step === 'receiving') {
        const named = ours('shipment', ext.get('shipment'), ext.key('shipment'));
        const shipmentId = named ?? (await inTransitTo(w.trx, s.lot.id, actor.partyId, ext.key('shipment')));
        fieldOf.id = named ? ext.key('shipment') : s.field;
        fieldOf.locationId = 'bizLocation';
        const bizLocation = (event.bizLocation as Rec | undefined)?.id;
        const r = await receiveWith(w, deps, actor, shipmentId, {
          quantity,
          receivedAt: at,
          // A place named some other way (an SGLN of the sender's system) leaves the shipment's own destination.
          ...(ourId('location', bizLocation) === null ? {} : { locationId: ourId('location', bizLocation) }),
        });
        await done(r.logIndex);
      } else if (step === 'destroying' || step === 'decommissioning') {
        const returned = cbvWord('Disp', event.disposition) === 'returned';
        if (step === 'decommissioning' && !returned)
          fail(
            'ValidationFailed',
            'disposition',
            'decommissioning one of our lots means a return: disposition returned',
          );
        const tx = asArray(event.bizTransactionList)[0] as Rec | undefined;
        const doc =
          typeof tx?.bizTransaction === 'string' ? (ourId('doc', tx.bizTransaction) ?? tx.bizTransaction) : '';
        if (!doc)
          fail('ValidationFailed', 'bizTransactionList', 'name the destruction or return record in bizTransactionList');
        const bizLocation = (event.bizLocation as Rec | undefined)?.id;
        Object.assign(fieldOf, { locationId: 'bizLocation', referenceDoc: 'bizTransactionList.0' });
        const r = await disposeWith(w, deps, actor, s.lot.id, {
          locationId: bizLocation === undefined ? null : ours('location', bizLocation, 'bizLocation'),
          quantity,
          method: returned ? 'returned' : 'destroyed',
          referenceDoc: doc.slice(0, 100),
          at,
        });
        await done(r.logIndex);
      } else {
        const fromLoc = typed(event.sourceList, 'location', 'source');
        const toLoc = typed(event.destinationList, 'location', 'destination');
        const readPoint = (event.readPoint as Rec | undefined)?.id;
        const bizLocation = (event.bizLocation as Rec | undefined)?.id;
        fieldOf.fromLocationId = fromLoc ? `sourceList.${fromLoc.index}` : 'readPoint';
        fieldOf.toLocationId = toLoc ? `destinationList.${toLoc.index}` : 'bizLocation';
        const from = fromLoc
          ? ours('location', fromLoc.value, fieldOf.fromLocationId)
          : readPoint === undefined
            ? null
            : ours('location', readPoint, 'readPoint');
        const to = toLoc
          ? ours('location', toLoc.value, fieldOf.toLocationId)
          : bizLocation === undefined
            ? null
            : ours('location', bizLocation, 'bizLocation');
        const r = await transferWith(w, deps, actor, s.lot.id, {
          fromLocationId: from,
          toLocationId: to,
          quantity,
          at,
        });
        await done(r.logIndex);
      }
    } catch (err) {
      if (!(err instanceof AppError) || err instanceof EventFieldError || typeof err.details.field !== 'string')
        throw err;
      const f = String(err.details.field);
      const field = fieldOf[f] ?? fieldOf[f.split('.')[0]!] ?? s.field;
      throw new AppError(err.code, { ...err.details, field, custodyField: f }, { cause: err });
    }
  }
  await sensorReadings(w, deps, actor, event, concerned);
  return { lots: concerned, supersedes };
}

const TEMPERATURE = new Set(['Temperature', 'gs1:Temperature', 'https://gs1.org/voc/Temperature']);

/**
 * sensorReadings records the temperature readings of an event's sensor data (sensorReport of type Temperature, in
 * CEL or FAH, value or meanValue, at the report's time, else its sensor's, else the event's) against each of our lots
 * the event names, as a batch per lot and device (recordReadingsWith: the same breach rules as a logger upload).
 */
async function sensorReadings(w: Writer, deps: Deps, actor: Actor, event: Rec, lotIds: readonly string[]) {
  const byDevice = new Map<string, { at: number; celsius: number }[]>();
  for (const [k, element] of asArray(event.sensorElementList).entries()) {
    const meta = ((element as Rec | null)?.sensorMetadata ?? {}) as Rec;
    for (const [r, report] of asArray((element as Rec | null)?.sensorReport).entries()) {
      const rep = (report ?? {}) as Rec;
      if (typeof rep.type !== 'string' || !TEMPERATURE.has(rep.type)) continue;
      const value = typeof rep.value === 'number' ? rep.value : rep.meanValue;
      if (typeof value !== 'number') continue;
      const uom = rep.uom ?? 'CEL';
      if (uom !== 'CEL' && uom !== 'FAH')
        fail('ValidationFailed', `sensorElementList.${k}.sensorReport.${r}.uom`, 'a temperature must be in CEL or FAH');
      const at = Date.parse(String(rep.time ?? meta.time ?? event.eventTime));
      const device = String(rep.deviceID ?? meta.deviceID ?? '');
      const list = byDevice.get(device) ?? [];
      list.push({ at, celsius: uom === 'FAH' ? Math.round((((value - 32) * 5) / 9) * 100) / 100 : value });
      byDevice.set(device, list);
    }
  }
  for (const [device, readings] of byDevice) {
    for (const lotId of lotIds) {
      try {
        await recordReadingsWith(w, deps, actor, {
          subject: { kind: 'lot', id: lotId },
          readings: [...readings].sort((a, b) => a.at - b.at),
          deviceId: device ? device.slice(0, 64) : null,
          source: 'epcis',
        });
      } catch (err) {
        if (!(err instanceof AppError) || err instanceof EventFieldError) throw err;
        throw new AppError(
          err.code,
          { ...err.details, field: 'sensorElementList', custodyField: err.details.field },
          { cause: err },
        );
      }
    }
  }
}

/** derivedAt returns the EPCIS form the custody entry at logIndex projected (see epcis-rows.ts), which a captured event stands for. */
async function derivedAt(w: Writer, logIndex: number): Promise<string[]> {
  const rows = await w.trx
    .selectFrom('epcisEvents')
    .select('eventId')
    .where('logIndex', '=', logIndex)
    .where('source', '=', 'custody')
    .execute();
  return rows.map((r) => r.eventId);
}

function quantities(event: Rec, list: 'inputQuantityList' | 'outputQuantityList', cartons: unknown) {
  return asArray(event[list]).map((q, k) => {
    const { epcClass, quantity, uom } = (q ?? {}) as { epcClass?: unknown; quantity?: unknown; uom?: unknown };
    if (typeof quantity !== 'number' || uom !== 'KGM')
      fail('ValidationFailed', `${list}.${k}`, 'give each quantity in KGM (kilograms)');
    const n = asArray(cartons)[k] ?? 0;
    if (!Number.isInteger(n) || (n as number) < 0)
      fail(
        'ValidationFailed',
        `${list}.${k}`,
        'its cartons (ct:inputCartons / ct:outputCartons) must be whole numbers',
      );
    return {
      epcClass: typeof epcClass === 'string' ? epcClass : '',
      quantity: { kg: Math.round(quantity * 1000) / 1000, cartons: n as number },
      field: `${list}.${k}`,
    };
  });
}

/**
 * transform makes a TransformationEvent whose inputs name our lots a repack or processing step (transformWith):
 * each inputQuantityList element is an input lot, each outputQuantityList element a new lot (an LGTIN there gives
 * the new lot its GTIN and batch); ct:kind (repack, or process; by default repack for bizStep repackaging),
 * ct:lossKg, ct:inputCartons and ct:outputCartons (lists beside the quantity lists) give the rest.
 */
async function transform(
  w: Writer,
  deps: Deps,
  actor: Actor,
  event: Rec,
  context: JsonLdContext | undefined,
  lots: LotIndex,
  concerned: string[],
): Promise<MappedFacts> {
  const ext = extensions(event, context);
  const ins = quantities(event, 'inputQuantityList', ext.get('inputCartons'));
  const outs = quantities(event, 'outputQuantityList', ext.get('outputCartons'));
  if (asArray(event.inputEPCList).length > 0)
    fail('ValidationFailed', 'inputEPCList', 'name the input lots with their quantities in inputQuantityList');
  const inputs = ins.map((x) => {
    const found = lots.lotsOf(x.epcClass);
    if (found.length !== 1)
      fail(
        'ValidationFailed',
        `${x.field}.epcClass`,
        found.length ? 'names more than one lot; name it by its trace code' : 'is not one of our lots',
      );
    return { lotId: found[0]!.id, quantity: x.quantity };
  });
  const outputs = outs.map((x) => {
    const ref = x.epcClass ? lotRef(x.epcClass, deps.config.publicUrl) : null;
    return { quantity: x.quantity, ...(ref?.by === 'lgtin' ? { gtin: ref.gtin, batchNo: ref.batch } : {}) };
  });
  const kind = ext.get('kind') ?? (cbvWord('BizStep', event.bizStep) === 'repackaging' ? 'repack' : 'process');
  const loss = ext.get('lossKg') ?? 0;
  if (typeof loss !== 'number') fail('ValidationFailed', ext.key('lossKg'), 'must be a number of kg');
  const bizLocation = (event.bizLocation as Rec | undefined)?.id;
  const locationId =
    bizLocation === undefined
      ? null
      : (ourId('location', bizLocation) ??
        fail('ValidationFailed', 'bizLocation', 'must be urn:coldtrace:location:{id}'));
  const fieldOf = (f: string) => {
    const m = /^(inputs|outputs)\.(\d+)(\..*)?$/.exec(f);
    if (m) return `${m[1] === 'inputs' ? 'inputQuantityList' : 'outputQuantityList'}.${m[2]}`;
    return f === 'lossKg' ? ext.key('lossKg') : f === 'kind' ? ext.key('kind') : f === 'locationId' ? 'bizLocation' : f;
  };
  try {
    const view = await transformWith(w, deps, actor, {
      kind: kind as TransformationInput['kind'],
      locationId,
      inputs,
      outputs,
      lossKg: loss,
      at: Date.parse(String(event.eventTime)),
    });
    return { lots: [...concerned, ...view.outputs.map((o) => o.lotId)], supersedes: await derivedAt(w, view.logIndex) };
  } catch (err) {
    if (!(err instanceof AppError) || err instanceof EventFieldError || typeof err.details.field !== 'string')
      throw err;
    throw new AppError(
      err.code,
      { ...err.details, field: fieldOf(err.details.field), custodyField: err.details.field },
      { cause: err },
    );
  }
}

async function inTransitTo(trx: Transaction<Schema>, lotId: string, partyId: string, field: string): Promise<string> {
  const rows = await trx
    .selectFrom('shipments')
    .select('id')
    .where('lotId', '=', lotId)
    .where('toPartyId', '=', partyId)
    .where('status', '=', 'in_transit')
    .limit(2)
    .execute();
  if (rows.length === 1) return rows[0]!.id;
  if (rows.length === 0) return fail('NotFound', field, `no shipment of this lot to you is in transit`);
  return fail(
    'ValidationFailed',
    field,
    'several shipments of this lot to you are in transit: name one as urn:coldtrace:shipment:{id}',
  );
}
