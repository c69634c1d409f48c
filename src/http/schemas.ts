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
