/**
 * Public: what a consumer's scan shows, with no login: the lot's status, origin, certificates, its journey across
 * provinces with the node that vouches for each step, the path to the business the scan names, the distribution by
 * province, and the proofs; on any node, for a lot this node holds or one it knows only from a peer's mirrored log.
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
import { findLotsByGtinBatch, lotDocuments, lotExitCertificate, lotSamples } from '../../store/border.ts';
import { blobIntact } from '../../store/blobs.ts';
import { latestCheckpoint, readEntries } from '../../store/log-store.ts';
import { findProducer } from '../../store/master.ts';
import type { DocumentRow, LotRow } from '../../store/schema.ts';
import { cartonLot } from '../border/cartons.ts';
import { peerBorderFacts, peerRecordsById, vouching } from '../recognition/peer-trace.ts';
import type { Vouching } from '../recognition/peer-trace.ts';
import type { FoundLot, JourneyStep, PublicVouch, Receipt } from './public-journey.ts';
import { platformLotCode } from '../platforms/public-code.ts';
import { findPublicLot, journeyAcross, lineage, madeFromGraph, receiptsOf } from './public-journey.ts';
import type { Deps } from '../deps.ts';
import { decodeEntry } from '../write/entry.ts';
import { lotParents } from '../border/lot-parents.ts';

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

export type { JourneyStep, PublicVouch, WhereToAsk, AskNode } from './public-journey.ts';

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
   * The lot's whole journey across provinces: the border steps of each lot its goods were imported as, where they
   * were repacked or processed, their arrivals in other provinces (the province only); and, when the scan names a
   * holder, every business the goods passed through on their way to it. No other receiver is named. Each step says
   * which node's log records it, and how far this node trusts it.
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
  /**
   * vouchedBy is the node whose log holds the lot's record as shown: this node's, or (for a lot this node holds
   * nothing of) the peer's, read through the mirror. The journey says the same of each step.
   */
  vouchedBy: PublicVouch;
  /** resolvedVia says whether this node holds the lot itself, or found it only in a peer's mirrored log. */
  resolvedVia: 'this_node' | 'mirror';
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
 * homeDocuments are the documents of a lot declared on another node, as that node's log records them (metadata and
 * file hash): the files are not here, so none is `verified` on this node.
 */
async function homeDocuments(deps: Deps, v: Vouching, found: FoundLot, lang: Lang): Promise<Doc[]> {
  const { documents } = await peerBorderFacts(deps.db, v, [{ id: found.lot.id, homeOrigin: found.home }]);
  return DOCUMENT_KINDS.map((kind) => {
    const d = documents
      .filter((r) => r.kind === kind)
      .sort((a, b) => a.logIndex - b.logIndex || (a.id < b.id ? -1 : 1))
      .at(-1);
    return {
      kind,
      label: PUBLIC_WORDS[lang].documents[kind],
      present: d !== undefined,
      number: d?.number ?? null,
      issuer: d?.issuer ?? null,
      issuedOn: d?.issuedOn ?? null,
      verified: false,
      logIndex: null,
    };
  });
}

/**
 * pathTo keeps the receipts of the lot that brought the goods to `partyId`, back to where the lot began: a receipt is
 * on the path when it went to a business already on it. The receipts of every other business are left out.
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
 * `verified` only when their file's SHA-256, recomputed now, matches the hash on the log (so never for a lot declared
 * on another node, whose files stay there). A code this node holds nothing of resolves through the peers' mirrored
 * logs (resolvedVia 'mirror'); the journey runs over this node's facts and the peers' alike (public-journey.ts).
 */
