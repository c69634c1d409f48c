import {
  getSettingsTemperatureRules200,
  getTemperatureBreaches200,
  getTemperatureBreachesById200,
  getTemperatureReadings200,
  getTemperatureUploadsById200,
  postTemperatureBreachesByIdClose200,
  postTemperatureUploads201,
  putSettingsTemperatureRules200,
} from './replies.ts';
import type { Static } from 'typebox';
import { createHash } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { AppError, invalid } from '../../../app/errors.ts';
import { fingerprintOf } from '../../../app/write/commit.ts';
import type { Idempotency } from '../../../app/write/commit.ts';
import type { Deps } from '../../../app/deps.ts';
import type { ReadingsInput, Subject } from '../../../app/temperature/temperature.ts';
import { SUBJECT_KINDS, getUpload, recordReadings } from '../../../app/temperature/temperature.ts';
import { closeBreach, getBreach, listBreaches } from '../../../app/temperature/breaches.ts';
import { MAX_READINGS_PAGE, listReadings } from '../../../app/temperature/readings.ts';
import { setTemperatureRules, temperatureRulesFor } from '../../../app/temperature/rules.ts';
import type { Reading } from '../../../domain/temperature.ts';
import {
  MAX_CSV_ERRORS,
  MAX_READINGS_PER_UPLOAD,
  TEMP_CLASSES,
  parseLoggerCsvNumbered,
  seriesProblem,
} from '../../../domain/temperature.ts';
import { requireActor } from '../../auth.ts';
import { idParam, idempotencyHeader, idempotencyOf, isoTime, msOf, plain, regionCode, secured } from '../../schemas.ts';
import type { Api } from '../../schemas.ts';

/** MAX_CSV_BYTES is the largest logger file: 100,000 lines of a verbose logger fit in it. */
export const MAX_CSV_BYTES = 8 * 1024 * 1024;
const MAX_UPLOAD_BYTES = MAX_CSV_BYTES + 64 * 1024;
/** A JSON upload of MAX_READINGS_PER_UPLOAD readings with long ISO times fits in this. */
const MAX_JSON_BYTES = 8 * 1024 * 1024;

const ref = { type: 'string', minLength: 1, maxLength: 64, ...plain } as const;
const subject = {
  type: 'object',
  additionalProperties: false,
  required: ['kind', 'id'],
  properties: { kind: { type: 'string', enum: SUBJECT_KINDS }, id: ref },
} as const;
const jsonUpload = {
  type: 'object',
  additionalProperties: false,
  required: ['subject', 'readings'],
  properties: {
    subject,
    deviceId: {
      type: ['string', 'null'],
      minLength: 1,
      maxLength: 64,
      ...plain,
      description: "the logger's serial number",
    },
    readings: {
      type: 'array',
      minItems: 1,
      maxItems: MAX_READINGS_PER_UPLOAD,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['at', 'celsius'],
        properties: { at: isoTime, celsius: { type: 'number' } },
      },
    },
  },
} as const;
/**
 * csvUpload documents the multipart form. It declares no `type`, so it holds for the body Fastify leaves unparsed (the
 * multipart stream is read by readCsvUpload, which checks every field itself).
 */
const csvUpload = {
  required: ['subjectKind', 'subjectId', 'file'],
  properties: {
    subjectKind: { type: 'string', enum: SUBJECT_KINDS },
    subjectId: ref,
    deviceId: { type: 'string', maxLength: 64, description: "the logger's serial number" },
    utcOffsetMinutes: {
      type: 'integer',
      minimum: -720,
      maximum: 840,
      description: 'for local times written without an offset; 480 for China',
    },
    file: { type: 'string', format: 'binary', description: 'the CSV the logger exports (≤ 8 MB, UTF-8 or GB18030)' },
  },
} as const;
const ruleSchema = {
  type: ['object', 'null'],
  additionalProperties: false,
  required: ['maxCelsius', 'minDurationMs', 'maxGapMs'],
  properties: {
    maxCelsius: { type: 'number', description: 'out of range while warmer than this (°C)' },
    minDurationMs: { type: 'integer', description: 'an excursion is a breach when it lasts this long' },
    maxGapMs: { type: 'integer', description: 'readings further apart than this leave a gap in the data' },
  },
} as const;

