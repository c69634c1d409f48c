import { anyObject } from '../../schemas.ts';
import { getEpcisCapture200, postEpcisCapture202 } from './replies.ts';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyReply } from 'fastify';
import { AppError } from '../../../app/errors.ts';
import type { Deps } from '../../../app/deps.ts';
import type { CaptureBehaviour } from '../../../app/epcis/capture.ts';
import { captureDocument, captureSingleEvent, getCaptureJob, listCaptureJobs } from '../../../app/epcis/capture.ts';
import { LIST_PARAMS, MAX_PER_PAGE, TIME_PARAMS, getEvent, parseQuery, queryEvents } from '../../../app/epcis/query.ts';
import { requireActor } from '../../auth.ts';
import { boundedJsonParser } from '../../json-body.ts';
import { XmlDocumentError, xmlToEpcisDocument, xmlToEpcisEvent } from '../../../epcis/xml-document.ts';
import { XmlRefusal } from '../../../epcis/xml-guard.ts';
import { queryForm, sendQueryDocument } from './negotiate.ts';
import { secured } from '../../schemas.ts';
import type { Api } from '../../schemas.ts';

/** EpcisLimits are the capture limits the REST binding advertises: events per capture, and bytes per document. */
export interface EpcisLimits {
  readonly events: number;
  readonly bytes: number;
}

/** epcisLimits reads COLDTRACE_EPCIS_CAPTURE_LIMIT and COLDTRACE_EPCIS_FILE_SIZE_LIMIT (defaults 10,000 events, 16 MiB). */
export function epcisLimits(env = process.env): EpcisLimits {
  const n = (v: string | undefined, d: number) => (v && /^\d+$/.test(v) && Number(v) > 0 ? Number(v) : d);
  return {
    events: n(env.COLDTRACE_EPCIS_CAPTURE_LIMIT, 10_000),
    bytes: n(env.COLDTRACE_EPCIS_FILE_SIZE_LIMIT, 16 * 1024 * 1024),
  };
}

const VERSIONS = { 'GS1-EPCIS-Version': '2.0.0', 'GS1-CBV-Version': '2.0.0' };
const JSON_TYPES = ['application/json', 'application/ld+json'];
const XML_TYPES = ['application/xml', 'text/xml'];
const CAPTURE_TYPES = [...JSON_TYPES, ...XML_TYPES];

/** xmlError turns why an XML body was refused into the AppError the client sees, naming the element or the reason. */
function xmlError(err: unknown): Error {
  if (err instanceof XmlRefusal)
    return new AppError(err.kind === 'size' ? 'PayloadTooLarge' : 'ValidationFailed', {
      field: '(body)',
      reason: err.reason,
      refused: err.kind,
    });
  if (err instanceof XmlDocumentError)
    return new AppError('ValidationFailed', { field: err.field, reason: err.reason });
  return err instanceof Error ? err : new Error(String(err));
}
const anyJson = {
  type: 'object',
  description: 'EPCIS 2.0 JSON-LD, checked against the GS1 EPCIS 2.0 JSON Schema',
} as const;
const PER_PAGE = 30;
const queryDocumentSchema = { ...anyObject, description: 'An EPCISQueryDocument (GS1 EPCIS 2.0 JSON-LD)' };
/** The answer of a query route: JSON-LD, or EPCIS 2.0 XML when the client's Accept asks for it. */
const queryReply = {
  description: 'An EPCISQueryDocument (GS1 EPCIS 2.0), as JSON-LD or XML by the Accept header',
  content: {
    'application/ld+json': { schema: queryDocumentSchema },
    'application/json': { schema: queryDocumentSchema },
    'application/xml': { schema: { type: 'string', description: 'EPCIS 2.0 XML, valid against the GS1 XSD' } },
  },
};

/** eventListOf finds the event list of an EPCIS document or query document, if it has one, to count it before capture. */
function eventListOf(doc: object): unknown {
  const body: unknown = Reflect.get(doc, 'epcisBody');
  if (typeof body !== 'object' || body === null) return undefined;
  const list: unknown = Reflect.get(body, 'eventList');
  if (list !== undefined) return list;
  const results: unknown = Reflect.get(body, 'queryResults');
  if (typeof results !== 'object' || results === null) return undefined;
  const inner: unknown = Reflect.get(results, 'resultsBody');
  return typeof inner === 'object' && inner !== null ? Reflect.get(inner, 'eventList') : undefined;
}

