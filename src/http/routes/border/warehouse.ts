import { pageQuery } from '../../schemas.ts';
import { pageList } from '../../../app/access/paging.ts';
import {
  getLotsByIdRecords200,
  getProducersByIdSuspension200,
  getSamples200,
  getSettingsSamplePoints200,
  getSuspensions200,
  postLotsByIdBookings201,
  postLotsByIdDisinfections201,
  postLotsByIdExitCertificate201,
  postLotsByIdSamples201,
  postProducersByIdFindings201,
  postSamplesByIdResult201,
  putSettingsSamplePoints200,
} from './replies.ts';
import type { Deps } from '../../../app/deps.ts';
import { SAMPLE_POINTS, SAMPLE_RULE, requiredSamplePoints } from '../../../app/border/lot-facts.ts';
import { setRegionalSetting } from '../../../app/registry/settings.ts';

import { listSuspensions, producerStatus, recordFinding, suspendProducer } from '../../../app/border/suspensions.ts';

import {
  createBooking,
  issueExitCertificate,
  labSamples,
  lotRecords,
  postResult,
  recordArrival,
  recordDisinfection,
  takeSample,
} from '../../../app/border/warehouse.ts';
import { requireActor } from '../../auth.ts';
import { idParam, idempotencyHeader, idempotencyOf, isoTime, msOf, regionCode, secured } from '../../schemas.ts';
import type { Api } from '../../schemas.ts';

const obj = <const R extends readonly string[], const P extends Record<string, object>>(required: R, properties: P) =>
  ({ type: 'object', additionalProperties: false, required, properties }) as const;
const str = (max = 200) => ({ type: 'string', minLength: 1, maxLength: max }) as const;

