import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ExcelJS from 'exceljs';
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { describe, expect, it } from 'vitest';
import { epcisValidator } from '../src/epcis/schema.ts';
import { parseCsv } from '../src/reports/csv.ts';
import { FSMA_COLUMNS } from '../src/reports/fsma204.ts';
import { INCIDENT_CSV_COLUMNS } from '../src/reports/incident-report.ts';
import { addParty, api, expectError } from './support/http.ts';
import { result } from './support/border.ts';
import { buildChain, ok } from './support/chain.ts';
import { childEnv, dbEnv, json, runCli } from './support/processes.ts';
import type { Chain } from './support/chain.ts';
import { eachDialect } from './support/test-node.ts';
import type { TestNode } from './support/test-node.ts';

const DOMAIN = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'shared', 'data', 'domain');
const COLUMNS_CSV = join(DOMAIN, 'fda_sortable_spreadsheet_columns.csv');
const CTE_JSON = join(DOMAIN, 'fsma204_cte_kde.json');
const haveDomain = existsSync(COLUMNS_CSV) && existsSync(CTE_JSON);
if (!haveDomain) console.warn(`reports.test: ${DOMAIN} is absent; the FDA tab and column checks are skipped`);

/** fdaTabs reads the FDA template's tabs and columns from the known-answer CSV: the rows of its first source group. */
function fdaTabs(): Map<string, string[]> {
  const [, ...rows] = parseCsv(readFileSync(COLUMNS_CSV, 'utf8'));
  const tabs = new Map<string, string[]>();
  for (const [i, [source, tab, column]] of rows.entries()) {
    if (i > 0 && source) break;
    tabs.set(tab!, [...(tabs.get(tab!) ?? []), column!]);
  }
  return tabs;
}

type Tally = { affected: { kg: number; cartons: number }; accounted: { kg: number }; outstanding: { kg: number } };
type Named = { id: string; zh: string | null; en: string | null };
type Report = {
  audience: string;
  incident: { number: number; id: string; window: { from: { at: string; chinaTime: string } } };
  rootLots: {
    lotId: string;
    border: { lotId: string; containerNo: string; declarationNo: string; producer: { country: string } | null }[];
  }[];
  byHolder: (Tally & { holder: Named; region: { code: string } })[];
  byRegion: (Tally & { region: { code: string } })[];
  holdings: (Tally & { holder: Named; lotId: string })[];
  total: Tally;
  timeline: {
    kind: string;
    at: string;
    chinaTime: string;
    lotId: string | null;
    party: Named | null;
    counterparty: Named | null;
    quantity: { kg: number } | null;
    detail: string | null;
  }[];
  contacts: { kind: string; id: string; label: string; first: { at: string }; last: { at: string } }[];
};

const now = (n: TestNode) => new Date(n.clock.now()).toISOString();
const byId = <T>(xs: T[], key: (x: T) => string, value: (x: T) => unknown) =>
  Object.fromEntries(xs.map((x) => [key(x), value(x)]));

/** positiveAtMarket has Guangdong's regulator sample R at the retailer and the lab find it positive, which opens incident 1. */
async function positiveAtMarket(n: TestNode, c: Chain) {
  const regGD = await addParty(n.app, n.adminToken, ['regulator'], '440000', { level: 'provincial' });
  const s = ok(
    await api(n.app, 'POST', `/v1/lots/${c.r.id}/market-samples`, {
      token: regGD.token,
      body: { point: 'outer_pack', labPartyId: c.cast.lab.id, takenAt: now(n), heldBy: c.retailer.id },
    }),
    'market sample',
  );
  const r = ok(
    await api(n.app, 'POST', `/v1/samples/${s.id}/result`, { token: c.cast.lab.token, body: result(n, 'positive') }),
    'result',
  );
  return r.incident as { id: string; number: number };
}

async function pdfText(pdf: Buffer): Promise<{ pages: number; text: string }> {
  const doc = await getDocument({ data: new Uint8Array(pdf), verbosity: 0 }).promise;
  let text = '';
  for (let p = 1; p <= doc.numPages; p++) {
    const content = await (await doc.getPage(p)).getTextContent();
    text += content.items.map((item) => ('str' in item ? item.str : '')).join('');
  }
  return { pages: doc.numPages, text: text.replace(/\s+/g, '') };
}

