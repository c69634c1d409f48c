// Other platforms (regulators): the platforms registered here, the codes each issues, and whether its facts can be
// read now. A platform that cannot be read holds up nothing: its goods show what this node last recorded of them.
import { chinaTime, fill, h, table } from './dom.js';

/** showPlatforms lists the registered platforms with their state (GET /v1/platforms). */
export async function showPlatforms(ctx, el) {
  const { w } = ctx;
  el.dataset.view = 'platforms';
  fill(
    el,
    h('h1', {}, w.platformsTitle),
    h('p', { class: 'muted' }, w.platformsIntro),
    h('p', { class: 'muted' }, w.loading),
  );
  let reply;
  try {
    reply = await ctx.api.get('/v1/platforms');
  } catch (err) {
    el.lastChild.replaceWith(ctx.errorBox(err));
    return;
  }
  if (reply.items.length === 0) {
    el.lastChild.replaceWith(h('p', { class: 'muted', id: 'platforms-none' }, w.none));
    return;
  }
  const rows = reply.items.map((p) =>
    h(
      'tr',
      { dataset: { platformId: p.id, state: p.state } },
      h('td', {}, p.name),
      h('td', {}, p.codes.map((c) => `${w.codeKinds[c.kind] ?? c.kind}: ${c.value}`).join('; ')),
      h('td', { class: `state ${p.state}` }, w.platformStates[p.state] ?? p.state),
      h('td', {}, p.lastFetchedAt ? chinaTime(p.lastFetchedAt) : '—'),
      h('td', { class: 'muted' }, p.lastError ?? ''),
      h('td', { class: 'num' }, String(p.lots)),
      h('td', { class: 'num' }, String(p.pendingNotices)),
    ),
  );
  el.lastChild.replaceWith(
    table(
      [
        w.platformName,
        w.platformCodes,
        w.platformState,
        w.platformFetched,
        w.platformError,
        w.platformLots,
        w.platformNotices,
      ],
      rows,
      { id: 'platforms' },
    ),
  );
}
