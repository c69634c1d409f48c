// The console: sign-in, language, navigation and the live alert banner. Views live in their own modules and draw into
// <main>; they get a context (ctx) with the API client, the signed-in party, the words and a cache of names.
import { Api, ApiError, readAlertStream } from './api.js';
import { fill, h, kg, shortId } from './dom.js';
import { Inbox } from './inbox.js';
import { showIncident, showIncidents } from './incidents.js';
import { PROVINCES } from './regions.js';
import { reasonIn } from './reasons.js';
import { showPlatforms } from './platforms.js';
import { showTrace } from './trace.js';
import { WORDS } from './words.js';

const TOKEN_KEY = 'coldtrace.console.token';
const LANG_KEY = 'coldtrace.console.lang';
const MAX_LOOKUPS = 100;
const $ = (id) => document.getElementById(id);

// The language: the user's choice if they made one, else what the server chose from Accept-Language, else Chinese.
let lang = localStorage.getItem(LANG_KEY) ?? (document.documentElement.lang === 'en' ? 'en' : 'zh');
const words = () => WORDS[lang];

/** Names resolves party and location ids to names once per session; what the actor may not read stays an id. */
class Names {
  constructor() {
    this.parties = new Map();
    this.locations = new Map();
  }
  add(parties = [], locations = []) {
    for (const p of parties)
      this.parties.set(p.id, { zh: p.nameZh ?? p.name?.zh ?? null, en: p.nameEn ?? p.name?.en ?? null });
    for (const l of locations) this.locations.set(l.id, { zh: l.name, en: l.name });
  }
  async load(partyIds = [], locationIds = []) {
    // At most MAX_LOOKUPS new names per view, so that a large incident does not send a request per holder.
    const want = (map, ids) => [...new Set(ids)].filter((id) => id && !map.has(id)).slice(0, MAX_LOOKUPS);
    const get = async (map, path, id, name) => {
      map.set(id, null);
      try {
        map.set(id, name(await ctx.api.get(`${path}/${encodeURIComponent(id)}`)));
      } catch {
        // Not visible to this party: it is shown by its id.
      }
    };
    await Promise.all([
      ...want(this.parties, partyIds).map((id) => get(this.parties, '/v1/parties', id, (p) => p.name)),
      ...want(this.locations, locationIds).map((id) =>
        get(this.locations, '/v1/locations', id, (l) => ({ zh: l.name, en: l.name })),
      ),
    ]);
  }
  pick(n, id) {
    return n ? ((lang === 'zh' ? (n.zh ?? n.en) : (n.en ?? n.zh)) ?? shortId(id)) : shortId(id);
  }
  party(id) {
    return this.pick(this.parties.get(id), id);
  }
  location(id) {
    return id ? this.pick(this.locations.get(id), id) : '—';
  }
}

const ctx = {
  api: null,
  me: null,
  names: new Names(),
  get lang() {
    return lang;
  },
  get w() {
    return words();
  },
  region: (code) => (code ? (PROVINCES[code]?.[lang] ?? code) : '—'),
  kg: (n) => kg(n, lang),
  list: (xs) => xs.join(lang === 'zh' ? '、' : ', '),
  title: (t) => (t ? ((lang === 'zh' ? (t.zh ?? t.en) : (t.en ?? t.zh)) ?? '') : ''),
  errorBox,
  inbox: null,
  mayTrace: false,
};

/** errorBox shows an API refusal in the current language: its message, the field and reason, what is outstanding. */
function errorBox(err) {
  const w = words();
  if (!(err instanceof ApiError)) return h('div', { class: 'error', role: 'alert' }, String(err?.message ?? err));
  const d = err.details ?? {};
  const outstanding = Array.isArray(d.outstanding) ? d.outstanding : [];
  return h(
    'div',
    { class: 'error', role: 'alert', dataset: { code: err.code, status: err.status } },
    h('strong', {}, w.errorTitle),
    ' ',
    h('span', { class: 'message' }, err.status === 0 ? w.networkError : err.message),
    d.field && d.reason ? h('div', { class: 'muted' }, w.errorField(d.field, reasonIn(lang, d.reason))) : null,
    outstanding.length
      ? h(
          'div',
          { class: 'outstanding' },
          w.outstandingBy,
          h(
            'ul',
            {},
            outstanding.map((o) =>
              h(
                'li',
                { dataset: { party: o.partyId } },
                `${ctx.names.party(o.partyId)}: ${ctx.kg(o.kg)}, ${o.cartons} ${w.cartons}`,
              ),
            ),
          ),
        )
      : null,
  );
}

function labelStatic() {
  const w = words();
  document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
  document.title = w.brand;
  for (const el of document.querySelectorAll('[data-w]')) el.textContent = w[el.dataset.w];
  $('lang-toggle').textContent = w.otherLanguage;
  $('lang-toggle').lang = lang === 'zh' ? 'en' : 'zh-CN';
  if (ctx.me) {
    const me = ctx.me;
    const name = ctx.title(me.name);
    const roles = ctx.list(me.roles.map((r) => w.roles[r] ?? r));
    const level = me.roles.includes('regulator') ? ` · ${me.national ? w.national : w.provincial}` : '';
    fill(
      $('who'),
      h('span', { class: 'muted' }, `${w.signedInAs} `),
      h('b', { id: 'who-name' }, name),
      ` · ${roles} · ${ctx.region(me.region)}${level}`,
    );
  }
}

