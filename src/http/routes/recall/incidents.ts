import {
  getIncidents200,
  getFederationIncidents200,
  getSettingsIncidentScope200,
  postIncidents201,
  postIncidentsByIdActions201,
  postIncidentsByIdActionsByActionIdDecision200,
  postIncidentsByIdClose200,
  postLotsByIdMarketSamples201,
  putSettingsIncidentScope200,
} from './replies.ts';
import type { Deps } from '../../../app/deps.ts';
import { INCIDENT_SCOPE, incidentScopeFor } from '../../../app/recall/incident-scope.ts';
import type { OpenIncidentInput } from '../../../app/recall/incidents.ts';
import {
  closeIncident,
  decideIncidentAction,
  getIncident,
  listIncidents,
  openIncident,
  recordIncidentAction,
  releaseIncidentLot,
} from '../../../app/recall/incidents.ts';

import { takeMarketSample } from '../../../app/recall/market-sampling.ts';
import { federationIncidents } from '../../../app/recall/incident-accounts.ts';
import { recogniseLots } from '../../../app/recognition/recognition.ts';
import { forbid } from '../../../app/access/authorize.ts';
import { pageList } from '../../../app/access/paging.ts';
import { mayAttempt } from '../../../domain/access.ts';
import { setRegionalSetting } from '../../../app/registry/settings.ts';
import { DEFAULT_INCIDENT_SCOPE, INCIDENT_ACTIONS } from '../../../domain/incident.ts';

import { SAMPLE_POINTS } from '../../../domain/lot-status.ts';
import { requireActor } from '../../auth.ts';
import {
  idParam,
  idempotencyHeader,
  idempotencyOf,
  isoTime,
  msOf,
  pageQuery,
  regionCode,
  secured,
} from '../../schemas.ts';
import type { Api } from '../../schemas.ts';

