import type { FastifyInstance } from 'fastify';
import { expect } from 'vitest';
import { orgCodeCheckChar, usccCheckChar } from '../../src/domain/uscc.ts';
import { residentIdCheckChar } from '../../src/domain/resident-id.ts';

/** Reply is what an API call returned: status and parsed JSON. */
export interface Reply {
  status: number;
  body: any;
  headers: Record<string, unknown>;
}

/** api calls the app through inject, as a client with token would, and parses the JSON reply. */
export async function api(
  app: FastifyInstance,
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE' | 'OPTIONS',
  url: string,
  opts: { token?: string; body?: unknown; headers?: Record<string, string>; raw?: string } = {},
): Promise<Reply> {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  if (opts.body !== undefined || opts.raw !== undefined) headers['content-type'] ??= 'application/json';
  const res = await app.inject({
    method,
    url,
    headers,
    payload: opts.raw ?? (opts.body === undefined ? undefined : JSON.stringify(opts.body)),
  });
  let body: unknown = null;
  try {
    body = res.body ? JSON.parse(res.body) : null;
  } catch {
    body = res.body;
  }
  return { status: res.statusCode, body, headers: res.headers as Record<string, unknown> };
}

/** expectError asserts a JSON error reply with status, code and (when given) the named field. */
export function expectError(r: Reply, status: number, code: string, field?: string): void {
  expect({ status: r.status, code: r.body?.error?.code }, JSON.stringify(r.body)).toEqual({ status, code });
  expect(typeof r.body.error.message).toBe('string');
  expect(r.body.error.details).toBeTypeOf('object');
  if (field !== undefined) expect(r.body.error.details.field, JSON.stringify(r.body)).toBe(field);
}

let serial = 0;

/** uscc makes a fresh valid unified social credit code for a company in region. */
export function uscc(region = '410100'): string {
  serial++;
  const body = `MA${String(serial + process.pid * 1000)
    .padStart(6, '0')
    .slice(-6)}`;
  const first17 = `91${region}${body}${orgCodeCheckChar(body)}`;
  return first17 + usccCheckChar(first17);
}

/** residentId makes a valid resident ID number for someone born on yyyymmdd in Henan. */
export function residentId(yyyymmdd = '19850612', seq = '123'): string {
  const first17 = `410102${yyyymmdd}${seq}`;
  return first17 + residentIdCheckChar(first17);
}

/** addParty registers a party through the API as the admin and returns its id and a token. */
export async function addParty(
  app: FastifyInstance,
  adminToken: string,
  roles: string[],
  region = '410000',
  extra: Record<string, unknown> = {},
): Promise<{ id: string; token: string }> {
  const p = await api(app, 'POST', '/v1/parties', {
    token: adminToken,
    body: {
      uscc: uscc(region.slice(0, 2) + '0100'),
      name: { zh: `测试${roles.join('')}`, en: `Test ${roles.join(' ')}` },
      roles,
      region,
      ...extra,
    },
  });
  expect(p.status, JSON.stringify(p.body)).toBe(201);
  const t = await api(app, 'POST', `/v1/parties/${p.body.id}/tokens`, { token: adminToken, body: { label: 'test' } });
  expect(t.status, JSON.stringify(t.body)).toBe(201);
  return { id: p.body.id, token: t.body.token };
}
