/**
 * The incident report: what happened (the incident and its root lots), where and who (every affected lot, every
 * holder's quantities per holding, holder, region and in total), the timeline, and the contacts. src/app/recall/reports.ts
 * gathers it; this module holds its shape, the bilingual words it uses, and its flat CSV form. Pure.
 */
import type { When } from './china-time.ts';
import type { Cell } from './csv.ts';
import { csvFile } from './csv.ts';

export type Quantity = { readonly kg: number; readonly cartons: number };
/** Tally is what one holding, holder or region must account for, and how far it has. */
export type Tally = {
  readonly affected: Quantity;
  readonly accounted: Quantity;
  readonly pendingApproval: { readonly kg: number };
  readonly outstanding: Quantity;
};
/** Named is a party as a report names it: its id, its Chinese and English names. */
export type Named = { readonly id: string; readonly zh: string | null; readonly en: string | null };
export type Place = { readonly id: string; readonly name: string; readonly filingNo: string; readonly address: string };
export type Region = { readonly code: string; readonly zh: string; readonly en: string };

/** BorderRecord is an imported lot's entry into the country: declaration, container, producer, exit certificate. */
export interface BorderRecord {
  readonly lotId: string;
  readonly code: string;
  readonly declarationNo: string;
  readonly portOfEntry: string;
  readonly arrivalDate: string;
  readonly containerNo: string;
  readonly billOfLading: string;
  readonly originCountry: string;
  readonly productionDate: string;
  readonly importer: Named;
  readonly producer: {
    readonly name: string;
    readonly nameZh: string | null;
    readonly country: string;
    readonly registrationNo: string;
  } | null;
  readonly exitCertificate: (When & { readonly number: string }) | null;
}

/** TIMELINE_KINDS are the kinds of timeline entries, in the order entries at the same instant are listed. */
export const TIMELINE_KINDS = [
  'declared',
  'exit_certificate',
  'shipment_departed',
  'shipment_received',
  'sale',
  'transformation',
  'retail_sales',
  'disposal',
  'sample_result',
  'incident_opened',
  'action_recorded',
  'action_decided',
  'incident_closed',
] as const;
export type TimelineKind = (typeof TIMELINE_KINDS)[number];

export interface TimelineEntry extends When {
  readonly kind: TimelineKind;
  readonly lotId: string | null;
  readonly lotCode: string | null;
  readonly party: Named | null;
  readonly counterparty: Named | null;
  readonly location: string | null;
  readonly quantity: Quantity | null;
  readonly reference: string | null;
  readonly detail: string | null;
  /** recorded is when the node wrote the fact down; the entry's own time (at) is when it happened. */
  readonly recorded: When;
}

export interface IncidentReport {
  readonly report: 'incident';
  readonly generated: When;
  /** audience is 'all' for the regulators who see the whole incident, 'own' for a holder (its own part only). */
  readonly audience: 'all' | 'own';
  readonly incident: {
    readonly id: string;
    readonly number: number;
    readonly title: string;
    readonly status: string;
    readonly trigger: Readonly<Record<string, unknown>> & { readonly kind: string };
    readonly triggerText: string;
    readonly scope: Readonly<Record<string, boolean>>;
    readonly window: { readonly from: When; readonly to: When };
    readonly regions: readonly Region[];
    readonly opened: When & { readonly by: Named | null };
    readonly closed: (When & { readonly by: Named | null; readonly reason: string | null }) | null;
    readonly logIndex: number;
  };
  readonly rootLots: readonly {
    readonly lotId: string;
    readonly code: string;
    readonly productZh: string | null;
    readonly productEn: string | null;
    readonly gtin: string | null;
    readonly batchNo: string;
    readonly origin: string;
    readonly quantity: Quantity;
    /** border is the lot's own entry if it was imported, else that of every imported lot it was made from. */
    readonly border: readonly BorderRecord[];
  }[];
  readonly lots: readonly {
    readonly id: string;
    readonly code: string;
    readonly productZh: string | null;
    readonly productEn: string | null;
    readonly reason: string;
    readonly depth: number;
    readonly status: string;
    readonly region: string;
    readonly cleared: boolean;
  }[];
  readonly holdings: readonly (Tally & {
    readonly holder: Named;
    readonly region: Region;
    readonly lotId: string;
    readonly lotCode: string;
    readonly location: Place | null;
    readonly inTransit: boolean;
  })[];
  readonly byHolder: readonly (Tally & { readonly holder: Named; readonly region: Region })[];
  readonly byRegion: readonly (Tally & { readonly region: Region })[];
  readonly total: Tally;
  readonly timeline: readonly TimelineEntry[];
  readonly contacts: readonly {
    readonly kind: string;
    readonly id: string;
    readonly label: string;
    readonly party: Named | null;
    readonly first: When;
    readonly last: When;
    readonly lotCodes: readonly string[];
  }[];
}

