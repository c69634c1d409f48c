import {
  getLocations200,
  getLocationsById200,
  getProducers200,
  getProducersById200,
  getVehicles200,
  getVehiclesById200,
  postLocations201,
  postProducers201,
  postVehicles201,
} from './replies.ts';
import type { Deps } from '../../../app/deps.ts';

import {
  LOCATION_KINDS,
  TEMP_CLASSES,
  createLocation,
  getLocation,
  listLocations,
  updateLocation,
} from '../../../app/registry/locations.ts';

import { createProducer, getProducer, listProducers, updateProducer } from '../../../app/registry/producers.ts';

import { createVehicle, getVehicle, listVehicles, updateVehicle } from '../../../app/registry/vehicles.ts';
import { requireActor } from '../../auth.ts';
import { idParam, idempotencyHeader, idempotencyOf, pageQuery, plain, regionCode, secured } from '../../schemas.ts';
import type { Api } from '../../schemas.ts';

const id = (req: { params: { id: string } }) => req.params.id;

const locationFields = {
  ownerPartyId: { type: 'string', maxLength: 64, ...plain, description: 'defaults to your own party' },
  filingNo: { type: 'string', minLength: 1, maxLength: 40, ...plain, description: '备案号, the filing number' },
  name: { type: 'string', minLength: 1, maxLength: 200, ...plain },
  address: { type: 'string', minLength: 1, maxLength: 500, ...plain },
  region: regionCode,
  kind: { type: 'string', enum: LOCATION_KINDS },
  tempClass: { type: 'string', enum: TEMP_CLASSES, description: 'frozen (≤ −18 °C), chilled or ambient' },
} as const;

const vehicleFields = {
  plate: {
    type: 'string',
    minLength: 1,
    maxLength: 16,
    ...plain,
    description: 'Chinese plate, e.g. 豫A12345 or 粤BD12345',
  },
  carrierPartyId: { type: 'string', maxLength: 64, ...plain, description: 'defaults to your own party' },
  refrigerated: { type: 'boolean' },
} as const;

const producerFields = {
  country: { type: 'string', minLength: 2, maxLength: 2, ...plain, description: 'ISO 3166-1 alpha-2' },
  registrationNo: {
    type: 'string',
    minLength: 1,
    maxLength: 40,
    ...plain,
    description: 'the GACC registration number',
  },
  name: { type: 'string', minLength: 1, maxLength: 300, ...plain },
  nameZh: { type: ['string', 'null'], maxLength: 300, ...plain },
} as const;

