/**
 * The EPCIS 2.0 form of the facts written through /v1: a declaration, a shipment leaving and arriving, a move
 * between a holder's own places, a disposal, a sample, a disinfection, a transformation, a sale. Each is built from
 * its log entry alone, so the same entry always gives the same event (and the same event hash ID). Pure.
 *
 * Naming (see README, "EPCIS 2.0"): a lot is the class urn:coldtrace:lot:{lotId}; parties, places, vehicles and
 * workers are urn:coldtrace:{party|location|vehicle|worker}:{id}; who owns goods is a source or destination of type
 * owning_party, where they are is one of type location; vehicle, driver, handlers, cartons and our ids are extension
 * fields in the `ct` namespace (CT_NS). Quantities are in KGM, with the cartons beside them in `ct:cartons`.
 */
import { CT_NS, CT_PREFIX, EPCIS_CONTEXT, ourUri } from './identifiers.ts';

/** CUSTODY_CONTEXT is the @context of every event coldtrace derives: the EPCIS context plus the ct namespace. */
export const CUSTODY_CONTEXT: readonly unknown[] = [EPCIS_CONTEXT, { [CT_PREFIX]: CT_NS }];

/** DISINFECTING is our business step for disinfection, which CBV lacks. */
export const DISINFECTING = 'urn:coldtrace:bizstep:disinfecting';

/** CustodyEvent is a derived event (without eventID and recordTime) with the party behind it and the lots it names. */
export interface CustodyEvent {
  readonly event: Record<string, unknown>;
  readonly partyId: string | null;
  readonly lotIds: readonly string[];
}

type Rec = Readonly<Record<string, unknown>>;

const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const rec = (v: unknown): Rec | null => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Rec) : null);
const time = (ms: number) => new Date(ms).toISOString();

function quantity(lotId: string, grams: unknown) {
  return { epcClass: ourUri('lot', lotId), quantity: (num(grams) ?? 0) / 1000, uom: 'KGM' };
}

function places(kind: 'source' | 'destination', partyId: string | null, locationId: string | null) {
  const list: Record<string, string>[] = [];
  if (partyId) list.push({ type: 'owning_party', [kind]: ourUri('party', partyId) });
  if (locationId) list.push({ type: 'location', [kind]: ourUri('location', locationId) });
  return list;
}

function base(type: string, at: number, index: number): Record<string, unknown> {
  // ct:logIndex keeps two otherwise identical facts (the same quantity moved twice in one millisecond) apart.
  return {
    '@context': CUSTODY_CONTEXT,
    type,
    eventTime: time(at),
    eventTimeZoneOffset: '+08:00',
    [`${CT_PREFIX}:logIndex`]: index,
  };
}

const withOptional = (event: Record<string, unknown>, extra: Record<string, unknown>) => {
  for (const [k, v] of Object.entries(extra))
    if (v !== null && v !== undefined && !(Array.isArray(v) && v.length === 0)) event[k] = v;
  return event;
};

function shipmentEvent(s: Rec, index: number, arrived: boolean): CustodyEvent | null {
  const lotId = str(s.lotId);
  const at = num(arrived ? s.receivedAt : s.departedAt);
  if (!lotId || at === null) return null;
  const from = str(s.fromPartyId);
  const to = str(s.toPartyId);
  const fromLoc = str(s.fromLocationId);
  const toLoc = str(s.toLocationId);
  const handlers = Array.isArray(s.handlerWorkerIds)
    ? s.handlerWorkerIds.filter((h): h is string => typeof h === 'string')
    : [];
  const event = withOptional(base('ObjectEvent', at, index), {
    action: 'OBSERVE',
    bizStep: arrived ? 'receiving' : 'shipping',
    disposition: arrived ? 'in_progress' : 'in_transit',
    readPoint: arrived ? null : fromLoc && { id: ourUri('location', fromLoc) },
    bizLocation: arrived && toLoc ? { id: ourUri('location', toLoc) } : null,
    bizTransactionList: str(s.referenceDoc)
      ? [{ type: 'desadv', bizTransaction: ourUri('doc', str(s.referenceDoc)!) }]
      : null,
    sourceList: places('source', from, fromLoc),
    destinationList: places('destination', to, toLoc),
  });
  event.quantityList = [quantity(lotId, arrived ? s.receivedGrams : s.grams)];
  return {
    event: withOptional(event, {
      [`${CT_PREFIX}:cartons`]: num(arrived ? s.receivedCartons : s.cartons),
      [`${CT_PREFIX}:shipment`]: str(s.id) && ourUri('shipment', str(s.id)!),
      [`${CT_PREFIX}:purpose`]: str(s.purpose),
      [`${CT_PREFIX}:carrier`]: str(s.carrierPartyId) && ourUri('party', str(s.carrierPartyId)!),
      [`${CT_PREFIX}:vehicle`]: str(s.vehicleId) && ourUri('vehicle', str(s.vehicleId)!),
      [`${CT_PREFIX}:driver`]: str(s.driverWorkerId) && ourUri('worker', str(s.driverWorkerId)!),
      [`${CT_PREFIX}:handlers`]: handlers.map((h) => ourUri('worker', h)),
    }),
    partyId: arrived ? to : from,
    lotIds: [lotId],
  };
}

