import { describe, it, expect } from 'vitest';
import type { LotFacts, Reason, ReasonCode, StatusReason } from './lot-status.ts';
import {
  DEFAULT_REQUIRED_DOCUMENTS,
  DEFAULT_REQUIRED_SAMPLE_POINTS,
  DOCUMENT_KINDS,
  RED_REASON_CODES,
  YELLOW_REASON_CODES,
  canIssueExitCertificate,
  lotStatus,
  reasonText,
} from './lot-status.ts';

/** A cleared imported lot: every later test changes one or more facts of it. */
const GREEN: LotFacts = Object.freeze<LotFacts>({
  presentDocuments: [...DOCUMENT_KINDS],
  disinfected: true,
  samples: [
    { id: 'smp_1', point: 'outer_pack', result: 'negative' },
    { id: 'smp_2', point: 'content', result: 'negative' },
  ],
  exitCertificate: true,
  producerSuspendedAtEntry: false,
});

/** READY is GREEN before the warehouse issues its exit certificate. */
const READY: LotFacts = { ...GREEN, exitCertificate: false };

const codes = (rs: readonly Reason[]): ReasonCode[] => rs.map((r) => r.code);

describe('lotStatus: green', () => {
  it('is green with nothing blocking, and says no reason', () => {
    expect(lotStatus(GREEN)).toEqual({ status: 'green', reasons: [] });
  });

  it('is green with the optional facts given as empty or false', () => {
    const f: LotFacts = {
      ...GREEN,
      recalled: false,
      openIncidents: [],
      openBreaches: [],
      heldForInspection: false,
      parentStatuses: ['green', 'green'],
    };
    expect(lotStatus(f)).toEqual({ status: 'green', reasons: [] });
  });

  it('defaults to the four documents and to outer packing plus content', () => {
    expect(DEFAULT_REQUIRED_DOCUMENTS).toEqual([
      'inspection_quarantine',
      'nucleic_acid',
      'disinfection',
      'customs_declaration',
    ]);
    expect(DEFAULT_REQUIRED_SAMPLE_POINTS).toEqual(['outer_pack', 'content']);
    expect(Object.isFrozen(DEFAULT_REQUIRED_SAMPLE_POINTS)).toBe(true);
  });
});

describe('lotStatus: each red reason on its own', () => {
  it.each<[string, LotFacts, StatusReason[]]>([
    [
      'a positive sample',
      {
        ...GREEN,
        samples: [
          { id: 'smp_1', point: 'outer_pack', result: 'positive' },
          { id: 'smp_2', point: 'content', result: 'negative' },
        ],
      },
      [{ code: 'sample_positive', params: { sampleId: 'smp_1', point: 'outer_pack' } }],
    ],
    [
      'a positive sample at a point not required',
      { ...GREEN, samples: [...GREEN.samples, { id: 'smp_3', point: 'environment', result: 'positive' }] },
      [{ code: 'sample_positive', params: { sampleId: 'smp_3', point: 'environment' } }],
    ],
    [
      'the producer suspended at entry',
      { ...GREEN, producerSuspendedAtEntry: true },
      [{ code: 'producer_suspended_at_entry' }],
    ],
    ['a recall', { ...GREEN, recalled: true }, [{ code: 'recalled' }]],
    [
      'an open incident',
      { ...GREEN, openIncidents: ['inc_7'] },
      [{ code: 'open_incident', params: { incidentId: 'inc_7' } }],
    ],
    [
      'an open incident known by its number',
      { ...GREEN, openIncidents: [{ id: 'inc_7', number: 7 }] },
      [{ code: 'open_incident', params: { incidentId: 'inc_7', number: 7 } }],
    ],
    ['a red parent', { ...GREEN, parentStatuses: ['green', 'red'] }, [{ code: 'parent_red', params: { count: 1 } }]],
  ])('%s makes it red', (_name, facts, reasons) => {
    expect(lotStatus(facts)).toEqual({ status: 'red', reasons });
  });
});

