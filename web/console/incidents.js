// Incidents: the list, and one incident with its totals, lots, contacts and actions; holders record actions on their
// goods here, regulators decide retests and close.
import { chinaTime, fill, h, shortId, table } from './dom.js';
import { holderActions, releaseForm } from './incident-forms.js';

/** showIncidents draws the incidents the party may see, newest first, filtered by status. */
export async function showIncidents(ctx, el, query) {
  const { w } = ctx;
  el.dataset.view = 'incidents';
  const status = query.get('status') ?? '';
  const filter = h(
    'select',
    {
      id: 'incident-status',
      onchange: (e) => (location.hash = `#/incidents${e.target.value ? `?status=${e.target.value}` : ''}`),
    },
    h('option', { value: '' }, w.all),
    ['open', 'closed'].map((s) => h('option', { value: s, selected: s === status }, w.incidentStatus[s])),
  );
  fill(
    el,
    h('h1', {}, w.incidentsTitle),
    h('label', { class: 'inline' }, `${w.statusFilter} `, filter),
    h('p', { class: 'muted' }, w.loading),
  );
  let page;
  try {
    page = await ctx.api.get(`/v1/incidents?limit=100${status ? `&status=${status}` : ''}`);
  } catch (err) {
    el.lastChild.replaceWith(ctx.errorBox(err));
    return;
  }
  const rows = page.items.map((i) =>
    h(
      'tr',
      { dataset: { incidentId: i.id, status: i.status } },
      h('td', {}, h('a', { href: `#/incidents/${encodeURIComponent(i.id)}` }, w.incidentNo(i.number))),
      h('td', {}, i.title),
      h('td', {}, h('span', { class: `chip st-${i.status}` }, w.incidentStatus[i.status] ?? i.status)),
      h('td', {}, chinaTime(i.openedAt)),
      h('td', {}, ctx.list(i.regions.map(ctx.region))),
    ),
  );
  el.lastChild.replaceWith(
    rows.length === 0
      ? h('p', { class: 'empty', id: 'no-incidents' }, w.noIncidents)
      : table([w.number, w.title, w.status, w.openedAt, w.regions], rows, { id: 'incidents' }),
  );
}

/** tallyCells are the four kg cells of a tally; each carries its number in data-kg. */
const tallyCells = (ctx, t) =>
  [
    ['affected', t.affected.kg],
    ['accounted', t.accounted.kg],
    ['pending', t.pendingApproval.kg],
    ['outstanding', t.outstanding.kg],
  ].map(([name, n]) =>
    h('td', { class: `num ${name}${name === 'outstanding' && n > 0 ? ' due' : ''}`, dataset: { kg: n } }, ctx.kg(n)),
  );

function triggerText(w, t) {
  const f = w.triggerKind[t?.kind];
  return f ? f(t) : JSON.stringify(t);
}

