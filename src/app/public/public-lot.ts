/**
 * Public: what a consumer's scan shows, with no login: the lot's status, origin, certificates, the path to the
 * business the scan names, the distribution by province, and the proofs.
 *
 * Invariants:
 * - No personal data and no internal ids; downstream businesses are counted, not named.
 */
import { countryName } from '../../domain/country.ts';
import type { Lang, LotStatus, StatusReason } from '../../domain/lot-status.ts';
import { DOCUMENT_KINDS, reasonText } from '../../domain/lot-status.ts';
import { regionName } from '../../domain/regions.ts';
import {
  TRACE_CODE_ALPHABET,
  TRACE_CODE_LENGTH,
  cartonSerial,
  formatTraceCode,
  normaliseTraceCode,
  parseCartonCode,
  validateTraceCode,
} from '../../domain/trace-code.ts';
import {
  findLotByCode,
  findLotsByGtinBatch,
  lotBookings,
  lotDisinfections,
  lotDocuments,
  lotExitCertificate,
  lotSamples,
} from '../../store/border.ts';
import { blobIntact } from '../../store/blobs.ts';
import { latestCheckpoint, readEntries } from '../../store/log-store.ts';
import { findLocation, findProducer } from '../../store/master.ts';
import type { DocumentRow, LocationRow, LotRow } from '../../store/schema.ts';
import { cartonLot } from '../border/cartons.ts';
import type { Deps } from '../deps.ts';
import { decodeEntry } from '../write/entry.ts';
import { lotParents } from '../border/lot-parents.ts';
import { iso } from '../access/paging.ts';

/** PublicCode is what a scanned or typed public code names: a lot, or one carton of it. */
export type PublicCode = { readonly lotCode: string; readonly serial: number | null };

/** PublicCodeCheck is a code read, or why it names nothing; `typo` is true when only its check character is wrong. */
export type PublicCodeCheck =
  | { readonly ok: true; readonly value: PublicCode }
  | { readonly ok: false; readonly reason: string; readonly typo: boolean };

/** A document of the lot as the public sees it: no file, only its metadata and whether its file checks out. */
export interface PublicDocument {
  kind: string;
  label: string;
  present: boolean;
  number: string | null;
  issuer: string | null;
  issuedOn: string | null;
  /** verified: the file is in the blob store and its SHA-256, recomputed now, equals the hash on the log. */
  verified: boolean;
}

/** Doc is a public document with the index of the log entry that recorded it, for the verify section. */
type Doc = PublicDocument & { logIndex: number | null };

/** A place and time the lot passed through. `at` is a date (YYYY-MM-DD) for entry, else ISO 8601. */
export interface JourneyStep {
  kind: 'entry' | 'warehouse_arrival' | 'disinfection' | 'exit_certificate' | 'received' | 'transformed';
  label: string;
  place: string;
  region: string | null;
  regionName: string | null;
  at: string;
  ref: string | null;
}

/**
 * A log entry that proves part of the record: what it records, in words, and its inclusion-proof URL once a signed
 * checkpoint covers it. `document` is the kind of document for a document's record.
 */
export interface PublicProof {
  record: 'lot' | 'document' | 'exit_certificate';
  document: string | null;
  label: string;
  logIndex: number;
  url: string | null;
}

/** How many businesses in a province received the lot (by shipment or sale); none of them is named. */
export interface ProvinceCount {
  region: string;
  regionName: string;
  businesses: number;
}

