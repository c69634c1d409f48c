import type { FastifyInstance } from 'fastify';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Action, Role } from '../src/domain/access.ts';
import { BUSINESS_ROLES, PERMISSIONS, ROLES } from '../src/domain/access.ts';
import { generateSigner } from '../src/log/note-key.ts';
import { RECEIVING_ROLES } from '../src/domain/custody-rules.ts';
import { DEFAULT_ELIGIBILITY_RULE } from '../src/domain/worker-eligibility.ts';
import type { BorderCast } from './support/border.ts';
import { MINIMAL_PDF, borderCast, clearedLot, declaration, hire, upload } from './support/border.ts';
import type { BorderFlow } from './support/border-flow.ts';
import { borderFlow } from './support/border-flow.ts';
import type { Reply } from './support/http.ts';
import { addParty, api, expectError, residentId, uscc } from './support/http.ts';
import type { TestNode } from './support/test-node.ts';
import { eachDialect } from './support/test-node.ts';

// The permission table, tested both ways: for every action and every role, a party holding only that
// role performs a representative request on something in its own scope. Roles in PERMISSIONS[action]
// must succeed; every other role must be refused by the table (403 Forbidden naming the action).

const REGION = '410000';
const OTHER_REGION = '320000';
const AUTH_LIMIT = { max: 3, windowMs: 60_000 };

let serial = 0;
const next = () => String(++serial).padStart(5, '0');

/** plate makes a fresh valid ordinary plate, e.g. 豫A00012 (serials avoid I and O). */
const plate = (prefix = '豫A') => `${prefix}${next()}`;
const filingNo = () => `HN-LK-${next()}`;

interface Fixtures {
  /** a cold store in REGION that employs the fixture worker */
  employerId: string;
  /** a carrier in REGION that runs the fixture vehicle */
  carrierId: string;
  workerId: string;
  vehicleId: string;
  producerId: string;
}

/** Border is everyone a batch meets at the border, with a lot already through part of it. */
interface Border {
  cast: BorderCast;
  flow: BorderFlow;
  /** a lot of the cast's importer in REGION, booked at and arrived at the cast's warehouse */
  lotId: string;
  /** a sample of that lot sent to the cast's lab, still pending */
  sampleId: string;
  /** a lot of the cast's importer through the whole border to green, held by that importer, to ship from */
  clearedLotId: string;
  /** a driver of the cast's carrier with a fresh negative test, to drive those shipments */
  driverId: string;
}

/** RoleActor is one single-role party with the resources it owns. */
interface RoleActor {
  role: Role;
  id: string;
  token: string;
  locationId: string;
  /** a worker it employs (business roles), else the fixture worker in its region */
  workerId: string;
  /** a vehicle it runs (carriers), else the fixture vehicle in its region */
  vehicleId: string;
}

interface Ctx {
  app: FastifyInstance;
  adminToken: string;
  /** checkpoint signs a checkpoint of the log as it stands. */
  checkpoint(): Promise<number | null>;
  fx: Fixtures;
  a: RoleActor;
  border: Border;
  /** freshPersonalRef registers a worker in REGION and returns the personal-data ref of its ID number. */
  freshPersonalRef(): Promise<string>;
}

const isBusiness = (r: Role) => BUSINESS_ROLES.includes(r);

/** warmReadings is an hour of readings of subject, warm (−10 °C) for the last 40 minutes: one breach of the default rule. */
const warmReadings = (border: Border, subject: { kind: string; id: string }) => ({
  subject,
  deviceId: `LOGGER-${next()}`,
  readings: Array.from({ length: 7 }, (_, i) => ({
    at: border.flow.now((i - 7) * 600_000),
    celsius: i >= 3 ? -10 : -20,
  })),
});

/**
 * PERFORM maps each action to one representative HTTP request. An action of the table without an
 * entry here is reported as a todo: add its request when its route exists.
 */
