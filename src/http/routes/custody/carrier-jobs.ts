import { acceptCarrierJob, listCarrierJobs, offerCarrierJob } from '../../../app/custody/carrier-jobs.ts';
import type { Deps } from '../../../app/deps.ts';
import { requireActor } from '../../auth.ts';
import {
  idParam,
  idempotencyHeader,
  idempotencyOf,
  isoTime,
  msOf,
  obj,
  page,
  pageQuery,
  plain,
  secured,
  str,
  strOrNull,
  int,
} from '../../schemas.ts';
import type { Api } from '../../schemas.ts';

/** carrierJob is a job as the API shows it. */
const carrierJob = obj({
  id: str,
  shipperPartyId: str,
  carrierPartyId: str,
  validFrom: strOrNull,
  validTo: strOrNull,
  note: strOrNull,
  status: { type: 'string', description: 'offered or accepted' },
  acceptedAt: strOrNull,
  createdAt: strOrNull,
  updatedAt: strOrNull,
  logIndex: int,
});

/** carrierJobRoutes serves carrier jobs: a shipper offers one to a carrier, and the carrier accepts it. */
export async function carrierJobRoutes(app: Api, deps: Deps) {
  const tags = ['custody'];
  app.post(
    '/v1/carrier-jobs',
    {
      schema: {
        tags,
        summary: 'Offer a carrier a job, so that once it accepts you may name its vehicles and crew on your movements',
        security: secured,
        headers: idempotencyHeader,
        response: { 201: carrierJob },
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['carrierPartyId', 'validFrom'],
          properties: {
            carrierPartyId: { type: 'string', minLength: 1, maxLength: 64 },
            validFrom: isoTime,
            validTo: { ...isoTime, type: ['string', 'null'] },
            note: { type: ['string', 'null'], maxLength: 500, ...plain },
          },
        },
      },
    },
    async (req, reply) => {
      const b = req.body;
      const input = {
        carrierPartyId: b.carrierPartyId,
        validFrom: msOf('validFrom', b.validFrom),
        validTo: b.validTo ? msOf('validTo', b.validTo) : null,
        note: b.note ?? null,
      };
      return reply.status(201).send(await offerCarrierJob(deps, requireActor(req), input, idempotencyOf(req)));
    },
  );
  app.post(
    '/v1/carrier-jobs/:id/accept',
    {
      schema: {
        tags,
        summary: 'Accept a job offered to you as carrier',
        security: secured,
        params: idParam,
        response: { 201: carrierJob },
      },
    },
    async (req, reply) => reply.status(201).send(await acceptCarrierJob(deps, requireActor(req), req.params.id)),
  );
  app.get(
    '/v1/carrier-jobs',
    {
      schema: {
        tags,
        summary: 'List the carrier jobs you offered or were offered',
        security: secured,
        response: { 200: page(carrierJob) },
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { status: { type: 'string', enum: ['offered', 'accepted'] }, ...pageQuery },
        },
      },
    },
    async (req) => listCarrierJobs(deps, requireActor(req), req.query),
  );
}
