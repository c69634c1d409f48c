import { existsSync } from 'node:fs';
import { createServer, request } from 'node:http';
import type { Socket } from 'node:net';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { result } from './support/border.ts';
import { buildChain, ok } from './support/chain.ts';
import type { Chain } from './support/chain.ts';
import { addParty, api } from './support/http.ts';
import { openTestNode } from './support/test-node.ts';
import type { TestNode } from './support/test-node.ts';

const CHROMIUM = process.env.COLDTRACE_CHROMIUM ?? '/usr/bin/chromium';
const CONSOLE_DIR = join(import.meta.dirname, '..', 'web', 'console');

/** assetsOf lists the console's files the page loads: its script and style sheet, and every module they import. */
async function assetsOf(
  n: TestNode,
): Promise<Map<string, { status: number; type: string; csp: string; body: string }>> {
  const seen = new Map<string, { status: number; type: string; csp: string; body: string }>();
  const queue = ['/console'];
  while (queue.length) {
    const url = queue.shift()!;
    if (seen.has(url)) continue;
    const r = await n.app.inject({ method: 'GET', url });
    seen.set(url, {
      status: r.statusCode,
      type: String(r.headers['content-type']),
      csp: String(r.headers['content-security-policy']),
      body: r.body,
    });
    for (const m of r.body.matchAll(/(?:src|href)="(\/console\/[^"]+)"|from '\.\/([^']+)'/g))
      queue.push(m[1] ?? `/console/${m[2]}`);
  }
  return seen;
}

