import type { Kysely, Transaction } from 'kysely';
import type { Actor } from '../../domain/access.ts';
import { regionName } from '../../domain/regions.ts';
import type { When } from '../../reports/china-time.ts';
import { whenOf } from '../../reports/china-time.ts';
import type {
  BorderRecord,
  IncidentReport,
  Named,
  Place,
  Region,
  TimelineEntry,
} from '../../reports/incident-report.ts';
import { TIMELINE_KINDS, word } from '../../reports/incident-report.ts';
import type { Schema } from '../../store/schema.ts';
import { exitCertificatesOfLots, inChunks, lotLinks, lotsByIds, producersByIds } from '../../store/trace.ts';
import type { Deps } from '../deps.ts';
import { getIncident } from './incidents.ts';
import type { IncidentTrigger } from './incidents.ts';

type Db = Kysely<Schema> | Transaction<Schema>;

const kg = (grams: unknown) => Number(grams ?? 0) / 1000;
const ms = (iso: string | null) => (iso === null ? null : Date.parse(iso));
const uniq = (xs: Iterable<string | null | undefined>) => [
  ...new Set([...xs].filter((x): x is string => typeof x === 'string' && x !== '')),
];

/** regionOf names a GB/T 2260 province code in both languages. */
export function regionOf(code: string): Region {
  return { code, zh: regionName(code, 'zh') ?? code, en: regionName(code, 'en') ?? code };
}

/** namesOf looks up, once each, the parties and places a report names. */
async function namesOf(db: Db, partyIds: readonly string[], locationIds: readonly string[]) {
  const [parties, locations] = await Promise.all([
    inChunks(uniq(partyIds), (c) =>
      db.selectFrom('parties').select(['id', 'nameZh', 'nameEn', 'region']).where('id', 'in', c).execute(),
    ),
    inChunks(uniq(locationIds), (c) =>
      db.selectFrom('locations').select(['id', 'name', 'filingNo', 'address']).where('id', 'in', c).execute(),
    ),
  ]);
  const p = new Map(parties.map((x) => [x.id, x]));
  const l = new Map(locations.map((x) => [x.id, x]));
  return {
    party: (id: string | null | undefined): Named | null =>
      id ? { id, zh: p.get(id)?.nameZh ?? null, en: p.get(id)?.nameEn ?? null } : null,
    regionOfParty: (id: string) => p.get(id)?.region ?? '000000',
    place: (id: string | null | undefined): Place | null => {
      const x = id ? l.get(id) : undefined;
      return x ? { id: x.id, name: x.name, filingNo: x.filingNo, address: x.address } : null;
    },
  };
}

function triggerText(t: IncidentTrigger, code: (lotId: string) => string, producer: string | null): string {
  switch (t.kind) {
    case 'positive_result':
      return `阳性检测结果 / positive test result: ${t.sampleId}, ${code(t.lotId)}`;
    case 'lot':
      return `指定批次 / lots: ${t.lotIds.map(code).join(', ')}`;
    case 'container':
      return `集装箱 / container ${t.containerNo}`;
    case 'producer':
      return `生产企业 / producer ${producer ?? t.producerId}, ${t.productionFrom}–${t.productionTo}`;
    case 'peer_incident':
      return `对等节点事件 / a peer's incident: ${t.origin} #${t.number} (${t.lotIds.map(code).join(', ')})`;
  }
}

/** borderRecords returns the entry record of each imported lot among lotIds, by lot id. */
async function borderRecords(db: Db, lotIds: readonly string[]) {
  const lots = (await lotsByIds(db, lotIds)).filter((l) => l.origin === 'imported');
  const [producers, exits] = await Promise.all([
    producersByIds(db, uniq(lots.map((l) => l.producerId))),
    exitCertificatesOfLots(
      db,
      lots.map((l) => l.id),
    ),
  ]);
  const names = await namesOf(
    db,
    lots.map((l) => l.importerPartyId),
    [],
  );
  return new Map(
    lots.map((l): [string, BorderRecord] => {
      const p = producers.find((x) => x.id === l.producerId);
      const exit = exits.find((e) => e.lotId === l.id);
      return [
        l.id,
        {
          lotId: l.id,
          code: l.code,
          declarationNo: l.declarationNo,
          portOfEntry: l.portOfEntry,
          arrivalDate: l.arrivalDate,
          containerNo: l.containerNo,
          billOfLading: l.billOfLading,
          originCountry: l.originCountry,
          productionDate: l.productionDate,
          importer: names.party(l.importerPartyId)!,
          producer: p ? { name: p.name, nameZh: p.nameZh, country: p.country, registrationNo: p.registrationNo } : null,
          exitCertificate: exit ? { number: exit.number, ...whenOf(Number(exit.issuedAt)) } : null,
        },
      ];
    }),
  );
}

