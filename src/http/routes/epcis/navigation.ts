import type { Deps } from '../../../app/deps.ts';
import { RESOURCES, listMembers } from '../../../app/epcis/navigation.ts';
import type { Resource } from '../../../app/epcis/navigation.ts';
import { MAX_PER_PAGE, parseQuery, queryEvents } from '../../../app/epcis/query.ts';
import { requireActor } from '../../auth.ts';
import { secured } from '../../schemas.ts';
import type { Api } from '../../schemas.ts';

const VERSIONS = { 'GS1-EPCIS-Version': '2.0.0', 'GS1-CBV-Version': '2.0.0' };
const PER_PAGE = 30;
const tags = ['epcis'];
const paging = {
  type: 'object',
  additionalProperties: false,
  properties: {
    perPage: { type: 'integer', minimum: 1, maximum: MAX_PER_PAGE, default: PER_PAGE },
    nextPageToken: { type: 'string', maxLength: 2000 },
  },
} as const;
const collection = {
  type: 'object',
  additionalProperties: false,
  required: ['@context', 'type', 'member'],
  properties: {
    '@context': { type: 'string' },
    type: { type: 'string', enum: ['Collection'] },
    member: { type: 'array', items: { type: 'string' } },
  },
} as const;
const anyDocument = {
  type: 'object',
  additionalProperties: true,
  description: 'An EPCISQueryDocument (GS1 EPCIS 2.0)',
};

/**
 * navigationRoutes serves the navigation resources of the EPCIS 2.0 REST binding: /epcis/eventTypes, /epcis/epcs,
 * /epcis/bizSteps, /epcis/bizLocations, /epcis/readPoints and /epcis/dispositions (each a Collection, perPage at a
 * time, with a Link to the next page), and the events of each member at /epcis/{resource}/{id}/events.
 */
export async function navigationRoutes(app: Api, deps: Deps): Promise<void> {
  await app.register(async (scope) => {
    scope.addHook('onSend', async (_req, reply) => {
      void reply.headers(VERSIONS);
    });
    for (const resource of Object.keys(RESOURCES) as Resource[]) {
      const param = RESOURCES[resource].param;
      scope.get(
        `/epcis/${resource}`,
        {
          schema: {
            tags,
            summary: `The ${resource} of the events you may see, as a Collection, perPage at a time`,
            security: secured,
            querystring: paging,
            response: { 200: collection },
          },
        },
        async (req, reply) => {
          const q = req.query as { perPage?: number; nextPageToken?: string };
          const perPage = q.perPage ?? PER_PAGE;
          const page = await listMembers(deps, requireActor(req), resource, perPage, q.nextPageToken ?? null);
          if (page.nextPageToken !== null)
            void reply.header(
              'link',
              `</epcis/${resource}?${new URLSearchParams({ perPage: String(perPage), nextPageToken: page.nextPageToken }).toString()}>; rel="next"`,
            );
          return page.collection;
        },
      );
      scope.get(
        `/epcis/${resource}/:id/events`,
        {
          schema: {
            tags,
            summary: `The events of one of the ${resource} (URL-encoded), perPage at a time`,
            security: secured,
            params: {
              type: 'object',
              required: ['id'],
              properties: { id: { type: 'string', minLength: 1, maxLength: 2000 } },
            },
            querystring: paging,
            response: { 200: anyDocument },
          },
        },
        async (req, reply) => {
          const { id } = req.params as { id: string };
          const q = req.query as { perPage?: number; nextPageToken?: string };
          const { document, nextPageToken } = await queryEvents(
            deps,
            requireActor(req),
            parseQuery({ ...q, [param]: [id] }),
          );
          if (nextPageToken !== null)
            void reply.header(
              'link',
              `</epcis/${resource}/${encodeURIComponent(id)}/events?${new URLSearchParams({ perPage: String(q.perPage ?? PER_PAGE), nextPageToken }).toString()}>; rel="next"`,
            );
          return document;
        },
      );
    }
  });
}