describe('lotStatus: each yellow reason on its own', () => {
  it.each<[string, LotFacts, StatusReason[]]>([
    [
      'a missing document',
      { ...GREEN, presentDocuments: ['inspection_quarantine', 'disinfection', 'customs_declaration'] },
      [{ code: 'document_missing', params: { kind: 'nucleic_acid' } }],
    ],
    ['no disinfection', { ...GREEN, disinfected: false }, [{ code: 'not_disinfected' }]],
    [
      'a required sample point without a sample',
      { ...GREEN, samples: [{ id: 'smp_1', point: 'outer_pack', result: 'negative' }] },
      [{ code: 'sample_point_missing', params: { point: 'content' } }],
    ],
    [
      'a pending sample',
      {
        ...GREEN,
        samples: [
          { id: 'smp_1', point: 'outer_pack', result: 'negative' },
          { id: 'smp_2', point: 'content', result: 'pending' },
        ],
      },
      [{ code: 'sample_pending', params: { sampleId: 'smp_2', point: 'content' } }],
    ],
    ['no exit certificate', READY, [{ code: 'no_exit_certificate' }]],
    [
      'an open temperature breach',
      { ...GREEN, openBreaches: [{ id: 'brc_1', reason: '-12 °C for 40 min' }] },
      [{ code: 'temperature_breach_open', params: { breachId: 'brc_1', reason: '-12 °C for 40 min' } }],
    ],
    ['a hold for inspection', { ...GREEN, heldForInspection: true }, [{ code: 'held_for_inspection' }]],
    [
      'a yellow parent',
      { ...GREEN, parentStatuses: ['yellow', 'green', 'yellow'] },
      [{ code: 'parent_yellow', params: { count: 2 } }],
    ],
  ])('%s makes it yellow', (_name, facts, reasons) => {
    expect(lotStatus(facts)).toEqual({ status: 'yellow', reasons });
  });
});

describe('lotStatus: configuration', () => {
  it('takes the required documents and sample points from the facts', () => {
    const noSamples: LotFacts = { ...GREEN, samples: [] };
    expect(codes(lotStatus(noSamples).reasons)).toEqual(['sample_point_missing', 'sample_point_missing']);
    expect(lotStatus({ ...noSamples, requiredSamplePoints: [] })).toEqual({ status: 'green', reasons: [] });
    expect(
      lotStatus({ ...GREEN, requiredSamplePoints: ['outer_pack', 'inner_pack', 'content', 'environment'] }).reasons,
    ).toEqual([
      { code: 'sample_point_missing', params: { point: 'inner_pack' } },
      { code: 'sample_point_missing', params: { point: 'environment' } },
    ]);
    const twoDocs: LotFacts = {
      ...GREEN,
      presentDocuments: ['customs_declaration'],
      requiredDocuments: ['customs_declaration'],
    };
    expect(lotStatus(twoDocs).status).toBe('green');
  });

  it('counts each required kind and point once even if listed twice', () => {
    const f: LotFacts = {
      ...GREEN,
      presentDocuments: [],
      requiredDocuments: ['nucleic_acid', 'nucleic_acid'],
      samples: [],
      requiredSamplePoints: ['content', 'content'],
    };
    expect(codes(lotStatus(f).reasons)).toEqual(['document_missing', 'sample_point_missing']);
  });
});

describe('lotStatus: combinations', () => {
  it('lists every reason, red first, each group in its fixed order', () => {
    const f: LotFacts = {
      presentDocuments: ['customs_declaration'],
      disinfected: false,
      samples: [
        { id: 'smp_1', point: 'outer_pack', result: 'pending' },
        { id: 'smp_2', point: 'inner_pack', result: 'positive' },
        { id: 'smp_3', point: 'outer_pack', result: 'positive' },
      ],
      exitCertificate: false,
      producerSuspendedAtEntry: true,
      recalled: true,
      openIncidents: ['inc_1', 'inc_2'],
      openBreaches: [{ id: 'brc_1', reason: 'door open' }],
      heldForInspection: true,
      parentStatuses: ['red', 'yellow', 'red', 'green'],
    };
    const r = lotStatus(f);
    expect(r.status).toBe('red');
    expect(codes(r.reasons)).toEqual([
      'sample_positive',
      'sample_positive',
      'producer_suspended_at_entry',
      'recalled',
      'open_incident',
      'open_incident',
      'parent_red',
      'document_missing',
      'document_missing',
      'document_missing',
      'not_disinfected',
      'sample_point_missing',
      'sample_pending',
      'no_exit_certificate',
      'temperature_breach_open',
      'held_for_inspection',
      'parent_yellow',
    ]);
    expect(r.reasons.find((x) => x.code === 'parent_red')?.params).toEqual({ count: 2 });
    expect(r.reasons.filter((x) => x.code === 'open_incident').map((x) => x.params?.['incidentId'])).toEqual([
      'inc_1',
      'inc_2',
    ]);
  });

  it('is red when red and yellow reasons meet, yellow with only yellow ones', () => {
    expect(lotStatus({ ...READY, recalled: true }).status).toBe('red');
    expect(lotStatus({ ...READY, heldForInspection: true, disinfected: false }).status).toBe('yellow');
  });

  it('lists a repeated incident id once', () => {
    expect(lotStatus({ ...GREEN, openIncidents: ['inc_1', 'inc_1'] }).reasons).toHaveLength(1);
  });

  it('puts every code in exactly one of the red and yellow lists', () => {
    const all = [...RED_REASON_CODES, ...YELLOW_REASON_CODES];
    expect(new Set(all).size).toBe(all.length);
  });
});