const PERFORM: Readonly<Partial<Record<Action, (c: Ctx) => Promise<Reply>>>> = {
  'party.create': ({ app, a }) =>
    api(app, 'POST', '/v1/parties', {
      token: a.token,
      body: { uscc: uscc('410100'), name: { en: `Made by ${a.role}` }, roles: ['importer'], region: REGION },
    }),
  'party.read': ({ app, a }) => api(app, 'GET', `/v1/parties/${a.id}`, { token: a.token }),
  'party.update': ({ app, a }) =>
    api(app, 'PATCH', `/v1/parties/${a.id}`, { token: a.token, body: { name: { en: `Renamed ${a.role}` } } }),
  'token.manage': ({ app, a }) =>
    api(app, 'POST', `/v1/parties/${a.id}/tokens`, { token: a.token, body: { label: 'second' } }),
  'location.create': ({ app, a }) =>
    api(app, 'POST', '/v1/locations', {
      token: a.token,
      body: {
        filingNo: filingNo(),
        name: '二号冷库',
        address: '郑州市金水区1号',
        region: REGION,
        kind: 'cold_store',
        tempClass: 'frozen',
      },
    }),
  'location.read': ({ app, a }) => api(app, 'GET', `/v1/locations/${a.locationId}`, { token: a.token }),
  'location.update': ({ app, a }) =>
    api(app, 'PATCH', `/v1/locations/${a.locationId}`, { token: a.token, body: { name: '改名冷库' } }),
  'vehicle.create': ({ app, a, fx }) =>
    api(app, 'POST', '/v1/vehicles', {
      token: a.token,
      body: { plate: plate(), refrigerated: true, carrierPartyId: a.role === 'carrier' ? a.id : fx.carrierId },
    }),
  // Only carriers own vehicles, so the representative read is the list every role may ask for.
  'vehicle.read': ({ app, a }) => api(app, 'GET', '/v1/vehicles', { token: a.token }),
  'vehicle.update': ({ app, a }) =>
    api(app, 'PATCH', `/v1/vehicles/${a.vehicleId}`, { token: a.token, body: { refrigerated: false } }),
  'worker.create': ({ app, a, fx }) =>
    api(app, 'POST', '/v1/workers', {
      token: a.token,
      body: {
        name: '张三',
        role: 'sales',
        idNumber: residentId(),
        employerPartyId: isBusiness(a.role) ? a.id : fx.employerId,
      },
    }),
  'worker.read': ({ app, a }) => api(app, 'GET', `/v1/workers/${a.workerId}`, { token: a.token }),
  'worker.update': ({ app, a }) =>
    api(app, 'PATCH', `/v1/workers/${a.workerId}`, { token: a.token, body: { name: '李四' } }),
  'worker.test.create': ({ app, a }) =>
    api(app, 'POST', `/v1/workers/${a.workerId}/tests`, {
      token: a.token,
      body: { sampledAt: '2026-11-25T07:00:00+08:00', result: 'negative', institution: '郑州市疾控中心' },
    }),
  'producer.create': ({ app, a }) =>
    api(app, 'POST', '/v1/producers', {
      token: a.token,
      body: { country: 'BR', registrationNo: `SIF ${next()}`, name: 'Frigorifico Test' },
    }),
  'producer.read': ({ app, a, fx }) => api(app, 'GET', `/v1/producers/${fx.producerId}`, { token: a.token }),
  'producer.update': ({ app, a, fx }) =>
    api(app, 'PATCH', `/v1/producers/${fx.producerId}`, { token: a.token, body: { nameZh: `改名 ${a.role}` } }),
  'settings.update': ({ app, a }) =>
    api(app, 'PUT', '/v1/settings/worker-eligibility', {
      token: a.token,
      body: { region: REGION, rule: DEFAULT_ELIGIBILITY_RULE },
    }),
  'personal.erase': async (c) =>
    api(c.app, 'POST', `/v1/personal-data/${await c.freshPersonalRef()}/erasure`, {
      token: c.a.token,
      body: { reason: '本人依法申请删除' },
    }),
  // The first leaf hash of the first tile, under a fresh checkpoint; the checkpoint itself is public.
  // Each attempt names a new peer log, so that a regulator's success never clashes with an earlier one.
  'federation.manage': ({ app, a }) =>
    api(app, 'POST', '/v1/federation/peers', {
      token: a.token,
      body: {
        name: `peer ${a.role}`,
        baseUrl: 'https://peer.example',
        logVkey: generateSigner(`peer.example/${a.role}/${next()}`).verifierKey,
      },
    }),
  'federation.read': ({ app, a }) => api(app, 'GET', '/v1/federation/peers', { token: a.token }),
  'log.read': async ({ app, a, checkpoint }) => {
    await checkpoint();
    return api(app, 'GET', '/log/tile/0/000.p/1', { token: a.token });
  },
  'lot.declare': ({ app, a, border }) =>
    api(app, 'POST', '/v1/lots', { token: a.token, body: declaration(border.cast) }),
  // An importer attaches to a lot of its own; anyone else to the border lot, which is in its region.
  'document.attach': async ({ app, a, border }) => {
    const lotId = a.role === 'importer' ? (await border.flow.declare({}, a)).id : border.lotId;
    const meta = { kind: 'nucleic_acid', number: `NAT-${next()}`, issuer: '海关 GACC', issuedOn: '2026-11-19' };
    return upload(app, `/v1/lots/${lotId}/documents`, a.token, meta, {
      name: 'nat.pdf',
      type: 'application/pdf',
      bytes: MINIMAL_PDF,
    });
  },
  'booking.create': async ({ app, a, border }) => {
    const { cast, flow } = border;
    const lotId = a.role === 'importer' ? (await flow.declare({}, a)).id : border.lotId;
    if (a.role === 'importer') await hire(app, a, cast.carrier);
    return api(app, 'POST', `/v1/lots/${lotId}/bookings`, {
      token: a.token,
      body: {
        warehousePartyId: cast.warehouse.id,
        locationId: cast.locationId,
        carrierPartyId: cast.carrier.id,
        vehicleId: cast.vehicleId,
        driverWorkerId: cast.driverId,
        destination: '郑州万邦冷库',
        slotStart: flow.now(),
        slotEnd: flow.now(3_600_000),
      },
    });
  },
  // A supervision warehouse disinfects a lot booked at and arrived at its own location, by its own worker;
  // anyone else tries the border lot, which arrived at the cast's warehouse.
  'warehouse.record': async ({ app, a, border }) => {
    const { flow } = border;
    let lotId = border.lotId;
    let operatorId = flow.warehouse.operatorId;
    if (a.role === 'supervision_warehouse') {
      lotId = (await flow.arrived({}, { id: a.id, token: a.token, locationId: a.locationId, operatorId: a.workerId }))
        .lotId;
      operatorId = a.workerId;
    }
    return api(app, 'POST', `/v1/lots/${lotId}/disinfections`, {
      token: a.token,
      body: { agent: '过氧乙酸', concentration: '0.2%', operatorWorkerId: operatorId, performedAt: flow.now() },
    });
  },
  // A lab posts the result of a sample the cast's warehouse sent it; anyone else tries the border sample.
  'sample.result': async ({ app, a, border }) => {
    const sampleId = a.role === 'lab' ? await border.flow.sample(border.lotId, 'content', a.id) : border.sampleId;
    return api(app, 'POST', `/v1/samples/${sampleId}/result`, {
      token: a.token,
      body: { result: 'negative', ctValue: null, method: 'RT-PCR (GB/T 28642)', resultedAt: border.flow.now() },
    });
  },
  'cartons.issue': async ({ app, a, border }) => {
    const lotId = a.role === 'importer' ? (await border.flow.declare({}, a)).id : border.lotId;
    return api(app, 'POST', `/v1/lots/${lotId}/cartons`, { token: a.token, body: { count: 10 } });
  },
  'producer.suspend': ({ app, a, fx }) =>
    api(app, 'POST', `/v1/producers/${fx.producerId}/findings`, {
      token: a.token,
      body: { reason: `positive at the port of Tianjin (${a.role})` },
    }),
  // The cast's importer ships a kilogram of the cleared lot to the acting party, which receives it (scan in). A
  // party that cannot hold goods is never shipped to, so it tries to receive one sent to the fixture cold store.
  'custody.move': async ({ app, a, fx, border }) => {
    const { cast, flow } = border;
    const toPartyId = RECEIVING_ROLES.includes(a.role) ? a.id : fx.employerId;
    const shipped = await api(app, 'POST', `/v1/lots/${border.clearedLotId}/shipments`, {
      token: cast.importer.token,
      body: {
        toPartyId,
        quantity: { kg: 1, cartons: 1 },
        carrierPartyId: cast.carrier.id,
        vehicleId: cast.vehicleId,
        driverWorkerId: border.driverId,
        departedAt: flow.now(),
      },
    });
    const shipmentId = ok(shipped, `ship to ${a.role}`).id;
    return api(app, 'POST', `/v1/shipments/${shipmentId}/receipt`, {
      token: a.token,
      body: { quantity: { kg: 1, cartons: 1 }, receivedAt: flow.now() },
    });
  },
  // The acting party offers the fixture carrier a job.
  'carrier.job.offer': ({ app, a, fx, border }) =>
    api(app, 'POST', '/v1/carrier-jobs', {
      token: a.token,
      body: { carrierPartyId: fx.carrierId, validFrom: border.flow.now() },
    }),
  // The cast's importer offers a job to the acting party when it is a carrier (else to the fixture carrier), and the
  // acting party accepts it.
  'carrier.job.accept': async ({ app, a, fx, border }) => {
    const job = await api(app, 'POST', '/v1/carrier-jobs', {
      token: border.cast.importer.token,
      body: { carrierPartyId: a.role === 'carrier' ? a.id : fx.carrierId, validFrom: border.flow.now() },
    });
    return api(app, 'POST', `/v1/carrier-jobs/${ok(job, 'offer a job').id}/accept`, { token: a.token });
  },
  // The acting party repacks a kilogram of the cleared lot that the cast's importer shipped it; a party that cannot
  // hold goods tries the same on the cleared lot, which it does not hold.
  'custody.transform': async (c) => {
    if (RECEIVING_ROLES.includes(c.a.role)) await received(c, `transform by ${c.a.role}`);
    return api(c.app, 'POST', '/v1/transformations', {
      token: c.a.token,
      body: {
        kind: 'repack',
        inputs: [{ lotId: c.border.clearedLotId, quantity: { kg: 1, cartons: 1 } }],
        outputs: [{ quantity: { kg: 1, cartons: 2 } }],
        at: c.border.flow.now(),
      },
    });
  },
  // The acting party sells to a consumer half a kilogram of what the cast's importer shipped it.
  'retail.sell': async (c) => {
    if (RECEIVING_ROLES.includes(c.a.role)) await received(c, `retail sale by ${c.a.role}`);
    return api(c.app, 'POST', `/v1/lots/${c.border.clearedLotId}/retail-sales`, {
      token: c.a.token,
      body: { quantity: { kg: 0.5, cartons: 0 }, soldAt: c.border.flow.now() },
    });
  },
  'lot.trace': ({ app, a, border }) =>
    api(app, 'GET', `/v1/lots/${border.clearedLotId}/trace?direction=both`, { token: a.token }),
  // Incidents are opened on fresh lots, since opening one freezes its lots and the other actions ship the cleared lot.
  'incident.open': async ({ app, a, border }) => {
    const lot = await border.flow.declare();
    return api(app, 'POST', '/v1/incidents', { token: a.token, body: { trigger: { kind: 'lot', lotIds: [lot.id] } } });
  },
  // A fresh cleared lot is shipped to the acting party, frozen in an incident, and the party seals what it holds.
  'incident.act': async (c) => {
    const { app, a, adminToken, border } = c;
    if (!PERMISSIONS['incident.act'].includes(a.role)) {
      return api(app, 'POST', '/v1/incidents/inc_01JDAAAAAAAAAAAAAAAAAAAAAA/actions', {
        token: a.token,
        body: {
          lotId: border.clearedLotId,
          locationId: null,
          action: 'sealed',
          quantity: { kg: 1, cartons: 1 },
          at: border.flow.now(),
        },
      });
    }
    const lotId = await freshClearedLot(c);
    const shipped = await api(app, 'POST', `/v1/lots/${lotId}/shipments`, {
      token: border.cast.importer.token,
      body: {
        toPartyId: a.id,
        quantity: { kg: 1, cartons: 1 },
        carrierPartyId: border.cast.carrier.id,
        vehicleId: border.cast.vehicleId,
        driverWorkerId: border.driverId,
        departedAt: border.flow.now(),
      },
    });
    ok(
      await api(app, 'POST', `/v1/shipments/${ok(shipped, 'ship').id}/receipt`, {
        token: a.token,
        body: { quantity: { kg: 1, cartons: 1 }, receivedAt: border.flow.now() },
      }),
      'receive',
    );
    const inc = ok(
      await api(app, 'POST', '/v1/incidents', {
        token: adminToken,
        body: { trigger: { kind: 'lot', lotIds: [lotId] } },
      }),
      'open incident',
    );
    return api(app, 'POST', `/v1/incidents/${inc.id}/actions`, {
      token: a.token,
      body: { lotId, locationId: null, action: 'sealed', quantity: { kg: 1, cartons: 1 }, at: border.flow.now() },
    });
  },
  'incident.manage': async ({ app, a, adminToken, border }) => {
    const lot = await border.flow.declare();
    const inc = ok(
      await api(app, 'POST', '/v1/incidents', {
        token: adminToken,
        body: { trigger: { kind: 'lot', lotIds: [lot.id] } },
      }),
      'open incident',
    );
    return api(app, 'POST', `/v1/incidents/${inc.id}/close`, {
      token: a.token,
      body: { reason: '经核查排除 / ruled out' },
    });
  },
  // A surveillance sample of a freshly declared lot, which its importer in REGION holds.
  'sample.market': async ({ app, a, border }) => {
    const lot = await border.flow.declare();
    return api(app, 'POST', `/v1/lots/${lot.id}/market-samples`, {
      token: a.token,
      body: {
        point: 'outer_pack',
        labPartyId: border.cast.lab.id,
        takenAt: border.flow.now(),
        heldBy: border.cast.importer.id,
      },
    });
  },
  'epcis.capture': ({ app, a }) =>
    api(app, 'POST', '/epcis/events', {
      token: a.token,
      body: {
        '@context': ['https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld'],
        type: 'ObjectEvent',
        action: 'OBSERVE',
        bizStep: 'inspecting',
        eventTime: '2026-11-25T08:00:00Z',
        eventTimeZoneOffset: '+08:00',
        epcList: [`urn:epc:id:sgtin:4012345.011111.${a.role}`],
      },
    }),
  // A notice to the acting party itself, which is in its own region; a webhook of its own (registering calls no one).
  'notice.send': ({ app, a }) =>
    api(app, 'POST', '/v1/notices', {
      token: a.token,
      body: { title: { zh: '自查通知' }, text: { zh: '请自查库存。' }, partyIds: [a.id] },
    }),
  'webhook.manage': ({ app, a }) =>
    api(app, 'POST', '/v1/webhooks', { token: a.token, body: { url: `https://hooks.example.com/${a.role}` } }),
  // Each party logs its own location; a fresh device each time, so that no upload overlaps another.
  'temperature.upload': ({ app, a, border }) =>
    api(app, 'POST', '/v1/temperature-uploads', {
      token: a.token,
      body: warmReadings(border, { kind: 'location', id: a.locationId }),
    }),
  // A regulator closes a breach at the cast's warehouse, in its region; a holder closes one at its own location with
  // a QA token the admin issues it. Everyone else is refused by the table before any breach is looked up.
  'breach.close': async ({ app, a, adminToken, border }) => {
    const body = { comment: `复核完毕 (${a.role})` };
    if (!PERMISSIONS['breach.close'].includes(a.role))
      return api(app, 'POST', '/v1/temperature-breaches/tbr_none/close', { token: a.token, body });
    const regulator = a.role === 'regulator';
    const by = regulator ? border.cast.warehouse.token : a.token;
    const up = await api(app, 'POST', '/v1/temperature-uploads', {
      token: by,
      body: warmReadings(border, { kind: 'location', id: regulator ? border.cast.locationId : a.locationId }),
    });
    const breachId = ok(up, `upload by ${a.role}`).breaches[0].id;
    const qa = await api(app, 'POST', `/v1/parties/${a.id}/tokens`, {
      token: adminToken,
      body: { label: 'QA', qa: true },
    });
    return api(app, 'POST', `/v1/temperature-breaches/${breachId}/close`, {
      token: regulator ? a.token : ok(qa, 'QA token').token,
      body,
    });
  },
};

