import { expect, it } from 'vitest';
import { addParty, api, expectError, uscc } from './support/http.ts';
import { eachDialect } from './support/test-node.ts';

eachDialect('parties and tokens', (node) => {
  it('registers a party, shows it, and lists it with paging', async () => {
    const { app, adminToken } = node();
    const made = await api(app, 'POST', '/v1/parties', {
      token: adminToken,
      body: {
        uscc: uscc(),
        name: { zh: '郑州冷链有限公司', en: 'Zhengzhou Cold Chain Co.' },
        roles: ['cold_store', 'wholesaler'],
        region: '410000',
      },
    });
    expect(made.status).toBe(201);
    expect(made.body).toMatchObject({ roles: ['cold_store', 'wholesaler'], region: '410000', level: null });
    expect(made.body.id).toMatch(/^pty_/);
    expect(made.body.logIndex).toBeTypeOf('number');
    const got = await api(app, 'GET', `/v1/parties/${made.body.id}`, { token: adminToken });
    expect(got.body.name).toEqual({ zh: '郑州冷链有限公司', en: 'Zhengzhou Cold Chain Co.' });

    for (let i = 0; i < 3; i++) await addParty(app, adminToken, ['retailer'], '320000');
    const page1 = await api(app, 'GET', '/v1/parties?region=320000&limit=2', { token: adminToken });
    expect(page1.body.items).toHaveLength(2);
    const page2 = await api(app, 'GET', `/v1/parties?region=320000&limit=2&cursor=${page1.body.nextCursor}`, {
      token: adminToken,
    });
    expect(page2.body.items).toHaveLength(1);
    expect(page2.body.nextCursor).toBeNull();
    const ids = [...page1.body.items, ...page2.body.items].map((p: { id: string }) => p.id);
    expect(new Set(ids).size).toBe(3);
    const byRole = await api(app, 'GET', '/v1/parties?role=retailer', { token: adminToken });
    expect(byRole.body.items.every((p: { roles: string[] }) => p.roles.includes('retailer'))).toBe(true);
  });

  it('refuses a duplicate code with 409 naming the field', async () => {
    const { app, adminToken } = node();
    const code = uscc();
    const body = { uscc: code, name: { en: 'Dup' }, roles: ['importer'], region: '410000' };
    expect((await api(app, 'POST', '/v1/parties', { token: adminToken, body })).status).toBe(201);
    expectError(await api(app, 'POST', '/v1/parties', { token: adminToken, body }), 409, 'AlreadyExists', 'uscc');
  });

  it('shows a token once, authenticates with it, and refuses it once revoked', async () => {
    const { app, adminToken } = node();
    const p = await addParty(app, adminToken, ['importer']);
    const me = await api(app, 'GET', '/v1/me', { token: p.token });
    expect(me.body.id).toBe(p.id);
    const list = await api(app, 'GET', `/v1/parties/${p.id}/tokens`, { token: p.token });
    expect(list.body.items).toHaveLength(1);
    expect(JSON.stringify(list.body)).not.toContain(p.token);
    const tokId = list.body.items[0].id;
    const revoked = await api(app, 'DELETE', `/v1/tokens/${tokId}`, { token: p.token });
    expect(revoked.status).toBe(200);
    expect(revoked.body.revokedAt).not.toBeNull();
    expectError(await api(app, 'GET', '/v1/me', { token: p.token }), 401, 'Unauthenticated', 'authorization');
  });

  it('returns the first answer to a retried create with the same Idempotency-Key', async () => {
    const { app, adminToken } = node();
    const body = { uscc: uscc(), name: { en: 'Retry Co' }, roles: ['importer'], region: '410000' };
    const headers = { 'idempotency-key': 'scan-42' };
    const a = await api(app, 'POST', '/v1/parties', { token: adminToken, body, headers });
    const b = await api(app, 'POST', '/v1/parties', { token: adminToken, body, headers });
    expect(a.status).toBe(201);
    expect(b.status).toBe(201);
    expect(b.body).toEqual(a.body);
    const other = { ...body, uscc: uscc() };
    expectError(
      await api(app, 'POST', '/v1/parties', { token: adminToken, body: other, headers }),
      422,
      'IdempotencyKeyReused',
      'Idempotency-Key',
    );
  });

  it('lets a regulator update a party, and logs the change', async () => {
    const { app, adminToken } = node();
    const p = await addParty(app, adminToken, ['importer']);
    const before = await api(app, 'GET', `/v1/parties/${p.id}`, { token: adminToken });
    const r = await api(app, 'PATCH', `/v1/parties/${p.id}`, {
      token: adminToken,
      body: { roles: ['importer', 'cold_store'] },
    });
    expect(r.status).toBe(200);
    expect(r.body.roles).toEqual(['cold_store', 'importer']);
    expect(r.body.logIndex).toBeGreaterThan(before.body.logIndex);
    expectError(
      await api(app, 'PATCH', `/v1/parties/${p.id}`, { token: adminToken, body: { uscc: uscc() } }),
      400,
      'ValidationFailed',
      'uscc',
    );
  });
});
