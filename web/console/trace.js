// Trace: from a lot id, trace code, carton code or Digital Link, forward to every holder or backward to the border.
import { chinaTime, fill, h, shortId, table } from './dom.js';

/** vouched names the node whose log holds a fact from a peer, and how far it is witnessed (nothing for this node's own). */
const vouched = (w, v) =>
  v && v.trust !== 'own'
    ? h('span', { class: `muted vouched ${v.trust}`, title: v.origin }, ` · ${v.node} (${w.trust[v.trust] ?? v.trust})`)
    : null;

const DIRECTIONS = ['forward', 'backward', 'both'];

/** showTrace draws the trace form and, when the query names a reference, the trace from GET /v1/trace. */
export async function showTrace(ctx, el, query) {
  const { w } = ctx;
  el.dataset.view = 'trace';
  const ref = query.get('ref') ?? '';
  const direction = DIRECTIONS.includes(query.get('direction')) ? query.get('direction') : 'forward';
  const input = h('input', {
    id: 'trace-ref',
    type: 'text',
    required: true,
    maxlength: 300,
    value: ref,
    spellcheck: 'false',
  });
  const dir = h(
    'select',
    { id: 'trace-direction' },
    DIRECTIONS.map((d) => h('option', { value: d, selected: d === direction }, w.directions[d])),
  );
  const result = h('div', { id: 'trace-result' });
  const form = h(
    'form',
    {
      id: 'trace-form',
      class: 'card',
      onsubmit: (e) => {
        e.preventDefault();
        const next = `#/trace?${new URLSearchParams({ ref: input.value.trim(), direction: dir.value })}`;
        if (location.hash === next)
          void showTrace(ctx, el, new URLSearchParams({ ref: input.value.trim(), direction: dir.value }));
        else location.hash = next;
      },
    },
    h('label', { for: 'trace-ref' }, w.traceRef),
    input,
    h('label', { for: 'trace-direction' }, w.direction),
    dir,
    h('button', { type: 'submit', class: 'primary' }, w.trace),
  );
  fill(el, h('h1', {}, w.traceTitle), form, result);
  if (!ref) return;
  fill(result, h('p', { class: 'muted' }, w.loading));
  let t;
  try {
    t = await ctx.api.get(`/v1/trace?${new URLSearchParams({ ref, direction })}`);
  } catch (err) {
    fill(result, ctx.errorBox(err));
    return;
  }
  const aside = t.alsoFromSameSource;
  ctx.names.add([...t.parties, ...(aside?.parties ?? [])], [...t.locations, ...(aside?.locations ?? [])]);
  fill(result, ...drawTrace(ctx, t));
}

function country(ctx, code) {
  try {
    return new Intl.DisplayNames([ctx.lang === 'zh' ? 'zh-CN' : 'en'], { type: 'region' }).of(code) ?? code;
  } catch {
    return code;
  }
}