/** PublicLotView is the consumer's view of a lot: JSON-able, in one language, with no personal data. */
export interface PublicLotView {
  lang: Lang;
  code: string;
  codeText: string;
  carton: { serial: number; code: string } | null;
  /** The business the scan named (`?holder=` its unified social credit code), when it received the lot. */
  holder: { name: string; regionName: string | null } | null;
  status: { colour: LotStatus; label: string; reasons: { code: string; text: string }[] };
  product: { name: string; zh: string | null; en: string | null; category: string; categoryLabel: string };
  origin: { country: string; name: string };
  producer: { name: string; registrationNo: string; country: string; countryName: string };
  entry: { date: string; port: string };
  dates: { production: string; expiry: string };
  documents: PublicDocument[];
  tests: { taken: number; negative: number; positive: number; pending: number };
  /**
   * The lot's own path: its entry, the supervision warehouse, and where a derived lot was made; and, when the scan
   * names a holder, every business the goods passed through on their way to it. No other receiver is named.
   */
  journey: JourneyStep[];
  /** Where the lot went, counted by province: how many businesses received it, never who. */
  distribution: { businesses: number; provinces: ProvinceCount[] };
  /** madeFrom lists the lots a repacked or processed lot was made from, each with its product in both languages. */
  madeFrom: {
    code: string;
    codeText: string;
    product: { name: string; zh: string | null; en: string | null };
    status: LotStatus;
    statusLabel: string;
  }[];
  /** The log entries anyone can check this page against, each with its inclusion proof. */
  verify: { checkpointSize: number | null; proofs: PublicProof[] };
}

const CHECK_MISMATCH = 'check character mismatch — probably a typo';

/** PUBLIC_WORDS are the plain words of the view in each language; the page adds its own for headings. */
const PUBLIC_WORDS = {
  zh: {
    status: { green: '绿码 · 已放行', yellow: '黄码 · 待放行', red: '红码 · 已阻断' },
    categories: { meat: '冷冻肉类', seafood: '冷冻水产品', other_frozen: '其他冷冻食品' } as Record<string, string>,
    documents: {
      inspection_quarantine: '入境货物检验检疫证明',
      nucleic_acid: '核酸检测报告',
      disinfection: '消毒证明',
      customs_declaration: '报关单',
    },
    journey: {
      entry: '入境口岸',
      warehouse_arrival: '进入集中监管仓',
      disinfection: '消毒',
      exit_certificate: '出仓证明',
      received: '到货入库',
      transformed: '分装/加工',
      repack: '分装',
      process: '加工',
      unknownPlace: '未登记地点',
    },
    proofs: {
      lot: '本批次当前状态的记录',
      document: (label: string) => `${label}的登记记录（含文件指纹）`,
      exit_certificate: '出仓证明的登记记录',
    },
  },
  en: {
    status: { green: 'Green · cleared', yellow: 'Yellow · pending', red: 'Red · blocked' },
    categories: { meat: 'Frozen meat', seafood: 'Frozen seafood', other_frozen: 'Other frozen food' } as Record<
      string,
      string
    >,
    documents: {
      inspection_quarantine: 'Inspection and quarantine certificate',
      nucleic_acid: 'Nucleic-acid test report',
      disinfection: 'Disinfection certificate',
      customs_declaration: 'Customs declaration',
    },
    journey: {
      entry: 'Port of entry',
      warehouse_arrival: 'Into the supervision warehouse',
      disinfection: 'Disinfected',
      exit_certificate: 'Exit certificate',
      received: 'Received by',
      transformed: 'Repacked or processed',
      repack: 'Repacked by',
      process: 'Processed by',
      unknownPlace: 'Place not recorded',
    },
    proofs: {
      lot: "The record of this lot's current status",
      document: (label: string) => `The record of the ${label.toLowerCase()} (with its file's fingerprint)`,
      exit_certificate: 'The record of the exit certificate',
    },
  },
} as const satisfies Record<Lang, unknown>;

/** onlyCheckWrong tells whether an 11-character code is well formed, so that validateTraceCode refused only its check. */
function onlyCheckWrong(code: string): boolean {
  return code.length === TRACE_CODE_LENGTH && [...code].every((c) => TRACE_CODE_ALPHABET.includes(c));
}

/**
 * checkPublicCode reads a code as a consumer may type or scan it: a lot's trace code, or a carton code (lot code, a
 * separator and a 5-digit serial). It fails with the reason, and with `typo` set when the code is well formed but its
 * check character does not match, which almost always means a mistyped character.
 */
