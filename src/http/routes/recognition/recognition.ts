import type { Deps } from '../../../app/deps.ts';
import { receiveByCode } from '../../../app/recognition/receipts.ts';
import { requireActor } from '../../auth.ts';
import { isoTime, msOf, secured } from '../../schemas.ts';
import type { Api } from '../../schemas.ts';
import { postLotsByIdSales201 } from '../custody/replies.ts';

const quantity = {
  type: 'object',
  additionalProperties: false,
  required: ['kg', 'cartons'],
  properties: { kg: { type: 'number', minimum: 0 }, cartons: { type: 'integer', minimum: 0 } },
} as const;
const ref = { type: 'string', minLength: 1, maxLength: 64 } as const;

/** recognitionRoutes serves receiving goods by the code on them, from this province or another (scan in). */
export async function recognitionRoutes(app: Api, deps: Deps) {
  app.post(
    '/v1/receipts',
    {
      schema: {
        response: { 201: postLotsByIdSales201 },
        tags: ['custody'],
        summary: 'Receive goods by the code on them: the quantity that arrived, when and where, and nothing more',
        description:
          'Receives the oldest shipment of the lot to you that is still in transit (or the one named), whether it ' +
          'left from this province or another. Goods from another province are received on the facts of their home ' +
          "node's log, as this node mirrors it: no declaration, certificate or test result is asked for again.",
        security: secured,
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['code', 'quantity', 'receivedAt'],
          properties: {
            code: {
              type: 'string',
              minLength: 1,
              maxLength: 512,
              description: 'trace code, carton code or Digital Link',
            },
            quantity,
            receivedAt: isoTime,
            locationId: { ...ref, type: ['string', 'null'] },
            shipmentId: ref,
            productName: {
              type: ['string', 'null'],
              minLength: 1,
              maxLength: 200,
              description:
                "the goods' name, when another platform's code is received and that platform does not name them",
            },
          },
        },
      },
    },
    async (req, reply) => {
      const b = req.body;
      return reply
        .status(201)
        .send(await receiveByCode(deps, requireActor(req), { ...b, receivedAt: msOf('receivedAt', b.receivedAt) }));
    },
  );
}