function drawTrace(ctx, t) {
  const { w } = ctx;
  const code = new Map(t.lots.map((l) => [l.id, l.code]));
  const lotRef = (id) => h('span', { class: 'code', title: id }, code.get(id) ?? shortId(id));
  const place = (p) => [
    ctx.names.party(p.partyId),
    p.locationId ? h('span', { class: 'muted' }, ` · ${ctx.names.location(p.locationId)}`) : null,
  ];
  const regionOf = new Map(t.parties.map((p) => [p.id, p.region]));
  const plate = new Map(t.vehicles.map((v) => [v.id, v.plate]));
  const qty = (q) => `${ctx.kg(q.kg)} / ${q.cartons}`;
  const out = [
    h(
      'p',
      { id: 'trace-summary', class: 'lead' },
      w.traceSummary(t.summary, ctx.kg(t.summary.heldKg), ctx.list(t.summary.regions.map(ctx.region)) || w.none),
    ),
  ];

  out.push(
    h(
      'section',
      { class: 'card' },
      h('h2', {}, w.traceLots),
      table(
        [w.code, w.product, { text: w.quantityLot, class: 'num' }, w.status, w.region],
        t.lots.map((l) => {
          const first = h(
            'td',
            { class: 'code', title: l.id },
            `${l.depth > 0 ? '↳ ' : l.depth < 0 ? '↑ ' : ''}${l.code}`,
          );
          first.style.paddingLeft = `${0.5 + 1.5 * Math.abs(l.depth)}em`;
          return h(
            'tr',
            { dataset: { lotId: l.id, depth: l.depth, status: l.status } },
            first,
            h('td', {}, ctx.title({ zh: l.productNameZh, en: l.productNameEn })),
            h('td', { class: 'num' }, qty(l.quantity)),
            h('td', {}, h('span', { class: `chip colour-${l.status}` }, w.colour[l.status] ?? l.status)),
            h('td', {}, ctx.region(l.region)),
          );
        }),
        { id: 'trace-lots' },
      ),
    ),
  );

  const byParty = new Map();
  for (const x of t.holdings) byParty.set(x.partyId, [...(byParty.get(x.partyId) ?? []), x]);
  const byRegion = new Map();
  for (const x of t.holdings) {
    const r = regionOf.get(x.partyId) ?? '';
    const cur = byRegion.get(r) ?? { kg: 0, parties: new Set() };
    cur.kg += x.quantity.kg;
    cur.parties.add(x.partyId);
    byRegion.set(r, cur);
  }
  const round = (n) => Math.round(n * 1000) / 1000;
  out.push(
    h(
      'section',
      { class: 'card' },
      h('h2', {}, w.holdingsTitle),
      table(
        [w.holder, w.region, w.held, { text: w.total, class: 'num' }],
        [...byParty].map(([partyId, xs]) =>
          h(
            'tr',
            { dataset: { party: partyId } },
            h('td', {}, ctx.names.party(partyId)),
            h('td', {}, ctx.region(regionOf.get(partyId))),
            h(
              'td',
              {},
              h(
                'ul',
                { class: 'plain' },
                xs.map((x) =>
                  h(
                    'li',
                    {},
                    lotRef(x.lotId),
                    ` ${qty(x.quantity)}`,
                    x.locationId ? h('span', { class: 'muted' }, ` · ${ctx.names.location(x.locationId)}`) : null,
                    vouched(w, x.vouchedBy),
                  ),
                ),
              ),
            ),
            h('td', { class: 'num' }, ctx.kg(round(xs.reduce((n, x) => n + x.quantity.kg, 0)))),
          ),
        ),
        { id: 'trace-holders' },
      ),
      table(
        [w.region, w.holders, { text: w.held, class: 'num' }],
        [...byRegion]
          .sort()
          .map(([r, v]) => [ctx.region(r), String(v.parties.size), { text: ctx.kg(round(v.kg)), class: 'num' }]),
        { id: 'trace-regions' },
      ),
    ),
  );

  if (t.shipments.length) {
    out.push(
      h(
        'section',
        { class: 'card' },
        h('h2', {}, w.shipmentsTitle),
        table(
          [
            w.lot,
            w.from,
            w.to,
            { text: w.quantity, class: 'num' },
            w.status,
            w.departedAt,
            w.receivedAt,
            w.vehicle,
            w.recordedBy,
          ],
          t.shipments.map((s) => [
            lotRef(s.lotId),
            place(s.from),
            place(s.to),
            { text: qty(s.quantity), class: 'num' },
            `${w.shipmentStatus[s.status] ?? s.status}${s.purpose && s.purpose !== 'shipment' ? ` · ${w.purpose[s.purpose] ?? s.purpose}` : ''}`,
            chinaTime(s.departedAt),
            s.received ? `${chinaTime(s.received.at)} (${qty(s.received.quantity)})` : '—',
            s.vehicleId ? (plate.get(s.vehicleId) ?? shortId(s.vehicleId)) : '—',
            s.vouchedBy ? h('span', {}, vouched(w, s.vouchedBy) ?? w.trust.own) : '—',
          ]),
          { id: 'trace-shipments' },
        ),
      ),
    );
  }
  if (t.transformations.length) {
    const sides = (xs) =>
      h(
        'ul',
        { class: 'plain' },
        xs.map((x) => h('li', {}, lotRef(x.lotId), ` ${qty(x.quantity)}`)),
      );
    out.push(
      h(
        'section',
        { class: 'card' },
        h('h2', {}, w.transformationsTitle),
        table(
          [w.stepKind, w.holder, w.at, w.inputs, w.outputs, { text: w.loss, class: 'num' }],
          t.transformations.map((x) => [
            w.transformationKind[x.kind] ?? x.kind,
            place(x),
            chinaTime(x.at),
            sides(x.inputs),
            sides(x.outputs),
            { text: ctx.kg(x.lossKg), class: 'num' },
          ]),
          { id: 'trace-transformations' },
        ),
      ),
    );
  }
  if (t.disposals.length) {
    out.push(
      h(
        'section',
        { class: 'card' },
        h('h2', {}, w.disposalsTitle),
        table(
          [w.lot, w.holder, w.action, { text: w.quantity, class: 'num' }, w.referenceDoc, w.at],
          t.disposals.map((d) => [
            lotRef(d.lotId),
            place(d),
            w.actionName[d.method] ?? d.method,
            { text: qty(d.quantity), class: 'num' },
            d.referenceDoc ?? '—',
            chinaTime(d.at),
          ]),
          { id: 'trace-disposals' },
        ),
      ),
    );
  }
  // Backward, where the rest of a parent went is not the path the goods came by: shown apart, and labelled so.
  const aside = t.alsoFromSameSource;
  if (aside && (aside.shipments.length || aside.holdings.length)) {
    out.push(
      h(
        'section',
        { class: 'card', id: 'trace-same-source' },
        h('h2', {}, w.alsoFromSameSource),
        h('p', { class: 'muted' }, w.alsoFromSameSourceLead),
        table(
          [w.lot, w.from, w.to, { text: w.quantity, class: 'num' }, w.status],
          aside.shipments.map((s) => [
            lotRef(s.lotId),
            place(s.from),
            place(s.to),
            { text: qty(s.quantity), class: 'num' },
            w.shipmentStatus[s.status] ?? s.status,
          ]),
        ),
        table(
          [w.holder, w.lot, { text: w.held, class: 'num' }],
          aside.holdings.map((x) => [place(x), lotRef(x.lotId), { text: qty(x.quantity), class: 'num' }]),
        ),
      ),
    );
  }
  if (t.retailSales.length) {
    out.push(
      h(
        'section',
        { class: 'card' },
        h('h2', {}, w.retailTitle),
        table(
          [w.lot, w.holder, { text: w.quantity, class: 'num' }, w.firstAt, w.lastAt],
          t.retailSales.map((r) => [
            lotRef(r.lotId),
            ctx.names.party(r.partyId),
            { text: qty(r.quantity), class: 'num' },
            chinaTime(r.firstAt),
            chinaTime(r.lastAt),
          ]),
        ),
      ),
    );
  }
  if (t.border.length)
    out.push(
      h(
        'section',
        { class: 'card', id: 'trace-border' },
        h('h2', {}, w.borderTitle),
        t.border.map((b) => borderRecord(ctx, b, lotRef)),
      ),
    );
  return out;
}

