import type { Deps } from '../../../app/deps.ts';
import { AppError } from '../../../app/errors.ts';
import { mirrorCheckpoint, mirrorTile } from '../../../app/federation/mirror.ts';
import { addPeer, getPeer, listPeers, removePeer } from '../../../app/federation/peers.ts';
import { addCheckpoint, witnessedCheckpoint, witnessInfo } from '../../../app/federation/witness.ts';
import type { FederationWorker } from '../../../app/federation/worker.ts';
import { acceptHint } from '../../../app/federation/worker.ts';
import { isLogError } from '../../../log/log-error.ts';
import { parseTilePath } from '../../../log/tiles.ts';
import { mayAttempt } from '../../../domain/access.ts';
import { forbid } from '../../../app/access/authorize.ts';
import { requireActor } from '../../auth.ts';
import { pageList } from '../../../app/access/paging.ts';
import {
  pageQuery,
  bool,
  content,
  idParam,
  int,
  intOrNull,
  list,
  obj,
  page,
  plain,
  regionCode,
  secured,
  str,
  strOrNull,
} from '../../schemas.ts';
import type { Api } from '../../schemas.ts';

const MAX_WITNESS_BODY = 64 * 1024;
const hashParam = {
  type: 'object',
  required: ['hash'],
  properties: { hash: { type: 'string', pattern: '^[0-9a-f]{64}$', description: 'SHA-256 of the log origin, hex' } },
} as const;

const mirrorState = obj({
  state: { type: 'string', description: 'following, lagging, unreachable or forked' },
  since: str,
  verifiedSize: int,
  finalSize: int,
  peerSize: intOrNull,
  lagEntries: intOrNull,
  lastCheckedAt: strOrNull,
  lastError: strOrNull,
});

const peerProps = {
  id: str,
  name: str,
  region: strOrNull,
  baseUrl: str,
  logOrigin: str,
  logVkey: str,
  witnessVkey: strOrNull,
  hasCredential: bool,
  addedAt: str,
  removedAt: strOrNull,
  logIndex: int,
  mirror: { anyOf: [mirrorState, { type: 'null' }] },
} as const;
const peer = obj(peerProps);
const peerWithEvidence = obj({
  ...peerProps,
  evidence: list(obj({ id: str, kind: str, reason: str, earlierNote: strOrNull, laterNote: str, recordedAt: str })),
});

const nodeInfo = obj({
  name: str,
  region: strOrNull,
  level: { type: 'string', description: 'provincial or national' },
  log: obj({ origin: str, vkey: str, url: str }),
  witness: obj({ name: str, vkey: str, submissionPrefix: str, monitoringPrefix: str }),
  mirror: obj({ monitoringPrefix: str }),
  hintUrl: str,
});

const note = content('A signed note (c2sp.org/signed-note)', 'text/plain');

const peerBody = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'baseUrl', 'logVkey'],
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 200, ...plain },
    baseUrl: { type: 'string', minLength: 1, maxLength: 500, ...plain, description: 'the peer node’s base URL' },
    logVkey: {
      type: 'string',
      minLength: 1,
      maxLength: 500,
      ...plain,
      description: 'the peer log’s vkey (its name is the log origin)',
    },
    witnessVkey: {
      type: ['string', 'null'],
      maxLength: 500,
      ...plain,
      description: 'the peer witness’s cosignature/v1 vkey',
    },
    region: { ...regionCode, type: ['string', 'null'] },
    credential: {
      type: ['string', 'null'],
      maxLength: 500,
      ...plain,
      description: 'a regulator or auditor token on the peer, to read its tiles',
    },
  },
} as const;

/**
 * federationRoutes serves what peers and auditors use: who this node is, its witness (c2sp.org/tlog-witness), the
 * mirrors it keeps of its peers' logs (the tlog-tiles monitoring interface under /mirror/<origin hash>), push hints,
 * and, under /v1/federation, the peer list that regulators manage.
 */