/** received has the cast's importer ship a kilogram and a carton of the cleared lot to the acting party, which receives it. */
/** freshClearedLot takes a new lot of the cast's importer through the whole border to green. */
async function freshClearedLot({ border }: Ctx): Promise<string> {
  const { flow } = border;
  const { lotId } = await flow.arrived();
  await flow.attach(lotId);
  await flow.disinfect(lotId);
  for (const point of ['outer_pack', 'content']) await flow.result(await flow.sample(lotId, point), 'negative');
  await flow.exit(lotId);
  return lotId;
}

async function received({ app, a, border }: Ctx, what: string): Promise<void> {
  const shipped = await api(app, 'POST', `/v1/lots/${border.clearedLotId}/shipments`, {
    token: border.cast.importer.token,
    body: {
      toPartyId: a.id,
      quantity: { kg: 1, cartons: 1 },
      carrierPartyId: border.cast.carrier.id,
      vehicleId: border.cast.vehicleId,
      driverWorkerId: border.driverId,
      departedAt: border.flow.now(),
    },
  });
  const receipt = await api(app, 'POST', `/v1/shipments/${ok(shipped, what).id}/receipt`, {
    token: a.token,
    body: { quantity: { kg: 1, cartons: 1 }, receivedAt: border.flow.now() },
  });
  ok(receipt, what);
}

