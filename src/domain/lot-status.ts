import { formatTraceCode, validateTraceCode } from './trace-code.ts';

/**
 * The health code of a lot. lotStatus is the one place that decides it: every route, page, export and shipment check
 * asks it, and none repeats the rules. It does no I/O: the caller gathers the facts.
 */

export const LOT_STATUSES = ['green', 'yellow', 'red'] as const;
export type LotStatus = (typeof LOT_STATUSES)[number];

/** The documents an imported lot may need: the customs declaration and the three certificates. */
export const DOCUMENT_KINDS = ['inspection_quarantine', 'nucleic_acid', 'disinfection', 'customs_declaration'] as const;
export type DocumentKind = (typeof DOCUMENT_KINDS)[number];

/** Where a sample is taken. */
export const SAMPLE_POINTS = ['outer_pack', 'inner_pack', 'content', 'environment'] as const;
export type SamplePoint = (typeof SAMPLE_POINTS)[number];

export type SampleResult = 'pending' | 'negative' | 'positive';
export type Sample = { readonly id: string; readonly point: SamplePoint; readonly result: SampleResult };
/**
 * An open temperature breach: its id and a short reason, and, when known, the warmest reading, the limit it broke and
 * how many minutes it lasted, from which reasonText words the reason in the reader's language.
 */
export type Breach = {
  readonly id: string;
  readonly reason: string;
  readonly maxCelsius?: number;
  readonly limitCelsius?: number;
  readonly minutes?: number;
};

/** Every imported lot needs all four documents unless the caller says otherwise. */
export const DEFAULT_REQUIRED_DOCUMENTS: readonly DocumentKind[] = Object.freeze([...DOCUMENT_KINDS]);
/** Every imported lot must be sampled on its outer packing and its content unless the caller says otherwise. */
export const DEFAULT_REQUIRED_SAMPLE_POINTS: readonly SamplePoint[] = Object.freeze(['outer_pack', 'content'] as const);

/**
 * What lotStatus needs to know about a lot. The caller gathers these from the store; the function trusts them.
 *
 * `origin` says how the lot came to be. An 'imported' lot (the default) entered the country itself, so it is cleared
 * at the border: its documents, its disinfection, its samples at the required points, and the supervision warehouse's
 * exit certificate. A 'derived' lot was made by splitting, repacking or processing other lots; those border checks
 * were made on its parents, whose statuses it inherits through `parentStatuses`, so they are not asked of it again.
 * Samples taken from a derived lot, breaches, holds, recalls and incidents count for both.
 */
export type LotFacts = {
  readonly origin?: 'imported' | 'derived' | 'recognised';
  /** The kinds of document on file for the lot. */
  readonly presentDocuments: readonly DocumentKind[];
  /** The kinds it must have; DEFAULT_REQUIRED_DOCUMENTS when absent. Imported lots only. */
  readonly requiredDocuments?: readonly DocumentKind[];
  /** Whether the supervision warehouse has recorded disinfection. Imported lots only. */
  readonly disinfected: boolean;
  /** Every sample taken from the lot, with its current result. */
  readonly samples: readonly Sample[];
  /** The points that must each have at least one sample; DEFAULT_REQUIRED_SAMPLE_POINTS when absent. Imported only. */
  readonly requiredSamplePoints?: readonly SamplePoint[];
  /** Whether the supervision warehouse has issued the exit certificate that releases the lot. Imported lots only. */
  readonly exitCertificate: boolean;
  /** Whether the producer was suspended on the day the lot arrived (see suspension.ts isSuspendedOn). */
  readonly producerSuspendedAtEntry: boolean;
  readonly recalled?: boolean;
  /** The open incidents that include the lot: by id, or by id and the number people call it by ("incident 7"). */
  readonly openIncidents?: readonly (string | { readonly id: string; readonly number: number })[];
  /** Temperature breaches logged against the lot and not yet closed after review. */
  readonly openBreaches?: readonly Breach[];
  /** Whether a regulator or the warehouse holds the lot for inspection. */
  readonly heldForInspection?: boolean;
  /** The current statuses of the lots it was made from; required in substance for a derived lot. */
  readonly parentStatuses?: readonly LotStatus[];
  /**
   * The lots it was made from, by code, with their current statuses. When given it is used instead of
   * parentStatuses, and each red or yellow parent is named in its own reason ("made from lot X, which is red").
   */
  readonly parents?: readonly ParentLot[];
  /**
   * The reasons that peers' logs give the lot (app/recognition), each with an `origin` param naming the log. A
   * 'recognised' lot came from another node, which cleared it at the border: its status there reaches it only as
   * these reasons, and no border check is asked of it again.
   */
  readonly peerReasons?: readonly StatusReason[];
};

