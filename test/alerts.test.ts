import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createServer as createNetServer } from 'node:net';
import { beforeAll, describe, expect, it } from 'vitest';
import type { AlertRecord } from '../src/app/recall/alerts.ts';
import { alertsPart, chunkAlerts, queueDeliveries } from '../src/app/recall/alerts.ts';
import { deliverDue, startDeliverer } from '../src/app/recall/deliverer.ts';
import { createWebhook } from '../src/app/recall/webhooks.ts';
import { authenticate } from '../src/app/registry/tokens.ts';
import type { Deps } from '../src/app/deps.ts';
import { MAX_ENTRY_BYTES, decodeEntry, encodeEntry } from '../src/app/write/entry.ts';
import { openNode } from '../src/app/write/node.ts';
import { verifyDatabase } from '../src/app/audit/verify.ts';
import { verifySignature } from '../src/domain/webhook.ts';
import { buildApp } from '../src/http/app.ts';
import { parseVerifierKey } from '../src/log/note-key.ts';
import { readEntries } from '../src/store/log-store.ts';
import type { Reply } from './support/http.ts';
import { addParty, api, expectError } from './support/http.ts';
import type { TestNode } from './support/test-node.ts';
import { eachDialect } from './support/test-node.ts';

// ---- a webhook receiver: a real HTTP server answering from a script ----

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}

/** Receiver is a local endpoint; each request takes the next answer of the script (the last one repeats). */
interface Receiver {
  url: string;
  requests: Received[];
  close(): Promise<void>;
}