function borderRecord(ctx, b, lotRef) {
  const { w } = ctx;
  const row = (label, value) => [h('dt', {}, label), h('dd', {}, value ?? '—')];
  return h(
    'div',
    { class: 'border-record', dataset: { lotId: b.lotId } },
    h('h3', {}, lotRef(b.lotId)),
    h(
      'dl',
      {},
      row(w.declarationNo, b.declarationNo),
      row(w.port, b.portOfEntry),
      row(w.arrivalDate, b.arrivalDate),
      row(w.containerNo, b.containerNo),
      row(w.billOfLading, b.billOfLading),
      row(w.originCountry, b.originCountry ? country(ctx, b.originCountry) : null),
      row(
        w.producer,
        b.producer
          ? `${ctx.lang === 'zh' ? (b.producer.nameZh ?? b.producer.name) : b.producer.name} (${b.producer.registrationNo}, ${country(ctx, b.producer.country)})`
          : null,
      ),
      row(w.productionDate, b.productionDate),
      row(
        w.exitCertificate,
        b.exitCertificate ? `${b.exitCertificate.number} · ${chinaTime(b.exitCertificate.issuedAt)}` : null,
      ),
      row(
        w.samples,
        b.samples.length
          ? h(
              'ul',
              { class: 'plain' },
              b.samples.map((s) =>
                h(
                  'li',
                  { dataset: { result: s.result ?? 'pending' } },
                  `${w.samplePoint[s.point] ?? s.point} · ${w.sampleResult[s.result ?? 'null']} · ${chinaTime(s.resultedAt ?? s.takenAt)}`,
                ),
              ),
            )
          : null,
      ),
      row(w.documents, ctx.list(b.documents.map((d) => w.documentKind[d.kind] ?? d.kind)) || null),
    ),
  );
}
