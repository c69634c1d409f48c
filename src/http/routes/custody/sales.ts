import { pageOnly } from '../../schemas.ts';
import { pageList } from '../../../app/access/paging.ts';
import {
  getLotsByIdRetailSales200,
  getLotsByIdRetailSalesDaily200,
  postLotsByIdRetailSales201,
  postLotsByIdSales201,
  postTransformations201,
} from './replies.ts';
import type { Deps } from '../../../app/deps.ts';

import { listRetailSales, retailSalesDaily, retailSell, sellLot } from '../../../app/custody/sales.ts';
import type { TransformationInput } from '../../../app/custody/transform.ts';
import { TRANSFORMATION_KINDS, getTransformation, transformLots } from '../../../app/custody/transform.ts';
import { requireActor } from '../../auth.ts';
import { idParam, idempotencyHeader, idempotencyOf, isoTime, msOf, plain, secured } from '../../schemas.ts';
import type { Api } from '../../schemas.ts';

const quantity = {
  type: 'object',
  additionalProperties: false,
  required: ['kg', 'cartons'],
  properties: { kg: { type: 'number', minimum: 0 }, cartons: { type: 'integer', minimum: 0 } },
} as const;
const ref = { type: 'string', minLength: 1, maxLength: 64, ...plain } as const;
const nullableRef = { ...ref, type: ['string', 'null'] } as const;
const text = (max: number) => ({ type: ['string', 'null'], maxLength: max, ...plain }) as const;

/** salesRoutes serves repacking and processing into new lots, sales to retailers and restaurants, and retail sales to consumers. */
export async function salesRoutes(app: Api, deps: Deps) {
  const tags = ['custody'];
  const id = (req: { params: { id: string } }) => req.params.id;
  app.post(
    '/v1/transformations',
    {
      schema: {
        response: { 201: postTransformations201 },
        tags,
        summary: 'Repack or process lots you hold into new lots with new trace codes',
        security: secured,
        headers: idempotencyHeader,
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['kind', 'inputs', 'outputs', 'at'],
          properties: {
            kind: { type: 'string', enum: TRANSFORMATION_KINDS },
            locationId: nullableRef,
            inputs: {
              type: 'array',
              minItems: 1,
              maxItems: 50,
              items: {
                type: 'object',
                additionalProperties: false,
                required: ['lotId', 'quantity'],
                properties: { lotId: ref, locationId: nullableRef, quantity },
              },
            },
            outputs: {
              type: 'array',
              minItems: 1,
              maxItems: 50,
              items: {
                type: 'object',
                additionalProperties: false,
                required: ['quantity'],
                properties: {
                  quantity,
                  productNameZh: text(100),
                  productNameEn: text(100),
                  gtin: text(14),
                  batchNo: text(20),
                },
              },
            },
            lossKg: {
              type: 'number',
              minimum: 0,
              description: 'declared loss (trimmings, thaw drip, glaze): inputs = outputs + loss',
            },
            at: isoTime,
            referenceDoc: text(100),
          },
        },
      },
    },
    async (req, reply) => {
      const b = req.body;
      const input: TransformationInput = { ...b, locationId: b.locationId ?? null, at: msOf('at', b.at) };
      return reply.status(201).send(await transformLots(deps, requireActor(req), input, idempotencyOf(req)));
    },
  );
  app.get(
    '/v1/transformations/:id',
    {
      schema: {
        response: { 200: postTransformations201 },
        tags,
        summary: 'A transformation with its input and output lots',
        security: secured,
        params: idParam,
      },
    },
    async (req) => getTransformation(deps, requireActor(req), id(req)),
  );

  app.post(
    '/v1/lots/:id/sales',
    {
      schema: {
        response: { 201: postLotsByIdSales201 },
        tags,
        summary:
          'Sell part of a lot to a retailer or restaurant: handed over at your stall, or delivered with a vehicle',
        security: secured,
        params: idParam,
        headers: idempotencyHeader,
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['toPartyId', 'quantity', 'soldAt'],
          properties: {
            toPartyId: ref,
            toLocationId: nullableRef,
            locationId: nullableRef,
            quantity,
            soldAt: isoTime,
            referenceDoc: text(100),
            vehicleId: nullableRef,
            driverWorkerId: nullableRef,
            handlerWorkerIds: { type: 'array', maxItems: 20, items: ref },
            carrierPartyId: nullableRef,
          },
        },
      },
    },
    async (req, reply) => {
      const b = req.body;
      return reply
        .status(201)
        .send(
          await sellLot(
            deps,
            requireActor(req),
            id(req),
            { ...b, soldAt: msOf('soldAt', b.soldAt) },
            idempotencyOf(req),
          ),
        );
    },
  );

  app.post(
    '/v1/lots/:id/retail-sales',
    {
      schema: {
        response: { 201: postLotsByIdRetailSales201 },
        tags,
        summary:
          'Record a sale to a consumer (retailer or restaurant), with the buyer where a real-name record is required',
        security: secured,
        params: idParam,
        headers: idempotencyHeader,
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['quantity', 'soldAt'],
          properties: {
            locationId: nullableRef,
            quantity,
            soldAt: isoTime,
            buyer: {
              type: ['object', 'null'],
              additionalProperties: false,
              required: ['name', 'phone'],
              properties: {
                name: { type: 'string', maxLength: 100, ...plain },
                phone: { type: 'string', maxLength: 30, ...plain },
              },
            },
          },
        },
      },
    },
    async (req, reply) => {
      const b = req.body;
      return reply
        .status(201)
        .send(
          await retailSell(
            deps,
            requireActor(req),
            id(req),
            { ...b, soldAt: msOf('soldAt', b.soldAt) },
            idempotencyOf(req),
          ),
        );
    },
  );
  app.get(
    '/v1/lots/:id/retail-sales',
    {
      schema: {
        response: { 200: getLotsByIdRetailSales200 },
        tags,
        summary: 'Retail sales of a lot (buyers masked, for the seller and regulators only)',
        security: secured,
        params: idParam,
        querystring: pageOnly,
      },
    },
    async (req) =>
      pageList((await listRetailSales(deps, requireActor(req), id(req))).items, req.query.limit, req.query.cursor),
  );
  app.get(
    '/v1/lots/:id/retail-sales/daily',
    {
      schema: {
        response: { 200: getLotsByIdRetailSalesDaily200 },
        tags,
        summary: 'Retail sales of a lot per China-local day and seller',
        security: secured,
        params: idParam,
        querystring: pageOnly,
      },
    },
    async (req) => {
      const daily = await retailSalesDaily(deps, requireActor(req), id(req));
      return { ...daily, ...pageList(daily.items, req.query.limit, req.query.cursor) };
    },
  );
}
