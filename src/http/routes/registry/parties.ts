import { pageOnly } from '../../schemas.ts';
import { pageList } from '../../../app/access/paging.ts';
import {
  deleteTokensById200,
  getMe200,
  getParties200,
  getPartiesById200,
  getPartiesByIdTokens200,
  postParties201,
  postPartiesByIdTokens201,
} from './replies.ts';
import type { Deps } from '../../../app/deps.ts';

import { createParty, getParty, listParties, updateParty } from '../../../app/registry/parties.ts';
import { createToken, listTokens, revokeToken } from '../../../app/registry/tokens.ts';
import { ROLES } from '../../../domain/access.ts';
import { requireActor } from '../../auth.ts';
import { idParam, idempotencyHeader, idempotencyOf, pageQuery, plain, regionCode, secured } from '../../schemas.ts';
import type { Api } from '../../schemas.ts';

const name = {
  type: 'object',
  additionalProperties: false,
  properties: {
    zh: { type: ['string', 'null'], maxLength: 200, ...plain, description: 'name in Chinese' },
    en: { type: ['string', 'null'], maxLength: 200, ...plain, description: 'name in English' },
  },
} as const;

const partyFields = {
  uscc: { type: 'string', minLength: 1, maxLength: 18, ...plain, description: '统一社会信用代码 (GB 32100-2015)' },
  name,
  roles: { type: 'array', minItems: 1, maxItems: ROLES.length, items: { type: 'string', enum: ROLES } },
  region: regionCode,
  level: { type: ['string', 'null'], enum: ['national', 'provincial', null], description: 'for regulators' },
} as const;

/** partyRoutes serves parties and their tokens. */
export async function partyRoutes(app: Api, deps: Deps) {
  const tags = ['parties'];
  app.post(
    '/v1/parties',
    {
      schema: {
        response: { 201: postParties201 },
        tags,
        summary: 'Register a party (regulator)',
        security: secured,
        headers: idempotencyHeader,
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['uscc', 'name', 'roles', 'region'],
          properties: partyFields,
        },
      },
    },
    async (req, reply) => {
      const r = await createParty(deps, requireActor(req), req.body, idempotencyOf(req));
      return reply.status(201).send({ ...r.party, logIndex: r.logIndex });
    },
  );

  app.get(
    '/v1/parties',
    {
      schema: {
        response: { 200: getParties200 },
        tags,
        summary: 'List parties you may see',
        security: secured,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            ...pageQuery,
            region: regionCode,
            role: { type: 'string', enum: ROLES },
            uscc: { type: 'string', maxLength: 18, ...plain },
          },
        },
      },
    },
    async (req) => listParties(deps, requireActor(req), req.query),
  );

  app.get(
    '/v1/me',
    { schema: { response: { 200: getMe200 }, tags, summary: 'The party your token belongs to', security: secured } },
    async (req) => {
      const actor = requireActor(req);
      return { ...(await getParty(deps, actor, actor.partyId)), national: actor.national };
    },
  );

  app.get(
    '/v1/parties/:id',
    {
      schema: {
        response: { 200: getPartiesById200 },
        tags,
        summary: 'Read a party',
        security: secured,
        params: idParam,
      },
    },
    async (req) => getParty(deps, requireActor(req), req.params.id),
  );

  app.patch(
    '/v1/parties/:id',
    {
      schema: {
        response: { 200: postParties201 },
        tags,
        summary: 'Update a party (regulator)',
        security: secured,
        params: idParam,
        body: { type: 'object', additionalProperties: false, minProperties: 1, properties: partyFields },
      },
    },
    async (req) => {
      const r = await updateParty(deps, requireActor(req), req.params.id, req.body);
      return { ...r.party, logIndex: r.logIndex };
    },
  );

  app.post(
    '/v1/parties/:id/tokens',
    {
      schema: {
        response: { 201: postPartiesByIdTokens201 },
        tags,
        summary: 'Issue an API token (shown once)',
        security: secured,
        params: idParam,
        headers: idempotencyHeader,
        body: {
          type: 'object',
          additionalProperties: false,
          properties: {
            label: { type: 'string', maxLength: 200, ...plain },
            qa: {
              type: 'boolean',
              description: "a token of the party's quality assurance: it may close the party's temperature breaches",
            },
          },
        },
      },
      // The body is optional (a label is all it holds): a request without one is an empty object.
      preValidation: async (req) => {
        req.body ??= {};
      },
    },
    async (req, reply) => {
      const body = req.body ?? {};
      const r = await createToken(deps, requireActor(req), req.params.id, body.label ?? null, idempotencyOf(req), {
        qa: body.qa === true,
      });
      return reply.status(201).send({ ...r.token, token: r.secret, logIndex: r.logIndex });
    },
  );

  app.get(
    '/v1/parties/:id/tokens',
    {
      schema: {
        response: { 200: getPartiesByIdTokens200 },
        tags,
        summary: "List a party's tokens",
        security: secured,
        params: idParam,
        querystring: pageOnly,
      },
    },
    async (req) =>
      pageList(await listTokens(deps, requireActor(req), req.params.id), req.query.limit, req.query.cursor),
  );

  app.delete(
    '/v1/tokens/:id',
    {
      schema: {
        response: { 200: deleteTokensById200 },
        tags,
        summary: 'Revoke a token',
        security: secured,
        params: idParam,
      },
    },
    async (req) => {
      const r = await revokeToken(deps, requireActor(req), req.params.id);
      return { ...r.token, logIndex: r.logIndex };
    },
  );
}