export async function publicLotView(
  deps: Deps,
  code: string,
  lang: Lang,
  holderUscc?: string,
): Promise<PublicLotView | null> {
  const c = checkPublicCode(code);
  // Another platform's code (app/platforms) names a lot recognised from that platform by the code as it is.
  const value = c.ok ? c.value : (await platformLotCode(deps, code)) ? { lotCode: code.trim(), serial: null } : null;
  if (!value) return null;
  const v = await vouching(deps);
  const found = await findPublicLot(deps, v, value);
  if (!found) return null;
  const { lot } = found;
  const words = PUBLIC_WORDS[lang];
  const [graph, holderParty] = await Promise.all([lineage(deps, v, lot.id), holderNamed(deps, holderUscc)]);
  const receipts = receiptsOf(graph, v.own).filter((r) => r.lotId === lot.id);
  const holder = holderParty && receipts.some((r) => r.toPartyId === holderParty.id) ? holderParty : undefined;
  const path = holder ? pathTo(receipts, holder.id) : [];
  const home = found.own ? null : await peerBorderFacts(deps.db, v, [{ id: lot.id, homeOrigin: found.home }]);
  const [producer, samples, docs, journey, parents] = await Promise.all([
    producerOf(deps, v, lot.producerId),
    home ? home.samples : lotSamples(deps.db, lot.id),
    found.own ? publicDocuments(deps, lot, lang) : homeDocuments(deps, v, found, lang),
    journeyAcross(deps, v, found, graph, lang, path),
    found.own ? lotParents(deps.db, lot) : madeFromGraph(graph, lot.id),
  ]);
  const reasons = JSON.parse(lot.statusReasons) as StatusReason[];
  const colour = lot.status as LotStatus;
  const count = (r: string) => samples.filter((s) => s.result === r).length;
  const producerName = lang === 'zh' ? (producer?.nameZh ?? producer?.name) : producer?.name;
  const mirrored = found.vouch.trust !== 'own';
  return {
    lang,
    code: lot.code,
    codeText: c.ok ? formatTraceCode(lot.code) : lot.code,
    carton: value.serial === null ? null : { serial: value.serial, code: cartonSerial(lot.code, value.serial) },
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
      codeText: formatTraceCode(p.code),
      product: {
        name: (lang === 'zh' ? (p.product.zh ?? p.product.en) : (p.product.en ?? p.product.zh)) ?? '',
        zh: p.product.zh,
        en: p.product.en,
      },
      status: p.status as LotStatus,
      statusLabel: words.status[p.status as LotStatus] ?? p.status,
    })),
    verify: mirrored ? await peerProofs(deps, found, lang) : await proofsOf(deps, lot, docs, lang),
    vouchedBy: { origin: found.vouch.origin, node: found.vouch.node, trust: found.vouch.trust },
    resolvedVia: mirrored ? 'mirror' : 'this_node',
  };
}

/** producerOf finds the lot's producer in this node's register, or in the peers' (a lot known only by the mirror). */
async function producerOf(deps: Deps, v: Vouching, id: string) {
  const local = await findProducer(deps.db, id);
  if (local) return local;
  const [p] = await peerRecordsById(deps.db, v, 'producers', [id]);
  if (!p) return undefined;
  const s = (x: unknown) => (typeof x === 'string' ? x : '');
  return {
    name: s(p.name),
    nameZh: typeof p.nameZh === 'string' ? p.nameZh : null,
    registrationNo: s(p.registrationNo),
    country: s(p.country),
  };
}

/**
 * peerProofs is the verify section of a lot known only through a peer's mirror: the peer's entry of the lot, with
 * its inclusion proof on the peer's own node once a checkpoint this node holds as final covers it.
 */
async function peerProofs(deps: Deps, found: FoundLot, lang: Lang): Promise<PublicLotView['verify']> {
  const [peer, mirror] = await Promise.all([
    deps.db
      .selectFrom('peers')
      .select(['baseUrl'])
      .where('logOrigin', '=', found.vouch.origin)
      .where('removedAt', 'is', null)
      .executeTakeFirst(),
    deps.db.selectFrom('mirrors').select(['finalSize']).where('origin', '=', found.vouch.origin).executeTakeFirst(),
  ]);
  const size = mirror ? Number(mirror.finalSize) : null;
  const index = found.lot.logIndex;
  const url =
    peer && size !== null && index < size && found.vouch.trust === 'witnessed'
      ? `${peer.baseUrl.replace(/\/+$/, '')}/log/proofs/inclusion?index=${index}&size=${size}`
      : null;
  return {
    checkpointSize: size,
    proofs: [{ record: 'lot', document: null, label: PUBLIC_WORDS[lang].proofs.lot, logIndex: index, url }],
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
