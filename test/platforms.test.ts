import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { verifyDatabase } from '../src/app/audit/verify.ts';
import { validateCapture } from '../src/app/epcis/capture.ts';
import { startPlatformWorker, syncPlatforms } from '../src/app/platforms/sync.ts';
import { parseVerifierKey } from '../src/log/note-key.ts';
import { addParty, api, expectError } from './support/http.ts';
import { eachDialect } from './support/test-node.ts';
import type { TestNode } from './support/test-node.ts';
import { readEntries } from '../src/store/log-store.ts';
import { decodeEntry } from '../src/app/write/entry.ts';

// Recognition without unifying codes or systems: another vendor's platform, which issues codes like
// ZJ-LL-2026-000123 and answers EPCIS 2.0 queries, stands in here as a node:http server on loopback.

type Rec = Record<string, unknown>;

const CHROMIUM = process.env.COLDTRACE_CHROMIUM ?? '/usr/bin/chromium';

const CONTEXT = ['https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld', { zj: 'https://zjll.example/voc/' }];
const epc = (code: string) => `urn:zjll:lot:${code}`;

function commissioned(code: string, product: string | null): Rec {
  return {
    type: 'ObjectEvent',
    eventID: `ni:///sha-256;${createHash('sha256').update(code).digest('hex')}?ver=CBV2.0`,
    eventTime: '2026-11-20T08:00:00.000+08:00',
    eventTimeZoneOffset: '+08:00',
    epcList: [epc(code)],
    action: 'ADD',
    bizStep: 'commissioning',
    disposition: 'active',
    ilmd: {
      'cbvmda:lotNumber': `LL-${code.slice(-6)}`,
      'cbvmda:countryOfOrigin': 'BR',
      'cbvmda:manufacturerOfTradeItemPartyName': 'Frigorifico Exemplo SIF 1234',
      ...(product ? { 'zj:productName': product } : {}),
    },
  };
}

const recalledThere = (code: string): Rec => ({
  type: 'ObjectEvent',
  eventID: `urn:uuid:6f1b3a2e-0000-4000-8000-${code.slice(-6).padStart(12, '0')}`,
  eventTime: '2026-11-26T08:00:00.000+08:00',
  eventTimeZoneOffset: '+08:00',
  epcList: [epc(code)],
  action: 'OBSERVE',
  bizStep: 'holding',
  disposition: 'recalled',
});

/** StandIn is the other vendor's platform: its events by code, the notices it was sent, and how it misbehaves. */
class StandIn {
  events = new Map<string, Rec[]>();
  notices: Rec[] = [];
  mode: 'ok' | 'down' | 'lying' | 'slow' = 'ok';
  queries = 0;
  lastSha = '';
  server: Server;
  constructor() {
    this.server = createServer((req, res) => {
      if (this.mode === 'down') {
        req.socket.destroy();
        return;
      }
      if (this.mode === 'slow') return; // It takes the request and never answers.
      const u = new URL(req.url ?? '/', 'http://x');
      if (req.headers.authorization !== 'Bearer zj-secret') {
        res.writeHead(401).end();
        return;
      }
      if (req.method === 'GET' && u.pathname === '/epcis/events') {
        this.queries += 1;
        const code = u.searchParams.get('MATCH_anyEPC') ?? '';
        const body =
          this.mode === 'lying'
            ? JSON.stringify({ type: 'EPCISQueryDocument', epcisBody: { queryResults: 'everything is fine' } })
            : JSON.stringify({
                '@context': CONTEXT,
                type: 'EPCISQueryDocument',
                schemaVersion: '2.0',
                creationDate: '2026-11-26T00:00:00Z',
                epcisBody: {
                  queryResults: {
                    queryName: 'SimpleEventQuery',
                    resultsBody: { eventList: this.events.get(code) ?? [] },
                  },
                },
              });
        this.lastSha = createHash('sha256').update(body).digest('hex');
        res.writeHead(200, { 'content-type': 'application/ld+json' }).end(body);
        return;
      }
      if (req.method === 'POST' && u.pathname === '/notices') {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => {
          this.notices.push(JSON.parse(Buffer.concat(chunks).toString('utf8')) as Rec);
          res.writeHead(204).end();
        });
        return;
      }
      res.writeHead(404).end();
    });
  }
  async listen() {
    await new Promise<void>((ok) => this.server.listen(0, '127.0.0.1', ok));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }
}

