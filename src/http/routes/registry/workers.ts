import { pageOnly } from '../../schemas.ts';
import { pageList } from '../../../app/access/paging.ts';
import {
  getSettingsWorkerEligibility200,
  getWorkers200,
  getWorkersById200,
  getWorkersByIdTests200,
  postPersonalDataByIdErasure200,
  postWorkers201,
  postWorkersByIdTests201,
  putSettingsWorkerEligibility200,
} from './replies.ts';
import type { Deps } from '../../../app/deps.ts';
import { erasePersonal } from '../../../app/registry/personal.ts';
import { eligibilityRuleFor, setEligibilityRule } from '../../../app/registry/settings.ts';
import { horizonDaysFor, setTimeHorizon } from '../../../app/registry/time-horizon.ts';
import { MAX_HORIZON_DAYS } from '../../../domain/event-time.ts';
import {
  createWorker,
  getWorker,
  listWorkerTests,
  listWorkers,
  recordWorkerTest,
  updateWorker,
} from '../../../app/registry/workers.ts';
import { WORKER_ROLES } from '../../../domain/worker-eligibility.ts';
import { requireActor } from '../../auth.ts';
import {
  idParam,
  idempotencyHeader,
  idempotencyOf,
  isoTime,
  msOf,
  pageQuery,
  plain,
  regionCode,
  secured,
} from '../../schemas.ts';
import type { Api } from '../../schemas.ts';

const workerFields = {
  employerPartyId: { type: 'string', maxLength: 64, ...plain, description: 'defaults to your own party' },
  name: { type: 'string', minLength: 1, maxLength: 100, ...plain },
  role: { type: 'string', enum: WORKER_ROLES },
  idNumber: {
    type: 'string',
    minLength: 1,
    maxLength: 18,
    ...plain,
    description: 'resident ID number (GB 11643); stored erasably, shown masked',
  },
} as const;

const hours = { type: ['integer', 'null'], minimum: 1, maximum: 720 } as const;

