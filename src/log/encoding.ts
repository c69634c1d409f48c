/**
 * decodeBase64 decodes standard base64 (RFC 4648 §4, with padding) strictly, returning undefined for anything that is
 * not the canonical encoding of some bytes. Node's own decoder skips stray characters; signatures and roots must not.
 */
export function decodeBase64(text: string): Buffer | undefined {
  if (text.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(text)) return undefined;
  const bytes = Buffer.from(text, 'base64');
  // Rejects non-zero padding bits, which would let two strings decode to the same bytes.
  return bytes.toString('base64') === text ? bytes : undefined;
}

/** encodeBase64 encodes bytes as standard padded base64. */
export function encodeBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('base64');
}

/**
 * parseDecimal parses a canonical ASCII decimal (no sign, no leading zeroes unless it is "0") no greater than
 * Number.MAX_SAFE_INTEGER, returning undefined otherwise.
 */
export function parseDecimal(text: string): number | undefined {
  if (!/^(0|[1-9][0-9]{0,15})$/.test(text)) return undefined;
  const value = Number(text);
  return Number.isSafeInteger(value) ? value : undefined;
}

/** isWellFormed reports whether `text` has no lone UTF-16 surrogates, so that it encodes to UTF-8 without loss. */
export function isWellFormed(text: string): boolean {
  return !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(text);
}
