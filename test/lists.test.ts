import { expect, it } from 'vitest';
import { api, expectError } from './support/http.ts';
import { borderCast } from './support/border.ts';
import { buildChain, ok } from './support/chain.ts';
import { eachDialect } from './support/test-node.ts';

// API conventions: every list takes ?limit= and ?cursor= and answers { items, nextCursor }. This walks every such
// operation that /openapi.json describes, one item a page, on a node with a custody chain in it.
eachDialect('lists', (node) => {
  it('refuses nothing of the paging conventions on GET /v1/samples', async () => {
    const n = node();
    const { lab } = await borderCast(n.app, n.adminToken);
    const r = await api(n.app, 'GET', '/v1/samples?limit=1', { token: lab.token });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expectError(await api(n.app, 'GET', '/v1/samples?limit=0', { token: lab.token }), 400, 'ValidationFailed', 'limit');
    expectError(
      await api(n.app, 'GET', '/v1/samples?cursor=nonsense', { token: lab.token }),
      400,
      'ValidationFailed',
      'cursor',
    );
  });

  it('pages every list operation with limit=1, following nextCursor to the same items as one large page', async () => {
    const n = node();
    const chain = await buildChain(n);
    const { cast } = chain;
    ok(await api(n.app, 'POST', `/v1/lots/${chain.l1.id}/cartons`, { token: cast.importer.token, body: { count: 3 } }));
    ok(
      await api(n.app, 'POST', `/v1/parties/${cast.importer.id}/tokens`, { token: n.adminToken, body: { label: 'b' } }),
    );
    const hook = await api(n.app, 'POST', '/v1/webhooks', {
      token: cast.importer.token,
      body: { url: 'https://hooks.example.com/coldtrace' },
    });
    const doc = (await api(n.app, 'GET', '/openapi.json')).body;
    const lists: string[] = [];
    for (const [path, item] of Object.entries<any>(doc.paths)) {
      const props = item.get?.responses?.['200']?.content?.['application/json']?.schema?.properties;
      if (props?.items && props?.nextCursor) lists.push(path);
    }
    expect(lists).toEqual(
      expect.arrayContaining(['/v1/samples', '/v1/lots', '/v1/shipments', '/v1/lots/{id}/holdings']),
    );

    const params: Record<string, string> = {
      '/v1/webhooks/{id}/deliveries': hook.body?.id ?? 'whk_none',
      '/v1/parties/{id}/tokens': cast.importer.id,
      '/v1/workers/{id}/tests': chain.crew.driver,
    };
    const query: Record<string, string> = { '/v1/temperature-readings': `subjectKind=lot&subjectId=${chain.l1.id}&` };
    const tokens = [
      n.adminToken,
      cast.customs.token,
      cast.lab.token,
      cast.importer.token,
      chain.wholesaler.token,
      chain.coldStore.token,
      cast.warehouse.token,
    ];
    const walked: Record<string, number> = {};
    for (const path of lists) {
      const url = path.replace('{id}', params[path] ?? chain.l1.id);
      const base = `${url}?${query[path] ?? ''}`;
      // the token that sees the most, or the first that may list at all
      let token: string | undefined;
      let all: unknown[] = [];
      for (const t of tokens) {
        const r = await api(n.app, 'GET', `${base}limit=500`, { token: t });
        if (r.status === 200 && (token === undefined || r.body.items.length > all.length)) {
          token = t;
          all = r.body.items;
        }
      }
      expect(token, `${path}: no token may list it`).toBeDefined();
      const seen: unknown[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const r = await api(n.app, 'GET', `${base}limit=1${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, {
          token,
        });
        expect(r.status, `${path}: ${JSON.stringify(r.body)}`).toBe(200);
        expect(r.body.items.length, path).toBeLessThanOrEqual(1);
        seen.push(...r.body.items);
        cursor = r.body.nextCursor;
        expect(++pages, `${path} pages`).toBeLessThan(200);
      } while (cursor !== null);
      expect(seen, path).toEqual(all);
      walked[path] = all.length;
    }
    // the chain gives most lists more than one item, so following the cursor is really exercised
    const multi = Object.entries(walked).filter(([, count]) => count > 1);
    expect(multi.length, JSON.stringify(walked)).toBeGreaterThanOrEqual(10);
  });
});