describe('lotStatus: parents', () => {
  const derived: LotFacts = {
    presentDocuments: [],
    disinfected: false,
    samples: [],
    exitCertificate: false,
    producerSuspendedAtEntry: false,
    origin: 'derived',
  };

  it('a lot made from green lots is green without border facts of its own', () => {
    expect(lotStatus({ ...derived, parentStatuses: ['green'] })).toEqual({ status: 'green', reasons: [] });
  });

  it('a lot made from a red lot is red, and from a yellow lot at least yellow', () => {
    expect(lotStatus({ ...derived, parentStatuses: ['green', 'red'] })).toEqual({
      status: 'red',
      reasons: [{ code: 'parent_red', params: { count: 1 } }],
    });
    expect(lotStatus({ ...derived, parentStatuses: ['yellow'] })).toEqual({
      status: 'yellow',
      reasons: [{ code: 'parent_yellow', params: { count: 1 } }],
    });
    expect(lotStatus({ ...derived, parentStatuses: ['yellow'], recalled: true }).status).toBe('red');
  });

  it('names each red or yellow parent by its trace code when the parents are given by code', () => {
    const parents = [
      { id: 'lot_a', code: 'ABCD2345EF7', status: 'red' as const },
      { id: 'lot_b', code: 'BCDE3456FG8', status: 'yellow' as const },
      { id: 'lot_c', code: 'CDEF4567GH9', status: 'green' as const },
    ];
    expect(lotStatus({ ...derived, parents, parentStatuses: ['green'] })).toEqual({
      status: 'red',
      reasons: [
        { code: 'parent_red', params: { lotCode: 'ABCD2345EF7' } },
        { code: 'parent_yellow', params: { lotCode: 'BCDE3456FG8' } },
      ],
    });
    expect(lotStatus({ ...derived, parents: [] }).reasons).toEqual([{ code: 'parents_unknown' }]);
    // A code that is not a valid trace code is shown as it is.
    expect(reasonText({ code: 'parent_red', params: { lotCode: 'ABCD2345EF7' } }, 'en')).toBe(
      'It was made from lot ABCD2345EF7, which is blocked (red).',
    );
    expect(reasonText({ code: 'parent_yellow', params: { lotCode: 'X' } }, 'zh')).toBe(
      '由批次 X 加工而来，该批次尚未放行（黄码）',
    );
  });

  it('carries colour down a chain of derivations', () => {
    const first = lotStatus({ ...GREEN, producerSuspendedAtEntry: true }).status;
    const second = lotStatus({ ...derived, parentStatuses: [first] }).status;
    const third = lotStatus({ ...derived, parentStatuses: ['green', second] }).status;
    expect([first, second, third]).toEqual(['red', 'red', 'red']);
  });

  it('a derived lot with no recorded parents is yellow', () => {
    expect(lotStatus(derived)).toEqual({ status: 'yellow', reasons: [{ code: 'parents_unknown' }] });
  });

  it('samples, breaches and holds still count for a derived lot', () => {
    const f: LotFacts = {
      ...derived,
      parentStatuses: ['green'],
      samples: [{ id: 'smp_9', point: 'content', result: 'pending' }],
    };
    expect(codes(lotStatus(f).reasons)).toEqual(['sample_pending']);
    expect(lotStatus({ ...f, samples: [{ id: 'smp_9', point: 'content', result: 'positive' }] }).status).toBe('red');
    expect(
      codes(
        lotStatus({
          ...derived,
          parentStatuses: ['green'],
          openBreaches: [{ id: 'b', reason: 'r' }],
          heldForInspection: true,
        }).reasons,
      ),
    ).toEqual(['temperature_breach_open', 'held_for_inspection']);
  });

  it('an imported lot with parents (rare, such as a re-declared lot) follows both rules', () => {
    expect(codes(lotStatus({ ...READY, parentStatuses: ['yellow'] }).reasons)).toEqual([
      'no_exit_certificate',
      'parent_yellow',
    ]);
  });
});