function holderOf(r: Rec, own: Rec): string | null {
  const held = Array.isArray(r.holdings) ? rec(r.holdings[0]) : null;
  return str(own.partyId) ?? str(held?.partyId);
}

function transferEvent(r: Rec, index: number): CustodyEvent | null {
  const t = rec(r.transfer);
  const lotId = str(t?.lotId);
  const at = num(t?.at);
  if (!t || !lotId || at === null) return null;
  const party = holderOf(r, t);
  const from = str(t.fromLocationId);
  const to = str(t.toLocationId);
  const event = withOptional(base('ObjectEvent', at, index), {
    action: 'OBSERVE',
    bizStep: 'storing',
    readPoint: from && { id: ourUri('location', from) },
    bizLocation: to && { id: ourUri('location', to) },
    sourceList: places('source', party, from),
    destinationList: places('destination', party, to),
  });
  event.quantityList = [quantity(lotId, t.grams)];
  return { event: withOptional(event, { [`${CT_PREFIX}:cartons`]: num(t.cartons) }), partyId: party, lotIds: [lotId] };
}

function disposalEvent(r: Rec, index: number): CustodyEvent | null {
  const d = rec(r.disposal);
  const lotId = str(d?.lotId);
  const at = num(d?.at);
  if (!d || !lotId || at === null) return null;
  const party = holderOf(r, d);
  const returned = d.method === 'returned';
  const event = withOptional(base('ObjectEvent', at, index), {
    action: 'OBSERVE',
    bizStep: returned ? 'decommissioning' : 'destroying',
    disposition: returned ? 'returned' : 'destroyed',
    bizLocation: str(d.locationId) && { id: ourUri('location', str(d.locationId)!) },
    bizTransactionList: str(d.referenceDoc)
      ? [{ type: 'prodorder', bizTransaction: ourUri('doc', str(d.referenceDoc)!) }]
      : null,
    sourceList: places('source', party, str(d.locationId)),
  });
  event.quantityList = [quantity(lotId, d.grams)];
  return {
    event: withOptional(event, { [`${CT_PREFIX}:cartons`]: num(d.cartons), [`${CT_PREFIX}:method`]: str(d.method) }),
    partyId: party,
    lotIds: [lotId],
  };
}

function declarationEvent(r: Rec, index: number): CustodyEvent | null {
  const lot = rec(r.lot);
  const lotId = str(lot?.id);
  const at = num(lot?.createdAt);
  if (!lot || !lotId || at === null) return null;
  const importer = str(lot.importerPartyId);
  const event = withOptional(base('ObjectEvent', at, index), {
    action: 'ADD',
    bizStep: 'commissioning',
    disposition: 'active',
    destinationList: places('destination', importer, null),
  });
  event.quantityList = [quantity(lotId, lot.netGrams)];
  return {
    event: withOptional(event, {
      [`${CT_PREFIX}:cartons`]: num(lot.cartons),
      [`${CT_PREFIX}:traceCode`]: str(lot.code),
      [`${CT_PREFIX}:gtin`]: str(lot.gtin),
      [`${CT_PREFIX}:batchNo`]: str(lot.batchNo),
    }),
    partyId: importer,
    lotIds: [lotId],
  };
}