eachDialect('other platforms', (node) => {
  const zj = new StandIn();
  let base = '';
  let reg: { id: string; token: string }, shop: { id: string; token: string };
  let platformId = '';
  const A = 'ZJ-LL-2026-000123';
  const B = 'ZJ-LL-2026-000124';
  const at = () => new Date(node().clock.now()).toISOString();

  beforeAll(async () => {
    base = await zj.listen();
    zj.events.set(A, [commissioned(A, '冷冻牛肉 Frozen beef')]);
    zj.events.set(B, [commissioned(B, null)]);
    const n = node();
    reg = await addParty(n.app, n.adminToken, ['regulator'], '330000', { level: 'provincial' });
    shop = await addParty(n.app, n.adminToken, ['wholesaler'], '330000');
  });
  afterAll(async () => {
    zj.server.closeAllConnections();
    await new Promise((ok) => zj.server.close(ok));
  });

  it('refuses registrations with field-named errors, and only from regulators', async () => {
    const n = node();
    const good = {
      name: 'ZJ 冷链',
      codes: [{ kind: 'pattern', value: 'ZJ-LL-\\d{4}-\\d{6}' }],
      queryUrl: `${base}/epcis`,
    };
    const post = (token: string, body: unknown) => api(n.app, 'POST', '/v1/platforms', { token, body });
    expectError(
      await post(reg.token, { ...good, codes: [{ kind: 'pattern', value: '(' }] }),
      400,
      'ValidationFailed',
      'codes.0.value',
    );
    expectError(
      await post(reg.token, { ...good, codes: [{ kind: 'pattern', value: '.*' }] }),
      400,
      'ValidationFailed',
      'codes.0.value',
    );
    expectError(
      await post(reg.token, { ...good, codes: [{ kind: 'gs1_prefix', value: '12ab' }] }),
      400,
      'ValidationFailed',
      'codes.0.value',
    );
    expectError(
      await post(reg.token, { ...good, queryUrl: 'ftp://127.0.0.1/epcis' }),
      400,
      'ValidationFailed',
      'queryUrl',
    );
    expectError(await post(reg.token, { ...good, credential: 'has space' }), 400, 'ValidationFailed', 'credential');
    expectError(await post(reg.token, { ...good, codes: [] }), 400, 'ValidationFailed');
    expectError(await post(shop.token, good), 403, 'Forbidden');
    const r = await post(reg.token, { ...good, credential: 'zj-secret', noticeUrl: `${base}/notices` });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    platformId = r.body.id;
    expect(r.body).toMatchObject({ hasCredential: true, state: 'unknown', homeOrigin: `platform:${platformId}` });
    expectError(await post(reg.token, good), 409, 'Conflict', 'name');
    // The credential stays off the log: only its SHA-256 is there.
    const row = await n.deps.db
      .selectFrom('platforms')
      .selectAll()
      .where('id', '=', platformId)
      .executeTakeFirstOrThrow();
    expect(row.credentialSha256).toBe(createHash('sha256').update('zj-secret').digest('hex'));
  });

  it("receives goods by the other platform's code without typing the declaration again", async () => {
    const n = node();
    const r = await api(n.app, 'POST', '/v1/receipts', {
      token: shop.token,
      body: { code: A, quantity: { kg: 500, cartons: 20 }, receivedAt: at() },
    });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    expect(r.body).toMatchObject({
      to: { partyId: shop.id },
      status: 'received',
      received: { quantity: { kg: 500, cartons: 20 } },
    });
    const lot = await n.deps.db.selectFrom('lots').selectAll().where('code', '=', A).executeTakeFirstOrThrow();
    expect(lot).toMatchObject({
      origin: 'recognised',
      homeOrigin: `platform:${platformId}`,
      productNameEn: '冷冻牛肉 Frozen beef',
      originCountry: 'BR',
      batchNo: 'LL-000123',
      status: 'green',
    });
    const holding = await n.deps.db
      .selectFrom('holdings')
      .selectAll()
      .where('lotId', '=', lot.id)
      .executeTakeFirstOrThrow();
    expect({ partyId: holding.partyId, grams: Number(holding.grams) }).toEqual({ partyId: shop.id, grams: 500_000 });
    // The log names the source: the platform, the URL, and the SHA-256 of the very document it sent.
    const src = await sourceOf(n, Number(lot.logIndex));
    expect(src).toMatchObject({ platformId, sha256: zj.lastSha, url: `${base}/epcis/events?MATCH_anyEPC=${A}` });

    // A platform that does not name the goods: the consignee adds only the name.
    const noName = { code: B, quantity: { kg: 100, cartons: 4 }, receivedAt: at() };
    expectError(
      await api(n.app, 'POST', '/v1/receipts', { token: shop.token, body: noName }),
      400,
      'ValidationFailed',
      'productName',
    );
    const r2 = await api(n.app, 'POST', '/v1/receipts', {
      token: shop.token,
      body: { ...noName, productName: 'Frozen beef shank' },
    });
    expect(r2.status, JSON.stringify(r2.body)).toBe(201);

    // The code is traced like any other; the trace shows the holder.
    const t = await api(n.app, 'GET', `/v1/trace?ref=${A}`, { token: reg.token });
    expect(t.status, JSON.stringify(t.body)).toBe(200);
    expect(JSON.stringify(t.body)).toContain(shop.id);
    const traced = (t.body.lots as Rec[]).find((l) => l.code === A);
    expect(traced?.vouchedBy).toMatchObject({ origin: `platform:${platformId}`, trust: 'platform' });
    const list = await api(n.app, 'GET', '/v1/platforms', { token: reg.token });
    expect(list.body.items[0]).toMatchObject({ id: platformId, state: 'available', lots: 2 });

    // Scanned on the public page: the goods as the platform knows them, vouched for by no log (trust level 4).
    const pub = await api(n.app, 'GET', `/t/${A}.json?lang=en`);
    expect(pub.status, JSON.stringify(pub.body)).toBe(200);
    expect(pub.body).toMatchObject({ code: A, status: { colour: 'green' } });
    expect(JSON.stringify(pub.body)).toContain('"trust":"platform"');
    const html = await n.app.inject({ method: 'GET', url: `/t/${A}?lang=en` });
    expect(html.statusCode).toBe(200);
    expect(html.body).toContain('Frozen beef');
    // A code of the platform seen first on the public page is asked of it, and recorded here.
    const E = 'ZJ-LL-2026-000777';
    zj.events.set(E, [commissioned(E, 'Frozen lamb')]);
    const scanned = await api(n.app, 'GET', `/t/${E}.json`);
    expect(scanned.status, JSON.stringify(scanned.body)).toBe(200);
    expect((await api(n.app, 'GET', '/t/ZJ-LL-2026-000888.json')).status).toBe(404);
  });

  it("recognises a Digital Link on another host as that platform's code", async () => {
    const n = node();
    const r = await api(n.app, 'POST', '/v1/platforms', {
      token: reg.token,
      body: {
        name: 'Vendor cloud',
        codes: [{ kind: 'dl_host', value: 'id.vendor.example' }],
        queryUrl: `${base}/epcis`,
        credential: 'zj-secret',
      },
    });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    const D = 'https://id.vendor.example/01/09506000134352/10/ABC123';
    zj.events.set(D, [{ ...commissioned('ZJ-LL-2026-000999', 'Frozen squid'), epcList: [D] }]);
    const t = await api(n.app, 'GET', `/v1/trace?ref=${encodeURIComponent(D)}`, { token: reg.token });
    expect(t.status, JSON.stringify(t.body)).toBe(200);
    const lot = await n.deps.db.selectFrom('lots').selectAll().where('code', '=', D).executeTakeFirstOrThrow();
    expect(lot).toMatchObject({
      gtin: '09506000134352',
      batchNo: 'ABC123',
      productNameEn: 'Frozen squid',
      homeOrigin: `platform:${r.body.id}`,
    });
    // A Digital Link on a host no platform registered is still nobody's.
    const other = await api(n.app, 'GET', '/v1/trace?ref=https://id.elsewhere.example/01/09506000134352/10/ABC124', {
      token: reg.token,
    });
    expectError(other, 404, 'LotNotFound', 'ref');
  });

  it('pushes a recall here to the platform, and a recall there turns the goods red here', async () => {
    const n = node();
    const lotA = await n.deps.db.selectFrom('lots').selectAll().where('code', '=', A).executeTakeFirstOrThrow();
    // The worker pushes as soon as the recall is opened, not on its next pass (an hour away here).
    const worker = startPlatformWorker(n.deps, 3_600_000);
    try {
      const inc = await api(n.app, 'POST', '/v1/incidents', {
        token: reg.token,
        body: { trigger: { kind: 'lot', lotIds: [lotA.id] } },
      });
      expect(inc.status, JSON.stringify(inc.body)).toBe(201);
      for (let i = 0; i < 60 && zj.notices.length === 0; i++) await new Promise((ok) => setTimeout(ok, 50));
    } finally {
      await worker.stop();
    }
    expect(zj.notices).toHaveLength(1);
    const s = await syncPlatforms(n.deps);
    expect(s).toMatchObject({ queued: 0, delivered: 0, unavailable: [] });
    const notice = zj.notices[0]!;
    expect(() => validateCapture(notice)).not.toThrow();
    const ev = ((notice.epcisBody as Rec).eventList as Rec[])[0]!;
    expect(ev).toMatchObject({ disposition: 'recalled', 'ct:code': A });

    zj.events.set(B, [commissioned(B, null), recalledThere(B)]);
    const s2 = await syncPlatforms(n.deps);
    expect(s2.changed).toBe(1);
    const lotB = await n.deps.db.selectFrom('lots').selectAll().where('code', '=', B).executeTakeFirstOrThrow();
    expect(lotB.status).toBe('red');
    expect(JSON.parse(lotB.statusReasons)).toContainEqual(
      expect.objectContaining({ code: 'recalled', params: expect.objectContaining({ platform: platformId }) }),
    );
    // A recall the platform declared itself is not pushed back to it.
    expect(zj.notices).toHaveLength(1);
    // Goods red here are not received again by their code.
    const again = await api(n.app, 'POST', '/v1/receipts', {
      token: shop.token,
      body: { code: A, quantity: { kg: 1, cartons: 1 }, receivedAt: at() },
    });
    expectError(again, 409, 'LotBlocked', 'code');
  });

  it('shows an unreachable or lying platform as unavailable, and nothing else waits on it', async () => {
    const n = node();
    zj.mode = 'down';
    const C = 'ZJ-LL-2026-000125';
    const t0 = Date.now();
    const r = await api(n.app, 'POST', '/v1/receipts', {
      token: shop.token,
      body: { code: C, quantity: { kg: 1, cartons: 1 }, receivedAt: at() },
    });
    expectError(r, 424, 'PlatformUnavailable', 'code');
    expect(Date.now() - t0).toBeLessThan(2500);
    const list = await api(n.app, 'GET', '/v1/platforms', { token: reg.token });
    expect(list.body.items[0]).toMatchObject({ state: 'unavailable' });
    expect(list.body.items[1]).toMatchObject({ name: 'Vendor cloud', state: 'available' });
    expect(list.body.items[0].lastError).toBeTruthy();
    // What was recorded before still answers at once, without asking the platform.
    const before = zj.queries;
    const t1 = Date.now();
    expect((await api(n.app, 'GET', `/v1/trace?ref=${A}`, { token: reg.token })).status).toBe(200);
    expect((await api(n.app, 'GET', `/v1/trace?ref=${C}`, { token: reg.token })).status).toBe(424);
    expect(Date.now() - t1).toBeLessThan(1000);
    expect(zj.queries).toBe(before);
    expect((await syncPlatforms(n.deps)).unavailable).toContain(platformId);

    // A platform that answers with something that is not EPCIS is not believed either.
    zj.mode = 'lying';
    n.clock.advance(11_000);
    const lie = await api(n.app, 'POST', '/v1/receipts', {
      token: shop.token,
      body: { code: C, quantity: { kg: 1, cartons: 1 }, receivedAt: at() },
    });
    expectError(lie, 424, 'PlatformUnavailable', 'code');
    expect(lie.body.error.details.reason).toContain('EPCIS');
    expect(await n.deps.db.selectFrom('lots').select('id').where('code', '=', C).executeTakeFirst()).toBeUndefined();

    // A slow platform is given PLATFORM_TIMEOUT_MS (2 s), and meanwhile everything else answers at once.
    zj.mode = 'slow';
    n.clock.advance(11_000);
    const t2 = Date.now();
    const slow = api(n.app, 'POST', '/v1/receipts', {
      token: shop.token,
      body: { code: C, quantity: { kg: 1, cartons: 1 }, receivedAt: at() },
    });
    await new Promise((ok) => setTimeout(ok, 100));
    const t3 = Date.now();
    expect((await api(n.app, 'GET', `/v1/trace?ref=${A}`, { token: reg.token })).status).toBe(200);
    expect((await api(n.app, 'GET', '/v1/platforms', { token: reg.token })).status).toBe(200);
    expect(Date.now() - t3).toBeLessThan(1000);
    const timedOut = await slow;
    expectError(timedOut, 424, 'PlatformUnavailable', 'code');
    expect(timedOut.body.error.details.reason).toContain('timed out');
    expect(Date.now() - t2).toBeLessThan(3000);
    zj.server.closeAllConnections();

    zj.mode = 'ok';
    zj.events.set(C, [commissioned(C, 'Frozen pork')]);
    n.clock.advance(11_000);
    const ok = await api(n.app, 'POST', '/v1/receipts', {
      token: shop.token,
      body: { code: C, quantity: { kg: 1, cartons: 1 }, receivedAt: at() },
    });
    expect(ok.status, JSON.stringify(ok.body)).toBe(201);
    const after = await api(n.app, 'GET', '/v1/platforms', { token: reg.token });
    expect(after.body.items[0]).toMatchObject({ state: 'available', lots: 4 });
  });

  it("shows regulators the platforms and their state in the console's Other platforms view", async () => {
    const n = node();
    if (n.kind !== 'sqlite') return; // One browser run is enough: the view reads the same JSON on both.
    if (!existsSync(CHROMIUM))
      throw new Error(`Chromium is not installed at ${CHROMIUM}: run "apt-get install -y chromium"`);
    const url = await n.app.listen({ port: 0, host: '127.0.0.1' });
    const browser = await chromium.launch({ executablePath: CHROMIUM });
    try {
      const page = await (await browser.newContext({ locale: 'en' })).newPage();
      const failures: string[] = [];
      page.on('pageerror', (e) => failures.push(String(e)));
      await page.goto(`${url}/console`);
      await page.fill('#token', reg.token);
      await page.click('#sign-in button[type=submit]');
      await page.waitForSelector('#who-name');
      await page.click('#nav-platforms');
      await page.waitForSelector('#platforms');
      const zjRow = page.locator(`#platforms tr[data-platform-id="${platformId}"]`);
      expect(await zjRow.getAttribute('data-state')).toBe('available');
      expect(await zjRow.textContent()).toContain('ZJ-LL-\\d{4}-\\d{6}');
      expect(await page.locator('#platforms tbody tr').count()).toBe(2);
      expect(failures).toEqual([]);
      // A party that is not a regulator is not shown the link.
      const other = await (await browser.newContext({ locale: 'en' })).newPage();
      await other.goto(`${url}/console`);
      await other.fill('#token', shop.token);
      await other.click('#sign-in button[type=submit]');
      await other.waitForSelector('#who-name');
      expect(await other.isHidden('#nav-platforms')).toBe(true);
    } finally {
      await browser.close();
    }
  });

  it('replays: every row learned from the platform is a function of the log', async () => {
    const n = node();
    await n.checkpoint();
    const v = await verifyDatabase(n.deps.db, n.deps.log.origin, [parseVerifierKey(n.deps.log.signer.verifierKey)]);
    expect(v.problem).toBeUndefined();
    expect(v.ok).toBe(true);
  });
});

/** sourceOf reads the `source` part of the log entry at index. */
async function sourceOf(n: TestNode, index: number) {
  const [row] = await readEntries(n.deps.db, index, index + 1);
  return decodeEntry(row!.data).record.source as Rec;
}
