import { describe, expect, it } from 'vitest';
import { AppError } from '../errors.ts';
import { MAX_ENTRY_BYTES, decodeEntry, encodeEntry } from './entry.ts';

describe('encodeEntry', () => {
  const base = { v: 1 as const, type: 'producer.created' as const, party: 'pty_x', time: 1 };

  it('is RFC 8785 canonical: sorted keys, no spaces, shortest numbers, escaped only as required', () => {
    const bytes = encodeEntry({ ...base, record: { z: 1.0, a: 'é\u2028', m: [3, 1e21, -0] } });
    expect(bytes.toString('utf8')).toBe(
      '{"party":"pty_x","record":{"a":"é\u2028","m":[3,1e+21,0],"z":1},"time":1,"type":"producer.created","v":1}',
    );
  });

  it('refuses an entry above 65,535 bytes with EntryTooLarge, and accepts one at the limit', () => {
    const overhead = encodeEntry({ ...base, record: { s: '' } }).length;
    const fits = encodeEntry({ ...base, record: { s: 'x'.repeat(MAX_ENTRY_BYTES - overhead) } });
    expect(fits.length).toBe(MAX_ENTRY_BYTES);
    let caught: unknown;
    try {
      encodeEntry({ ...base, record: { s: 'x'.repeat(MAX_ENTRY_BYTES - overhead + 1) } });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(AppError);
    expect((caught as AppError).code).toBe('EntryTooLarge');
  });

  it('round-trips through decodeEntry, which refuses foreign bytes', () => {
    const e = { ...base, record: { id: 'pro_1' } };
    expect(decodeEntry(encodeEntry(e))).toEqual(e);
    expect(() => decodeEntry(Buffer.from('{"v":2}'))).toThrow();
    expect(() => decodeEntry(Buffer.from('{"v":1,"type":"lot.eaten","party":null,"time":1,"record":{}}'))).toThrow();
  });
});