function ok(r: Reply, what: string): Reply['body'] {
  expect(r.status, `${what}: ${JSON.stringify(r.body)}`).toBeGreaterThanOrEqual(200);
  expect(r.status, `${what}: ${JSON.stringify(r.body)}`).toBeLessThan(300);
  return r.body;
}

async function personalRefOf(n: TestNode, workerId: string): Promise<string> {
  const row = await n.deps.db
    .selectFrom('workers')
    .select('personalRef')
    .where('id', '=', workerId)
    .executeTakeFirstOrThrow();
  return row.personalRef;
}

async function newLocation(
  app: FastifyInstance,
  token: string,
  ownerPartyId: string,
  region = REGION,
): Promise<string> {
  const r = await api(app, 'POST', '/v1/locations', {
    token,
    body: {
      ownerPartyId,
      filingNo: filingNo(),
      name: '冷库',
      address: '某地某路1号',
      region,
      kind: 'cold_store',
      tempClass: 'frozen',
    },
  });
  return ok(r, 'create location').id;
}

async function newWorker(app: FastifyInstance, token: string, employerPartyId: string): Promise<string> {
  const r = await api(app, 'POST', '/v1/workers', {
    token,
    body: { employerPartyId, name: '王五', role: 'port_handler', idNumber: residentId() },
  });
  return ok(r, 'create worker').id;
}

async function newVehicle(
  app: FastifyInstance,
  token: string,
  carrierPartyId: string,
  prefix = '豫A',
): Promise<string> {
  const r = await api(app, 'POST', '/v1/vehicles', {
    token,
    body: { carrierPartyId, plate: plate(prefix), refrigerated: true },
  });
  return ok(r, 'create vehicle').id;
}

/** inject calls the app from a given client address, so each auth-limit test has a counter of its own. */
async function inject(app: FastifyInstance, remoteAddress: string, url: string, authorization?: string) {
  const res = await app.inject({ method: 'GET', url, remoteAddress, headers: authorization ? { authorization } : {} });
  return { status: res.statusCode, body: res.json(), headers: res.headers as Record<string, unknown> };
}

