import { pageQuery } from '../../schemas.ts';
import { pageOnly } from '../../schemas.ts';
import { pageList } from '../../../app/access/paging.ts';
import {
  getLotsByIdDisposals200,
  getLotsByIdHoldings200,
  getSettingsRetailRealName200,
  getSettingsWorkerEnforcement200,
  getShipments200,
  postLotsByIdDisposals201,
  postLotsByIdSales201,
  postLotsByIdTransfers201,
  putSettingsRetailRealName200,
  putSettingsWorkerEnforcement200,
} from './replies.ts';
import type { ShipInput } from '../../../app/custody/custody.ts';
import {
  DISPOSAL_METHODS,
  WORKER_ENFORCEMENT,
  disposeLot,
  listDisposals,
  listShipments,
  lotHoldings,
  receiveShipment,
  shipLot,
  transferLot,
  workerEnforcement,
} from '../../../app/custody/custody.ts';
import { RETAIL_REAL_NAME, retailRealName } from '../../../app/custody/sales.ts';
import { setRegionalSetting } from '../../../app/registry/settings.ts';
import type { Deps } from '../../../app/deps.ts';
import { MOVE_PURPOSES } from '../../../domain/custody-rules.ts';
import { requireActor } from '../../auth.ts';
import { idParam, idempotencyHeader, idempotencyOf, isoTime, msOf, regionCode, secured } from '../../schemas.ts';
import type { Api } from '../../schemas.ts';
import { salesRoutes } from './sales.ts';
import { carrierJobRoutes } from './carrier-jobs.ts';

const quantity = {
  type: 'object',
  additionalProperties: false,
  required: ['kg', 'cartons'],
  properties: { kg: { type: 'number', minimum: 0 }, cartons: { type: 'integer', minimum: 0 } },
} as const;
const ref = { type: 'string', minLength: 1, maxLength: 64 } as const;

/** custodyRoutes serves shipments between holders and who holds what now ("scan out", "scan in"). */
export async function custodyRoutes(app: Api, deps: Deps) {
  const tags = ['custody'];
  const id = (req: { params: { id: string } }) => req.params.id;
  app.post(
    '/v1/lots/:id/shipments',
    {
      schema: {
        response: { 201: postLotsByIdSales201 },
        tags,
        summary: 'Ship part of a lot you hold to another party (scan out)',
        security: secured,
        params: idParam,
        headers: idempotencyHeader,
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['toPartyId', 'quantity', 'vehicleId', 'driverWorkerId', 'departedAt'],
          properties: {
            fromLocationId: { ...ref, type: ['string', 'null'] },
            toPartyId: ref,
            toLocationId: { ...ref, type: ['string', 'null'] },
            quantity,
            carrierPartyId: { ...ref, type: ['string', 'null'] },
            vehicleId: ref,
            driverWorkerId: ref,
            handlerWorkerIds: { type: 'array', maxItems: 20, items: ref },
            departedAt: isoTime,
            referenceDoc: { type: ['string', 'null'], maxLength: 100 },
            purpose: { type: 'string', enum: MOVE_PURPOSES },
          },
        },
      },
    },
    async (req, reply) => {
      const b = req.body;
      const input: ShipInput = {
        ...b,
        fromLocationId: b.fromLocationId ?? null,
        toLocationId: b.toLocationId ?? null,
        handlerWorkerIds: b.handlerWorkerIds ?? [],
        departedAt: msOf('departedAt', b.departedAt),
      };
      return reply.status(201).send(await shipLot(deps, requireActor(req), id(req), input, idempotencyOf(req)));
    },
  );
  app.post(
    '/v1/shipments/:id/receipt',
    {
      schema: {
        response: { 201: postLotsByIdSales201 },
        tags,
        summary: 'Receive a shipment sent to you, with the quantity that arrived (scan in)',
        security: secured,
        params: idParam,
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['quantity', 'receivedAt'],
          properties: { quantity, receivedAt: isoTime, locationId: { ...ref, type: ['string', 'null'] } },
        },
      },
    },
    async (req, reply) => {
      const b = req.body;
      return reply.status(201).send(
        await receiveShipment(deps, requireActor(req), id(req), {
          ...b,
          receivedAt: msOf('receivedAt', b.receivedAt),
        }),
      );
    },
  );
  app.post(
    '/v1/lots/:id/transfers',
    {
      schema: {
        response: { 201: postLotsByIdTransfers201 },
        tags,
        summary: 'Move goods between two of your own places (store in / store out)',
        security: secured,
        params: idParam,
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['fromLocationId', 'toLocationId', 'quantity', 'at'],
          properties: {
            fromLocationId: { ...ref, type: ['string', 'null'] },
            toLocationId: { ...ref, type: ['string', 'null'] },
            quantity,
            at: isoTime,
          },
        },
      },
    },
    async (req, reply) => {
      const b = req.body;
      return reply
        .status(201)
        .send(await transferLot(deps, requireActor(req), id(req), { ...b, at: msOf('at', b.at) }));
    },
  );
  app.post(
    '/v1/lots/:id/disposals',
    {
      schema: {
        response: { 201: postLotsByIdDisposals201 },
        tags,
        summary: 'Record goods you hold as destroyed or returned (allowed for blocked lots)',
        security: secured,
        params: idParam,
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['locationId', 'quantity', 'method', 'referenceDoc', 'at'],
          properties: {
            locationId: { ...ref, type: ['string', 'null'] },
            quantity,
            method: { type: 'string', enum: DISPOSAL_METHODS },
            referenceDoc: { type: 'string', minLength: 1, maxLength: 100 },
            at: isoTime,
          },
        },
      },
    },
    async (req, reply) => {
      const b = req.body;
      return reply.status(201).send(await disposeLot(deps, requireActor(req), id(req), { ...b, at: msOf('at', b.at) }));
    },
  );
  app.get(
    '/v1/lots/:id/disposals',
    {
      schema: {
        response: { 200: getLotsByIdDisposals200 },
        tags,
        summary: 'What of a lot was destroyed or returned',
        security: secured,
        params: idParam,
        querystring: pageOnly,
      },
    },
    async (req) =>
      pageList((await listDisposals(deps, requireActor(req), id(req))).items, req.query.limit, req.query.cursor),
  );
  app.get(
    '/v1/lots/:id/holdings',
    {
      schema: {
        response: { 200: getLotsByIdHoldings200 },
        tags,
        summary: 'Who holds how much of a lot now',
        security: secured,
        params: idParam,
        querystring: pageOnly,
      },
    },
    async (req) =>
      pageList((await lotHoldings(deps, requireActor(req), id(req))).items, req.query.limit, req.query.cursor),
  );
  app.get(
    '/v1/shipments',
    {
      schema: {
        response: { 200: getShipments200 },
        tags,
        summary: 'Shipments from or to you (regulators: of their region)',
        security: secured,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            ...pageQuery,
            lotId: ref,
            status: { type: 'string', enum: ['in_transit', 'received'] },
            direction: { type: 'string', enum: ['in', 'out'] },
          },
        },
      },
    },
    async (req) =>
      pageList((await listShipments(deps, requireActor(req), req.query)).items, req.query.limit, req.query.cursor),
  );
  await salesRoutes(app, deps);
  await carrierJobRoutes(app, deps);
}

