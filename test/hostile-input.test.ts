import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect, it } from 'vitest';
import { reasonIn } from '../src/http/reasons.ts';
import { MINIMAL_PDF, borderCast, declaration } from './support/border.ts';
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

/**
 * chunkedUpload posts a multipart body over a real socket with Transfer-Encoding: chunked (no
 * Content-Length): head, then filler bytes in 64 KiB chunks up to fillBytes, then tail. It stops sending
 * as soon as an answer arrives, and rejects if none comes within 20 s.
 */
function chunkedUpload(
  base: string,
  path: string,
  token: string,
  body: { boundary: string; head: Buffer; fillBytes: number; tail: Buffer },
): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    let answered = false;
    const timer = setTimeout(() => {
      req.destroy();
      reject(new Error('no answer within 20 s: the upload hangs'));
    }, 20_000);
    const req = request(
      new URL(path, base),
      {
        method: 'POST',
        agent: false,
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': `multipart/form-data; boundary=${body.boundary}`,
          'transfer-encoding': 'chunked',
          // As HTTP/1.1 clients do: the server answers early and keeps reading, so the answer is seen.
          connection: 'keep-alive',
        },
      },
      (res) => {
        answered = true;
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          clearTimeout(timer);
          // Answered early, the rest of the body is never sent: hang up.
          req.destroy();
          resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
        });
      },
    );
    // The server may close while we still send, once it has answered: that is expected.
    req.on('error', (err) => {
      if (!answered) {
        clearTimeout(timer);
        reject(err);
      }
    });
    const filler = Buffer.alloc(64 * 1024, 0x41);
    let left = body.fillBytes;
    const pump = () => {
      if (answered) return;
      if (left === body.fillBytes && !req.write(body.head)) return void req.once('drain', pump);
      while (left > 0 && !answered) {
        const n = Math.min(left, filler.length);
        left -= n;
        if (!req.write(filler.subarray(0, n))) return void req.once('drain', pump);
      }
      if (!answered) req.end(body.tail);
    };
    pump();
  });
}

eachDialect('uploads without a Content-Length', (node) => {
  let base = '';
  it('takes a chunked upload within the limit, and refuses one over it with 413 while it streams', async () => {
    const n = node();
    await n.app.listen({ port: 0, host: '127.0.0.1' });
    const addr = n.app.server.address() as AddressInfo;
    base = `http://127.0.0.1:${addr.port}`;
    const cast = await borderCast(n.app, n.adminToken);
    const lot = await api(n.app, 'POST', '/v1/lots', { token: cast.importer.token, body: declaration(cast) });
    const path = `/v1/lots/${lot.body.id}/documents`;
    const boundary = 'coldtraceChunked';
    const fields = Object.entries({ kind: 'nucleic_acid', number: 'NAT-9', issuer: 'CDC', issuedOn: '2026-11-19' })
      .map(([k, v]) => `--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`)
      .join('');
    const fileHead = `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.pdf"\r\nContent-Type: application/pdf\r\n\r\n`;
    const tail = Buffer.from(`\r\n--${boundary}--\r\n`);

    const small = await chunkedUpload(base, path, cast.importer.token, {
      boundary,
      head: Buffer.concat([Buffer.from(fields + fileHead), MINIMAL_PDF]),
      fillBytes: 0,
      tail,
    });
    expect(small.status, JSON.stringify(small.body)).toBe(201);
    expect(small.body).toMatchObject({ sizeBytes: MINIMAL_PDF.length, mediaType: 'application/pdf' });

    // 40 MB of file: refused once the body passes the upload limit, long before it ends.
    const big = await chunkedUpload(base, path, cast.importer.token, {
      boundary,
      head: Buffer.concat([Buffer.from(fields + fileHead), MINIMAL_PDF]),
      fillBytes: 40 * 1024 * 1024,
      tail,
    });
    expect(big.status, JSON.stringify(big.body)).toBe(413);
    expect(big.body.error).toMatchObject({ code: 'PayloadTooLarge', details: { field: expect.any(String) } });

    // A part the parser skips (no Content-Disposition) that grows past the limit: the case that hung.
    const skipped = await chunkedUpload(base, path, cast.importer.token, {
      boundary,
      head: Buffer.from(`--${boundary}\r\nContent-Type: application/octet-stream\r\n\r\n`),
      fillBytes: 40 * 1024 * 1024,
      tail,
    });
    expect(skipped.status, JSON.stringify(skipped.body)).toBe(413);
    expect(skipped.body.error).toMatchObject({ code: 'PayloadTooLarge', details: { field: '(body)' } });

    // The node still answers afterwards.
    expect((await api(n.app, 'GET', '/healthz')).status).toBe(200);
  }, 60_000);
});

eachDialect('the console’s reasons module', (node) => {
  it('serves /console/reasons.js, which gives the same Chinese reasons as the server’s table', async () => {
    const r = await node().app.inject({ method: 'GET', url: '/console/reasons.js' });
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toContain('text/javascript');
    const mod = await import(`data:text/javascript;base64,${Buffer.from(r.body).toString('base64')}`);
    for (const reason of [
      'is required',
      'must be string',
      'must be >= 0',
      'must NOT have more than 64 characters',
      'must name the record of the destroyed goods',
      'a reason nobody translated',
    ]) {
      expect(mod.reasonIn('zh', reason), reason).toBe(reasonIn('zh', reason));
      expect(mod.reasonIn('en', reason), reason).toBe(reason);
    }
    expect(mod.reasonIn('zh', 'must be >= 0')).toBe('必须大于或等于 0');
  });
});