async function receiver(script: (number | 'hang')[]): Promise<Receiver> {
  const requests: Received[] = [];
  const hung: ServerResponse[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      requests.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      const answer = script[Math.min(requests.length - 1, script.length - 1)]!;
      if (answer === 'hang') hung.push(res);
      else res.writeHead(answer, { 'content-type': 'text/plain' }).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks/coldtrace`,
    requests,
    close: async () => {
      for (const res of hung) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

// ---- helpers ----

async function verified(n: TestNode) {
  await n.checkpoint();
  const v = await verifyDatabase(n.deps.db, n.deps.log.origin, [parseVerifierKey(n.deps.log.signer.verifierKey)]);
  expect(v.problem).toBeUndefined();
  expect(v.ok).toBe(true);
}

async function entryAt(n: TestNode, index: number) {
  const [row] = await readEntries(n.deps.db, index, index + 1);
  return decodeEntry(row!.data);
}

const notice = (n: TestNode, token: string, to: Record<string, unknown>, title = '关于冷链食品自查的通知') =>
  api(n.app, 'POST', '/v1/notices', {
    token,
    body: {
      title: { zh: title, en: 'Notice: check your cold-chain stock' },
      text: { zh: '请立即自查库存并报告。', en: 'Check your stock now and report.' },
      severity: 'warning',
      ...to,
    },
  });

const inbox = async (n: TestNode, token: string, query = ''): Promise<any[]> => {
  const r = await api(n.app, 'GET', `/v1/alerts${query}`, { token });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body.items;
};

const deliveries = async (n: TestNode, token: string, webhookId: string): Promise<any[]> => {
  const r = await api(n.app, 'GET', `/v1/webhooks/${webhookId}/deliveries`, { token });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body.items;
};

function ok(r: Reply): any {
  expect(r.status, JSON.stringify(r.body)).toBeGreaterThanOrEqual(200);
  expect(r.status, JSON.stringify(r.body)).toBeLessThan(300);
  return r.body;
}

describe('alert chunks', () => {
  it('split a large audience into entries that each fit, in order', () => {
    const text = '请立即封存'.repeat(400);
    const alerts = alertsPart(
      0,
      Array.from({ length: 40 }, (_, i) => ({
        partyId: `pty_${i}`,
        kind: 'notice' as const,
        severity: 'info' as const,
        title: { zh: '通知', en: null },
        body: { text },
      })),
    );
    const record = { notice: { text } };
    const chunks = chunkAlerts(alerts, Buffer.byteLength(JSON.stringify(record)));
    expect(chunks.length).toBeGreaterThan(2);
    expect(chunks.flat()).toEqual(alerts);
    for (const [i, alertsOf] of chunks.entries()) {
      const rec: Record<string, unknown> =
        i === 0
          ? { ...record, alerts: alertsOf }
          : { cause: { type: 'notice.sent', logIndex: 123456 }, alerts: alertsOf };
      const bytes = encodeEntry({
        v: 1,
        type: i === 0 ? 'notice.sent' : 'alerts.raised',
        party: 'pty_01JD3XXXXXXXXXXXXXXXXXXXXX',
        time: Date.now(),
        record: rec,
      });
      expect(bytes.length).toBeLessThanOrEqual(MAX_ENTRY_BYTES);
    }
    // Each later chunk is full: the next alert would not have fitted.
    const size = (a: AlertRecord[]) => Buffer.byteLength(JSON.stringify(a));
    expect(size([...chunks[1]!, chunks[2]![0]!])).toBeGreaterThan(MAX_ENTRY_BYTES - 1024);
  });
});

eachDialect(
  'alerts, notices and webhooks',
  (node) => {
    let regulator: { id: string; token: string };
    let customs: { id: string; token: string };
    let store: { id: string; token: string };
    let wholesaler: { id: string; token: string };
    let retailer: { id: string; token: string };
    let farRetailer: { id: string; token: string };
    let importer: { id: string; token: string };

    beforeAll(async () => {
      const { app, adminToken } = node();
      regulator = await addParty(app, adminToken, ['regulator'], '410000');
      customs = await addParty(app, adminToken, ['customs'], '410000');
      store = await addParty(app, adminToken, ['cold_store'], '410000');
      wholesaler = await addParty(app, adminToken, ['wholesaler'], '410000');
      retailer = await addParty(app, adminToken, ['retailer'], '410000');
      farRetailer = await addParty(app, adminToken, ['retailer'], '320000');
      importer = await addParty(app, adminToken, ['importer'], '410000');
    });

    it('delivers a notice to each addressee’s inbox and no one else’s, within the sender’s region', async () => {
      const n = node();
      const sent = ok(await notice(n, regulator.token, { partyIds: [store.id, wholesaler.id] }));
      expect(sent.recipients.map((r: { partyId: string }) => r.partyId).sort()).toEqual(
        [store.id, wholesaler.id].sort(),
      );
      const [a] = await inbox(n, store.token);
      expect(a).toMatchObject({
        id: sent.recipients.find((r: { partyId: string }) => r.partyId === store.id).alertId,
        partyId: store.id,
        kind: 'notice',
        severity: 'warning',
        title: { zh: '关于冷链食品自查的通知', en: 'Notice: check your cold-chain stock' },
        body: {
          noticeId: sent.id,
          from: regulator.id,
          text: { zh: '请立即自查库存并报告。', en: 'Check your stock now and report.' },
        },
        acknowledgedAt: null,
        logIndex: sent.logIndex,
      });
      expect(await inbox(n, wholesaler.token)).toHaveLength(1);
      expect(await inbox(n, retailer.token)).toHaveLength(0);
      expect((await entryAt(n, sent.logIndex)).type).toBe('notice.sent');
      expectError(
        await api(n.app, 'GET', `/v1/alerts/${a.id}`, { token: wholesaler.token }),
        404,
        'AlertNotFound',
        'id',
      );
      expect(ok(await api(n.app, 'GET', `/v1/alerts/${a.id}`, { token: store.token })).id).toBe(a.id);

      // By role: every retailer in the sender's province; the national level may address every province.
      ok(await notice(n, customs.token, { roles: ['retailer'] }, '海关通知'));
      expect((await inbox(n, retailer.token)).map((x) => x.title.zh)).toEqual(['海关通知']);
      expect(await inbox(n, farRetailer.token)).toHaveLength(0);
      ok(await notice(n, n.adminToken, { roles: ['retailer'], region: null }, '全国通知'));
      expect((await inbox(n, farRetailer.token)).map((x) => x.title.zh)).toEqual(['全国通知']);
      expect((await inbox(n, retailer.token)).map((x) => x.title.zh)).toEqual(['全国通知', '海关通知']);

      expectError(
        await notice(n, regulator.token, { partyIds: [farRetailer.id] }),
        422,
        'UnknownReference',
        'partyIds.0',
      );
      expectError(
        await notice(n, regulator.token, { roles: ['retailer'], region: '320000' }),
        400,
        'ValidationFailed',
        'region',
      );
      expectError(await notice(n, regulator.token, {}), 400, 'ValidationFailed', 'partyIds');
      expectError(
        await notice(n, regulator.token, { partyIds: [store.id], roles: ['retailer'] }),
        400,
        'ValidationFailed',
        'partyIds',
      );
      expectError(await notice(n, regulator.token, { roles: ['auditor'] }), 422, 'UnknownReference', 'roles');
      expectError(
        await api(n.app, 'POST', '/v1/notices', {
          token: regulator.token,
          body: { title: { zh: ' ' }, text: { en: 'x' }, partyIds: [store.id] },
        }),
        400,
        'ValidationFailed',
        'title',
      );
      expectError(await notice(n, importer.token, { partyIds: [store.id] }), 403, 'Forbidden');
      await verified(n);
    });

    it('splits a notice to a large audience over several entries, all in one transaction', async () => {
      const n = node();
      const long = { zh: '请立即封存并报告库存。'.repeat(180), en: 'Seal your stock and report it now. '.repeat(55) };
      const to = [store.id, wholesaler.id, retailer.id, regulator.id, customs.id, importer.id, n.adminId];
      const r = ok(
        await api(n.app, 'POST', '/v1/notices', {
          token: n.adminToken,
          body: { title: { zh: '长通知' }, text: long, partyIds: [...to, ...to] },
        }),
      );
      expect(r.recipients).toHaveLength(to.length);
      const first = await entryAt(n, r.logIndex);
      const next = await entryAt(n, r.logIndex + 1);
      expect(first.type).toBe('notice.sent');
      expect(next).toMatchObject({
        type: 'alerts.raised',
        record: { cause: { type: 'notice.sent', logIndex: r.logIndex } },
      });
      for (const p of [store, wholesaler, retailer])
        expect((await inbox(n, p.token))[0].body.text).toEqual({ zh: long.zh, en: long.en.trim() });
      await verified(n);
    });

    it('acknowledges an alert once, in the log, and filters what is still unacknowledged', async () => {
      const n = node();
      const sent = ok(await notice(n, regulator.token, { partyIds: [store.id] }, '待确认'));
      const alertId = sent.recipients[0].alertId;
      const unacked = (await inbox(n, store.token, '?unacknowledged=true')).length;
      expectError(
        await api(n.app, 'POST', `/v1/alerts/${alertId}/ack`, { token: wholesaler.token, body: {} }),
        404,
        'AlertNotFound',
      );
      const ack = ok(
        await api(n.app, 'POST', `/v1/alerts/${alertId}/ack`, { token: store.token, body: { note: '已封存 20 箱' } }),
      );
      expect(ack).toMatchObject({
        id: alertId,
        acknowledgedBy: store.id,
        ackNote: '已封存 20 箱',
        acknowledgedAt: new Date(n.clock.now()).toISOString(),
      });
      expect(ack.logIndex).toBeGreaterThan(sent.logIndex);
      const entry = await entryAt(n, ack.logIndex);
      expect(entry).toMatchObject({
        type: 'alert.acknowledged',
        party: store.id,
        record: { alertAck: { alertId, note: '已封存 20 箱' } },
      });
      const again = await api(n.app, 'POST', `/v1/alerts/${alertId}/ack`, { token: store.token });
      expectError(again, 409, 'AlreadyAcknowledged');
      expect(again.body.error.details.acknowledgedBy).toBe(store.id);
      expect(await inbox(n, store.token, '?unacknowledged=true')).toHaveLength(unacked - 1);
      // Without a body: acknowledged without a note.
      const other = ok(await notice(n, regulator.token, { partyIds: [store.id] }, '再确认')).recipients[0].alertId;
      expect(ok(await api(n.app, 'POST', `/v1/alerts/${other}/ack`, { token: store.token })).ackNote).toBeNull();

      // Paging, newest first.
      const all = await inbox(n, store.token);
      const p1 = ok(await api(n.app, 'GET', '/v1/alerts?limit=1', { token: store.token }));
      expect(p1.items.map((a: { id: string }) => a.id)).toEqual([all[0].id]);
      const p2 = ok(await api(n.app, 'GET', `/v1/alerts?limit=1&cursor=${p1.nextCursor}`, { token: store.token }));
      expect(p2.items.map((a: { id: string }) => a.id)).toEqual([all[1].id]);
      await verified(n);
    });

    it('signs each webhook delivery, retries after a 500 and a timeout with backoff, and logs every attempt', async () => {
      const n = node();
      const rx = await receiver([500, 'hang', 204]);
      const deliverer = startDeliverer(n.deps, { intervalMs: 3_600_000, timeoutMs: 300, random: () => 0.5 });
      try {
        expectError(
          await api(n.app, 'POST', '/v1/webhooks', {
            token: wholesaler.token,
            body: { url: 'http://hooks.example.com/x' },
          }),
          400,
          'ValidationFailed',
          'url',
        );
        const hook = ok(
          await api(n.app, 'POST', '/v1/webhooks', {
            token: wholesaler.token,
            body: { url: rx.url, kinds: ['notice'] },
          }),
        );
        expect(hook.secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
        const listed = ok(await api(n.app, 'GET', '/v1/webhooks', { token: wholesaler.token }));
        expect(JSON.stringify(listed)).not.toContain(hook.secret);
        expect(listed.items.map((h: { id: string }) => h.id)).toContain(hook.id);
        // The log holds a commitment to the secret, never the secret.
        const created = await entryAt(n, hook.logIndex);
        expect(created).toMatchObject({
          type: 'webhook.created',
          record: {
            url: rx.url,
            kinds: ['notice'],
            secretSha256: createHash('sha256').update(hook.secret).digest('hex'),
          },
        });
        expect(JSON.stringify(created)).not.toContain(hook.secret);
        expectError(await api(n.app, 'GET', `/v1/webhooks/${hook.id}`, { token: store.token }), 404, 'WebhookNotFound');

        const sent = ok(await notice(n, regulator.token, { partyIds: [wholesaler.id] }, '签名测试'));
        const alertId = sent.recipients[0].alertId;
        const t0 = n.clock.now();
        expect(await deliverer.tick()).toBe(1);
        expect(rx.requests).toHaveLength(1);
        expect(await deliverer.tick()).toBe(0);
        n.clock.advance(9_999);
        expect(await deliverer.tick()).toBe(0);
        n.clock.advance(1);
        expect(await deliverer.tick()).toBe(1);
        expect(rx.requests).toHaveLength(2);
        n.clock.advance(30_000);
        expect(await deliverer.tick()).toBe(1);
        expect(rx.requests).toHaveLength(3);
        n.clock.advance(3_600_000);
        expect(await deliverer.tick()).toBe(0);

        const ids = new Set<string>();
        for (const req of rx.requests) {
          expect(req.headers['content-type']).toBe('application/json');
          expect(req.headers['coldtrace-webhook-id']).toBe(hook.id);
          const ts = Number(req.headers['coldtrace-timestamp']);
          expect(
            verifySignature(
              hook.secret,
              String(req.headers['coldtrace-signature']),
              ts,
              req.body,
              Math.floor(n.clock.now() / 1000),
              3_700,
            ),
          ).toBe(true);
          expect(verifySignature('whsec_wrong', String(req.headers['coldtrace-signature']), ts, req.body, ts)).toBe(
            false,
          );
          expect(JSON.parse(req.body)).toMatchObject({
            type: 'alert',
            webhookId: hook.id,
            alert: { id: alertId, kind: 'notice', title: { zh: '签名测试' } },
          });
          ids.add(String(req.headers['coldtrace-delivery-id']));
        }
        expect(ids.size).toBe(1);
        expect(Number(rx.requests[1]!.headers['coldtrace-timestamp'])).toBe(Math.floor((t0 + 10_000) / 1000));

        const [d] = await deliveries(n, wholesaler.token, hook.id);
        expect(d).toMatchObject({
          id: [...ids][0],
          alertId,
          status: 'delivered',
          attemptCount: 3,
          nextAttemptAt: null,
        });
        expect(d.attempts).toEqual([
          expect.objectContaining({
            attempt: 1,
            at: new Date(t0).toISOString(),
            httpStatus: 500,
            error: null,
            nextRetryAt: new Date(t0 + 10_000).toISOString(),
          }),
          expect.objectContaining({
            attempt: 2,
            at: new Date(t0 + 10_000).toISOString(),
            httpStatus: null,
            error: 'timed out after 300 ms',
            nextRetryAt: new Date(t0 + 40_000).toISOString(),
          }),
          expect.objectContaining({
            attempt: 3,
            at: new Date(t0 + 40_000).toISOString(),
            httpStatus: 204,
            error: null,
            nextRetryAt: null,
          }),
        ]);
        expect(d.attempts[1].durationMs).toBeGreaterThanOrEqual(250);

        // A kind the webhook did not subscribe to is not queued for it (checked in a transaction rolled back after).
        const raised = alertsPart(
          n.clock.now(),
          (['incident.opened', 'notice'] as const).map((kind) => ({
            partyId: wholesaler.id,
            kind,
            severity: 'critical' as const,
            title: { zh: '事件', en: null },
            body: {},
          })),
        );
        const queued = await n.deps.db
          .transaction()
          .execute(async (trx) => {
            await trx
              .insertInto('alerts')
              .values(raised.map((a) => ({ ...a, body: '{}', logIndex: 0 })))
              .execute();
            await queueDeliveries(trx, raised, n.clock.now());
            const rows = await trx
              .selectFrom('alertDeliveries')
              .select('alertId')
              .where(
                'alertId',
                'in',
                raised.map((a) => a.id),
              )
              .execute();
            throw Object.assign(new Error('roll back'), { rows });
          })
          .catch((e: { rows?: { alertId: string }[] }) => e.rows?.map((r) => r.alertId));
        expect(queued).toEqual([raised[1]!.id]);
      } finally {
        await deliverer.stop();
        await rx.close();
      }
      await verified(n);
    });

    it('disables a webhook that answers 410 Gone, cancelling what was queued for it', async () => {
      const n = node();
      const rx = await receiver([410]);
      try {
        const hook = ok(await api(n.app, 'POST', '/v1/webhooks', { token: retailer.token, body: { url: rx.url } }));
        ok(await notice(n, regulator.token, { partyIds: [retailer.id] }, '一'));
        ok(await notice(n, regulator.token, { partyIds: [retailer.id] }, '二'));
        // One at a time, so the second is still queued when the first meets the 410.
        expect(await deliverDue(n.deps, { batch: 1 })).toBe(1);
        const h = ok(await api(n.app, 'GET', `/v1/webhooks/${hook.id}`, { token: retailer.token }));
        expect(h).toMatchObject({ disabledReason: 'gone', disabledAt: new Date(n.clock.now()).toISOString() });
        expect((await entryAt(n, h.logIndex)).type).toBe('webhook.disabled');
        expect((await deliveries(n, retailer.token, hook.id)).map((d) => d.status).sort()).toEqual([
          'cancelled',
          'failed',
        ]);
        n.clock.advance(3_600_000);
        expect(await deliverDue(n.deps)).toBe(0);
        ok(await notice(n, regulator.token, { partyIds: [retailer.id] }, '三'));
        expect(await deliverDue(n.deps)).toBe(0);
        expect(rx.requests).toHaveLength(1);
        expect(await deliveries(n, retailer.token, hook.id)).toHaveLength(2);

        // DELETE disables too, and is a log entry.
        const other = ok(await api(n.app, 'POST', '/v1/webhooks', { token: retailer.token, body: { url: rx.url } }));
        const del = ok(await api(n.app, 'DELETE', `/v1/webhooks/${other.id}`, { token: retailer.token }));
        expect(del).toMatchObject({ id: other.id, disabledReason: 'deleted' });
        expect((await entryAt(n, del.logIndex)).type).toBe('webhook.disabled');
        expectError(
          await api(n.app, 'DELETE', `/v1/webhooks/${other.id}`, { token: store.token }),
          404,
          'WebhookNotFound',
        );
      } finally {
        await rx.close();
      }
      await verified(n);
    });

    it('loses no delivery when the deliverer stops, or when a process dies mid-attempt, and never delivers twice from two processes', async () => {
      const n = node();
      const rx = await receiver([200]);
      let second: Deps | undefined;
      try {
        const hook = ok(await api(n.app, 'POST', '/v1/webhooks', { token: importer.token, body: { url: rx.url } }));
        const first = startDeliverer(n.deps, { intervalMs: 3_600_000 });
        await first.stop();
        for (let i = 0; i < 3; i++) ok(await notice(n, regulator.token, { partyIds: [importer.id] }, `停机 ${i}`));
        const restarted = startDeliverer(n.deps, { intervalMs: 3_600_000 });
        expect(await restarted.tick()).toBe(3);
        await restarted.stop();
        expect(rx.requests).toHaveLength(3);

        // A process claimed a delivery and died before recording the attempt: it is due again once the lease ends.
        ok(await notice(n, regulator.token, { partyIds: [importer.id] }, '中断'));
        await n.deps.db
          .updateTable('alertDeliveries')
          .set({ claim: 'a-process-that-died', nextAt: n.clock.now() + 60_000, attempts: 1 })
          .where('status', '=', 'pending')
          .execute();
        expect(await deliverDue(n.deps)).toBe(0);
        n.clock.advance(60_000);
        expect(await deliverDue(n.deps)).toBe(1);
        expect(rx.requests).toHaveLength(4);
        const statuses = (await deliveries(n, importer.token, hook.id)).map((d) => [d.status, d.attemptCount]);
        expect(statuses).toContainEqual(['delivered', 2]);

        // Two processes on one database take turns at the same queue: each delivery is sent once.
        second = await openNode({
          dataDir: n.dataDir,
          databaseUrl: n.databaseUrl,
          publicUrl: 'http://ct.test',
          clock: n.clock,
        });
        for (let i = 0; i < 12; i++) ok(await notice(n, regulator.token, { partyIds: [importer.id] }, `并发 ${i}`));
        let sent = 0;
        for (let round = 0; round < 10; round++) {
          const counts = await Promise.all([
            deliverDue(n.deps, { batch: 4 }),
            deliverDue(second, { batch: 4 }),
            deliverDue(n.deps, { batch: 4 }),
          ]);
          sent += counts.reduce((a, b) => a + b, 0);
        }
        expect(sent).toBe(12);
        const ids = rx.requests.map((r) => r.headers['coldtrace-delivery-id']);
        expect(ids).toHaveLength(16);
        expect(new Set(ids).size).toBe(16);
        expect((await deliveries(n, importer.token, hook.id)).every((d) => d.status === 'delivered')).toBe(true);
      } finally {
        await second?.dialect.close();
        await rx.close();
      }
      await verified(n);
    });

    it('streams new alerts as server-sent events over a real socket, and replays those after Last-Event-ID', async () => {
      const n = node();
      const base = await n.app.listen({ port: 0, host: '127.0.0.1' });
      const s1 = await stream(base, store.token);
      expect(s1.status).toBe(200);
      expect(s1.contentType).toMatch(/^text\/event-stream/);
      const a1 = ok(
        await notice(n, regulator.token, { partyIds: [store.id, wholesaler.id] }, '实时一'),
      ).recipients.find((r: { partyId: string }) => r.partyId === store.id).alertId;
      const [e1] = await s1.take(1);
      expect(e1).toMatchObject({ id: a1, event: 'alert' });
      expect(JSON.parse(e1!.data)).toMatchObject({ id: a1, partyId: store.id, title: { zh: '实时一' } });
      s1.close();

      // Missed while disconnected: resent after the last id seen, in order, and nothing else.
      const missed = [];
      for (const t of ['错过二', '错过三'])
        missed.push(ok(await notice(n, regulator.token, { partyIds: [store.id] }, t)).recipients[0].alertId);
      ok(await notice(n, regulator.token, { partyIds: [wholesaler.id] }, '别人的'));
      const s2 = await stream(base, store.token, a1);
      const replayed = await s2.take(2);
      expect(replayed.map((e) => e.id)).toEqual(missed);
      const a4 = ok(await notice(n, regulator.token, { partyIds: [store.id] }, '实时四')).recipients[0].alertId;
      expect((await s2.take(1))[0]!.id).toBe(a4);
      s2.close();

      const bad = await fetch(`${base}/v1/alerts/stream`, {
        headers: { authorization: `Bearer ${wholesaler.token}`, 'last-event-id': a1 },
      });
      expect(bad.status).toBe(400);
      expect(((await bad.json()) as any).error).toMatchObject({
        code: 'ValidationFailed',
        details: { field: 'Last-Event-ID' },
      });
      expect((await fetch(`${base}/v1/alerts/stream`)).status).toBe(401);
      await verified(n);
    });

    it('documents its routes in OpenAPI, with the stream as text/event-stream', async () => {
      const doc = ok(await api(node().app, 'GET', '/openapi.json'));
      for (const [path, method] of [
        ['/v1/alerts', 'get'],
        ['/v1/alerts/{id}', 'get'],
        ['/v1/alerts/{id}/ack', 'post'],
        ['/v1/alerts/stream', 'get'],
        ['/v1/notices', 'post'],
        ['/v1/webhooks', 'post'],
        ['/v1/webhooks/{id}', 'delete'],
        ['/v1/webhooks/{id}/deliveries', 'get'],
      ] as const) {
        const op = doc.paths[path]?.[method];
        expect(op, `${method} ${path}`).toBeDefined();
        expect(op.summary).toBeTruthy();
        expect(op.security).toEqual([{ bearer: [] }]);
      }
      expect(Object.keys(doc.paths['/v1/alerts/stream'].get.responses['200'].content)).toEqual(['text/event-stream']);
    });

    it('refuses webhooks to loopback, link-local, private and reserved addresses, literal or by name', async () => {
      const n = node();
      for (const url of [
        'https://127.0.0.1/x',
        'https://127.1.2.3:8443/x',
        'https://0x7f.1/x',
        'https://2130706433/x',
        'https://10.1.2.3/x',
        'https://172.20.0.1/x',
        'https://192.168.1.10/x',
        'https://169.254.169.254/latest/meta-data/',
        'https://100.64.0.1/x',
        'https://0.0.0.0/x',
        'https://[::1]/x',
        'https://[::]/x',
        'https://[fc00::1]/x',
        'https://[fd12:3456::1]/x',
        'https://[fe80::1]/x',
        'https://[::ffff:127.0.0.1]/x',
        'https://[::ffff:a9fe:a9fe]/x',
        'https://[64:ff9b::a00:1]/x',
        'https://localhost/x',
        'https://localhost./x',
        'https://hooks.localhost/x',
        // Plain http is for this machine only, and even then only under the development setting.
        'http://10.0.0.1/x',
      ]) {
        const r = await api(n.app, 'POST', '/v1/webhooks', { token: wholesaler.token, body: { url } });
        expectError(r, 400, 'ValidationFailed', 'url');
      }
      // Public addresses and names are taken.
      for (const url of ['https://8.8.8.8/x', 'https://[2606:4700::1111]/x']) {
        const r = await api(n.app, 'POST', '/v1/webhooks', { token: wholesaler.token, body: { url } });
        expect(r.status, `${url}: ${JSON.stringify(r.body)}`).toBe(201);
        await api(n.app, 'DELETE', `/v1/webhooks/${r.body.id}`, { token: wholesaler.token });
      }
      // A name that resolves to a forbidden address is refused; every address of the name counts.
      const actor = (await authenticate(n.deps, wholesaler.token))!;
      for (const addresses of [
        [{ address: '127.0.0.1', family: 4 }],
        [
          { address: '93.184.215.14', family: 4 },
          { address: '10.0.0.7', family: 4 },
        ],
        [{ address: '::ffff:169.254.169.254', family: 6 }],
      ]) {
        const refused = createWebhook(
          n.deps,
          actor,
          { url: 'https://hooks.coldtrace.test/x' },
          false,
          undefined,
          async () => addresses,
        );
        await expect(refused).rejects.toMatchObject({ code: 'ValidationFailed', details: { field: 'url' } });
      }
    });

    it('checks the addresses again at delivery, after resolving, and never connects to a forbidden one', async () => {
      const n = node();
      // A listener on this machine that the webhook's name will come to resolve to.
      const connections: number[] = [];
      const trap = createNetServer((s) => {
        connections.push(1);
        s.destroy();
      });
      await new Promise<void>((ok) => trap.listen(0, '127.0.0.1', ok));
      const port = (trap.address() as AddressInfo).port;
      try {
        // At registration the name does not resolve (or resolves to a public address): admitted.
        const hook = ok(
          await api(n.app, 'POST', '/v1/webhooks', {
            token: retailer.token,
            body: { url: `https://rebind.coldtrace.test:${port}/hook` },
          }),
        );
        ok(await notice(n, regulator.token, { partyIds: [retailer.id] }, '重绑定'));
        // By delivery, it resolves to loopback (DNS rebinding).
        const rebound = async () => [{ address: '127.0.0.1', family: 4 }];
        expect(await deliverDue(n.deps, { resolve: rebound, random: () => 0.5, batch: 100 })).toBeGreaterThanOrEqual(1);
        const [d] = await deliveries(n, retailer.token, hook.id);
        expect(d.attempts).toEqual([
          expect.objectContaining({
            attempt: 1,
            httpStatus: null,
            error: expect.stringMatching(/^refused: rebind\.coldtrace\.test is or resolves to 127\.0\.0\.1/),
          }),
        ]);
        expect(d.status).toBe('pending');
        expect(connections).toEqual([]);
        await api(n.app, 'DELETE', `/v1/webhooks/${hook.id}`, { token: retailer.token });
      } finally {
        await new Promise((ok) => trap.close(ok));
      }
    });

    it('ends open streams when the server closes', async () => {
      const n = node();
      const app = await buildApp(n.deps);
      const base = await app.listen({ port: 0, host: '127.0.0.1' });
      const s = await stream(base, store.token);
      const closing = app.close();
      await expect(s.ended).resolves.toBe(true);
      await closing;
    });
  },
  { allowHttpWebhooks: true },
);