/** msAt converts one reading's ISO time, refusing precision finer than the millisecond (it could not be served back exactly). */
function msAt(field: string, at: string): number {
  if (/\.\d{4,}/.test(at)) throw invalid(field, 'has more than millisecond precision');
  return msOf(field, at);
}

function decodeCsv(bytes: Buffer): string {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    // Loggers sold in China often write GB18030 (GBK); nothing else is guessed at.
    text = new TextDecoder('gb18030').decode(bytes);
  }
  if (text.includes('\u0000')) throw invalid('file', 'is not a text file (it holds NUL characters)');
  return text;
}

/**
 * readCsvUpload reads a multipart logger upload: the fields subjectKind, subjectId, deviceId (optional) and
 * utcOffsetMinutes (for local times without an offset), and one CSV file, and parses the file. A bad line is a 400
 * naming its line number; so is a reading out of order, repeated or out of range.
 */
async function readCsvUpload(req: FastifyRequest, now: number): Promise<{ input: ReadingsInput; fingerprint: string }> {
  // As for documents (see lots.ts readUpload): the parser hangs on some bodies outgrowing its high-water mark, so the
  // declared length is required and bounded, and the high-water mark set above it.
  const length = Number(req.headers['content-length']);
  if (!Number.isSafeInteger(length)) throw invalid('content-length', 'is required for an upload');
  if (length > MAX_UPLOAD_BYTES)
    throw new AppError('PayloadTooLarge', {
      field: '(body)',
      reason: `is ${length} bytes; a logger upload is at most ${MAX_UPLOAD_BYTES}`,
    });
  const fields: Record<string, string> = {};
  let file: Buffer | undefined;
  try {
    const parts = req.parts({
      fileHwm: MAX_UPLOAD_BYTES + 1,
      limits: { fileSize: MAX_CSV_BYTES, files: 1, fields: 10, fieldSize: 1000 },
    });
    for await (const part of parts) {
      if (part.type === 'file') {
        file = await part.toBuffer();
        if (part.file.truncated)
          throw new AppError('PayloadTooLarge', { field: 'file', reason: `the file is over ${MAX_CSV_BYTES} bytes` });
      } else fields[part.fieldname] = String(part.value);
    }
  } catch (err) {
    if (err instanceof AppError || typeof (err as { statusCode?: unknown }).statusCode === 'number') throw err;
    throw new AppError(
      'ValidationFailed',
      { field: '(body)', reason: `is not a readable multipart/form-data body: ${(err as Error).message}` },
      { cause: err },
    );
  }
  for (const [k, v] of Object.entries(fields)) {
    if (!['subjectKind', 'subjectId', 'deviceId', 'utcOffsetMinutes'].includes(k))
      throw invalid(k, 'is not a known field');
    if (/[\u0000\ud800-\udfff]/u.test(v)) throw invalid(k, 'contains a NUL character or an unpaired surrogate');
  }
  const kind = fields.subjectKind;
  if (!kind || !(SUBJECT_KINDS as readonly string[]).includes(kind))
    throw invalid('subjectKind', `must be one of ${SUBJECT_KINDS.join(', ')}`);
  const id = fields.subjectId?.trim();
  if (!id || id.length > 64) throw invalid('subjectId', 'must be 1 to 64 characters');
  let utcOffsetMinutes: number | undefined;
  if (fields.utcOffsetMinutes !== undefined) {
    utcOffsetMinutes = Number(fields.utcOffsetMinutes);
    if (!/^[+-]?\d{1,4}$/.test(fields.utcOffsetMinutes) || utcOffsetMinutes < -720 || utcOffsetMinutes > 840) {
      throw invalid('utcOffsetMinutes', 'must be whole minutes from -720 to 840 (480 for China)');
    }
  }
  if (!file) throw invalid('file', 'is required');
  if (file.length === 0) throw invalid('file', 'is empty');
  const parsed = parseLoggerCsvNumbered(decodeCsv(file), utcOffsetMinutes === undefined ? {} : { utcOffsetMinutes });
  if (!parsed.ok) {
    const e = parsed.errors[0]!;
    throw invalid('file', `line ${e.line}: ${e.message}`, {
      line: e.line,
      errors: parsed.errors.slice(0, MAX_CSV_ERRORS),
    });
  }
  const problem = seriesProblem(parsed.readings, now);
  if (problem) {
    const line = parsed.lines[problem.index] ?? parsed.lines[parsed.lines.length - 1] ?? 1;
    throw invalid('file', `line ${line}: the ${problem.key === 'at' ? 'time' : 'temperature'} ${problem.reason}`, {
      line,
    });
  }
  const input: ReadingsInput = {
    subject: { kind: kind as Subject['kind'], id },
    readings: parsed.readings,
    deviceId: fields.deviceId ?? null,
    source: 'csv',
  };
  const fileHash = createHash('sha256').update(file).digest('hex');
  return { input, fingerprint: fingerprintOf(req.method, req.routeOptions.url ?? req.url, { ...fields, fileHash }) };
}