/** showIncident draws one incident; after any change it is drawn again from the API. */
export async function showIncident(ctx, el, id, flash) {
  const { w } = ctx;
  el.dataset.view = 'incident';
  if (!flash) fill(el, h('p', { class: 'muted' }, w.loading));
  let inc;
  try {
    inc = await ctx.api.get(`/v1/incidents/${encodeURIComponent(id)}`);
    await ctx.names.load(
      [...inc.byHolder.map((b) => b.partyId), ...inc.actions.map((a) => a.partyId)],
      [...inc.holdings.map((x) => x.locationId), ...inc.actions.map((a) => a.locationId)],
    );
  } catch (err) {
    fill(el, h('a', { href: '#/incidents' }, `← ${w.back}`), ctx.errorBox(err));
    return;
  }
  if (el.dataset.view !== 'incident') return;
  const lotCode = new Map(inc.lots.map((l) => [l.id, l.code]));
  const redraw = (message) => showIncident(ctx, el, id, message);
  const hdrs = [w.affected, w.accounted, w.pendingApproval, w.outstanding].map((text) => ({ text, class: 'num' }));
  const regionOf = new Map(inc.holdings.map((x) => [x.partyId, x.region]));
  const releases = inc.status === 'open' && inc.audience === 'all' && ctx.me.roles.includes('regulator');
  fill(
    el,
    h('a', { href: '#/incidents' }, `← ${w.back}`),
    h(
      'h1',
      { id: 'incident-title', dataset: { incidentId: inc.id } },
      `${w.incidentNo(inc.number)} `,
      h('span', { class: `chip st-${inc.status}`, id: 'incident-status' }, w.incidentStatus[inc.status] ?? inc.status),
    ),
    flash ? h('p', { class: 'flash', role: 'status' }, flash) : null,
    h(
      'section',
      { class: 'card' },
      h('p', { class: 'lead' }, inc.title),
      h(
        'dl',
        {},
        h('dt', {}, w.trigger),
        h('dd', { id: 'incident-trigger' }, triggerText(w, inc.trigger)),
        h('dt', {}, w.regions),
        h('dd', { id: 'incident-regions' }, ctx.list(inc.regions.map(ctx.region))),
        h('dt', {}, w.openedAt),
        h('dd', {}, chinaTime(inc.openedAt)),
        h('dt', {}, w.window),
        h('dd', {}, `${chinaTime(inc.window.from)} – ${chinaTime(inc.window.to)}`),
        inc.closedAt ? [h('dt', {}, w.closedAt), h('dd', {}, chinaTime(inc.closedAt))] : null,
        inc.closeReason ? [h('dt', {}, w.closeReasonLabel), h('dd', {}, inc.closeReason)] : null,
      ),
    ),
    h(
      'section',
      { class: 'card' },
      h('h2', {}, w.totals),
      table(['', ...hdrs], [h('tr', { id: 'total' }, h('th', {}, w.total), tallyCells(ctx, inc.total))], {
        id: 'totals',
      }),
      h('h3', {}, w.byHolder),
      table(
        [w.holder, ...hdrs],
        inc.byHolder.map((b) =>
          h(
            'tr',
            { dataset: { party: b.partyId } },
            h(
              'td',
              { title: b.partyId },
              ctx.names.party(b.partyId),
              h('span', { class: 'muted' }, ` · ${ctx.region(regionOf.get(b.partyId))}`),
            ),
            tallyCells(ctx, b),
          ),
        ),
        { id: 'by-holder' },
      ),
      h('h3', {}, w.byRegion),
      table(
        [w.region, ...hdrs],
        inc.byRegion.map((r) =>
          h('tr', { dataset: { region: r.region } }, h('td', {}, ctx.region(r.region)), tallyCells(ctx, r)),
        ),
        { id: 'by-region' },
      ),
      inc.provinces?.length
        ? [
            h('h3', {}, w.provinces),
            table(
              [w.node, w.region, w.trustLevel, ...hdrs],
              inc.provinces.map((p) =>
                h(
                  'tr',
                  { dataset: { origin: p.origin, trust: p.trust } },
                  h('td', { title: p.origin }, p.node),
                  h('td', {}, p.region ? ctx.region(p.region) : '—'),
                  h('td', {}, w.trust[p.trust] ?? p.trust),
                  tallyCells(ctx, p),
                ),
              ),
              { id: 'by-province' },
            ),
          ]
        : null,
    ),
    h(
      'section',
      { class: 'card' },
      h('h2', {}, w.lotsTitle),
      table(
        [w.code, w.product, w.reason, w.status, releases ? w.releaseTitle : ''],
        inc.lots.map((l) =>
          h(
            'tr',
            { dataset: { lotId: l.id, status: l.status, reason: l.reason } },
            h(
              'td',
              { class: 'code', title: l.id },
              ctx.mayTrace
                ? h('a', { href: `#/trace?${new URLSearchParams({ ref: l.id, direction: 'forward' })}` }, l.code)
                : l.code,
            ),
            h('td', {}, ctx.title({ zh: l.productNameZh, en: l.productNameEn })),
            h('td', {}, w.lotReason[l.reason] ?? l.reason),
            h(
              'td',
              {},
              h('span', { class: `chip colour-${l.status}` }, w.colour[l.status] ?? l.status),
              l.cleared ? h('span', { class: 'chip released' }, w.released) : null,
            ),
            h('td', {}, releases && !l.cleared ? releaseForm(ctx, inc, l, redraw) : null),
          ),
        ),
        { id: 'incident-lots' },
      ),
    ),
    holderActions(ctx, inc, lotCode, redraw),
    actionsSection(ctx, inc, lotCode, redraw),
    inc.contacts.length
      ? h(
          'section',
          { class: 'card' },
          h('h2', {}, w.contactsTitle),
          table(
            [w.contact, '', w.firstAt, w.lastAt, w.lot],
            inc.contacts.map((c) =>
              h(
                'tr',
                { dataset: { kind: c.kind, ref: c.id } },
                h('td', {}, w.contactKind[c.kind] ?? c.kind),
                h('td', { title: c.id }, c.label ?? shortId(c.id)),
                h('td', {}, chinaTime(c.firstAt)),
                h('td', {}, chinaTime(c.lastAt)),
                h('td', { class: 'code' }, c.lotIds.map((x) => lotCode.get(x) ?? shortId(x)).join(' ')),
              ),
            ),
            { id: 'contacts' },
          ),
        )
      : null,
    closeSection(ctx, inc, redraw),
  );
}