/** ParentLot is one lot a derived lot was made from: its id, its trace code and its current status. */
export type ParentLot = { readonly id: string; readonly code: string; readonly status: LotStatus };

/** Reasons that make a lot red, in the order lotStatus lists them. */
export const RED_REASON_CODES = [
  'sample_positive',
  'producer_suspended_at_entry',
  'recalled',
  'open_incident',
  'parent_red',
] as const;
/** Reasons that make a lot yellow, in the order lotStatus lists them. */
export const YELLOW_REASON_CODES = [
  'document_missing',
  'not_disinfected',
  'sample_point_missing',
  'sample_pending',
  'no_exit_certificate',
  'temperature_breach_open',
  'held_for_inspection',
  'parent_yellow',
  'parents_unknown',
] as const;
export type StatusReasonCode = (typeof RED_REASON_CODES)[number] | (typeof YELLOW_REASON_CODES)[number];
/** Every code a reason may carry: the status codes, plus the one reason an exit certificate does not apply. */
export type ReasonCode = StatusReasonCode | 'exit_certificate_not_applicable';

/**
 * One fact that keeps a lot from green. `code` is stable (clients and translations key on it); `params` name the
 * thing concerned: sampleId and point, kind, incidentId, breachId and reason, lotCode, or count.
 */
export type Reason<C extends ReasonCode = ReasonCode> = {
  readonly code: C;
  readonly params?: Readonly<Record<string, string | number>>;
};
export type StatusReason = Reason<StatusReasonCode>;
export type LotStatusResult = { readonly status: LotStatus; readonly reasons: readonly StatusReason[] };

/**
 * lotStatus returns a lot's health code and every reason it is not green, red reasons first, each group in the order
 * of RED_REASON_CODES and YELLOW_REASON_CODES.
 *
 * Red (blocked) when any sample is positive, the producer was suspended at entry, the lot is recalled, it is in an
 * open incident, or any parent is red. Yellow (pending) when none of those holds but a required document is missing,
 * the lot is not disinfected, a required sample point has no sample, a sample is pending, there is no exit
 * certificate, a temperature breach is open, the lot is held for inspection, any parent is yellow, or a derived lot
 * names no parents. Green only when nothing blocks it.
 */
export function lotStatus(facts: LotFacts): LotStatusResult {
  const { red, yellow } = blockingReasons(facts);
  const status: LotStatus = red.length > 0 ? 'red' : yellow.length > 0 ? 'yellow' : 'green';
  return { status, reasons: [...red, ...yellow] };
}

function blockingReasons(f: LotFacts): { red: StatusReason[]; yellow: StatusReason[] } {
  const imported = (f.origin ?? 'imported') === 'imported';
  const red: StatusReason[] = [];
  const yellow: StatusReason[] = [];

  for (const s of f.samples) {
    if (s.result === 'positive') red.push({ code: 'sample_positive', params: { sampleId: s.id, point: s.point } });
  }
  if (f.producerSuspendedAtEntry) red.push({ code: 'producer_suspended_at_entry' });
  if (f.recalled === true) red.push({ code: 'recalled' });
  const incidents = new Map(
    (f.openIncidents ?? []).map((i) =>
      typeof i === 'string' ? [i, { incidentId: i }] : [i.id, { incidentId: i.id, number: i.number }],
    ),
  );
  for (const params of incidents.values()) red.push({ code: 'open_incident', params });
  const named = f.parents;
  const parents = named ? named.map((p) => p.status) : (f.parentStatuses ?? []);
  const redParents = parents.filter((p) => p === 'red').length;
  if (named) {
    for (const p of named) if (p.status === 'red') red.push({ code: 'parent_red', params: { lotCode: p.code } });
  } else if (redParents > 0) red.push({ code: 'parent_red', params: { count: redParents } });

  if (imported) {
    const present = new Set(f.presentDocuments);
    for (const kind of unique(f.requiredDocuments ?? DEFAULT_REQUIRED_DOCUMENTS)) {
      if (!present.has(kind)) yellow.push({ code: 'document_missing', params: { kind } });
    }
    if (!f.disinfected) yellow.push({ code: 'not_disinfected' });
    const sampled = new Set(f.samples.map((s) => s.point));
    for (const point of unique(f.requiredSamplePoints ?? DEFAULT_REQUIRED_SAMPLE_POINTS)) {
      if (!sampled.has(point)) yellow.push({ code: 'sample_point_missing', params: { point } });
    }
  }
  for (const s of f.samples) {
    if (s.result === 'pending') yellow.push({ code: 'sample_pending', params: { sampleId: s.id, point: s.point } });
  }
  if (imported && !f.exitCertificate) yellow.push({ code: 'no_exit_certificate' });
  for (const b of f.openBreaches ?? []) {
    const params: Record<string, string | number> = { breachId: b.id, reason: b.reason };
    if (b.maxCelsius !== undefined && b.limitCelsius !== undefined && b.minutes !== undefined)
      Object.assign(params, { maxCelsius: b.maxCelsius, limitCelsius: b.limitCelsius, minutes: b.minutes });
    yellow.push({ code: 'temperature_breach_open', params });
  }
  if (f.heldForInspection === true) yellow.push({ code: 'held_for_inspection' });
  const yellowParents = parents.filter((p) => p === 'yellow').length;
  if (named) {
    for (const p of named)
      if (p.status === 'yellow') yellow.push({ code: 'parent_yellow', params: { lotCode: p.code } });
  } else if (yellowParents > 0) yellow.push({ code: 'parent_yellow', params: { count: yellowParents } });
  if (f.origin === 'derived' && parents.length === 0) yellow.push({ code: 'parents_unknown' });
  for (const r of f.peerReasons ?? []) {
    if ((RED_REASON_CODES as readonly string[]).includes(r.code)) red.push(r);
    else if ((YELLOW_REASON_CODES as readonly string[]).includes(r.code)) yellow.push(r);
  }

  return { red, yellow };
}