export function checkPublicCode(input: string): PublicCodeCheck {
  const compact = normaliseTraceCode(input);
  if (compact.length > TRACE_CODE_LENGTH) {
    const c = parseCartonCode(input);
    if (c.ok) return { ok: true, value: { lotCode: c.value.lotCode, serial: c.value.serial } };
    const typo =
      onlyCheckWrong(compact.slice(0, TRACE_CODE_LENGTH)) && /^\d{5}$/.test(compact.slice(TRACE_CODE_LENGTH));
    return { ok: false, reason: c.reason, typo };
  }
  const v = validateTraceCode(input);
  if (v.ok) return { ok: true, value: { lotCode: v.value, serial: null } };
  return { ok: false, reason: onlyCheckWrong(compact) ? CHECK_MISMATCH : v.reason, typo: onlyCheckWrong(compact) };
}

/** loggedSha256 returns the file hash that the document's own log entry records, or null if the entry does not name it. */
async function loggedSha256(deps: Deps, d: DocumentRow): Promise<string | null> {
  const [row] = await readEntries(deps.db, d.logIndex, d.logIndex + 1);
  if (!row) return null;
  try {
    const doc = decodeEntry(row.data).record['document'] as { id?: unknown; sha256?: unknown } | undefined;
    return doc?.id === d.id && typeof doc.sha256 === 'string' ? doc.sha256 : null;
  } catch {
    return null;
  }
}

/** documentVerified recomputes the SHA-256 of the stored file and compares it with the row and with the log entry. */
async function documentVerified(deps: Deps, d: DocumentRow): Promise<boolean> {
  const [ok, logged] = await Promise.all([blobIntact(deps.blobDir, d.sha256), loggedSha256(deps, d)]);
  return ok && logged === d.sha256;
}

async function publicDocuments(deps: Deps, lot: LotRow, lang: Lang): Promise<Doc[]> {
  const rows = await lotDocuments(deps.db, lot.id);
  return Promise.all(
    DOCUMENT_KINDS.map(async (kind) => {
      // The latest upload of a kind is the one in force.
      const d = rows.filter((r) => r.kind === kind).at(-1);
      const label = PUBLIC_WORDS[lang].documents[kind];
      if (!d)
        return {
          kind,
          label,
          present: false,
          number: null,
          issuer: null,
          issuedOn: null,
          verified: false,
          logIndex: null,
        };
      return {
        kind,
        label,
        present: true,
        number: d.number,
        issuer: d.issuer,
        issuedOn: d.issuedOn,
        verified: await documentVerified(deps, d),
        logIndex: d.logIndex,
      };
    }),
  );
}

/**
 * journeyOf lists the places and times of the lot, from its entry on, with no vehicle, driver or handler in them;
 * `path` are the receipts on the way to the business the scan named (none when it named none).
 */
async function journeyOf(deps: Deps, lot: LotRow, lang: Lang, path: readonly Receipt[]): Promise<JourneyStep[]> {
  const words = PUBLIC_WORDS[lang].journey;
  const [bookings, disinfections, exit] = await Promise.all([
    lotBookings(deps.db, lot.id),
    lotDisinfections(deps.db, lot.id),
    lotExitCertificate(deps.db, lot.id),
  ]);
  const locations = new Map<string, LocationRow | undefined>();
  for (const b of bookings)
    if (!locations.has(b.locationId)) locations.set(b.locationId, await findLocation(deps.db, b.locationId));
  // The place of a warehouse's record is the location its arrived booking named.
  const placeOf = (warehousePartyId: string) => {
    const b = bookings.filter((x) => x.warehousePartyId === warehousePartyId && x.arrivedAt !== null).at(-1);
    return b ? locations.get(b.locationId) : undefined;
  };
  const step = (
    kind: JourneyStep['kind'],
    loc: LocationRow | undefined,
    at: number,
    ref: string | null = null,
  ): JourneyStep => ({
    kind,
    label: words[kind],
    place: loc?.name ?? words.unknownPlace,
    region: loc?.region ?? null,
    regionName: loc ? (regionName(loc.region, lang) ?? null) : null,
    at: iso(at)!,
    ref,
  });
  const later: JourneyStep[] = [
    ...bookings
      .filter((b) => b.arrivedAt !== null)
      .map((b) => step('warehouse_arrival', locations.get(b.locationId), b.arrivedAt!)),
    ...disinfections.map((d) => step('disinfection', placeOf(d.warehousePartyId), d.performedAt)),
    ...(exit ? [step('exit_certificate', placeOf(exit.warehousePartyId), exit.issuedAt, exit.number)] : []),
    ...path.map((r) => receivedStep(r, lang)),
    ...(await transformedSteps(deps, lot, lang)),
  ];
  later.sort((a, b) => a.at.localeCompare(b.at));
  const entry: JourneyStep = {
    kind: 'entry',
    label: words.entry,
    place: lot.portOfEntry,
    region: null,
    regionName: null,
    at: lot.arrivalDate,
    ref: null,
  };
  return [entry, ...later];
}

