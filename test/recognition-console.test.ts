import { existsSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { borderCast, clearedLot } from './support/border.ts';
import type { BorderCast } from './support/border.ts';
import { crewOf, ok } from './support/chain.ts';
import type { Province } from './support/federation.ts';
import { peerAll, startProvince, sync } from './support/federation.ts';
import { addParty, api } from './support/http.ts';

// Two provinces' consoles in a real browser: the consignee's inbox shows goods coming from another province, and the
// regulator who opened a recall sees every province's share of it, with how far each is witnessed.

const CHROMIUM = process.env.COLDTRACE_CHROMIUM ?? '/usr/bin/chromium';

describe('the console across provinces', () => {
  let ha: Province, hb: Province;
  let browser: Browser;
  let cast: BorderCast;
  let wuhan: { id: string; token: string }, regHA: { id: string; token: string };
  let lot: { id: string; code: string };
  const now = (p: Province) => new Date(p.node.clock.now()).toISOString();

  const signIn = async (p: Province, token: string) => {
    const page = await (await browser.newContext({ locale: 'zh-CN' })).newPage();
    const failures: string[] = [];
    page.on('pageerror', (e) => failures.push(String(e)));
    (page as Page & { failures: string[] }).failures = failures;
    await page.goto(`${p.url}/console`);
    await page.fill('#token', token);
    await page.click('#sign-in button[type=submit]');
    await page.waitForSelector('#who-name');
    return page as Page & { failures: string[] };
  };

  beforeAll(async () => {
    if (!existsSync(CHROMIUM))
      throw new Error(`Chromium is not installed at ${CHROMIUM}: run "apt-get install -y chromium" (.ci/run does)`);
    [ha, hb] = await Promise.all([
      startProvince('sqlite', 'henan', '410000'),
      startProvince('sqlite', 'hubei', '420000'),
    ]);
    await peerAll([ha, hb]);
    cast = await borderCast(ha.node.app, ha.node.adminToken);
    const crew = await crewOf(ha.node, cast);
    regHA = await addParty(ha.node.app, ha.node.adminToken, ['regulator'], '410000', { level: 'provincial' });
    wuhan = await addParty(hb.node.app, hb.node.adminToken, ['wholesaler'], '420000');
    lot = await clearedLot(ha.node, cast);
    await sync([ha, hb]);
    ok(
      await api(ha.node.app, 'POST', `/v1/lots/${lot.id}/shipments`, {
        token: cast.importer.token,
        body: {
          fromLocationId: null,
          toPartyId: wuhan.id,
          toLocationId: null,
          quantity: { kg: 120, cartons: 12 },
          carrierPartyId: cast.carrier.id,
          vehicleId: cast.vehicleId,
          driverWorkerId: crew.driver,
          handlerWorkerIds: [crew.handler],
          departedAt: now(ha),
        },
      }),
    );
    await sync([ha, hb]);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
  });
  afterAll(async () => {
    await browser?.close();
    for (const p of [ha, hb]) await p?.node.close();
  });

  it("shows the consignee the goods coming from another province in its inbox, by the sender's name", async () => {
    const page = await signIn(hb, wuhan.token);
    await page.waitForSelector('li[data-kind="shipment.incoming"]');
    const text = await page.textContent('li[data-kind="shipment.incoming"]');
    expect(text).toContain('跨省来货');
    expect(text).toContain(lot.code);
    expect(text).toContain('无需重新申报');
    expect(page.failures).toEqual([]);
  });

  it("shows the regulator each province's share of its recall, witnessed", async () => {
    ok(
      await api(hb.node.app, 'POST', '/v1/receipts', {
        token: wuhan.token,
        body: { code: lot.code, quantity: { kg: 120, cartons: 12 }, receivedAt: now(hb) },
      }),
    );
    await sync([ha, hb]);
    const opened = ok(
      await api(ha.node.app, 'POST', '/v1/incidents', {
        token: regHA.token,
        body: { trigger: { kind: 'lot', lotIds: [lot.id] } },
      }),
    );
    await sync([ha, hb]);
    const page = await signIn(ha, regHA.token);
    await page.goto(`${ha.url}/console#/incidents/${opened.id}`);
    await page.waitForSelector('#by-province');
    const rows = await page.$$eval('#by-province tbody tr', (trs) =>
      trs.map((r) => [
        (r as HTMLElement).dataset.origin,
        (r as HTMLElement).dataset.trust,
        Number((r.querySelector('td.outstanding') as HTMLElement).dataset.kg),
        r.textContent,
      ]),
    );
    expect(rows.map((r) => r.slice(0, 3))).toEqual([[hb.origin, 'witnessed', 120]]);
    expect(rows[0]![3]).toContain('湖北省');
    expect(rows[0]![3]).toContain('已见证');
    expect(page.failures).toEqual([]);
  });
});