function observation(
  r: Rec,
  part: string,
  timeField: string,
  bizStep: string,
  index: number,
  extra: (p: Rec) => Record<string, unknown>,
): CustodyEvent | null {
  const p = rec(r[part]);
  const lotId = str(p?.lotId);
  const at = num(p?.[timeField]);
  if (!p || !lotId || at === null) return null;
  const party = str(p.warehousePartyId) ?? str(p.partyId);
  const event = withOptional(base('ObjectEvent', at, index), {
    action: 'OBSERVE',
    bizStep,
    sourceList: places('source', party, null),
  });
  event.quantityList = [{ epcClass: ourUri('lot', lotId) }];
  return { event: withOptional(event, extra(p)), partyId: party, lotIds: [lotId] };
}

function transformationEvent(r: Rec, index: number): CustodyEvent | null {
  const t = rec(r.transformation);
  const at = num(t?.at);
  const lots = Array.isArray(r.transformationLots)
    ? r.transformationLots.map(rec).filter((x): x is Rec => x !== null)
    : [];
  if (!t || at === null || lots.length === 0) return null;
  const role = (x: Rec) => str(x.role);
  const inputs = lots.filter((x) => role(x) === 'input' && str(x.lotId));
  const outputs = lots.filter((x) => role(x) !== 'input' && str(x.lotId));
  const party = str(t.partyId);
  const event = withOptional(base('TransformationEvent', at, index), {
    transformationID: str(t.id) && `urn:coldtrace:transformation:${str(t.id)!}`,
    bizStep: t.kind === 'process' ? 'commissioning' : 'repackaging',
    bizLocation: str(t.locationId) && { id: ourUri('location', str(t.locationId)!) },
    sourceList: places('source', party, null),
  });
  event.inputQuantityList = inputs.map((x) => quantity(str(x.lotId)!, x.grams));
  event.outputQuantityList = outputs.map((x) => quantity(str(x.lotId)!, x.grams));
  return {
    event: withOptional(event, { [`${CT_PREFIX}:kind`]: str(t.kind) }),
    partyId: party,
    lotIds: lots.map((x) => str(x.lotId)!).filter(Boolean),
  };
}

function retailEvent(r: Rec, index: number): CustodyEvent | null {
  const s = rec(r.retailSale);
  const lotId = str(s?.lotId);
  const at = num(s?.soldAt);
  if (!s || !lotId || at === null) return null;
  const party = str(s.partyId);
  const event = withOptional(base('ObjectEvent', at, index), {
    action: 'DELETE',
    bizStep: 'retail_selling',
    disposition: 'retail_sold',
    bizLocation: str(s.locationId) && { id: ourUri('location', str(s.locationId)!) },
    sourceList: places('source', party, str(s.locationId)),
  });
  event.quantityList = [quantity(lotId, s.grams)];
  return { event: withOptional(event, { [`${CT_PREFIX}:cartons`]: num(s.cartons) }), partyId: party, lotIds: [lotId] };
}

/**
 * custodyEvent returns the EPCIS form of a custody entry's fact, or null for entries that have none (or whose
 * record lacks what the event needs). `index` is the entry's log index.
 */
export function custodyEvent(type: string, record: Rec, index: number): CustodyEvent | null {
  switch (type) {
    case 'lot.declared':
      return declarationEvent(record, index);
    case 'shipment.departed':
    case 'sale.handed_over': {
      const s = rec(record.shipment);
      return s ? shipmentEvent(s, index, false) : null;
    }
    case 'shipment.received': {
      const s = rec(record.shipment);
      return s ? shipmentEvent(s, index, true) : null;
    }
    case 'holding.transferred':
      return transferEvent(record, index);
    case 'holding.disposed':
      return disposalEvent(record, index);
    case 'sample.taken':
      return observation(record, 'sample', 'takenAt', 'sampling', index, (p) => ({
        [`${CT_PREFIX}:samplePoint`]: str(p.point),
        [`${CT_PREFIX}:lab`]: str(p.labPartyId) && ourUri('party', str(p.labPartyId)!),
      }));
    case 'disinfection.recorded':
      return observation(record, 'disinfection', 'performedAt', DISINFECTING, index, (p) => ({
        [`${CT_PREFIX}:agent`]: str(p.agent),
        [`${CT_PREFIX}:concentration`]: str(p.concentration),
      }));
    case 'lot.transformed':
      return transformationEvent(record, index);
    case 'retail.sold':
      return retailEvent(record, index);
    default:
      return null;
  }
}
