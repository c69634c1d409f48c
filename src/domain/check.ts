/**
 * The outcome of validating untrusted input. On success `value` is the normalised value the caller should store; on
 * failure `reason` is a short English phrase (such as 'must be 18 characters') that the HTTP layer reports beside the
 * name of the offending field.
 */
export type Check<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly reason: string };

/** ok wraps a valid, normalised value. */
export function ok<T>(value: T): Check<T> {
  return { ok: true, value };
}

/** fail reports why input is invalid; `reason` is a short English phrase without the field name. */
export function fail<T = never>(reason: string): Check<T> {
  return { ok: false, reason };
}
