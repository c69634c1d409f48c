import { describe, expect, it } from 'vitest';
import {
  JITTER,
  MAX_ATTEMPTS,
  RETRY_SCHEDULE_MS,
  hmacHex,
  isLoopbackAddress,
  isPublicAddress,
  nextStep,
  retryDelay,
  signatureHeader,
  verifySignature,
  webhookUrlProblem,
} from './webhook.ts';

describe('webhook signatures', () => {
  it('computes HMAC-SHA256 as RFC 4231 test case 2 says', () => {
    expect(hmacHex('Jefe', 'what do ya want for nothing?')).toBe(
      '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
    );
  });

  it('signs timestamp "." body with the secret, as `openssl dgst -sha256 -hmac` computes it', () => {
    // printf '%s' '1767225600.{"a":1}' | openssl dgst -sha256 -hmac 'whsec_test'
    expect(signatureHeader('whsec_test', 1767225600, '{"a":1}')).toBe(
      'v1=6d204545ff126a339c00513d93603299c984074ce1331c3537c3f6c976b49019',
    );
  });

  it('verifies a good signature, and refuses a changed body, timestamp or secret, and an old timestamp', () => {
    const sig = signatureHeader('whsec_k', 1000, '{"x":"冷链"}');
    expect(verifySignature('whsec_k', sig, 1000, '{"x":"冷链"}', 1100)).toBe(true);
    expect(verifySignature('whsec_k', `v1=${'0'.repeat(64)}, ${sig}`, 1000, '{"x":"冷链"}', 1000)).toBe(true);
    expect(verifySignature('whsec_k', sig, 1000, '{"x":"冷链 "}', 1000)).toBe(false);
    expect(verifySignature('whsec_k', sig, 1001, '{"x":"冷链"}', 1001)).toBe(false);
    expect(verifySignature('whsec_j', sig, 1000, '{"x":"冷链"}', 1000)).toBe(false);
    expect(verifySignature('whsec_k', sig, 1000, '{"x":"冷链"}', 1000 + 301)).toBe(false);
    expect(verifySignature('whsec_k', 'v1=zz', 1000, '{"x":"冷链"}', 1000)).toBe(false);
  });
});

describe('webhook retries', () => {
  it('waits 10 s, 30 s, 2 min, 10 min, 1 h … before each retry, within the jitter, then gives up', () => {
    expect(RETRY_SCHEDULE_MS.slice(0, 5)).toEqual([10_000, 30_000, 120_000, 600_000, 3_600_000]);
    for (const [i, base] of RETRY_SCHEDULE_MS.entries()) {
      expect(retryDelay(i + 1, 0.5)).toBe(base);
      expect(retryDelay(i + 1, 0)).toBe(Math.round(base * (1 - JITTER)));
      expect(retryDelay(i + 1, 0.999999)).toBeLessThanOrEqual(Math.round(base * (1 + JITTER)));
    }
    expect(retryDelay(MAX_ATTEMPTS - 1, 0.5)).not.toBeNull();
    expect(retryDelay(MAX_ATTEMPTS, 0.5)).toBeNull();
    expect(() => retryDelay(0, 0.5)).toThrow(RangeError);
  });

  it('delivers on 2xx, disables on 410, and retries anything else until the attempts run out', () => {
    expect(nextStep({ status: 204 }, 1, 0.5)).toEqual({ kind: 'delivered' });
    expect(nextStep({ status: 410 }, 1, 0.5)).toEqual({ kind: 'gone' });
    expect(nextStep({ status: 500 }, 1, 0.5)).toEqual({ kind: 'retry', afterMs: 10_000 });
    expect(nextStep({ status: 301 }, 2, 0.5)).toEqual({ kind: 'retry', afterMs: 30_000 });
    expect(nextStep({ error: 'timed out' }, 3, 0.5)).toEqual({ kind: 'retry', afterMs: 120_000 });
    expect(nextStep({ status: 503 }, MAX_ATTEMPTS, 0.5)).toEqual({ kind: 'failed' });
  });
});

describe('webhook URLs', () => {
  it('takes https anywhere, and http only to this machine when allowed', () => {
    expect(webhookUrlProblem('https://hooks.example.com/coldtrace?src=1', false)).toBeNull();
    expect(webhookUrlProblem('http://hooks.example.com/x', false)).toMatch(/https/);
    expect(webhookUrlProblem('http://127.0.0.1:9000/x', false)).toMatch(/https/);
    expect(webhookUrlProblem('http://127.0.0.1:9000/x', true)).toBeNull();
    expect(webhookUrlProblem('http://localhost/x', true)).toBeNull();
    expect(webhookUrlProblem('http://[::1]:8080/x', true)).toBeNull();
    expect(webhookUrlProblem('http://10.0.0.1/x', true)).toMatch(/localhost/);
    expect(webhookUrlProblem('ftp://example.com/x', true)).toMatch(/https/);
    expect(webhookUrlProblem('https://user:pw@example.com/', false)).toMatch(/password/);
    expect(webhookUrlProblem('https://example.com/#x', false)).toMatch(/fragment/);
    expect(webhookUrlProblem('/relative', false)).toMatch(/absolute/);
  });

  it('refuses an https host that is a non-public address or a name for this machine', () => {
    for (const url of ['https://127.0.0.1/', 'https://[::1]/', 'https://169.254.169.254/', 'https://localhost/'])
      expect(webhookUrlProblem(url, true), url).toMatch(/loopback, link-local/);
  });
});

describe('isPublicAddress', () => {
  it('refuses loopback, link-local, private, unique-local and reserved addresses, IPv4-mapped ones too', () => {
    for (const ip of [
      '127.0.0.1',
      '10.255.0.1',
      '172.16.0.1',
      '172.31.255.255',
      '192.168.0.1',
      '169.254.169.254',
      '100.64.0.1',
      '0.0.0.0',
      '224.0.0.1',
      '255.255.255.255',
      '192.0.2.1',
      '::1',
      '::',
      'fc00::1',
      'fdff::1',
      'fe80::1',
      'ff02::1',
      '::ffff:127.0.0.1',
      '::ffff:a9fe:a9fe',
      '[::ffff:10.0.0.1]',
      '2001:db8::1',
      '64:ff9b::7f00:1',
      '2002:7f00:1::',
      'not-an-ip',
    ])
      expect(isPublicAddress(ip), ip).toBe(false);
    for (const ip of ['8.8.8.8', '172.32.0.1', '93.184.215.14', '2606:4700::1111', '[2a00:1450::1]', '::ffff:8.8.8.8'])
      expect(isPublicAddress(ip), ip).toBe(true);
  });

  it('knows this machine', () => {
    expect(isLoopbackAddress('127.0.0.1')).toBe(true);
    expect(isLoopbackAddress('127.9.9.9')).toBe(true);
    expect(isLoopbackAddress('::1')).toBe(true);
    expect(isLoopbackAddress('::ffff:127.0.0.1')).toBe(true);
    expect(isLoopbackAddress('10.0.0.1')).toBe(false);
  });
});