/** WORDS are the report's labels in Chinese and English, keyed by what they label. */
export const WORDS: Readonly<Record<string, readonly [zh: string, en: string]>> = {
  declared: ['申报入境', 'declared at the border'],
  exit_certificate: ['出具出库证明', 'exit certificate issued'],
  shipment_departed: ['发运', 'shipment departed'],
  shipment_received: ['收货', 'shipment received'],
  sale: ['销售交付', 'sold and handed over'],
  transformation: ['分装/加工', 'repacked or processed'],
  retail_sales: ['零售', 'retail sales'],
  disposal: ['处置', 'disposed of'],
  sample_result: ['检测结果', 'test result'],
  incident_opened: ['事件启动', 'incident opened'],
  action_recorded: ['持有方处置登记', 'holder action recorded'],
  action_decided: ['监管审核', 'regulator decision'],
  incident_closed: ['事件关闭', 'incident closed'],
  vehicle: ['车辆', 'vehicle'],
  driver: ['司机', 'driver'],
  handler: ['装卸人员', 'handler'],
  location: ['场所', 'location'],
  root: ['源头批次', 'root'],
  source: ['来源批次', 'source lot'],
  same_container: ['同一集装箱', 'same container'],
  same_producer_date: ['同一生产企业同一生产日期', 'same producer and production date'],
  descendant: ['下游批次', 'descendant'],
  sealed: ['封存', 'sealed'],
  destroyed: ['销毁', 'destroyed'],
  returned: ['退运', 'returned'],
  retested_negative: ['复检阴性', 'retested negative'],
  sourceLots: ['来源进口批次', 'source lots'],
  sameContainer: ['同一集装箱', 'same container'],
  sameProducerDate: ['同一生产企业同一生产日期', 'same producer and production date'],
  green: ['绿码', 'green'],
  yellow: ['黄码', 'yellow'],
  red: ['红码', 'red'],
  open: ['处置中', 'open'],
  closed: ['已关闭', 'closed'],
};

/** word returns "中文 / English" for a key, or the key itself when it has no words. */
export function word(key: string): string {
  const w = WORDS[key];
  return w ? `${w[0]} / ${w[1]}` : key;
}

/** nameOf is a party's name for a report: Chinese and English when both exist, else the one there is, else its id. */
export function nameOf(p: Named | null): string {
  if (!p) return '';
  if (p.zh && p.en) return `${p.zh} (${p.en})`;
  return p.zh ?? p.en ?? p.id;
}

/** counterpartyText names an entry's counterparty with the direction of the goods: "← sender" for a receipt, else "→ receiver". */
export function counterpartyText(t: TimelineEntry): string {
  return t.counterparty ? `${t.kind === 'shipment_received' ? '←' : '→'} ${nameOf(t.counterparty)}` : '';
}

export const regionText = (r: Region) => `${r.zh} ${r.en} (${r.code})`;
export const placeText = (p: Place | null) => (p ? `${p.name} (${p.filingNo}), ${p.address}` : '');
export const productText = (zh: string | null, en: string | null) => [zh, en].filter(Boolean).join(' / ');

/** borderText is an import record on one line: producer, container, bill of lading, declaration, port and date. */
export function borderText(b: BorderRecord): string {
  const producer = b.producer
    ? `${b.producer.nameZh ? `${b.producer.nameZh} ` : ''}${b.producer.name} (${b.producer.country} ${b.producer.registrationNo})`
    : '';
  return [
    `producer 生产企业: ${producer}`,
    `container 集装箱: ${b.containerNo}`,
    `B/L 提单: ${b.billOfLading}`,
    `declaration 报关单: ${b.declarationNo}`,
    `port 口岸: ${b.portOfEntry} ${b.arrivalDate}`,
    `production 生产日期: ${b.productionDate}`,
    ...(b.exitCertificate
      ? [`exit certificate 出库证明: ${b.exitCertificate.number} ${b.exitCertificate.chinaTime}`]
      : []),
  ].join('; ');
}

/** INCIDENT_CSV_COLUMNS are the columns of the report's CSV form, the same for every section. */
export const INCIDENT_CSV_COLUMNS = [
  'section',
  'item',
  'name',
  'lot_code',
  'party',
  'party_id',
  'region',
  'location',
  'time_china',
  'time_iso',
  'end_china',
  'end_iso',
  'kg',
  'cartons',
  'kg_accounted',
  'cartons_accounted',
  'kg_pending_approval',
  'kg_outstanding',
  'cartons_outstanding',
  'reference',
  'detail',
  'recorded_china',
  'recorded_iso',
] as const;
type Column = (typeof INCIDENT_CSV_COLUMNS)[number];

const tallyCells = (t: Tally): Partial<Record<Column, Cell>> => ({
  kg: t.affected.kg,
  cartons: t.affected.cartons,
  kg_accounted: t.accounted.kg,
  cartons_accounted: t.accounted.cartons,
  kg_pending_approval: t.pendingApproval.kg,
  kg_outstanding: t.outstanding.kg,
  cartons_outstanding: t.outstanding.cartons,
});

