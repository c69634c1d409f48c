/**
 * ErrorCode is every error the product can give. Codes are stable PascalCase words that clients may
 * branch on; src/http/errors.ts is the only place they become HTTP statuses.
 */
export type ErrorCode =
  | 'ValidationFailed'
  | 'MalformedJson'
  | 'PayloadTooLarge'
  | 'UnsupportedMediaType'
  | 'NotAcceptable'
  | 'Unauthenticated'
  | 'TooManyAttempts'
  | 'RateLimited'
  | 'Forbidden'
  | 'NotFound'
  | 'PartyNotFound'
  | 'TokenNotFound'
  | 'LocationNotFound'
  | 'VehicleNotFound'
  | 'WorkerNotFound'
  | 'ProducerNotFound'
  | 'LotNotFound'
  | 'DocumentNotFound'
  | 'BookingNotFound'
  | 'SampleNotFound'
  | 'IncidentNotFound'
  | 'IncidentOutstanding'
  | 'AlertNotFound'
  | 'WebhookNotFound'
  | 'PeerNotFound'
  | 'AlreadyAcknowledged'
  | 'ProducerSuspended'
  | 'LotNotReady'
  | 'InvalidFile'
  | 'Conflict'
  | 'LotBlocked'
  | 'NotYetWitnessed'
  | 'PlatformUnavailable'
  | 'PeerForked'
  | 'InsufficientQuantity'
  | 'UnknownReference'
  | 'AlreadyExists'
  | 'IdempotencyKeyReused'
  | 'EntryTooLarge'
  | 'Unavailable'
  | 'InternalError';

/** ErrorDetails names the field (a JSON pointer into the request) and the reason, or the blocking fact. */
export type ErrorDetails = Record<string, unknown> & { field?: string; reason?: string };

/** AppError is the one error type use cases throw. It carries a code, details and an optional cause. */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly details: ErrorDetails;

  constructor(code: ErrorCode, details: ErrorDetails = {}, options?: { cause?: unknown; message?: string }) {
    super(options?.message ?? code, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.details = details;
  }
}

/** invalid is shorthand for a ValidationFailed error naming a field and the reason it was refused. */
export function invalid(field: string, reason: string, extra: Record<string, unknown> = {}): AppError {
  return new AppError('ValidationFailed', { field, reason, ...extra });
}

/** notFound is shorthand for a missing referenced resource, naming the field that referenced it. */
export function notFound(code: ErrorCode, field: string, id: string): AppError {
  return new AppError(code, { field, reason: `no such resource: ${id}`, id });
}