/** enforcementRoutes lets regulators choose, per region or nationally, to refuse or to flag moves by workers not eligible for duty. */
export async function enforcementRoutes(app: Api, deps: Deps) {
  const tags = ['settings'];
  app.get(
    '/v1/settings/worker-enforcement',
    {
      schema: {
        response: { 200: getSettingsWorkerEnforcement200 },
        tags,
        summary: 'Whether moves by ineligible workers are refused or flagged in a region',
        security: secured,
        querystring: { type: 'object', additionalProperties: false, properties: { region: regionCode } },
      },
    },
    async (req) => {
      const actor = requireActor(req);
      const region = req.query.region ?? actor.region;
      return { region, enforcement: await workerEnforcement(deps.db, region) };
    },
  );
  app.put(
    '/v1/settings/worker-enforcement',
    {
      schema: {
        response: { 200: putSettingsWorkerEnforcement200 },
        tags,
        summary: 'Refuse, or accept and flag, moves by workers not eligible for duty (regulator)',
        security: secured,
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['enforcement'],
          properties: {
            region: { ...regionCode, type: ['string', 'null'] },
            enforcement: { type: 'string', enum: ['refuse', 'flag'] },
          },
        },
      },
    },
    async (req) => {
      const b = req.body;
      const r = await setRegionalSetting(
        deps,
        requireActor(req),
        WORKER_ENFORCEMENT,
        b.region ?? null,
        () => b.enforcement,
      );
      return { region: b.region ?? null, enforcement: r.value, logIndex: r.logIndex };
    },
  );
  app.get(
    '/v1/settings/retail-real-name',
    {
      schema: {
        response: { 200: getSettingsRetailRealName200 },
        tags,
        summary: 'Whether retail sales need a real-name purchase record in a region',
        security: secured,
        querystring: { type: 'object', additionalProperties: false, properties: { region: regionCode } },
      },
    },
    async (req) => {
      const actor = requireActor(req);
      const region = req.query.region ?? actor.region;
      return { region, realName: await retailRealName(deps.db, region) };
    },
  );
  app.put(
    '/v1/settings/retail-real-name',
    {
      schema: {
        response: { 200: putSettingsRetailRealName200 },
        tags,
        summary: 'Turn real-name purchase records for retail sales on or off, per region or nationally (regulator)',
        security: secured,
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['realName'],
          properties: {
            region: { ...regionCode, type: ['string', 'null'] },
            realName: { type: 'string', enum: ['on', 'off'] },
          },
        },
      },
    },
    async (req) => {
      const b = req.body;
      const r = await setRegionalSetting(deps, requireActor(req), RETAIL_REAL_NAME, b.region ?? null, () => b.realName);
      return { region: b.region ?? null, realName: r.value, logIndex: r.logIndex };
    },
  );
}
