import { expect, it } from 'vitest';
import { parseVerifierKey } from '../src/log/note-key.ts';
import { verifyDatabase } from '../src/app/audit/verify.ts';
import { formatTraceCode } from '../src/domain/trace-code.ts';
import { reasonText } from '../src/domain/lot-status.ts';
import type { Reason } from '../src/domain/lot-status.ts';
import { addParty, api } from './support/http.ts';
import { result } from './support/border.ts';
import { buildChain, ok } from './support/chain.ts';
import type { Chain } from './support/chain.ts';
import { eachDialect } from './support/test-node.ts';
import type { TestNode } from './support/test-node.ts';

// A derived lot's status follows its parents': when L1 turns red or is cleared again, R (repacked from L1 and L2)
// and G (repacked from R) follow in the same write, each naming the lot it was made from.

type Lot = { status: string; statusReasons: Reason[] };

const now = (n: TestNode) => new Date(n.clock.now()).toISOString();
const lot = async (n: TestNode, id: string): Promise<Lot> =>
  ok(await api(n.app, 'GET', `/v1/lots/${id}`, { token: n.adminToken }), 'lot') as Lot;
const codes = (l: Lot) => l.statusReasons.map((r) => r.code);
const parentReason = (l: Lot) => l.statusReasons.find((r) => r.code === 'parent_red');

/** grandchild has W repack 40 kg of R into G. */
async function grandchild(n: TestNode, c: Chain) {
  const t = ok(
    await api(n.app, 'POST', '/v1/transformations', {
      token: c.wholesaler.token,
      body: {
        kind: 'repack',
        locationId: c.wholesaler.locationId,
        at: now(n),
        inputs: [{ lotId: c.r.id, locationId: c.wholesaler.locationId, quantity: { kg: 40, cartons: 4 } }],
        outputs: [{ quantity: { kg: 40, cartons: 8 } }],
      },
    }),
    'repack R',
  );
  return (t.outputs as { lotId: string; code: string }[])[0]!;
}

async function verified(n: TestNode) {
  await n.checkpoint();
  const v = await verifyDatabase(n.deps.db, n.deps.log.origin, [parseVerifierKey(n.deps.log.signer.verifierKey)]);
  expect(v.problem).toBeUndefined();
}

eachDialect('lot family', (node) => {
  it('turns children and grandchildren red, naming the parent, when the parent tests positive', async () => {
    const n = node();
    const c = await buildChain(n);
    const g = await grandchild(n, c);
    expect((await lot(n, g.lotId)).status).toBe('green');

    const regJS = await addParty(n.app, n.adminToken, ['regulator'], '320000', { level: 'provincial' });
    const s = ok(
      await api(n.app, 'POST', `/v1/lots/${c.l1.id}/market-samples`, {
        token: regJS.token,
        body: { point: 'outer_pack', labPartyId: c.cast.lab.id, takenAt: now(n), heldBy: c.coldStore.id },
      }),
      'market sample',
    );
    ok(
      await api(n.app, 'POST', `/v1/samples/${s.id}/result`, { token: c.cast.lab.token, body: result(n, 'positive') }),
      'result',
    );

    expect((await lot(n, c.l1.id)).status).toBe('red');
    const r = await lot(n, c.r.id);
    const gl = await lot(n, g.lotId);
    expect(r.status).toBe('red');
    expect(gl.status).toBe('red');
    expect(parentReason(r)).toEqual({ code: 'parent_red', params: { lotCode: c.l1.code } });
    expect(parentReason(gl)).toEqual({ code: 'parent_red', params: { lotCode: c.r.code } });
    expect(reasonText(parentReason(r)!, 'en')).toBe(
      `It was made from lot ${formatTraceCode(c.l1.code)}, which is blocked (red).`,
    );
    expect(reasonText(parentReason(gl)!, 'zh')).toBe(
      `由批次 ${formatTraceCode(c.r.code)} 加工而来，该批次为红码（已阻断）`,
    );
    // L2, R's other parent, is not touched by L1's result.
    expect((await lot(n, c.l2.id)).status).toBe('green');
    await verified(n);
  });

  it('clears children and grandchildren when the parent is cleared, unless they have reasons of their own', async () => {
    const n = node();
    const c = await buildChain(n);
    const g = await grandchild(n, c);
    const g2 = await grandchild(n, c);

    const first = ok(
      await api(n.app, 'POST', '/v1/incidents', {
        token: n.adminToken,
        body: { trigger: { kind: 'lot', lotIds: [c.l1.id] } },
      }),
      'incident on L1',
    );
    for (const id of [c.l1.id, c.r.id, g.lotId, g2.lotId]) expect((await lot(n, id)).status).toBe('red');
    // Frozen in the same incident as its parent, R also names the parent, whose patch came in the same entry.
    expect(codes(await lot(n, c.r.id))).toEqual(['open_incident', 'parent_red']);
    expect(parentReason(await lot(n, g.lotId))).toEqual({ code: 'parent_red', params: { lotCode: c.r.code } });

    // G2 gets a reason of its own: a market sample whose result is not in yet.
    const regZJ = await addParty(n.app, n.adminToken, ['regulator'], '330000', { level: 'provincial' });
    ok(
      await api(n.app, 'POST', `/v1/lots/${g2.lotId}/market-samples`, {
        token: regZJ.token,
        body: { point: 'outer_pack', labPartyId: c.cast.lab.id, takenAt: now(n), heldBy: c.wholesaler.id },
      }),
      'market sample of G2',
    );
    ok(
      await api(n.app, 'POST', `/v1/incidents/${first.id}/close`, {
        token: n.adminToken,
        body: { reason: '排查后确认无风险' },
      }),
      'close',
    );

    for (const id of [c.l1.id, c.r.id, g.lotId]) {
      expect(await lot(n, id), id).toEqual(expect.objectContaining({ status: 'green', statusReasons: [] }));
    }
    const own = await lot(n, g2.lotId);
    expect(own.status).toBe('yellow');
    expect(codes(own)).toEqual(['sample_pending']);
    await verified(n);
  });
});
