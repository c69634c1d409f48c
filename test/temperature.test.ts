import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { expect, it } from 'vitest';
import { verifyDatabase } from '../src/app/audit/verify.ts';
import { parseVerifierKey } from '../src/log/note-key.ts';
import { borderCast, clearedLot } from './support/border.ts';
import type { BorderCast } from './support/border.ts';
import type { Reply } from './support/http.ts';
import { addParty, api, expectError, residentId } from './support/http.ts';
import { eachDialect } from './support/test-node.ts';
import type { TestNode } from './support/test-node.ts';

const MIN = 60_000;

/** uploadCsv posts a data logger's CSV file as a multipart form, as `curl -F` would. */
async function uploadCsv(
  app: FastifyInstance,
  token: string,
  fields: Record<string, string>,
  csv: string | Buffer,
  headers: Record<string, string> = {},
): Promise<Reply> {
  const boundary = `----ct${Math.random().toString(16).slice(2)}`;
  const parts: Buffer[] = [];
  for (const [k, v] of Object.entries(fields))
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`));
  parts.push(
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="logger.csv"\r\nContent-Type: text/csv\r\n\r\n`,
    ),
    Buffer.from(csv),
    Buffer.from(`\r\n--${boundary}--\r\n`),
  );
  const res = await app.inject({
    method: 'POST',
    url: '/v1/temperature-uploads',
    headers: {
      authorization: `Bearer ${token}`,
      'content-type': `multipart/form-data; boundary=${boundary}`,
      ...headers,
    },
    payload: Buffer.concat(parts),
  });
  return { status: res.statusCode, body: JSON.parse(res.body), headers: res.headers as Record<string, unknown> };
}

/** China local time "YYYY-MM-DD HH:mm:ss" of epoch ms, as a logger set to UTC+8 writes it. */
const local = (ms: number) => new Date(ms + 480 * MIN).toISOString().slice(0, 19).replace('T', ' ');

/** loggerCsv writes a logger file: a preamble, a header, and one line per reading (local time, °C with a decimal comma). */
const loggerCsv = (readings: { at: number; celsius: number }[]) =>
  `Logger SN;EL-USB-2 0042\nTrip;T-2026-11\n\n记录时间;温度(℃)\n${readings.map((r) => `${local(r.at)};${String(r.celsius).replace('.', ',')}`).join('\n')}\n`;

/** series makes a reading every stepMin minutes from start, warm (−12 °C) from warmFrom to warmTo (minutes), −20 °C otherwise. */
const series = (start: number, count: number, stepMin: number, warmFrom = -1, warmTo = -1) =>
  Array.from({ length: count }, (_, i) => ({
    at: start + i * stepMin * MIN,
    celsius: i * stepMin >= warmFrom && i * stepMin <= warmTo ? -12 : -20,
  }));

const json = (readings: { at: number; celsius: number }[]) =>
  readings.map((r) => ({ at: new Date(r.at).toISOString(), celsius: r.celsius }));

async function verify(n: TestNode) {
  await n.checkpoint();
  return verifyDatabase(n.deps.db, n.deps.log.origin, [parseVerifierKey(n.deps.log.signer.verifierKey)]);
}

async function qaToken(n: TestNode, partyId: string): Promise<string> {
  const t = await api(n.app, 'POST', `/v1/parties/${partyId}/tokens`, {
    token: n.adminToken,
    body: { label: 'QA 质量部', qa: true },
  });
  expect(t.status, JSON.stringify(t.body)).toBe(201);
  expect(t.body.qa).toBe(true);
  return t.body.token;
}