eachDialect(
  'permissions',
  (node) => {
    const actors = new Map<Role, RoleActor>();
    let fx: Fixtures;
    let border: Border;

    beforeAll(async () => {
      const { app, adminToken } = node();
      const employer = await addParty(app, adminToken, ['cold_store'], REGION);
      const carrier = await addParty(app, adminToken, ['carrier'], REGION);
      const customs = await addParty(app, adminToken, ['customs'], REGION);
      const producer = await api(app, 'POST', '/v1/producers', {
        token: customs.token,
        body: { country: 'AR', registrationNo: '1234', name: 'Estancia Test' },
      });
      fx = {
        employerId: employer.id,
        carrierId: carrier.id,
        workerId: await newWorker(app, adminToken, employer.id),
        vehicleId: await newVehicle(app, adminToken, carrier.id),
        producerId: ok(producer, 'create producer').id,
      };
      for (const role of ROLES) {
        const p = await addParty(app, adminToken, [role], REGION);
        actors.set(role, {
          role,
          ...p,
          locationId: await newLocation(app, adminToken, p.id),
          workerId: isBusiness(role) ? await newWorker(app, adminToken, p.id) : fx.workerId,
          vehicleId: role === 'carrier' ? await newVehicle(app, adminToken, p.id) : fx.vehicleId,
        });
      }
      const cast = await borderCast(app, adminToken);
      const flow = borderFlow(node(), cast);
      const { lotId } = await flow.arrived();
      const cleared = await clearedLot(node(), cast);
      const driver = await api(app, 'POST', '/v1/workers', {
        token: cast.carrier.token,
        body: { name: '刘师傅', role: 'driver', idNumber: residentId() },
      });
      const driverId = ok(driver, 'create driver').id;
      const test = await api(app, 'POST', `/v1/workers/${driverId}/tests`, {
        token: cast.carrier.token,
        body: { sampledAt: flow.now(-3_600_000), result: 'negative', institution: '郑州市疾控中心' },
      });
      ok(test, 'test driver');
      border = {
        cast,
        flow,
        lotId,
        sampleId: await flow.sample(lotId, 'outer_pack'),
        clearedLotId: cleared.id,
        driverId,
      };
    });

    const ctx = (role: Role): Ctx => {
      const { app, adminToken, checkpoint } = node();
      return {
        app,
        adminToken,
        checkpoint,
        fx,
        a: actors.get(role)!,
        border,
        freshPersonalRef: async () => personalRefOf(node(), await newWorker(app, adminToken, fx.employerId)),
      };
    };

    describe('the permission table', () => {
      it('names only known roles, and every request here performs an action of the table', () => {
        for (const roles of Object.values(PERMISSIONS)) {
          expect(roles.length).toBeGreaterThan(0);
          for (const r of roles) expect(ROLES).toContain(r);
        }
        for (const action of Object.keys(PERFORM)) expect(Object.keys(PERMISSIONS)).toContain(action);
      });

      for (const action of Object.keys(PERMISSIONS) as Action[]) {
        const perform = PERFORM[action];
        if (!perform) {
          it.todo(`${action}: no HTTP route performs it yet`);
          continue;
        }
        for (const role of ROLES) {
          const allowed = PERMISSIONS[action].includes(role);
          it(`${action} by ${role} is ${allowed ? 'allowed' : 'refused'}`, async () => {
            const r = await perform(ctx(role));
            if (allowed) {
              ok(r, `${action} by ${role}`);
            } else {
              expectError(r, 403, 'Forbidden');
              expect(r.body.error.details.action, JSON.stringify(r.body)).toBe(action);
            }
          });
        }
      }
    });

    describe('scope', () => {
      // A business with everything it owns, a second one in the same region, and one in another region.
      let mine: { id: string; token: string; locationId: string; workerId: string; vehicleId: string };
      let other: { id: string; token: string; locationId: string; workerId: string; vehicleId: string };
      let far: { id: string; token: string; locationId: string; workerId: string; vehicleId: string };
      let henan: { id: string; token: string };
      let auditor: { id: string; token: string };

      beforeAll(async () => {
        const { app, adminToken } = node();
        const m = await addParty(app, adminToken, ['carrier', 'cold_store'], REGION);
        mine = {
          ...m,
          locationId: await newLocation(app, adminToken, m.id),
          workerId: await newWorker(app, adminToken, m.id),
          vehicleId: await newVehicle(app, adminToken, m.id),
        };
        const o = await addParty(app, adminToken, ['carrier', 'cold_store'], REGION);
        other = {
          ...o,
          locationId: await newLocation(app, adminToken, o.id),
          workerId: await newWorker(app, adminToken, o.id),
          vehicleId: await newVehicle(app, adminToken, o.id),
        };
        const f = await addParty(app, adminToken, ['carrier', 'cold_store'], OTHER_REGION);
        far = {
          ...f,
          locationId: await newLocation(app, adminToken, f.id, OTHER_REGION),
          workerId: await newWorker(app, adminToken, f.id),
          vehicleId: await newVehicle(app, adminToken, f.id, '苏E'),
        };
        henan = await addParty(app, adminToken, ['regulator'], REGION);
        auditor = await addParty(app, adminToken, ['auditor'], REGION);
      });

      it('a party sees its own data and gets 404 for another party’s, even in its region', async () => {
        const { app } = node();
        const me = mine;
        ok(await api(app, 'GET', `/v1/parties/${me.id}`, { token: me.token }), 'own party');
        ok(await api(app, 'GET', `/v1/locations/${me.locationId}`, { token: me.token }), 'own location');
        ok(await api(app, 'GET', `/v1/vehicles/${me.vehicleId}`, { token: me.token }), 'own vehicle');
        ok(await api(app, 'GET', `/v1/workers/${me.workerId}`, { token: me.token }), 'own worker');
        ok(await api(app, 'GET', `/v1/workers/${me.workerId}/tests`, { token: me.token }), 'own worker tests');

        for (const t of [other, far]) {
          expectError(await api(app, 'GET', `/v1/parties/${t.id}`, { token: me.token }), 404, 'PartyNotFound', 'id');
          expectError(
            await api(app, 'GET', `/v1/locations/${t.locationId}`, { token: me.token }),
            404,
            'LocationNotFound',
            'id',
          );
          expectError(
            await api(app, 'GET', `/v1/vehicles/${t.vehicleId}`, { token: me.token }),
            404,
            'VehicleNotFound',
            'id',
          );
          expectError(
            await api(app, 'GET', `/v1/workers/${t.workerId}`, { token: me.token }),
            404,
            'WorkerNotFound',
            'id',
          );
          expectError(
            await api(app, 'GET', `/v1/workers/${t.workerId}/tests`, { token: me.token }),
            404,
            'WorkerNotFound',
            'id',
          );
          expectError(await api(app, 'GET', `/v1/parties/${t.id}/tokens`, { token: me.token }), 404, 'PartyNotFound');
          expectError(
            await api(app, 'POST', `/v1/parties/${t.id}/tokens`, { token: me.token, body: {} }),
            404,
            'PartyNotFound',
          );
          // Writes to another party's data do not reveal it exists either.
          expectError(
            await api(app, 'PATCH', `/v1/locations/${t.locationId}`, { token: me.token, body: { name: 'x' } }),
            404,
            'LocationNotFound',
          );
          expectError(
            await api(app, 'PATCH', `/v1/vehicles/${t.vehicleId}`, { token: me.token, body: { refrigerated: false } }),
            404,
            'VehicleNotFound',
          );
          expectError(
            await api(app, 'PATCH', `/v1/workers/${t.workerId}`, { token: me.token, body: { name: 'x' } }),
            404,
            'WorkerNotFound',
          );
          expectError(
            await api(app, 'POST', `/v1/workers/${t.workerId}/tests`, {
              token: me.token,
              body: { sampledAt: '2026-11-25T07:00:00Z', result: 'negative', institution: 'CDC' },
            }),
            404,
            'WorkerNotFound',
          );
        }
        // Nor may a party act for another one.
        const loc = {
          filingNo: filingNo(),
          name: '冷库',
          address: '某路',
          region: REGION,
          kind: 'cold_store',
          tempClass: 'frozen',
        };
        expectError(
          await api(app, 'POST', '/v1/locations', { token: me.token, body: { ...loc, ownerPartyId: other.id } }),
          403,
          'Forbidden',
          'ownerPartyId',
        );
        expectError(
          await api(app, 'POST', '/v1/vehicles', {
            token: me.token,
            body: { plate: plate(), refrigerated: true, carrierPartyId: other.id },
          }),
          403,
          'Forbidden',
          'carrierPartyId',
        );
        expectError(
          await api(app, 'POST', '/v1/workers', {
            token: me.token,
            body: { name: 'x', role: 'sales', idNumber: residentId(), employerPartyId: other.id },
          }),
          403,
          'Forbidden',
          'employerPartyId',
        );
      });

      it('lists hold only what the actor may see: a business party lists only itself and its own', async () => {
        const { app } = node();
        const me = mine;
        const parties = ok(await api(app, 'GET', '/v1/parties?limit=500', { token: me.token }), 'list parties');
        expect(parties.items.map((p: { id: string }) => p.id)).toEqual([me.id]);
        expect((await api(app, 'GET', `/v1/parties?region=${OTHER_REGION}`, { token: me.token })).body.items).toEqual(
          [],
        );
        const locations = ok(await api(app, 'GET', '/v1/locations?limit=500', { token: me.token }), 'list locations');
        expect(locations.items.map((l: { id: string }) => l.id)).toEqual([me.locationId]);
        const vehicles = ok(await api(app, 'GET', '/v1/vehicles?limit=500', { token: me.token }), 'list vehicles');
        expect(vehicles.items.map((v: { id: string }) => v.id)).toEqual([me.vehicleId]);
        // Asking for another party's rows by filter gives nothing, not their rows.
        expect(
          (await api(app, 'GET', `/v1/vehicles?carrierPartyId=${other.id}`, { token: me.token })).body.items,
        ).toEqual([]);
        expect(
          (await api(app, 'GET', `/v1/locations?ownerPartyId=${other.id}`, { token: me.token })).body.items,
        ).toEqual([]);
        const workers = ok(await api(app, 'GET', '/v1/workers?limit=500', { token: me.token }), 'list workers');
        expect(workers.items.map((w: { id: string }) => w.id)).toEqual([me.workerId]);
        expect(
          (await api(app, 'GET', `/v1/workers?employerPartyId=${other.id}`, { token: me.token })).body.items,
        ).toEqual([]);
      });

      it('a provincial regulator sees and manages its region, and gets 404 outside it', async () => {
        const { app } = node();
        const t = henan.token;
        ok(await api(app, 'GET', `/v1/parties/${other.id}`, { token: t }), 'party in region');
        ok(await api(app, 'GET', `/v1/locations/${other.locationId}`, { token: t }), 'location in region');
        ok(await api(app, 'GET', `/v1/vehicles/${other.vehicleId}`, { token: t }), 'vehicle in region');
        ok(await api(app, 'GET', `/v1/workers/${other.workerId}`, { token: t }), 'worker in region');
        ok(
          await api(app, 'PATCH', `/v1/parties/${other.id}`, { token: t, body: { name: { zh: '改名' } } }),
          'manage party',
        );
        ok(
          await api(app, 'PATCH', `/v1/locations/${other.locationId}`, { token: t, body: { name: '改名' } }),
          'manage location',
        );
        ok(
          await api(app, 'PATCH', `/v1/vehicles/${other.vehicleId}`, { token: t, body: { refrigerated: false } }),
          'manage vehicle',
        );
        ok(
          await api(app, 'PATCH', `/v1/workers/${other.workerId}`, { token: t, body: { name: '改名' } }),
          'manage worker',
        );
        ok(
          await api(app, 'POST', `/v1/parties/${other.id}/tokens`, {
            token: t,
            body: { label: 'issued by regulator' },
          }),
          'issue token',
        );
        await newLocation(app, t, other.id);

        expectError(await api(app, 'GET', `/v1/parties/${far.id}`, { token: t }), 404, 'PartyNotFound', 'id');
        expectError(
          await api(app, 'GET', `/v1/locations/${far.locationId}`, { token: t }),
          404,
          'LocationNotFound',
          'id',
        );
        expectError(await api(app, 'GET', `/v1/vehicles/${far.vehicleId}`, { token: t }), 404, 'VehicleNotFound', 'id');
        expectError(await api(app, 'GET', `/v1/workers/${far.workerId}`, { token: t }), 404, 'WorkerNotFound', 'id');
        expectError(
          await api(app, 'PATCH', `/v1/parties/${far.id}`, { token: t, body: { name: { zh: 'x' } } }),
          404,
          'PartyNotFound',
        );
        expectError(
          await api(app, 'PATCH', `/v1/locations/${far.locationId}`, { token: t, body: { name: 'x' } }),
          404,
          'LocationNotFound',
        );
        expectError(
          await api(app, 'PATCH', `/v1/vehicles/${far.vehicleId}`, { token: t, body: { refrigerated: false } }),
          404,
          'VehicleNotFound',
        );
        expectError(
          await api(app, 'PATCH', `/v1/workers/${far.workerId}`, { token: t, body: { name: 'x' } }),
          404,
          'WorkerNotFound',
        );
        expectError(
          await api(app, 'POST', `/v1/parties/${far.id}/tokens`, { token: t, body: {} }),
          404,
          'PartyNotFound',
        );
        const loc = { filingNo: filingNo(), name: '冷库', address: '某路', kind: 'cold_store', tempClass: 'frozen' };
        expectError(
          await api(app, 'POST', '/v1/locations', {
            token: t,
            body: { ...loc, region: OTHER_REGION, ownerPartyId: far.id },
          }),
          403,
          'Forbidden',
          'ownerPartyId',
        );
        // Acting for a party of its own region does not carry the regulator's writes into another region.
        expectError(
          await api(app, 'POST', '/v1/locations', {
            token: t,
            body: { ...loc, region: OTHER_REGION, ownerPartyId: other.id },
          }),
          403,
          'Forbidden',
          'region',
        );
        expectError(
          await api(app, 'PATCH', `/v1/locations/${other.locationId}`, { token: t, body: { region: OTHER_REGION } }),
          403,
          'Forbidden',
          'region',
        );
        expectError(
          await api(app, 'PATCH', `/v1/parties/${other.id}`, { token: t, body: { region: OTHER_REGION } }),
          403,
          'Forbidden',
          'region',
        );
        expectError(
          await api(app, 'PUT', '/v1/settings/worker-eligibility', {
            token: t,
            body: { region: OTHER_REGION, rule: DEFAULT_ELIGIBILITY_RULE },
          }),
          403,
          'Forbidden',
          'region',
        );
        expectError(
          await api(app, 'PUT', '/v1/settings/worker-eligibility', {
            token: t,
            body: { rule: DEFAULT_ELIGIBILITY_RULE },
          }),
          403,
          'Forbidden',
          'region',
        );
        const farRef = await personalRefOf(node(), far.workerId);
        expectError(
          await api(app, 'POST', `/v1/personal-data/${farRef}/erasure`, { token: t, body: { reason: '越权' } }),
          404,
          'NotFound',
        );
        const farWorker = await api(app, 'GET', `/v1/workers/${far.workerId}`, { token: node().adminToken });
        expect(farWorker.body.idNumber.erased).toBe(false);
      });

      it('a provincial regulator registers parties in its own region only, and never a national regulator', async () => {
        const { app } = node();
        const body = (region: string, extra: object = {}) => ({
          uscc: uscc(),
          name: { en: 'New Co' },
          roles: ['importer'],
          region,
          ...extra,
        });
        ok(await api(app, 'POST', '/v1/parties', { token: henan.token, body: body(REGION) }), 'register in region');
        expectError(
          await api(app, 'POST', '/v1/parties', { token: henan.token, body: body(OTHER_REGION) }),
          403,
          'Forbidden',
          'region',
        );
        expectError(
          await api(app, 'POST', '/v1/parties', {
            token: henan.token,
            body: body(REGION, { roles: ['regulator'], level: 'national' }),
          }),
          403,
          'Forbidden',
          'level',
        );
        const prov = await api(app, 'POST', '/v1/parties', {
          token: henan.token,
          body: body(REGION, { roles: ['regulator'] }),
        });
        expect(ok(prov, 'register provincial regulator').level).toBe('provincial');
        expectError(
          await api(app, 'PATCH', `/v1/parties/${prov.body.id}`, { token: henan.token, body: { level: 'national' } }),
          403,
          'Forbidden',
          'level',
        );
      });

      it('a provincial regulator cannot take over the national regulator of its region', async () => {
        const { app, adminToken, adminId } = node();
        const admin = await api(app, 'GET', `/v1/parties/${adminId}`, { token: adminToken });
        // The bootstrap national regulator sits in Beijing; so does Beijing's provincial regulator.
        const beijing = await addParty(app, adminToken, ['regulator'], admin.body.region);
        expectError(
          await api(app, 'POST', `/v1/parties/${adminId}/tokens`, {
            token: beijing.token,
            body: { label: 'mine now' },
          }),
          403,
          'Forbidden',
        );
        expectError(
          await api(app, 'PATCH', `/v1/parties/${adminId}`, { token: beijing.token, body: { level: 'provincial' } }),
          403,
          'Forbidden',
        );
        expectError(
          await api(app, 'PATCH', `/v1/parties/${adminId}`, { token: beijing.token, body: { roles: ['auditor'] } }),
          403,
          'Forbidden',
        );
        const adminTokens = await api(app, 'GET', `/v1/parties/${adminId}/tokens`, { token: adminToken });
        expectError(
          await api(app, 'DELETE', `/v1/tokens/${adminTokens.body.items[0].id}`, { token: beijing.token }),
          403,
          'Forbidden',
        );
        const after = await api(app, 'GET', '/v1/me', { token: adminToken });
        expect(after.body).toMatchObject({ level: 'national', national: true, roles: ['regulator'] });
      });

      it('a provincial regulator’s and an auditor’s lists hold only their region', async () => {
        const { app } = node();
        for (const t of [henan.token, auditor.token]) {
          for (const path of ['/v1/parties', '/v1/locations', '/v1/vehicles']) {
            const all = ok(await api(app, 'GET', `${path}?limit=500`, { token: t }), path);
            expect(all.items.length).toBeGreaterThan(0);
            expect(
              all.items.every((x: { region: string }) => x.region === REGION),
              path,
            ).toBe(true);
            expect(all.items.map((x: { id: string }) => x.id)).not.toContain(far.id);
            expect((await api(app, 'GET', `${path}?region=${OTHER_REGION}`, { token: t })).body.items, path).toEqual(
              [],
            );
          }
        }
        const workers = ok(await api(app, 'GET', '/v1/workers?limit=500', { token: henan.token }), 'workers');
        const ids = workers.items.map((w: { id: string }) => w.id);
        expect(ids).toContain(other.workerId);
        expect(ids).not.toContain(far.workerId);
        expect(
          (await api(app, 'GET', `/v1/workers?region=${OTHER_REGION}`, { token: henan.token })).body.items,
        ).toEqual([]);
      });

      it('the national regulator sees and lists everything', async () => {
        const { app, adminToken } = node();
        for (const t of [other, far]) {
          ok(await api(app, 'GET', `/v1/parties/${t.id}`, { token: adminToken }), 'party');
          ok(await api(app, 'GET', `/v1/locations/${t.locationId}`, { token: adminToken }), 'location');
          ok(await api(app, 'GET', `/v1/vehicles/${t.vehicleId}`, { token: adminToken }), 'vehicle');
          ok(await api(app, 'GET', `/v1/workers/${t.workerId}`, { token: adminToken }), 'worker');
        }
        const regions = new Set(
          (await api(app, 'GET', '/v1/parties?limit=500', { token: adminToken })).body.items.map(
            (p: { region: string }) => p.region,
          ),
        );
        expect(regions).toContain(REGION);
        expect(regions).toContain(OTHER_REGION);
        const far2 = await api(app, 'GET', `/v1/workers?region=${OTHER_REGION}`, { token: adminToken });
        expect(far2.body.items.map((w: { id: string }) => w.id)).toContain(far.workerId);
      });
    });

    describe('authentication', () => {
      it('refuses anonymous requests to every /v1 route with 401, before looking at the body', async () => {
        const { app } = node();
        const doc = app.swagger() as { paths: Record<string, Record<string, unknown>> };
        const routes = Object.entries(doc.paths)
          .filter(([path]) => path.startsWith('/v1/'))
          .flatMap(([path, ops]) =>
            Object.keys(ops).map((method) => ({
              method: method.toUpperCase(),
              path: path.replace(/\{[^}]+\}/g, 'pty_x'),
            })),
          );
        expect(routes.length).toBeGreaterThanOrEqual(20);
        for (const { method, path } of routes) {
          const hasBody = ['POST', 'PUT', 'PATCH'].includes(method);
          const r = await api(app, method as 'GET', path, hasBody ? { body: { nonsense: true } } : {});
          expectError(r, 401, 'Unauthenticated', 'authorization');
        }
      });

      it('refuses a wrong, malformed or revoked token with 401', async () => {
        const { app, adminToken } = node();
        const ip = '10.0.0.1';
        expectError(
          await inject(app, ip, '/v1/me', 'Bearer ct_not-a-token-we-issued'),
          401,
          'Unauthenticated',
          'authorization',
        );
        expectError(
          await inject(app, '10.0.0.2', '/v1/me', 'Basic dXNlcjpwYXNz'),
          401,
          'Unauthenticated',
          'authorization',
        );
        expectError(await inject(app, '10.0.0.3', '/v1/me', 'Bearer short'), 401, 'Unauthenticated', 'authorization');
        const p = await addParty(app, adminToken, ['retailer']);
        const tokens = await api(app, 'GET', `/v1/parties/${p.id}/tokens`, { token: p.token });
        ok(await api(app, 'DELETE', `/v1/tokens/${tokens.body.items[0].id}`, { token: adminToken }), 'revoke');
        expectError(
          await inject(app, '10.0.0.4', '/v1/me', `Bearer ${p.token}`),
          401,
          'Unauthenticated',
          'authorization',
        );
      });

      it('answers repeated failures with 429 and Retry-After, per client, until the window passes', async () => {
        const { app, adminToken, clock } = node();
        const ip = '10.0.1.1';
        const wrong = 'Bearer ct_wrongwrongwrongwrong';
        for (let i = 0; i < AUTH_LIMIT.max; i++)
          expectError(await inject(app, ip, '/v1/me', wrong), 401, 'Unauthenticated');
        const blocked = await inject(app, ip, '/v1/me', wrong);
        expectError(blocked, 429, 'TooManyAttempts');
        expect(blocked.headers['retry-after']).toBe(String(AUTH_LIMIT.windowMs / 1000));
        // While blocked, even a good token from that client waits: the database is not asked.
        expectError(await inject(app, ip, '/v1/me', `Bearer ${adminToken}`), 429, 'TooManyAttempts');
        // Another client is not affected.
        expect((await inject(app, '10.0.1.2', '/v1/me', `Bearer ${adminToken}`)).status).toBe(200);

        clock.advance(AUTH_LIMIT.windowMs / 2);
        const later = await inject(app, ip, '/v1/me', wrong);
        expectError(later, 429, 'TooManyAttempts');
        expect(later.headers['retry-after']).toBe(String(AUTH_LIMIT.windowMs / 2000));

        clock.advance(AUTH_LIMIT.windowMs / 2);
        expect((await inject(app, ip, '/v1/me', `Bearer ${adminToken}`)).status).toBe(200);
        // The count starts again from zero.
        for (let i = 0; i < AUTH_LIMIT.max; i++)
          expectError(await inject(app, ip, '/v1/me', wrong), 401, 'Unauthenticated');
        expectError(await inject(app, ip, '/v1/me', wrong), 429, 'TooManyAttempts');
        clock.advance(AUTH_LIMIT.windowMs);
        expect((await inject(app, ip, '/v1/me', `Bearer ${adminToken}`)).status).toBe(200);
      });

      it('does not count anonymous requests or successful ones as failures', async () => {
        const { app, adminToken } = node();
        const ip = '10.0.2.1';
        for (let i = 0; i < AUTH_LIMIT.max * 2; i++) {
          expectError(await inject(app, ip, '/v1/me'), 401, 'Unauthenticated');
          expect((await inject(app, ip, '/v1/me', `Bearer ${adminToken}`)).status).toBe(200);
        }
      });
    });
  },
  { authFailures: AUTH_LIMIT },
);
