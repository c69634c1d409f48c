import type { FastifyInstance } from 'fastify';
import { beforeAll, describe, expect, it } from 'vitest';
import { commitmentOf } from '../src/app/registry/personal.ts';
import { DEFAULT_ELIGIBILITY_RULE } from '../src/domain/worker-eligibility.ts';
import type { Reply } from './support/http.ts';
import { addParty, api, expectError, residentId } from './support/http.ts';
import { eachDialect } from './support/test-node.ts';

// Locations, vehicles, workers and producers through HTTP: create, read, update, list with paging and
// every filter; the privacy of identity numbers; worker eligibility and its rule; erasure.

const HENAN = '410000';
const JIANGSU = '320000';
const GUANGDONG = '440000';
const HOUR = 3600_000;

let serial = 0;
const next = () => String(++serial).padStart(5, '0');

type Party = { id: string; token: string };
/** Body is a parsed JSON reply, as loosely typed as the harness gives it. */
type Body = Reply['body'];
type Item = { id: string; [k: string]: Body };

const ids = (items: Item[]) => items.map((i) => i.id);

eachDialect('master data', (node) => {
  let lastLogIndex = -1;
  /** responses collects every reply body, to search them for personal data afterwards. */
  const responses: string[] = [];

  /** call is api() that remembers the reply. */
  async function call(...args: Parameters<typeof api>): Promise<Reply> {
    const r = await api(...args);
    responses.push(JSON.stringify(r.body));
    return r;
  }

  /** write performs a write and checks it succeeded with a logIndex above every earlier one. */
  async function write(...args: Parameters<typeof api>): Promise<Body> {
    const r = await call(...args);
    expect(r.status, JSON.stringify(r.body)).toBeGreaterThanOrEqual(200);
    expect(r.status, JSON.stringify(r.body)).toBeLessThan(300);
    expect(r.body.logIndex, JSON.stringify(r.body)).toBeTypeOf('number');
    expect(Number.isInteger(r.body.logIndex)).toBe(true);
    expect(r.body.logIndex).toBeGreaterThan(lastLogIndex);
    lastLogIndex = r.body.logIndex;
    return r.body;
  }

  async function read(app: FastifyInstance, token: string, url: string): Promise<Body> {
    const r = await call(app, 'GET', url, { token });
    expect(r.status, `${url}: ${JSON.stringify(r.body)}`).toBe(200);
    return r.body;
  }

  /** pages walks a list with limit, following nextCursor, and returns every page. */
  async function pages(app: FastifyInstance, token: string, url: string, limit: number): Promise<Item[][]> {
    const out: Item[][] = [];
    let cursor: string | null = null;
    do {
      const sep = url.includes('?') ? '&' : '?';
      const body: { items: Item[]; nextCursor: string | null } = await read(
        app,
        token,
        `${url}${sep}limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`,
      );
      expect(body.items.length).toBeLessThanOrEqual(limit);
      out.push(body.items);
      cursor = body.nextCursor;
      expect(out.length).toBeLessThan(100);
    } while (cursor);
    return out;
  }

  async function expectPaged(app: FastifyInstance, token: string, url: string, expected: string[]) {
    const all = await pages(app, token, url, 2);
    const flat = all.flat().map((i) => i.id);
    expect(flat).toEqual([...expected].sort());
    expect(all.length).toBe(Math.max(1, Math.ceil(expected.length / 2)));
  }

  const iso = (ms: number) => new Date(ms).toISOString();

  let cold: Party;
  let carrier: Party;
  let customs: Party;
  let henan: Party;

  beforeAll(async () => {
    const { app, adminToken } = node();
    lastLogIndex = -1;
    responses.length = 0;
    cold = await addParty(app, adminToken, ['cold_store', 'importer'], HENAN);
    carrier = await addParty(app, adminToken, ['carrier'], HENAN);
    customs = await addParty(app, adminToken, ['customs'], HENAN);
    henan = await addParty(app, adminToken, ['regulator'], HENAN);
  });

  describe('locations', () => {
    it('creates, reads and updates a location', async () => {
      const { app, clock } = node();
      const body = {
        filingNo: `豫冷备-${next()}`,
        name: '  郑州一号冷库 ',
        address: '郑州市经开区第八大街1号',
        region: HENAN,
        kind: 'cold_store',
        tempClass: 'frozen',
      };
      const made = await write(app, 'POST', '/v1/locations', { token: cold.token, body });
      expect(made).toMatchObject({ ...body, name: '郑州一号冷库', ownerPartyId: cold.id });
      expect(made.id).toMatch(/^loc_/);
      expect(made.createdAt).toBe(iso(clock.now()));
      const got = await read(app, cold.token, `/v1/locations/${made.id}`);
      expect(got).toEqual(made);

      clock.advance(60_000);
      const changed = await write(app, 'PATCH', `/v1/locations/${made.id}`, {
        token: cold.token,
        body: { tempClass: 'chilled', name: '郑州二号冷库' },
      });
      expect(changed).toMatchObject({
        id: made.id,
        tempClass: 'chilled',
        name: '郑州二号冷库',
        filingNo: body.filingNo,
        createdAt: made.createdAt,
      });
      expect(changed.updatedAt).toBe(iso(clock.now()));
      expect(await read(app, cold.token, `/v1/locations/${made.id}`)).toEqual(changed);
      // A regulator of the region may correct it too.
      const fixed = await write(app, 'PATCH', `/v1/locations/${made.id}`, {
        token: henan.token,
        body: { address: '郑州市经开区第九大街2号' },
      });
      expect(fixed.ownerPartyId).toBe(cold.id);
    });

    it('lists locations in pages and by each filter', async () => {
      const { app, adminToken } = node();
      const owner = await addParty(app, adminToken, ['cold_store', 'wholesaler'], HENAN);
      const specs: [string, string, string][] = [
        [HENAN, 'cold_store', 'frozen'],
        [HENAN, 'warehouse', 'chilled'],
        [JIANGSU, 'cold_store', 'chilled'],
        [HENAN, 'market', 'ambient'],
        [JIANGSU, 'port', 'frozen'],
      ];
      const made: Item[] = [];
      for (const [region, kind, tempClass] of specs) {
        made.push(
          await write(app, 'POST', '/v1/locations', {
            token: owner.token,
            body: { filingNo: `LOC-${next()}`, name: `${kind} ${tempClass}`, address: '某路', region, kind, tempClass },
          }),
        );
      }
      const where = (f: (l: Item) => boolean) => made.filter(f).map((l) => l.id);
      const base = `/v1/locations?ownerPartyId=${owner.id}`;
      await expectPaged(
        app,
        adminToken,
        base,
        where(() => true),
      );
      await expectPaged(
        app,
        owner.token,
        '/v1/locations',
        where(() => true),
      );
      await expectPaged(
        app,
        adminToken,
        `${base}&region=${JIANGSU}`,
        where((l) => l.region === JIANGSU),
      );
      await expectPaged(
        app,
        adminToken,
        `${base}&kind=cold_store`,
        where((l) => l.kind === 'cold_store'),
      );
      await expectPaged(
        app,
        adminToken,
        `${base}&tempClass=frozen`,
        where((l) => l.tempClass === 'frozen'),
      );
      await expectPaged(
        app,
        adminToken,
        `${base}&region=${HENAN}&tempClass=chilled`,
        where((l) => l.region === HENAN && l.tempClass === 'chilled'),
      );
      await expectPaged(app, adminToken, `/v1/locations?filingNo=${encodeURIComponent(made[3]!.filingNo)}`, [
        made[3]!.id,
      ]);
      await expectPaged(app, adminToken, `${base}&kind=kitchen`, []);
      // The default page holds them all; a page of one has a cursor to the next.
      expect((await read(app, owner.token, '/v1/locations')).items).toHaveLength(5);
      const one = await read(app, owner.token, '/v1/locations?limit=1');
      expect(one.nextCursor).toBeTypeOf('string');
      // The Henan regulator sees the owner's Henan locations only.
      await expectPaged(
        app,
        henan.token,
        base,
        where((l) => l.region === HENAN),
      );
    });
  });

  describe('vehicles', () => {
    it('creates, reads and updates a vehicle, normalising its plate', async () => {
      const { app } = node();
      const n = next();
      const made = await write(app, 'POST', '/v1/vehicles', {
        token: carrier.token,
        body: { plate: `豫a·${n}`, refrigerated: true },
      });
      expect(made).toMatchObject({ plate: `豫A${n}`, carrierPartyId: carrier.id, refrigerated: true, region: HENAN });
      expect(made.id).toMatch(/^veh_/);
      expect(await read(app, carrier.token, `/v1/vehicles/${made.id}`)).toEqual(made);
      const changed = await write(app, 'PATCH', `/v1/vehicles/${made.id}`, {
        token: carrier.token,
        body: { refrigerated: false },
      });
      expect(changed).toMatchObject({ plate: `豫A${n}`, refrigerated: false });
      const replated = await write(app, 'PATCH', `/v1/vehicles/${made.id}`, {
        token: carrier.token,
        body: { plate: `豫AD${n.slice(1)}1` },
      });
      expect(replated).toMatchObject({ plate: `豫AD${n.slice(1)}1`, refrigerated: false });
      expect(await read(app, carrier.token, `/v1/vehicles/${made.id}`)).toEqual(replated);
    });

    it('lists vehicles in pages and by each filter', async () => {
      const { app, adminToken } = node();
      const hn = await addParty(app, adminToken, ['carrier'], HENAN);
      const js = await addParty(app, adminToken, ['carrier'], JIANGSU);
      const made: Item[] = [];
      for (const [c, prefix, refrigerated] of [
        [hn, '豫A', true],
        [hn, '豫B', false],
        [hn, '豫C', true],
        [js, '苏A', true],
        [js, '苏B', false],
      ] as const) {
        made.push(
          await write(app, 'POST', '/v1/vehicles', {
            token: adminToken,
            body: { carrierPartyId: c.id, plate: `${prefix}${next()}`, refrigerated },
          }),
        );
      }
      const where = (f: (v: Item) => boolean) => made.filter(f).map((v) => v.id);
      await expectPaged(
        app,
        adminToken,
        `/v1/vehicles?carrierPartyId=${hn.id}`,
        where((v) => v.carrierPartyId === hn.id),
      );
      await expectPaged(
        app,
        hn.token,
        '/v1/vehicles',
        where((v) => v.carrierPartyId === hn.id),
      );
      await expectPaged(
        app,
        adminToken,
        `/v1/vehicles?carrierPartyId=${hn.id}&refrigerated=true`,
        where((v) => v.carrierPartyId === hn.id && v.refrigerated),
      );
      await expectPaged(
        app,
        adminToken,
        `/v1/vehicles?carrierPartyId=${js.id}&refrigerated=false`,
        where((v) => v.carrierPartyId === js.id && !v.refrigerated),
      );
      const inJiangsu = await pages(app, adminToken, `/v1/vehicles?region=${JIANGSU}`, 2);
      expect(ids(inJiangsu.flat()).sort()).toEqual(where((v) => v.region === JIANGSU).sort());
      const spelled = encodeURIComponent(`${made[1]!.plate.slice(0, 2)} ${made[1]!.plate.slice(2)}`.toLowerCase());
      await expectPaged(app, adminToken, `/v1/vehicles?plate=${spelled}`, [made[1]!.id]);
      // The Henan regulator lists Henan carriers' vehicles only.
      const hnList = (await pages(app, henan.token, '/v1/vehicles', 50)).flat();
      expect(hnList.every((v) => v.region === HENAN)).toBe(true);
      expect(ids(hnList)).toEqual(expect.arrayContaining(where((v) => v.region === HENAN)));
    });
  });

  describe('producers', () => {
    it('creates, reads and updates a producer; every party may read the register', async () => {
      const { app, adminToken } = node();
      const made = await write(app, 'POST', '/v1/producers', {
        token: customs.token,
        body: {
          country: 'br',
          registrationNo: ` SIF ${next()} `,
          name: ' Frigorífico Exemplo ',
          nameZh: '巴西样例肉联厂',
        },
      });
      expect(made).toMatchObject({ country: 'BR', name: 'Frigorífico Exemplo', nameZh: '巴西样例肉联厂' });
      expect(made.registrationNo).toMatch(/^SIF \d+$/);
      expect(made.id).toMatch(/^pro_/);
      const retailer = await addParty(app, adminToken, ['retailer'], JIANGSU);
      expect(await read(app, retailer.token, `/v1/producers/${made.id}`)).toEqual(made);
      const changed = await write(app, 'PATCH', `/v1/producers/${made.id}`, {
        token: customs.token,
        body: { nameZh: null, name: 'Frigorífico Novo' },
      });
      expect(changed).toMatchObject({
        country: 'BR',
        registrationNo: made.registrationNo,
        name: 'Frigorífico Novo',
        nameZh: null,
      });
      expect(await read(app, retailer.token, `/v1/producers/${made.id}`)).toEqual(changed);
    });

    it('lists producers in pages and by country and registration number', async () => {
      const { app } = node();
      const made: Item[] = [];
      for (const country of ['UY', 'UY', 'UY', 'PY', 'PY']) {
        made.push(
          await write(app, 'POST', '/v1/producers', {
            token: customs.token,
            body: { country, registrationNo: `N-${next()}`, name: `Estab ${country}` },
          }),
        );
      }
      const where = (f: (p: Item) => boolean) => made.filter(f).map((p) => p.id);
      await expectPaged(
        app,
        customs.token,
        '/v1/producers?country=UY',
        where((p) => p.country === 'UY'),
      );
      await expectPaged(
        app,
        carrier.token,
        '/v1/producers?country=py',
        where((p) => p.country === 'PY'),
      );
      await expectPaged(app, customs.token, `/v1/producers?registrationNo=${made[4]!.registrationNo}`, [made[4]!.id]);
      await expectPaged(app, customs.token, `/v1/producers?country=UY&registrationNo=${made[4]!.registrationNo}`, []);
      const all = (await pages(app, customs.token, '/v1/producers', 3)).flat();
      expect(ids(all)).toEqual(expect.arrayContaining(ids(made)));
      expect(new Set(ids(all)).size).toBe(all.length);
    });
  });

  describe('workers', () => {
    it('creates, reads, updates and lists workers by each filter', async () => {
      const { app, adminToken } = node();
      const hn = await addParty(app, adminToken, ['wholesaler'], HENAN);
      const js = await addParty(app, adminToken, ['retailer'], JIANGSU);
      const made: Item[] = [];
      for (const [emp, role] of [
        [hn, 'port_handler'],
        [hn, 'driver'],
        [hn, 'sales'],
        [js, 'sales'],
        [js, 'warehouse_handler'],
      ] as const) {
        made.push(
          await write(app, 'POST', '/v1/workers', {
            token: emp.token,
            body: { name: ` 工人${next()} `, role, idNumber: residentId() },
          }),
        );
      }
      expect(made[0]).toMatchObject({ employerPartyId: hn.id, role: 'port_handler', idNumber: { erased: false } });
      expect(made[0]!.name).toMatch(/^工人\d+$/);
      expect(made[0]!.id).toMatch(/^wkr_/);
      expect(await read(app, hn.token, `/v1/workers/${made[0]!.id}`)).toEqual(made[0]);

      const changed = await write(app, 'PATCH', `/v1/workers/${made[1]!.id}`, {
        token: hn.token,
        body: { role: 'warehouse_handler', name: '赵六' },
      });
      expect(changed).toMatchObject({
        id: made[1]!.id,
        role: 'warehouse_handler',
        name: '赵六',
        idNumber: made[1]!.idNumber,
      });
      made[1] = changed;

      const where = (f: (w: Item) => boolean) => made.filter(f).map((w) => w.id);
      await expectPaged(
        app,
        adminToken,
        `/v1/workers?employerPartyId=${hn.id}`,
        where((w) => w.employerPartyId === hn.id),
      );
      await expectPaged(
        app,
        js.token,
        '/v1/workers',
        where((w) => w.employerPartyId === js.id),
      );
      await expectPaged(
        app,
        adminToken,
        `/v1/workers?employerPartyId=${js.id}&role=sales`,
        where((w) => w.employerPartyId === js.id && w.role === 'sales'),
      );
      await expectPaged(app, hn.token, '/v1/workers?role=warehouse_handler', [made[1]!.id]);
      const jsAll = (await pages(app, adminToken, `/v1/workers?region=${JIANGSU}`, 2)).flat();
      expect(ids(jsAll)).toEqual(expect.arrayContaining(where((w) => w.employerPartyId === js.id)));
      expect(ids(jsAll)).not.toContain(made[0]!.id);
    });

    it('never shows or logs a resident ID number in clear, only masked and as a commitment', async () => {
      const { app, deps } = node();
      const first = residentId('19900101', '007');
      const second = residentId('19751231', '118');
      const made = await write(app, 'POST', '/v1/workers', {
        token: cold.token,
        body: { name: '钱七', role: 'driver', idNumber: first },
        headers: { 'idempotency-key': `worker-${next()}` },
      });
      expect(made.idNumber).toEqual({
        masked: `${first.slice(0, 3)}${'*'.repeat(11)}${first.slice(-4)}`,
        erased: false,
      });
      await read(app, cold.token, `/v1/workers/${made.id}`);
      await read(app, cold.token, '/v1/workers?limit=500');
      await read(app, henan.token, `/v1/workers/${made.id}`);
      await write(app, 'POST', `/v1/workers/${made.id}/tests`, {
        token: cold.token,
        body: { sampledAt: iso(node().clock.now()), result: 'negative', institution: 'CDC' },
      });
      await read(app, cold.token, `/v1/workers/${made.id}/tests`);
      const renumbered = await write(app, 'PATCH', `/v1/workers/${made.id}`, {
        token: cold.token,
        body: { idNumber: second },
      });
      expect(renumbered.idNumber.masked).toBe(`${second.slice(0, 3)}${'*'.repeat(11)}${second.slice(-4)}`);

      for (const body of responses) {
        expect(body).not.toContain(first);
        expect(body).not.toContain(second);
        expect(body).not.toContain(first.slice(6, 14) + first.slice(14, 17));
      }
      const entries = await deps.db.selectFrom('logEntries').select(['idx', 'data']).orderBy('idx').execute();
      const texts = entries.map((e) => Buffer.from(e.data).toString('utf8'));
      for (const t of texts) {
        expect(t).not.toContain(first);
        expect(t).not.toContain(second);
        expect(t).not.toContain(first.slice(6, 17));
      }
      const idempotent = await deps.db.selectFrom('idempotencyKeys').select('body').execute();
      for (const r of idempotent) expect(r.body).not.toContain(first);

      // What the log holds instead: the salted commitment of the number and the ref of its erasable row.
      const worker = await deps.db
        .selectFrom('workers')
        .selectAll()
        .where('id', '=', made.id)
        .executeTakeFirstOrThrow();
      const pd = await deps.db
        .selectFrom('personalData')
        .selectAll()
        .where('id', '=', worker.personalRef)
        .executeTakeFirstOrThrow();
      expect(pd.value).toBe(second);
      expect(pd.kind).toBe('resident_id');
      expect(commitmentOf(pd.salt!, 'resident_id', second)).toBe(pd.commitment);
      expect(worker.idCommitment).toBe(pd.commitment);
      const updated = texts[renumbered.logIndex]!;
      expect(JSON.parse(updated).record.idNumber).toEqual({ commitment: pd.commitment, ref: pd.id });
      const createdEntry = JSON.parse(texts[made.logIndex]!);
      expect(createdEntry.type).toBe('worker.created');
      expect(createdEntry.record.idNumber.commitment).toMatch(/^v2:[0-9a-f]{64}$/);
      expect(createdEntry.record.idNumber.commitment).not.toBe(pd.commitment);
    });
  });

  describe('worker eligibility', () => {
    async function workerWithTest(
      app: FastifyInstance,
      employer: Party,
      role: string,
      result = 'negative',
    ): Promise<string> {
      const w = await write(app, 'POST', '/v1/workers', {
        token: employer.token,
        body: { name: `工人${next()}`, role, idNumber: residentId() },
      });
      await write(app, 'POST', `/v1/workers/${w.id}/tests`, {
        token: employer.token,
        body: { sampledAt: iso(node().clock.now()), result, institution: '郑州市第一人民医院' },
      });
      return w.id;
    }
    const eligibility = async (app: FastifyInstance, token: string, id: string) =>
      (await read(app, token, `/v1/workers/${id}`)).eligibility;

    it('needs a worker’s latest test to be negative and recent enough for the role', async () => {
      const { app, clock } = node();
      const start = clock.now();
      const port = await workerWithTest(app, cold, 'port_handler');
      const sales = await workerWithTest(app, cold, 'sales');
      const untested = await write(app, 'POST', '/v1/workers', {
        token: cold.token,
        body: { name: '孙八', role: 'driver', idNumber: residentId() },
      });
      expect(untested.eligibility).toMatchObject({ eligible: false, reason: 'no_test', latestTestAt: null });
      expect(await eligibility(app, cold.token, port)).toEqual({
        eligible: true,
        reason: 'ok',
        validUntil: iso(start + 48 * HOUR),
        latestTestAt: iso(start),
      });

      clock.advance(47 * HOUR);
      expect(await eligibility(app, cold.token, port)).toMatchObject({ eligible: true, reason: 'ok' });
      clock.advance(2 * HOUR);
      expect(await eligibility(app, cold.token, port)).toMatchObject({
        eligible: false,
        reason: 'expired',
        validUntil: iso(start + 48 * HOUR),
      });
      // The same test still covers a sales worker, for 7 days.
      expect(await eligibility(app, cold.token, sales)).toMatchObject({
        eligible: true,
        reason: 'ok',
        validUntil: iso(start + 168 * HOUR),
      });
      clock.advance(167 * HOUR - 49 * HOUR);
      expect(await eligibility(app, cold.token, sales)).toMatchObject({ eligible: true, reason: 'ok' });
      clock.advance(2 * HOUR);
      expect(await eligibility(app, cold.token, sales)).toMatchObject({ eligible: false, reason: 'expired' });
      // A new negative test makes the port handler eligible again.
      await write(app, 'POST', `/v1/workers/${port}/tests`, {
        token: cold.token,
        body: { sampledAt: iso(clock.now() - HOUR), result: 'negative', institution: 'CDC' },
      });
      expect(await eligibility(app, cold.token, port)).toMatchObject({
        eligible: true,
        reason: 'ok',
        latestTestAt: iso(clock.now() - HOUR),
      });
    });

    it('makes a worker whose latest test is positive ineligible, until a later negative one', async () => {
      const { app, clock } = node();
      const w = await workerWithTest(app, cold, 'sales');
      clock.advance(HOUR);
      await write(app, 'POST', `/v1/workers/${w}/tests`, {
        token: cold.token,
        body: { sampledAt: iso(clock.now()), result: 'positive', institution: 'CDC' },
      });
      expect(await eligibility(app, cold.token, w)).toMatchObject({
        eligible: false,
        reason: 'latest_positive',
        latestTestAt: iso(clock.now()),
      });
      // An older negative result entered late does not clear it.
      await write(app, 'POST', `/v1/workers/${w}/tests`, {
        token: cold.token,
        body: { sampledAt: iso(clock.now() - 30 * 60_000), result: 'negative', institution: 'CDC' },
      });
      expect(await eligibility(app, cold.token, w)).toMatchObject({ eligible: false, reason: 'latest_positive' });
      const tests = await read(app, cold.token, `/v1/workers/${w}/tests`);
      expect(tests.items.map((t: { result: string }) => t.result)).toEqual(['positive', 'negative', 'negative']);
      clock.advance(24 * HOUR);
      await write(app, 'POST', `/v1/workers/${w}/tests`, {
        token: cold.token,
        body: { sampledAt: iso(clock.now()), result: 'negative', institution: 'CDC' },
      });
      expect(await eligibility(app, cold.token, w)).toMatchObject({ eligible: true, reason: 'ok' });
    });

    it('follows the rule a regulator sets for its region, and the national rule elsewhere', async () => {
      const { app, adminToken, clock } = node();
      const gdRegulator = await addParty(app, adminToken, ['regulator'], GUANGDONG);
      const gd = await addParty(app, adminToken, ['cold_store'], GUANGDONG);
      const js = await addParty(app, adminToken, ['cold_store'], JIANGSU);
      const gdPort = await workerWithTest(app, gd, 'port_handler');
      const gdSales = await write(app, 'POST', '/v1/workers', {
        token: gd.token,
        body: { name: '周九', role: 'sales', idNumber: residentId() },
      });
      const jsPort = await workerWithTest(app, js, 'port_handler');
      const rule = (overrides: Record<string, number | null>) => ({
        maxAgeHours: { ...DEFAULT_ELIGIBILITY_RULE.maxAgeHours, ...overrides },
      });

      expect(await read(app, gd.token, '/v1/settings/worker-eligibility')).toEqual({
        region: GUANGDONG,
        rule: DEFAULT_ELIGIBILITY_RULE,
      });
      clock.advance(25 * HOUR);
      expect((await eligibility(app, gd.token, gdPort)).eligible).toBe(true);

      const set = await write(app, 'PUT', '/v1/settings/worker-eligibility', {
        token: gdRegulator.token,
        body: { region: GUANGDONG, rule: rule({ port_handler: 24, sales: null }) },
      });
      expect(set).toMatchObject({ region: GUANGDONG, rule: rule({ port_handler: 24, sales: null }) });
      expect(await read(app, gd.token, '/v1/settings/worker-eligibility')).toEqual({
        region: GUANGDONG,
        rule: rule({ port_handler: 24, sales: null }),
      });
      expect(await eligibility(app, gd.token, gdPort)).toMatchObject({ eligible: false, reason: 'expired' });
      expect(await eligibility(app, gd.token, gdSales.id)).toMatchObject({ eligible: true, reason: 'not_required' });
      // Jiangsu keeps the default.
      expect(await eligibility(app, js.token, jsPort)).toMatchObject({ eligible: true, reason: 'ok' });
      expect(await read(app, js.token, `/v1/settings/worker-eligibility?region=${GUANGDONG}`)).toMatchObject({
        rule: rule({ port_handler: 24, sales: null }),
      });

      // The national rule governs every region without one of its own.
      await write(app, 'PUT', '/v1/settings/worker-eligibility', {
        token: adminToken,
        body: { rule: rule({ port_handler: 12 }) },
      });
      expect(await eligibility(app, js.token, jsPort)).toMatchObject({ eligible: false, reason: 'expired' });
      expect(await read(app, js.token, '/v1/settings/worker-eligibility')).toEqual({
        region: JIANGSU,
        rule: rule({ port_handler: 12 }),
      });
      expect(await read(app, gd.token, '/v1/settings/worker-eligibility')).toMatchObject({
        rule: rule({ port_handler: 24, sales: null }),
      });
      // The national level may also set a region's rule.
      await write(app, 'PUT', '/v1/settings/worker-eligibility', {
        token: adminToken,
        body: { region: JIANGSU, rule: rule({ port_handler: 72 }) },
      });
      expect(await eligibility(app, js.token, jsPort)).toMatchObject({ eligible: true, reason: 'ok' });
      // A provincial regulator sets neither the national rule nor another region's.
      expectError(
        await call(app, 'PUT', '/v1/settings/worker-eligibility', {
          token: gdRegulator.token,
          body: { rule: rule({}) },
        }),
        403,
        'Forbidden',
        'region',
      );
      expectError(
        await call(app, 'PUT', '/v1/settings/worker-eligibility', {
          token: gdRegulator.token,
          body: { region: JIANGSU, rule: rule({}) },
        }),
        403,
        'Forbidden',
        'region',
      );
      expectError(
        await call(app, 'PUT', '/v1/settings/worker-eligibility', {
          token: adminToken,
          body: { rule: rule({ port_handler: 721 }) },
        }),
        400,
        'ValidationFailed',
        'rule.maxAgeHours.port_handler',
      );
      await write(app, 'PUT', '/v1/settings/worker-eligibility', {
        token: adminToken,
        body: { rule: DEFAULT_ELIGIBILITY_RULE },
      });
    });
  });

  describe('personal data erasure', () => {
    it('erases a worker’s ID number on a regulator’s request and leaves the log as it was', async () => {
      const { app, deps } = node();
      const idNumber = residentId('19881111', '456');
      const w = await write(app, 'POST', '/v1/workers', {
        token: cold.token,
        body: { name: '吴十', role: 'sales', idNumber },
      });
      const { personalRef } = await deps.db
        .selectFrom('workers')
        .select('personalRef')
        .where('id', '=', w.id)
        .executeTakeFirstOrThrow();
      const before = await deps.db.selectFrom('logEntries').selectAll().orderBy('idx').execute();

      expectError(
        await call(app, 'POST', `/v1/personal-data/${personalRef}/erasure`, {
          token: cold.token,
          body: { reason: '自己删' },
        }),
        403,
        'Forbidden',
      );
      const erased = await write(app, 'POST', `/v1/personal-data/${personalRef}/erasure`, {
        token: henan.token,
        body: { reason: '本人依《个人信息保护法》第四十七条申请删除' },
      });
      expect(erased).toMatchObject({ ref: personalRef, erasedAt: iso(node().clock.now()) });

      const shown = await read(app, cold.token, `/v1/workers/${w.id}`);
      expect(shown.idNumber).toEqual({ masked: null, erased: true });
      expect(shown).toMatchObject({ id: w.id, name: '吴十', role: 'sales', logIndex: w.logIndex });
      const listed = (await read(app, cold.token, '/v1/workers?role=sales&limit=500')).items.find(
        (x: Item) => x.id === w.id,
      );
      expect(listed.idNumber).toEqual({ masked: null, erased: true });

      const pd = await deps.db
        .selectFrom('personalData')
        .selectAll()
        .where('id', '=', personalRef)
        .executeTakeFirstOrThrow();
      expect(pd).toMatchObject({ value: null, salt: null, masked: null, erasedAt: node().clock.now() });
      expect(pd.commitment).toMatch(/^v2:[0-9a-f]{64}$/);

      // Every entry before the erasure is byte for byte what it was; one entry records the erasure.
      const after = await deps.db.selectFrom('logEntries').selectAll().orderBy('idx').execute();
      expect(after.length).toBe(before.length + 1);
      for (let i = 0; i < before.length; i++) {
        expect(Number(after[i]!.idx)).toBe(Number(before[i]!.idx));
        expect(Buffer.from(after[i]!.data).equals(Buffer.from(before[i]!.data))).toBe(true);
        expect(Buffer.from(after[i]!.leafHash).equals(Buffer.from(before[i]!.leafHash))).toBe(true);
      }
      const entry = JSON.parse(Buffer.from(after.at(-1)!.data).toString('utf8'));
      expect(entry).toMatchObject({
        type: 'personal.erased',
        party: henan.id,
        record: { ref: personalRef, commitment: pd.commitment },
      });
      expect(Buffer.from(after.at(-1)!.data).toString('utf8')).not.toContain(idNumber);

      // Erasing again changes nothing and writes nothing.
      const again = await call(app, 'POST', `/v1/personal-data/${personalRef}/erasure`, {
        token: henan.token,
        body: { reason: '重复' },
      });
      expect(again.status).toBe(200);
      expect(again.body).toMatchObject({ ref: personalRef, erasedAt: erased.erasedAt, logIndex: null });
      expect(await deps.db.selectFrom('logEntries').select('idx').execute()).toHaveLength(after.length);
      // The worker can still be updated; its erased number stays erased.
      const renamed = await write(app, 'PATCH', `/v1/workers/${w.id}`, { token: cold.token, body: { name: '吴十一' } });
      expect(renamed.idNumber).toEqual({ masked: null, erased: true });
    });
  });

  describe('the log', () => {
    it('gives every write a numeric logIndex, growing, and the log holds exactly that many entries', async () => {
      const { app, deps } = node();
      expect(lastLogIndex).toBeGreaterThan(50);
      const health = await read(app, cold.token, '/healthz');
      expect(health.logSize).toBe(lastLogIndex + 1);
      const rows = await deps.db.selectFrom('logEntries').select('idx').orderBy('idx').execute();
      expect(rows.map((r) => Number(r.idx))).toEqual(rows.map((_, i) => i));
    });
  });
});
