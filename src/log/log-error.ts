/**
 * LogErrorCode names every way untrusted log data (notes, checkpoints, keys, tile paths, entry bundles) can be refused.
 * The use-case layer maps these onto the product's own error codes; nothing here knows about HTTP.
 */
export type LogErrorCode =
  | 'MalformedNote'
  | 'UnverifiedNote'
  | 'InvalidSignature'
  | 'MalformedKey'
  | 'MalformedCheckpoint'
  | 'MalformedTilePath'
  | 'MalformedEntryBundle'
  | 'EntryTooLarge'
  | 'MalformedTile'
  | 'MalformedProof'
  | 'ProofFailed'
  | 'MalformedWitnessRequest'
  | 'MalformedPolicy'
  | 'QuorumNotMet';

/** LogError is the one error type the log library throws for bad input. `code` is stable; the message is for people. */
export class LogError extends Error {
  readonly code: LogErrorCode;

  constructor(code: LogErrorCode, message: string, options?: { cause?: unknown }) {
    super(`${code}: ${message}`, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'LogError';
    this.code = code;
  }
}

/** isLogError reports whether `err` is a LogError, optionally with the given code. */
export function isLogError(err: unknown, code?: LogErrorCode): err is LogError {
  return err instanceof LogError && (code === undefined || err.code === code);
}
