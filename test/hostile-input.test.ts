import { expect, it } from 'vitest';
import { api, expectError } from './support/http.ts';
import { eachDialect } from './support/test-node.ts';

/** deep is a JSON text of an object nested n levels deep: {"a":{"a":…{}…}}. */
const deep = (n: number) => `${'{"a":'.repeat(n)}{}${'}'.repeat(n)}`;

eachDialect('hostile input', (node) => {
  it('refuses a body nested 5,000 levels deep on every operation that takes one, with a JSON 4xx', async () => {
    const spec = (await api(node().app, 'GET', '/openapi.json')).body;
    const ops: { method: 'POST' | 'PUT' | 'PATCH'; url: string }[] = [];
    for (const [path, item] of Object.entries<Record<string, unknown>>(spec.paths))
      for (const method of ['post', 'put', 'patch'] as const)
        if (item[method]) ops.push({ method: method.toUpperCase() as 'POST', url: path.replace(/\{[^}]+\}/g, 'x1') });
    expect(ops.length).toBeGreaterThan(30);
    for (const body of [deep(5000), `[${'['.repeat(5000)}${']'.repeat(5000)}]`]) {
      for (const op of ops) {
        for (const type of ['application/json', 'application/ld+json']) {
          const r = await api(node().app, op.method, op.url, {
            token: node().adminToken,
            raw: body,
            headers: { 'content-type': type },
          });
          const what = `${op.method} ${op.url} (${type}): ${r.status} ${JSON.stringify(r.body)}`;
          expect(r.status, what).toBeGreaterThanOrEqual(400);
          expect(r.status, what).toBeLessThan(500);
          expect(r.body?.error?.code, what).toEqual(expect.any(String));
        }
      }
    }
    // The JSON routes name the reason.
    const r = await api(node().app, 'POST', '/v1/parties', { token: node().adminToken, raw: deep(5000) });
    expectError(r, 400, 'ValidationFailed', '(body)');
    expect(r.body.error.details.reason).toMatch(/32 levels/);
  });

  it('still takes ordinary nesting, and brackets inside strings do not count', async () => {
    const r = await api(node().app, 'POST', '/v1/parties', {
      token: node().adminToken,
      body: { uscc: '', name: { en: '{'.repeat(100) + '['.repeat(100) }, roles: ['importer'], region: '410000' },
    });
    // Refused for its code, not for its depth.
    expectError(r, 400, 'ValidationFailed');
    expect(r.body.error.details.field).not.toBe('(body)');
  });

  it('answers 413 with the JSON error for a body over the limit', async () => {
    const big = JSON.stringify({ name: { en: 'x'.repeat(2 * 1024 * 1024) } });
    const r = await api(node().app, 'POST', '/v1/parties', { token: node().adminToken, raw: big });
    expectError(r, 413, 'PayloadTooLarge', '(body)');
  });
});

eachDialect('a newcomer at the front door', (node) => {
  it('leads / and /console/ to the console, keeping ?lang', async () => {
    for (const [url, to] of [
      ['/', '/console'],
      ['/console/', '/console'],
      ['/?lang=en', '/console?lang=en'],
      ['/console/?lang=en', '/console?lang=en'],
    ] as const) {
      const r = await node().app.inject({ method: 'GET', url });
      expect({ url, status: r.statusCode, location: r.headers.location }).toEqual({ url, status: 302, location: to });
    }
    const page = await node().app.inject({ method: 'GET', url: '/console' });
    expect(page.statusCode).toBe(200);
    expect((await node().app.inject({ method: 'GET', url: '/console/nothing.js' })).statusCode).toBe(404);
  });

  it('tells a well-formed but unknown token apart from a malformed header', async () => {
    for (const token of ['ct_wrong', 'ct_0123456789abcdefghijklmnopqrstuvwxyzABCDEFG']) {
      const r = await api(node().app, 'GET', '/v1/me', { headers: { authorization: `Bearer ${token}` } });
      expectError(r, 401, 'Unauthenticated', 'authorization');
      expect(r.body.error.details.reason).toBe('unknown or revoked token');
    }
    for (const header of ['Basic dXNlcjpwYXNz', 'Bearer', 'Bearer two words', 'ct_0123456789abcdef']) {
      const r = await api(node().app, 'GET', '/v1/me', { headers: { authorization: header } });
      expectError(r, 401, 'Unauthenticated', 'authorization');
      expect(r.body.error.details.reason).toBe('expected "Bearer <token>"');
    }
  });
});