/** warehouseRoutes serves the supervision warehouse, the labs and producer suspensions. */
export async function warehouseRoutes(app: Api, deps: Deps) {
  const id = (req: { params: { id: string } }) => req.params.id;
  let tags = ['supervision warehouse'];

  app.post(
    '/v1/lots/:id/bookings',
    {
      schema: {
        response: { 201: postLotsByIdBookings201 },
        tags,
        summary: 'Book the lot into a supervision warehouse (importer)',
        security: secured,
        params: idParam,
        headers: idempotencyHeader,
        body: obj(
          ['warehousePartyId', 'locationId', 'vehicleId', 'driverWorkerId', 'destination', 'slotStart', 'slotEnd'],
          {
            warehousePartyId: str(64),
            locationId: str(64),
            vehicleId: str(64),
            driverWorkerId: str(64),
            carrierPartyId: { type: ['string', 'null'], minLength: 1, maxLength: 64 },
            destination: str(300),
            slotStart: isoTime,
            slotEnd: isoTime,
          },
        ),
      },
    },
    async (req, reply) => {
      const b = req.body;
      const r = await createBooking(
        deps,
        requireActor(req),
        id(req),
        { ...b, slotStart: msOf('slotStart', b.slotStart), slotEnd: msOf('slotEnd', b.slotEnd) },
        idempotencyOf(req),
      );
      return reply.status(201).send(r);
    },
  );
  app.post(
    '/v1/bookings/:id/arrival',
    {
      schema: {
        response: { 201: postLotsByIdBookings201 },
        tags,
        summary: 'Record the arrival of a booked lot (warehouse)',
        security: secured,
        params: idParam,
        body: obj(['arrivedAt'], { arrivedAt: isoTime }),
      },
    },
    async (req, reply) =>
      reply
        .status(201)
        .send(await recordArrival(deps, requireActor(req), id(req), msOf('arrivedAt', req.body.arrivedAt))),
  );
  app.post(
    '/v1/lots/:id/disinfections',
    {
      schema: {
        response: { 201: postLotsByIdDisinfections201 },
        tags,
        summary: 'Record disinfection (warehouse)',
        security: secured,
        params: idParam,
        body: obj(['agent', 'concentration', 'operatorWorkerId', 'performedAt'], {
          agent: str(),
          concentration: str(100),
          operatorWorkerId: str(64),
          performedAt: isoTime,
        }),
      },
    },
    async (req, reply) => {
      const b = req.body;
      return reply.status(201).send(
        await recordDisinfection(deps, requireActor(req), id(req), {
          ...b,
          performedAt: msOf('performedAt', b.performedAt),
        }),
      );
    },
  );
  app.post(
    '/v1/lots/:id/samples',
    {
      schema: {
        response: { 201: postLotsByIdSamples201 },
        tags,
        summary: 'Take a sample and send it to a lab (warehouse)',
        security: secured,
        params: idParam,
        headers: idempotencyHeader,
        body: obj(['point', 'labPartyId', 'takenAt'], {
          point: { type: 'string', enum: SAMPLE_POINTS },
          labPartyId: str(64),
          takenAt: isoTime,
        }),
      },
    },
    async (req, reply) => {
      const b = req.body;
      return reply
        .status(201)
        .send(
          await takeSample(
            deps,
            requireActor(req),
            id(req),
            { ...b, takenAt: msOf('takenAt', b.takenAt) },
            idempotencyOf(req),
          ),
        );
    },
  );
  app.post(
    '/v1/lots/:id/exit-certificate',
    {
      schema: {
        response: { 201: postLotsByIdExitCertificate201 },
        tags,
        summary: 'Issue the exit certificate (出库证明) when disinfected and every sample is negative (warehouse)',
        security: secured,
        params: idParam,
        headers: idempotencyHeader,
      },
    },
    async (req, reply) =>
      reply.status(201).send(await issueExitCertificate(deps, requireActor(req), id(req), idempotencyOf(req))),
  );
  app.get(
    '/v1/lots/:id/records',
    {
      schema: {
        response: { 200: getLotsByIdRecords200 },
        tags,
        summary: "A lot's bookings, disinfections, samples and exit certificate",
        security: secured,
        params: idParam,
      },
    },
    async (req) => lotRecords(deps, requireActor(req), id(req)),
  );

  tags = ['labs'];
  app.get(
    '/v1/samples',
    {
      schema: {
        response: { 200: getSamples200 },
        tags,
        summary: 'Samples sent to your lab',
        security: secured,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { ...pageQuery, result: { type: 'string', enum: ['pending', 'negative', 'positive'] } },
        },
      },
    },
    async (req) =>
      pageList((await labSamples(deps, requireActor(req), req.query)).items, req.query.limit, req.query.cursor),
  );
  app.post(
    '/v1/samples/:id/result',
    {
      schema: {
        response: { 201: postSamplesByIdResult201 },
        tags,
        summary: "Post a sample's result (lab; only for samples sent to it)",
        security: secured,
        params: idParam,
        body: obj(['result', 'method', 'resultedAt'], {
          result: { type: 'string', enum: ['negative', 'positive'] },
          ctValue: { type: ['number', 'null'] },
          method: str(),
          resultedAt: isoTime,
        }),
      },
    },
    async (req, reply) => {
      const b = req.body;
      return reply
        .status(201)
        .send(
          await postResult(deps, requireActor(req), id(req), { ...b, resultedAt: msOf('resultedAt', b.resultedAt) }),
        );
    },
  );

  tags = ['producers'];
  app.post(
    '/v1/producers/:id/findings',
    {
      schema: {
        response: { 201: postProducersByIdFindings201 },
        tags,
        summary: 'Record a positive finding against a producer; suspends it by the GACC rule (customs)',
        security: secured,
        params: idParam,
        headers: idempotencyHeader,
        body: obj(['reason'], { reason: str(500), lotId: str(64) }),
      },
    },
    async (req, reply) =>
      reply.status(201).send(await recordFinding(deps, requireActor(req), id(req), req.body, idempotencyOf(req))),
  );
  app.post(
    '/v1/producers/:id/suspensions',
    {
      schema: {
        response: { 201: postProducersByIdFindings201 },
        tags,
        summary: 'Suspend a producer by hand, with a reason and dates (customs)',
        security: secured,
        params: idParam,
        headers: idempotencyHeader,
        body: obj(['startsAt', 'endsAt', 'reason'], { startsAt: isoTime, endsAt: isoTime, reason: str(500) }),
      },
    },
    async (req, reply) => {
      const b = req.body;
      return reply
        .status(201)
        .send(
          await suspendProducer(
            deps,
            requireActor(req),
            id(req),
            { reason: b.reason, startsAt: msOf('startsAt', b.startsAt), endsAt: msOf('endsAt', b.endsAt) },
            idempotencyOf(req),
          ),
        );
    },
  );
  app.get(
    '/v1/producers/:id/suspension',
    {
      schema: {
        response: { 200: getProducersByIdSuspension200 },
        tags,
        summary: "The producer's suspension in force now, or null",
        security: secured,
        params: idParam,
      },
    },
    async (req) => {
      requireActor(req);
      return { suspension: await producerStatus(deps, id(req)) };
    },
  );
  app.get(
    '/v1/suspensions',
    {
      schema: {
        response: { 200: getSuspensions200 },
        tags,
        summary: 'Suspensions in force now (active=false for all)',
        security: secured,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { ...pageQuery, producerId: { type: 'string' }, active: { type: 'boolean', default: true } },
        },
      },
    },
    async (req) => {
      requireActor(req);
      return pageList((await listSuspensions(deps, req.query)).items, req.query.limit, req.query.cursor);
    },
  );
}

/** sampleRuleRoutes lets regulators read and set which sample points every batch needs. */
export async function sampleRuleRoutes(app: Api, deps: Deps) {
  const tags = ['settings'];
  app.get(
    '/v1/settings/sample-points',
    {
      schema: {
        response: { 200: getSettingsSamplePoints200 },
        tags,
        summary: 'The sample points every batch needs in a region',
        security: secured,
        querystring: { type: 'object', additionalProperties: false, properties: { region: regionCode } },
      },
    },
    async (req) => {
      const actor = requireActor(req);
      const region = req.query.region ?? actor.region;
      return { region, points: await requiredSamplePoints(deps.db, region) };
    },
  );
  app.put(
    '/v1/settings/sample-points',
    {
      schema: {
        response: { 200: putSettingsSamplePoints200 },
        tags,
        summary: 'Set the sample points every batch needs, for a region or nationally (regulator)',
        security: secured,
        body: obj(['points'], {
          region: { ...regionCode, type: ['string', 'null'] },
          points: { type: 'array', minItems: 1, uniqueItems: true, items: { type: 'string', enum: SAMPLE_POINTS } },
        }),
      },
    },
    async (req) => {
      const b = req.body;
      const r = await setRegionalSetting(deps, requireActor(req), SAMPLE_RULE, b.region ?? null, () =>
        [...b.points].sort(),
      );
      return { region: b.region ?? null, points: r.value, logIndex: r.logIndex };
    },
  );
}
