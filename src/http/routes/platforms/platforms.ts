import type { Deps } from '../../../app/deps.ts';
import { getPlatform, listPlatforms, registerPlatform } from '../../../app/platforms/platforms.ts';
import { requireActor } from '../../auth.ts';
import { idParam, plain, secured } from '../../schemas.ts';
import type { Api } from '../../schemas.ts';
import { platform, platformList } from './replies.ts';

const platformBody = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'codes', 'queryUrl'],
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 200, ...plain },
    codes: {
      type: 'array',
      minItems: 1,
      maxItems: 20,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['kind', 'value'],
        properties: {
          kind: { type: 'string', enum: ['gs1_prefix', 'dl_host', 'pattern'] },
          value: { type: 'string', minLength: 1, maxLength: 200 },
        },
      },
      description: 'the codes it issues: a GS1 company prefix, a Digital Link host, or a pattern (regular expression)',
    },
    queryUrl: {
      type: 'string',
      minLength: 1,
      maxLength: 500,
      ...plain,
      description: 'its EPCIS 2.0 query interface; a code is read at <queryUrl>/events?MATCH_anyEPC=<code>',
    },
    credential: { type: ['string', 'null'], maxLength: 500, ...plain, description: 'the bearer token to read it with' },
    noticeUrl: {
      type: ['string', 'null'],
      maxLength: 500,
      ...plain,
      description: 'where recalls here of its goods are pushed (an EPCIS document, disposition recalled)',
    },
  },
} as const;

/** platformRoutes serves the register of other platforms whose codes this node recognises (regulators). */
export async function platformRoutes(app: Api, deps: Deps) {
  const tags = ['platforms'];
  app.get(
    '/v1/platforms',
    {
      schema: {
        tags,
        summary: 'The other platforms registered here, each with its state (available, unavailable)',
        security: secured,
        response: { 200: platformList },
      },
    },
    async (req) => ({ items: await listPlatforms(deps, requireActor(req)) }),
  );
  app.post(
    '/v1/platforms',
    {
      schema: {
        tags,
        summary: 'Register another platform: the codes it issues and its EPCIS query interface (a log entry)',
        security: secured,
        body: platformBody,
        response: { 201: platform },
      },
    },
    async (req, reply) => reply.code(201).send(await registerPlatform(deps, requireActor(req), req.body)),
  );
  app.get(
    '/v1/platforms/:id',
    {
      schema: {
        tags,
        summary: 'One registered platform and its state',
        security: secured,
        params: idParam,
        response: { 200: platform },
      },
    },
    async (req) => getPlatform(deps, requireActor(req), req.params.id),
  );
}
