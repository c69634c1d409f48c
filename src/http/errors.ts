import type { FastifyError, FastifyInstance } from 'fastify';
import type { ErrorCode, ErrorDetails } from '../app/errors.ts';
import { AppError } from '../app/errors.ts';
import { MESSAGES, langOf } from './messages.ts';

/** STATUS is the only place error codes become HTTP statuses. */
const STATUS: Readonly<Record<ErrorCode, number>> = {
  ValidationFailed: 400,
  MalformedJson: 400,
  PayloadTooLarge: 413,
  UnsupportedMediaType: 415,
  NotAcceptable: 406,
  Unauthenticated: 401,
  TooManyAttempts: 429,
  RateLimited: 429,
  Forbidden: 403,
  NotFound: 404,
  PeerNotFound: 404,
  PartyNotFound: 404,
  TokenNotFound: 404,
  LocationNotFound: 404,
  VehicleNotFound: 404,
  WorkerNotFound: 404,
  ProducerNotFound: 404,
  LotNotFound: 404,
  DocumentNotFound: 404,
  BookingNotFound: 404,
  SampleNotFound: 404,
  IncidentNotFound: 404,
  IncidentOutstanding: 409,
  AlertNotFound: 404,
  WebhookNotFound: 404,
  AlreadyAcknowledged: 409,
  ProducerSuspended: 409,
  LotNotReady: 409,
  InvalidFile: 415,
  Conflict: 409,
  LotBlocked: 409,
  NotYetWitnessed: 409,
  // Another platform that could not be read (app/platforms): its facts are unavailable, and it says why.
  PlatformUnavailable: 424,
  PeerForked: 409,
  InsufficientQuantity: 409,
  UnknownReference: 422,
  AlreadyExists: 409,
  IdempotencyKeyReused: 422,
  EntryTooLarge: 413,
  Unavailable: 503,
  InternalError: 500,
};

/** statusOf is the HTTP status for an error code. */
/** ERROR_CODES lists every error code, for the reply schemas that name one. */
export const ERROR_CODES = Object.keys(STATUS) as ErrorCode[];

export function statusOf(code: ErrorCode): number {
  return STATUS[code];
}

interface AjvIssue {
  instancePath?: string;
  keyword?: string;
  message?: string;
  params?: Record<string, unknown>;
}

/** fieldOf turns an Ajv issue into a dotted field name such as `name.zh` or `roles.1`. */
function fieldOf(issue: AjvIssue): string {
  const path = (issue.instancePath ?? '').split('/').filter(Boolean);
  const missing = issue.params?.missingProperty ?? issue.params?.additionalProperty;
  if (typeof missing === 'string') path.push(missing);
  return path.join('.') || '(root)';
}

function reasonOf(issue: AjvIssue): string {
  if (issue.keyword === 'required') return 'is required';
  if (issue.keyword === 'additionalProperties') return 'is not a known field';
  return issue.message ?? 'is invalid';
}

/** toAppError maps anything thrown in a request to an AppError, hiding the text of unexpected errors. */
export function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  const fe = err as FastifyError & { validation?: AjvIssue[]; validationContext?: string };
  if (fe.validation && fe.validation.length > 0) {
    const first = fe.validation[0]!;
    const details: ErrorDetails = {
      in: fe.validationContext ?? 'body',
      field: fieldOf(first),
      reason: reasonOf(first),
    };
    if (fe.validation.length > 1) {
      details.others = fe.validation.slice(1, 10).map((i) => ({ field: fieldOf(i), reason: reasonOf(i) }));
    }
    return new AppError('ValidationFailed', details);
  }
  switch (fe.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new AppError('MalformedJson', { field: '(body)', reason: fe.message });
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new AppError('PayloadTooLarge', { field: '(body)', reason: fe.message });
    case 'FST_REQ_FILE_TOO_LARGE':
      return new AppError('PayloadTooLarge', { field: 'file', reason: 'the file is over the limit of 10 MB' });
    case 'FST_FILES_LIMIT':
    case 'FST_PARTS_LIMIT':
    case 'FST_FIELDS_LIMIT':
      return new AppError('PayloadTooLarge', { field: '(body)', reason: fe.message });
    case 'FST_INVALID_MULTIPART_CONTENT_TYPE':
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new AppError('UnsupportedMediaType', { field: 'content-type', reason: fe.message });
  }
  if (err instanceof SyntaxError && fe.statusCode === 400) {
    return new AppError('MalformedJson', { field: '(body)', reason: err.message });
  }
  if (fe.statusCode === 404) return new AppError('NotFound', {});
  if (fe.statusCode === 413) return new AppError('PayloadTooLarge', { field: '(body)', reason: fe.message });
  if (fe.statusCode === 415) return new AppError('UnsupportedMediaType', { field: 'content-type', reason: fe.message });
  if (typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
    return new AppError('ValidationFailed', { reason: fe.message, field: '(request)' });
  }
  return new AppError('InternalError', {}, { cause: err });
}

/** installErrorHandler renders every error as { error: { code, message, details } } in the client's language. */
export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((err, req, reply) => {
    const e = toAppError(err);
    const status = statusOf(e.code);
    if (status >= 500) req.log.error({ err }, 'request failed');
    else req.log.info({ code: e.code, details: e.details }, 'request refused');
    const retryAfter = e.details.retryAfter;
    if (typeof retryAfter === 'number') void reply.header('retry-after', String(retryAfter));
    const details = status >= 500 ? {} : e.details;
    void reply
      .status(status)
      .send({ error: { code: e.code, message: MESSAGES[e.code][langOf(req.headers['accept-language'])], details } });
  });
  app.setNotFoundHandler((req, reply) => {
    void reply.status(404).send({
      error: {
        code: 'NotFound',
        message: MESSAGES.NotFound[langOf(req.headers['accept-language'])],
        details: { path: req.url },
      },
    });
  });
}