function actionsSection(ctx, inc, lotCode, redraw) {
  const { w } = ctx;
  const decides = inc.status === 'open' && inc.audience === 'all' && ctx.me.roles.includes('regulator');
  const rows = inc.actions.map((a) => {
    const cell = h('td', {});
    if (decides && a.status === 'pending_approval') {
      // A decision accounts for this holder's retested goods alone; releasing the lot is a separate act (releaseForm).
      const decide = (approve) => async () => {
        try {
          await ctx.api.post(
            `/v1/incidents/${encodeURIComponent(inc.id)}/actions/${encodeURIComponent(a.id)}/decision`,
            { approve },
          );
          await redraw(w.decided);
        } catch (err) {
          cell.append(ctx.errorBox(err));
        }
      };
      fill(
        cell,
        h('button', { type: 'button', class: 'primary approve', onclick: decide(true) }, w.approve),
        ' ',
        h('button', { type: 'button', class: 'reject', onclick: decide(false) }, w.reject),
      );
    }
    return h(
      'tr',
      { dataset: { actionId: a.id, status: a.status } },
      h('td', { class: 'code' }, lotCode.get(a.lotId) ?? shortId(a.lotId)),
      h('td', {}, ctx.names.party(a.partyId)),
      h('td', {}, ctx.names.location(a.locationId)),
      h('td', {}, w.actionName[a.action] ?? a.action),
      h('td', { class: 'num' }, `${ctx.kg(a.quantity.kg)} / ${a.quantity.cartons}`),
      h('td', {}, a.referenceDoc ?? '—'),
      h('td', {}, chinaTime(a.at)),
      h('td', {}, h('span', { class: `chip act-${a.status}` }, w.actionStatus[a.status] ?? a.status)),
      cell,
    );
  });
  return h(
    'section',
    { class: 'card' },
    h('h2', {}, w.actionsTitle),
    rows.length
      ? table(
          [
            w.lot,
            w.holder,
            w.location,
            w.action,
            { text: `${w.quantity} (kg / ${w.cartons})`, class: 'num' },
            w.referenceDoc,
            w.at,
            w.status,
            decides ? w.decision : '',
          ],
          rows,
          { id: 'actions' },
        )
      : h('p', { class: 'empty' }, w.noActions),
  );
}

function closeSection(ctx, inc, redraw) {
  const { w } = ctx;
  if (inc.status !== 'open' || inc.audience !== 'all' || !ctx.me.roles.includes('regulator')) return null;
  const reason = h('textarea', { id: 'close-reason', rows: 2, maxlength: 1000 });
  const out = h('div', { id: 'close-result' });
  const form = h(
    'form',
    {
      id: 'close-form',
      onsubmit: async (e) => {
        e.preventDefault();
        fill(out);
        try {
          await ctx.api.post(`/v1/incidents/${encodeURIComponent(inc.id)}/close`, {
            reason: reason.value.trim() || null,
          });
          await redraw(w.closedOk);
        } catch (err) {
          fill(out, ctx.errorBox(err));
        }
      },
    },
    h('label', { for: 'close-reason' }, w.closeReason),
    reason,
    out,
    h('button', { type: 'submit', class: 'danger' }, w.close),
  );
  return h('section', { class: 'card' }, h('h2', {}, w.closeTitle), form);
}
