import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyBaseLogger, FastifyInstance, FastifyRequest, RawServerDefault } from 'fastify';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Idempotency } from '../app/write/commit.ts';
import { fingerprintOf } from '../app/write/commit.ts';
import { invalid } from '../app/errors.ts';
import { requireActor } from './auth.ts';

// Shared JSON Schema pieces for route declarations; OpenAPI is generated from these.

/**
 * Api is the Fastify instance routes are declared on: its type provider reads each route's JSON
 * schemas (TypeBox's static inference of plain `as const` schemas), so handlers get typed body,
 * query, params and reply from the schema they declare.
 */
export type Api = FastifyInstance<
  RawServerDefault,
  IncomingMessage,
  ServerResponse,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;

/**
 * plain goes on every free-text string field: it admits any text but NUL, which PostgreSQL cannot
 * store, and unpaired surrogates, which UTF-8 cannot encode (the stored row would silently differ from
 * the logged entry). Without it such input is a 500 on one database and a quiet change on the other.
 */
export const plain = { pattern: '^[^\\u0000\\ud800-\\udfff]*$' } as const;

export const idParam = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', minLength: 1, maxLength: 64, ...plain } },
} as const;

export const pageQuery = {
  limit: { type: 'integer', minimum: 1, maximum: 500, default: 50, description: 'page size' },
  cursor: { type: 'string', maxLength: 200, ...plain, description: 'nextCursor from the previous page' },
} as const;

/** pageOnly is the query of a list that takes nothing but a page. */
export const pageOnly = { type: 'object', additionalProperties: false, properties: pageQuery } as const;

export const regionCode = {
  type: 'string',
  pattern: '^[0-9]{2}0000$',
  description: 'GB/T 2260 province code, e.g. 410000',
} as const;

export const isoTime = { type: 'string', format: 'date-time', description: 'ISO 8601 with offset' } as const;

export const idempotencyHeader = {
  type: 'object',
  properties: {
    'idempotency-key': {
      type: 'string',
      minLength: 1,
      maxLength: 200,
      description: 'a retry with the same key returns the first answer',
    },
  },
} as const;

export const secured = [{ bearer: [] }];

/** errorBody is the shape of every error reply; app.ts declares it for the 4xx and 5xx statuses of every route. */
export const errorBody = {
  type: 'object',
  additionalProperties: false,
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      additionalProperties: false,
      required: ['code', 'message', 'details'],
      properties: {
        code: { type: 'string', description: 'a stable error code, e.g. LotNotFound' },
        message: { type: 'string', description: "in the client's language" },
        details: {
          type: 'object',
          additionalProperties: true,
          description: 'field and reason when a field is at fault, and whatever else helps',
        },
      },
    },
  },
} as const;

/** page describes one page of a list of item: the items and the cursor of the next page, or null at the end. */
export const page = <const T extends object>(item: T) =>
  ({
    type: 'object',
    additionalProperties: false,
    required: ['items', 'nextCursor'],
    properties: { items: { type: 'array', items: item }, nextCursor: { type: ['string', 'null'] } },
  }) as const;

/** obj describes a fixed object shape: every property listed is required, and no other is allowed. */
export const obj = <const P extends Record<string, object>>(properties: P) =>
  ({
    type: 'object',
    additionalProperties: false,
    required: Object.keys(properties) as (keyof P & string)[],
    properties,
  }) as const;

/** withLog adds the logIndex a write reply carries to an object shape made by obj. */
export const withLog = <const S extends { properties: Record<string, object>; required: readonly string[] }>(
  shape: S,
) =>
  ({
    ...shape,
    required: [...shape.required, 'logIndex'],
    properties: { ...shape.properties, logIndex: { type: 'integer' } },
  }) as const;

/**
 * binary is the schema of a reply body that is bytes or text in some format other than JSON; it has no JSON type, since
 * the body is sent as it is (a Buffer or a string), never serialised.
 */
export const binary = { description: 'bytes in the media type named', format: 'binary' } as const;

/** content describes a reply that is not JSON (a PDF, CSV, SVG, HTML page or event stream) by its media types. */
export const content = (description: string, ...types: string[]) => ({
  description,
  content: Object.fromEntries(types.map((t) => [t, { schema: binary }])),
});

// Small JSON Schema pieces for reply shapes.
export const str = { type: 'string' } as const;
export const strOrNull = { type: ['string', 'null'] } as const;
export const int = { type: 'integer' } as const;
export const intOrNull = { type: ['integer', 'null'] } as const;
export const num = { type: 'number' } as const;
export const numOrNull = { type: ['number', 'null'] } as const;
export const bool = { type: 'boolean' } as const;
export const list = <const T extends object>(items: T) => ({ type: 'array', items }) as const;
export const strList = list(str);
/** anyObject is a JSON object whose keys are data (a map), or a document defined by another standard. */
export const anyObject = { type: 'object', additionalProperties: true } as const;

/** idempotencyOf reads the Idempotency-Key header into an Idempotency for the actor, if present. */
export function idempotencyOf(req: FastifyRequest): Idempotency | undefined {
  const key = req.headers['idempotency-key'];
  if (key === undefined) return undefined;
  if (typeof key !== 'string' || key.length === 0 || key.length > 200) {
    throw invalid('Idempotency-Key', 'must be 1 to 200 characters');
  }
  const actor = requireActor(req);
  return {
    partyId: actor.partyId,
    key,
    fingerprint: fingerprintOf(req.method, req.routeOptions.url ?? req.url, req.body),
  };
}

/** msOf parses an ISO 8601 time (already schema-checked) to epoch ms, naming field if it is not a time. */
export function msOf(field: string, value: string): number {
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw invalid(field, 'must be an ISO 8601 date-time with an offset');
  return ms;
}
