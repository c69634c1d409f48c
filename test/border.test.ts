import { expect, it } from 'vitest';
import { api, expectError } from './support/http.ts';
import {
  MINIMAL_PDF,
  borderCast,
  declaration,
  declareWithDocuments,
  result,
  throughWarehouse,
  upload,
} from './support/border.ts';
import { eachDialect } from './support/test-node.ts';

const WEEK = 7 * 86_400_000;

eachDialect('the border', (node) => {
  it('clears a batch: declare, book, disinfect, sample, negative results, exit certificate, green', async () => {
    const n = node();
    const cast = await borderCast(n.app, n.adminToken);
    const lot = await declareWithDocuments(n, cast);
    expect(lot.code).toMatch(/^[2-9A-HJ-NP-Z]{11}$/);
    let got = await api(n.app, 'GET', `/v1/lots/${lot.id}`, { token: cast.importer.token });
    expect(got.body.status).toBe('yellow');
    expect(got.body.quantity).toEqual({ kg: 24000.5, cartons: 1200 });

    const samples = await throughWarehouse(n, cast, lot.id);
    // Not yet: results are missing.
    expectError(
      await api(n.app, 'POST', `/v1/lots/${lot.id}/exit-certificate`, { token: cast.warehouse.token }),
      409,
      'LotNotReady',
    );
    // A lab cannot post for a sample sent to another lab.
    expectError(
      await api(n.app, 'POST', `/v1/samples/${samples[0]}/result`, {
        token: cast.otherLab.token,
        body: result(n, 'negative'),
      }),
      404,
      'SampleNotFound',
    );
    for (const s of samples) {
      const r = await api(n.app, 'POST', `/v1/samples/${s}/result`, {
        token: cast.lab.token,
        body: result(n, 'negative'),
      });
      expect(r.status, JSON.stringify(r.body)).toBe(201);
    }
    const exit = await api(n.app, 'POST', `/v1/lots/${lot.id}/exit-certificate`, { token: cast.warehouse.token });
    expect(exit.status, JSON.stringify(exit.body)).toBe(201);
    expect(exit.body.number).toMatch(/^CK41\d{8}/);
    expect(exit.body.qrUrl).toBe(`http://ct.test/t/${lot.code}`);
    got = await api(n.app, 'GET', `/v1/lots/${lot.id}`, { token: cast.importer.token });
    expect(got.body).toMatchObject({ status: 'green', statusReasons: [] });
  });

  it('turns a lot red on a positive sample and suspends its producer for 1 week, then 4 weeks from the 3rd finding; the suspension lifts by itself', async () => {
    const n = node();
    const cast = await borderCast(n.app, n.adminToken);
    const lot = await declareWithDocuments(n, cast);
    const [outer] = await throughWarehouse(n, cast, lot.id);
    const positive: string[] = [];
    n.deps.events.on('sample.positive', (e) => positive.push(e.lotId));
    const r = await api(n.app, 'POST', `/v1/samples/${outer}/result`, {
      token: cast.lab.token,
      body: result(n, 'positive'),
    });
    expect(r.status).toBe(201);
    expect(positive).toEqual([lot.id]);
    const got = await api(n.app, 'GET', `/v1/lots/${lot.id}`, { token: cast.importer.token });
    expect(got.body.status).toBe('red');
    expect(got.body.statusReasons.map((x: { code: string }) => x.code)).toContain('sample_positive');
    expectError(
      await api(n.app, 'POST', `/v1/lots/${lot.id}/exit-certificate`, { token: cast.warehouse.token }),
      409,
      'LotNotReady',
    );

    const s1 = await api(n.app, 'GET', `/v1/producers/${cast.producerId}/suspension`, { token: cast.importer.token });
    expect(Date.parse(s1.body.suspension.endsAt) - Date.parse(s1.body.suspension.startsAt)).toBe(WEEK);
    expect(s1.body.suspension).toMatchObject({ findingNumber: 1, active: true, lotId: lot.id });

    // A declaration arriving during the suspension is refused, naming it and when it lifts.
    const today = new Date(n.clock.now() + 8 * 3_600_000).toISOString().slice(0, 10);
    const refused = await api(n.app, 'POST', '/v1/lots', {
      token: cast.importer.token,
      body: declaration(cast, { arrivalDate: today }),
    });
    expectError(refused, 409, 'ProducerSuspended', 'producerId');
    expect(refused.body.error.details).toMatchObject({
      suspensionId: s1.body.suspension.id,
      liftsAt: s1.body.suspension.endsAt,
    });

    // The 2nd finding: another week; the 3rd: four weeks.
    const f2 = await api(n.app, 'POST', `/v1/producers/${cast.producerId}/findings`, {
      token: cast.customs.token,
      body: { reason: 'positive at port of Ningbo' },
    });
    expect(f2.status, JSON.stringify(f2.body)).toBe(201);
    expect(f2.body.findingNumber).toBe(2);
    expect(Date.parse(f2.body.endsAt) - Date.parse(f2.body.startsAt)).toBe(WEEK);
    const f3 = await api(n.app, 'POST', `/v1/producers/${cast.producerId}/findings`, {
      token: cast.customs.token,
      body: { reason: 'positive at port of Dalian' },
    });
    expect(f3.body.findingNumber).toBe(3);
    expect(Date.parse(f3.body.endsAt) - Date.parse(f3.body.startsAt)).toBe(4 * WEEK);
    const listed = await api(n.app, 'GET', `/v1/suspensions?producerId=${cast.producerId}`, {
      token: cast.customs.token,
    });
    expect(listed.body.items.length).toBeGreaterThanOrEqual(1);

    // Time passes beyond the last suspension: it lifts by itself, and declarations are accepted again.
    n.clock.advance(Date.parse(f3.body.endsAt) - n.clock.now() + 86_400_000);
    const after = await api(n.app, 'GET', `/v1/producers/${cast.producerId}/suspension`, {
      token: cast.importer.token,
    });
    expect(after.body.suspension).toBeNull();
    const day = new Date(n.clock.now() + 8 * 3_600_000).toISOString().slice(0, 10);
    const ok = await api(n.app, 'POST', '/v1/lots', {
      token: cast.importer.token,
      body: declaration(cast, { arrivalDate: day }),
    });
    expect(ok.status, JSON.stringify(ok.body)).toBe(201);
  });

  it('lets customs suspend by hand with a reason and dates', async () => {
    const n = node();
    const cast = await borderCast(n.app, n.adminToken);
    const start = new Date(n.clock.now()).toISOString();
    const end = new Date(n.clock.now() + 30 * 86_400_000).toISOString();
    const s = await api(n.app, 'POST', `/v1/producers/${cast.producerId}/suspensions`, {
      token: cast.customs.token,
      body: { startsAt: start, endsAt: end, reason: '官方通报 official notice 2026-112' },
    });
    expect(s.status, JSON.stringify(s.body)).toBe(201);
    expect(s.body).toMatchObject({ kind: 'manual', active: true });
    expectError(
      await api(n.app, 'POST', `/v1/producers/${cast.producerId}/suspensions`, {
        token: cast.importer.token,
        body: { startsAt: start, endsAt: end, reason: 'x' },
      }),
      403,
      'Forbidden',
    );
    expectError(
      await api(n.app, 'POST', `/v1/producers/${cast.producerId}/suspensions`, {
        token: cast.customs.token,
        body: { startsAt: end, endsAt: start, reason: 'x' },
      }),
      400,
      'ValidationFailed',
    );
  });

  it('refuses bad declarations and documents with a clear 4xx naming the field', async () => {
    const n = node();
    const cast = await borderCast(n.app, n.adminToken);
    const bad = async (over: Record<string, unknown>, status: number, code: string, field: string) =>
      expectError(
        await api(n.app, 'POST', '/v1/lots', { token: cast.importer.token, body: declaration(cast, over) }),
        status,
        code,
        field,
      );
    await bad({ hsCode: '77012345' }, 400, 'ValidationFailed', 'hsCode');
    await bad({ hsCode: '02032' }, 400, 'ValidationFailed', 'hsCode');
    await bad({ producerId: 'pro_01ZZZZZZZZZZZZZZZZZZZZZZZZ' }, 422, 'UnknownReference', 'producerId');
    await bad({ originCountry: 'XX' }, 400, 'ValidationFailed', 'originCountry');
    await bad({ netKg: 0 }, 400, 'ValidationFailed', 'netKg');
    await bad({ netKg: -5 }, 400, 'ValidationFailed', 'netKg');
    await bad({ cartons: 0 }, 400, 'ValidationFailed', 'cartons');
    await bad({ containerNo: 'MSCU1234567' }, 400, 'ValidationFailed', 'containerNo');
    await bad({ gtin: '07612345678901' }, 400, 'ValidationFailed', 'gtin');
    await bad({ arrivalDate: '2026-02-30' }, 400, 'ValidationFailed', 'arrivalDate');
    await bad({ netKg: '12' }, 400, 'ValidationFailed', 'netKg');
    // Only importers declare.
    expectError(
      await api(n.app, 'POST', '/v1/lots', { token: cast.lab.token, body: declaration(cast) }),
      403,
      'Forbidden',
    );

    const lot = await api(n.app, 'POST', '/v1/lots', { token: cast.importer.token, body: declaration(cast) });
    const url = `/v1/lots/${lot.body.id}/documents`;
    const meta = { kind: 'nucleic_acid', number: 'NAT-1', issuer: 'CDC', issuedOn: '2026-11-19' };
    // A ZIP named .pdf is refused by content.
    const zip = Buffer.from('504b0304140000000800', 'hex');
    expectError(
      await upload(n.app, url, cast.importer.token, meta, { name: 'report.pdf', type: 'application/pdf', bytes: zip }),
      415,
      'InvalidFile',
      'file',
    );
    const big = Buffer.concat([MINIMAL_PDF, Buffer.alloc(10 * 1024 * 1024 + 1)]);
    expectError(
      await upload(n.app, url, cast.importer.token, meta, { name: 'big.pdf', type: 'application/pdf', bytes: big }),
      413,
      'PayloadTooLarge',
      'file',
    );
    expectError(
      await upload(
        n.app,
        url,
        cast.importer.token,
        { ...meta, kind: 'selfie' },
        { name: 'a.pdf', type: 'application/pdf', bytes: MINIMAL_PDF },
      ),
      400,
      'ValidationFailed',
      'kind',
    );
    expectError(await upload(n.app, url, cast.importer.token, meta, null), 400, 'ValidationFailed', 'file');
    const png = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489', 'hex');
    const ok = await upload(n.app, url, cast.importer.token, meta, {
      name: 'scan.bin',
      type: 'application/octet-stream',
      bytes: png,
    });
    expect(ok.status, JSON.stringify(ok.body)).toBe(201);
    expect(ok.body).toMatchObject({ mediaType: 'image/png', sizeBytes: png.length });
    const file = await n.app.inject({
      method: 'GET',
      url: `/v1/documents/${ok.body.id}/file`,
      headers: { authorization: `Bearer ${cast.importer.token}` },
    });
    expect(file.rawPayload.equals(png)).toBe(true);
  });

  it('gives cartons serial codes under the lot, never more than declared', async () => {
    const n = node();
    const cast = await borderCast(n.app, n.adminToken);
    const lot = await api(n.app, 'POST', '/v1/lots', {
      token: cast.importer.token,
      body: declaration(cast, { cartons: 5 }),
    });
    const a = await api(n.app, 'POST', `/v1/lots/${lot.body.id}/cartons`, {
      token: cast.importer.token,
      body: { count: 3 },
    });
    expect(a.body).toMatchObject({ firstSerial: 1, lastSerial: 3 });
    expectError(
      await api(n.app, 'POST', `/v1/lots/${lot.body.id}/cartons`, { token: cast.importer.token, body: { count: 3 } }),
      400,
      'ValidationFailed',
      'count',
    );
    const b = await api(n.app, 'POST', `/v1/lots/${lot.body.id}/cartons`, { token: cast.importer.token, body: {} });
    expect(b.body).toMatchObject({ firstSerial: 4, lastSerial: 5 });
    const codes = await api(n.app, 'GET', `/v1/lots/${lot.body.id}/cartons`, { token: cast.importer.token });
    expect(codes.body.items.map((c: { serial: number }) => c.serial)).toEqual([1, 2, 3, 4, 5]);
    expect(codes.body.items[0].code.startsWith(lot.body.code)).toBe(true);
  });
});

