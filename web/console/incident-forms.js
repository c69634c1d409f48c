// A holder's part of an incident: each of its affected holdings, with a form to record what it did with the goods;
// and a regulator's separate act of releasing one lot, with a reason.
import { chinaNowInput, fill, fromChinaInput, h, shortId } from './dom.js';

const ACTIONS = ['sealed', 'destroyed', 'returned', 'retested_negative'];
// The roles that record actions on goods they hold (the API's incident.act).
const HOLDER_ROLES = ['importer', 'supervision_warehouse', 'cold_store', 'wholesaler', 'retailer', 'restaurant'];

/**
 * holderActions draws the signed-in party's own affected holdings in inc and, while the incident is open, a form on
 * each that still has goods to account for: POST /v1/incidents/{id}/actions, then redraw(message). Null when the
 * party holds none.
 */
export function holderActions(ctx, inc, lotCode, redraw) {
  const { w } = ctx;
  const mine = inc.holdings.filter((x) => x.partyId === ctx.me.id);
  if (mine.length === 0) return null;
  const acts = inc.status === 'open' && ctx.me.roles.some((r) => HOLDER_ROLES.includes(r));
  return h(
    'section',
    { class: 'card', id: 'your-goods' },
    h('h2', {}, w.yourGoods),
    mine.map((x) => {
      const open = Math.round((x.outstanding.kg - x.pendingApproval.kg) * 1000) / 1000;
      return h(
        'div',
        { class: 'holding', dataset: { holdingId: x.holdingId, lotId: x.lotId } },
        h(
          'div',
          { class: 'holding-head' },
          h('b', { class: 'code', title: x.lotId }, lotCode.get(x.lotId) ?? shortId(x.lotId)),
          ' · ',
          ctx.names.location(x.locationId),
          x.inTransit ? h('span', { class: 'chip warn' }, w.inTransit) : null,
        ),
        h(
          'div',
          { class: 'holding-tally' },
          `${w.affected} ${ctx.kg(x.affected.kg)} · ${w.accounted} ${ctx.kg(x.accounted.kg)} · ${w.pendingApproval} ${ctx.kg(x.pendingApproval.kg)} · `,
          h('b', { class: 'outstanding' }, `${w.outstanding} ${ctx.kg(x.outstanding.kg)}`),
        ),
        acts && open > 0
          ? actionForm(ctx, inc, x, open, redraw)
          : open <= 0
            ? h('span', { class: 'chip ok' }, w.allAccounted)
            : null,
      );
    }),
  );
}

function field(label, input) {
  return h('label', { class: 'field' }, h('span', {}, label), input);
}

function actionForm(ctx, inc, x, openKg, redraw) {
  const { w } = ctx;
  const action = h(
    'select',
    { name: 'action' },
    ACTIONS.map((a) => h('option', { value: a }, w.actionName[a])),
  );
  const kgIn = h('input', {
    name: 'kg',
    type: 'number',
    min: '0',
    step: '0.001',
    required: true,
    value: String(openKg),
  });
  const cartons = h('input', {
    name: 'cartons',
    type: 'number',
    min: '0',
    step: '1',
    required: true,
    value: String(x.outstanding.cartons),
  });
  const doc = h('input', { name: 'referenceDoc', type: 'text', maxlength: 100 });
  const at = h('input', { name: 'at', type: 'datetime-local', required: true, value: chinaNowInput() });
  const note = h('input', { name: 'note', type: 'text', maxlength: 1000 });
  const out = h('div', { class: 'form-result' });
  return h(
    'form',
    {
      class: 'action-form',
      onsubmit: async (e) => {
        e.preventDefault();
        const button = e.currentTarget.querySelector('button');
        button.disabled = true;
        fill(out);
        try {
          await ctx.api.post(`/v1/incidents/${encodeURIComponent(inc.id)}/actions`, {
            lotId: x.lotId,
            locationId: x.locationId,
            action: action.value,
            quantity: { kg: Number(kgIn.value), cartons: Number(cartons.value) },
            at: fromChinaInput(at.value),
            referenceDoc: doc.value.trim() || null,
            note: note.value.trim() || null,
          });
          await redraw(w.recorded);
        } catch (err) {
          button.disabled = false;
          fill(out, ctx.errorBox(err));
        }
      },
    },
    field(w.action, action),
    field(w.kgLabel, kgIn),
    field(w.cartons, cartons),
    field(w.referenceDoc, doc),
    field(w.at, at),
    field(w.note, note),
    h('button', { type: 'submit', class: 'primary' }, w.record),
    out,
  );
}

/**
 * releaseForm is a regulator's control to release lot l from inc: an unticked box that, once ticked, shows a required
 * reason and the button; POST /v1/incidents/{id}/lots/{lotId}/release, then redraw(message). Approving a holder's
 * retest never releases a lot; this does, and only on purpose.
 */
export function releaseForm(ctx, inc, l, redraw) {
  const { w } = ctx;
  const reason = h('input', { name: 'reason', type: 'text', class: 'release-reason', required: true, maxlength: 1000 });
  const out = h('div', { class: 'form-result' });
  const more = h(
    'span',
    { hidden: true },
    field(w.releaseReason, reason),
    h('button', { type: 'submit', class: 'danger release' }, w.release),
  );
  const confirm = h('input', {
    type: 'checkbox',
    class: 'release-lot',
    onchange: () => {
      more.hidden = !confirm.checked;
    },
  });
  return h(
    'form',
    {
      class: 'release-form',
      onsubmit: async (e) => {
        e.preventDefault();
        if (!confirm.checked) return;
        fill(out);
        try {
          await ctx.api.post(`/v1/incidents/${encodeURIComponent(inc.id)}/lots/${encodeURIComponent(l.id)}/release`, {
            reason: reason.value.trim(),
          });
          await redraw(w.releasedOk);
        } catch (err) {
          fill(out, ctx.errorBox(err));
        }
      },
    },
    h('label', { class: 'inline' }, confirm, ` ${w.releaseLot}`),
    more,
    out,
  );
}
