import type { FastifyInstance } from 'fastify';
import type { ShipInput } from '../../app/custody.ts';
import { listShipments, lotHoldings, receiveShipment, shipLot } from '../../app/custody.ts';
import type { Deps } from '../../app/deps.ts';
import { MOVE_PURPOSES } from '../../domain/custody-rules.ts';
import { requireActor } from '../auth.ts';
import { idParam, idempotencyHeader, idempotencyOf, isoTime, msOf, secured } from '../schemas.ts';

const quantity = {
  type: 'object', additionalProperties: false, required: ['kg', 'cartons'],
  properties: { kg: { type: 'number', minimum: 0 }, cartons: { type: 'integer', minimum: 0 } },
} as const;
const ref = { type: 'string', minLength: 1, maxLength: 64 } as const;

/** custodyRoutes serves shipments between holders and who holds what now ("scan out", "scan in"). */
export async function custodyRoutes(app: FastifyInstance, deps: Deps) {
  const tags = ['custody'];
  const id = (req: { params: unknown }) => (req.params as { id: string }).id;
  app.post('/v1/lots/:id/shipments', {
    schema: {
      tags, summary: 'Ship part of a lot you hold to another party (scan out)', security: secured, params: idParam, headers: idempotencyHeader,
      body: {
        type: 'object', additionalProperties: false,
        required: ['toPartyId', 'quantity', 'vehicleId', 'driverWorkerId', 'departedAt'],
        properties: {
          fromLocationId: { ...ref, type: ['string', 'null'] }, toPartyId: ref, toLocationId: { ...ref, type: ['string', 'null'] }, quantity,
          vehicleId: ref, driverWorkerId: ref, handlerWorkerIds: { type: 'array', maxItems: 20, items: ref }, departedAt: isoTime,
          referenceDoc: { type: ['string', 'null'], maxLength: 100 }, purpose: { type: 'string', enum: MOVE_PURPOSES },
        },
      },
    },
  }, async (req, reply) => {
    const b = req.body as Omit<ShipInput, 'departedAt'> & { departedAt: string };
    const input: ShipInput = { ...b, fromLocationId: b.fromLocationId ?? null, toLocationId: b.toLocationId ?? null, handlerWorkerIds: b.handlerWorkerIds ?? [], departedAt: msOf('departedAt', b.departedAt) };
    return reply.status(201).send(await shipLot(deps, requireActor(req), id(req), input, idempotencyOf(req)));
  });
  app.post('/v1/shipments/:id/receipt', {
    schema: {
      tags, summary: 'Receive a shipment sent to you, with the quantity that arrived (scan in)', security: secured, params: idParam,
      body: { type: 'object', additionalProperties: false, required: ['quantity', 'receivedAt'], properties: { quantity, receivedAt: isoTime, locationId: { ...ref, type: ['string', 'null'] } } },
    },
  }, async (req, reply) => {
    const b = req.body as { quantity: { kg: number; cartons: number }; receivedAt: string; locationId?: string | null };
    return reply.status(201).send(await receiveShipment(deps, requireActor(req), id(req), { ...b, receivedAt: msOf('receivedAt', b.receivedAt) }));
  });
  app.get('/v1/lots/:id/holdings', { schema: { tags, summary: 'Who holds how much of a lot now', security: secured, params: idParam } },
    async (req) => lotHoldings(deps, requireActor(req), id(req)));
  app.get('/v1/shipments', {
    schema: {
      tags, summary: 'Shipments from or to you (regulators: of their region)', security: secured,
      querystring: {
        type: 'object', additionalProperties: false,
        properties: { lotId: ref, status: { type: 'string', enum: ['in_transit', 'received'] }, direction: { type: 'string', enum: ['in', 'out'] } },
      },
    },
  }, async (req) => listShipments(deps, requireActor(req), req.query as never));
}