/** CustodyFact is a custody record on the timeline before names are resolved. */
type CustodyFact = Omit<TimelineEntry, keyof When | 'party' | 'counterparty' | 'location' | 'lotCode' | 'recorded'> & {
  at: number;
  /** recordedAt is when the fact was written down (its row's record time). */
  recordedAt: number;
  partyId: string | null;
  counterpartyId: string | null;
  locationId: string | null;
  locationText?: string;
};

/**
 * custodyFacts reads the custody records of lotIds that fall within [from, to] from the projected tables: declarations,
 * exit certificates, shipments leaving and arriving (a sale handed over is one fact), transformations, retail sales
 * (summed per lot and seller over the window), disposals and test results.
 */
async function custodyFacts(db: Db, lotIds: readonly string[], from: number, to: number): Promise<CustodyFact[]> {
  const inWindow = (t: number | null) => t !== null && t >= from && t <= to;
  const [lots, exits, shipments, tlots, disposals, samples, retail] = await Promise.all([
    lotsByIds(db, lotIds),
    exitCertificatesOfLots(db, lotIds),
    inChunks(lotIds, (c) => db.selectFrom('shipments').selectAll().where('lotId', 'in', c).execute()),
    inChunks(lotIds, (c) =>
      db.selectFrom('transformationLots').select('transformationId').where('lotId', 'in', c).execute(),
    ),
    inChunks(lotIds, (c) =>
      db
        .selectFrom('disposals')
        .selectAll()
        .where('lotId', 'in', c)
        .where('at', '>=', from)
        .where('at', '<=', to)
        .execute(),
    ),
    inChunks(lotIds, (c) =>
      db
        .selectFrom('samples')
        .selectAll()
        .where('lotId', 'in', c)
        .where('resultedAt', '>=', from)
        .where('resultedAt', '<=', to)
        .execute(),
    ),
    inChunks(lotIds, (c) =>
      db
        .selectFrom('retailSales')
        .select((eb) => [
          'lotId',
          'partyId',
          eb.fn.sum<number | string>('grams').as('grams'),
          eb.fn.sum<number | string>('cartons').as('cartons'),
          eb.fn.countAll<number | string>().as('sales'),
          eb.fn.max<number | string>('soldAt').as('lastAt'),
          eb.fn.max<number | string>('createdAt').as('lastRecordedAt'),
        ])
        .where('lotId', 'in', c)
        .where('soldAt', '>=', from)
        .where('soldAt', '<=', to)
        .groupBy(['lotId', 'partyId'])
        .execute(),
    ),
  ]);
  const tIds = uniq(tlots.map((t) => t.transformationId));
  const [transformations, tsides] = await Promise.all([
    inChunks(tIds, (c) => db.selectFrom('transformations').selectAll().where('id', 'in', c).execute()),
    inChunks(tIds, (c) => db.selectFrom('transformationLots').selectAll().where('transformationId', 'in', c).execute()),
  ]);
  const sideLots = new Map((await lotsByIds(db, uniq(tsides.map((s) => s.lotId)))).map((l) => [l.id, l.code]));
  const out: CustodyFact[] = [];
  const fact = (
    f: Omit<CustodyFact, 'counterpartyId' | 'locationId' | 'reference' | 'detail' | 'quantity'> & Partial<CustodyFact>,
  ) => out.push({ counterpartyId: null, locationId: null, quantity: null, reference: null, detail: null, ...f });
  for (const l of lots) {
    if (l.origin === 'imported' && inWindow(Number(l.createdAt))) {
      fact({
        kind: 'declared',
        at: Number(l.createdAt),
        recordedAt: Number(l.createdAt),
        lotId: l.id,
        partyId: l.importerPartyId,
        quantity: { kg: kg(l.netGrams), cartons: l.cartons },
        reference: l.declarationNo,
        locationText: l.portOfEntry,
        detail: `container ${l.containerNo}`,
      });
    }
  }
  for (const e of exits)
    if (inWindow(Number(e.issuedAt)))
      fact({
        kind: 'exit_certificate',
        at: Number(e.issuedAt),
        recordedAt: Number(e.issuedAt),
        lotId: e.lotId,
        partyId: e.warehousePartyId,
        reference: e.number,
      });
  for (const s of shipments) {
    const moved = { kg: kg(s.grams), cartons: s.cartons };
    if (s.mode === 'handover') {
      if (inWindow(Number(s.departedAt)))
        fact({
          kind: 'sale',
          at: Number(s.departedAt),
          recordedAt: Number(s.createdAt),
          lotId: s.lotId,
          partyId: s.fromPartyId,
          counterpartyId: s.toPartyId,
          locationId: s.fromLocationId,
          quantity: moved,
          reference: s.referenceDoc,
        });
      continue;
    }
    if (inWindow(Number(s.departedAt))) {
      fact({
        kind: 'shipment_departed',
        at: Number(s.departedAt),
        recordedAt: Number(s.createdAt),
        lotId: s.lotId,
        partyId: s.fromPartyId,
        counterpartyId: s.toPartyId,
        locationId: s.fromLocationId,
        quantity: moved,
        reference: s.referenceDoc,
        detail: s.purpose === 'shipment' ? null : s.purpose,
      });
    }
    if (s.receivedAt !== null && inWindow(Number(s.receivedAt))) {
      fact({
        kind: 'shipment_received',
        at: Number(s.receivedAt),
        recordedAt: Number(s.updatedAt),
        lotId: s.lotId,
        partyId: s.toPartyId,
        counterpartyId: s.fromPartyId,
        locationId: s.toLocationId,
        quantity: { kg: kg(s.receivedGrams), cartons: s.receivedCartons ?? 0 },
        reference: s.referenceDoc,
      });
    }
  }
  for (const t of transformations) {
    if (!inWindow(Number(t.at))) continue;
    const sides = tsides.filter((s) => s.transformationId === t.id);
    const list = (role: string) =>
      sides
        .filter((s) => s.role === role)
        .map((s) => `${sideLots.get(s.lotId) ?? s.lotId} ${kg(s.grams)} kg`)
        .join(', ');
    const outputs = sides.filter((s) => s.role !== 'input');
    fact({
      kind: 'transformation',
      at: Number(t.at),
      recordedAt: Number(t.createdAt),
      lotId: outputs[0]?.lotId ?? null,
      partyId: t.partyId,
      locationId: t.locationId,
      reference: t.referenceDoc,
      quantity: {
        kg: outputs.reduce((n, s) => n + kg(s.grams), 0),
        cartons: outputs.reduce((n, s) => n + s.cartons, 0),
      },
      detail: `${t.kind}: ${list('input')} → ${list('output')}; loss ${kg(t.lossGrams)} kg`,
    });
  }
  for (const r of retail)
    fact({
      kind: 'retail_sales',
      at: Number(r.lastAt),
      recordedAt: Number(r.lastRecordedAt),
      lotId: r.lotId,
      partyId: r.partyId,
      quantity: { kg: kg(r.grams), cartons: Number(r.cartons) },
      detail: `${Number(r.sales)} sales 笔`,
    });
  for (const d of disposals)
    fact({
      kind: 'disposal',
      at: Number(d.at),
      recordedAt: Number(d.createdAt),
      lotId: d.lotId,
      partyId: d.partyId,
      locationId: d.locationId,
      quantity: { kg: kg(d.grams), cartons: d.cartons },
      reference: d.referenceDoc,
      detail: word(d.method),
    });
  for (const s of samples)
    fact({
      kind: 'sample_result',
      at: Number(s.resultedAt),
      recordedAt: Number(s.updatedAt),
      lotId: s.lotId,
      partyId: s.labPartyId,
      counterpartyId: s.warehousePartyId,
      detail: `${s.point}: ${s.result}`,
    });
  return out;
}