/** workerRoutes serves workers, their nucleic-acid tests, the eligibility rule and personal-data erasure. */
export async function workerRoutes(app: Api, deps: Deps) {
  const tags = ['workers'];
  const id = (req: { params: { id: string } }) => req.params.id;

  app.post(
    '/v1/workers',
    {
      schema: {
        response: { 201: postWorkers201 },
        tags,
        summary: 'Register a worker',
        security: secured,
        headers: idempotencyHeader,
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['name', 'role', 'idNumber'],
          properties: workerFields,
        },
      },
    },
    async (req, reply) => {
      const r = await createWorker(deps, requireActor(req), req.body, idempotencyOf(req));
      return reply.status(201).send({ ...r.worker, logIndex: r.logIndex });
    },
  );
  app.get(
    '/v1/workers',
    {
      schema: {
        response: { 200: getWorkers200 },
        tags,
        summary: 'List workers you may see',
        security: secured,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            ...pageQuery,
            region: regionCode,
            employerPartyId: { type: 'string', ...plain },
            role: { type: 'string', enum: WORKER_ROLES },
          },
        },
      },
    },
    async (req) => listWorkers(deps, requireActor(req), req.query),
  );
  app.get(
    '/v1/workers/:id',
    {
      schema: {
        response: { 200: getWorkersById200 },
        tags,
        summary: 'Read a worker with on-duty eligibility',
        security: secured,
        params: idParam,
      },
    },
    async (req) => getWorker(deps, requireActor(req), id(req)),
  );
  app.patch(
    '/v1/workers/:id',
    {
      schema: {
        response: { 200: postWorkers201 },
        tags,
        summary: 'Update a worker',
        security: secured,
        params: idParam,
        body: { type: 'object', additionalProperties: false, minProperties: 1, properties: workerFields },
      },
    },
    async (req) => {
      const r = await updateWorker(deps, requireActor(req), id(req), req.body);
      return { ...r.worker, logIndex: r.logIndex };
    },
  );

  app.post(
    '/v1/workers/:id/tests',
    {
      schema: {
        response: { 201: postWorkersByIdTests201 },
        tags,
        summary: "Record a worker's nucleic-acid test",
        security: secured,
        params: idParam,
        headers: idempotencyHeader,
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['sampledAt', 'result', 'institution'],
          properties: {
            sampledAt: isoTime,
            result: { type: 'string', enum: ['negative', 'positive'] },
            institution: { type: 'string', minLength: 1, maxLength: 200, ...plain },
          },
        },
      },
    },
    async (req, reply) => {
      const b = req.body;
      const r = await recordWorkerTest(
        deps,
        requireActor(req),
        id(req),
        { ...b, sampledAt: msOf('sampledAt', b.sampledAt) },
        idempotencyOf(req),
      );
      return reply.status(201).send({ ...r.test, logIndex: r.logIndex });
    },
  );
  app.get(
    '/v1/workers/:id/tests',
    {
      schema: {
        response: { 200: getWorkersByIdTests200 },
        tags,
        summary: "A worker's tests, latest first",
        security: secured,
        params: idParam,
        querystring: pageOnly,
      },
    },
    async (req) => pageList(await listWorkerTests(deps, requireActor(req), id(req)), req.query.limit, req.query.cursor),
  );

  const ruleBody = {
    type: 'object',
    additionalProperties: false,
    required: ['maxAgeHours'],
    properties: {
      maxAgeHours: {
        type: 'object',
        additionalProperties: false,
        required: [...WORKER_ROLES],
        properties: Object.fromEntries(WORKER_ROLES.map((r) => [r, hours])),
      },
    },
  } as const;
  app.get(
    '/v1/settings/worker-eligibility',
    {
      schema: {
        response: { 200: getSettingsWorkerEligibility200 },
        tags: ['settings'],
        summary: 'The worker test rule in force for a region',
        security: secured,
        querystring: { type: 'object', properties: { region: regionCode } },
      },
    },
    async (req) => {
      const actor = requireActor(req);
      const region = req.query.region ?? actor.region;
      return { region, rule: await eligibilityRuleFor(deps, region) };
    },
  );
  app.put(
    '/v1/settings/worker-eligibility',
    {
      schema: {
        response: { 200: putSettingsWorkerEligibility200 },
        tags: ['settings'],
        summary: 'Set the worker test rule for a region, or nationally (regulator)',
        security: secured,
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['rule'],
          properties: { region: { ...regionCode, type: ['string', 'null'] }, rule: ruleBody },
        },
      },
    },
    async (req) => {
      const b = req.body;
      return setEligibilityRule(deps, requireActor(req), b.region ?? null, b.rule);
    },
  );
  app.get(
    '/v1/settings/event-time-horizon',
    {
      schema: {
        tags: ['settings'],
        summary: 'How many days back an event time may lie in a region (future times: 5 minutes of clock skew)',
        security: secured,
        querystring: { type: 'object', additionalProperties: false, properties: { region: regionCode } },
        response: {
          200: {
            type: 'object',
            additionalProperties: false,
            required: ['region', 'days'],
            properties: { region: { type: 'string' }, days: { type: 'integer' } },
          },
        },
      },
    },
    async (req) => {
      const actor = requireActor(req);
      const region = req.query.region ?? actor.region;
      return { region, days: await horizonDaysFor(deps.db, region) };
    },
  );
  app.put(
    '/v1/settings/event-time-horizon',
    {
      schema: {
        tags: ['settings'],
        summary: 'Set how many days back an event time may lie, for a region or nationally (regulator)',
        security: secured,
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['days'],
          properties: {
            region: { ...regionCode, type: ['string', 'null'] },
            days: { type: 'integer', minimum: 1, maximum: MAX_HORIZON_DAYS },
          },
        },
        response: {
          200: {
            type: 'object',
            additionalProperties: false,
            required: ['region', 'days', 'logIndex'],
            properties: {
              region: { type: ['string', 'null'] },
              days: { type: 'integer' },
              logIndex: { type: 'integer' },
            },
          },
        },
      },
    },
    async (req) => {
      const b = req.body;
      return setTimeHorizon(deps, requireActor(req), b.region ?? null, b.days);
    },
  );

  app.post(
    '/v1/personal-data/:id/erasure',
    {
      schema: {
        response: { 200: postPersonalDataByIdErasure200 },
        tags: ['privacy'],
        summary: 'Erase a personal value on a lawful request (regulator)',
        security: secured,
        params: idParam,
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['reason'],
          properties: { reason: { type: 'string', minLength: 1, maxLength: 500, ...plain } },
        },
      },
    },
    async (req) => erasePersonal(deps, requireActor(req), id(req), req.body.reason),
  );
}