const listParam = (description: string) => ({
  type: 'array',
  items: { type: 'string', maxLength: 2000 },
  description: `${description}; several values pipe-separated or repeated`,
});

/**
 * epcisRoutes serves the GS1 EPCIS 2.0 REST binding under /epcis: capture of documents (a capture job per
 * document, completed before the answer) and of single events, capture jobs, and the events query. Every answer
 * carries GS1-EPCIS-Version and GS1-CBV-Version; capture answers also carry the capture limits.
 */
export async function epcisRoutes(app: Api, deps: Deps, limits: EpcisLimits = epcisLimits()): Promise<void> {
  await app.register(async (scope) => {
    const epcis = scope.withTypeProvider<TypeBoxTypeProvider>();
    const tags = ['epcis'];
    epcis.addContentTypeParser('application/ld+json', { parseAs: 'string' }, boundedJsonParser(epcis));
    // EPCIS XML (2.0 or 1.2) becomes the JSON-LD document (or, for POST /epcis/events, the event) capture takes.
    epcis.addContentTypeParser(XML_TYPES, { parseAs: 'string' }, (req, body, done) => {
      try {
        const text = typeof body === 'string' ? body : body.toString('utf8');
        const single = req.method === 'POST' && req.url.split('?')[0] === '/epcis/events';
        done(null, single ? xmlToEpcisEvent(text, limits.bytes) : xmlToEpcisDocument(text, limits.bytes).document);
      } catch (err) {
        done(xmlError(err));
      }
    });
    const captureHeaders = {
      'GS1-EPCIS-Capture-Limit': String(limits.events),
      'GS1-EPCIS-Capture-File-Size-Limit': String(limits.bytes),
      'GS1-Capture-Error-Behaviour': 'all',
    };
    epcis.addHook('onSend', async (req, reply) => {
      void reply.headers(VERSIONS);
      if (req.url.startsWith('/epcis/capture') || (req.method === 'POST' && req.url.startsWith('/epcis/events')))
        void reply.headers(captureHeaders);
    });
    const behaviourOf = (h: unknown): CaptureBehaviour => {
      if (h === undefined || h === 'rollback') return 'rollback';
      if (h === 'proceed') return 'proceed';
      throw new AppError('ValidationFailed', {
        in: 'headers',
        field: 'GS1-Capture-Error-Behaviour',
        reason: 'must be rollback or proceed',
      });
    };
    const link = (reply: FastifyReply, path: string, query: Record<string, unknown>, token: string | null) => {
      if (token === null) return;
      const params = new URLSearchParams();
      for (const [k, v] of Object.entries(query))
        if (k !== 'nextPageToken') for (const x of Array.isArray(v) ? v : [v]) params.append(k, String(x));
      params.set('nextPageToken', token);
      void reply.header('link', `<${path}?${params.toString()}>; rel="next"`);
    };

    epcis.options(
      '/epcis/capture',
      {
        schema: {
          tags,
          summary: 'Discover the capture interface: versions, capture limits, error behaviours',
          response: { 204: { description: 'The answer is in the headers' } },
        },
      },
      async (_req, reply) =>
        reply
          .status(204)
          .headers({
            allow: 'OPTIONS, POST, GET',
            'GS1-EPCIS-Min': '2.0.0',
            'GS1-EPCIS-Max': '2.0.0',
            'GS1-CBV-Min': '2.0.0',
            'GS1-CBV-Max': '2.0.0',
          })
          .send(),
    );

    epcis.post(
      '/epcis/capture',
      {
        bodyLimit: limits.bytes,
        schema: {
          response: { 202: postEpcisCapture202 },
          tags,
          summary:
            'Capture an EPCIS document (2.0 JSON-LD, or XML 2.0 or 1.2); answered with its capture job (complete when answered)',
          security: secured,
          consumes: CAPTURE_TYPES,
          headers: {
            type: 'object',
            properties: {
              'gs1-capture-error-behaviour': { type: 'string', enum: ['rollback', 'proceed'], default: 'rollback' },
            },
          },
          body: anyJson,
        },
      },
      async (req, reply) => {
        const actor = requireActor(req);
        const behaviour = behaviourOf(req.headers['gs1-capture-error-behaviour']);
        const list = eventListOf(req.body);
        if (Array.isArray(list) && list.length > limits.events) {
          throw new AppError('PayloadTooLarge', {
            field: 'epcisBody.eventList',
            reason: `${list.length} events; a capture takes at most ${limits.events} (GS1-EPCIS-Capture-Limit)`,
          });
        }
        const outcome = await captureDocument(deps, actor, req.body, behaviour);
        void reply.header('location', `/epcis/capture/${outcome.job.captureID}`);
        if (outcome.failure)
          throw new AppError(outcome.failure.code, { ...outcome.failure.details, captureID: outcome.job.captureID });
        return reply.status(202).send(outcome.job);
      },
    );

    epcis.get(
      '/epcis/capture',
      {
        schema: {
          response: { 200: getEpcisCapture200 },
          tags,
          summary: 'Your capture jobs, newest first',
          security: secured,
          querystring: {
            type: 'object',
            additionalProperties: false,
            properties: {
              perPage: { type: 'integer', minimum: 1, maximum: MAX_PER_PAGE, default: PER_PAGE },
              nextPageToken: { type: 'string', pattern: '^cap_[0-9A-Z]{26}$' },
            },
          },
        },
      },
      async (req, reply) => {
        const q = req.query;
        const page = await listCaptureJobs(deps, requireActor(req), q.perPage ?? PER_PAGE, q.nextPageToken ?? null);
        link(reply, '/epcis/capture', q, page.next);
        return page.jobs;
      },
    );

    epcis.get(
      '/epcis/capture/:captureID',
      {
        schema: {
          response: { 200: postEpcisCapture202 },
          tags,
          summary: 'A capture job: running, success, and each refused event with its field',
          security: secured,
          params: {
            type: 'object',
            required: ['captureID'],
            properties: { captureID: { type: 'string', maxLength: 64 } },
          },
        },
      },
      async (req) => getCaptureJob(deps, requireActor(req), req.params.captureID),
    );

    epcis.post(
      '/epcis/events',
      {
        bodyLimit: limits.bytes,
        schema: {
          tags,
          summary: 'Capture one EPCIS 2.0 event (with its @context); idempotent',
          security: secured,
          response: { 201: { ...anyObject, description: 'The event as captured, with its eventID' } },
          consumes: CAPTURE_TYPES,
          body: anyJson,
        },
      },
      async (req, reply) => {
        const { event, captured } = await captureSingleEvent(deps, requireActor(req), req.body);
        void reply.header('location', `/epcis/events/${encodeURIComponent(captured.eventID)}`);
        return reply.status(201).send(event);
      },
    );

    epcis.get(
      '/epcis/events',
      {
        schema: {
          tags,
          summary: 'Query events (SimpleEventQuery); an EPCISQueryDocument, perPage at a time',
          security: secured,
          response: { 200: queryReply },
          querystring: {
            type: 'object',
            additionalProperties: false,
            properties: {
              ...Object.fromEntries(LIST_PARAMS.map((p) => [p, listParam(p)])),
              ...Object.fromEntries(
                TIME_PARAMS.map((p) => [
                  p,
                  {
                    type: 'string',
                    maxLength: 40,
                    description: `${p.slice(0, 2) === 'GE' ? 'at or after' : 'before'} this ISO 8601 time`,
                  },
                ]),
              ),
              perPage: { type: 'integer', minimum: 1, maximum: MAX_PER_PAGE, default: PER_PAGE },
              nextPageToken: { type: 'string', maxLength: 500 },
            },
          },
        },
      },
      async (req, reply) => {
        const raw = req.query;
        const form = queryForm(req);
        const { document, nextPageToken } = await queryEvents(deps, requireActor(req), parseQuery(raw));
        link(reply, '/epcis/events', raw, nextPageToken);
        return sendQueryDocument(reply, form, document);
      },
    );

    epcis.get(
      '/epcis/events/:eventID',
      {
        schema: {
          tags,
          summary: 'One event by its eventID (URL-encoded), as an EPCISQueryDocument',
          security: secured,
          response: { 200: queryReply },
          params: {
            type: 'object',
            required: ['eventID'],
            properties: { eventID: { type: 'string', minLength: 1, maxLength: 2000 } },
          },
        },
      },
      async (req, reply) => {
        const form = queryForm(req);
        return sendQueryDocument(reply, form, await getEvent(deps, requireActor(req), req.params.eventID));
      },
    );
  });
}