const ref = { type: 'string', minLength: 1, maxLength: 64 } as const;
const date = { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$' } as const;
const obj = <const R extends readonly string[], const P extends Record<string, object>>(required: R, properties: P) =>
  ({ type: 'object', additionalProperties: false, required, properties }) as const;
const scope = obj([], {
  sourceLots: { type: 'boolean' },
  sameContainer: { type: 'boolean' },
  sameProducerDate: { type: 'boolean' },
});
const trigger = {
  oneOf: [
    obj(['kind', 'lotIds'], {
      kind: { const: 'lot' },
      lotIds: { type: 'array', minItems: 1, maxItems: 500, items: ref },
    }),
    obj(['kind', 'containerNo'], {
      kind: { const: 'container' },
      containerNo: { type: 'string', minLength: 4, maxLength: 11 },
    }),
    obj(['kind', 'producerId', 'productionFrom', 'productionTo'], {
      kind: { const: 'producer' },
      producerId: ref,
      productionFrom: date,
      productionTo: date,
    }),
  ],
};
const quantity = obj(['kg', 'cartons'], {
  kg: { type: 'number', minimum: 0 },
  cartons: { type: 'integer', minimum: 0 },
});

/**
 * incidentRoutes serves incidents: opened by a positive result (by itself) or by a regulator, followed by the holders'
 * actions on the frozen goods, and closed when every kilogram is accounted for.
 */
export async function incidentRoutes(app: Api, deps: Deps) {
  const tags = ['incidents'];
  const id = (req: { params: { id: string } }) => req.params.id;
  app.post(
    '/v1/incidents',
    {
      schema: {
        response: { 201: postIncidents201 },
        tags,
        summary:
          'Open an incident from lots, a container, or a producer and production dates, freezing every affected lot (regulator, customs)',
        security: secured,
        headers: idempotencyHeader,
        body: obj(['trigger'], {
          trigger,
          title: { type: 'string', maxLength: 200 },
          scope,
          windowFrom: isoTime,
          windowTo: isoTime,
        }),
      },
    },
    async (req, reply) => {
      const b = req.body;
      const { windowFrom: _f, windowTo: _t, ...rest } = b;
      const input: OpenIncidentInput = {
        ...rest,
        ...(b.windowFrom ? { windowFrom: msOf('windowFrom', b.windowFrom) } : {}),
        ...(b.windowTo ? { windowTo: msOf('windowTo', b.windowTo) } : {}),
      };
      const actor = requireActor(req);
      // Lots known here only from the peers' logs are recognised first: the national node holds no goods of its own.
      if (input.trigger.kind === 'lot' && mayAttempt(actor, 'incident.open'))
        await recogniseLots(deps, input.trigger.lotIds);
      return reply.status(201).send(await openIncident(deps, actor, input, idempotencyOf(req)));
    },
  );
  app.get(
    '/v1/incidents',
    {
      schema: {
        response: { 200: getIncidents200 },
        tags,
        summary: 'Incidents you may see: regulators of every region the goods reached, and the holders concerned',
        security: secured,
        querystring: obj([], { ...pageQuery, status: { type: 'string', enum: ['open', 'closed'] } }),
      },
    },
    async (req) => listIncidents(deps, requireActor(req), req.query),
  );
  app.get(
    '/v1/federation/incidents',
    {
      schema: {
        response: { 200: getFederationIncidents200 },
        tags,
        summary:
          'Every incident that started on this node or on a peer, with each province’s frozen, accounted and outstanding kg (regulators, auditors)',
        security: secured,
        querystring: obj([], { ...pageQuery, status: { type: 'string', enum: ['open', 'closed'] } }),
      },
    },
    async (req) => {
      const actor = requireActor(req);
      if (!mayAttempt(actor, 'lot.trace')) throw forbid('lot.trace');
      const { status, ...q } = req.query;
      const { items } = await federationIncidents(deps, status ? { status } : {});
      return pageList(items, q.limit, q.cursor);
    },
  );
  app.get(
    '/v1/incidents/:id',
    {
      schema: {
        response: { 200: postIncidents201 },
        tags,
        summary:
          'An incident: lots, holders with accounted and outstanding kg per holder and region, contacts, actions',
        security: secured,
        params: idParam,
      },
    },
    async (req) => getIncident(deps, requireActor(req), id(req)),
  );
  app.post(
    '/v1/incidents/:id/actions',
    {
      schema: {
        response: { 201: postIncidentsByIdActions201 },
        tags,
        summary:
          'Record what you did with affected goods you hold: sealed, destroyed, returned, or retested negative (holder)',
        security: secured,
        params: idParam,
        body: obj(['lotId', 'locationId', 'action', 'quantity', 'at'], {
          lotId: ref,
          locationId: { ...ref, type: ['string', 'null'] },
          action: { type: 'string', enum: INCIDENT_ACTIONS },
          quantity,
          at: isoTime,
          referenceDoc: { type: ['string', 'null'], maxLength: 100 },
          note: { type: ['string', 'null'], maxLength: 1000 },
        }),
      },
    },
    async (req, reply) => {
      const b = req.body;
      return reply
        .status(201)
        .send(await recordIncidentAction(deps, requireActor(req), id(req), { ...b, at: msOf('at', b.at) }));
    },
  );
  app.post(
    '/v1/incidents/:id/actions/:actionId/decision',
    {
      schema: {
        response: { 200: postIncidentsByIdActionsByActionIdDecision200 },
        tags,
        summary:
          "Approve or reject a negative retest; an approval accounts for that holder's retested goods alone (regulator)",
        security: secured,
        params: obj(['id', 'actionId'], { id: ref, actionId: ref }),
        body: obj(['approve'], {
          approve: { type: 'boolean' },
          note: { type: ['string', 'null'], maxLength: 1000 },
        }),
      },
    },
    async (req) => {
      const p = req.params;
      return decideIncidentAction(deps, requireActor(req), p.id, p.actionId, req.body);
    },
  );
  app.post(
    '/v1/incidents/:id/lots/:lotId/release',
    {
      schema: {
        tags,
        summary:
          "Release one lot from an open incident, with a stated reason; the holders' goods stay to be accounted for (regulator)",
        security: secured,
        params: obj(['id', 'lotId'], { id: ref, lotId: ref }),
        body: obj(['reason'], { reason: { type: 'string', maxLength: 1000 } }),
        response: {
          200: {
            type: 'object',
            additionalProperties: false,
            required: ['incidentId', 'lotId', 'reason', 'releasedBy', 'releasedAt', 'status', 'logIndex'],
            properties: {
              incidentId: { type: 'string' },
              lotId: { type: 'string' },
              reason: { type: 'string' },
              releasedBy: { type: 'string' },
              releasedAt: { type: ['string', 'null'] },
              status: { type: 'string', enum: ['green', 'yellow', 'red'] },
              logIndex: { type: 'integer' },
            },
          },
        },
      },
    },
    async (req) => {
      const p = req.params;
      return releaseIncidentLot(deps, requireActor(req), p.id, p.lotId, req.body);
    },
  );
  app.post(
    '/v1/incidents/:id/close',
    {
      schema: {
        response: { 200: postIncidentsByIdClose200 },
        tags,
        summary: 'Close an incident: when every affected kg is accounted for, or with a stated reason (regulator)',
        security: secured,
        params: idParam,
        body: obj([], { reason: { type: ['string', 'null'], maxLength: 1000 } }),
      },
    },
    async (req) => closeIncident(deps, requireActor(req), id(req), req.body ?? {}),
  );
  app.post(
    '/v1/lots/:id/market-samples',
    {
      schema: {
        response: { 201: postLotsByIdMarketSamples201 },
        tags,
        summary: 'Take a surveillance sample of goods on the market and send it to a lab (regulator)',
        security: secured,
        params: idParam,
        headers: idempotencyHeader,
        body: obj(['point', 'labPartyId', 'takenAt', 'heldBy'], {
          point: { type: 'string', enum: SAMPLE_POINTS },
          labPartyId: ref,
          takenAt: isoTime,
          heldBy: ref,
        }),
      },
    },
    async (req, reply) => {
      const b = req.body;
      return reply
        .status(201)
        .send(
          await takeMarketSample(
            deps,
            requireActor(req),
            id(req),
            { ...b, takenAt: msOf('takenAt', b.takenAt) },
            idempotencyOf(req),
          ),
        );
    },
  );

  const settingTags = ['settings'];
  app.get(
    '/v1/settings/incident-scope',
    {
      schema: {
        response: { 200: getSettingsIncidentScope200 },
        tags: settingTags,
        summary: 'Which lots an incident takes in besides the descendants, in a region',
        security: secured,
        querystring: obj([], { region: regionCode }),
      },
    },
    async (req) => {
      const actor = requireActor(req);
      const region = req.query.region ?? actor.region;
      return { region, scope: await incidentScopeFor(deps.db, region, DEFAULT_INCIDENT_SCOPE) };
    },
  );
  app.put(
    '/v1/settings/incident-scope',
    {
      schema: {
        response: { 200: putSettingsIncidentScope200 },
        tags: settingTags,
        summary: 'Set, per region or nationally, which lots an incident takes in (regulator)',
        security: secured,
        body: obj(['scope'], {
          region: { ...regionCode, type: ['string', 'null'] },
          scope: { ...scope, required: ['sourceLots', 'sameContainer', 'sameProducerDate'] },
        }),
      },
    },
    async (req) => {
      const b = req.body;
      const r = await setRegionalSetting(deps, requireActor(req), INCIDENT_SCOPE, b.region ?? null, () => b.scope);
      return { region: b.region ?? null, scope: r.value, logIndex: r.logIndex };
    },
  );
}