function unique<T>(xs: readonly T[]): T[] {
  return [...new Set(xs)];
}

/**
 * The outcome of canIssueExitCertificate, shaped like a failed Check: `reason` is one English sentence for logs and
 * error messages, and `missing` lists every blocking fact with lotStatus's codes, for reasonText and for clients.
 */
export type ExitCertificateCheck =
  { readonly ok: true } | { readonly ok: false; readonly reason: string; readonly missing: readonly Reason[] };

/**
 * canIssueExitCertificate decides whether the supervision warehouse may release an imported lot. It may exactly when
 * the missing certificate is the only thing keeping the lot from green: the lot is disinfected, every required sample
 * point has a sample, no result is pending or positive, its documents are complete, and nothing else (suspension,
 * recall, incident, breach, hold, parents) blocks it. Otherwise `missing` names every blocking fact, red ones first,
 * in lotStatus's codes and order. A certificate already issued does not block a new one: whether to reissue is the
 * caller's decision. A derived lot gets none ('exit_certificate_not_applicable'): its parents were released with
 * theirs.
 */
export function canIssueExitCertificate(facts: LotFacts): ExitCertificateCheck {
  const missing: Reason[] = [];
  if ((facts.origin ?? 'imported') !== 'imported') {
    missing.push({ code: 'exit_certificate_not_applicable' });
  } else {
    const { red, yellow } = blockingReasons(facts);
    missing.push(...red, ...yellow.filter((r) => r.code !== 'no_exit_certificate'));
  }
  if (missing.length === 0) return { ok: true };
  return {
    ok: false,
    reason: `cannot issue the exit certificate: ${missing.map((r) => reasonText(r, 'en')).join(' ')}`,
    missing,
  };
}

export type Lang = 'zh' | 'en';

// A parent is named by its trace code as printed on its labels; a code that does not parse is shown as it is.
const lotCode = (code: string): string => (validateTraceCode(code).ok ? formatTraceCode(code) : code);

const POINT_WORDS: Readonly<Record<Lang, Readonly<Record<SamplePoint, string>>>> = {
  zh: { outer_pack: '外包装', inner_pack: '内包装', content: '内容物', environment: '环境' },
  en: {
    outer_pack: 'outer packing',
    inner_pack: 'inner packing',
    content: 'product itself',
    environment: 'surroundings',
  },
};

const DOCUMENT_WORDS: Readonly<Record<Lang, Readonly<Record<DocumentKind, string>>>> = {
  zh: {
    inspection_quarantine: '入境货物检验检疫证明',
    nucleic_acid: '核酸检测报告',
    disinfection: '消毒证明',
    customs_declaration: '报关单',
  },
  en: {
    inspection_quarantine: 'inspection and quarantine certificate',
    nucleic_acid: 'nucleic-acid test report',
    disinfection: 'disinfection certificate',
    customs_declaration: 'customs declaration',
  },
};

/**
 * reasonText words a reason for the people who act on it, warehouse workers and drivers included, in Chinese or
 * English: one short sentence saying what is wrong, naming the sample, document, incident or breach concerned. An
 * unknown code (say, from a newer server) is returned as it is, so nothing is ever shown blank. With `ids: false`
 * (the public page) no sample, incident or breach is named by its internal id; incidents keep their number and
 * lots their trace code, which are public.
 */