const raw = (n: TestNode, url: string, token: string, headers: Record<string, string> = {}) =>
  n.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}`, ...headers } });

eachDialect('reports', (node) => {
  let c: Chain;
  let incident: { id: string; number: number };
  let regZJ: { id: string; token: string };

  it('reports an incident as JSON: root lots to the border, holders, quantities per holder and region, timeline and contacts', async () => {
    const n = node();
    c = await buildChain(n);
    incident = await positiveAtMarket(n, c);
    regZJ = await addParty(n.app, n.adminToken, ['regulator'], '330000', { level: 'provincial' });
    n.clock.advance(60_000);
    ok(
      await api(n.app, 'POST', `/v1/incidents/${incident.id}/actions`, {
        token: c.cast.importer.token,
        body: { lotId: c.l1.id, locationId: null, action: 'sealed', quantity: { kg: 300, cartons: 15 }, at: now(n) },
      }),
    );
    ok(
      await api(n.app, 'POST', `/v1/incidents/${incident.id}/actions`, {
        token: c.retailer.token,
        body: {
          lotId: c.r.id,
          locationId: null,
          action: 'destroyed',
          quantity: { kg: 50, cartons: 5 },
          at: now(n),
          referenceDoc: 'XH-1',
        },
      }),
    );

    const r = ok(await api(n.app, 'GET', `/v1/incidents/${incident.id}/report`, { token: regZJ.token })) as Report;
    expect(r.audience).toBe('all');
    expect(r.incident.number).toBe(incident.number);
    // The root is the repacked lot R; its border records are those of L1 and L2, the imports it was made from.
    expect(r.rootLots.map((l) => l.lotId)).toEqual([c.r.id]);
    expect(new Set(r.rootLots[0]!.border.map((b) => b.lotId))).toEqual(new Set([c.l1.id, c.l2.id]));
    for (const b of r.rootLots[0]!.border) expect(b.producer?.country).toBe('AR');

    const { importer } = c.cast;
    expect(
      byId(
        r.byHolder,
        (h) => h.holder.id,
        (h) => [h.affected.kg, h.accounted.kg, h.outstanding.kg, h.region.code],
      ),
    ).toEqual({
      [importer.id]: [700, 300, 400, '410000'],
      [c.coldStore.id]: [300, 0, 300, '320000'],
      [c.wholesaler.id]: [440, 0, 440, '330000'],
      [c.restaurant.id]: [100, 0, 100, '320000'],
      [c.retailer.id]: [50, 50, 0, '440000'],
    });
    expect(r.byHolder.find((h) => h.holder.id === c.coldStore.id)!.holder.zh).toBe('测试cold_store');
    expect(r.byRegion.map((g) => [g.region.code, g.affected.kg, g.outstanding.kg])).toEqual([
      ['320000', 400, 400],
      ['330000', 440, 440],
      ['410000', 700, 400],
      ['440000', 50, 0],
    ]);
    expect(r.total).toMatchObject({
      affected: { kg: 1590, cartons: 89 },
      accounted: { kg: 350 },
      outstanding: { kg: 1240 },
    });
    expect(r.holdings).toHaveLength(9);

    const kinds = r.timeline.map((t) => t.kind);
    const count = (k: string) => kinds.filter((x) => x === k).length;
    expect({
      declared: count('declared'),
      departed: count('shipment_departed'),
      received: count('shipment_received'),
      sale: count('sale'),
      transformation: count('transformation'),
    }).toEqual({ declared: 3, departed: 4, received: 3, sale: 1, transformation: 1 });
    expect(count('incident_opened')).toBe(1);
    expect(count('action_recorded')).toBe(2);
    // The border samples of L1, L2 and L3 (two each) and the market sample that opened the incident.
    expect(count('sample_result')).toBe(7);
    expect(
      r.timeline.filter((t) => t.kind === 'sample_result' && t.detail?.endsWith('positive')).map((t) => t.lotId),
    ).toEqual([c.r.id]);
    expect(kinds.indexOf('incident_opened')).toBeLessThan(kinds.indexOf('action_recorded'));
    const sale = r.timeline.find((t) => t.kind === 'sale')!;
    expect(sale).toMatchObject({
      lotId: c.r.id,
      party: { id: c.wholesaler.id },
      counterparty: { id: c.retailer.id },
      quantity: { kg: 50 },
    });
    // China time is UTC+8 of the ISO time.
    expect(Date.parse(`${sale.chinaTime.replace(' ', 'T')}+08:00`)).toBe(Date.parse(sale.at));
    expect(r.timeline.map((t) => t.at)).toEqual([...r.timeline.map((t) => t.at)].sort());

    const contacts = byId(
      r.contacts,
      (x) => `${x.kind}:${x.id}`,
      (x) => x.label,
    );
    expect(contacts[`driver:${c.crew.driver}`]).toBe('刘师傅');
    expect(contacts[`handler:${c.crew.handler}`]).toBe('陈搬运');
    expect(Object.keys(contacts)).toEqual(
      expect.arrayContaining([
        `vehicle:${c.cast.vehicleId}`,
        `location:${c.coldStore.locationId}`,
        `location:${c.wholesaler.locationId}`,
      ]),
    );
    for (const x of r.contacts) expect(x.first.at <= x.last.at).toBe(true);
  });

  it('gives the same figures as CSV (UTF-8 with BOM, a section column) and as a bilingual A4 PDF with page numbers', async () => {
    const n = node();
    const json = ok(
      await api(n.app, 'GET', `/v1/incidents/${incident.id}/report?format=json`, { token: regZJ.token }),
    ) as Report;
    const res = await raw(n, `/v1/incidents/${incident.id}/report?format=csv`, regZJ.token);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/csv/);
    expect([...res.rawPayload.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const [header, ...rows] = parseCsv(res.rawPayload.toString('utf8'));
    expect(header).toEqual([...INCIDENT_CSV_COLUMNS]);
    const col = (name: (typeof INCIDENT_CSV_COLUMNS)[number]) => INCIDENT_CSV_COLUMNS.indexOf(name);
    const section = (s: string) => rows.filter((r) => r[col('section')] === s);
    expect(
      byId(
        section('holder'),
        (r) => r[col('party_id')]!,
        (r) => [Number(r[col('kg')]), Number(r[col('kg_accounted')]), Number(r[col('kg_outstanding')])],
      ),
    ).toEqual(
      byId(
        json.byHolder,
        (h) => h.holder.id,
        (h) => [h.affected.kg, h.accounted.kg, h.outstanding.kg],
      ),
    );
    expect(section('region').map((r) => [r[col('item')], Number(r[col('kg')])])).toEqual(
      json.byRegion.map((g) => [g.region.code, g.affected.kg]),
    );
    const [total] = section('total');
    expect([total![col('kg')], total![col('cartons')], total![col('kg_outstanding')]]).toEqual(['1590', '89', '1240']);
    expect(section('timeline')).toHaveLength(json.timeline.length);
    expect(section('contact').map((r) => `${r[col('item')]}:${r[col('reference')]}`)).toEqual(
      json.contacts.map((x) => `${x.kind}:${x.id}`),
    );
    expect(section('holding')).toHaveLength(9);
    expect(section('incident').find((r) => r[col('item')] === 'number')![col('name')]).toBe(String(incident.number));

    // Accept picks the format when ?format= is absent.
    const pdfRes = await raw(n, `/v1/incidents/${incident.id}/report`, regZJ.token, { accept: 'application/pdf' });
    expect(pdfRes.statusCode).toBe(200);
    expect(pdfRes.headers['content-type']).toBe('application/pdf');
    expect(pdfRes.headers['content-disposition']).toContain(`incident-${incident.number}-report.pdf`);
    const { pages, text } = await pdfText(pdfRes.rawPayload);
    expect(pages).toBeGreaterThanOrEqual(1);
    for (const s of [
      `IncidentNo.${incident.number}`,
      '事件报告',
      '测试importer',
      '测试cold_store',
      '测试wholesaler',
      '测试restaurant',
      '测试retailer',
      '1,590kg/89箱',
      '1,240kg',
      '刘师傅',
      c.l1.code,
      `Page1of${pages}`,
      `第${pages}页/共${pages}页`,
    ]) {
      expect(text, s).toContain(s);
    }
  });

  it('shows a holder only its own part, hides the incident from others, and names a bad format', async () => {
    const n = node();
    const own = ok(
      await api(n.app, 'GET', `/v1/incidents/${incident.id}/report`, { token: c.retailer.token }),
    ) as Report;
    expect(own.audience).toBe('own');
    expect(own.byHolder.map((h) => h.holder.id)).toEqual([c.retailer.id]);
    expect(own.contacts).toEqual([]);
    for (const t of own.timeline.filter((x) => !x.kind.startsWith('incident_'))) {
      expect([t.party?.id, t.counterparty?.id], t.kind).toContain(c.retailer.id);
    }
    expect(own.timeline.map((t) => t.kind)).toEqual(
      expect.arrayContaining(['sale', 'action_recorded', 'incident_opened']),
    );

    const regBJ = await addParty(n.app, n.adminToken, ['regulator'], '110000', { level: 'provincial' });
    const stranger = await addParty(n.app, n.adminToken, ['wholesaler'], '330000');
    for (const format of ['json', 'csv', 'pdf']) {
      expectError(
        await api(n.app, 'GET', `/v1/incidents/${incident.id}/report?format=${format}`, { token: regBJ.token }),
        404,
        'IncidentNotFound',
      );
      expectError(
        await api(n.app, 'GET', `/v1/incidents/${incident.id}/report?format=${format}`, { token: stranger.token }),
        404,
        'IncidentNotFound',
      );
    }
    expectError(
      await api(n.app, 'GET', `/v1/incidents/${incident.id}/report?format=docx`, { token: regZJ.token }),
      400,
      'ValidationFailed',
      'format',
    );
    expectError(
      await api(n.app, 'GET', '/v1/incidents/inc_nope/report', { token: regZJ.token }),
      404,
      'IncidentNotFound',
    );
  });

  it.skipIf(!haveDomain)(
    'exports the FSMA 204 spreadsheet as XLSX with one tab per CTE and exactly the FDA columns',
    async () => {
      const n = node();
      const tabs = fdaTabs();
      const ctes = Object.keys((JSON.parse(readFileSync(CTE_JSON, 'utf8')) as { ctes: Record<string, unknown> }).ctes);
      const res = await raw(n, `/v1/reports/fsma204?lotIds=${c.r.id}&expand=true`, n.adminToken);
      expect(res.statusCode, res.body).toBe(200);
      expect(res.headers['content-type']).toContain('spreadsheetml');
      const book = new ExcelJS.Workbook();
      await book.xlsx.load(res.rawPayload as unknown as ArrayBuffer);
      expect(book.worksheets.map((w) => w.name)).toEqual([...tabs.keys()]);
      const sheet = (name: string) => {
        const ws = book.getWorksheet(name)!;
        const values = (r: number) => (ws.getRow(r).values as unknown[]).slice(1);
        return { ws, header: values(1), rows: Array.from({ length: ws.rowCount - 1 }, (_, i) => values(i + 2)) };
      };
      for (const [tab, columns] of tabs) {
        // Each tab is a CTE of Subpart S (receiving_1_1345a, shipping_1_1340, transformation_1_1350).
        expect(
          ctes.some((k) => k.startsWith(`${tab.toLowerCase()}_`)),
          tab,
        ).toBe(true);
        const { ws, header } = sheet(tab);
        expect(header, tab).toEqual(columns);
        expect(FSMA_COLUMNS[tab as keyof typeof FSMA_COLUMNS]).toEqual(columns);
        expect(ws.getRow(1).font?.bold, tab).toBe(true);
        expect(ws.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
        expect(ws.autoFilter).toBeTruthy();
      }

      const l1Tlc = `${c.l1.code} (01)${c.l1.gtin}(10)${c.l1.batchNo}`;
      const shipping = sheet('Shipping').rows;
      expect(shipping.map((r) => [r[0], r[1]]).sort()).toEqual(
        [
          [l1Tlc, '100 kg (5 cartons)'],
          [l1Tlc, '300 kg (15 cartons)'],
          [l1Tlc, '400 kg (20 cartons)'],
          [c.l2.code, '200 kg (10 cartons)'],
          [c.r.code, '50 kg (5 cartons)'],
        ].sort(),
      );
      const toCold = shipping.find((r) => r[1] === '400 kg (20 cartons)')!;
      expect(String(toCold[3])).toContain('测试cold_store');
      expect(String(toCold[3])).toMatch(/filing no\. 备案号 冷-320000-/);
      expect(String(toCold[4])).toContain('测试importer');
      expect(String(toCold[6])).toContain('import declaration');
      expect(String(toCold[7])).toMatch(/^Delivery note 发货单 \/ DN-/);

      const receiving = sheet('Receiving').rows;
      // Two imports received at the port, and every shipment received (the restaurant's is still on the road).
      expect(receiving.map((r) => [r[0], r[1]]).sort()).toEqual(
        [
          [l1Tlc, 1000],
          [l1Tlc, 300],
          [l1Tlc, 400],
          [c.l2.code, 500],
          [c.l2.code, 200],
          [c.r.code, 50],
        ].sort(),
      );
      const imported = receiving.find((r) => r[1] === 1000)!;
      expect(imported[2]).toBe('kg (50 cartons)');
      expect(String(imported[4])).toContain('Frigorífico Ejemplo S.A.');
      expect(String(imported[4])).toContain('Argentina');
      expect(imported[8]).toBe('Customs declaration 报关单');

      const transformation = sheet('Transformation').rows;
      expect(transformation.map((r) => [r[0], r[2]]).sort()).toEqual(
        [
          [l1Tlc, c.r.code],
          [c.l2.code, c.r.code],
        ].sort(),
      );
      for (const r of transformation) {
        expect(String(r[1])).toMatch(/; 100 kg \(5 cartons\)$/);
        expect(String(r[3])).toContain('测试wholesaler');
        expect(String(r[5])).toMatch(/Repacked frozen pork.*; 190 kg \(19 cartons\)$/);
        expect(r[6]).toBe('Repacking record 分装记录 / RP-1');
      }

      // The date range bounds the events; nothing happened after the incident.
      const later = await raw(
        n,
        `/v1/reports/fsma204?lotIds=${c.r.id}&expand=true&from=${encodeURIComponent(new Date(n.clock.now() + 3_600_000).toISOString())}`,
        n.adminToken,
      );
      const empty = new ExcelJS.Workbook();
      await empty.xlsx.load(later.rawPayload as unknown as ArrayBuffer);
      expect(empty.worksheets.map((w) => w.rowCount)).toEqual([1, 1, 1]);
    },
  );

  it.skipIf(!haveDomain)(
    'exports the spreadsheet as CSV: one file with a leading CTE column, or one tab with ?cte=',
    async () => {
      const n = node();
      const tabs = fdaTabs();
      const all = await raw(
        n,
        `/v1/reports/fsma204?lotIds=${c.r.id},${c.l1.code}&expand=true&format=csv`,
        n.adminToken,
      );
      expect(all.statusCode).toBe(200);
      expect([...all.rawPayload.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
      const [header, ...rows] = parseCsv(all.rawPayload.toString('utf8'));
      expect(header![0]).toBe('CTE');
      expect(new Set(header!.slice(1))).toEqual(new Set([...tabs.values()].flat()));
      expect(
        rows.map((r) => r[0]).reduce<Record<string, number>>((m, t) => ({ ...m, [t!]: (m[t!] ?? 0) + 1 }), {}),
      ).toEqual({ Receiving: 6, Shipping: 5, Transformation: 2 });

      const one = await raw(n, `/v1/reports/fsma204?lotIds=${c.r.id}&expand=true&cte=Shipping`, n.adminToken, {
        accept: 'text/csv',
      });
      const [h, ...shipRows] = parseCsv(one.rawPayload.toString('utf8'));
      expect(h).toEqual(tabs.get('Shipping'));
      expect(shipRows).toHaveLength(5);
    },
  );

  it('lets a business export only its own records of lots it held, and names bad parameters', async () => {
    const n = node();
    const csv = async (token: string, q: string) => {
      const res = await raw(n, `/v1/reports/fsma204?format=csv&${q}`, token);
      expect(res.statusCode, res.body).toBe(200);
      return parseCsv(res.rawPayload.toString('utf8'))
        .slice(1)
        .map((r) => r[0]);
    };
    // The wholesaler received 300 kg of L1 and repacked 100 kg of it with L2: its receipt and its transformation only.
    expect((await csv(c.wholesaler.token, `lotIds=${c.l1.id}`)).sort()).toEqual([
      'Receiving',
      'Transformation',
      'Transformation',
    ]);
    expectError(
      await api(n.app, 'GET', `/v1/reports/fsma204?lotIds=${c.r.id},${c.l3.id}`, { token: c.retailer.token }),
      403,
      'Forbidden',
      'lotIds.1',
    );

    const bad: [string, string][] = [
      ['', 'lotIds'],
      [`lotIds=${c.l1.id}&from=yesterday`, 'from'],
      [`lotIds=${c.l1.id}&format=pdf`, 'format'],
      [`lotIds=${c.l1.id}&cte=Harvesting`, 'cte'],
      ['lotIds=not-a-lot', 'lotIds.0'],
      [`lotIds=${c.l1.id}&from=2026-11-26T00:00:00Z&to=2026-11-25T00:00:00Z`, 'to'],
      [`lotIds=${c.l1.id}&expand=maybe`, 'expand'],
    ];
    for (const [q, field] of bad)
      expectError(
        await api(n.app, 'GET', `/v1/reports/fsma204?${q}`, { token: n.adminToken }),
        400,
        'ValidationFailed',
        field,
      );
    expectError(
      await api(n.app, 'GET', '/v1/reports/fsma204?lotIds=lot_00000000000000000000000000', { token: n.adminToken }),
      404,
      'LotNotFound',
      'lotIds.0',
    );
  });

  it('exports the trace as an EPCIS 2.0 document that the GS1 schema accepts', async () => {
    const n = node();
    const r = await api(n.app, 'GET', `/v1/lots/${c.r.id}/trace.epcis?direction=backward`, { token: regZJ.token });
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toContain('application/ld+json');
    const validate = epcisValidator();
    expect(validate(r.body), JSON.stringify(validate.errors?.slice(0, 3))).toBe(true);
    expect(r.body.type).toBe('EPCISDocument');
    const events = r.body.epcisBody.eventList as { type: string; bizStep?: string; eventID: string }[];
    expect(new Set(events.map((e) => e.eventID)).size).toBe(events.length);
    const steps = events.map((e) => e.bizStep ?? e.type);
    const count = (s: string) => steps.filter((x) => x === s).length;
    // L1, L2 and R: two declarations, five shipments out (the sale handed over is one event), three receipts, one repack.
    expect({
      commissioning: count('commissioning'),
      shipping: count('shipping'),
      receiving: count('receiving'),
      repackaging: count('repackaging'),
    }).toEqual({ commissioning: 2, shipping: 5, receiving: 3, repackaging: 1 });

    const forward = ok(
      await api(n.app, 'GET', `/v1/lots/${c.l3.code}/trace.epcis?direction=forward`, { token: n.adminToken }),
    );
    expect(validate(forward)).toBe(true);
    expect((forward.epcisBody.eventList as unknown[]).length).toBeGreaterThan(0);
    expectError(
      await api(n.app, 'GET', `/v1/lots/${c.r.id}/trace.epcis`, { token: c.wholesaler.token }),
      403,
      'Forbidden',
    );
    expectError(
      await api(n.app, 'GET', `/v1/lots/${c.r.id}/trace.epcis?direction=sideways`, { token: n.adminToken }),
      400,
      'ValidationFailed',
      'direction',
    );
  });

  it('writes the same reports from the command line', async () => {
    const n = node();
    // --data names the node's own directory on both databases: a read command never starts a node elsewhere.
    const cli = (...args: string[]) =>
      runCli([...args, '--data', n.dataDir], { env: childEnv(dbEnv(n)), cwd: n.dataDir });
    const pdf = join(n.dataDir, 'incident.pdf');
    const xlsx = join(n.dataDir, 'fsma204.xlsx');
    const [a, b, bad] = await Promise.all([
      cli('report', 'incident', incident.id, '--format', 'pdf', '--out', pdf),
      cli('report', 'fsma204', '--lots', c.r.id, '--expand', '--out', xlsx),
      cli('report', 'fsma204', '--lots', c.r.id, '--from', 'yesterday', '--out', xlsx),
    ]);
    expect(json(a)).toMatchObject({ out: pdf, format: 'pdf' });
    const { text } = await pdfText(readFileSync(pdf));
    for (const s of [`IncidentNo.${incident.number}`, '1,590kg/89箱', '测试restaurant']) expect(text, s).toContain(s);
    expect(json(b)).toMatchObject({ out: xlsx, format: 'xlsx' });
    const book = new ExcelJS.Workbook();
    await book.xlsx.readFile(xlsx);
    expect(book.worksheets.map((w) => [w.name, w.rowCount])).toEqual([
      ['Receiving', 7],
      ['Shipping', 6],
      ['Transformation', 3],
    ]);
    expect({ code: bad.code, stderr: bad.stderr }).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('--from'),
    });
  }, 120_000);
});

describe('FDA known-answer data', () => {
  it.skipIf(!haveDomain)('has the three CTE tabs our spreadsheet writes', () => {
    expect([...fdaTabs().keys()]).toEqual(['Receiving', 'Shipping', 'Transformation']);
  });
});
