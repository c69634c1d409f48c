import type { FastifyInstance } from 'fastify';
import { acceptCarrierJob, listCarrierJobs, offerCarrierJob } from '../../../app/custody/carrier-jobs.ts';
import type { Deps } from '../../../app/deps.ts';
import { requireActor } from '../../auth.ts';
import { idParam, idempotencyHeader, idempotencyOf, isoTime, msOf, pageQuery, plain, secured } from '../../schemas.ts';

/** carrierJobRoutes serves carrier jobs: a shipper offers one to a carrier, and the carrier accepts it. */
export async function carrierJobRoutes(app: FastifyInstance, deps: Deps) {
  const tags = ['custody'];
  app.post(
    '/v1/carrier-jobs',
    {
      schema: {
        tags,
        summary: 'Offer a carrier a job, so that once it accepts you may name its vehicles and crew on your movements',
        security: secured,
        headers: idempotencyHeader,
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
      const b = req.body as {
        carrierPartyId: string;
        validFrom: string;
        validTo?: string | null;
        note?: string | null;
      };
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
      schema: { tags, summary: 'Accept a job offered to you as carrier', security: secured, params: idParam },
    },
    async (req, reply) =>
      reply.status(201).send(await acceptCarrierJob(deps, requireActor(req), (req.params as { id: string }).id)),
  );
  app.get(
    '/v1/carrier-jobs',
    {
      schema: {
        tags,
        summary: 'List the carrier jobs you offered or were offered',
        security: secured,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { status: { type: 'string', enum: ['offered', 'accepted'] }, ...pageQuery },
        },
      },
    },
    async (req) =>
      listCarrierJobs(deps, requireActor(req), req.query as { status?: string; limit?: number; cursor?: string }),
  );
}