describe('the web console', () => {
  let n: TestNode;
  beforeAll(async () => {
    n = await openTestNode('sqlite');
  });
  afterAll(async () => n?.close());

  it('is served with a strict Content-Security-Policy and loads nothing from elsewhere', async () => {
    const assets = await assetsOf(n);
    expect([...assets.keys()].sort()).toEqual([
      '/console',
      '/console/api.js',
      '/console/app.js',
      '/console/console.css',
      '/console/dom.js',
      '/console/inbox.js',
      '/console/incident-forms.js',
      '/console/incidents.js',
      '/console/platforms.js',
      '/console/reasons.js',
      '/console/regions.js',
      '/console/trace.js',
      '/console/words.js',
    ]);
    for (const [url, a] of assets) {
      expect(a.status, url).toBe(200);
      expect(a.csp, url).toContain("default-src 'none'");
      expect(a.csp, url).toContain("script-src 'self'");
      expect(a.csp, url).toContain("connect-src 'self'");
      expect(a.csp, url).toContain("require-trusted-types-for 'script'");
      expect(a.csp, url).not.toContain('unsafe-');
      expect(a.body, url).not.toMatch(/https?:\/\/|\/\/[a-z0-9.-]+\.[a-z]{2,}\//i);
      expect(a.body, url).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(|new Function/);
    }
    expect(assets.get('/console')!.type).toBe('text/html; charset=utf-8');
    expect(assets.get('/console/app.js')!.type).toBe('text/javascript; charset=utf-8');
    expect(assets.get('/console/console.css')!.type).toBe('text/css; charset=utf-8');
    expect(assets.get('/console')!.body).not.toMatch(/<script(?![^>]*\bsrc=)/);
    expect(assets.get('/console/regions.js')!.body).toContain('"410000":{"zh":"河南省","en":"Henan"}');

    const lang = async (headers: Record<string, string>, url = '/console') =>
      /<html lang="([^"]+)">/.exec((await n.app.inject({ method: 'GET', url, headers })).body)?.[1];
    expect(await lang({})).toBe('zh-CN');
    expect(await lang({ 'accept-language': 'en-GB,en;q=0.9' })).toBe('en');
    expect(await lang({ 'accept-language': 'en' }, '/console?lang=zh')).toBe('zh-CN');
    for (const url of [
      '/console/nothing.js',
      '/console/index.html',
      '/console/..%2Fpackage.json',
      '/console/%2e%2e%2fsrc%2fhttp%2fapp.ts',
    ]) {
      const r = await api(n.app, 'GET', url);
      expect(r.status, url).toBe(404);
      expect(r.body.error.code, url).toBe('NotFound');
    }
  });

  it('has every label in both languages', async () => {
    const { WORDS } = (await import(pathToFileURL(join(CONSOLE_DIR, 'words.js')).href)) as {
      WORDS: Record<'zh' | 'en', Record<string, unknown>>;
    };
    const shape = (v: unknown): unknown =>
      v !== null && typeof v === 'object'
        ? Object.fromEntries(
            Object.entries(v)
              .map(([k, x]) => [k, shape(x)])
              .sort(),
          )
        : typeof v;
    expect(shape(WORDS.en)).toEqual(shape(WORDS.zh));
  });

  describe('in Chromium', () => {
    let browser: Browser;
    let base: string;
    let c: Chain;
    let regZJ: { id: string; token: string };
    let holder: Page;
    let regulator: Page;
    let incidentId: string;

    beforeAll(async () => {
      if (!existsSync(CHROMIUM))
        throw new Error(`Chromium is not installed at ${CHROMIUM}: run "node scripts/ensure-chromium.js"`);
      c = await buildChain(n);
      regZJ = await addParty(n.app, n.adminToken, ['regulator'], '330000', { level: 'provincial' });
      base = await n.app.listen({ port: 0, host: '127.0.0.1' });
      browser = await chromium.launch({
        executablePath: CHROMIUM,
        args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
      });
    }, 120_000);
    afterAll(async () => {
      await browser?.close();
    });

    const signIn = async (token: string) => {
      const page = await (await browser.newContext({ locale: 'zh-CN' })).newPage();
      const failures: string[] = [];
      page.on('pageerror', (e) => failures.push(String(e)));
      page.on('console', (m) => {
        if (m.type() === 'error' && !/status of 4\d\d/.test(m.text())) failures.push(m.text());
      });
      (page as Page & { failures: string[] }).failures = failures;
      await page.goto(`${base}/console`);
      await page.fill('#token', token);
      await page.click('#sign-in button[type=submit]');
      await page.waitForSelector('#who-name');
      return page;
    };
    const kgIn = async (page: Page, selector: string) => Number(await page.getAttribute(selector, 'data-kg'));

    it("speaks the browser's language until the user chooses", async () => {
      for (const [locale, title] of [
        ['en-GB', 'Sign in'],
        ['zh-CN', '登录'],
        ['fr-FR', '登录'],
      ] as const) {
        const page = await (await browser.newContext({ locale })).newPage();
        await page.goto(`${base}/console`);
        expect(await page.textContent('#sign-in h1'), locale).toBe(title);
        await page.context().close();
      }
    });

    it('signs a holder in with its token, shows who it is, and an empty inbox', async () => {
      const bad = await (await browser.newContext({ locale: 'zh-CN' })).newPage();
      await bad.goto(`${base}/console`);
      await bad.fill('#token', 'ct_not_a_real_token_at_all');
      await bad.click('#sign-in button[type=submit]');
      expect(await bad.textContent('#sign-in .error .message')).toBe('需要有效的访问令牌。');
      await bad.context().close();

      holder = await signIn(c.wholesaler.token);
      expect(await holder.textContent('#who')).toContain('测试wholesaler');
      expect(await holder.textContent('#who')).toContain('浙江省');
      await holder.waitForSelector('#no-alerts');
      expect(await holder.textContent('#no-alerts')).toBe('暂无预警。');
      await holder.waitForSelector('#live[data-state=open]');
      expect(await holder.isHidden('#nav-trace')).toBe(true);
      expect(
        await holder.evaluate(() => [sessionStorage.length, localStorage.getItem('coldtrace.console.token')]),
      ).toEqual([1, null]);
    });

    it('shows the incident alert live, without a reload, with a banner, and acknowledges it', async () => {
      await holder.evaluate(() => Object.assign(window, { notReloaded: true }));
      const regGD = await addParty(n.app, n.adminToken, ['regulator'], '440000', { level: 'provincial' });
      const s = ok(
        await api(n.app, 'POST', `/v1/lots/${c.r.id}/market-samples`, {
          token: regGD.token,
          body: {
            point: 'outer_pack',
            labPartyId: c.cast.lab.id,
            takenAt: new Date(n.clock.now()).toISOString(),
            heldBy: c.retailer.id,
          },
        }),
      );
      const r = ok(
        await api(n.app, 'POST', `/v1/samples/${s.id}/result`, {
          token: c.cast.lab.token,
          body: result(n, 'positive'),
        }),
      );
      incidentId = r.incident.id;
      const [alert] = ok(await api(n.app, 'GET', '/v1/alerts', { token: c.wholesaler.token })).items;

      const item = `#alerts li[data-alert-id="${alert.id}"]`;
      await holder.waitForSelector(item, { timeout: 10_000 });
      expect(await holder.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(true);
      await holder.waitForSelector('#banner:not([hidden])');
      expect(await holder.textContent('#banner')).toContain('第 1 号事件');
      expect(await holder.getAttribute('#banner', 'data-alert')).toBe(alert.id);
      expect(await holder.getAttribute(item, 'class')).toContain('unacked');
      expect(await holder.textContent(`${item} .alert-head`)).toContain('紧急');
      // Shown in China time: the test clock is 08:00 UTC.
      expect(await holder.textContent(`${item} time`)).toBe('2026-11-25 16:00');
      expect(await holder.textContent(`${item}`)).toContain('涉及货物 440 kg');
      expect(await holder.textContent('#inbox-count')).toBe('1');

      await holder.click(`${item} .ack-button`);
      await holder.waitForSelector(`${item}[data-acked="true"]`);
      expect(await holder.getAttribute(item, 'class')).not.toContain('unacked');
      expect(await holder.isHidden('#inbox-count')).toBe(true);
      expect(ok(await api(n.app, 'GET', `/v1/alerts/${alert.id}`, { token: c.wholesaler.token })).acknowledgedAt).toBe(
        new Date(n.clock.now()).toISOString(),
      );
    });

    it('shows a regulator the incident, with the outstanding kg per holder and region as the API has them', async () => {
      regulator = await signIn(regZJ.token);
      await regulator.click('#nav-incidents');
      await regulator.waitForSelector(`#incidents tr[data-incident-id="${incidentId}"]`);
      await regulator.click(`#incidents tr[data-incident-id="${incidentId}"] a`);
      await regulator.waitForSelector('#by-holder');
      const inc = ok(await api(n.app, 'GET', `/v1/incidents/${incidentId}`, { token: regZJ.token }));
      expect(await regulator.textContent('#incident-title')).toContain('第 1 号事件');
      expect(await regulator.textContent('#incident-regions')).toBe('江苏省、浙江省、河南省、广东省');
      expect(await regulator.textContent('#incident-trigger')).toContain('阳性检测结果');
      expect(await kgIn(regulator, '#total td.outstanding')).toBe(1590);
      const shown = await regulator.$$eval('#by-holder tbody tr', (rows) =>
        rows.map((r) => [
          (r as HTMLElement).dataset.party,
          Number((r.querySelector('td.outstanding') as HTMLElement).dataset.kg),
        ]),
      );
      expect(shown).toEqual(
        inc.byHolder.map((b: { partyId: string; outstanding: { kg: number } }) => [b.partyId, b.outstanding.kg]),
      );
      expect(Object.fromEntries(shown)[c.wholesaler.id]).toBe(440);
      const regions = await regulator.$$eval('#by-region tbody tr', (rows) =>
        rows.map((r) => [
          (r as HTMLElement).dataset.region,
          Number((r.querySelector('td.outstanding') as HTMLElement).dataset.kg),
        ]),
      );
      expect(regions).toEqual([
        ['320000', 400],
        ['330000', 440],
        ['410000', 700],
        ['440000', 50],
      ]);
      const lots = await regulator.$$eval('#incident-lots tbody tr', (rows) =>
        rows.map((r) => [
          (r as HTMLElement).dataset.lotId,
          (r as HTMLElement).dataset.reason,
          (r as HTMLElement).dataset.status,
        ]),
      );
      expect(new Set(lots)).toEqual(
        new Set([
          [c.r.id, 'root', 'red'],
          [c.l1.id, 'source', 'red'],
          [c.l2.id, 'source', 'red'],
          [c.l3.id, 'same_container', 'red'],
        ]),
      );
      expect(await regulator.textContent(`#incident-lots tr[data-lot-id="${c.r.id}"]`)).toContain('阳性批次');
      expect(
        await regulator.$$eval('#contacts tbody tr', (rows) => rows.map((r) => (r as HTMLElement).dataset.kind)),
      ).toEqual(expect.arrayContaining(['vehicle', 'driver', 'handler', 'location']));
      // The holder is named, not just numbered: Zhejiang's regulator may read a Zhejiang party.
      expect(await regulator.textContent(`#by-holder tr[data-party="${c.wholesaler.id}"]`)).toContain('测试wholesaler');
    });

    it('lets a holder record an action through the form, and the totals change', async () => {
      await holder.click('#banner a');
      await holder.waitForSelector('#your-goods');
      expect(await kgIn(holder, '#total td.outstanding')).toBe(440);
      const form = `#your-goods .holding[data-lot-id="${c.l1.id}"] form`;
      // Destroying needs the record's number: the refusal names the field, in Chinese.
      await holder.selectOption(`${form} select[name=action]`, 'destroyed');
      await holder.click(`${form} button[type=submit]`);
      await holder.waitForSelector(`${form} .error`);
      expect(await holder.textContent(`${form} .error`)).toContain('请求中有字段无效。');
      expect(await holder.textContent(`${form} .error`)).toContain('referenceDoc');
      // The reason too, not only the message, is in the console's language (the API sends it in English).
      expect(await holder.textContent(`${form} .error`)).toContain('必须填写销毁记录的编号');

      await holder.selectOption(`${form} select[name=action]`, 'sealed');
      await holder.fill(`${form} input[name=kg]`, '200');
      await holder.fill(`${form} input[name=cartons]`, '10');
      await holder.fill(`${form} input[name=note]`, '封存于 2 号冷库');
      // The form proposes the browser's now; the node's clock is the test's, and an event time may not be in its future.
      await holder.fill(`${form} input[name=at]`, new Date(n.clock.now() + 8 * 3_600_000).toISOString().slice(0, 16));
      await holder.click(`${form} button[type=submit]`);
      await holder.waitForSelector('.flash');
      expect(await holder.textContent('.flash')).toBe('处置已记录。');
      expect(await kgIn(holder, '#total td.outstanding')).toBe(240);
      expect(await kgIn(holder, '#total td.accounted')).toBe(200);
      expect(await holder.$(`#your-goods .holding[data-lot-id="${c.l1.id}"] form`)).toBeNull();
      expect(await holder.textContent('#actions')).toContain('封存');

      const inc = ok(await api(n.app, 'GET', `/v1/incidents/${incidentId}`, { token: regZJ.token }));
      expect(inc.actions).toEqual([
        expect.objectContaining({
          lotId: c.l1.id,
          partyId: c.wholesaler.id,
          action: 'sealed',
          quantity: { kg: 200, cartons: 10 },
          note: '封存于 2 号冷库',
          status: 'accepted',
        }),
      ]);
      await regulator.reload();
      await regulator.waitForSelector('#by-holder');
      expect(await kgIn(regulator, `#by-holder tr[data-party="${c.wholesaler.id}"] td.outstanding`)).toBe(240);
      expect(await kgIn(regulator, '#total td.outstanding')).toBe(1390);
    });

    it('lets a regulator approve a negative retest, refuses to close with kg outstanding and says why, in either language', async () => {
      const retest = ok(
        await api(n.app, 'POST', `/v1/incidents/${incidentId}/actions`, {
          token: c.cast.importer.token,
          body: {
            lotId: c.l3.id,
            locationId: null,
            action: 'retested_negative',
            quantity: { kg: 100, cartons: 5 },
            at: new Date(n.clock.now()).toISOString(),
            referenceDoc: 'LAB-2026-881',
          },
        }),
      );
      await regulator.reload();
      const row = `#actions tr[data-action-id="${retest.id}"]`;
      await regulator.waitForSelector(`${row}[data-status="pending_approval"]`);
      // Approving is all the decision does: no box rides along that would release the lot.
      expect(await regulator.$$(`${row} input[type=checkbox]`)).toEqual([]);
      await regulator.click(`${row} button.approve`);
      await regulator.waitForSelector(`${row}[data-status="approved"]`);
      expect(ok(await api(n.app, 'GET', `/v1/lots/${c.l3.id}`, { token: n.adminToken })).status).toBe('red');
      const l3 = `#incident-lots tr[data-lot-id="${c.l3.id}"]`;
      expect(await regulator.getAttribute(l3, 'data-status')).toBe('red');

      // Releasing is a separate control, unticked, that asks for a reason.
      expect(await regulator.isChecked(`${l3} input.release-lot`)).toBe(false);
      expect(await regulator.isVisible(`${l3} input.release-reason`)).toBe(false);
      await regulator.check(`${l3} input.release-lot`);
      await regulator.fill(`${l3} input.release-reason`, '复检阴性，同批其余货物已处置');
      await regulator.click(`${l3} button.release`);
      await regulator.waitForSelector(`${l3}[data-status="green"] .chip.released`);
      expect(ok(await api(n.app, 'GET', `/v1/lots/${c.l3.id}`, { token: n.adminToken })).status).toBe('green');

      await regulator.click('#close-form button[type=submit]');
      await regulator.waitForSelector('#close-result .error[data-code="IncidentOutstanding"]');
      expect(await regulator.textContent('#close-result .error .message')).toBe(
        '涉事货物尚未全部处置完毕，事件不能结案。',
      );
      const listed = await regulator.$$eval('#close-result .outstanding li', (xs) =>
        xs.map((x) => (x as HTMLElement).dataset.party),
      );
      expect(listed).toContain(c.wholesaler.id);
      expect(await regulator.textContent(`#close-result .outstanding li[data-party="${c.wholesaler.id}"]`)).toContain(
        '240 kg',
      );

      await regulator.click('#lang-toggle');
      await regulator.waitForSelector('html[lang="en"]');
      await regulator.waitForSelector('#by-holder');
      expect(await regulator.textContent('#nav-incidents')).toBe('Incidents');
      expect(await regulator.textContent('#incident-title')).toContain('Incident 1');
      expect(await regulator.textContent('#by-holder thead')).toContain('Outstanding');
      expect(await regulator.textContent('#incident-regions')).toBe('Jiangsu, Zhejiang, Henan, Guangdong');
      await regulator.click('#close-form button[type=submit]');
      await regulator.waitForSelector('#close-result .error');
      expect(await regulator.textContent('#close-result .error .message')).toBe(
        'Affected goods are not yet all accounted for; the incident stays open.',
      );
      expect(ok(await api(n.app, 'GET', `/v1/incidents/${incidentId}`, { token: regZJ.token })).status).toBe('open');

      // The choice is kept across a reload, and the token for the tab's session.
      await regulator.reload();
      await regulator.waitForSelector('#by-holder');
      expect(await regulator.getAttribute('html', 'lang')).toBe('en');
      expect(await regulator.textContent('#lang-toggle')).toBe('中文');
    });

    it('traces a lot forward and backward from its code, carton code or Digital Link', async () => {
      const traced = async (ref: string, direction: string) => {
        await regulator.goto(`${base}/console#/trace`);
        await regulator.waitForSelector('#trace-form');
        await regulator.fill('#trace-ref', ref);
        await regulator.selectOption('#trace-direction', direction);
        await regulator.click('#trace-form button[type=submit]');
        await regulator.waitForSelector('#trace-lots, #trace-result .error');
        return regulator.$$eval('#trace-lots tbody tr', (rows) =>
          rows.map((r) => [(r as HTMLElement).dataset.lotId, Number((r as HTMLElement).dataset.depth)]),
        );
      };
      expect(await traced(c.l1.code, 'forward')).toEqual([
        [c.l1.id, 0],
        [c.r.id, 1],
      ]);
      expect(await regulator.textContent('#trace-summary')).toContain('lots');
      const holders = await regulator.$$eval('#trace-holders tbody tr', (rows) =>
        rows.map((r) => (r as HTMLElement).dataset.party),
      );
      expect(new Set(holders)).toEqual(new Set([c.cast.importer.id, c.coldStore.id, c.wholesaler.id, c.retailer.id]));
      const fwd = ok(await api(n.app, 'GET', `/v1/lots/${c.l1.id}/trace?direction=forward`, { token: regZJ.token }));
      expect(await regulator.$$eval('#trace-shipments tbody tr', (rows) => rows.length)).toBe(fwd.shipments.length);
      expect(await regulator.textContent('#trace-shipments')).toContain('In transit');
      expect(await regulator.textContent('#trace-transformations')).toContain('Repack');

      const back = await traced(c.r.code, 'backward');
      expect(new Set(back.map(([id]) => id))).toEqual(new Set([c.r.id, c.l1.id, c.l2.id]));
      expect(back.find(([id]) => id === c.r.id)?.[1]).toBe(0);
      const border = await regulator.$$eval('#trace-border .border-record', (xs) =>
        xs.map((x) => (x as HTMLElement).dataset.lotId),
      );
      expect(new Set(border)).toEqual(new Set([c.l1.id, c.l2.id]));
      expect(await regulator.textContent('#trace-border')).toContain('Argentina');
      // The rest of L1 (the cold store's part) is shown apart, labelled, not as R's path.
      expect(await regulator.textContent('#trace-same-source')).toContain('Also from the same source');

      const link = `https://id.gs1.org/01/${c.l1.gtin}/10/${encodeURIComponent(c.l1.batchNo)}`;
      expect((await traced(link, 'forward')).map(([id]) => id)).toEqual([c.l1.id, c.r.id]);

      await traced('not-a-code', 'forward');
      expect(await regulator.textContent('#trace-result .error')).toContain('The request has an invalid field.');
      expect(await regulator.textContent('#trace-result .error')).toContain(
        'must be a lot id, a trace code, a carton code or a GS1 Digital Link URI',
      );
    });

    it('reconnects a broken stream with Last-Event-ID and gets what was raised meanwhile', async () => {
      // A proxy in front of the server, which can cut the console's event stream as a bad network would.
      const streams = new Set<Socket>();
      const lastIds: (string | undefined)[] = [];
      const proxy = createServer((req, res) => {
        const up = request(`${base}${req.url}`, { method: req.method, headers: req.headers }, (ur) => {
          res.writeHead(ur.statusCode ?? 502, ur.headers);
          ur.pipe(res);
        });
        up.on('error', () => res.destroy());
        res.on('close', () => up.destroy());
        if (req.url === '/v1/alerts/stream') {
          lastIds.push(req.headers['last-event-id'] as string | undefined);
          streams.add(req.socket);
          req.socket.on('close', () => streams.delete(req.socket));
        }
        req.pipe(up);
      });
      await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
      const port = (proxy.address() as { port: number }).port;
      try {
        const page = await (await browser.newContext({ locale: 'zh-CN' })).newPage();
        await page.goto(`http://127.0.0.1:${port}/console`);
        await page.fill('#token', c.wholesaler.token);
        await page.click('#sign-in button[type=submit]');
        await page.waitForSelector('#live[data-state=open]');
        const notice = async (zh: string) =>
          ok(
            await api(n.app, 'POST', '/v1/notices', {
              token: regZJ.token,
              body: {
                title: { zh, en: null },
                text: { zh: '请核查库存。', en: null },
                severity: 'warning',
                partyIds: [c.wholesaler.id],
              },
            }),
          );
        await notice('第一条通知');
        const first = ok(await api(n.app, 'GET', '/v1/alerts?kind=notice', { token: c.wholesaler.token })).items[0];
        await page.waitForSelector(`#alerts li[data-alert-id="${first.id}"]`);

        for (const s of streams) s.destroy();
        await page.waitForSelector('#live[data-state=reconnecting]');
        await notice('第二条通知');
        const second = ok(await api(n.app, 'GET', '/v1/alerts?kind=notice', { token: c.wholesaler.token })).items[0];
        await page.waitForSelector(`#alerts li[data-alert-id="${second.id}"]`, { timeout: 15_000 });
        await page.waitForSelector('#live[data-state=open]');
        expect(lastIds).toEqual([undefined, first.id]);
        expect(await page.textContent(`#alerts li[data-alert-id="${second.id}"]`)).toContain('第二条通知');
        await page.context().close();
      } finally {
        for (const s of streams) s.destroy();
        await new Promise((resolve) => proxy.close(resolve));
      }
    });

    it('ran without a script error or a refused resource', () => {
      for (const page of [holder, regulator]) expect((page as Page & { failures: string[] }).failures).toEqual([]);
    });
  });
});
