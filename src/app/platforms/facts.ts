/**
 * What another platform's EPCIS events say of one of its codes, read defensively: every field is untrusted input, and
 * the wrong type reads as absent. Pure.
 */

type Rec = Readonly<Record<string, unknown>>;

/** PlatformFacts is what a platform knows of a code: the goods, where they come from, and whether it recalled them. */
export interface PlatformFacts {
  readonly product: string | null;
  readonly originCountry: string | null;
  readonly producer: string | null;
  readonly lot: string | null;
  readonly expiryDate: string | null;
  readonly productionDate: string | null;
  readonly certificates: readonly string[];
  /** grams is the quantity the platform's events give in kilograms (uom KGM), or 0. */
  readonly grams: number;
  /** recalled says an event has a `recalled` disposition or declares an error; recallEvent names the first. */
  readonly recalled: boolean;
  readonly recallEvent: string | null;
  readonly events: number;
}

const str = (v: unknown, max = 200): string | null =>
  typeof v === 'string' && v.trim() !== '' ? v.trim().slice(0, max) : null;

/** local is a JSON-LD term without its prefix or namespace: `cbvmda:lotNumber` and `https://…/lotNumber` are both `lotNumber`. */
const local = (k: string) => k.replace(/^.*[:/#]/, '');

/** field finds the first value of any of the named terms among an event's master data and its own fields. */
function field(bags: readonly Rec[], names: readonly string[]): unknown {
  for (const bag of bags)
    for (const [k, v] of Object.entries(bag)) if (names.includes(local(k)) && v !== undefined && v !== null) return v;
  return undefined;
}

/** text reads a term that may be a string, a language map ({'@value'}), or a list of either. */
function text(v: unknown): string | null {
  if (Array.isArray(v)) return v.map(text).find((x) => x !== null) ?? null;
  if (v && typeof v === 'object') return str((v as Rec)['@value']);
  return str(v);
}

const isRecalled = (disposition: unknown) => typeof disposition === 'string' && /(^|[:/-])recalled$/i.test(disposition);

/** eventsOf returns the events of an EPCIS 2.0 query or capture document (already validated). */
export function eventsOf(doc: unknown): Rec[] {
  const body = (doc as Rec | null)?.epcisBody as Rec | undefined;
  const list = (body?.queryResults as Rec | undefined)?.resultsBody as Rec | undefined;
  const events = (list?.eventList ?? body?.eventList) as unknown;
  return Array.isArray(events) ? events.filter((e): e is Rec => !!e && typeof e === 'object') : [];
}

/** platformFacts reads what a platform's events say: the first value of each term wins, in the events' order. */
export function platformFacts(events: readonly Rec[]): PlatformFacts {
  const bags = events.flatMap((e) => [(e.ilmd as Rec | undefined) ?? {}, e]);
  const certs = events.flatMap((e) => {
    const c = (e.certificationInfo ?? (e.ilmd as Rec | undefined)?.certificationInfo) as unknown;
    const list = Array.isArray(c) ? c : c === undefined ? [] : [c];
    return list
      .map((x) => (typeof x === 'string' ? x : text((x as Rec)?.certificationIdentification)))
      .flatMap((x) => (x ? [x.slice(0, 200)] : []));
  });
  let grams = 0;
  for (const e of events) {
    const q = [
      ...(Array.isArray(e.quantityList) ? e.quantityList : []),
      ...(Array.isArray(e.childQuantityList) ? e.childQuantityList : []),
    ];
    for (const x of q as Rec[]) {
      if (x?.uom === 'KGM' && typeof x.quantity === 'number' && Number.isFinite(x.quantity) && x.quantity > 0) {
        grams = Math.max(grams, Math.round(x.quantity * 1000));
      }
    }
  }
  const recall = events.find(
    (e) => isRecalled(e.disposition) || (e.errorDeclaration !== undefined && e.errorDeclaration !== null),
  );
  return {
    product: text(field(bags, ['productName', 'regulatedProductName', 'tradeItemDescription', 'descriptionShort'])),
    originCountry: text(field(bags, ['countryOfOrigin', 'countryOfExport'])),
    producer: text(field(bags, ['manufacturerOfTradeItemPartyName', 'producerName', 'producer'])),
    lot: text(field(bags, ['lotNumber', 'batchNumber'])),
    expiryDate: text(field(bags, ['itemExpirationDate', 'bestBeforeDate'])),
    productionDate: text(field(bags, ['productionDate', 'packagingDate'])),
    certificates: [...new Set(certs)].slice(0, 20),
    grams: Math.min(grams, Number.MAX_SAFE_INTEGER),
    recalled: recall !== undefined,
    recallEvent: recall ? (str(recall.eventID, 300) ?? 'an event without an id') : null,
    events: events.length,
  };
}
