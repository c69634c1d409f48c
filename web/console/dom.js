// DOM and formatting helpers. Every element is built with the DOM API and every text goes in as a text node: the
// console never parses markup from a string (the page's Trusted Types policy would refuse it anyway).

/**
 * h builds an element: h('td', { class: 'num', dataset: { kg: 5 } }, 'text', child, [more]). Attributes named on… are
 * event listeners; null, undefined and false children are skipped.
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs ?? {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'value') el.value = v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

/** table builds a table from a header row and rows of cells; a cell may be text, a node, or { text, class }. */
export function table(headers, rows, attrs = {}) {
  const cell = (tag, c) =>
    c !== null && typeof c === 'object' && !(c instanceof Node) && !Array.isArray(c)
      ? h(tag, { class: c.class }, c.text)
      : h(tag, {}, c);
  return h(
    'table',
    attrs,
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        headers.map((x) => cell('th', x)),
      ),
    ),
    h(
      'tbody',
      {},
      rows.map((r) =>
        r instanceof Node
          ? r
          : h(
              'tr',
              {},
              r.map((c) => cell('td', c)),
            ),
      ),
    ),
  );
}

const CHINA_OFFSET_MS = 8 * 3_600_000;

/** chinaTime writes an ISO 8601 instant in China time (UTC+8) as YYYY-MM-DD HH:mm; a plain date or null as it is. */
export function chinaTime(at) {
  if (!at) return '—';
  if (/^\d{4}-\d{2}-\d{2}$/.test(at)) return at;
  const ms = Date.parse(at);
  if (Number.isNaN(ms)) return at;
  return new Date(ms + CHINA_OFFSET_MS).toISOString().slice(0, 16).replace('T', ' ');
}

/** chinaNowInput is now in China time as a datetime-local value (YYYY-MM-DDTHH:mm). */
export function chinaNowInput() {
  return new Date(Date.now() + CHINA_OFFSET_MS).toISOString().slice(0, 16);
}

/** fromChinaInput turns a datetime-local value, read as China time, into ISO 8601 with the +08:00 offset. */
export function fromChinaInput(value) {
  return `${value.length === 16 ? `${value}:00` : value}+08:00`;
}

/** kg writes a number of kilograms with at most three decimals, grouped by the language's convention. */
export function kg(n, lang) {
  return `${Number(n ?? 0).toLocaleString(lang === 'zh' ? 'zh-CN' : 'en-GB', { maximumFractionDigits: 3 })} kg`;
}

/** fill empties an element and fills it with children. */
export function fill(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

/** shortId shortens an opaque id for display (its prefix and last six characters); the full id is in the title. */
export function shortId(id) {
  if (!id) return '—';
  const i = id.indexOf('_');
  return i > 0 && id.length > i + 10 ? `${id.slice(0, i + 1)}…${id.slice(-6)}` : id;
}
