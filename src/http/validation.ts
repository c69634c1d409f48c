import { Ajv } from 'ajv';
import type { Options } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { FastifyInstance } from 'fastify';
import { AppError } from '../app/errors.ts';

// ajv-formats is CommonJS; its default export arrives wrapped under ESM.
const addFormats = (addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ?? addFormatsModule;

function makeAjv(opts: Options): Ajv {
  const ajv = new Ajv({ allErrors: false, removeAdditional: false, useDefaults: true, strict: false, ...opts });
  (addFormats as unknown as (a: Ajv) => void)(ajv);
  return ajv;
}

/**
 * installValidation compiles route schemas with two Ajv instances: bodies are checked strictly (a
 * string is never taken for a number, an unknown field is refused), while query strings and path
 * parameters, which are text on the wire, are coerced to their declared types.
 */
export function installValidation(app: FastifyInstance): void {
  const strict = makeAjv({ coerceTypes: false });
  const coercing = makeAjv({ coerceTypes: 'array' });
  app.setValidatorCompiler(({ schema, httpPart }) => {
    const ajv = httpPart === 'body' ? strict : coercing;
    return ajv.compile(schema);
  });
}

// NUL cannot be stored in PostgreSQL text, and a lone surrogate would be stored as U+FFFD while the log
// keeps the original, so the row would no longer match its entry. Neither is ever meaningful input.

const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

function findUnstorable(value: unknown, path: string[]): string | null {
  if (typeof value === 'string') return UNSTORABLE.test(value) ? path.join('.') || '(root)' : null;
  if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) {
      const hit = findUnstorable(v, [...path, String(i)]);
      if (hit) return hit;
    }
  } else if (value && typeof value === 'object' && !Buffer.isBuffer(value)) {
    for (const [k, v] of Object.entries(value)) {
      const hit = findUnstorable(k, [...path, k]) ?? findUnstorable(v, [...path, k]);
      if (hit) return hit;
    }
  }
  return null;
}

/**
 * installTextGuard refuses, on every route, any body, query or path string holding NUL or a lone
 * surrogate, naming the field: one check here instead of a pattern on every schema field.
 */
export function installTextGuard(app: FastifyInstance): void {
  app.addHook('preValidation', async (req) => {
    const consumes = (req.routeOptions.schema as { consumes?: string[] } | undefined)?.consumes;
    if (req.isMultipart() && !consumes?.includes('multipart/form-data')) {
      throw new AppError('UnsupportedMediaType', {
        field: 'content-type',
        reason: 'this route takes application/json',
      });
    }
    for (const [part, value] of [
      ['body', req.body],
      ['querystring', req.query],
      ['params', req.params],
    ] as const) {
      const field = findUnstorable(value, []);
      if (field)
        throw new AppError('ValidationFailed', {
          in: part,
          field,
          reason: 'contains a NUL character or an unpaired surrogate',
        });
    }
  });
}