/** masterDataRoutes serves locations, vehicles and overseas producers. Workers have their own module. */
export async function masterDataRoutes(app: Api, deps: Deps) {
  let tags = ['locations'];
  app.post(
    '/v1/locations',
    {
      schema: {
        response: { 201: postLocations201 },
        tags,
        summary: 'Register a cold store or warehouse',
        security: secured,
        headers: idempotencyHeader,
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['filingNo', 'name', 'address', 'region', 'kind', 'tempClass'],
          properties: locationFields,
        },
      },
    },
    async (req, reply) => {
      const r = await createLocation(deps, requireActor(req), req.body, idempotencyOf(req));
      return reply.status(201).send({ ...r.location, logIndex: r.logIndex });
    },
  );
  app.get(
    '/v1/locations',
    {
      schema: {
        response: { 200: getLocations200 },
        tags,
        summary: 'List locations you may see',
        security: secured,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            ...pageQuery,
            region: regionCode,
            ownerPartyId: { type: 'string', ...plain },
            kind: { type: 'string', enum: LOCATION_KINDS },
            tempClass: { type: 'string', enum: TEMP_CLASSES },
            filingNo: { type: 'string', ...plain },
          },
        },
      },
    },
    async (req) => listLocations(deps, requireActor(req), req.query),
  );
  app.get(
    '/v1/locations/:id',
    {
      schema: {
        response: { 200: getLocationsById200 },
        tags,
        summary: 'Read a location',
        security: secured,
        params: idParam,
      },
    },
    async (req) => getLocation(deps, requireActor(req), id(req)),
  );
  app.patch(
    '/v1/locations/:id',
    {
      schema: {
        response: { 200: postLocations201 },
        tags,
        summary: 'Update a location',
        security: secured,
        params: idParam,
        body: { type: 'object', additionalProperties: false, minProperties: 1, properties: locationFields },
      },
    },
    async (req) => {
      const r = await updateLocation(deps, requireActor(req), id(req), req.body);
      return { ...r.location, logIndex: r.logIndex };
    },
  );

  tags = ['vehicles'];
  app.post(
    '/v1/vehicles',
    {
      schema: {
        response: { 201: postVehicles201 },
        tags,
        summary: 'Register a vehicle (carrier)',
        security: secured,
        headers: idempotencyHeader,
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['plate', 'refrigerated'],
          properties: vehicleFields,
        },
      },
    },
    async (req, reply) => {
      const r = await createVehicle(deps, requireActor(req), req.body, idempotencyOf(req));
      return reply.status(201).send({ ...r.vehicle, logIndex: r.logIndex });
    },
  );
  app.get(
    '/v1/vehicles',
    {
      schema: {
        response: { 200: getVehicles200 },
        tags,
        summary: 'List vehicles you may see',
        security: secured,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            ...pageQuery,
            region: regionCode,
            carrierPartyId: { type: 'string', ...plain },
            refrigerated: { type: 'boolean' },
            plate: { type: 'string', ...plain },
          },
        },
      },
    },
    async (req) => listVehicles(deps, requireActor(req), req.query),
  );
  app.get(
    '/v1/vehicles/:id',
    {
      schema: {
        response: { 200: getVehiclesById200 },
        tags,
        summary: 'Read a vehicle',
        security: secured,
        params: idParam,
      },
    },
    async (req) => getVehicle(deps, requireActor(req), id(req)),
  );
  app.patch(
    '/v1/vehicles/:id',
    {
      schema: {
        response: { 200: postVehicles201 },
        tags,
        summary: 'Update a vehicle',
        security: secured,
        params: idParam,
        body: { type: 'object', additionalProperties: false, minProperties: 1, properties: vehicleFields },
      },
    },
    async (req) => {
      const r = await updateVehicle(deps, requireActor(req), id(req), req.body);
      return { ...r.vehicle, logIndex: r.logIndex };
    },
  );

  tags = ['producers'];
  app.post(
    '/v1/producers',
    {
      schema: {
        response: { 201: postProducers201 },
        tags,
        summary: 'Add an overseas producer to the register (customs)',
        security: secured,
        headers: idempotencyHeader,
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['country', 'registrationNo', 'name'],
          properties: producerFields,
        },
      },
    },
    async (req, reply) => {
      const r = await createProducer(deps, requireActor(req), req.body, idempotencyOf(req));
      return reply.status(201).send({ ...r.producer, logIndex: r.logIndex });
    },
  );
  app.get(
    '/v1/producers',
    {
      schema: {
        response: { 200: getProducers200 },
        tags,
        summary: 'List the producer register',
        security: secured,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            ...pageQuery,
            country: { type: 'string', ...plain },
            registrationNo: { type: 'string', ...plain },
          },
        },
      },
    },
    async (req) => listProducers(deps, requireActor(req), req.query),
  );
  app.get(
    '/v1/producers/:id',
    {
      schema: {
        response: { 200: getProducersById200 },
        tags,
        summary: 'Read a producer',
        security: secured,
        params: idParam,
      },
    },
    async (req) => getProducer(deps, requireActor(req), id(req)),
  );
  app.patch(
    '/v1/producers/:id',
    {
      schema: {
        response: { 200: postProducers201 },
        tags,
        summary: 'Correct a producer (customs)',
        security: secured,
        params: idParam,
        body: { type: 'object', additionalProperties: false, minProperties: 1, properties: producerFields },
      },
    },
    async (req) => {
      const r = await updateProducer(deps, requireActor(req), id(req), req.body);
      return { ...r.producer, logIndex: r.logIndex };
    },
  );
}
