import { beforeAll, describe, expect, it } from 'vitest';
import { gtinCheckDigit } from '../src/domain/digital-link.ts';
import { CARTON_SERIAL_MAX } from '../src/domain/trace-code.ts';
import type { BorderCast } from './support/border.ts';
import { MINIMAL_PDF, borderCast, declaration, upload } from './support/border.ts';
import type { BorderFlow, Party } from './support/border-flow.ts';
import { borderFlow } from './support/border-flow.ts';
import { addParty, api, expectError } from './support/http.ts';
import { eachDialect } from './support/test-node.ts';

// Every border rule that test/border.test.ts does not already show, through HTTP: each refusal is a 4xx
// naming the field or the blocking fact, and nothing is written.

const GHOST = 'xyz_01ZZZZZZZZZZZZZZZZZZZZZZZZ';

eachDialect('border rules', (node) => {
  let cast: BorderCast;
  let flow: BorderFlow;
  /** another importer and another supervision warehouse in the same region, and a regulator elsewhere */
  let otherImporter: Party;
  let otherWarehouse: Party & { locationId: string };
  let farRegulator: Party;

  beforeAll(async () => {
    const n = node();
    cast = await borderCast(n.app, n.adminToken);
    flow = borderFlow(n, cast);
    otherImporter = await addParty(n.app, n.adminToken, ['importer']);
    const w = await addParty(n.app, n.adminToken, ['supervision_warehouse']);
    const loc = await api(n.app, 'POST', '/v1/locations', {
      token: w.token,
      body: {
        filingNo: `豫监管仓-B${Date.now() % 100000}`,
        name: '洛阳监管仓',
        address: '洛阳市',
        region: '410000',
        kind: 'supervision_warehouse',
        tempClass: 'frozen',
      },
    });
    expect(loc.status, JSON.stringify(loc.body)).toBe(201);
    otherWarehouse = { ...w, locationId: loc.body.id };
    farRegulator = await addParty(n.app, n.adminToken, ['regulator'], '320000');
  });

  /** logSize reads the log's size, to show a refusal wrote nothing. */
  const logSize = async () => (await api(node().app, 'GET', '/healthz')).body.logSize as number;

  describe('declarations', () => {
    it('refuses dates out of order, a missing expiry, and an HS code of another category', async () => {
      const { app } = node();
      const bad = async (over: Record<string, unknown>, field: string) =>
        expectError(
          await api(app, 'POST', '/v1/lots', { token: cast.importer.token, body: declaration(cast, over) }),
          400,
          'ValidationFailed',
          field,
        );
      await bad({ productionDate: '2026-11-21' }, 'productionDate');
      await bad({ expiryDate: '2026-08-31', shelfLifeDays: null }, 'expiryDate');
      await bad({ expiryDate: '2026-09-01' }, 'expiryDate');
      await bad({ shelfLifeDays: null }, 'expiryDate');
      await bad({ shelfLifeDays: 0 }, 'shelfLifeDays');
      await bad({ productionDate: '2026-09-31' }, 'productionDate');
      await bad({ expiryDate: '2027-02-29', shelfLifeDays: null }, 'expiryDate');
      // Frozen shrimp is seafood, not meat.
      await bad({ hsCode: '0306170090', category: 'meat' }, 'category');
      await bad({ category: 'fruit' }, 'category');
      // The producer is Argentine.
      await bad({ originCountry: 'BR' }, 'originCountry');
    });

    it('refuses a weight that is not a positive number of grams, and a carton count above 99,999', async () => {
      const { app } = node();
      const bad = async (over: Record<string, unknown>, field: string) =>
        expectError(
          await api(app, 'POST', '/v1/lots', { token: cast.importer.token, body: declaration(cast, over) }),
          400,
          'ValidationFailed',
          field,
        );
      const before = await logSize();
      for (const netKg of [0.0001, 1e-10, 12.3456, 1e308, 2 ** 53, -0.001]) await bad({ netKg }, 'netKg');
      for (const cartons of [CARTON_SERIAL_MAX + 1, 1_000_000, -1, 1.5]) await bad({ cartons }, 'cartons');
      expect(await logSize()).toBe(before);
      // The bounds themselves are fine: grams, and every carton serial a code can carry.
      const lot = await flow.declare({ netKg: 0.001, cartons: CARTON_SERIAL_MAX });
      const got = await api(app, 'GET', `/v1/lots/${lot.id}`, { token: cast.importer.token });
      expect(got.body.quantity).toEqual({ kg: 0.001, cartons: CARTON_SERIAL_MAX });
      const all = await api(app, 'POST', `/v1/lots/${lot.id}/cartons`, { token: cast.importer.token, body: {} });
      expect(all.body, JSON.stringify(all.body)).toMatchObject({ firstSerial: 1, lastSerial: CARTON_SERIAL_MAX });
    });

    it('refuses malformed numbers and names', async () => {
      const { app } = node();
      const bad = async (over: Record<string, unknown>, field: string) =>
        expectError(
          await api(app, 'POST', '/v1/lots', { token: cast.importer.token, body: declaration(cast, over) }),
          400,
          'ValidationFailed',
          field,
        );
      await bad({ declarationNo: 'ABC' }, 'declarationNo');
      await bad({ declarationNo: '4601-2026-0000' }, 'declarationNo');
      await bad({ billOfLading: 'MEDU 1234' }, 'billOfLading');
      await bad({ batchNo: 'L 123' }, 'batchNo');
      await bad({ batchNo: '批次1' }, 'batchNo');
      await bad({ portOfEntry: 'X' }, 'portOfEntry');
      await bad({ product: {} }, 'product');
      await bad({ product: { zh: '  ', en: null } }, 'product');
      await bad({ product: { fr: 'porc' } }, 'product.fr');
      expectError(
        await api(app, 'POST', '/v1/lots', {
          token: cast.importer.token,
          body: declaration(cast, { producerId: 'pro_01ZZZZZZZZZZZZZZZZZZZZZZZZ' }),
        }),
        422,
        'UnknownReference',
        'producerId',
      );
    });

    it('refuses a GTIN and batch already declared, with 409 naming the batch', async () => {
      const { app } = node();
      const gtin = `0761234567890${gtinCheckDigit('0761234567890')}`;
      const first = await flow.declare({ gtin, batchNo: 'B2026-11' });
      // The same GTIN written as a GTIN-13 is the same product.
      const dup = await api(app, 'POST', '/v1/lots', {
        token: cast.importer.token,
        body: declaration(cast, { gtin: gtin.slice(1), batchNo: 'B2026-11' }),
      });
      expectError(dup, 409, 'AlreadyExists', 'batchNo');
      expect(dup.body.error.details.reason).toContain(first.id);
      // Another batch of the same product is another lot.
      await flow.declare({ gtin, batchNo: 'B2026-12' });
    });
  });

  describe('documents', () => {
    const file = { name: 'c.pdf', type: 'application/pdf', bytes: MINIMAL_PDF };
    const meta = { kind: 'inspection_quarantine', number: 'IQ-2026-1', issuer: '天津海关', issuedOn: '2026-11-19' };

    it('refuses a date that is not on the calendar, and fields that are blank, too long or unstorable', async () => {
      const { app } = node();
      const lot = await flow.declare();
      const url = `/v1/lots/${lot.id}/documents`;
      const before = await logSize();
      const bad = async (over: Record<string, string>, field: string) =>
        expectError(
          await upload(app, url, cast.importer.token, { ...meta, ...over }, file),
          400,
          'ValidationFailed',
          field,
        );
      for (const issuedOn of [
        '2026-02-30',
        '2026-02-29',
        '2026-04-31',
        '2026-13-01',
        '19-11-2026',
        '2026-11-19T00:00:00Z',
      ])
        await bad({ issuedOn }, 'issuedOn');
      await bad({ number: 'N'.repeat(61) }, 'number');
      await bad({ number: '   ' }, 'number');
      await bad({ issuer: 'I'.repeat(201) }, 'issuer');
      await bad({ number: 'NAT\u00001' }, 'number');
      await bad({ kind: 'Nucleic_Acid' }, 'kind');
      for (const f of ['kind', 'number', 'issuer', 'issuedOn']) {
        const { [f]: _, ...rest } = meta as Record<string, string>;
        expectError(await upload(app, url, cast.importer.token, rest, file), 400, 'ValidationFailed', f);
      }
      expect(await logSize()).toBe(before);
    });

    it('refuses a field that decodes to an unpaired surrogate, which the database would store altered', async () => {
      const { app } = node();
      const lot = await flow.declare();
      const boundary = '----coldtraceUtf16';
      // "N" then a lone high surrogate, sent as UTF-16LE text, which the multipart reader decodes as declared.
      const utf16 = Buffer.from([0x4e, 0x00, 0x00, 0xd8]);
      const field = (name: string, value: string) =>
        Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`);
      const payload = Buffer.concat([
        field('kind', meta.kind),
        Buffer.from(
          `--${boundary}\r\nContent-Disposition: form-data; name="number"\r\nContent-Type: text/plain; charset=utf-16le\r\n\r\n`,
        ),
        utf16,
        Buffer.from('\r\n'),
        field('issuer', meta.issuer),
        field('issuedOn', meta.issuedOn),
        Buffer.from(
          `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="c.pdf"\r\nContent-Type: application/pdf\r\n\r\n`,
        ),
        MINIMAL_PDF,
        Buffer.from(`\r\n--${boundary}--\r\n`),
      ]);
      const res = await app.inject({
        method: 'POST',
        url: `/v1/lots/${lot.id}/documents`,
        headers: {
          authorization: `Bearer ${cast.importer.token}`,
          'content-type': `multipart/form-data; boundary=${boundary}`,
        },
        payload,
      });
      expectError({ status: res.statusCode, body: res.json(), headers: {} }, 400, 'ValidationFailed', 'number');
    });

    it('answers, rather than hangs on, an upload with a large part it cannot use; and bounds the whole upload', async () => {
      const { app } = node();
      const lot = await flow.declare();
      const boundary = '----coldtraceSkip';
      const field = (name: string, value: string) =>
        `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`;
      const post = (payload: Buffer, headers: Record<string, string> = {}) =>
        app.inject({
          method: 'POST',
          url: `/v1/lots/${lot.id}/documents`,
          headers: {
            authorization: `Bearer ${cast.importer.token}`,
            'content-type': `multipart/form-data; boundary=${boundary}`,
            ...headers,
          },
          payload,
        });
      const body = (skipped: string) =>
        Buffer.concat([
          Buffer.from(`--${boundary}\r\n${skipped}\r\n${'x'.repeat(100_000)}\r\n`),
          Buffer.from(
            Object.entries(meta)
              .map(([k, v]) => field(k, v))
              .join(''),
          ),
          Buffer.from(
            `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="c.pdf"\r\nContent-Type: application/pdf\r\n\r\n`,
          ),
          MINIMAL_PDF,
          Buffer.from(`\r\n--${boundary}--\r\n`),
        ]);
      // Parts without a form-data disposition are skipped; one larger than a stream buffer once hung the request.
      for (const skipped of [
        '',
        'Content-Type: text/plain\r\n',
        'Content-Disposition: attachment; filename="a.txt"\r\n',
      ]) {
        const res = await post(body(skipped));
        expect(res.statusCode, `${JSON.stringify(skipped)}: ${res.body}`).toBe(201);
      }
      const big = Buffer.concat([body(''), Buffer.alloc(10 * 1024 * 1024)]);
      const tooBig = await post(big);
      expectError({ status: tooBig.statusCode, body: tooBig.json(), headers: {} }, 413, 'PayloadTooLarge', '(body)');
      const noBoundary = await post(body(''), { 'content-type': 'multipart/form-data' });
      expectError(
        { status: noBoundary.statusCode, body: noBoundary.json(), headers: {} },
        400,
        'ValidationFailed',
        '(body)',
      );
      const cut = await post(body('').subarray(0, 2000));
      expectError({ status: cut.statusCode, body: cut.json(), headers: {} }, 400, 'ValidationFailed');
    });

    it('hides a lot from importers who do not own it and regulators of other regions, and refuses other roles', async () => {
      const { app } = node();
      const lot = await flow.declare();
      const url = `/v1/lots/${lot.id}/documents`;
      expectError(await upload(app, url, otherImporter.token, meta, file), 404, 'LotNotFound', 'id');
      expectError(await upload(app, url, farRegulator.token, meta, file), 404, 'LotNotFound', 'id');
      expectError(await upload(app, url, cast.customs.token, meta, file), 403, 'Forbidden');
      expectError(
        await upload(app, `/v1/lots/${GHOST}/documents`, cast.importer.token, meta, file),
        404,
        'LotNotFound',
        'id',
      );
      // A JSON body is not an upload.
      expectError(
        await api(app, 'POST', url, { token: cast.importer.token, body: meta }),
        415,
        'UnsupportedMediaType',
        'content-type',
      );
    });
  });

  describe('bookings and arrival', () => {
    const body = (over: Record<string, unknown> = {}) => ({
      warehousePartyId: cast.warehouse.id,
      locationId: cast.locationId,
      carrierPartyId: cast.carrier.id,
      vehicleId: cast.vehicleId,
      driverWorkerId: cast.driverId,
      destination: '郑州万邦冷库',
      slotStart: flow.now(),
      slotEnd: flow.now(3_600_000),
      ...over,
    });

    it('refuses a vehicle that is not refrigerated, a driver who is not one, and a slot that ends before it starts', async () => {
      const { app } = node();
      const lot = await flow.declare();
      const url = `/v1/lots/${lot.id}/bookings`;
      const warm = await api(app, 'POST', '/v1/vehicles', {
        token: cast.carrier.token,
        body: { plate: '豫A9K770', refrigerated: false },
      });
      expect(warm.status, JSON.stringify(warm.body)).toBe(201);
      const before = await logSize();
      const bad = async (over: Record<string, unknown>, status: number, code: string, field: string) =>
        expectError(await api(app, 'POST', url, { token: cast.importer.token, body: body(over) }), status, code, field);
      await bad({ vehicleId: warm.body.id }, 400, 'ValidationFailed', 'vehicleId');
      await bad({ driverWorkerId: cast.operatorId }, 422, 'UnknownReference', 'driverWorkerId');
      await bad({ slotEnd: flow.now(-60_000) }, 400, 'ValidationFailed', 'slotEnd');
      await bad({ slotEnd: flow.now() }, 400, 'ValidationFailed', 'slotEnd');
      await bad({ slotStart: '2026-11-25 08:00' }, 400, 'ValidationFailed', 'slotStart');
      await bad({ destination: '   ' }, 400, 'ValidationFailed', 'destination');
      await bad({ warehousePartyId: cast.lab.id }, 422, 'UnknownReference', 'warehousePartyId');
      // The location must be the warehouse's own.
      await bad({ locationId: otherWarehouse.locationId }, 422, 'UnknownReference', 'locationId');
      await bad({ vehicleId: GHOST }, 422, 'UnknownReference', 'vehicleId');
      await bad({ driverWorkerId: GHOST }, 422, 'UnknownReference', 'driverWorkerId');
      // Only the lot's importer books it; another importer does not learn that it exists.
      expectError(await api(app, 'POST', url, { token: otherImporter.token, body: body() }), 404, 'LotNotFound', 'id');
      expect(await logSize()).toBe(before);
    });

    it('refuses an arrival in the future, at another warehouse, or recorded twice', async () => {
      const { app } = node();
      const lot = await flow.declare();
      const bookingId = await flow.book(lot.id);
      const url = `/v1/bookings/${bookingId}/arrival`;
      expectError(
        await api(app, 'POST', url, { token: cast.warehouse.token, body: { arrivedAt: flow.now(3_600_000) } }),
        400,
        'ValidationFailed',
        'arrivedAt',
      );
      expectError(
        await api(app, 'POST', url, { token: otherWarehouse.token, body: { arrivedAt: flow.now() } }),
        404,
        'BookingNotFound',
        'id',
      );
      expectError(
        await api(app, 'POST', `/v1/bookings/${GHOST}/arrival`, {
          token: cast.warehouse.token,
          body: { arrivedAt: flow.now() },
        }),
        404,
        'BookingNotFound',
        'id',
      );
      await flow.arrive(bookingId);
      const again = await api(app, 'POST', url, { token: cast.warehouse.token, body: { arrivedAt: flow.now() } });
      expectError(again, 409, 'Conflict');
      expect(again.body.error.details.reason).toContain(flow.now());
    });
  });

  describe('the supervision warehouse', () => {
    it('refuses disinfection, sampling and release before the lot arrives, with 409 LotNotReady', async () => {
      const { app } = node();
      const lot = await flow.declare();
      const bookingId = await flow.book(lot.id);
      const before = await logSize();
      const dis = {
        agent: '过氧乙酸',
        concentration: '0.2%',
        operatorWorkerId: cast.operatorId,
        performedAt: flow.now(),
      };
      const notReady = async (path: string, b?: unknown) => {
        const r = await api(app, 'POST', `/v1/lots/${lot.id}/${path}`, { token: cast.warehouse.token, body: b });
        expectError(r, 409, 'LotNotReady');
        expect(r.body.error.details.bookingId).toBe(bookingId);
      };
      await notReady('disinfections', dis);
      await notReady('samples', { point: 'outer_pack', labPartyId: cast.lab.id, takenAt: flow.now() });
      await notReady('exit-certificate');
      expect(await logSize()).toBe(before);
    });

    it('refuses sampling by a warehouse with no booking: 403 if it may see the lot, 404 if not', async () => {
      const { app, adminToken } = node();
      const { lotId } = await flow.arrived();
      const sample = { point: 'outer_pack', labPartyId: cast.lab.id, takenAt: flow.now() };
      // A warehouse the lot was never booked into does not learn that it exists.
      expectError(
        await api(app, 'POST', `/v1/lots/${lotId}/samples`, { token: otherWarehouse.token, body: sample }),
        404,
        'LotNotFound',
        'id',
      );
      // An importer that also runs a warehouse sees its own lot, but may not record it without a booking.
      const both = await addParty(app, adminToken, ['importer', 'supervision_warehouse']);
      const own = await flow.declare({}, both);
      const r = await api(app, 'POST', `/v1/lots/${own.id}/samples`, { token: both.token, body: sample });
      expectError(r, 403, 'Forbidden');
      expect(r.body.error.details.action).toBe('warehouse.record');
    });

    it('refuses an operator who is not the warehouse’s, a lab that is not one, and blank fields', async () => {
      const { app } = node();
      const { lotId } = await flow.arrived();
      const before = await logSize();
      const dis = (over: Record<string, unknown>) => ({
        agent: '过氧乙酸',
        concentration: '0.2%',
        operatorWorkerId: cast.operatorId,
        performedAt: flow.now(),
        ...over,
      });
      const post = (path: string, b: unknown) =>
        api(app, 'POST', `/v1/lots/${lotId}/${path}`, { token: cast.warehouse.token, body: b });
      expectError(
        await post('disinfections', dis({ operatorWorkerId: cast.driverId })),
        422,
        'UnknownReference',
        'operatorWorkerId',
      );
      expectError(await post('disinfections', dis({ agent: ' ' })), 400, 'ValidationFailed', 'agent');
      expectError(await post('disinfections', dis({ concentration: '\t' })), 400, 'ValidationFailed', 'concentration');
      expectError(await post('disinfections', dis({ performedAt: 'now' })), 400, 'ValidationFailed', 'performedAt');
      const sample = (over: Record<string, unknown>) => ({
        point: 'content',
        labPartyId: cast.lab.id,
        takenAt: flow.now(),
        ...over,
      });
      expectError(
        await post('samples', sample({ labPartyId: cast.warehouse.id })),
        422,
        'UnknownReference',
        'labPartyId',
      );
      expectError(await post('samples', sample({ labPartyId: GHOST })), 422, 'UnknownReference', 'labPartyId');
      expectError(await post('samples', sample({ point: 'tongue' })), 400, 'ValidationFailed', 'point');
      expect(await logSize()).toBe(before);
    });

    it('refuses a second exit certificate with 409', async () => {
      const { app } = node();
      const lot = await flow.declare();
      await flow.attach(lot.id);
      const bookingId = await flow.book(lot.id);
      await flow.arrive(bookingId);
      await flow.disinfect(lot.id);
      for (const point of ['outer_pack', 'content']) await flow.result(await flow.sample(lot.id, point), 'negative');
      await flow.exit(lot.id);
      expectError(
        await api(app, 'POST', `/v1/lots/${lot.id}/exit-certificate`, { token: cast.warehouse.token }),
        409,
        'Conflict',
      );
    });
  });

  describe('lab results', () => {
    it('refuses a Ct value out of range, a result before its sample, a blank method, and a second result', async () => {
      const { app } = node();
      const { lotId } = await flow.arrived();
      const sampleId = await flow.sample(lotId, 'outer_pack');
      const url = `/v1/samples/${sampleId}/result`;
      const before = await logSize();
      const good = { result: 'positive', ctValue: 31.5, method: 'RT-PCR', resultedAt: flow.now() };
      const bad = async (over: Record<string, unknown>, field: string) =>
        expectError(
          await api(app, 'POST', url, { token: cast.lab.token, body: { ...good, ...over } }),
          400,
          'ValidationFailed',
          field,
        );
      for (const ctValue of [0, -1, 50, 50.01, 1e6, '31.5']) await bad({ ctValue }, 'ctValue');
      await bad({ resultedAt: flow.now(-60_000) }, 'resultedAt');
      await bad({ method: '  ' }, 'method');
      await bad({ result: 'inconclusive' }, 'result');
      await bad({ result: 'pending' }, 'result');
      expectError(
        await api(app, 'POST', `/v1/samples/${GHOST}/result`, { token: cast.lab.token, body: good }),
        404,
        'SampleNotFound',
        'id',
      );
      expect(await logSize()).toBe(before);

      const first = await api(app, 'POST', url, {
        token: cast.lab.token,
        body: { ...good, result: 'negative', ctValue: 38 },
      });
      expect(first.status, JSON.stringify(first.body)).toBe(201);
      const again = await api(app, 'POST', url, { token: cast.lab.token, body: good });
      expectError(again, 409, 'Conflict', 'result');
      // The first result stands, and no suspension followed the refused positive.
      const samples = await api(app, 'GET', `/v1/lots/${lotId}/records`, { token: cast.importer.token });
      expect(samples.body.samples.find((s: { id: string }) => s.id === sampleId)).toMatchObject({
        result: 'negative',
        ctValue: 38,
      });
      const status = await api(app, 'GET', `/v1/producers/${cast.producerId}/suspension`, {
        token: cast.importer.token,
      });
      expect(status.body.suspension).toBeNull();
    });
  });

  describe('cartons and suspensions', () => {
    it('refuses codes for a lot whose cartons all have one, and hides the lot from other importers', async () => {
      const { app } = node();
      const lot = await flow.declare({ cartons: 3 });
      const url = `/v1/lots/${lot.id}/cartons`;
      expectError(await api(app, 'POST', url, { token: otherImporter.token, body: {} }), 404, 'LotNotFound', 'id');
      for (const count of [0, -1, 100_001, 1.5, '2']) {
        expectError(
          await api(app, 'POST', url, { token: cast.importer.token, body: { count } }),
          400,
          'ValidationFailed',
          'count',
        );
      }
      expect((await api(app, 'POST', url, { token: cast.importer.token, body: {} })).status).toBe(201);
      expectError(await api(app, 'POST', url, { token: cast.importer.token, body: {} }), 409, 'Conflict', 'count');
      expectError(
        await api(app, 'POST', url, { token: cast.importer.token, body: { count: 1 } }),
        400,
        'ValidationFailed',
        'count',
      );
    });

    it('refuses a manual suspension backdated, longer than ten years, or without a reason; and unknown producers', async () => {
      const { app } = node();
      const url = `/v1/producers/${cast.producerId}/suspensions`;
      const before = await logSize();
      const bad = async (b: Record<string, unknown>, field: string) =>
        expectError(
          await api(app, 'POST', url, {
            token: cast.customs.token,
            body: { startsAt: flow.now(), endsAt: flow.now(86_400_000), reason: '官方通报', ...b },
          }),
          400,
          'ValidationFailed',
          field,
        );
      await bad({ startsAt: flow.now(-3_600_000) }, 'startsAt');
      await bad({ endsAt: flow.now(3654 * 86_400_000) }, 'endsAt');
      await bad({ reason: '   ' }, 'reason');
      await bad({ reason: 'r'.repeat(501) }, 'reason');
      await bad({ startsAt: '2026-11-25' }, 'startsAt');
      const body = { startsAt: flow.now(), endsAt: flow.now(86_400_000), reason: '官方通报' };
      expectError(
        await api(app, 'POST', `/v1/producers/${GHOST}/suspensions`, { token: cast.customs.token, body }),
        404,
        'ProducerNotFound',
        'id',
      );
      expectError(
        await api(app, 'POST', `/v1/producers/${GHOST}/findings`, { token: cast.customs.token, body: { reason: 'x' } }),
        404,
        'ProducerNotFound',
        'id',
      );
      expectError(
        await api(app, 'POST', `/v1/producers/${cast.producerId}/findings`, {
          token: cast.customs.token,
          body: { reason: ' ' },
        }),
        400,
        'ValidationFailed',
        'reason',
      );
      expect(await logSize()).toBe(before);
    });

    it('refuses a finding that names a lot which does not exist or is not the producer’s', async () => {
      const { app } = node();
      const other = await api(app, 'POST', '/v1/producers', {
        token: cast.customs.token,
        body: { country: 'AR', registrationNo: '2090', name: 'Otro Frigorífico' },
      });
      expect(other.status, JSON.stringify(other.body)).toBe(201);
      const lot = await flow.declare();
      const before = await logSize();
      const finding = (producerId: string, lotId: string) =>
        api(app, 'POST', `/v1/producers/${producerId}/findings`, {
          token: cast.customs.token,
          body: { reason: 'positive at port', lotId },
        });
      expectError(await finding(other.body.id, GHOST), 422, 'UnknownReference', 'lotId');
      expectError(await finding(other.body.id, lot.id), 422, 'UnknownReference', 'lotId');
      expect(await logSize()).toBe(before);
      // The producer's own lot is a fine thing to name.
      const its = await flow.declare({ producerId: other.body.id });
      const ok = await finding(other.body.id, its.id);
      expect(ok.status, JSON.stringify(ok.body)).toBe(201);
      expect(ok.body).toMatchObject({ lotId: its.id, findingNumber: 1 });
    });
  });
});
