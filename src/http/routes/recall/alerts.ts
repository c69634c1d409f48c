import { pageOnly } from '../../schemas.ts';
import { pageList } from '../../../app/access/paging.ts';
import {
  getAlerts200,
  getAlertsById200,
  getWebhooks200,
  getWebhooksById200,
  getWebhooksByIdDeliveries200,
  postNotices201,
  postWebhooks201,
} from './replies.ts';
import { acknowledgeAlert, getAlert, listAlerts } from '../../../app/recall/alerts.ts';
import type { Deps } from '../../../app/deps.ts';

import { sendNotice } from '../../../app/recall/notices.ts';

import {
  createWebhook,
  disableWebhook,
  getWebhook,
  listDeliveries,
  listWebhooks,
} from '../../../app/recall/webhooks.ts';
import { ROLES } from '../../../domain/access.ts';
import { ALERT_KINDS, SEVERITIES } from '../../../domain/webhook.ts';
import { requireActor } from '../../auth.ts';
import { idParam, idempotencyHeader, idempotencyOf, pageQuery, plain, regionCode, secured } from '../../schemas.ts';
import type { Api } from '../../schemas.ts';
import { alertStreamRoute } from './alert-stream.ts';

const id = (req: { params: { id: string } }) => req.params.id;

const bilingual = (maxLength: number) =>
  ({
    type: 'object',
    additionalProperties: false,
    minProperties: 1,
    properties: {
      zh: { type: ['string', 'null'], maxLength, ...plain },
      en: { type: ['string', 'null'], maxLength, ...plain },
    },
  }) as const;

/** AlertRouteOptions: allowHttpWebhooks admits http webhook URLs to this machine (COLDTRACE_WEBHOOK_ALLOW_HTTP). */
export interface AlertRouteOptions {
  readonly allowHttpWebhooks: boolean;
}

/** alertRoutes serves each party's inbox, notices from regulators, webhooks with their delivery log, and the event stream. */
export async function alertRoutes(app: Api, deps: Deps, opts: AlertRouteOptions) {
  let tags = ['alerts'];
  await alertStreamRoute(app, deps);
  app.get(
    '/v1/alerts',
    {
      schema: {
        response: { 200: getAlerts200 },
        tags,
        summary: 'Your inbox of alerts, newest first',
        security: secured,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            ...pageQuery,
            unacknowledged: { type: 'boolean', description: 'only alerts not yet acknowledged' },
            kind: { type: 'string', enum: ALERT_KINDS },
          },
        },
      },
    },
    async (req) => listAlerts(deps, requireActor(req), req.query),
  );
  app.get(
    '/v1/alerts/:id',
    {
      schema: {
        response: { 200: getAlertsById200 },
        tags,
        summary: 'One alert of your inbox',
        security: secured,
        params: idParam,
      },
    },
    async (req) => getAlert(deps, requireActor(req), id(req)),
  );
  app.post(
    '/v1/alerts/:id/ack',
    {
      schema: {
        response: { 200: getAlertsById200 },
        tags,
        summary: 'Acknowledge an alert, with a note of what you are doing (once)',
        security: secured,
        params: idParam,
        body: {
          type: 'object',
          additionalProperties: false,
          properties: { note: { type: ['string', 'null'], maxLength: 1000, ...plain } },
        },
      },
      // The body is optional: a request without one acknowledges without a note.
      preValidation: async (req) => {
        req.body ??= {};
      },
    },
    async (req) => acknowledgeAlert(deps, requireActor(req), id(req), req.body.note ?? null),
  );

  app.post(
    '/v1/notices',
    {
      schema: {
        response: { 201: postNotices201 },
        tags,
        summary: 'Send a notice to parties, or to every party of some roles in your region (regulator, customs)',
        security: secured,
        headers: idempotencyHeader,
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['title', 'text'],
          properties: {
            title: bilingual(200),
            text: bilingual(2000),
            severity: { type: 'string', enum: SEVERITIES, default: 'info' },
            partyIds: {
              type: 'array',
              minItems: 1,
              maxItems: 1000,
              items: { type: 'string', minLength: 1, maxLength: 64, ...plain },
            },
            roles: { type: 'array', minItems: 1, maxItems: ROLES.length, items: { type: 'string', enum: ROLES } },
            region: {
              ...regionCode,
              type: ['string', 'null'],
              description:
                'with roles: the province (default yours; national regulators may give null for every province)',
            },
          },
        },
      },
    },
    async (req, reply) =>
      reply.status(201).send(await sendNotice(deps, requireActor(req), req.body, idempotencyOf(req))),
  );

  tags = ['webhooks'];
  app.post(
    '/v1/webhooks',
    {
      schema: {
        response: { 201: postWebhooks201 },
        tags,
        summary: 'Register an endpoint for your alerts; the signing secret is shown once',
        security: secured,
        headers: idempotencyHeader,
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['url'],
          properties: {
            url: {
              type: 'string',
              minLength: 1,
              maxLength: 2000,
              ...plain,
              description: 'https URL that receives a signed POST per alert',
            },
            kinds: {
              type: 'array',
              minItems: 1,
              maxItems: ALERT_KINDS.length,
              items: { type: 'string', enum: ALERT_KINDS },
              description: 'only these kinds (default: every kind)',
            },
          },
        },
      },
    },
    async (req, reply) =>
      reply
        .status(201)
        .send(await createWebhook(deps, requireActor(req), req.body, opts.allowHttpWebhooks, idempotencyOf(req))),
  );
  app.get(
    '/v1/webhooks',
    {
      schema: {
        response: { 200: getWebhooks200 },
        tags,
        summary: 'Your webhooks',
        security: secured,
        querystring: pageOnly,
      },
    },
    async (req) => pageList((await listWebhooks(deps, requireActor(req))).items, req.query.limit, req.query.cursor),
  );
  app.get(
    '/v1/webhooks/:id',
    {
      schema: {
        response: { 200: getWebhooksById200 },
        tags,
        summary: 'One of your webhooks',
        security: secured,
        params: idParam,
      },
    },
    async (req) => getWebhook(deps, requireActor(req), id(req)),
  );
  app.delete(
    '/v1/webhooks/:id',
    {
      schema: {
        response: { 200: getWebhooksById200 },
        tags,
        summary: 'Delete (disable) a webhook; its pending deliveries are cancelled',
        security: secured,
        params: idParam,
      },
    },
    async (req) => disableWebhook(deps, requireActor(req), id(req), 'deleted'),
  );
  app.get(
    '/v1/webhooks/:id/deliveries',
    {
      schema: {
        response: { 200: getWebhooksByIdDeliveries200 },
        tags,
        summary: "A webhook's delivery log: every attempt's time, HTTP status or error, duration and next retry",
        security: secured,
        params: idParam,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            ...pageQuery,
            status: { type: 'string', enum: ['pending', 'delivered', 'failed', 'cancelled'] },
          },
        },
      },
    },
    async (req) => listDeliveries(deps, requireActor(req), id(req), req.query),
  );
}
