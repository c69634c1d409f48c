import { navigationRoutes } from './routes/epcis/navigation.ts';
import { queryRoutes } from './routes/epcis/queries.ts';
import swagger from '@fastify/swagger';
import multipart from '@fastify/multipart';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify from 'fastify';
import type { FastifyInstance, FastifyServerOptions } from 'fastify';
import type { Deps } from '../app/deps.ts';
import { logSize } from '../store/log-store.ts';
import type { FailureLimit } from './auth.ts';
import { installAuth } from './auth.ts';
import { installErrorHandler } from './errors.ts';
import { boundedJsonParser } from './json-body.ts';
import { alertRoutes } from './routes/recall/alerts.ts';
import { consoleRoutes } from './routes/public/console.ts';
import { custodyRoutes, enforcementRoutes } from './routes/custody/custody.ts';
import { recognitionRoutes } from './routes/recognition/recognition.ts';
import { platformRoutes } from './routes/platforms/platforms.ts';
import { epcisRoutes } from './routes/epcis/epcis.ts';
import { labelRoutes } from './routes/border/labels.ts';
import { logRoutes } from './routes/audit/log.ts';
import { lotRoutes } from './routes/border/lots.ts';
import { sampleRuleRoutes, warehouseRoutes } from './routes/border/warehouse.ts';
import { masterDataRoutes } from './routes/registry/master-data.ts';
import { partyRoutes } from './routes/registry/parties.ts';
import { publicRoutes } from './routes/public/public.ts';
import { temperatureRoutes } from './routes/temperature/temperature.ts';
import { traceRoutes } from './routes/recall/trace.ts';
import { incidentRoutes } from './routes/recall/incidents.ts';
import { reportRoutes } from './routes/recall/reports.ts';
import { workerRoutes } from './routes/registry/workers.ts';
import { federationRoutes } from './routes/federation/federation.ts';
import type { FederationWorker } from '../app/federation/worker.ts';
import { installTextGuard, installValidation } from './validation.ts';
import { anyObject, errorBody, int, obj, str } from './schemas.ts';

/** AppOptions tunes the HTTP layer; every field has a production default. */
export interface AppOptions {
  logger?: FastifyServerOptions['logger'];
  /** bodyLimit is the largest JSON body in bytes. */
  bodyLimit?: number;
  /** authFailures limits failed authentications per client. */
  authFailures?: FailureLimit;
  /**
   * trustProxy makes the client address come from X-Forwarded-For (true, or the proxies' addresses
   * or CIDRs, comma-separated), as behind a reverse proxy or CDN; per-client limits then apply to
   * real clients.
   */
  trustProxy?: boolean | string;
  /** allowHttpWebhooks admits plain-http webhook URLs to this machine, for tests and local development (COLDTRACE_WEBHOOK_ALLOW_HTTP). */
  allowHttpWebhooks?: boolean;
  /** federation is the background worker a peer's push hint wakes; without it hints are accepted and ignored. */
  federation?: FederationWorker;
}

/**
 * declareErrorReplies gives every route, as it is added, the shared error shape for its 4xx and 5xx replies, so that
 * the OpenAPI document describes them and they are serialised like any other reply.
 */
function declareErrorReplies(app: FastifyInstance): void {
  app.addHook('onRoute', (route) => {
    if (route.url.startsWith('/docs')) return;
    const schema = (route.schema ??= {});
    const response = (schema.response ?? {}) as Record<string, unknown>;
    schema.response = { ...response, '4xx': errorBody, '5xx': errorBody };
  });
}

/**
 * buildApp assembles the HTTP API on deps as a Fastify instance, without listening: server code calls
 * listen, tests call inject.
 */
export async function buildApp(deps: Deps, opts: AppOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    logger: opts.logger ?? false,
    bodyLimit: opts.bodyLimit ?? 1024 * 1024,
    trustProxy: opts.trustProxy ?? false,
    return503OnClosing: true,
    ajv: { customOptions: { removeAdditional: false } },
  });
  installValidation(app);
  installTextGuard(app);
  // JSON only: a text/plain body is refused with 415 rather than half-parsed.
  app.removeContentTypeParser('text/plain');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, boundedJsonParser(app));
  installErrorHandler(app);
  declareErrorReplies(app);

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'coldtrace',
        version: '0.1.0',
        description:
          'Traceability for imported cold-chain food. 进口冷链食品追溯平台。 Every write is an entry in a verifiable log; write responses carry its logIndex.',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  await app.register(multipart, { limits: { fileSize: 10 * 1024 * 1024, files: 1 } });
  installAuth(app, deps, opts.authFailures ?? { max: 10, windowMs: 5 * 60_000 });

  app.get('/openapi.json', { schema: { hide: true, response: { 200: anyObject } } }, async () => app.swagger());
  app.withTypeProvider<TypeBoxTypeProvider>().get(
    '/healthz',
    {
      schema: {
        tags: ['health'],
        summary: 'Liveness and the log size',
        response: { 200: obj({ status: { type: 'string', enum: ['ok'] }, database: str, logSize: int }) },
      },
    },
    async () => ({
      status: 'ok' as const,
      database: deps.dialect.label,
      logSize: await logSize(deps.db),
    }),
  );

  await app.register(async (plain) => {
    const scope = plain.withTypeProvider<TypeBoxTypeProvider>();
    await partyRoutes(scope, deps);
    await masterDataRoutes(scope, deps);
    await workerRoutes(scope, deps);
    await logRoutes(scope, deps);
    await lotRoutes(scope, deps);
    await warehouseRoutes(scope, deps);
    await sampleRuleRoutes(scope, deps);
    await publicRoutes(scope, deps);
    await labelRoutes(scope, deps);
    await custodyRoutes(scope, deps);
    await recognitionRoutes(scope, deps);
    await platformRoutes(scope, deps);
    await enforcementRoutes(scope, deps);
    await epcisRoutes(scope, deps);
    await queryRoutes(scope, deps, { allowHttpWebhooks: opts.allowHttpWebhooks ?? false });
    await navigationRoutes(scope, deps);
    await alertRoutes(scope, deps, { allowHttpWebhooks: opts.allowHttpWebhooks ?? false });
    await temperatureRoutes(scope, deps);
    await traceRoutes(scope, deps);
    await incidentRoutes(scope, deps);
    await reportRoutes(scope, deps);
    await consoleRoutes(scope);
  });
  await app.register(async (scope) => {
    await federationRoutes(scope.withTypeProvider<TypeBoxTypeProvider>(), deps, opts.federation);
  });
  return app;
}
