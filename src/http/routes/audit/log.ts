import { content } from '../../schemas.ts';
import { getLogProofsConsistency200, getLogProofsInclusion200 } from './replies.ts';
import {
  currentCheckpoint,
  proveConsistency,
  proveInclusion,
  readEntryBundle,
  readTile,
} from '../../../app/audit/log-read.ts';
import type { Deps } from '../../../app/deps.ts';
import { cosignedCheckpoint } from '../../../app/federation/cosign.ts';
import { AppError } from '../../../app/errors.ts';
import { isLogError } from '../../../log/log-error.ts';
import { parseTilePath } from '../../../log/tiles.ts';
import { secured } from '../../schemas.ts';
import type { Api } from '../../schemas.ts';

const IMMUTABLE = 'private, max-age=31536000, immutable';

/**
 * logRoutes serves the log per c2sp.org/tlog-tiles under /log: the checkpoint and verifier key to
 * anyone, tiles and entry bundles to regulators, auditors and peer nodes, and JSON proofs for
 * clients that do not speak tiles.
 */
export async function logRoutes(app: Api, deps: Deps) {
  const tags = ['log'];
  app.get(
    '/log/checkpoint',
    {
      schema: {
        tags,
        summary: 'The latest signed checkpoint (c2sp.org/tlog-checkpoint)',
        response: { 200: content('A signed note', 'text/plain') },
      },
    },
    async (_req, reply) => {
      // With the cosignatures the peers' witnesses gave it; clients ignore those from keys they do not know.
      const cp = await cosignedCheckpoint(deps);
      const { note } = cp ?? (await currentCheckpoint(deps));
      return reply
        .header('content-type', 'text/plain; charset=utf-8')
        .header('cache-control', 'no-cache, max-age=1')
        .send(note);
    },
  );

  app.get(
    '/log/vkey',
    {
      schema: {
        tags,
        summary: "The node's signed-note verifier key",
        response: { 200: content('The verifier key, one line', 'text/plain') },
      },
    },
    async (_req, reply) =>
      reply
        .header('content-type', 'text/plain; charset=utf-8')
        .header('cache-control', 'public, max-age=3600')
        .send(`${deps.log.signer.verifierKey}\n`),
  );

  app.get(
    '/log/tile/*',
    {
      schema: {
        tags,
        summary: 'A hash tile or entry bundle (c2sp.org/tlog-tiles)',
        security: secured,
        response: { 200: content('The tile bytes', 'application/octet-stream') },
        params: { type: 'object', required: ['*'], properties: { '*': { type: 'string' } } },
      },
    },
    async (req, reply) => {
      const path = `tile/${req.params['*']}`;
      let parsed;
      try {
        parsed = parseTilePath(path);
      } catch (err) {
        if (isLogError(err))
          throw new AppError('NotFound', { field: 'path', reason: `not a tlog-tiles path: ${path}` });
        throw err;
      }
      const body =
        parsed.kind === 'entries'
          ? await readEntryBundle(deps, req.actor, parsed.index, parsed.width)
          : await readTile(deps, req.actor, parsed.level, parsed.index, parsed.width);
      return reply.header('content-type', 'application/octet-stream').header('cache-control', IMMUTABLE).send(body);
    },
  );

  app.get(
    '/log/proofs/inclusion',
    {
      schema: {
        response: { 200: getLogProofsInclusion200 },
        tags,
        summary: 'Inclusion proof of the entry at index in the tree of size (RFC 6962)',
        querystring: {
          type: 'object',
          required: ['index', 'size'],
          additionalProperties: false,
          properties: { index: { type: 'integer', minimum: 0 }, size: { type: 'integer', minimum: 1 } },
        },
      },
    },
    async (req) => {
      const q = req.query;
      return proveInclusion(deps, q.index, q.size);
    },
  );

  app.get(
    '/log/proofs/consistency',
    {
      schema: {
        response: { 200: getLogProofsConsistency200 },
        tags,
        summary: 'Consistency proof between two tree sizes (RFC 6962)',
        querystring: {
          type: 'object',
          required: ['from', 'to'],
          additionalProperties: false,
          properties: { from: { type: 'integer', minimum: 0 }, to: { type: 'integer', minimum: 0 } },
        },
      },
    },
    async (req) => {
      const q = req.query;
      return proveConsistency(deps, q.from, q.to);
    },
  );
}
