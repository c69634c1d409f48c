import { getLotsByIdTrace200 } from './replies.ts';
import type { Deps } from '../../../app/deps.ts';

import { TRACE_DIRECTIONS, traceLot } from '../../../app/recall/trace.ts';
import { recogniseCode } from '../../../app/platforms/recognise.ts';
import { requireActor } from '../../auth.ts';
import { secured } from '../../schemas.ts';
import type { Api } from '../../schemas.ts';

const direction = { type: 'string', enum: TRACE_DIRECTIONS, default: 'both' } as const;

/**
 * traceRoutes serves the trace: from a lot (by id, trace code or carton code in the path, or any of those or a GS1
 * Digital Link in `ref`), forward to every lot made from it and every holder, backward to the border.
 */
export async function traceRoutes(app: Api, deps: Deps) {
  const tags = ['trace'];
  app.get(
    '/v1/lots/:id/trace',
    {
      schema: {
        response: { 200: getLotsByIdTrace200 },
        tags,
        summary: 'Trace a lot forward to every holder and backward to the border (regulators, customs, auditors)',
        security: secured,
        params: {
          type: 'object',
          required: ['id'],
          properties: {
            id: { type: 'string', minLength: 1, maxLength: 64, description: 'lot id, trace code or carton code' },
          },
        },
        querystring: { type: 'object', additionalProperties: false, properties: { direction } },
      },
    },
    async (req) => {
      const q = req.query;
      const actor = requireActor(req);
      // Another platform's code is recognised (asked of that platform) before it is traced.
      await recogniseCode(deps, req.params.id);
      return traceLot(deps, actor, req.params.id, q.direction ?? 'both');
    },
  );
  app.get(
    '/v1/trace',
    {
      schema: {
        response: { 200: getLotsByIdTrace200 },
        tags,
        summary: 'Trace from any reference: lot id, trace code, carton code or GS1 Digital Link URI',
        security: secured,
        querystring: {
          type: 'object',
          additionalProperties: false,
          required: ['ref'],
          properties: { ref: { type: 'string', minLength: 1, maxLength: 300 }, direction },
        },
      },
    },
    async (req) => {
      const q = req.query;
      const actor = requireActor(req);
      await recogniseCode(deps, q.ref);
      return traceLot(deps, actor, q.ref, q.direction ?? 'both', 'ref');
    },
  );
}