eachDialect('labels and QR codes', (node) => {
  it('renders a label PDF per carton and QR codes for the lot and a carton', async () => {
    const n = node();
    const cast = await borderCast(n.app, n.adminToken);
    const lot = await api(n.app, 'POST', '/v1/lots', {
      token: cast.importer.token,
      body: declaration(cast, { cartons: 30, netKg: 600 }),
    });
    const auth = { authorization: `Bearer ${cast.importer.token}` };
    const sheet = await n.app.inject({
      method: 'GET',
      url: `/v1/lots/${lot.body.id}/labels.pdf?copies=3`,
      headers: auth,
    });
    expect(sheet.statusCode).toBe(200);
    expect(sheet.headers['content-type']).toBe('application/pdf');
    expect(sheet.rawPayload.subarray(0, 5).toString()).toBe('%PDF-');
    await api(n.app, 'POST', `/v1/lots/${lot.body.id}/cartons`, { token: cast.importer.token, body: {} });
    const cartons = await n.app.inject({ method: 'GET', url: `/v1/lots/${lot.body.id}/labels.pdf`, headers: auth });
    expect(cartons.statusCode).toBe(200);
    // 30 carton labels fill two 24-label A4 pages.
    expect(cartons.rawPayload.toString('latin1').match(/\/Type \/Page\b/g)).toHaveLength(2);
    const svg = await n.app.inject({ method: 'GET', url: `/v1/lots/${lot.body.id}/qr.svg`, headers: auth });
    expect(svg.headers['content-type']).toContain('image/svg+xml');
    expect(svg.body).toContain('<svg');
    const png = await n.app.inject({ method: 'GET', url: `/v1/lots/${lot.body.id}/qr.png?serial=30`, headers: auth });
    expect(png.headers['content-type']).toBe('image/png');
    expect(png.rawPayload.subarray(1, 4).toString()).toBe('PNG');
    expectError(
      await api(n.app, 'GET', `/v1/lots/${lot.body.id}/qr.png?serial=31`, { token: cast.importer.token }),
      400,
      'ValidationFailed',
      'serial',
    );
    expectError(
      await api(n.app, 'GET', `/v1/lots/${lot.body.id}/labels.pdf`, { token: cast.lab.token }),
      404,
      'LotNotFound',
    );
  });
});

