import type { FastifyInstance } from 'fastify';
import { beforeAll, describe, expect, it } from 'vitest';
import { MESSAGES } from '../src/http/messages.ts';
import { residentIdCheckChar } from '../src/domain/resident-id.ts';
import { CARTON_SERIAL_MAX } from '../src/domain/trace-code.ts';
import { DEFAULT_ELIGIBILITY_RULE } from '../src/domain/worker-eligibility.ts';
import type { BorderCast } from './support/border.ts';
import { MINIMAL_PDF, borderCast, declaration } from './support/border.ts';
import type { BorderFlow } from './support/border-flow.ts';
import { borderFlow } from './support/border-flow.ts';
import type { Reply } from './support/http.ts';
import { addParty, api, expectError, residentId, uscc } from './support/http.ts';
import { eachDialect } from './support/test-node.ts';

// Every validation rule, through HTTP: bad input is a 4xx naming the field, in the client's language,
// and never a 500.

const REGION = '410000';
let serial = 0;
const next = () => String(++serial).padStart(5, '0');
const plate = () => `豫B${next()}`;

function created(r: Reply): Reply['body'] {
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body;
}

/** withCheck replaces the last character of a code by one that makes its check fail. */
const badCheck = (code: string, alphabet: string) =>
  code.slice(0, -1) + [...alphabet].find((c) => c !== code.slice(-1));