/** Receipt is one received shipment of the lot, with the receiver's names and province. */
type Receipt = Awaited<ReturnType<typeof receiptsOf>>[number];

/** receiptsOf reads every received shipment of the lot, with who sent it, who received it, where and when. */
const receiptsOf = (deps: Deps, lot: LotRow) =>
  deps.db
    .selectFrom('shipments')
    .innerJoin('parties', 'parties.id', 'shipments.toPartyId')
    .leftJoin('locations', 'locations.id', 'shipments.toLocationId')
    .select([
      'shipments.fromPartyId',
      'shipments.toPartyId',
      'shipments.receivedAt',
      'parties.nameZh',
      'parties.nameEn',
      'parties.region as partyRegion',
      'locations.name as locationName',
      'locations.region as locationRegion',
    ])
    .where('shipments.lotId', '=', lot.id)
    .where('shipments.receivedAt', 'is not', null)
    .orderBy('shipments.receivedAt')
    .orderBy('shipments.id')
    .execute();

/**
 * pathTo keeps the receipts that brought the goods to `partyId`, back to where the lot began: a receipt is on the
 * path when it went to a business already on it. The receipts of every other business are left out.
 */
function pathTo(receipts: readonly Receipt[], partyId: string): Receipt[] {
  const reached = new Set([partyId]);
  const on = new Set<Receipt>();
  for (let grew = true; grew;) {
    grew = false;
    for (const r of receipts) {
      if (on.has(r) || !reached.has(r.toPartyId)) continue;
      on.add(r);
      reached.add(r.fromPartyId);
      grew = true;
    }
  }
  return receipts.filter((r) => on.has(r));
}

/** receivedStep is where a receipt arrived: the receiving enterprise and its location and province, never a person. */
function receivedStep(r: Receipt, lang: Lang): JourneyStep {
  const party = (lang === 'zh' ? (r.nameZh ?? r.nameEn) : (r.nameEn ?? r.nameZh)) ?? '';
  const region = r.locationRegion ?? r.partyRegion;
  return {
    kind: 'received' as const,
    label: PUBLIC_WORDS[lang].journey.received,
    place: r.locationName ? `${party} · ${r.locationName}` : party,
    region,
    regionName: regionName(region, lang) ?? null,
    at: iso(r.receivedAt)!,
    ref: null,
  };
}

/** distributionOf counts the businesses that received the lot, by province, most first; it names none of them. */
function distributionOf(receipts: readonly Receipt[], lang: Lang): PublicLotView['distribution'] {
  const byProvince = new Map<string, Set<string>>();
  for (const r of receipts) {
    const region = r.locationRegion ?? r.partyRegion;
    byProvince.set(region, (byProvince.get(region) ?? new Set()).add(r.toPartyId));
  }
  const provinces = [...byProvince]
    .map(([region, parties]) => ({ region, regionName: regionName(region, lang) ?? region, businesses: parties.size }))
    .sort((a, b) => b.businesses - a.businesses || a.region.localeCompare(b.region));
  return { businesses: new Set(receipts.map((r) => r.toPartyId)).size, provinces };
}

