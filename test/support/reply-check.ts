import { Ajv } from 'ajv';
import type { ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { errorBody } from '../../src/http/schemas.ts';

// ajv-formats is CommonJS; its default export arrives wrapped under ESM.
const addFormats = (addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ?? addFormatsModule;

/** ReplyCheck collects the replies of an app that its declared response schemas do not describe. */
export interface ReplyCheck {
  /** take lists each undocumented reply since the last take, as "METHOD url status: what is wrong". */
  take(): string[];
  /** checked counts the replies checked so far. */
  checked(): number;
}

const ajv = new Ajv({
  allErrors: true,
  strict: false,
  coerceTypes: false,
  removeAdditional: false,
  useDefaults: false,
});
(addFormats as unknown as (a: Ajv) => void)(ajv);
const compiled = new WeakMap<object, ValidateFunction>();

function validatorOf(schema: object): ValidateFunction {
  let v = compiled.get(schema);
  if (!v) {
    v = ajv.compile(schema);
    compiled.set(schema, v);
  }
  return v;
}

type Declared = { kind: 'json'; schema: object } | { kind: 'content'; types: string[] } | { kind: 'none' };

/** declaredFor finds what a route declares for status: an exact code first, then its class (4xx), then default. */
function declaredFor(req: FastifyRequest, status: number, contentType: string): Declared {
  const url = req.routeOptions.url;
  // The not-found handler has no route; it answers with the error shape.
  if (url === undefined) return status === 404 ? { kind: 'json', schema: errorBody } : { kind: 'none' };
  const response = (req.routeOptions.schema as { response?: Record<string, unknown> } | undefined)?.response;
  if (!response) return { kind: 'none' };
  const entry = (response[String(status)] ?? response[`${String(status)[0]}xx`] ?? response.default) as
    Record<string, unknown> | undefined;
  if (!entry) return { kind: 'none' };
  const byType = entry.content as Record<string, { schema?: object }> | undefined;
  if (byType && typeof byType === 'object' && !('type' in entry)) {
    const types = Object.keys(byType);
    const json = types.find((t) => t.includes('json') && contentType.startsWith(t));
    if (json && byType[json]?.schema) return { kind: 'json', schema: byType[json].schema! };
    return { kind: 'content', types };
  }
  return { kind: 'json', schema: entry };
}

/**
 * installReplyCheck makes app record every reply that its route does not document: a status with no response
 * schema, a JSON reply that breaks its schema (checked before serialisation, so a field the schema lacks and
 * fast-json-stringify would drop is caught), or a non-JSON reply whose media type the route does not declare.
 * Tests read the record after each test (eachDialect does so for every HTTP suite).
 */
export function installReplyCheck(app: FastifyInstance): ReplyCheck {
  const violations: string[] = [];
  const checked = new WeakSet<FastifyReply>();
  const where = (req: FastifyRequest, reply: FastifyReply) => `${req.method} ${req.url} ${reply.statusCode}`;
  const skip = (req: FastifyRequest) => (req.routeOptions.url ?? '').startsWith('/docs');

  let count = 0;
  const check = (req: FastifyRequest, reply: FastifyReply, payload: unknown) => {
    count++;
    checked.add(reply);
    const contentType = String(reply.getHeader('content-type') ?? 'application/json');
    const declared = declaredFor(req, reply.statusCode, contentType);
    if (declared.kind === 'none') {
      violations.push(`${where(req, reply)}: no response schema for this status`);
    } else if (declared.kind === 'content') {
      if (!declared.types.some((t) => contentType.startsWith(t)))
        violations.push(`${where(req, reply)}: content-type ${contentType} is not one of ${declared.types.join(', ')}`);
    } else {
      const validate = validatorOf(declared.schema);
      if (!validate(payload))
        violations.push(
          `${where(req, reply)}: ${(validate.errors ?? [])
            .map(
              (e) =>
                `data${e.instancePath} ${e.message}${e.params && 'additionalProperty' in e.params ? ` (${String(e.params.additionalProperty)})` : ''}`,
            )
            .join('; ')} in ${JSON.stringify(payload).slice(0, 300)}`,
        );
    }
  };

  app.addHook('preSerialization', async (req, reply, payload) => {
    if (!skip(req)) check(req, reply, payload);
    return payload;
  });
  app.addHook('onSend', async (req, reply, payload) => {
    if (skip(req) || checked.has(reply)) return payload;
    if (reply.statusCode === 204 || (reply.statusCode >= 300 && reply.statusCode < 400)) {
      // no body to check, but the status must be documented
      count++;
      if (declaredFor(req, reply.statusCode, '').kind === 'none')
        violations.push(`${where(req, reply)}: no response declared for this status`);
      return payload;
    }
    const contentType = String(reply.getHeader('content-type') ?? '');
    if (typeof payload === 'string' && /json/.test(contentType)) {
      let parsed: unknown = payload;
      try {
        parsed = JSON.parse(payload);
      } catch {
        // not JSON after all: the schema check below reports it
      }
      check(req, reply, parsed);
    } else {
      check(req, reply, payload);
    }
    return payload;
  });
  return {
    take: () => violations.splice(0),
    checked: () => count,
  };
}
