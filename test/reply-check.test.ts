import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { AppError } from '../src/app/errors.ts';
import { installErrorHandler } from '../src/http/errors.ts';
import { content, errorBody, int, obj } from '../src/http/schemas.ts';
import { api } from './support/http.ts';
import { installReplyCheck } from './support/reply-check.ts';
import { eachDialect } from './support/test-node.ts';

// The reply check that every HTTP suite runs (see eachDialect) must be able to fail: here it meets replies that
// their routes do not document.
describe('reply check', () => {
  async function appWithRoutes() {
    const app = Fastify();
    installErrorHandler(app);
    app.get('/fixed', { schema: { response: { 200: obj({ a: int }), '4xx': errorBody } } }, async (req, reply) => {
      const q = req.query as Record<string, string>;
      if (q.extra) return { a: 1, b: 2 };
      if (q.status) return reply.status(201).send({ a: 1 });
      if (q.wrong) return { a: 'one' };
      if (q.fail) throw new AppError('LotNotFound', { field: 'id', reason: 'none' });
      if (q.boom) throw new Error('boom');
      return { a: 1 };
    });
    app.get('/pdf', { schema: { response: { 200: content('a PDF', 'application/pdf') } } }, async (req, reply) => {
      const q = req.query as Record<string, string>;
      return reply.header('content-type', q.csv ? 'text/csv' : 'application/pdf').send(Buffer.from('%PDF'));
    });
    const check = installReplyCheck(app);
    return { app, check };
  }

  it('passes documented replies, including errors and declared media types', async () => {
    const { app, check } = await appWithRoutes();
    expect((await app.inject('/fixed')).json()).toEqual({ a: 1 });
    expect((await app.inject('/fixed?fail=1')).statusCode).toBe(404);
    expect((await app.inject('/pdf')).statusCode).toBe(200);
    expect(check.take()).toEqual([]);
  });

  it('catches a field the schema lacks, before serialisation drops it', async () => {
    const { app, check } = await appWithRoutes();
    expect((await app.inject('/fixed?extra=1')).json()).toEqual({ a: 1 });
    expect(check.take()).toEqual([expect.stringContaining('must NOT have additional properties')]);
  });

  it('catches a wrong type, an undocumented status and an undeclared media type', async () => {
    const { app, check } = await appWithRoutes();
    await app.inject('/fixed?wrong=1');
    await app.inject('/fixed?status=1');
    await app.inject('/fixed?boom=1');
    await app.inject('/pdf?csv=1');
    const found = check.take();
    for (const expected of [
      'GET /fixed?wrong=1 200: data/a must be integer',
      'GET /fixed?status=1 201: no response schema',
      'GET /fixed?boom=1 500: no response schema',
      'GET /pdf?csv=1 200: content-type text/csv is not one of application/pdf',
    ]) {
      expect(
        found.some((f) => f.startsWith(expected)),
        `${expected} in ${found.join('\n')}`,
      ).toBe(true);
    }
  });
});

eachDialect('reply check on the real app', (node) => {
  it('checks every reply the app sends, JSON or not, success or error', async () => {
    const n = node();
    const before = n.replies.checked();
    await api(n.app, 'GET', '/healthz');
    await api(n.app, 'GET', '/v1/lots', { token: n.adminToken });
    await api(n.app, 'GET', '/v1/lots/lot_nothing', { token: n.adminToken });
    await api(n.app, 'GET', '/v1/lots');
    await api(n.app, 'GET', '/v1/nothing-here');
    await api(n.app, 'GET', '/log/vkey');
    await api(n.app, 'OPTIONS', '/epcis/capture', { token: n.adminToken });
    expect(n.replies.checked() - before).toBe(7);
    expect(n.replies.take()).toEqual([]);
  });
});