/** transformedSteps is where and when a derived lot was made: the enterprise, its location and province. */
async function transformedSteps(deps: Deps, lot: LotRow, lang: Lang): Promise<JourneyStep[]> {
  if (lot.transformationId === null) return [];
  const r = await deps.db
    .selectFrom('transformations')
    .innerJoin('parties', 'parties.id', 'transformations.partyId')
    .leftJoin('locations', 'locations.id', 'transformations.locationId')
    .select([
      'transformations.kind',
      'transformations.at',
      'parties.nameZh',
      'parties.nameEn',
      'parties.region as partyRegion',
      'locations.name as locationName',
      'locations.region as locationRegion',
    ])
    .where('transformations.id', '=', lot.transformationId)
    .executeTakeFirst();
  if (!r) return [];
  const words = PUBLIC_WORDS[lang].journey;
  const party = (lang === 'zh' ? (r.nameZh ?? r.nameEn) : (r.nameEn ?? r.nameZh)) ?? '';
  const region = r.locationRegion ?? r.partyRegion;
  return [
    {
      kind: 'transformed',
      label: r.kind === 'process' ? words.process : r.kind === 'repack' ? words.repack : words.transformed,
      place: r.locationName ? `${party} · ${r.locationName}` : party,
      region,
      regionName: regionName(region, lang) ?? null,
      at: iso(r.at)!,
      ref: null,
    },
  ];
}

async function proofsOf(deps: Deps, lot: LotRow, docs: readonly Doc[], lang: Lang): Promise<PublicLotView['verify']> {
  const [cp, exit] = await Promise.all([latestCheckpoint(deps.db), lotExitCertificate(deps.db, lot.id)]);
  const size = cp ? Number(cp.size) : null;
  const words = PUBLIC_WORDS[lang].proofs;
  const proof = (record: PublicProof['record'], logIndex: number, doc?: Doc): PublicProof => ({
    record,
    document: doc?.kind ?? null,
    label: doc ? words.document(doc.label) : words[record as 'lot' | 'exit_certificate'],
    logIndex,
    url: size !== null && logIndex < size ? `/log/proofs/inclusion?index=${logIndex}&size=${size}` : null,
  });
  const proofs = [
    proof('lot', lot.logIndex),
    ...docs.flatMap((d) => (d.logIndex === null ? [] : [proof('document', d.logIndex, d)])),
    ...(exit ? [proof('exit_certificate', exit.logIndex)] : []),
  ];
  return { checkpointSize: size, proofs };
}

/**
 * publicLotView builds what a consumer sees for a lot's trace code or one of its carton codes, in `lang`, or returns
 * null when the code names no lot (a malformed code, an unknown lot, or a carton serial that was never issued). It
 * never shows a person (no worker, driver, vehicle, lab result detail or party token) nor an internal id. Businesses
 * downstream are counted by province; only those on the way to the business the scan names (`holderUscc`, its
 * unified social credit code, when it received the lot; otherwise ignored) are named, in the journey. Documents are
 * `verified` only when their file's SHA-256, recomputed now, matches the hash on the log.
 */
