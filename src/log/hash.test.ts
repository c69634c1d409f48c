import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { HASH_SIZE, bytesEqual, emptyRoot, isHash, leafHash, nodeHash } from './hash.ts';

const sha256 = (hex: string): string => createHash('sha256').update(Buffer.from(hex, 'hex')).digest('hex');

describe('hash', () => {
  it('emptyRoot is SHA-256 of the empty string and a fresh copy each time', () => {
    expect(emptyRoot().toString('hex')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    const a = emptyRoot();
    a.fill(0);
    expect(emptyRoot().toString('hex')).toMatch(/^e3b0/);
  });

  it('leafHash prefixes 0x00 and nodeHash prefixes 0x01', () => {
    expect(leafHash(Buffer.from('leaf-0')).toString('hex')).toBe(sha256('00' + Buffer.from('leaf-0').toString('hex')));
    const l = Buffer.alloc(32, 1);
    const r = Buffer.alloc(32, 2);
    expect(nodeHash(l, r).toString('hex')).toBe(sha256('01' + l.toString('hex') + r.toString('hex')));
    expect(leafHash(new Uint8Array()).length).toBe(HASH_SIZE);
  });

  it('matches the leaf hash of go-x-mod-vectors leaf 0', () => {
    expect(leafHash(Buffer.from('leaf-0', 'ascii')).toString('hex')).toBe(
      '305df59f9590c3c9ac63d2b2743c388e3792449078cebf7fb3dbe6471643b2b7',
    );
  });

  it('bytesEqual and isHash', () => {
    expect(bytesEqual(Buffer.from('ab'), new Uint8Array([0x61, 0x62]))).toBe(true);
    expect(bytesEqual(Buffer.from('ab'), Buffer.from('abc'))).toBe(false);
    expect(isHash(Buffer.alloc(32))).toBe(true);
    expect(isHash(Buffer.alloc(31))).toBe(false);
    expect(isHash('x'.repeat(32))).toBe(false);
  });
});

describe('nodeHash', () => {
  it('refuses inputs that are not 32 bytes rather than hashing them ambiguously', () => {
    expect(() => nodeHash(Buffer.alloc(31), Buffer.alloc(33))).toThrow(RangeError);
  });

  it('returns independent buffers across calls', () => {
    const a = nodeHash(Buffer.alloc(32, 1), Buffer.alloc(32, 2));
    const copy = Buffer.from(a);
    nodeHash(Buffer.alloc(32, 3), Buffer.alloc(32, 4));
    expect(a).toEqual(copy);
  });
});
