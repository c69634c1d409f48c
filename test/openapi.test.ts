import SwaggerParser from '@apidevtools/swagger-parser';
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

  it('serves an OpenAPI document that validates', async () => {
    const r = await api(node().app, 'GET', '/openapi.json');
    await expect(SwaggerParser.validate(structuredClone(r.body))).resolves.toBeTruthy();
  });

  it('describes the replies of every operation: a success reply with its schema or media types, and the error shape', async () => {
    const doc = (await api(node().app, 'GET', '/openapi.json')).body;
    const METHODS = ['get', 'post', 'put', 'patch', 'delete', 'options'];
    const missing: string[] = [];
    let operations = 0;
    for (const [path, item] of Object.entries<Record<string, any>>(doc.paths)) {
      for (const [method, op] of Object.entries<any>(item)) {
        if (!METHODS.includes(method)) continue;
        operations++;
        const where = `${method.toUpperCase()} ${path}`;
        const responses: Record<string, any> = op.responses ?? {};
        const success = Object.keys(responses).filter((s) => /^[23]/.test(s));
        if (success.length === 0) missing.push(`${where}: no success reply`);
        for (const status of success) {
          const content = responses[status].content;
          // 204 and redirects have no body; every other success reply names its media types, each with a schema
          if (status === '204' || status.startsWith('3')) continue;
          if (!content || Object.keys(content).length === 0) missing.push(`${where} ${status}: no content`);
          for (const [type, media] of Object.entries<any>(content ?? {}))
            if (!media.schema) missing.push(`${where} ${status} ${type}: no schema`);
        }
        // (a route that produces HTML lists its media type there, but its errors are the same JSON)
        const errors = Object.values<any>(responses['4XX']?.content ?? {})[0]?.schema;
        if (!errors?.properties?.error) missing.push(`${where}: no 4XX error shape`);
      }
    }
    expect(operations).toBeGreaterThan(100);
    expect(missing).toEqual([]);
    // a JSON reply is described field by field, with no room for fields the schema does not name
    const lot = doc.paths['/v1/lots/{id}'].get.responses['200'].content['application/json'].schema;
    expect(lot.additionalProperties).toBe(false);
    expect(lot.required).toEqual(expect.arrayContaining(['id', 'code', 'status', 'logIndex']));
  });

  it('answers unknown routes with the JSON error shape', async () => {
    const r = await api(node().app, 'GET', '/v1/nothing-here', { headers: { 'accept-language': 'zh-CN,zh;q=0.9' } });
    expect(r.status).toBe(404);
    expect(r.body.error).toMatchObject({ code: 'NotFound', message: '未找到。' });
  });
});