/** temperatureRoutes serves temperature uploads (JSON or a data logger's CSV), their raw points, and breaches. */
export async function temperatureRoutes(app: Api, deps: Deps) {
  const tags = ['temperatures'];
  const id = (req: { params: { id: string } }) => req.params.id;

  // The body schema is per content type, which the type provider cannot read: the JSON variant's type is named here.
  app.post<{ Body: Static<typeof jsonUpload> }>(
    '/v1/temperature-uploads',
    {
      bodyLimit: MAX_JSON_BYTES,
      schema: {
        response: { 201: postTemperatureUploads201 },
        tags,
        summary:
          'Upload temperature readings of a vehicle, location or lot (JSON, or multipart with a data-logger CSV)',
        security: secured,
        headers: idempotencyHeader,
        consumes: ['application/json', 'multipart/form-data'],
        description:
          'JSON: {subject:{kind,id}, deviceId?, readings:[{at, celsius}]}, readings in time order, at most 100,000. ' +
          'Multipart: fields subjectKind, subjectId, deviceId (optional), utcOffsetMinutes (for local times, 480 for China) and file (CSV ≤ 8 MB, UTF-8 or GB18030). ' +
          'Breaches of the rule in force are detected and turn the affected lots yellow.',
        body: { content: { 'application/json': { schema: jsonUpload }, 'multipart/form-data': { schema: csvUpload } } },
      },
    },
    async (req, reply) => {
      const actor = requireActor(req);
      let input: ReadingsInput;
      let idem: Idempotency | undefined;
      if (req.isMultipart()) {
        const csv = await readCsvUpload(req, deps.clock.now());
        input = csv.input;
        const key = req.headers['idempotency-key'];
        idem = typeof key === 'string' ? { ...idempotencyOf(req)!, fingerprint: csv.fingerprint } : undefined;
      } else {
        const b = req.body;
        const readings: Reading[] = b.readings.map((r, i) => ({
          at: msAt(`readings.${i}.at`, r.at),
          celsius: r.celsius,
        }));
        input = { subject: b.subject, readings, deviceId: b.deviceId ?? null, source: 'json' };
        idem = idempotencyOf(req);
      }
      return reply.status(201).send(await recordReadings(deps, actor, input, idem));
    },
  );

  app.get(
    '/v1/temperature-uploads/:id',
    {
      schema: {
        response: { 200: getTemperatureUploadsById200 },
        tags,
        summary: 'An upload with its breaches (uploader, holders of affected lots, regulators)',
        security: secured,
        params: idParam,
      },
    },
    async (req) => getUpload(deps, requireActor(req), id(req)),
  );

  app.get(
    '/v1/temperature-readings',
    {
      schema: {
        response: { 200: getTemperatureReadings200 },
        tags,
        summary: 'Raw temperature points of a vehicle, location or lot, in time order, paged',
        security: secured,
        querystring: {
          type: 'object',
          additionalProperties: false,
          required: ['subjectKind', 'subjectId'],
          properties: {
            subjectKind: { type: 'string', enum: SUBJECT_KINDS },
            subjectId: ref,
            from: isoTime,
            to: isoTime,
            limit: {
              type: 'integer',
              minimum: 1,
              maximum: MAX_READINGS_PAGE,
              description: 'points per page (default 500)',
            },
            cursor: { type: 'string', maxLength: 200, ...plain, description: 'nextCursor from the previous page' },
          },
        },
      },
    },
    async (req) => {
      const q = req.query;
      return listReadings(deps, requireActor(req), {
        subject: { kind: q.subjectKind, id: q.subjectId },
        ...(q.from === undefined ? {} : { from: msOf('from', q.from) }),
        ...(q.to === undefined ? {} : { to: msOf('to', q.to) }),
        ...(q.limit === undefined ? {} : { limit: q.limit }),
        ...(q.cursor === undefined ? {} : { cursor: q.cursor }),
      });
    },
  );

  app.get(
    '/v1/temperature-breaches',
    {
      schema: {
        response: { 200: getTemperatureBreaches200 },
        tags,
        summary: 'Temperature breaches you may see, newest first',
        security: secured,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            lotId: ref,
            status: { type: 'string', enum: ['open', 'closed'] },
            subjectKind: { type: 'string', enum: SUBJECT_KINDS },
            subjectId: ref,
            limit: { type: 'integer', minimum: 1, maximum: 500, default: 50 },
            cursor: { type: 'string', maxLength: 200, ...plain },
          },
        },
      },
    },
    async (req) => listBreaches(deps, requireActor(req), req.query),
  );

  app.get(
    '/v1/temperature-breaches/:id',
    {
      schema: {
        response: { 200: getTemperatureBreachesById200 },
        tags,
        summary: 'A temperature breach',
        security: secured,
        params: idParam,
      },
    },
    async (req) => getBreach(deps, requireActor(req), id(req)),
  );

  app.post(
    '/v1/temperature-breaches/:id/close',
    {
      schema: {
        response: { 200: postTemperatureBreachesByIdClose200 },
        tags,
        summary:
          "Close a breach after review, with a comment (regulator, or the holder's QA token); the lots' statuses are recomputed",
        security: secured,
        params: idParam,
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['comment'],
          properties: { comment: { type: 'string', minLength: 1, maxLength: 2000 } },
        },
      },
    },
    async (req) => closeBreach(deps, requireActor(req), id(req), req.body.comment),
  );

  app.get(
    '/v1/settings/temperature-rules',
    {
      schema: {
        response: { 200: getSettingsTemperatureRules200 },
        tags: ['settings'],
        summary: 'The temperature breach rule of each temperature class in force in a region',
        security: secured,
        querystring: { type: 'object', additionalProperties: false, properties: { region: regionCode } },
      },
    },
    async (req) => {
      const actor = requireActor(req);
      const region = req.query.region ?? actor.region;
      return { region, rules: await temperatureRulesFor(deps.db, region) };
    },
  );

  app.put(
    '/v1/settings/temperature-rules',
    {
      schema: {
        response: { 200: putSettingsTemperatureRules200 },
        tags: ['settings'],
        summary: 'Set the temperature breach rules of some classes, for a region or nationally (regulator)',
        security: secured,
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['rules'],
          properties: {
            region: { ...regionCode, type: ['string', 'null'] },
            rules: {
              type: 'object',
              additionalProperties: false,
              minProperties: 1,
              properties: Object.fromEntries(TEMP_CLASSES.map((c) => [c, ruleSchema])),
            },
          },
        },
      },
    },
    async (req) => {
      const b = req.body;
      return setTemperatureRules(deps, requireActor(req), b.region ?? null, b.rules);
    },
  );
}
