import { pageOnly } from '../../schemas.ts';
import { pageList } from '../../../app/access/paging.ts';
import { content } from '../../schemas.ts';
import {
  getLots200,
  getLotsById200,
  getLotsByIdCartons200,
  getLotsByIdDocuments200,
  postLots201,
  postLotsByIdCartons201,
  postLotsByIdDocuments201,
} from './replies.ts';
import type { FastifyRequest } from 'fastify';
import { AppError, invalid } from '../../../app/errors.ts';
import { cartonCodes, issueCartonCodes } from '../../../app/border/cartons.ts';
import type { Deps } from '../../../app/deps.ts';
import type { DocumentInput } from '../../../app/border/documents.ts';
import { MAX_DOCUMENT_BYTES, attachDocument, documentFile, listDocuments } from '../../../app/border/documents.ts';
import { REQUIRED_DOCUMENTS } from '../../../app/border/lot-facts.ts';

import { CATEGORIES, declareLot, getLot, listLots } from '../../../app/border/lots.ts';
import { requireActor } from '../../auth.ts';
import { idParam, idempotencyHeader, idempotencyOf, pageQuery, regionCode, secured } from '../../schemas.ts';
import type { Api } from '../../schemas.ts';

const date = { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'YYYY-MM-DD' } as const;

const declaration = {
  type: 'object',
  additionalProperties: false,
  required: [
    'declarationNo',
    'portOfEntry',
    'arrivalDate',
    'containerNo',
    'billOfLading',
    'product',
    'category',
    'hsCode',
    'batchNo',
    'originCountry',
    'producerId',
    'netKg',
    'cartons',
    'productionDate',
  ],
  properties: {
    declarationNo: { type: 'string', minLength: 1, maxLength: 18, description: '报关单号' },
    portOfEntry: { type: 'string', minLength: 1, maxLength: 60 },
    arrivalDate: date,
    containerNo: { type: 'string', minLength: 1, maxLength: 11, description: 'ISO 6346' },
    billOfLading: { type: 'string', minLength: 1, maxLength: 30 },
    product: {
      type: 'object',
      additionalProperties: false,
      properties: {
        zh: { type: ['string', 'null'], maxLength: 100 },
        en: { type: ['string', 'null'], maxLength: 100 },
      },
    },
    category: { type: 'string', enum: CATEGORIES },
    hsCode: { type: 'string', minLength: 1, maxLength: 13 },
    gtin: { type: ['string', 'null'], maxLength: 14 },
    batchNo: {
      type: 'string',
      minLength: 1,
      maxLength: 20,
      description: 'the batch/lot number on the cartons (GS1 AI 10)',
    },
    originCountry: { type: 'string', minLength: 2, maxLength: 2 },
    producerId: { type: 'string', minLength: 1, maxLength: 64 },
    netKg: { type: 'number', description: 'net weight in kg' },
    cartons: { type: 'integer' },
    productionDate: date,
    expiryDate: { ...date, type: ['string', 'null'] },
    shelfLifeDays: { type: ['integer', 'null'], minimum: 1, maximum: 3650 },
  },
} as const;

/** MAX_UPLOAD_BYTES bounds a whole upload: the largest document and room for its form fields. */
const MAX_UPLOAD_BYTES = MAX_DOCUMENT_BYTES + 64 * 1024;

/**
 * readUpload reads a multipart document upload: the metadata fields and one file of at most 10 MB. The
 * body may come with a Content-Length or chunked; either way it is counted as it streams and refused at
 * MAX_UPLOAD_BYTES.
 */
async function readUpload(req: FastifyRequest): Promise<{ fields: DocumentInput; file: Buffer }> {
  if (!req.isMultipart())
    throw new AppError('UnsupportedMediaType', {
      field: 'content-type',
      reason: 'send multipart/form-data with the fields and a file',
    });
  const tooLarge = (bytes: string) =>
    new AppError('PayloadTooLarge', {
      field: '(body)',
      reason: `is ${bytes} bytes; an upload is at most ${MAX_UPLOAD_BYTES}`,
    });
  // @fastify/busboy (3.2.6) never finishes a body in which a part it skips (one with no form-data
  // Content-Disposition) outgrows the part stream's high-water mark: the request would hang for good.
  // So the body is bounded, and the high-water mark is set above the bound: a declared length is
  // checked at once, and every body, declared or chunked, is counted as it arrives.
  const header = req.headers['content-length'];
  if (header !== undefined && Number(header) > MAX_UPLOAD_BYTES) throw tooLarge(header);
  const raw = req.raw;
  let seen = 0;
  let onData: (chunk: Buffer) => void = () => {};
  const overLimit = new Promise<never>((_, reject) => {
    onData = (chunk) => {
      seen += chunk.length;
      if (seen <= MAX_UPLOAD_BYTES) return;
      // Cut the parser off (it must never hold more than the bound) and drop what still comes, so that a
      // client busy sending reads the answer rather than a reset; one that sends on and on past another
      // MAX_UPLOAD_BYTES is cut off.
      raw.off('data', onData);
      raw.unpipe();
      let dropped = 0;
      raw.on('data', (c: Buffer) => {
        dropped += c.length;
        if (dropped > MAX_UPLOAD_BYTES) raw.destroy();
      });
      raw.resume();
      reject(tooLarge(`over ${MAX_UPLOAD_BYTES}`));
    };
  });
  // readParts pipes the body into the parser before returning its promise; counting starts in the same
  // tick, so it sees every chunk the parser sees.
  const reading = readParts(req);
  raw.on('data', onData);
  // Once the limit is hit the parser is cut off and never finishes; its outcome no longer matters.
  reading.catch(() => {});
  try {
    return await Promise.race([reading, overLimit]);
  } finally {
    raw.off('data', onData);
  }
}