export async function publicLotView(
  deps: Deps,
  code: string,
  lang: Lang,
  holderUscc?: string,
): Promise<PublicLotView | null> {
  const c = checkPublicCode(code);
  if (!c.ok) return null;
  const lot =
    c.value.serial === null
      ? await findLotByCode(deps.db, c.value.lotCode)
      : await cartonLot(deps, c.value.lotCode, c.value.serial);
  if (!lot) return null;
  const words = PUBLIC_WORDS[lang];
  const [receipts, holderParty] = await Promise.all([receiptsOf(deps, lot), holderNamed(deps, holderUscc)]);
  const holder = holderParty && receipts.some((r) => r.toPartyId === holderParty.id) ? holderParty : undefined;
  const path = holder ? pathTo(receipts, holder.id) : [];
  const [producer, samples, docs, journey, parents] = await Promise.all([
    findProducer(deps.db, lot.producerId),
    lotSamples(deps.db, lot.id),
    publicDocuments(deps, lot, lang),
    journeyOf(deps, lot, lang, path),
    lotParents(deps.db, lot),
  ]);
  const reasons = JSON.parse(lot.statusReasons) as StatusReason[];
  const colour = lot.status as LotStatus;
  const count = (r: string) => samples.filter((s) => s.result === r).length;
  const producerName = lang === 'zh' ? (producer?.nameZh ?? producer?.name) : producer?.name;
  return {
    lang,
    code: lot.code,
    codeText: formatTraceCode(lot.code),
    carton: c.value.serial === null ? null : { serial: c.value.serial, code: cartonSerial(lot.code, c.value.serial) },
    holder: holder
      ? {
          name: (lang === 'zh' ? (holder.nameZh ?? holder.nameEn) : (holder.nameEn ?? holder.nameZh)) ?? '',
          regionName: regionName(holder.region, lang) ?? null,
        }
      : null,
    status: {
      colour,
      label: words.status[colour],
      reasons: reasons.map((r) => ({ code: r.code, text: reasonText(r, lang, { ids: false }) })),
    },
    product: {
      name: (lang === 'zh' ? (lot.productNameZh ?? lot.productNameEn) : (lot.productNameEn ?? lot.productNameZh)) ?? '',
      zh: lot.productNameZh,
      en: lot.productNameEn,
      category: lot.category,
      categoryLabel: words.categories[lot.category] ?? lot.category,
    },
    origin: { country: lot.originCountry, name: countryName(lot.originCountry, lang) ?? lot.originCountry },
    producer: {
      name: producerName ?? '',
      registrationNo: producer?.registrationNo ?? '',
      country: producer?.country ?? lot.originCountry,
      countryName: countryName(producer?.country ?? lot.originCountry, lang) ?? lot.originCountry,
    },
    entry: { date: lot.arrivalDate, port: lot.portOfEntry },
    dates: { production: lot.productionDate, expiry: lot.expiryDate },
    documents: docs.map(({ logIndex: _, ...d }) => d),
    tests: {
      taken: samples.length,
      negative: count('negative'),
      positive: count('positive'),
      pending: count('pending'),
    },
    journey,
    distribution: distributionOf(receipts, lang),
    madeFrom: parents.map((p) => ({
      code: p.code,
      codeText: p.codeText,
      product: {
        name: (lang === 'zh' ? (p.product.zh ?? p.product.en) : (p.product.en ?? p.product.zh)) ?? '',
        zh: p.product.zh,
        en: p.product.en,
      },
      status: p.status as LotStatus,
      statusLabel: words.status[p.status as LotStatus],
    })),
    verify: await proofsOf(deps, lot, docs, lang),
  };
}

/** holderNamed finds the business a scan names by its unified social credit code; anything else names none. */
async function holderNamed(deps: Deps, uscc: string | undefined) {
  const code = uscc?.trim().toUpperCase();
  if (!code || !/^[0-9A-Z]{18}$/.test(code)) return undefined;
  return deps.db
    .selectFrom('parties')
    .select(['id', 'nameZh', 'nameEn', 'region'])
    .where('uscc', '=', code)
    .executeTakeFirst();
}

/**
 * digitalLinkTarget resolves a GS1 Digital Link's GTIN-14 and batch (already validated) to the public code to show: the
 * lot's trace code, or the carton code when `serial` is the decimal serial of a carton issued under the lot. It
 * returns null when no lot was declared with that GTIN and batch. A serial that names no issued carton still resolves
 * to the lot, which the GTIN and batch alone identify.
 */
export async function digitalLinkTarget(
  deps: Deps,
  gtin: string,
  batch: string,
  serial: string | undefined,
): Promise<string | null> {
  const [lot] = await findLotsByGtinBatch(deps.db, gtin, batch);
  if (!lot) return null;
  if (
    serial !== undefined &&
    /^\d{1,5}$/.test(serial) &&
    Number(serial) >= 1 &&
    (await cartonLot(deps, lot.code, Number(serial)))
  ) {
    return cartonSerial(lot.code, Number(serial));
  }
  return lot.code;
}