function showSignIn(error) {
  const w = words();
  $('nav').hidden = true;
  $('sign-out').hidden = true;
  fill($('who'));
  const input = h('input', {
    id: 'token',
    type: 'password',
    autocomplete: 'off',
    spellcheck: 'false',
    required: true,
    'aria-describedby': 'token-hint',
  });
  const form = h(
    'form',
    {
      id: 'sign-in',
      class: 'card narrow',
      onsubmit: (e) => {
        e.preventDefault();
        void signIn(input.value.trim());
      },
    },
    h('h1', {}, w.signInTitle),
    h('label', { for: 'token' }, w.tokenLabel),
    input,
    h('p', { id: 'token-hint', class: 'muted' }, w.tokenHint),
    error ? errorBox(error) : null,
    h('button', { type: 'submit', class: 'primary' }, w.signIn),
  );
  fill($('view'), form);
  input.focus();
}

let stopStream = null;

async function signIn(token) {
  ctx.api = new Api(token, () => lang);
  try {
    ctx.me = await ctx.api.get('/v1/me');
  } catch (err) {
    ctx.api = null;
    sessionStorage.removeItem(TOKEN_KEY);
    showSignIn(err);
    return;
  }
  sessionStorage.setItem(TOKEN_KEY, token);
  ctx.names.add([{ id: ctx.me.id, name: ctx.me.name }]);
  $('nav').hidden = false;
  $('sign-out').hidden = false;
  ctx.mayTrace = mayTrace(ctx.me);
  $('nav-trace').hidden = !ctx.mayTrace;
  $('nav-platforms').hidden = !ctx.me.roles.includes('regulator');
  labelStatic();
  ctx.inbox = new Inbox(ctx, { onCritical: showBanner });
  stopStream = ctx.inbox.start(readAlertStream, (state) => {
    $('live').dataset.state = state;
    $('live').textContent = words().stream[state];
  });
  if (!location.hash || location.hash === '#') location.hash = '#/inbox';
  else void route();
}

// Tracing is for regulators, customs and auditors (the API refuses anyone else); businesses are not offered it.
const mayTrace = (me) => me.national || me.roles.some((r) => r === 'regulator' || r === 'customs' || r === 'auditor');

function signOut() {
  stopStream?.();
  stopStream = null;
  ctx.inbox?.stop();
  sessionStorage.removeItem(TOKEN_KEY);
  ctx.api = null;
  ctx.me = null;
  ctx.inbox = null;
  ctx.names = new Names();
  $('banner').hidden = true;
  bannerAlert = null;
  $('live').textContent = '';
  delete $('live').dataset.state;
  history.replaceState(null, '', location.pathname + location.search);
  showSignIn();
}

let bannerAlert = null;

function showBanner(alert) {
  bannerAlert = alert;
  const w = words();
  const id = alert.body?.incidentId;
  fill(
    $('banner'),
    h('strong', {}, `${w.bannerLead}: `),
    h('span', { class: 'banner-title' }, ctx.title(alert.title)),
    id ? h('a', { href: `#/incidents/${encodeURIComponent(id)}` }, w.openIncident) : null,
    h(
      'button',
      {
        type: 'button',
        onclick: () => {
          $('banner').hidden = true;
          bannerAlert = null;
        },
      },
      w.dismiss,
    ),
  );
  $('banner').dataset.alert = alert.id;
  $('banner').hidden = false;
}

async function route() {
  if (!ctx.me) return;
  const hash = decodeURIComponent(location.hash.slice(1));
  for (const a of document.querySelectorAll('#nav a'))
    a.classList.toggle('current', hash.startsWith(a.getAttribute('href').slice(1)));
  const view = $('view');
  const incident = /^\/incidents\/([^/?]+)$/.exec(hash);
  if (incident) return showIncident(ctx, view, incident[1]);
  if (hash.startsWith('/incidents')) return showIncidents(ctx, view, new URLSearchParams(hash.split('?')[1] ?? ''));
  if (hash.startsWith('/platforms')) return showPlatforms(ctx, view);
  if (hash.startsWith('/trace')) return showTrace(ctx, view, new URLSearchParams(hash.split('?')[1] ?? ''));
  return ctx.inbox.show(view);
}

$('lang-toggle').addEventListener('click', () => {
  lang = lang === 'zh' ? 'en' : 'zh';
  localStorage.setItem(LANG_KEY, lang);
  labelStatic();
  if (!ctx.me) return showSignIn();
  if (bannerAlert && !$('banner').hidden) showBanner(bannerAlert);
  const state = $('live').dataset.state;
  if (state) $('live').textContent = words().stream[state];
  void route();
});
$('sign-out').addEventListener('click', signOut);
window.addEventListener('hashchange', () => void route());

labelStatic();
const saved = sessionStorage.getItem(TOKEN_KEY);
if (saved) void signIn(saved);
else showSignIn();