interface SseEvent {
  id: string | null;
  event: string | null;
  data: string;
}

/** stream opens GET /v1/alerts/stream with fetch, as a browser console would, and parses its events. */
async function stream(base: string, token: string, lastEventId?: string) {
  const ac = new AbortController();
  const res = await fetch(`${base}/v1/alerts/stream`, {
    headers: { authorization: `Bearer ${token}`, ...(lastEventId ? { 'last-event-id': lastEventId } : {}) },
    signal: ac.signal,
  });
  const events: SseEvent[] = [];
  let wake = () => {};
  const ended = (async () => {
    const decoder = new TextDecoder();
    let buf = '';
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        buf += decoder.decode(chunk, { stream: true });
        let end: number;
        while ((end = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, end);
          buf = buf.slice(end + 2);
          const e: SseEvent = { id: null, event: null, data: '' };
          for (const line of block.split('\n')) {
            if (line.startsWith('id: ')) e.id = line.slice(4);
            else if (line.startsWith('event: ')) e.event = line.slice(7);
            else if (line.startsWith('data: ')) e.data += line.slice(6);
          }
          if (e.event) events.push(e);
          wake();
        }
      }
      return true;
    } catch {
      return ac.signal.aborted;
    }
  })();
  let taken = 0;
  return {
    status: res.status,
    contentType: res.headers.get('content-type') ?? '',
    ended,
    /** take waits (up to 5 s) for the next count events. */
    take: async (count: number): Promise<SseEvent[]> => {
      const deadline = Date.now() + 5000;
      while (events.length < taken + count) {
        if (Date.now() > deadline) throw new Error(`expected ${count} more events, got ${events.length - taken}`);
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, 50);
        });
      }
      const got = events.slice(taken, taken + count);
      taken += count;
      return got;
    },
    close: () => ac.abort(),
  };
}