/** A small seeded PRNG, so that a failing fuzz case can be replayed. */
function mulberry32(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

eachDialect('validation', (node) => {
  let biz: { id: string; token: string };
  let carrier: { id: string; token: string };
  let customs: { id: string; token: string };
  let locationBody: () => Record<string, unknown>;

  beforeAll(async () => {
    const { app, adminToken } = node();
    biz = await addParty(app, adminToken, ['cold_store'], REGION);
    carrier = await addParty(app, adminToken, ['carrier'], REGION);
    customs = await addParty(app, adminToken, ['customs'], REGION);
    locationBody = () => ({
      filingNo: `YZ-${next()}`,
      name: '一号冷库',
      address: '郑州市中原区',
      region: REGION,
      kind: 'cold_store',
      tempClass: 'frozen',
    });
  });

  const party = (extra: Record<string, unknown> = {}) => ({
    uscc: uscc(),
    name: { zh: '测试公司' },
    roles: ['importer'],
    region: REGION,
    ...extra,
  });

  describe('types', () => {
    it('refuses a wrong type with 400 naming the field', async () => {
      const { app, adminToken } = node();
      const cases: [string, string, unknown, string][] = [
        ['POST', '/v1/parties', party({ roles: 'importer' }), 'roles'],
        ['POST', '/v1/parties', party({ roles: ['importer', 7] }), 'roles.1'],
        ['POST', '/v1/parties', party({ name: '测试公司' }), 'name'],
        ['POST', '/v1/parties', party({ name: { zh: 42 } }), 'name.zh'],
        ['POST', '/v1/parties', party({ region: 410000 }), 'region'],
        ['POST', '/v1/parties', party({ uscc: 9.1e17 }), 'uscc'],
        ['POST', '/v1/vehicles', { plate: plate(), refrigerated: 'yes', carrierPartyId: carrier.id }, 'refrigerated'],
        ['POST', '/v1/vehicles', { plate: plate(), refrigerated: 1, carrierPartyId: carrier.id }, 'refrigerated'],
        ['POST', '/v1/locations', { ...locationBody(), ownerPartyId: biz.id, tempClass: ['frozen'] }, 'tempClass'],
        [
          'POST',
          '/v1/workers',
          { name: '张三', role: 'sales', idNumber: 410102198506121234, employerPartyId: biz.id },
          'idNumber',
        ],
        [
          'PUT',
          '/v1/settings/worker-eligibility',
          { rule: { maxAgeHours: { ...DEFAULT_ELIGIBILITY_RULE.maxAgeHours, port_handler: '48' } } },
          'rule.maxAgeHours.port_handler',
        ],
        [
          'PUT',
          '/v1/settings/worker-eligibility',
          { rule: { maxAgeHours: { ...DEFAULT_ELIGIBILITY_RULE.maxAgeHours, sales: 7.5 } } },
          'rule.maxAgeHours.sales',
        ],
      ];
      for (const [method, url, body, field] of cases) {
        expectError(await api(app, method as 'POST', url, { token: adminToken, body }), 400, 'ValidationFailed', field);
      }
    });

    it('refuses a wrong type in a worker test', async () => {
      const { app, adminToken } = node();
      const w = created(
        await api(app, 'POST', '/v1/workers', {
          token: biz.token,
          body: { name: '张三', role: 'sales', idNumber: residentId() },
        }),
      );
      const url = `/v1/workers/${w.id}/tests`;
      const good = { sampledAt: '2026-11-25T07:00:00+08:00', result: 'negative', institution: 'CDC' };
      expectError(
        await api(app, 'POST', url, { token: adminToken, body: { ...good, sampledAt: 1795593600000 } }),
        400,
        'ValidationFailed',
        'sampledAt',
      );
      expectError(
        await api(app, 'POST', url, { token: adminToken, body: { ...good, sampledAt: 'yesterday' } }),
        400,
        'ValidationFailed',
        'sampledAt',
      );
      expectError(
        await api(app, 'POST', url, { token: adminToken, body: { ...good, result: 'unclear' } }),
        400,
        'ValidationFailed',
        'result',
      );
      expectError(
        await api(app, 'POST', url, { token: adminToken, body: { ...good, result: true } }),
        400,
        'ValidationFailed',
        'result',
      );
      expectError(
        await api(app, 'POST', url, { token: adminToken, body: { ...good, sampledAt: '2027-01-01T00:00:00Z' } }),
        400,
        'ValidationFailed',
        'sampledAt',
      );
      expectError(
        await api(app, 'POST', url, { token: adminToken, body: { ...good, institution: '   ' } }),
        400,
        'ValidationFailed',
        'institution',
      );
      created(await api(app, 'POST', url, { token: adminToken, body: good }));
    });

    it('refuses an unknown enum value', async () => {
      const { app, adminToken } = node();
      expectError(
        await api(app, 'POST', '/v1/parties', { token: adminToken, body: party({ roles: ['smuggler'] }) }),
        400,
        'ValidationFailed',
        'roles.0',
      );
      expectError(
        await api(app, 'POST', '/v1/locations', { token: biz.token, body: { ...locationBody(), kind: 'igloo' } }),
        400,
        'ValidationFailed',
        'kind',
      );
      expectError(
        await api(app, 'POST', '/v1/workers', {
          token: biz.token,
          body: { name: '张三', role: 'ceo', idNumber: residentId() },
        }),
        400,
        'ValidationFailed',
        'role',
      );
      expectError(
        await api(app, 'POST', '/v1/parties', { token: adminToken, body: party({ level: 'provincial' }) }),
        400,
        'ValidationFailed',
        'level',
      );
    });
  });

  describe('required and unknown fields', () => {
    it('names a missing required field', async () => {
      const { app, adminToken } = node();
      const drop = (o: Record<string, unknown>, k: string) =>
        Object.fromEntries(Object.entries(o).filter(([key]) => key !== k));
      for (const k of ['uscc', 'name', 'roles', 'region']) {
        expectError(
          await api(app, 'POST', '/v1/parties', { token: adminToken, body: drop(party(), k) }),
          400,
          'ValidationFailed',
          k,
        );
      }
      for (const k of ['filingNo', 'name', 'address', 'region', 'kind', 'tempClass']) {
        expectError(
          await api(app, 'POST', '/v1/locations', { token: biz.token, body: drop(locationBody(), k) }),
          400,
          'ValidationFailed',
          k,
        );
      }
      for (const k of ['plate', 'refrigerated']) {
        const body = drop({ plate: plate(), refrigerated: true }, k);
        expectError(await api(app, 'POST', '/v1/vehicles', { token: carrier.token, body }), 400, 'ValidationFailed', k);
      }
      for (const k of ['name', 'role', 'idNumber']) {
        const body = drop({ name: '张三', role: 'sales', idNumber: residentId() }, k);
        expectError(await api(app, 'POST', '/v1/workers', { token: biz.token, body }), 400, 'ValidationFailed', k);
      }
      for (const k of ['country', 'registrationNo', 'name']) {
        const body = drop({ country: 'NZ', registrationNo: `ME ${next()}`, name: 'Test Meats' }, k);
        expectError(
          await api(app, 'POST', '/v1/producers', { token: customs.token, body }),
          400,
          'ValidationFailed',
          k,
        );
      }
      const partial = { maxAgeHours: { port_handler: 48, warehouse_handler: 168, driver: 168 } };
      expectError(
        await api(app, 'PUT', '/v1/settings/worker-eligibility', { token: adminToken, body: {} }),
        400,
        'ValidationFailed',
        'rule',
      );
      expectError(
        await api(app, 'PUT', '/v1/settings/worker-eligibility', { token: adminToken, body: { rule: partial } }),
        400,
        'ValidationFailed',
        'rule.maxAgeHours.sales',
      );
      expectError(
        await api(app, 'POST', '/v1/personal-data/pd_x/erasure', { token: adminToken, body: {} }),
        400,
        'ValidationFailed',
        'reason',
      );
    });

    it('names an unknown extra field, at any depth', async () => {
      const { app, adminToken } = node();
      expectError(
        await api(app, 'POST', '/v1/parties', { token: adminToken, body: party({ colour: 'red' }) }),
        400,
        'ValidationFailed',
        'colour',
      );
      expectError(
        await api(app, 'POST', '/v1/parties', {
          token: adminToken,
          body: party({ name: { zh: '公司', fr: 'Société' } }),
        }),
        400,
        'ValidationFailed',
        'name.fr',
      );
      expectError(
        await api(app, 'POST', '/v1/locations', { token: biz.token, body: { ...locationBody(), capacityTons: 40 } }),
        400,
        'ValidationFailed',
        'capacityTons',
      );
      expectError(
        await api(app, 'POST', '/v1/vehicles', {
          token: carrier.token,
          body: { plate: plate(), refrigerated: true, driver: 'x' },
        }),
        400,
        'ValidationFailed',
        'driver',
      );
      expectError(
        await api(app, 'PUT', '/v1/settings/worker-eligibility', {
          token: adminToken,
          body: { rule: { maxAgeHours: { ...DEFAULT_ELIGIBILITY_RULE.maxAgeHours, chef: 24 } } },
        }),
        400,
        'ValidationFailed',
        'rule.maxAgeHours.chef',
      );
      expectError(
        await api(app, 'GET', '/v1/locations?colour=red', { token: biz.token }),
        400,
        'ValidationFailed',
        'colour',
      );
    });

    it('refuses an update that changes nothing, or a field that cannot change', async () => {
      const { app, adminToken } = node();
      const loc = created(await api(app, 'POST', '/v1/locations', { token: biz.token, body: locationBody() }));
      expectError(
        await api(app, 'PATCH', `/v1/locations/${loc.id}`, { token: biz.token, body: {} }),
        400,
        'ValidationFailed',
        '(root)',
      );
      expectError(
        await api(app, 'PATCH', `/v1/locations/${loc.id}`, { token: biz.token, body: { ownerPartyId: carrier.id } }),
        400,
        'ValidationFailed',
        'ownerPartyId',
      );
      expectError(
        await api(app, 'PATCH', `/v1/locations/${loc.id}`, { token: biz.token, body: { name: '  ' } }),
        400,
        'ValidationFailed',
        'name',
      );
      expectError(
        await api(app, 'PATCH', `/v1/parties/${biz.id}`, { token: adminToken, body: { roles: [] } }),
        400,
        'ValidationFailed',
        'roles',
      );
      expectError(
        await api(app, 'PATCH', `/v1/parties/${biz.id}`, { token: adminToken, body: { name: { zh: null, en: ' ' } } }),
        400,
        'ValidationFailed',
        'name',
      );
      expectError(
        await api(app, 'PATCH', `/v1/parties/${biz.id}`, { token: adminToken, body: { level: 'provincial' } }),
        400,
        'ValidationFailed',
        'level',
      );
    });
  });

  describe('codes', () => {
    it('refuses an invalid unified social credit code', async () => {
      const { app, adminToken } = node();
      const good = uscc();
      const cases: [string, string][] = [
        [good.slice(0, 17), 'length'],
        [`${good.slice(0, 17)}`.padEnd(17, '0') + 'I', 'a letter outside the alphabet'],
        [good.slice(0, 5) + 'O' + good.slice(6), 'the letter O'],
        [good.slice(0, 10) + '-' + good.slice(11), 'punctuation'],
        [badCheck(good, '0123456789ABCDEFGHJKLMNPQRTUWXY'), 'the check character'],
        ['91990000' + good.slice(8), 'the division'],
      ];
      for (const [code, what] of cases) {
        const r = await api(app, 'POST', '/v1/parties', { token: adminToken, body: party({ uscc: code }) });
        expectError(r, 400, 'ValidationFailed', 'uscc');
        expect(r.body.error.details.reason, what).toBeTypeOf('string');
      }
      expectError(
        await api(app, 'POST', '/v1/parties', { token: adminToken, body: party({ uscc: `${good}0` }) }),
        400,
        'ValidationFailed',
        'uscc',
      );
      // Lower case is the same code, normalised.
      const made = created(
        await api(app, 'POST', '/v1/parties', { token: adminToken, body: party({ uscc: good.toLowerCase() }) }),
      );
      expect(made.uscc).toBe(good);
    });

    it('refuses an invalid resident ID number', async () => {
      const { app } = node();
      const withCheck = (first17: string) => first17 + residentIdCheckChar(first17);
      const cases: [string, string][] = [
        [badCheck(residentId(), '0123456789X'), 'check digit'],
        [withCheck('41010219850230123'), 'February 30th'],
        [withCheck('41010219851301123'), 'month 13'],
        [withCheck('41010218991231123'), 'before 1900'],
        [withCheck('41010220300101123'), 'born in the future'],
        [withCheck('99010219850612123'), 'no such province'],
        [residentId().slice(0, 17), 'length'],
        ['41010219850612123Y', 'bad last character'],
      ];
      for (const [idNumber, what] of cases) {
        const r = await api(app, 'POST', '/v1/workers', {
          token: biz.token,
          body: { name: '张三', role: 'sales', idNumber },
        });
        expectError(r, 400, 'ValidationFailed', 'idNumber');
        expect(r.body.error.details.reason, what).toBeTypeOf('string');
        expect(JSON.stringify(r.body), 'an error never echoes the number').not.toContain(idNumber);
      }
      const w = created(
        await api(app, 'POST', '/v1/workers', {
          token: biz.token,
          body: { name: '张三', role: 'sales', idNumber: residentId() },
        }),
      );
      expectError(
        await api(app, 'PATCH', `/v1/workers/${w.id}`, {
          token: biz.token,
          body: { idNumber: withCheck('41010219850230123') },
        }),
        400,
        'ValidationFailed',
        'idNumber',
      );
    });

    it('refuses an invalid plate', async () => {
      const { app } = node();
      for (const p of ['豫I12345', 'AB12345', '豫A1234', '豫A123456789', '豫AO1234', '美A12345', '豫A1234挂3']) {
        const r = await api(app, 'POST', '/v1/vehicles', {
          token: carrier.token,
          body: { plate: p, refrigerated: true },
        });
        expectError(r, 400, 'ValidationFailed', 'plate');
      }
      const v = created(
        await api(app, 'POST', '/v1/vehicles', { token: carrier.token, body: { plate: plate(), refrigerated: true } }),
      );
      expectError(
        await api(app, 'PATCH', `/v1/vehicles/${v.id}`, { token: carrier.token, body: { plate: 'X' } }),
        400,
        'ValidationFailed',
        'plate',
      );
    });

    it('refuses a region code that is not a province, in a body or a query', async () => {
      const { app, adminToken } = node();
      for (const region of ['410100', '990000', '41000', 'abcdef', '']) {
        expectError(
          await api(app, 'POST', '/v1/parties', { token: adminToken, body: party({ region }) }),
          400,
          'ValidationFailed',
          'region',
        );
        expectError(
          await api(app, 'POST', '/v1/locations', { token: biz.token, body: { ...locationBody(), region } }),
          400,
          'ValidationFailed',
          'region',
        );
      }
      for (const path of [
        '/v1/parties',
        '/v1/locations',
        '/v1/vehicles',
        '/v1/workers',
        '/v1/settings/worker-eligibility',
      ]) {
        expectError(
          await api(app, 'GET', `${path}?region=410100`, { token: adminToken }),
          400,
          'ValidationFailed',
          'region',
        );
      }
      expectError(
        await api(app, 'PUT', '/v1/settings/worker-eligibility', {
          token: adminToken,
          body: { region: '410100', rule: DEFAULT_ELIGIBILITY_RULE },
        }),
        400,
        'ValidationFailed',
        'region',
      );
    });

    it('refuses an unknown country, and China, as a producer’s country', async () => {
      const { app } = node();
      for (const country of ['XX', 'CN', 'cn', 'BRA', 'B', '12']) {
        const r = await api(app, 'POST', '/v1/producers', {
          token: customs.token,
          body: { country, registrationNo: `X ${next()}`, name: 'Test' },
        });
        expectError(r, 400, 'ValidationFailed', 'country');
      }
      const p = created(
        await api(app, 'POST', '/v1/producers', {
          token: customs.token,
          body: { country: 'br', registrationNo: `SIF ${next()}`, name: 'Test' },
        }),
      );
      expect(p.country).toBe('BR');
      expectError(
        await api(app, 'PATCH', `/v1/producers/${p.id}`, { token: customs.token, body: { country: 'CN' } }),
        400,
        'ValidationFailed',
        'country',
      );
      expectError(
        await api(app, 'PATCH', `/v1/producers/${p.id}`, {
          token: customs.token,
          body: { registrationNo: '<script>' },
        }),
        400,
        'ValidationFailed',
        'registrationNo',
      );
    });

    it('refuses a filing number that is not one', async () => {
      const { app } = node();
      for (const filingNo of ['AB', '冷库#1', 'A B C D E']) {
        expectError(
          await api(app, 'POST', '/v1/locations', { token: biz.token, body: { ...locationBody(), filingNo } }),
          400,
          'ValidationFailed',
          'filingNo',
        );
      }
    });

    it('refuses text that no database can store as given: NUL and lone surrogates', async () => {
      const { app, adminToken } = node();
      for (const bad of ['冷\u0000库', 'a\ud800b', '\udfff']) {
        expectError(
          await api(app, 'POST', '/v1/locations', { token: biz.token, body: { ...locationBody(), name: bad } }),
          400,
          'ValidationFailed',
          'name',
        );
        expectError(
          await api(app, 'POST', '/v1/parties', { token: adminToken, body: party({ name: { zh: bad } }) }),
          400,
          'ValidationFailed',
          'name.zh',
        );
        expectError(
          await api(app, 'POST', '/v1/workers', {
            token: biz.token,
            body: { name: bad, role: 'sales', idNumber: residentId() },
          }),
          400,
          'ValidationFailed',
          'name',
        );
        expectError(
          await api(app, 'POST', '/v1/producers', {
            token: customs.token,
            body: { country: 'NZ', registrationNo: `ME ${next()}`, name: bad },
          }),
          400,
          'ValidationFailed',
          'name',
        );
      }
      // A URL cannot carry a lone surrogate at all; NUL it can.
      for (const q of ['%00', '%E5%86%B7%00']) {
        expectError(
          await api(app, 'GET', `/v1/locations?filingNo=${q}`, { token: biz.token }),
          400,
          'ValidationFailed',
          'filingNo',
        );
        expectError(
          await api(app, 'GET', `/v1/parties?uscc=${q}`, { token: adminToken }),
          400,
          'ValidationFailed',
          'uscc',
        );
        expectError(
          await api(app, 'GET', `/v1/vehicles?plate=${q}`, { token: adminToken }),
          400,
          'ValidationFailed',
          'plate',
        );
        expectError(
          await api(app, 'GET', `/v1/producers?registrationNo=${q}`, { token: adminToken }),
          400,
          'ValidationFailed',
          'registrationNo',
        );
        expectError(await api(app, 'GET', `/v1/locations/${q}`, { token: biz.token }), 400, 'ValidationFailed', 'id');
      }
      // Other scripts, emoji and combining marks are text like any other.
      const name = '冷库 🧊 Ş̌ אבג';
      const loc = created(
        await api(app, 'POST', '/v1/locations', { token: biz.token, body: { ...locationBody(), name } }),
      );
      expect((await api(app, 'GET', `/v1/locations/${loc.id}`, { token: biz.token })).body.name).toBe(name);
    });
  });

  describe('references', () => {
    it('refuses a reference to a party that does not exist, or lacks the role, with 422 naming the field', async () => {
      const { app, adminToken } = node();
      const ghost = 'pty_01ZZZZZZZZZZZZZZZZZZZZZZZZ';
      expectError(
        await api(app, 'POST', '/v1/vehicles', {
          token: adminToken,
          body: { plate: plate(), refrigerated: true, carrierPartyId: ghost },
        }),
        422,
        'UnknownReference',
        'carrierPartyId',
      );
      expectError(
        await api(app, 'POST', '/v1/vehicles', {
          token: adminToken,
          body: { plate: plate(), refrigerated: true, carrierPartyId: biz.id },
        }),
        422,
        'UnknownReference',
        'carrierPartyId',
      );
      // Registering for oneself needs the role too.
      expectError(
        await api(app, 'POST', '/v1/vehicles', { token: adminToken, body: { plate: plate(), refrigerated: true } }),
        422,
        'UnknownReference',
        'carrierPartyId',
      );
      expectError(
        await api(app, 'POST', '/v1/workers', {
          token: adminToken,
          body: { name: '张三', role: 'sales', idNumber: residentId(), employerPartyId: ghost },
        }),
        422,
        'UnknownReference',
        'employerPartyId',
      );
      expectError(
        await api(app, 'POST', '/v1/workers', {
          token: adminToken,
          body: { name: '张三', role: 'sales', idNumber: residentId(), employerPartyId: customs.id },
        }),
        422,
        'UnknownReference',
        'employerPartyId',
      );
      expectError(
        await api(app, 'POST', '/v1/locations', {
          token: adminToken,
          body: { ...locationBody(), ownerPartyId: ghost },
        }),
        422,
        'UnknownReference',
        'ownerPartyId',
      );
    });

    it('answers 404 for a missing resource in the path', async () => {
      const { app, adminToken } = node();
      const id = 'xyz_01ZZZZZZZZZZZZZZZZZZZZZZZZ';
      expectError(await api(app, 'GET', `/v1/parties/${id}`, { token: adminToken }), 404, 'PartyNotFound', 'id');
      expectError(await api(app, 'GET', `/v1/locations/${id}`, { token: adminToken }), 404, 'LocationNotFound', 'id');
      expectError(await api(app, 'GET', `/v1/vehicles/${id}`, { token: adminToken }), 404, 'VehicleNotFound', 'id');
      expectError(await api(app, 'GET', `/v1/workers/${id}`, { token: adminToken }), 404, 'WorkerNotFound', 'id');
      expectError(await api(app, 'GET', `/v1/producers/${id}`, { token: adminToken }), 404, 'ProducerNotFound', 'id');
      expectError(
        await api(app, 'PATCH', `/v1/producers/${id}`, { token: customs.token, body: { name: 'x' } }),
        404,
        'ProducerNotFound',
        'id',
      );
      expectError(await api(app, 'DELETE', `/v1/tokens/${id}`, { token: adminToken }), 404, 'TokenNotFound');
      expectError(
        await api(app, 'POST', `/v1/personal-data/${id}/erasure`, { token: adminToken, body: { reason: 'x' } }),
        404,
        'NotFound',
      );
      expectError(await api(app, 'GET', '/v1/nothing-here', { token: adminToken }), 404, 'NotFound');
    });
  });

  describe('uniqueness', () => {
    it('refuses a duplicate filing number, on create and on update, with 409 naming the field', async () => {
      const { app } = node();
      const a = created(await api(app, 'POST', '/v1/locations', { token: biz.token, body: locationBody() }));
      const b = created(await api(app, 'POST', '/v1/locations', { token: biz.token, body: locationBody() }));
      expectError(
        await api(app, 'POST', '/v1/locations', {
          token: biz.token,
          body: { ...locationBody(), filingNo: a.filingNo },
        }),
        409,
        'AlreadyExists',
        'filingNo',
      );
      expectError(
        await api(app, 'POST', '/v1/locations', {
          token: biz.token,
          body: { ...locationBody(), filingNo: ` ${a.filingNo} ` },
        }),
        409,
        'AlreadyExists',
        'filingNo',
      );
      expectError(
        await api(app, 'PATCH', `/v1/locations/${b.id}`, { token: biz.token, body: { filingNo: a.filingNo } }),
        409,
        'AlreadyExists',
        'filingNo',
      );
      // Keeping one's own number is not a duplicate.
      expect(
        (
          await api(app, 'PATCH', `/v1/locations/${a.id}`, {
            token: biz.token,
            body: { filingNo: a.filingNo, name: '新名' },
          })
        ).status,
      ).toBe(200);
    });

    it('refuses a duplicate plate, however it is written', async () => {
      const { app } = node();
      const p = plate();
      created(await api(app, 'POST', '/v1/vehicles', { token: carrier.token, body: { plate: p, refrigerated: true } }));
      const spelled = `${p.slice(0, 2)}·${p.slice(2).toLowerCase()}`;
      expectError(
        await api(app, 'POST', '/v1/vehicles', { token: carrier.token, body: { plate: spelled, refrigerated: false } }),
        409,
        'AlreadyExists',
        'plate',
      );
      const other = created(
        await api(app, 'POST', '/v1/vehicles', { token: carrier.token, body: { plate: plate(), refrigerated: true } }),
      );
      expectError(
        await api(app, 'PATCH', `/v1/vehicles/${other.id}`, { token: carrier.token, body: { plate: p } }),
        409,
        'AlreadyExists',
        'plate',
      );
    });

    it('refuses a producer registered twice for one country, but not the same number elsewhere', async () => {
      const { app } = node();
      const reg = `EST ${next()}`;
      const first = created(
        await api(app, 'POST', '/v1/producers', {
          token: customs.token,
          body: { country: 'AU', registrationNo: reg, name: 'A' },
        }),
      );
      expectError(
        await api(app, 'POST', '/v1/producers', {
          token: customs.token,
          body: { country: 'au', registrationNo: ` ${reg}`, name: 'B' },
        }),
        409,
        'AlreadyExists',
        'registrationNo',
      );
      const elsewhere = created(
        await api(app, 'POST', '/v1/producers', {
          token: customs.token,
          body: { country: 'NZ', registrationNo: reg, name: 'C' },
        }),
      );
      expectError(
        await api(app, 'PATCH', `/v1/producers/${elsewhere.id}`, { token: customs.token, body: { country: 'AU' } }),
        409,
        'AlreadyExists',
        'registrationNo',
      );
      expect(first.registrationNo).toBe(reg);
    });

    it('refuses a duplicate party code', async () => {
      const { app, adminToken } = node();
      const body = party();
      created(await api(app, 'POST', '/v1/parties', { token: adminToken, body }));
      expectError(
        await api(app, 'POST', '/v1/parties', { token: adminToken, body: { ...body, name: { en: 'Other' } } }),
        409,
        'AlreadyExists',
        'uscc',
      );
    });
  });

  describe('bodies', () => {
    it('refuses a body over the limit with 413', async () => {
      const { app, adminToken } = node();
      const huge = { ...party(), name: { zh: '大'.repeat(400_000) } };
      expectError(
        await api(app, 'POST', '/v1/parties', { token: adminToken, body: huge }),
        413,
        'PayloadTooLarge',
        '(body)',
      );
      // Under the body limit but over a field's limit is a field error.
      const long = { ...party(), name: { zh: '长'.repeat(201) } };
      expectError(
        await api(app, 'POST', '/v1/parties', { token: adminToken, body: long }),
        400,
        'ValidationFailed',
        'name.zh',
      );
    });

    it('refuses malformed JSON with 400 MalformedJson', async () => {
      const { app, adminToken } = node();
      for (const raw of ['{"uscc":', '{uscc: 1}', "{'a':1}", '{"a":1,}', 'nul', '{"a":1}{"b":2}']) {
        expectError(await api(app, 'POST', '/v1/parties', { token: adminToken, raw }), 400, 'MalformedJson', '(body)');
      }
      // Prototype poisoning is refused outright.
      expectError(
        await api(app, 'POST', '/v1/locations', { token: biz.token, raw: '{"__proto__":{"isAdmin":true}}' }),
        400,
        'MalformedJson',
        '(body)',
      );
    });

    it('refuses an empty body where one is required, and accepts none where none is', async () => {
      const { app, adminToken } = node();
      expectError(
        await api(app, 'POST', '/v1/parties', { token: adminToken, raw: '' }),
        400,
        'MalformedJson',
        '(body)',
      );
      const bare = await app.inject({
        method: 'POST',
        url: '/v1/locations',
        headers: { authorization: `Bearer ${biz.token}` },
      });
      expectError({ status: bare.statusCode, body: bare.json(), headers: {} }, 400, 'ValidationFailed', '(root)');
      expectError(
        await api(app, 'PATCH', `/v1/parties/${biz.id}`, { token: adminToken, raw: 'null' }),
        400,
        'ValidationFailed',
        '(root)',
      );
      expectError(
        await api(app, 'POST', '/v1/vehicles', { token: carrier.token, raw: '[]' }),
        400,
        'ValidationFailed',
        '(root)',
      );
      expectError(
        await api(app, 'POST', '/v1/vehicles', { token: carrier.token, raw: '"豫A12345"' }),
        400,
        'ValidationFailed',
        '(root)',
      );
      // A token's label is optional, so a token may be asked for with no body at all.
      const t = await app.inject({
        method: 'POST',
        url: `/v1/parties/${biz.id}/tokens`,
        headers: { authorization: `Bearer ${biz.token}` },
      });
      expect(t.statusCode, t.body).toBe(201);
      expect(t.json().label).toBeNull();
    });

    it('refuses a body that is not JSON with 415', async () => {
      const { app } = node();
      const body = JSON.stringify(locationBody());
      for (const type of [
        'application/xml',
        'application/x-www-form-urlencoded',
        'multipart/form-data; boundary=x',
        'image/png',
      ]) {
        const r = await api(app, 'POST', '/v1/locations', {
          token: biz.token,
          raw: body,
          headers: { 'content-type': type },
        });
        expectError(r, 415, 'UnsupportedMediaType', 'content-type');
      }
      const none = await app.inject({
        method: 'POST',
        url: '/v1/locations',
        headers: { authorization: `Bearer ${biz.token}` },
        payload: Buffer.from(body),
      });
      expectError(
        { status: none.statusCode, body: none.json(), headers: {} },
        415,
        'UnsupportedMediaType',
        'content-type',
      );
      // JSON with a charset, or a +json subtype, is JSON.
      created(
        await api(app, 'POST', '/v1/locations', {
          token: biz.token,
          raw: JSON.stringify(locationBody()),
          headers: { 'content-type': 'application/json; charset=utf-8' },
        }),
      );
    });

    it('refuses a text/plain body with 415, never taking it for JSON', async () => {
      const { app } = node();
      const r = await api(app, 'POST', '/v1/locations', {
        token: biz.token,
        raw: JSON.stringify(locationBody()),
        headers: { 'content-type': 'text/plain' },
      });
      expectError(r, 415, 'UnsupportedMediaType', 'content-type');
    });

    it('refuses a bad Idempotency-Key header', async () => {
      const { app } = node();
      const r = await api(app, 'POST', '/v1/locations', {
        token: biz.token,
        body: locationBody(),
        headers: { 'idempotency-key': 'k'.repeat(201) },
      });
      expectError(r, 400, 'ValidationFailed', 'idempotency-key');
    });
  });

  describe('paging', () => {
    it('refuses a bad limit or cursor on every list', async () => {
      const { app, adminToken } = node();
      for (const path of ['/v1/parties', '/v1/locations', '/v1/vehicles', '/v1/workers', '/v1/producers']) {
        for (const limit of ['0', '-1', '501', 'abc', '1.5', '']) {
          expectError(
            await api(app, 'GET', `${path}?limit=${limit}`, { token: adminToken }),
            400,
            'ValidationFailed',
            'limit',
          );
        }
        for (const cursor of [
          'zzz',
          'not a cursor',
          Buffer.from("pty_x' OR 1=1 --").toString('base64url'),
          'x'.repeat(201),
        ]) {
          const r = await api(app, 'GET', `${path}?cursor=${encodeURIComponent(cursor)}`, { token: adminToken });
          expectError(r, 400, 'ValidationFailed', 'cursor');
        }
        expect((await api(app, 'GET', `${path}?limit=500`, { token: adminToken })).status).toBe(200);
        expect((await api(app, 'GET', `${path}?limit=1`, { token: adminToken })).status).toBe(200);
      }
    });
  });

  describe('language', () => {
    it('gives the message in the language asked for, and the same code and details', async () => {
      const { app, adminToken } = node();
      const body = party({ roles: 'importer' });
      const zh = await api(app, 'POST', '/v1/parties', {
        token: adminToken,
        body,
        headers: { 'accept-language': 'zh-CN' },
      });
      const en = await api(app, 'POST', '/v1/parties', {
        token: adminToken,
        body,
        headers: { 'accept-language': 'en' },
      });
      const none = await api(app, 'POST', '/v1/parties', { token: adminToken, body });
      expectError(zh, 400, 'ValidationFailed', 'roles');
      expectError(en, 400, 'ValidationFailed', 'roles');
      expect(zh.body.error.message).toBe(MESSAGES.ValidationFailed.zh);
      expect(zh.body.error.message).toMatch(/[\u4e00-\u9fff]/);
      expect(en.body.error.message).toBe(MESSAGES.ValidationFailed.en);
      expect(en.body.error.message).not.toMatch(/[\u4e00-\u9fff]/);
      expect(none.body.error.message).toBe(MESSAGES.ValidationFailed.en);
      expect(zh.body.error.details).toEqual(en.body.error.details);

      const prefers = async (header: string) =>
        (await api(app, 'GET', '/v1/parties/pty_nope', { token: adminToken, headers: { 'accept-language': header } }))
          .body.error.message;
      expect(await prefers('zh-CN,zh;q=0.9,en;q=0.8')).toBe(MESSAGES.PartyNotFound.zh);
      expect(await prefers('en-US,en;q=0.9,zh-CN;q=0.5')).toBe(MESSAGES.PartyNotFound.en);
      expect(await prefers('zh-TW')).toBe(MESSAGES.PartyNotFound.zh);
      expect(await prefers('fr-FR')).toBe(MESSAGES.PartyNotFound.en);
      expect(await prefers('en;q=0.2, zh;q=0.7')).toBe(MESSAGES.PartyNotFound.zh);

      const anon = await api(app, 'GET', '/v1/me', { headers: { 'accept-language': 'zh-CN' } });
      expect(anon.body.error.message).toBe(MESSAGES.Unauthenticated.zh);
      const forbidden = await api(app, 'POST', '/v1/parties', {
        token: biz.token,
        body: party(),
        headers: { 'accept-language': 'zh' },
      });
      expect(forbidden.body.error.message).toBe(MESSAGES.Forbidden.zh);
      const china = await api(app, 'POST', '/v1/producers', {
        token: customs.token,
        body: { country: 'CN', registrationNo: '1', name: 'x' },
        headers: { 'accept-language': 'zh-CN' },
      });
      expectError(china, 400, 'ValidationFailed', 'country');
      expect(china.body.error.message).toBe(MESSAGES.ValidationFailed.zh);
    });
  });

  describe('fuzz', () => {
    // Each POST, PUT and PATCH route with a valid body, a token that may use it, and fresh unique values.
    interface Target {
      method: 'POST' | 'PATCH' | 'PUT';
      /** url is the route, or, where the route acts once per resource, gives one (a fresh one after a write). */
      url: string | ((written: boolean) => Promise<string>);
      token: string;
      body: () => Record<string, unknown>;
    }

    /** The border cast, with a lot through each stage the border routes need. */
    let border: {
      cast: BorderCast;
      flow: BorderFlow;
      /** declared, for bookings, arrivals and documents */
      declared: string;
      /** arrived at the cast's warehouse and never booked again, for disinfections, samples and results */
      arrived: string;
      /** ready for its exit certificate */
      ready: string;
      /** declared with the most cartons a code can number */
      cartons: string;
      /** a producer of its own, so its suspensions never block the declarations */
      producerId: string;
      /** a lot of that producer, for findings to name */
      producerLot: string;
      /** two lots through the whole border to green: one the fuzz ships from, one that feeds the receipts */
      shipFrom: string;
      receiveFrom: string;
      /** a driver of the cast's carrier, tested negative at the fuzz's (fixed) now: eligible under any rule the fuzz may set */
      driverId: string;
      /** a location of biz, for shipments to arrive at */
      bizLocationId: string;
    };

    beforeAll(async () => {
      const n = node();
      const cast = await borderCast(n.app, n.adminToken);
      const flow = borderFlow(n, cast);
      const ready = (await flow.declare()).id;
      await flow.attach(ready);
      await flow.arrive(await flow.book(ready));
      await flow.disinfect(ready);
      for (const point of ['outer_pack', 'content']) await flow.result(await flow.sample(ready, point), 'negative');
      const producer = await api(n.app, 'POST', '/v1/producers', {
        token: cast.customs.token,
        body: { country: 'AR', registrationNo: `FZ ${next()}`, name: 'Fuzz S.A.' },
      });
      const producerId = created(producer).id;
      const cleared = async () => {
        const id = (await flow.declare()).id;
        await flow.attach(id);
        await flow.arrive(await flow.book(id));
        await flow.disinfect(id);
        for (const point of ['outer_pack', 'content']) await flow.result(await flow.sample(id, point), 'negative');
        await flow.exit(id);
        return id;
      };
      const driverId = created(
        await api(n.app, 'POST', '/v1/workers', {
          token: cast.carrier.token,
          body: { name: '刘师傅', role: 'driver', idNumber: residentId() },
        }),
      ).id;
      created(
        await api(n.app, 'POST', `/v1/workers/${driverId}/tests`, {
          token: cast.carrier.token,
          body: { sampledAt: flow.now(), result: 'negative', institution: 'CDC' },
        }),
      );
      border = {
        cast,
        flow,
        declared: (await flow.declare()).id,
        arrived: (await flow.arrived()).lotId,
        ready,
        cartons: (await flow.declare({ cartons: CARTON_SERIAL_MAX })).id,
        producerId,
        producerLot: (await flow.declare({ producerId })).id,
        shipFrom: await cleared(),
        receiveFrom: await cleared(),
        driverId,
        bizLocationId: created(await api(n.app, 'POST', '/v1/locations', { token: biz.token, body: locationBody() }))
          .id,
      };
    });

    async function targets(app: FastifyInstance, adminToken: string): Promise<Target[]> {
      const loc = created(await api(app, 'POST', '/v1/locations', { token: biz.token, body: locationBody() }));
      const veh = created(
        await api(app, 'POST', '/v1/vehicles', { token: carrier.token, body: { plate: plate(), refrigerated: true } }),
      );
      const wkr = created(
        await api(app, 'POST', '/v1/workers', {
          token: biz.token,
          body: { name: '张三', role: 'driver', idNumber: residentId() },
        }),
      );
      const pro = created(
        await api(app, 'POST', '/v1/producers', {
          token: customs.token,
          body: { country: 'DK', registrationNo: `DK ${next()}`, name: 'P' },
        }),
      );
      const pty = await addParty(app, adminToken, ['wholesaler']);
      const ref = (
        await node()
          .deps.db.selectFrom('workers')
          .select('personalRef')
          .where('id', '=', wkr.id)
          .executeTakeFirstOrThrow()
      ).personalRef;
      return [
        {
          method: 'POST',
          url: '/v1/parties',
          token: adminToken,
          body: () => party({ name: { zh: '公司', en: 'Co' } }),
        },
        {
          method: 'PATCH',
          url: `/v1/parties/${pty.id}`,
          token: adminToken,
          body: () => ({ name: { zh: '公司' }, roles: ['wholesaler', 'retailer'], region: REGION }),
        },
        { method: 'POST', url: `/v1/parties/${pty.id}/tokens`, token: adminToken, body: () => ({ label: 'fuzz' }) },
        {
          method: 'POST',
          url: '/v1/locations',
          token: adminToken,
          body: () => ({ ...locationBody(), ownerPartyId: biz.id }),
        },
        { method: 'PATCH', url: `/v1/locations/${loc.id}`, token: biz.token, body: () => ({ ...locationBody() }) },
        {
          method: 'POST',
          url: '/v1/vehicles',
          token: adminToken,
          body: () => ({ plate: plate(), refrigerated: true, carrierPartyId: carrier.id }),
        },
        {
          method: 'PATCH',
          url: `/v1/vehicles/${veh.id}`,
          token: carrier.token,
          body: () => ({ plate: plate(), refrigerated: false }),
        },
        {
          method: 'POST',
          url: '/v1/workers',
          token: adminToken,
          body: () => ({ name: '李四', role: 'sales', idNumber: residentId(), employerPartyId: biz.id }),
        },
        {
          method: 'PATCH',
          url: `/v1/workers/${wkr.id}`,
          token: biz.token,
          body: () => ({ name: '王五', role: 'port_handler', idNumber: residentId() }),
        },
        {
          method: 'POST',
          url: `/v1/workers/${wkr.id}/tests`,
          token: biz.token,
          body: () => ({ sampledAt: '2026-11-25T06:00:00+08:00', result: 'negative', institution: 'CDC' }),
        },
        {
          method: 'POST',
          url: '/v1/producers',
          token: customs.token,
          body: () => ({ country: 'NZ', registrationNo: `NZ ${next()}`, name: 'P', nameZh: '新西兰' }),
        },
        {
          method: 'PATCH',
          url: `/v1/producers/${pro.id}`,
          token: customs.token,
          body: () => ({ name: 'Renamed', nameZh: null }),
        },
        {
          method: 'PUT',
          url: '/v1/settings/worker-eligibility',
          token: adminToken,
          body: () => ({ region: '440000', rule: structuredClone(DEFAULT_ELIGIBILITY_RULE) }),
        },
        {
          method: 'POST',
          url: `/v1/personal-data/${ref}/erasure`,
          token: adminToken,
          body: () => ({ reason: '依法删除' }),
        },
        ...borderTargets(),
        ...custodyTargets(),
      ];
    }

    /** perResource is the url of a route that acts once per resource: make gives a fresh one after each write. */
    function perResource(make: () => Promise<string>): (written: boolean) => Promise<string> {
      let current: string | undefined;
      return async (written) => (current = written || current === undefined ? await make() : current);
    }

    function borderTargets(): Target[] {
      const { cast, flow } = border;
      const importer = cast.importer.token;
      const warehouse = cast.warehouse.token;
      let results = 0;
      return [
        { method: 'POST', url: '/v1/lots', token: importer, body: () => declaration(cast) },
        {
          method: 'POST',
          url: `/v1/lots/${border.declared}/bookings`,
          token: importer,
          body: () => ({
            warehousePartyId: cast.warehouse.id,
            locationId: cast.locationId,
            carrierPartyId: cast.carrier.id,
            vehicleId: cast.vehicleId,
            driverWorkerId: cast.driverId,
            destination: '郑州万邦冷库',
            slotStart: flow.now(),
            slotEnd: flow.now(3_600_000),
          }),
        },
        {
          method: 'POST',
          url: perResource(async () => `/v1/bookings/${await flow.book(border.declared)}/arrival`),
          token: warehouse,
          body: () => ({ arrivedAt: flow.now() }),
        },
        {
          method: 'POST',
          url: `/v1/lots/${border.arrived}/disinfections`,
          token: warehouse,
          body: () => ({
            agent: '过氧乙酸',
            concentration: '0.2%',
            operatorWorkerId: cast.operatorId,
            performedAt: flow.now(),
          }),
        },
        {
          method: 'POST',
          url: `/v1/lots/${border.arrived}/samples`,
          token: warehouse,
          body: () => ({ point: 'outer_pack', labPartyId: cast.lab.id, takenAt: flow.now() }),
        },
        {
          method: 'POST',
          url: perResource(async () => `/v1/samples/${await flow.sample(border.arrived, 'content')}/result`),
          token: cast.lab.token,
          body: () => ({
            result: ++results % 2 ? 'negative' : 'positive',
            ctValue: 32.5,
            method: 'RT-PCR',
            resultedAt: flow.now(),
          }),
        },
        { method: 'POST', url: `/v1/lots/${border.ready}/exit-certificate`, token: warehouse, body: () => ({}) },
        { method: 'POST', url: `/v1/lots/${border.cartons}/cartons`, token: importer, body: () => ({ count: 7 }) },
        {
          method: 'POST',
          url: `/v1/producers/${border.producerId}/findings`,
          token: cast.customs.token,
          body: () => ({ reason: '港口检出阳性', lotId: border.producerLot }),
        },
        {
          method: 'POST',
          url: `/v1/producers/${border.producerId}/suspensions`,
          token: cast.customs.token,
          body: () => ({ startsAt: flow.now(), endsAt: flow.now(30 * 86_400_000), reason: '官方通报' }),
        },
      ];
    }

    function custodyTargets(): Target[] {
      const { cast, flow } = border;
      const shipment = (toPartyId: string, toLocationId: string | null) => ({
        fromLocationId: null,
        toPartyId,
        toLocationId,
        quantity: { kg: 1.5, cartons: 1 },
        carrierPartyId: cast.carrier.id,
        vehicleId: cast.vehicleId,
        driverWorkerId: border.driverId,
        handlerWorkerIds: [],
        departedAt: flow.now(),
        referenceDoc: 'DN-001',
        purpose: 'shipment',
      });
      const ship = async () => {
        const r = await api(node().app, 'POST', `/v1/lots/${border.receiveFrom}/shipments`, {
          token: cast.importer.token,
          body: shipment(biz.id, border.bizLocationId),
        });
        return `/v1/shipments/${created(r).id}/receipt`;
      };
      return [
        {
          method: 'POST',
          url: `/v1/lots/${border.shipFrom}/shipments`,
          token: cast.importer.token,
          body: () => shipment(biz.id, border.bizLocationId),
        },
        {
          method: 'POST',
          url: perResource(ship),
          token: biz.token,
          body: () => ({ quantity: { kg: 1.5, cartons: 1 }, receivedAt: flow.now(), locationId: border.bizLocationId }),
        },
      ];
    }

    const STRINGS = [
      '',
      ' ',
      '\t\n',
      '\u0000',
      'a\u0000b',
      '\ud800',
      '\udc00x',
      '🧊🐟',
      'e\u0301\u0301\u0301',
      '\u202eevil',
      '\u200b',
      'Ω≈ç√∫',
      '豫A12345',
      '410000',
      '91410100MA00000000',
      "' OR 1=1 --",
      '${jndi:ldap://x}',
      '<script>alert(1)</script>',
      '../../etc/passwd',
      '%00',
      'null',
      'true',
      '-1',
      '1e309',
      '__proto__',
      'constructor',
    ];

    function value(rand: () => number, depth = 0): unknown {
      const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
      switch (Math.floor(rand() * 12)) {
        case 0:
          return null;
        case 1:
          return pick([0, -1, 1, 1.5, -0.0001, 2 ** 53 + 1, 1e308, -1e308, 720, 721]);
        case 2:
          return rand() < 0.5;
        case 3:
          return pick(STRINGS);
        case 4:
          return pick(['x', '冷', '🧊', 'A']).repeat(pick([17, 18, 19, 41, 201, 301, 501, 5_000, 60_000]));
        case 5:
          return depth > 3 ? [] : Array.from({ length: Math.floor(rand() * 4) }, () => value(rand, depth + 1));
        case 6: {
          if (depth > 3) return {};
          const o: Record<string, unknown> = {};
          for (let i = Math.floor(rand() * 3); i > 0; i--)
            o[pick(['zh', 'en', 'a', 'port_handler', 'maxAgeHours', '__proto__', 'constructor'])] = value(
              rand,
              depth + 1,
            );
          return o;
        }
        case 7: {
          let deep: unknown = 1;
          for (let i = Math.floor(rand() * 200); i > 0; i--) deep = { a: deep };
          return deep;
        }
        case 8:
          return String.fromCodePoint(
            ...Array.from({ length: 1 + Math.floor(rand() * 20) }, () => Math.floor(rand() * 0x2ffff)).filter(
              (c) => c < 0xd800 || c > 0xdfff,
            ),
          );
        default:
          return pick(STRINGS) + String(Math.floor(rand() * 1e6));
      }
    }

    function mutate(rand: () => number, body: Record<string, unknown>): unknown {
      const keys = Object.keys(body);
      const roll = rand();
      if (roll < 0.05) return value(rand);
      const out: Record<string, unknown> = structuredClone(body);
      const n = 1 + Math.floor(rand() * 3);
      for (let i = 0; i < n; i++) {
        const r = rand();
        const key = keys[Math.floor(rand() * keys.length)] ?? 'x';
        if (r < 0.55) out[key] = value(rand);
        else if (r < 0.7) delete out[key];
        else if (r < 0.8) out[`extra${i}`] = value(rand);
        else {
          // Reach one level down, into name.zh or rule.maxAgeHours.port_handler.
          const inner = out[key];
          if (inner && typeof inner === 'object' && !Array.isArray(inner)) {
            const ik = Object.keys(inner);
            const target = ik.length > 0 && rand() < 0.8 ? ik[Math.floor(rand() * ik.length)]! : 'extra';
            const v = (inner as Record<string, unknown>)[target];
            if (v && typeof v === 'object' && !Array.isArray(v)) {
              const vk = Object.keys(v);
              (v as Record<string, unknown>)[vk[Math.floor(rand() * vk.length)] ?? 'x'] = value(rand);
            } else (inner as Record<string, unknown>)[target] = value(rand);
          } else out[key] = value(rand);
        }
      }
      return out;
    }

    // 100 bodies per route keeps the suite quick; FUZZ_PER_ROUTE=5000 FUZZ_SEED=… runs a deeper search.
    const PER_ROUTE = Number(process.env.FUZZ_PER_ROUTE ?? 100);

    it(`never answers a mutated body with a 5xx (${PER_ROUTE} bodies per write route)`, async () => {
      const { app, adminToken } = node();
      const seed = Number(process.env.FUZZ_SEED ?? 20261125);
      const rand = mulberry32(seed);
      const seen = new Map<number, number>();
      for (const t of await targets(app, adminToken)) {
        let written = false;
        for (let i = 0; i < PER_ROUTE; i++) {
          const body = mutate(rand, t.body());
          const payload = JSON.stringify(body) ?? 'null';
          const url: string = typeof t.url === 'string' ? t.url : await t.url(written);
          const res = await app.inject({
            method: t.method,
            url,
            headers: {
              authorization: `Bearer ${t.token}`,
              'content-type': 'application/json',
              'accept-language': rand() < 0.5 ? 'zh-CN' : 'en',
            },
            payload,
          });
          seen.set(res.statusCode, (seen.get(res.statusCode) ?? 0) + 1);
          written = res.statusCode < 300;
          const what = `seed ${seed}: ${t.method} ${url} ${payload.slice(0, 300)} → ${res.statusCode} ${res.body.slice(0, 300)}`;
          expect(res.statusCode, what).toBeLessThan(500);
          const reply = res.json();
          if (res.statusCode >= 400) {
            expect(reply.error?.code, what).toMatch(/^[A-Z][A-Za-z]+$/);
            expect(typeof reply.error.message, what).toBe('string');
          } else {
            expect(reply, what).toBeTypeOf('object');
          }
        }
      }
      // The fuzz reached both the refusals and the writes behind them.
      const ok = [...seen].filter(([s]) => s < 300).reduce((n, [, c]) => n + c, 0);
      expect(ok).toBeGreaterThan(0);
      expect(seen.get(400)).toBeGreaterThan(0);
    }, 120_000);

    /** text turns a fuzz value into the text of a form field. */
    const text = (v: unknown) => (typeof v === 'string' ? v : (JSON.stringify(v) ?? 'undefined'));

    const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489', 'hex');
    const JPEG = Buffer.from('ffd8ffe000104a46494600010100000100010000ffd9', 'hex');
    const CHARSETS = ['utf-8', 'utf-16le', 'UCS-2', 'latin1', 'base64', 'koi8-r', 'x-nonsense', ''];

    /**
     * upload builds a multipart document upload from a valid one by rand: fields replaced, dropped,
     * repeated or added, declared in other charsets or sent as raw bytes; a file that is valid, damaged,
     * empty, missing, doubled or not a document at all; and now and then a broken envelope.
     */
    function upload(rand: () => number): { contentType: string; payload: Buffer } {
      const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
      const bytes = (n: number) => Buffer.from(Array.from({ length: n }, () => Math.floor(rand() * 256)));
      const boundary = `----fuzz${Math.floor(rand() * 2 ** 32).toString(16)}`;
      type Part = { name: string; value: Buffer; headers?: string; filename?: string };
      const fields: Part[] = Object.entries({
        kind: 'nucleic_acid',
        number: `NAT-${next()}`,
        issuer: '郑州海关',
        issuedOn: '2026-11-19',
      }).map(([name, v]) => ({ name, value: Buffer.from(v) }));
      for (let i = 1 + Math.floor(rand() * 3); i > 0; i--) {
        const r = rand();
        const at = Math.floor(rand() * fields.length);
        if (r < 0.35 && fields[at]) fields[at]!.value = Buffer.from(text(value(rand)));
        else if (r < 0.45) fields.splice(at, 1);
        else if (r < 0.55 && fields[at]) fields.push({ ...fields[at]!, value: Buffer.from(text(value(rand))) });
        else if (r < 0.65)
          fields.push({
            name: pick(['file', 'extra', '__proto__', 'constructor', 'kind[]', '', 'a"b', '名']),
            value: Buffer.from(text(value(rand))),
          });
        else if (r < 0.8 && fields[at]) {
          const charset = pick(CHARSETS);
          const enc = /16|ucs/i.test(charset) ? 'utf16le' : charset === 'latin1' ? 'latin1' : 'utf8';
          fields[at] = {
            name: fields[at]!.name,
            value: rand() < 0.5 ? Buffer.from(text(value(rand)), enc) : bytes(1 + Math.floor(rand() * 12)),
            headers: `Content-Type: text/plain; charset=${charset}\r\n`,
          };
        } else if (r < 0.85 && fields[at]) fields[at]!.value = bytes(Math.floor(rand() * 40));
        else if (r < 0.9) for (let k = 0; k < 12; k++) fields.push({ name: `f${k}`, value: Buffer.from('x') });
      }
      const damaged = Buffer.from(MINIMAL_PDF);
      for (let k = Math.floor(rand() * 4); k > 0; k--)
        damaged[Math.floor(rand() * damaged.length)] = Math.floor(rand() * 256);
      const content = pick([
        MINIMAL_PDF,
        MINIMAL_PDF,
        PNG,
        JPEG,
        damaged,
        Buffer.concat([Buffer.from('%PDF-'), bytes(64)]),
        bytes(200),
        Buffer.alloc(0),
      ]);
      const files: Part[] = [];
      const fileRoll = rand();
      if (fileRoll < 0.85) {
        const filename = pick([
          'cert.pdf',
          'scan.png',
          '',
          '..\\..\\etc\\passwd',
          '证书.pdf',
          'a'.repeat(300),
          'x"y.pdf',
        ]);
        const type = pick(['application/pdf', 'image/png', 'application/octet-stream', 'text/html', '']);
        files.push({ name: 'file', value: content, headers: type ? `Content-Type: ${type}\r\n` : '', filename });
        if (fileRoll < 0.1) files.push({ ...files[0]!, value: MINIMAL_PDF });
      }
      // Now and then the file comes first, and the fields after it.
      const parts = rand() < 0.15 ? [...files, ...fields] : [...fields, ...files];
      const chunks: Buffer[] = [];
      for (const p of parts) {
        const disposition = `form-data; name="${p.name}"${p.filename === undefined ? '' : `; filename="${p.filename}"`}`;
        chunks.push(
          Buffer.from(`--${boundary}\r\nContent-Disposition: ${disposition}\r\n${p.headers ?? ''}\r\n`),
          p.value,
          Buffer.from('\r\n'),
        );
      }
      chunks.push(Buffer.from(`--${boundary}--\r\n`));
      let payload = Buffer.concat(chunks);
      let contentType = `multipart/form-data; boundary=${boundary}`;
      const envelope = rand();
      if (envelope < 0.03) payload = payload.subarray(0, Math.floor(rand() * payload.length));
      else if (envelope < 0.05) payload = payload.subarray(0, payload.length - boundary.length - 8);
      else if (envelope < 0.07) contentType = 'multipart/form-data';
      else if (envelope < 0.09) contentType = `multipart/form-data; boundary=${boundary}x`;
      else if (envelope < 0.1)
        payload = Buffer.from(payload.toString('latin1').replace(/Content-Disposition: [^\r]*\r\n/, ''), 'latin1');
      return { contentType, payload };
    }

    it(`never answers a mutated document upload with a 5xx (${PER_ROUTE * 3} uploads)`, async () => {
      const { app } = node();
      const seed = Number(process.env.FUZZ_SEED ?? 20261125);
      const rand = mulberry32(seed + 1);
      const seen = new Map<number, number>();
      const url = `/v1/lots/${border.declared}/documents`;
      for (let i = 0; i < PER_ROUTE * 3; i++) {
        const { contentType, payload } = upload(rand);
        const res = await app.inject({
          method: 'POST',
          url,
          headers: {
            authorization: `Bearer ${border.cast.importer.token}`,
            'content-type': contentType,
            'accept-language': rand() < 0.5 ? 'zh-CN' : 'en',
          },
          payload,
        });
        seen.set(res.statusCode, (seen.get(res.statusCode) ?? 0) + 1);
        const what = `seed ${seed + 1}, upload ${i}: ${JSON.stringify(payload.toString('latin1').slice(0, 600))} → ${res.statusCode} ${res.body.slice(0, 300)}`;
        expect(res.statusCode, what).toBeLessThan(500);
        const reply = res.json();
        if (res.statusCode >= 400) {
          expect(reply.error?.code, what).toMatch(/^[A-Z][A-Za-z]+$/);
          expect(typeof reply.error.message, what).toBe('string');
        } else {
          expect(reply, what).toMatchObject({
            lotId: border.declared,
            sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
          });
        }
      }
      expect(seen.get(201)).toBeGreaterThan(0);
      expect(seen.get(400)).toBeGreaterThan(0);
    }, 120_000);
  });
});
