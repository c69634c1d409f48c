import { describe, expect, it } from 'vitest';
import { decodeBase64, encodeBase64, parseDecimal } from './encoding.ts';

describe('decodeBase64', () => {
  it('decodes canonical padded base64', () => {
    expect(decodeBase64('')?.length).toBe(0);
    expect(decodeBase64('YWI=')?.toString()).toBe('ab');
    expect(decodeBase64('47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=')?.length).toBe(32);
  });

  it.each(['YWI', 'YW I=', 'YWI=\n', 'YWJ=', 'Y===', '-_8=', 'YWI=YWI='])('rejects %j', (text) => {
    expect(decodeBase64(text)).toBeUndefined();
  });

  it('round-trips', () => {
    const bytes = new Uint8Array([0, 255, 1, 254]).subarray(1);
    expect(decodeBase64(encodeBase64(bytes))).toEqual(Buffer.from([255, 1, 254]));
  });
});

describe('parseDecimal', () => {
  it('accepts canonical decimals up to 2^53 - 1', () => {
    expect(parseDecimal('0')).toBe(0);
    expect(parseDecimal('20852163')).toBe(20852163);
    expect(parseDecimal(String(Number.MAX_SAFE_INTEGER))).toBe(Number.MAX_SAFE_INTEGER);
  });

  it.each(['', '01', '-1', '+1', '1.0', ' 1', '1e3', '9007199254740992', '18446744073709551615'])('rejects %j', (t) => {
    expect(parseDecimal(t)).toBeUndefined();
  });
});