describe('canIssueExitCertificate', () => {
  it('allows release when the certificate is the only thing missing', () => {
    expect(canIssueExitCertificate(READY)).toEqual({ ok: true });
  });

  it('does not refuse because a certificate exists; the caller decides on reissue', () => {
    expect(canIssueExitCertificate(GREEN)).toEqual({ ok: true });
  });

  it.each<[string, LotFacts, ReasonCode[]]>([
    ['disinfection', { ...READY, disinfected: false }, ['not_disinfected']],
    [
      'a required sample point',
      { ...READY, samples: [{ id: 'smp_1', point: 'outer_pack', result: 'negative' }] },
      ['sample_point_missing'],
    ],
    [
      'a pending result',
      { ...READY, samples: [...GREEN.samples, { id: 'smp_3', point: 'inner_pack', result: 'pending' }] },
      ['sample_pending'],
    ],
    [
      'a positive result',
      {
        ...READY,
        samples: [
          { id: 'smp_1', point: 'outer_pack', result: 'positive' },
          { id: 'smp_2', point: 'content', result: 'negative' },
        ],
      },
      ['sample_positive'],
    ],
    [
      'a document',
      { ...READY, presentDocuments: ['customs_declaration', 'disinfection', 'nucleic_acid'] },
      ['document_missing'],
    ],
    ['a suspended producer', { ...READY, producerSuspendedAtEntry: true }, ['producer_suspended_at_entry']],
    ['a hold', { ...READY, heldForInspection: true }, ['held_for_inspection']],
    ['an open breach', { ...READY, openBreaches: [{ id: 'brc_1', reason: 'x' }] }, ['temperature_breach_open']],
  ])('refuses and names %s', (_name, facts, missing) => {
    const r = canIssueExitCertificate(facts);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(codes(r.missing)).toEqual(missing);
      expect(r.reason).toMatch(/^cannot issue the exit certificate: /);
    }
  });

  it('names everything missing at once, red first', () => {
    const r = canIssueExitCertificate({
      ...READY,
      disinfected: false,
      samples: [{ id: 'smp_1', point: 'outer_pack', result: 'positive' }],
    });
    expect(r).toEqual({
      ok: false,
      reason:
        'cannot issue the exit certificate: Sample smp_1 (outer packing) tested positive. The lot has not been disinfected yet. ' +
        'No sample has been taken from the product itself yet.',
      missing: [
        { code: 'sample_positive', params: { sampleId: 'smp_1', point: 'outer_pack' } },
        { code: 'not_disinfected' },
        { code: 'sample_point_missing', params: { point: 'content' } },
      ],
    });
  });

  it('refuses a derived lot', () => {
    const r = canIssueExitCertificate({ ...GREEN, origin: 'derived', parentStatuses: ['green'] });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(codes(r.missing)).toEqual(['exit_certificate_not_applicable']);
  });
});

