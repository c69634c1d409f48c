import type { Lang } from '../messages.ts';

/** Html is markup that is already safe: html`` produces it, and interpolating it does not escape it again. */
export class Html {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

const ENTITIES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/**
 * escapeHtml makes text safe in element content and in quoted attribute values: it replaces & < > " and ' with
 * entities. It does not make text safe inside <script>, <style> or unquoted attributes, which the pages never use.
 */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}

function piece(v: unknown): string {
  if (v instanceof Html) return v.text;
  if (Array.isArray(v)) return v.map(piece).join('');
  if (v === null || v === undefined || v === false) return '';
  return escapeHtml(String(v));
}

/**
 * html is a template tag that escapes every interpolated value with escapeHtml, except Html values (nested html``),
 * which are inserted as they are. Arrays are joined; null, undefined and false render as nothing.
 */
export function html(strings: TemplateStringsArray, ...values: unknown[]): Html {
  let out = strings[0] ?? '';
  for (let i = 0; i < values.length; i++) out += piece(values[i]) + (strings[i + 1] ?? '');
  return new Html(out);
}

/**
 * PAGE_HEADERS go on every public HTML response: the page loads nothing from anywhere (its only style is inline), is
 * not framed, and sends no referrer on its links.
 */
export const PAGE_HEADERS: Readonly<Record<string, string>> = {
  'content-type': 'text/html; charset=utf-8',
  'content-security-policy':
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-cache',
};

// Mobile first: one column, system fonts (CJK included), large tap targets. Colours meet WCAG AA against their text.
const CSS = `
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;background:#f3f4f6;color:#1f2328;font:16px/1.55 system-ui,-apple-system,"PingFang SC","Hiragino Sans GB","Microsoft YaHei","Noto Sans CJK SC","WenQuanYi Micro Hei",sans-serif;overflow-wrap:anywhere}
main{max-width:640px;margin:0 auto;padding:12px 14px 32px}
header{display:flex;justify-content:space-between;align-items:center;gap:8px;padding:4px 0 10px;font-size:14px;color:#57606a}
a{color:#0a58ca}
header a{display:inline-block;padding:8px 12px;border:1px solid #c8ccd1;border-radius:18px;background:#fff;text-decoration:none}
.badge{display:flex;align-items:center;gap:14px;padding:18px 16px;border-radius:14px;color:#fff;margin:0 0 14px}
.badge .mark{flex:none;width:52px;height:52px;border-radius:50%;background:rgba(255,255,255,.25);display:flex;align-items:center;justify-content:center;font-size:30px;font-weight:700}
.badge .word{font-size:26px;font-weight:700;line-height:1.2}
.badge .sub{font-size:14px;opacity:.95}
.badge-green{background:#1a7f37}
.badge-yellow{background:#f2c21b;color:#1f2328}
.badge-yellow .mark{background:rgba(0,0,0,.1)}
.badge-red{background:#c62828}
section{background:#fff;border-radius:12px;padding:14px 16px;margin:0 0 12px;box-shadow:0 1px 2px rgba(0,0,0,.06)}
h1{font-size:22px;line-height:1.3;margin:0 0 4px}
h2{font-size:17px;margin:0 0 8px}
.muted{color:#57606a;font-size:14px}
.small,.muted.small{font-size:13px}
.code{font-family:ui-monospace,Menlo,Consolas,monospace;letter-spacing:.04em}
dl{margin:8px 0 0;display:grid;grid-template-columns:minmax(5.5em,auto) 1fr;gap:4px 12px}
dt{color:#57606a}
dd{margin:0}
ul,ol{margin:0;padding:0;list-style:none}
.reasons li{padding:6px 0 6px 14px;border-left:3px solid #d0d7de;margin:4px 0}
.doc{padding:10px 0;border-top:1px solid #eaeef2}
.doc:first-of-type{border-top:0}
.doc .title{display:flex;justify-content:space-between;align-items:flex-start;gap:8px;font-weight:600}
.chip{flex:none;font-size:13px;font-weight:600;padding:2px 8px;border-radius:10px;white-space:nowrap}
.chip-ok{background:#dafbe1;color:#116329}
.chip-warn{background:#fff1c2;color:#6c4a00}
.chip-bad{background:#ffe0e0;color:#9c1c1c}
.tests{display:grid;grid-template-columns:repeat(4,1fr);gap:6px;text-align:center}
.tests b{display:block;font-size:22px}
.journey li{position:relative;padding:0 0 12px 22px}
.journey li:before{content:"";position:absolute;left:4px;top:7px;width:10px;height:10px;border-radius:50%;background:#0a58ca}
.journey li:after{content:"";position:absolute;left:8px;top:19px;bottom:0;width:2px;background:#d0d7de}
.journey li:last-child:after{display:none}
footer{font-size:13px;color:#57606a;padding:8px 2px}
`;

/** PageShell is what every public page is framed with: its language, title, and the link to the other language. */
export interface PageShell {
  lang: Lang;
  title: string;
  /** brand is the service's name in lang, shown at the top. */
  brand: string;
  toggle: { href: string; label: string; lang: Lang };
}

/**
 * renderPage frames body as a complete HTML document: `<html lang>` zh-CN or en, a phone viewport, the inline style
 * sheet, and a header with the brand and the language toggle. It loads no external resource.
 */
export function renderPage(shell: PageShell, body: Html): string {
  const htmlLang = shell.lang === 'zh' ? 'zh-CN' : 'en';
  const toggleLang = shell.toggle.lang === 'zh' ? 'zh-CN' : 'en';
  return html`<!doctype html>
    <html lang="${htmlLang}">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="color-scheme" content="light" />
        <title>${shell.title}</title>
        <style>
          ${new Html(CSS)}
        </style>
      </head>
      <body>
        <main>
          <header>
            <span>${shell.brand}</span
            ><a href="${shell.toggle.href}" lang="${toggleLang}" hreflang="${toggleLang}">${shell.toggle.label}</a>
          </header>
          ${body}
        </main>
      </body>
    </html> `.text;
}