eachDialect('configurable sampling rule', (node) => {
  it('requires the sample points the region sets, before the exit certificate', async () => {
    const n = node();
    const cast = await borderCast(n.app, n.adminToken);
    const set = await api(n.app, 'PUT', '/v1/settings/sample-points', {
      token: n.adminToken,
      body: { region: '410000', points: ['outer_pack', 'inner_pack', 'content'] },
    });
    expect(set.status, JSON.stringify(set.body)).toBe(200);
    expect(set.body.points).toEqual(['content', 'inner_pack', 'outer_pack']);
    expectError(
      await api(n.app, 'PUT', '/v1/settings/sample-points', {
        token: cast.importer.token,
        body: { points: ['content'] },
      }),
      403,
      'Forbidden',
    );
    expectError(
      await api(n.app, 'PUT', '/v1/settings/sample-points', { token: n.adminToken, body: { points: ['sole'] } }),
      400,
      'ValidationFailed',
      'points.0',
    );
    const lot = await declareWithDocuments(n, cast);
    const samples = await throughWarehouse(n, cast, lot.id);
    for (const s of samples)
      await api(n.app, 'POST', `/v1/samples/${s}/result`, { token: cast.lab.token, body: result(n, 'negative') });
    const refused = await api(n.app, 'POST', `/v1/lots/${lot.id}/exit-certificate`, { token: cast.warehouse.token });
    expectError(refused, 409, 'LotNotReady');
    expect(JSON.stringify(refused.body.error.details.missing)).toContain('inner_pack');
    const t = new Date(n.clock.now()).toISOString();
    const inner = await api(n.app, 'POST', `/v1/lots/${lot.id}/samples`, {
      token: cast.warehouse.token,
      body: { point: 'inner_pack', labPartyId: cast.lab.id, takenAt: t },
    });
    await api(n.app, 'POST', `/v1/samples/${inner.body.id}/result`, {
      token: cast.lab.token,
      body: result(n, 'negative'),
    });
    expect(
      (await api(n.app, 'POST', `/v1/lots/${lot.id}/exit-certificate`, { token: cast.warehouse.token })).status,
    ).toBe(201);
  });
});
