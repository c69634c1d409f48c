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
