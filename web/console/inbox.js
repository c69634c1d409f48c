// The inbox: the party's alerts, newest first, kept live by the event stream.
import { chinaTime, fill, h } from './dom.js';

/**
 * Inbox holds the party's alerts by id. It loads the first page from GET /v1/alerts, takes every alert the stream
 * delivers (a repeat replaces the same alert), and redraws itself when it is on screen. Critical alerts that arrive
 * live are passed to onCritical, for the banner.
 */
export class Inbox {
  constructor(ctx, { onCritical }) {
    this.ctx = ctx;
    this.onCritical = onCritical;
    this.alerts = new Map();
    this.nextCursor = null;
    this.loaded = false;
    this.error = null;
    this.el = null;
  }

  /** start opens the stream; each time it (re)opens, the inbox is reloaded so nothing raised meanwhile is missed. */
  start(readAlertStream, onState) {
    return readAlertStream(this.ctx.api, {
      lastId: null,
      onAlert: (a) => this.arrived(a),
      onState: (state) => {
        onState(state);
        if (state === 'open') void this.load();
      },
      onReset: () => void this.load(),
    });
  }

  sorted() {
    return [...this.alerts.values()].sort((a, b) => (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
  }

  async load(cursor) {
    try {
      const page = await this.ctx.api.get(
        `/v1/alerts?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      );
      for (const a of page.items) this.alerts.set(a.id, a);
      if (!cursor || this.nextCursor === cursor) this.nextCursor = page.nextCursor;
      this.loaded = true;
      this.error = null;
    } catch (err) {
      this.error = err;
    }
    this.redraw();
  }

  arrived(alert) {
    const known = this.alerts.has(alert.id);
    this.alerts.set(alert.id, alert);
    if (!known && alert.severity === 'critical' && !alert.acknowledgedAt) this.onCritical(alert);
    this.redraw();
  }

  unacknowledged() {
    return [...this.alerts.values()].filter((a) => !a.acknowledgedAt).length;
  }

  /** stop detaches the inbox from the page, at sign-out: a load still under way then draws nothing. */
  stop() {
    this.stopped = true;
    this.el = null;
  }

  redraw() {
    if (this.stopped) return;
    const count = document.getElementById('inbox-count');
    const n = this.unacknowledged();
    count.textContent = n > 0 ? String(n) : '';
    count.hidden = n === 0;
    if (this.el?.isConnected && this.el.dataset.view === 'inbox') this.draw();
  }

  /** show draws the inbox into el (loading it first if the stream has not yet). */
  show(el) {
    this.el = el;
    el.dataset.view = 'inbox';
    if (!this.loaded && !this.error) {
      fill(el, h('p', { class: 'muted' }, this.ctx.w.loading));
      void this.load();
      return;
    }
    this.draw();
  }

  draw() {
    const { w } = this.ctx;
    const items = this.sorted();
    const n = this.unacknowledged();
    fill(
      this.el,
      h('h1', {}, w.inboxTitle, n > 0 ? h('span', { class: 'count' }, w.unacknowledged(n)) : null),
      this.error ? this.ctx.errorBox(this.error) : null,
      items.length === 0 && this.loaded ? h('p', { id: 'no-alerts', class: 'empty' }, w.noAlerts) : null,
      h(
        'ul',
        { id: 'alerts', class: 'alerts' },
        items.map((a) => this.item(a)),
      ),
      this.nextCursor
        ? h('button', { type: 'button', onclick: () => void this.load(this.nextCursor) }, w.loadMore)
        : null,
    );
  }

  item(a) {
    const { w, ctx } = { w: this.ctx.w, ctx: this.ctx };
    const status = h('div', { class: 'ack' });
    const li = h(
      'li',
      {
        class: `alert sev-${a.severity}${a.acknowledgedAt ? '' : ' unacked'}`,
        dataset: { alertId: a.id, kind: a.kind, severity: a.severity, acked: String(Boolean(a.acknowledgedAt)) },
      },
      h(
        'div',
        { class: 'alert-head' },
        h('span', { class: `chip sev sev-${a.severity}` }, w.severity[a.severity] ?? a.severity),
        h('span', { class: 'kind' }, w.kind[a.kind] ?? a.kind),
        h('time', { datetime: a.createdAt }, chinaTime(a.createdAt)),
      ),
      h('div', { class: 'alert-title' }, ctx.title(a.title)),
      this.summary(a),
      a.body?.incidentId
        ? h(
            'a',
            { class: 'open-incident', href: `#/incidents/${encodeURIComponent(a.body.incidentId)}` },
            w.openIncident,
          )
        : null,
      status,
    );
    if (a.acknowledgedAt)
      fill(
        status,
        h('span', { class: 'muted' }, w.acked(chinaTime(a.acknowledgedAt)), a.ackNote ? ` · ${a.ackNote}` : ''),
      );
    else {
      fill(
        status,
        h(
          'button',
          {
            type: 'button',
            class: 'primary ack-button',
            onclick: async (e) => {
              e.currentTarget.disabled = true;
              try {
                this.alerts.set(a.id, await ctx.api.post(`/v1/alerts/${encodeURIComponent(a.id)}/ack`, {}));
                this.redraw();
              } catch (err) {
                fill(status, ctx.errorBox(err));
              }
            },
          },
          w.ack,
        ),
      );
    }
    return li;
  }

  summary(a) {
    const { w, ctx } = { w: this.ctx.w, ctx: this.ctx };
    const b = a.body ?? {};
    if (a.kind === 'notice') return h('p', {}, ctx.title(b.text));
    if (a.kind === 'shipment.incoming')
      return h('p', {}, w.incoming(b.code ?? b.lotId, ctx.kg(b.kg), b.cartons, ctx.names.party(b.fromPartyId)));
    if (a.kind !== 'incident.opened') return b.reason ? h('p', {}, b.reason) : null;
    if (b.region) return h('p', {}, w.alertRegion(ctx.region(b.region), b.holders ?? 0, ctx.kg(b.totalKg)));
    const holdings = Array.isArray(b.holdings) ? b.holdings : [];
    return h(
      'div',
      {},
      typeof b.totalKg === 'number' ? h('p', {}, w.alertTotal(ctx.kg(b.totalKg))) : null,
      holdings.length
        ? h(
            'ul',
            { class: 'plain' },
            holdings.map((x) => h('li', {}, w.alertHolding(x.code ?? x.lotId, ctx.kg(x.kg), x.cartons, x.inTransit))),
          )
        : null,
    );
  }
}