export async function federationRoutes(app: Api, deps: Deps, worker?: FederationWorker) {
  const tags = ['federation'];
  // Witness requests and hints are text, not JSON; only these routes take it.
  app.addContentTypeParser('text/plain', { parseAs: 'buffer', bodyLimit: MAX_WITNESS_BODY }, (_req, body, done) =>
    done(null, body),
  );

  app.get(
    '/federation/node',
    {
      schema: {
        tags,
        summary: 'Who this node is: name, region, log and witness keys, URLs',
        response: { 200: nodeInfo },
      },
    },
    async () => {
      const base = deps.config.publicUrl;
      const witness = witnessInfo(deps);
      return {
        name: deps.config.nodeName ?? deps.log.origin,
        region: deps.config.nodeRegion ?? null,
        level: deps.config.nodeRegion ? 'provincial' : 'national',
        log: { origin: deps.log.origin, vkey: deps.log.signer.verifierKey, url: `${base}/log` },
        witness: {
          name: witness.name,
          vkey: witness.vkey,
          submissionPrefix: `${base}/witness`,
          monitoringPrefix: `${base}/witness`,
        },
        mirror: { monitoringPrefix: `${base}/mirror` },
        hintUrl: `${base}/federation/hint`,
      };
    },
  );

  app.post(
    '/witness/add-checkpoint',
    {
      schema: {
        tags,
        summary: 'Submit a checkpoint for cosigning (c2sp.org/tlog-witness)',
        response: {
          200: content('Cosignature lines (c2sp.org/tlog-cosignature)', 'text/plain'),
          400: content('Why the request is malformed', 'text/plain', 'application/json'),
          403: content('The signature could not be verified', 'text/plain', 'application/json'),
          404: content('The origin is not a peer of this node', 'text/plain', 'application/json'),
          409: content('The size this witness last cosigned', 'text/x.tlog.size'),
          422: content(
            'The checkpoint is not consistent with the one cosigned before',
            'text/plain',
            'application/json',
          ),
          503: content('Busy; try again', 'text/plain'),
        },
      },
    },
    async (req, reply) => {
      const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      const r = await addCheckpoint(deps, body);
      return reply.code(r.status).header('content-type', r.contentType).send(r.body);
    },
  );

  app.get(
    '/witness/:hash/checkpoint',
    {
      schema: {
        tags,
        summary: 'The latest checkpoint this witness cosigned for a log',
        params: hashParam,
        response: { 200: note },
      },
    },
    async (req, reply) => {
      const note = await witnessedCheckpoint(deps, req.params.hash);
      if (note === null)
        throw new AppError('NotFound', { field: 'hash', reason: 'this witness never cosigned that log' });
      return reply.header('content-type', 'text/plain; charset=utf-8').header('cache-control', 'no-cache').send(note);
    },
  );

  app.get(
    '/mirror/:hash/checkpoint',
    {
      schema: {
        tags,
        summary: "A peer log's checkpoint as this node verified it (c2sp.org/tlog-mirror)",
        params: hashParam,
        response: { 200: note },
      },
    },
    async (req, reply) => {
      const note = await mirrorCheckpoint(deps, req.params.hash);
      if (note === null) throw new AppError('NotFound', { field: 'hash', reason: 'no verified mirror of that log' });
      return reply.header('content-type', 'text/plain; charset=utf-8').header('cache-control', 'no-cache').send(note);
    },
  );

  app.get(
    '/mirror/:hash/tile/*',
    {
      schema: {
        tags,
        summary: 'A tile or entry bundle of a mirrored log, as the peer served it',
        security: secured,
        response: { 200: content('A tile or entry bundle (c2sp.org/tlog-tiles)', 'application/octet-stream') },
        params: {
          type: 'object',
          required: ['hash', '*'],
          properties: { hash: hashParam.properties.hash, '*': { type: 'string' } },
        },
      },
    },
    async (req, reply) => {
      const actor = requireActor(req);
      if (!mayAttempt(actor, 'log.read')) throw forbid('log.read');
      const params = req.params;
      const path = `tile/${params['*']}`;
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
          ? await mirrorTile(deps, params.hash, -1, parsed.index, parsed.width)
          : await mirrorTile(deps, params.hash, parsed.level, parsed.index, parsed.width);
      if (body === null)
        throw new AppError('NotFound', { field: 'path', reason: `no verified ${path} in this mirror` });
      return reply
        .header('content-type', 'application/octet-stream')
        .header('cache-control', 'private, max-age=31536000, immutable')
        .send(body);
    },
  );

  app.post(
    '/federation/hint',
    {
      schema: {
        tags,
        summary: 'A peer says it signed a new checkpoint (the body is that signed checkpoint)',
        response: { 202: obj({ accepted: bool, origin: str }) },
      },
    },
    async (req, reply) => {
      const note = Buffer.isBuffer(req.body) ? req.body.toString('utf8') : '';
      const origin = await acceptHint(deps, note);
      if (origin === null)
        throw new AppError('Forbidden', { field: '(body)', reason: 'not a checkpoint signed by a peer of this node' });
      worker?.kick(origin);
      return reply.code(202).send({ accepted: true, origin });
    },
  );

  app.get(
    '/v1/federation/peers',
    {
      schema: {
        tags,
        summary: 'The peers, each with its mirror state (following, lagging, unreachable, forked)',
        security: secured,
        response: { 200: page(peer) },
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { removed: { type: 'boolean', default: false }, ...pageQuery },
        },
      },
    },
    async (req) =>
      pageList(
        await listPeers(deps, requireActor(req), { removed: req.query.removed }),
        req.query.limit,
        req.query.cursor,
      ),
  );

  app.post(
    '/v1/federation/peers',
    {
      schema: {
        tags,
        summary: 'Add a peer node (a log entry)',
        security: secured,
        body: peerBody,
        response: { 201: peer },
      },
    },
    async (req, reply) => reply.code(201).send(await addPeer(deps, requireActor(req), req.body)),
  );

  app.get(
    '/v1/federation/peers/:id',
    {
      schema: {
        tags,
        summary: 'A peer, its mirror state and the evidence of any fork',
        security: secured,
        params: idParam,
        response: { 200: peerWithEvidence },
      },
    },
    async (req) => getPeer(deps, requireActor(req), req.params.id),
  );

  app.delete(
    '/v1/federation/peers/:id',
    {
      schema: {
        tags,
        summary: 'Remove a peer (a log entry)',
        security: secured,
        params: idParam,
        response: { 200: peer },
      },
    },
    async (req) => removePeer(deps, requireActor(req), req.params.id),
  );
}