/**
 * incidentReport gathers the incident report (see IncidentReport) for the actor, with the visibility of
 * GET /v1/incidents/{id}: the regulators of every region the goods reached (and national regulators, customs and
 * auditors) get all of it; a holder gets its own holdings, actions and custody records, and no contacts; anyone else
 * IncidentNotFound. The timeline holds the incident's own events at any time and the custody records of the affected
 * lots within the incident's window.
 */
export async function incidentReport(deps: Deps, actor: Actor, id: string): Promise<IncidentReport> {
  const db = deps.db;
  const inc = await getIncident(deps, actor, id);
  const own = inc.audience === 'own';
  const roots = (
    await db
      .selectFrom('incidentLots')
      .select('lotId')
      .where('incidentId', '=', id)
      .where('reason', '=', 'root')
      .orderBy('lotId')
      .execute()
  ).map((r) => r.lotId);
  const ancestry = new Map<string, string[]>();
  for (const root of roots) ancestry.set(root, [...(await lotLinks(db, [root], 'backward')).depth.keys()]);
  const visibleLots = new Set(inc.lots.map((l) => l.id));
  const [rootRows, border] = await Promise.all([
    lotsByIds(db, roots),
    borderRecords(db, uniq([...ancestry.values()].flat())),
  ]);
  const from = ms(inc.window.from)!;
  const to = ms(inc.window.to)!;
  const facts = (
    await custodyFacts(
      db,
      inc.lots.map((l) => l.id),
      from,
      to,
    )
  ).filter((f) => !own || f.partyId === actor.partyId || f.counterpartyId === actor.partyId);
  const contactLots = inc.contacts.flatMap((c) => c.lotIds);
  const codes = new Map(
    (
      await lotsByIds(
        db,
        uniq([...inc.lots.map((l) => l.id), ...inc.holdings.map((h) => h.lotId), ...contactLots, ...roots]),
      )
    ).map((l) => [l.id, l.code]),
  );
  const code = (lotId: string | null) => (lotId ? (codes.get(lotId) ?? lotId) : null);
  const names = await namesOf(
    db,
    [
      inc.openedBy,
      inc.closedBy,
      ...inc.holdings.map((h) => h.partyId),
      ...inc.byHolder.map((h) => h.partyId),
      ...inc.actions.flatMap((a) => [a.partyId, a.decidedBy]),
      ...inc.contacts.map((c) => c.partyId),
      ...facts.flatMap((f) => [f.partyId, f.counterpartyId]),
    ].filter((x): x is string => typeof x === 'string'),
    [
      ...inc.holdings.map((h) => h.locationId),
      ...inc.actions.map((a) => a.locationId),
      ...facts.map((f) => f.locationId),
    ].filter((x): x is string => typeof x === 'string'),
  );
  const placeName = (locationId: string | null) => {
    const p = names.place(locationId);
    return p ? `${p.name} (${p.filingNo})` : null;
  };
  const trigger = inc.trigger;
  const producer = trigger.kind === 'producer' ? (await producersByIds(db, [trigger.producerId]))[0] : undefined;

  const entry = (
    at: number,
    e: Omit<TimelineEntry, keyof When | 'lotCode' | 'recorded'>,
    recordedAt = at,
  ): TimelineEntry => ({
    ...whenOf(at),
    ...e,
    lotCode: code(e.lotId),
    recorded: whenOf(recordedAt),
  });
  const none = { lotId: null, counterparty: null, location: null, quantity: null, reference: null, detail: null };
  const timeline: TimelineEntry[] = [
    ...facts.map((f) =>
      entry(
        f.at,
        {
          kind: f.kind,
          lotId: f.lotId,
          party: names.party(f.partyId),
          counterparty: names.party(f.counterpartyId),
          location: f.locationText ?? placeName(f.locationId),
          quantity: f.quantity,
          reference: f.reference,
          detail: f.detail,
        },
        f.recordedAt,
      ),
    ),
    entry(ms(inc.openedAt)!, { ...none, kind: 'incident_opened', party: names.party(inc.openedBy), detail: inc.title }),
    ...inc.actions.flatMap((a) => [
      entry(
        ms(a.at)!,
        {
          ...none,
          kind: 'action_recorded',
          lotId: a.lotId,
          party: names.party(a.partyId),
          location: placeName(a.locationId),
          quantity: a.quantity,
          reference: a.referenceDoc,
          detail: [word(a.action), a.status, a.note].filter(Boolean).join('; '),
        },
        ms(a.recordedAt)!,
      ),
      ...(a.decidedAt
        ? [
            entry(ms(a.decidedAt)!, {
              ...none,
              kind: 'action_decided' as const,
              lotId: a.lotId,
              party: names.party(a.decidedBy),
              counterparty: names.party(a.partyId),
              quantity: a.quantity,
              detail: [a.status, a.decisionNote].filter(Boolean).join('; '),
            }),
          ]
        : []),
    ]),
    ...(inc.closedAt
      ? [
          entry(ms(inc.closedAt)!, {
            ...none,
            kind: 'incident_closed' as const,
            party: names.party(inc.closedBy),
            detail: inc.closeReason,
          }),
        ]
      : []),
  ].sort((a, b) => a.at.localeCompare(b.at) || TIMELINE_KINDS.indexOf(a.kind) - TIMELINE_KINDS.indexOf(b.kind));

  return {
    report: 'incident',
    generated: whenOf(deps.clock.now()),
    audience: inc.audience,
    incident: {
      id: inc.id,
      number: inc.number,
      title: inc.title,
      status: inc.status,
      trigger,
      triggerText: triggerText(
        trigger,
        (l) => code(l) ?? l,
        producer ? `${producer.name} (${producer.country} ${producer.registrationNo})` : null,
      ),
      scope: inc.scope,
      window: { from: whenOf(from), to: whenOf(to) },
      regions: inc.regions.map(regionOf),
      opened: { ...whenOf(ms(inc.openedAt)!), by: names.party(inc.openedBy) },
      closed: inc.closedAt
        ? { ...whenOf(ms(inc.closedAt)!), by: names.party(inc.closedBy), reason: inc.closeReason }
        : null,
      logIndex: inc.logIndex,
    },
    rootLots: rootRows.map((l) => ({
      lotId: l.id,
      code: l.code,
      productZh: l.productNameZh,
      productEn: l.productNameEn,
      gtin: l.gtin,
      batchNo: l.batchNo,
      origin: l.origin,
      quantity: { kg: kg(l.netGrams), cartons: l.cartons },
      border: (ancestry.get(l.id) ?? [])
        .filter((x) => !own || visibleLots.has(x))
        .flatMap((x) => (border.has(x) ? [border.get(x)!] : [])),
    })),
    lots: inc.lots.map((l) => ({
      id: l.id,
      code: l.code,
      productZh: l.productNameZh,
      productEn: l.productNameEn,
      reason: l.reason,
      depth: l.depth,
      status: l.status,
      region: l.region,
      cleared: l.cleared,
    })),
    holdings: inc.holdings.map(({ holdingId: _, partyId, locationId, region, lotId, inTransit, ...t }) => ({
      holder: names.party(partyId)!,
      region: regionOf(region),
      lotId,
      lotCode: code(lotId)!,
      location: names.place(locationId),
      inTransit,
      ...t,
    })),
    byHolder: inc.byHolder.map(({ partyId, ...t }) => ({
      holder: names.party(partyId)!,
      region: regionOf(names.regionOfParty(partyId)),
      ...t,
    })),
    byRegion: inc.byRegion.map(({ region, ...t }) => ({ region: regionOf(region), ...t })),
    total: inc.total,
    timeline,
    // A sale handed over at the seller's has no vehicle or driver; its empty references are no contact.
    contacts: inc.contacts
      .filter((c) => c.id !== '')
      .map((c) => ({
        kind: c.kind,
        id: c.id,
        label: c.label,
        party: names.party(c.partyId),
        first: whenOf(ms(c.firstAt)!),
        last: whenOf(ms(c.lastAt)!),
        lotCodes: c.lotIds.map((l) => code(l)!),
      })),
  };
}
