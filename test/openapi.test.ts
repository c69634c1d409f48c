import { expect, it } from 'vitest';
import { api } from './support/http.ts';
import { eachDialect } from './support/test-node.ts';

eachDialect('HTTP surface', (node) => {
  it('answers /healthz with the database and log size', async () => {
    const r = await api(node().app, 'GET', '/healthz');
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ status: 'ok', database: node().kind });
    expect(r.body.logSize).toBeGreaterThanOrEqual(2);
  });

  it('generates OpenAPI 3.1 from the route schemas, and serves readable docs', async () => {
    const r = await api(node().app, 'GET', '/openapi.json');
    expect(r.status).toBe(200);
    expect(r.body.openapi).toBe('3.1.0');
    for (const path of [
      '/v1/parties',
      '/v1/parties/{id}',
      '/v1/locations',
      '/v1/vehicles',
      '/v1/workers',
      '/v1/workers/{id}/tests',
      '/v1/producers',
      '/log/checkpoint',
      '/log/proofs/inclusion',
    ]) {
      expect(Object.keys(r.body.paths)).toContain(path);
    }
    const create = r.body.paths['/v1/parties'].post;
    expect(create.requestBody.content['application/json'].schema.required).toEqual(['uscc', 'name', 'roles', 'region']);
    expect(create.security).toEqual([{ bearer: [] }]);
    expect(r.body.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    const docs = await node().app.inject({ method: 'GET', url: '/docs/' });
    expect(docs.statusCode).toBe(200);
    expect(docs.headers['content-type']).toContain('text/html');
  });

  it('answers unknown routes with the JSON error shape', async () => {
    const r = await api(node().app, 'GET', '/v1/nothing-here', { headers: { 'accept-language': 'zh-CN,zh;q=0.9' } });
    expect(r.status).toBe(404);
    expect(r.body.error).toMatchObject({ code: 'NotFound', message: '未找到。' });
  });
});