describe('reasonText', () => {
  const samples: Reason[] = [
    { code: 'sample_positive', params: { sampleId: 'smp_1', point: 'outer_pack' } },
    { code: 'producer_suspended_at_entry' },
    { code: 'recalled' },
    { code: 'open_incident', params: { incidentId: 'inc_7' } },
    { code: 'parent_red', params: { count: 1 } },
    { code: 'document_missing', params: { kind: 'nucleic_acid' } },
    { code: 'not_disinfected' },
    { code: 'sample_point_missing', params: { point: 'content' } },
    { code: 'sample_pending', params: { sampleId: 'smp_2', point: 'inner_pack' } },
    { code: 'no_exit_certificate' },
    { code: 'temperature_breach_open', params: { breachId: 'brc_1', reason: '-12 °C for 40 min' } },
    { code: 'held_for_inspection' },
    { code: 'parent_yellow', params: { count: 3 } },
    { code: 'parents_unknown' },
    { code: 'exit_certificate_not_applicable' },
  ];

  it('covers every code', () => {
    expect(new Set(codes(samples))).toEqual(
      new Set([...RED_REASON_CODES, ...YELLOW_REASON_CODES, 'exit_certificate_not_applicable']),
    );
  });

  it.each(['zh', 'en'] as const)('words every code in %s without placeholders or raw codes', (lang) => {
    const texts = samples.map((r) => reasonText(r, lang));
    for (const [i, t] of texts.entries()) {
      expect(t.length, samples[i]?.code).toBeGreaterThan(3);
      // Ids like smp_1 are meant to show; any other underscore would be a raw code such as outer_pack.
      expect(t.replace(/\b(smp|inc|brc)_\d+\b/g, '')).not.toMatch(/\?|undefined|_/);
      if (lang === 'zh') expect(t).toMatch(/[\u4e00-\u9fff]/);
      else expect(t).toMatch(/^[A-Z]/);
    }
    expect(new Set(texts).size).toBe(texts.length);
  });

  it('calls a numbered incident by its number, as regulators do', () => {
    const r: Reason = { code: 'open_incident', params: { incidentId: 'inc_7', number: 12 } };
    expect(reasonText(r, 'en')).toBe('This lot is frozen in open incident 12.');
    expect(reasonText(r, 'zh')).toContain('第 12 号事件');
  });

  it('names the sample, point, document, incident and breach', () => {
    expect(reasonText(samples[0]!, 'zh')).toBe('外包装样品 smp_1 核酸检测呈阳性');
    expect(reasonText(samples[0]!, 'en')).toBe('Sample smp_1 (outer packing) tested positive.');
    expect(reasonText(samples[5]!, 'zh')).toBe('缺少核酸检测报告');
    expect(reasonText(samples[5]!, 'en')).toBe('The nucleic-acid test report is missing.');
    expect(reasonText(samples[3]!, 'en')).toBe('This lot is part of open incident inc_7.');
    expect(reasonText(samples[10]!, 'zh')).toBe('温度异常正在核查：-12 °C for 40 min');
    expect(reasonText(samples[9]!, 'zh')).toBe('集中监管仓尚未出具出仓证明');
  });

  it('uses singular and plural in English', () => {
    expect(reasonText({ code: 'parent_red', params: { count: 1 } }, 'en')).toBe(
      'It was made from a blocked (red) lot.',
    );
    expect(reasonText({ code: 'parent_red', params: { count: 2 } }, 'en')).toBe(
      'It was made from 2 blocked (red) lots.',
    );
    expect(reasonText({ code: 'parent_yellow', params: { count: 1 } }, 'en')).toBe(
      'It was made from a lot not yet cleared (yellow).',
    );
    expect(reasonText({ code: 'parent_red', params: { count: 2 } }, 'zh')).toBe('由 2 个红码（已阻断）批次加工而来');
  });

  it('names no internal id with ids: false, for the public page', () => {
    const rs: Reason[] = [
      { code: 'sample_positive', params: { sampleId: 'smp_1', point: 'outer_pack' } },
      { code: 'sample_pending', params: { sampleId: 'smp_2', point: 'content' } },
      { code: 'open_incident', params: { incidentId: 'inc_9' } },
      { code: 'open_incident', params: { incidentId: 'inc_9', number: 7 } },
      {
        code: 'temperature_breach_open',
        params: { breachId: 'brc_3', reason: 'x', maxCelsius: -10, limitCelsius: -18, minutes: 45 },
      },
    ];
    for (const lang of ['zh', 'en'] as const)
      for (const r of rs) expect(reasonText(r, lang, { ids: false })).not.toMatch(/smp_|inc_|brc_/);
    expect(reasonText(rs[0]!, 'en', { ids: false })).toBe('A sample (outer packing) tested positive.');
    expect(reasonText(rs[3]!, 'en', { ids: false })).toBe('This lot is frozen in open incident 7.');
    expect(reasonText(rs[0]!, 'en')).toContain('smp_1');
  });

  it('falls back to the code itself for an unknown code', () => {
    expect(reasonText({ code: 'from_the_future' } as unknown as Reason, 'en')).toBe('from_the_future');
  });
});