export function reasonText(reason: Reason, lang: Lang, opts: { readonly ids?: boolean } = {}): string {
  const ids = opts.ids ?? true;
  const p = reason.params ?? {};
  const str = (k: string): string => String(p[k] ?? '?');
  const point = (POINT_WORDS[lang] as Readonly<Record<string, string>>)[str('point')] ?? str('point');
  const kind = (DOCUMENT_WORDS[lang] as Readonly<Record<string, string>>)[str('kind')] ?? str('kind');
  const count = Number(p['count'] ?? 0);
  const zh = lang === 'zh';
  switch (reason.code) {
    case 'sample_positive':
      if (!ids) return zh ? `${point}样品核酸检测呈阳性` : `A sample (${point}) tested positive.`;
      return zh
        ? `${point}样品 ${str('sampleId')} 核酸检测呈阳性`
        : `Sample ${str('sampleId')} (${point}) tested positive.`;
    case 'producer_suspended_at_entry':
      return zh ? '货物入境时，境外生产企业正被暂停进口' : 'The overseas producer was suspended when this lot arrived.';
    case 'recalled':
      return zh ? '该批货物已被召回' : 'This lot has been recalled.';
    case 'open_incident':
      if (p['number'] !== undefined)
        return zh
          ? `该批货物涉及尚未结案的第 ${str('number')} 号事件，已冻结`
          : `This lot is frozen in open incident ${str('number')}.`;
      if (!ids) return zh ? '该批货物涉及尚未结案的事件' : 'This lot is part of an open incident.';
      return zh
        ? `该批货物涉及尚未结案的事件 ${str('incidentId')}`
        : `This lot is part of open incident ${str('incidentId')}.`;
    case 'parent_red':
      if (p['lotCode'] !== undefined)
        return zh
          ? `由批次 ${lotCode(str('lotCode'))} 加工而来，该批次为红码（已阻断）`
          : `It was made from lot ${lotCode(str('lotCode'))}, which is blocked (red).`;
      if (zh) return `由 ${count} 个红码（已阻断）批次加工而来`;
      return count === 1 ? 'It was made from a blocked (red) lot.' : `It was made from ${count} blocked (red) lots.`;
    case 'document_missing':
      return zh ? `缺少${kind}` : `The ${kind} is missing.`;
    case 'not_disinfected':
      return zh ? '该批货物尚未消毒' : 'The lot has not been disinfected yet.';
    case 'sample_point_missing':
      return zh ? `尚未对${point}采样` : `No sample has been taken from the ${point} yet.`;
    case 'sample_pending':
      if (!ids) return zh ? `${point}样品的检测结果还没出来` : `Waiting for the result of a sample (${point}).`;
      return zh
        ? `${point}样品 ${str('sampleId')} 的检测结果还没出来`
        : `Waiting for the result of sample ${str('sampleId')} (${point}).`;
    case 'no_exit_certificate':
      return zh ? '集中监管仓尚未出具出仓证明' : 'The supervision warehouse has not issued the exit certificate yet.';
    case 'temperature_breach_open':
      if (
        typeof p['maxCelsius'] === 'number' &&
        typeof p['limitCelsius'] === 'number' &&
        typeof p['minutes'] === 'number'
      ) {
        const [peak, limit, minutes] = [p['maxCelsius'], p['limitCelsius'], p['minutes']];
        const [zhId, enId] = ids ? [`（${str('breachId')}）`, ` (${str('breachId')})`] : ['', ''];
        return zh
          ? `温度异常正在核查：最高 ${peak} ℃，高于 ${limit} ℃ 的上限持续 ${minutes} 分钟${zhId}`
          : `A temperature problem is being checked: up to ${peak} °C, above the ${limit} °C limit for ${minutes} min${enId}.`;
      }
      return zh ? `温度异常正在核查：${str('reason')}` : `A temperature problem is being checked: ${str('reason')}`;
    case 'held_for_inspection':
      return zh ? '该批货物被扣留待查验' : 'The lot is held for inspection.';
    case 'parent_yellow':
      if (p['lotCode'] !== undefined)
        return zh
          ? `由批次 ${lotCode(str('lotCode'))} 加工而来，该批次尚未放行（黄码）`
          : `It was made from lot ${lotCode(str('lotCode'))}, which is not yet cleared (yellow).`;
      if (zh) return `由 ${count} 个尚未放行（黄码）的批次加工而来`;
      return count === 1
        ? 'It was made from a lot not yet cleared (yellow).'
        : `It was made from ${count} lots not yet cleared (yellow).`;
    case 'parents_unknown':
      return zh ? '没有登记它由哪些批次加工而来' : 'The lots it was made from are not recorded.';
    case 'exit_certificate_not_applicable':
      return zh
        ? '该批货物由其他批次加工而来，出仓证明只对入境批次出具'
        : 'This lot was made from other lots; exit certificates are only for imported lots.';
    default:
      return String((reason as { code: unknown }).code);
  }
}