async function crew(n: TestNode, cast: BorderCast) {
  const mk = async (body: Record<string, unknown>) => {
    const w = await api(n.app, 'POST', '/v1/workers', { token: cast.carrier.token, body });
    expect(w.status, JSON.stringify(w.body)).toBe(201);
    const t = await api(n.app, 'POST', `/v1/workers/${w.body.id}/tests`, {
      token: cast.carrier.token,
      body: {
        sampledAt: new Date(n.clock.now() - 7 * 3_600_000).toISOString(),
        result: 'negative',
        institution: '郑州疾控',
      },
    });
    expect(t.status).toBe(201);
    return w.body.id as string;
  };
  const seq = String(300 + Math.floor(Math.random() * 600));
  return {
    driver: await mk({ name: '刘师傅', role: 'driver', idNumber: residentId('19820202', seq) }),
    handler: await mk({ name: '陈搬运', role: 'warehouse_handler', idNumber: residentId('19830303', seq) }),
  };
}

const lotOf = async (n: TestNode, id: string) =>
  (await api(n.app, 'GET', `/v1/lots/${id}`, { token: n.adminToken })).body;

eachDialect('temperatures', (node) => {
  it('a breach in a logger CSV turns a cleared lot yellow with its reason, until the holder’s QA or a regulator closes it', async () => {
    const n = node();
    const cast = await borderCast(n.app, n.adminToken);
    const lot = await clearedLot(n, cast);
    expect((await lotOf(n, lot.id)).status).toBe('green');

    // Two hours of five-minute readings ending an hour ago, warm for 40 minutes in the middle.
    const start = n.clock.now() - 3 * 60 * MIN;
    const up = await uploadCsv(
      n.app,
      cast.importer.token,
      { subjectKind: 'lot', subjectId: lot.id, deviceId: 'EL-0042', utcOffsetMinutes: '480' },
      loggerCsv(series(start, 25, 5, 30, 70)),
    );
    expect(up.status, JSON.stringify(up.body)).toBe(201);
    expect(up.body).toMatchObject({
      subject: { kind: 'lot', id: lot.id },
      count: 25,
      source: 'csv',
      deviceId: 'EL-0042',
      tempClass: 'frozen',
    });
    expect(up.body.breaches).toEqual([
      expect.objectContaining({
        startAt: new Date(start + 30 * MIN).toISOString(),
        endAt: new Date(start + 75 * MIN).toISOString(),
        minCelsius: -12,
        maxCelsius: -12,
        endReason: 'back_in_range',
        rule: { maxCelsius: -18, minDurationMs: 30 * MIN, maxGapMs: 60 * MIN, tempClass: 'frozen', setBy: 'default' },
        lotIds: [lot.id],
        status: 'open',
        closed: null,
      }),
    ]);
    const breachId = up.body.breaches[0].id as string;

    const yellow = await lotOf(n, lot.id);
    expect(yellow.status).toBe('yellow');
    expect(yellow.statusReasons).toEqual([
      {
        code: 'temperature_breach_open',
        params: expect.objectContaining({ breachId, maxCelsius: -12, limitCelsius: -18, minutes: 45 }),
      },
    ]);
    // The public page words the breach without its internal id (issue 12 item 10).
    const zh = await api(n.app, 'GET', `/t/${lot.code}.json?lang=zh`);
    expect(zh.body.status.reasons).toEqual([
      { code: 'temperature_breach_open', text: '温度异常正在核查：最高 -12 ℃，高于 -18 ℃ 的上限持续 45 分钟' },
    ]);
    const en = await api(n.app, 'GET', `/t/${lot.code}.json?lang=en`);
    expect(en.body.status.reasons[0].text).toBe(
      'A temperature problem is being checked: up to -12 °C, above the -18 °C limit for 45 min.',
    );
    const listed = await api(n.app, 'GET', `/v1/temperature-breaches?lotId=${lot.id}&status=open`, {
      token: cast.importer.token,
    });
    expect(listed.body.items.map((b: { id: string }) => b.id)).toEqual([breachId]);

    // The holder's ordinary token may not close it; its QA token may, with a comment.
    const close = (token: string, comment = '复核：货物中心温度 -19 ℃，品质未受影响') =>
      api(n.app, 'POST', `/v1/temperature-breaches/${breachId}/close`, { token, body: { comment } });
    expectError(await close(cast.importer.token), 403, 'Forbidden');
    expectError(await close(cast.importer.token, '   '), 400, 'ValidationFailed', 'comment');
    const stranger = await addParty(n.app, n.adminToken, ['cold_store']);
    expectError(await close(await qaToken(n, stranger.id)), 404, 'NotFound', 'id');
    const qa = await qaToken(n, cast.importer.id);
    n.clock.advance(MIN);
    const closed = await close(qa);
    expect(closed.status, JSON.stringify(closed.body)).toBe(200);
    expect(closed.body).toMatchObject({
      status: 'closed',
      closed: {
        byPartyId: cast.importer.id,
        at: new Date(n.clock.now()).toISOString(),
        comment: '复核：货物中心温度 -19 ℃，品质未受影响',
      },
    });
    expect(await lotOf(n, lot.id)).toMatchObject({ status: 'green', statusReasons: [] });
    expectError(await close(qa), 409, 'Conflict');
    expect(
      (await api(n.app, 'GET', `/v1/temperature-breaches?lotId=${lot.id}&status=open`, { token: cast.importer.token }))
        .body.items,
    ).toEqual([]);

    // Two breaches in one upload (JSON this time): closing one leaves the lot yellow with the other.
    const later = n.clock.now() - 80 * MIN;
    const twice = Array.from({ length: 16 }, (_, i) => ({
      at: later + i * 5 * MIN,
      celsius: i * 5 <= 30 || i * 5 >= 45 ? -12 : -20,
    }));
    const second = await api(n.app, 'POST', '/v1/temperature-uploads', {
      token: cast.importer.token,
      body: { subject: { kind: 'lot', id: lot.id }, readings: json(twice) },
    });
    expect(second.status, JSON.stringify(second.body)).toBe(201);
    expect(second.body.breaches.map((b: { endReason: string }) => b.endReason)).toEqual([
      'back_in_range',
      'end_of_data',
    ]);
    const [b1, b2] = second.body.breaches.map((b: { id: string }) => b.id) as [string, string];
    expect(
      (await lotOf(n, lot.id)).statusReasons.map((r: { params: { breachId: string } }) => r.params.breachId),
    ).toEqual([b1, b2]);
    // A provincial regulator of the lot's region closes one; a regulator elsewhere does not even see it.
    const henan = await addParty(n.app, n.adminToken, ['regulator'], '410000');
    const far = await addParty(n.app, n.adminToken, ['regulator'], '320000');
    expectError(
      await api(n.app, 'POST', `/v1/temperature-breaches/${b1}/close`, { token: far.token, body: { comment: '越权' } }),
      404,
      'NotFound',
    );
    const byRegulator = await api(n.app, 'POST', `/v1/temperature-breaches/${b1}/close`, {
      token: henan.token,
      body: { comment: '现场核查，冷机故障已修复' },
    });
    expect(byRegulator.status, JSON.stringify(byRegulator.body)).toBe(200);
    const still = await lotOf(n, lot.id);
    expect(still.status).toBe('yellow');
    expect(still.statusReasons.map((r: { params: { breachId: string } }) => r.params.breachId)).toEqual([b2]);
    expect(
      (
        await api(n.app, 'POST', `/v1/temperature-breaches/${b2}/close`, {
          token: qa,
          body: { comment: '同一故障，已处理' },
        })
      ).status,
    ).toBe(200);
    expect((await lotOf(n, lot.id)).status).toBe('green');
    expect((await verify(n)).problem).toBeUndefined();
  });

  it('a breach at a location affects the lots there during it, and one in a vehicle the lots it carried then', async () => {
    const n = node();
    const cast = await borderCast(n.app, n.adminToken);
    const store = await addParty(n.app, n.adminToken, ['cold_store']);
    const c = await crew(n, cast);
    const [atStore, onTruck, later, elsewhere] = [
      await clearedLot(n, cast),
      await clearedLot(n, cast),
      await clearedLot(n, cast),
      await clearedLot(n, cast),
    ];
    const now = n.clock.now();
    const loc = await api(n.app, 'POST', '/v1/locations', {
      token: cast.importer.token,
      body: {
        filingNo: `豫冷-T${now % 100000}`,
        name: '进口商冷库',
        address: '郑州市',
        region: '410000',
        kind: 'cold_store',
        tempClass: 'frozen',
      },
    });
    expect(loc.status, JSON.stringify(loc.body)).toBe(201);
    const t = await api(n.app, 'POST', `/v1/lots/${atStore.id}/transfers`, {
      token: cast.importer.token,
      body: {
        fromLocationId: null,
        toLocationId: loc.body.id,
        quantity: { kg: 100, cartons: 5 },
        // Stored before the breach (event time): a lot put in only after it would not be affected.
        at: new Date(now - 3 * 60 * MIN).toISOString(),
      },
    });
    expect(t.status, JSON.stringify(t.body)).toBe(201);

    const ship = async (lotId: string, departedAt: number) => {
      const s = await api(n.app, 'POST', `/v1/lots/${lotId}/shipments`, {
        token: cast.importer.token,
        body: {
          toPartyId: store.id,
          quantity: { kg: 10, cartons: 1 },
          carrierPartyId: cast.carrier.id,
          vehicleId: cast.vehicleId,
          driverWorkerId: c.driver,
          handlerWorkerIds: [c.handler],
          departedAt: new Date(departedAt).toISOString(),
        },
      });
      expect(s.status, JSON.stringify(s.body)).toBe(201);
      return s.body.id as string;
    };
    // onTruck travelled from 6 h to 1 h ago; `later` left after the breach and is still on its way.
    const s1 = await ship(onTruck.id, now - 6 * 60 * MIN);
    const r1 = await api(n.app, 'POST', `/v1/shipments/${s1}/receipt`, {
      token: store.token,
      body: { quantity: { kg: 10, cartons: 1 }, receivedAt: new Date(now - 60 * MIN).toISOString() },
    });
    expect(r1.status, JSON.stringify(r1.body)).toBe(201);
    await ship(later.id, now - 30 * MIN);

    const byLoc = await api(n.app, 'POST', '/v1/temperature-uploads', {
      token: cast.importer.token,
      body: { subject: { kind: 'location', id: loc.body.id }, readings: json(series(now - 120 * MIN, 13, 10, 20, 70)) },
    });
    expect(byLoc.status, JSON.stringify(byLoc.body)).toBe(201);
    expect(byLoc.body.breaches.map((b: { lotIds: string[] }) => b.lotIds)).toEqual([[atStore.id]]);

    const byTruck = await api(n.app, 'POST', '/v1/temperature-uploads', {
      token: cast.carrier.token,
      body: {
        subject: { kind: 'vehicle', id: cast.vehicleId },
        deviceId: 'TRUCK-1',
        readings: json(series(now - 5 * 60 * MIN, 19, 10, 60, 120)),
      },
    });
    expect(byTruck.status, JSON.stringify(byTruck.body)).toBe(201);
    expect(byTruck.body.breaches.map((b: { lotIds: string[] }) => b.lotIds)).toEqual([[onTruck.id]]);

    expect((await lotOf(n, atStore.id)).status).toBe('yellow');
    expect((await lotOf(n, onTruck.id)).status).toBe('yellow');
    expect((await lotOf(n, later.id)).status).toBe('green');
    expect((await lotOf(n, elsewhere.id)).status).toBe('green');

    // The receiver of the carried lot sees the breach; the carrier's QA may close it, and it sees both breaches of its own.
    const seen = await api(n.app, 'GET', `/v1/temperature-breaches?lotId=${onTruck.id}`, { token: store.token });
    expect(seen.body.items).toHaveLength(1);
    expect((await api(n.app, 'GET', `/v1/temperature-uploads/${byTruck.body.id}`, { token: store.token })).status).toBe(
      200,
    );
    expectError(
      await api(n.app, 'GET', `/v1/temperature-uploads/${byLoc.body.id}`, { token: store.token }),
      404,
      'NotFound',
    );
    const closed = await api(n.app, 'POST', `/v1/temperature-breaches/${seen.body.items[0].id}/close`, {
      token: await qaToken(n, cast.carrier.id),
      body: { comment: '冷机除霜，货物抽检合格' },
    });
    expect(closed.status, JSON.stringify(closed.body)).toBe(200);
    expect((await lotOf(n, onTruck.id)).status).toBe('green');
    // Nobody logs another party's vehicle or place.
    expectError(
      await api(n.app, 'POST', '/v1/temperature-uploads', {
        token: store.token,
        body: { subject: { kind: 'location', id: loc.body.id }, readings: json(series(now - 10 * MIN, 2, 1)) },
      }),
      404,
      'LocationNotFound',
      'subject.id',
    );
    expect((await verify(n)).problem).toBeUndefined();
  });

  it('serves the raw points back exactly, a page at a time, and commits to them by hash', async () => {
    const n = node();
    const cast = await borderCast(n.app, n.adminToken);
    const start = n.clock.now() - 60 * MIN;
    const readings = [
      { at: start, celsius: -18.123456789 },
      { at: start + 1, celsius: 0.1 + 0.2 },
      { at: start + 1_500, celsius: -0 },
      { at: start + 61_001, celsius: -99.99 },
      { at: start + 120_000, celsius: 1e-7 },
      { at: start + 180_000, celsius: -21 },
      { at: start + 240_000, celsius: -17.5 },
    ];
    const up = await api(n.app, 'POST', '/v1/temperature-uploads', {
      token: cast.carrier.token,
      body: { subject: { kind: 'vehicle', id: cast.vehicleId }, readings: json(readings) },
    });
    expect(up.status, JSON.stringify(up.body)).toBe(201);
    const canonical = readings.map((r) => `${r.at},${String(r.celsius + 0)}\n`).join('');
    expect(up.body.pointsSha256).toBe(createHash('sha256').update(canonical).digest('hex'));
    expect(up.body).toMatchObject({
      count: 7,
      firstAt: new Date(start).toISOString(),
      lastAt: new Date(start + 240_000).toISOString(),
    });

    const got: { at: string; celsius: number }[] = [];
    let cursor: string | null = null;
    do {
      const q: string = `/v1/temperature-readings?subjectKind=vehicle&subjectId=${cast.vehicleId}&limit=3${cursor ? `&cursor=${cursor}` : ''}`;
      const page = await api(n.app, 'GET', q, { token: cast.carrier.token });
      expect(page.status, JSON.stringify(page.body)).toBe(200);
      expect(page.body.items.length).toBeLessThanOrEqual(3);
      got.push(
        ...page.body.items.map((p: { at: string; celsius: number; uploadId: string }) => ({
          at: p.at,
          celsius: p.celsius,
        })),
      );
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(got).toEqual(readings.map((r) => ({ at: new Date(r.at).toISOString(), celsius: r.celsius + 0 })));
    const window = await api(
      n.app,
      'GET',
      `/v1/temperature-readings?subjectKind=vehicle&subjectId=${cast.vehicleId}&from=${new Date(start + 1).toISOString()}&to=${new Date(start + 120_000).toISOString()}`,
      { token: n.adminToken },
    );
    expect(window.body.items.map((p: { celsius: number }) => p.celsius)).toEqual([0.1 + 0.2, 0, -99.99]);
    // Others' readings are not found; a regulator of the region sees them.
    const other = await addParty(n.app, n.adminToken, ['carrier']);
    expectError(
      await api(n.app, 'GET', `/v1/temperature-readings?subjectKind=vehicle&subjectId=${cast.vehicleId}`, {
        token: other.token,
      }),
      404,
      'NotFound',
      'subjectId',
    );
    const henan = await addParty(n.app, n.adminToken, ['regulator'], '410000');
    expect(
      (
        await api(n.app, 'GET', `/v1/temperature-readings?subjectKind=vehicle&subjectId=${cast.vehicleId}`, {
          token: henan.token,
        })
      ).body.items,
    ).toHaveLength(7);
  });

  it('does not count an excursion shorter than the minimum duration as a breach', async () => {
    const n = node();
    const cast = await borderCast(n.app, n.adminToken);
    const lot = await clearedLot(n, cast);
    // Warm for 20 minutes (doors open while loading): under the 30-minute minimum.
    const up = await uploadCsv(
      n.app,
      cast.importer.token,
      { subjectKind: 'lot', subjectId: lot.id, utcOffsetMinutes: '480' },
      loggerCsv(series(n.clock.now() - 120 * MIN, 12, 5, 20, 35)),
    );
    expect(up.status, JSON.stringify(up.body)).toBe(201);
    expect(up.body.breaches).toEqual([]);
    expect((await lotOf(n, lot.id)).status).toBe('green');
  });

  it('keeps the rule in force with each breach: a rule changed later does not change an old breach', async () => {
    const n = node();
    const cast = await borderCast(n.app, n.adminToken);
    const lot = await clearedLot(n, cast);
    const upload = (from: number) =>
      api(n.app, 'POST', '/v1/temperature-uploads', {
        token: cast.importer.token,
        body: {
          subject: { kind: 'lot', id: lot.id },
          readings: json(series(from, 6, 10, 0, 30).map((r) => ({ ...r, celsius: r.celsius === -12 ? -16 : -20 }))),
        },
      });
    const old = await upload(n.clock.now() - 300 * MIN);
    expect(old.body.breaches).toEqual([
      expect.objectContaining({ rule: expect.objectContaining({ maxCelsius: -18, setBy: 'default' }) }),
    ]);

    const henan = await addParty(n.app, n.adminToken, ['regulator'], '410000');
    const national = await api(n.app, 'PUT', '/v1/settings/temperature-rules', {
      token: n.adminToken,
      body: { rules: { frozen: { maxCelsius: -15, minDurationMs: 10 * MIN, maxGapMs: 60 * MIN } } },
    });
    expect(national.status, JSON.stringify(national.body)).toBe(200);
    expectError(
      await api(n.app, 'PUT', '/v1/settings/temperature-rules', {
        token: henan.token,
        body: { rules: { frozen: null } },
      }),
      403,
      'Forbidden',
      'region',
    );
    expectError(
      await api(n.app, 'PUT', '/v1/settings/temperature-rules', {
        token: cast.importer.token,
        body: { region: '410000', rules: { frozen: null } },
      }),
      403,
      'Forbidden',
    );
    expectError(
      await api(n.app, 'PUT', '/v1/settings/temperature-rules', {
        token: henan.token,
        body: { region: '410000', rules: { frozen: { maxCelsius: -18, minDurationMs: -1, maxGapMs: 60 * MIN } } },
      }),
      400,
      'ValidationFailed',
      'rules.frozen',
    );
    // −16 °C is within the national −15 °C limit: no breach now.
    expect((await upload(n.clock.now() - 200 * MIN)).body.breaches).toEqual([]);
    const regional = await api(n.app, 'PUT', '/v1/settings/temperature-rules', {
      token: henan.token,
      body: { region: '410000', rules: { frozen: { maxCelsius: -17, minDurationMs: 5 * MIN, maxGapMs: 30 * MIN } } },
    });
    expect(regional.status, JSON.stringify(regional.body)).toBe(200);
    const rules = await api(n.app, 'GET', '/v1/settings/temperature-rules?region=410000', {
      token: cast.importer.token,
    });
    expect(rules.body.rules.frozen).toEqual({
      tempClass: 'frozen',
      rule: { maxCelsius: -17, minDurationMs: 5 * MIN, maxGapMs: 30 * MIN },
      setBy: '410000',
    });
    expect(rules.body.rules.chilled).toMatchObject({ setBy: 'default', rule: { maxCelsius: 4 } });
    const fresh = await upload(n.clock.now() - 100 * MIN);
    expect(fresh.body.breaches).toEqual([
      expect.objectContaining({
        rule: { maxCelsius: -17, minDurationMs: 5 * MIN, maxGapMs: 30 * MIN, tempClass: 'frozen', setBy: '410000' },
      }),
    ]);
    const again = await api(n.app, 'GET', `/v1/temperature-breaches/${old.body.breaches[0].id}`, {
      token: cast.importer.token,
    });
    expect(again.body.rule).toEqual({
      maxCelsius: -18,
      minDurationMs: 30 * MIN,
      maxGapMs: 60 * MIN,
      tempClass: 'frozen',
      setBy: 'default',
    });
  });

  it('refuses bad JSON and bad CSV with a 4xx naming the field or the line', async () => {
    const n = node();
    const cast = await borderCast(n.app, n.adminToken);
    const lot = await clearedLot(n, cast);
    const t0 = n.clock.now() - 60 * MIN;
    const post = (body: unknown) => api(n.app, 'POST', '/v1/temperature-uploads', { token: cast.importer.token, body });
    const subject = { kind: 'lot', id: lot.id };
    const at = (m: number) => new Date(t0 + m * MIN).toISOString();
    expectError(
      await post({
        subject,
        readings: [
          { at: at(0), celsius: -20 },
          { at: at(2), celsius: -20 },
          { at: at(1), celsius: -20 },
        ],
      }),
      400,
      'ValidationFailed',
      'readings.2.at',
    );
    expectError(
      await post({
        subject,
        readings: [
          { at: at(0), celsius: -20 },
          { at: at(0), celsius: -19 },
        ],
      }),
      400,
      'ValidationFailed',
      'readings.1.at',
    );
    expectError(
      await post({
        subject,
        readings: [
          { at: at(0), celsius: -20 },
          { at: at(1), celsius: '-19' },
        ],
      }),
      400,
      'ValidationFailed',
      'readings.1.celsius',
    );
    expectError(
      await post({ subject, readings: [{ at: at(0), celsius: 500 }] }),
      400,
      'ValidationFailed',
      'readings.0.celsius',
    );
    expectError(
      await post({ subject, readings: [{ at: new Date(n.clock.now() + 86_400_000).toISOString(), celsius: -20 }] }),
      400,
      'ValidationFailed',
      'readings.0.at',
    );
    expectError(
      await post({ subject, readings: [{ at: '2026-02-30T10:00:00Z', celsius: -20 }] }),
      400,
      'ValidationFailed',
      'readings.0.at',
    );
    expectError(
      await post({ subject, readings: [{ at: '2026-11-25T07:00:00.0001Z', celsius: -20 }] }),
      400,
      'ValidationFailed',
      'readings.0.at',
    );
    expectError(await post({ subject, readings: [] }), 400, 'ValidationFailed', 'readings');
    expectError(
      await post({ subject: { kind: 'ship', id: 'x' }, readings: [{ at: at(0), celsius: -20 }] }),
      400,
      'ValidationFailed',
      'subject.kind',
    );
    expectError(
      await post({ subject: { kind: 'lot', id: 'lot_nope' }, readings: [{ at: at(0), celsius: -20 }] }),
      404,
      'LotNotFound',
      'subject.id',
    );
    expectError(
      await api(n.app, 'POST', '/v1/temperature-uploads', {
        token: cast.importer.token,
        raw: `{"subject":{"kind":"lot","id":"${lot.id}"},"readings":[{"at":"${at(0)}","celsius":NaN}]}`,
      }),
      400,
      'MalformedJson',
    );
    expectError(
      await api(n.app, 'POST', '/v1/temperature-uploads', {
        token: cast.lab.token,
        body: { subject, readings: [{ at: at(0), celsius: -20 }] },
      }),
      403,
      'Forbidden',
    );

    const csv = (lines: string[]) => `时间,温度\n${lines.join('\n')}\n`;
    const fields = { subjectKind: 'lot', subjectId: lot.id, utcOffsetMinutes: '480' };
    let r = await uploadCsv(
      n.app,
      cast.importer.token,
      fields,
      csv([`${local(t0)},-20`, `${local(t0 + MIN)},cold`, `${local(t0 + 2 * MIN)},-20`]),
    );
    expectError(r, 400, 'ValidationFailed', 'file');
    expect(r.body.error.details).toMatchObject({ line: 3, reason: "line 3: 'cold' is not a temperature" });
    r = await uploadCsv(
      n.app,
      cast.importer.token,
      fields,
      csv([`${local(t0)},-20`, `${local(t0 + 2 * MIN)},-20`, `${local(t0 + MIN)},-20`]),
    );
    expectError(r, 400, 'ValidationFailed', 'file');
    expect(r.body.error.details.line).toBe(4);
    r = await uploadCsv(
      n.app,
      cast.importer.token,
      { ...fields, utcOffsetMinutes: 'eight' },
      csv([`${local(t0)},-20`]),
    );
    expectError(r, 400, 'ValidationFailed', 'utcOffsetMinutes');
    r = await uploadCsv(
      n.app,
      cast.importer.token,
      { subjectKind: 'lot', subjectId: lot.id },
      csv([`${local(t0)},-20`]),
    );
    expectError(r, 400, 'ValidationFailed', 'file');
    expect(r.body.error.details.reason).toContain('UTC offset');
    r = await uploadCsv(n.app, cast.importer.token, { ...fields, subjectKind: 'truck' }, csv([`${local(t0)},-20`]));
    expectError(r, 400, 'ValidationFailed', 'subjectKind');
    r = await uploadCsv(n.app, cast.importer.token, fields, Buffer.from([0xff, 0xfe, 0, 0, 0x41]));
    expectError(r, 400, 'ValidationFailed', 'file');
    // A GB18030 file from a Chinese logger reads as well as UTF-8; uploading the same readings twice is a conflict.
    const gbk = Buffer.concat([
      Buffer.from([0xca, 0xb1, 0xbc, 0xe4, 0x2c, 0xce, 0xc2, 0xb6, 0xc8, 0x0a]),
      Buffer.from(`${local(t0)},-20\n${local(t0 + MIN)},-19.5\n`),
    ]);
    r = await uploadCsv(n.app, cast.importer.token, fields, gbk);
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    r = await uploadCsv(n.app, cast.importer.token, fields, gbk);
    expectError(r, 409, 'Conflict', 'readings');
    // With an Idempotency-Key, a retry answers as the first time instead.
    const key = { 'idempotency-key': 'logger-upload-1' };
    const body = csv([`${local(t0 + 10 * MIN)},-20`]);
    const first = await uploadCsv(n.app, cast.importer.token, fields, body, key);
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    expect((await uploadCsv(n.app, cast.importer.token, fields, body, key)).body.id).toBe(first.body.id);
    expectError(
      await uploadCsv(n.app, cast.importer.token, fields, csv([`${local(t0 + 11 * MIN)},-20`]), key),
      422,
      'IdempotencyKeyReused',
    );
  });

  it('verify passes, and names the upload when a stored point is edited in the database', async () => {
    const n = node();
    expect((await verify(n)).problem).toBeUndefined();
    const u = await n.deps.db.selectFrom('temperatureUploads').select('id').orderBy('id').executeTakeFirstOrThrow();
    const p = await n.deps.db
      .selectFrom('temperaturePoints')
      .selectAll()
      .where('uploadId', '=', u.id)
      .where('seq', '=', 0)
      .executeTakeFirstOrThrow();
    await n.deps.db
      .updateTable('temperaturePoints')
      .set({ celsius: p.celsius - 0.5 })
      .where('uploadId', '=', u.id)
      .where('seq', '=', 0)
      .execute();
    const bad = await verify(n);
    expect(bad.ok).toBe(false);
    expect(bad.problem).toContain(`temperature upload ${u.id}`);
    await n.deps.db
      .updateTable('temperaturePoints')
      .set({ celsius: p.celsius })
      .where('uploadId', '=', u.id)
      .where('seq', '=', 0)
      .execute();
    await n.deps.db.deleteFrom('temperaturePoints').where('uploadId', '=', u.id).where('seq', '=', 0).execute();
    expect((await verify(n)).problem).toContain(`temperature upload ${u.id}`);
    await n.deps.db.insertInto('temperaturePoints').values(p).execute();
    expect((await verify(n)).problem).toBeUndefined();
  });
});