async function readParts(req: FastifyRequest): Promise<{ fields: DocumentInput; file: Buffer }> {
  const fields: Record<string, string> = {};
  let file: Buffer | undefined;
  try {
    const parts = req.parts({
      fileHwm: MAX_UPLOAD_BYTES + 1,
      limits: { fileSize: MAX_DOCUMENT_BYTES, files: 1, fields: 10, fieldSize: 1000 },
    });
    for await (const part of parts) {
      if (part.type === 'file') {
        const bytes = await part.toBuffer();
        if (part.file.truncated)
          throw new AppError('PayloadTooLarge', { field: 'file', reason: 'the file is over 10 MB' });
        file = bytes;
      } else fields[part.fieldname] = String(part.value);
    }
  } catch (err) {
    // The multipart parser throws plain errors for a body it cannot read (no boundary, cut short):
    // the client's mistake, not ours. Its limit errors carry their status and pass through.
    if (err instanceof AppError || typeof (err as { statusCode?: unknown }).statusCode === 'number') throw err;
    throw new AppError(
      'ValidationFailed',
      { field: '(body)', reason: `is not a readable multipart/form-data body: ${(err as Error).message}` },
      { cause: err },
    );
  }
  if (!file) throw invalid('file', 'is required');
  for (const f of ['kind', 'number', 'issuer', 'issuedOn']) if (!fields[f]) throw invalid(f, 'is required');
  return { fields: fields as unknown as DocumentInput, file };
}

/** lotRoutes serves declarations, documents and carton codes. */
export async function lotRoutes(app: Api, deps: Deps) {
  const tags = ['lots'];
  const id = (req: { params: { id: string } }) => req.params.id;

  app.post(
    '/v1/lots',
    {
      schema: {
        response: { 201: postLots201 },
        tags,
        summary: 'Declare an inbound batch (首站赋码); returns the lot with its trace code',
        security: secured,
        headers: idempotencyHeader,
        body: declaration,
      },
    },
    async (req, reply) => {
      const r = await declareLot(deps, requireActor(req), req.body, idempotencyOf(req));
      return reply.status(201).send({ ...r.lot, logIndex: r.logIndex });
    },
  );
  app.get(
    '/v1/lots',
    {
      schema: {
        response: { 200: getLots200 },
        tags,
        summary: 'List lots you may see',
        security: secured,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            ...pageQuery,
            region: regionCode,
            status: { type: 'string', enum: ['green', 'yellow', 'red'] },
            producerId: { type: 'string' },
            containerNo: { type: 'string' },
            declarationNo: { type: 'string' },
          },
        },
      },
    },
    async (req) => listLots(deps, requireActor(req), req.query),
  );
  app.get(
    '/v1/lots/:id',
    {
      schema: {
        response: { 200: getLotsById200 },
        tags,
        summary: 'Read a lot with its status and reasons',
        security: secured,
        params: idParam,
      },
    },
    async (req) => getLot(deps, requireActor(req), id(req)),
  );

  app.post(
    '/v1/lots/:id/documents',
    {
      schema: {
        response: { 201: postLotsByIdDocuments201 },
        tags,
        summary: 'Attach a document (multipart: kind, number, issuer, issuedOn, file ≤ 10 MB, PDF/PNG/JPEG)',
        security: secured,
        params: idParam,
        consumes: ['multipart/form-data'],
        description: `kind is one of ${REQUIRED_DOCUMENTS.join(', ')}`,
      },
    },
    async (req, reply) => {
      const actor = requireActor(req);
      const { fields, file } = await readUpload(req);
      const r = await attachDocument(deps, actor, id(req), fields, file);
      return reply.status(201).send({ ...r.document, lotStatus: r.lot.status, logIndex: r.logIndex });
    },
  );
  app.get(
    '/v1/lots/:id/documents',
    {
      schema: {
        response: { 200: getLotsByIdDocuments200 },
        tags,
        summary: "A lot's documents",
        security: secured,
        params: idParam,
        querystring: pageOnly,
      },
    },
    async (req) => pageList(await listDocuments(deps, requireActor(req), id(req)), req.query.limit, req.query.cursor),
  );
  app.get(
    '/v1/documents/:id/file',
    {
      schema: {
        tags,
        summary: "A document's file",
        security: secured,
        params: idParam,
        response: { 200: content('The file as uploaded', 'application/pdf', 'image/png', 'image/jpeg') },
      },
    },
    async (req, reply) => {
      const f = await documentFile(deps, requireActor(req), id(req));
      return reply.header('content-type', f.mediaType).header('x-content-sha256', f.document.sha256).send(f.bytes);
    },
  );

  app.post(
    '/v1/lots/:id/cartons',
    {
      schema: {
        response: { 201: postLotsByIdCartons201 },
        tags,
        summary: 'Give cartons serial codes under the lot (all remaining by default)',
        security: secured,
        params: idParam,
        headers: idempotencyHeader,
        body: {
          type: 'object',
          additionalProperties: false,
          properties: { count: { type: 'integer', minimum: 1, maximum: 100000 } },
        },
      },
    },
    async (req, reply) => {
      return reply
        .status(201)
        .send(await issueCartonCodes(deps, requireActor(req), id(req), req.body?.count, idempotencyOf(req)));
    },
  );
  app.get(
    '/v1/lots/:id/cartons',
    {
      schema: {
        response: { 200: getLotsByIdCartons200 },
        tags,
        summary: "A lot's carton codes",
        security: secured,
        params: idParam,
        querystring: pageOnly,
      },
    },
    async (req) => pageList(await cartonCodes(deps, requireActor(req), id(req)), req.query.limit, req.query.cursor),
  );
}