/**
 * incidentReportRows flattens the report into one table with a `section` column, so that a spreadsheet can filter it:
 * incident (one row per field), root_lot, lot, holding, holder, region, total, timeline and contact. Every section
 * uses the same columns (INCIDENT_CSV_COLUMNS); kg and cartons are the affected quantity for holdings, holders,
 * regions and the total, and the quantity moved for timeline entries.
 */
export function incidentReportRows(r: IncidentReport): Cell[][] {
  const rows: Partial<Record<Column, Cell>>[] = [];
  const i = r.incident;
  const field = (item: string, name: Cell, extra: Partial<Record<Column, Cell>> = {}) =>
    rows.push({ section: 'incident', item, name, ...extra });
  field('number', i.number, { reference: i.id });
  field('title', i.title);
  field('status', word(i.status));
  field('trigger', i.triggerText, { detail: i.trigger.kind });
  field(
    'scope',
    Object.entries(i.scope)
      .filter(([, v]) => v)
      .map(([k]) => k)
      .join(', '),
  );
  field('window', null, {
    time_china: i.window.from.chinaTime,
    time_iso: i.window.from.at,
    end_china: i.window.to.chinaTime,
    end_iso: i.window.to.at,
  });
  field('regions', i.regions.map(regionText).join('; '));
  field('opened', nameOf(i.opened.by), {
    party_id: i.opened.by?.id ?? null,
    time_china: i.opened.chinaTime,
    time_iso: i.opened.at,
    reference: String(i.logIndex),
  });
  if (i.closed)
    field('closed', nameOf(i.closed.by), {
      party_id: i.closed.by?.id ?? null,
      time_china: i.closed.chinaTime,
      time_iso: i.closed.at,
      detail: i.closed.reason,
    });
  for (const l of r.rootLots) {
    rows.push({
      section: 'root_lot',
      item: l.lotId,
      name: productText(l.productZh, l.productEn),
      lot_code: l.code,
      kg: l.quantity.kg,
      cartons: l.quantity.cartons,
      reference: l.gtin ? `GTIN ${l.gtin} batch ${l.batchNo}` : `batch ${l.batchNo}`,
    });
    for (const b of l.border)
      rows.push({
        section: 'root_lot',
        item: b.lotId,
        name: 'border 入境',
        lot_code: b.code,
        party: nameOf(b.importer),
        party_id: b.importer.id,
        reference: b.declarationNo,
        detail: borderText(b),
      });
  }
  for (const l of r.lots)
    rows.push({
      section: 'lot',
      item: l.id,
      name: productText(l.productZh, l.productEn),
      lot_code: l.code,
      region: l.region,
      reference: l.status,
      detail: `${word(l.reason)}; depth ${l.depth}${l.cleared ? '; cleared 已解除' : ''}`,
    });
  for (const h of r.holdings) {
    rows.push({
      section: 'holding',
      item: h.lotId,
      lot_code: h.lotCode,
      party: nameOf(h.holder),
      party_id: h.holder.id,
      region: regionText(h.region),
      location: placeText(h.location),
      ...tallyCells(h),
      detail: h.inTransit ? 'in transit 在途' : null,
    });
  }
  for (const h of r.byHolder)
    rows.push({
      section: 'holder',
      item: h.holder.id,
      party: nameOf(h.holder),
      party_id: h.holder.id,
      region: regionText(h.region),
      ...tallyCells(h),
    });
  for (const g of r.byRegion)
    rows.push({ section: 'region', item: g.region.code, region: regionText(g.region), ...tallyCells(g) });
  rows.push({ section: 'total', item: 'total', name: '合计 / total', ...tallyCells(r.total) });
  for (const t of r.timeline) {
    rows.push({
      section: 'timeline',
      item: t.kind,
      name: word(t.kind),
      lot_code: t.lotCode,
      party: nameOf(t.party),
      party_id: t.party?.id ?? null,
      location: t.location,
      time_china: t.chinaTime,
      time_iso: t.at,
      kg: t.quantity?.kg ?? null,
      cartons: t.quantity?.cartons ?? null,
      reference: t.reference,
      detail: [counterpartyText(t), t.detail ?? ''].filter(Boolean).join('; ') || null,
      recorded_china: t.recorded.chinaTime,
      recorded_iso: t.recorded.at,
    });
  }
  for (const c of r.contacts) {
    rows.push({
      section: 'contact',
      item: c.kind,
      name: c.label,
      party: nameOf(c.party),
      party_id: c.party?.id ?? null,
      time_china: c.first.chinaTime,
      time_iso: c.first.at,
      end_china: c.last.chinaTime,
      end_iso: c.last.at,
      reference: c.id,
      detail: c.lotCodes.join(' '),
    });
  }
  return rows.map((row) => INCIDENT_CSV_COLUMNS.map((c) => row[c] ?? null));
}

/** incidentReportCsv is the report as one CSV file (UTF-8 with BOM): the header, then incidentReportRows. */
export function incidentReportCsv(r: IncidentReport): Buffer {
  return csvFile([[...INCIDENT_CSV_COLUMNS], ...incidentReportRows(r)]);
}
