import type { PublicDocument, PublicLotView, PublicProof } from '../../app/public/public-lot.ts';
import type { Html } from './html.ts';
import { html, renderPage } from './html.ts';
import type { PageWords } from './words.ts';
import { WORDS } from './words.ts';

/** chinaTime writes an ISO 8601 instant as China time, YYYY-MM-DD HH:mm; a plain date is returned as it is. */
export function chinaTime(at: string): string {
  if (/^\d{4}-\d{2}-\d{2}$/.test(at)) return at;
  const ms = Date.parse(at);
  if (Number.isNaN(ms)) return at;
  return new Date(ms + 8 * 3_600_000).toISOString().slice(0, 16).replace('T', ' ');
}

function badge(v: PublicLotView, w: PageWords): Html {
  const c = v.status.colour;
  return html`<section class="badge badge-${c}" role="status" aria-label="${v.status.label}" data-status="${c}">
    <span class="mark" aria-hidden="true">${w.statusMark[c]}</span>
    <span><span class="word">${v.status.label}</span><br /><span class="sub">${w.statusLead[c]}</span></span>
  </section>`;
}

function reasons(v: PublicLotView, w: PageWords): Html {
  if (v.status.reasons.length === 0) return html``;
  return html`<section>
    <h2>${w.reasons}</h2>
    <ul class="reasons">
      ${v.status.reasons.map((r) => html`<li data-reason="${r.code}">${r.text}</li>`)}
    </ul>
  </section>`;
}

function product(v: PublicLotView, w: PageWords): Html {
  const other = v.lang === 'zh' ? v.product.en : v.product.zh;
  const otherLang = v.lang === 'zh' ? 'en' : 'zh-CN';
  return html`<section>
    <h1>${v.product.name}</h1>
    ${other && other !== v.product.name ? html`<div class="muted" lang="${otherLang}">${other}</div>` : ''}
    <dl>
      <dt>${w.traceCode}</dt>
      <dd class="code">${v.codeText}${v.carton ? html` · ${w.carton(v.carton.serial)}` : ''}</dd>
      <dt>${w.category}</dt>
      <dd>${v.product.categoryLabel}</dd>
      <dt>${w.origin}</dt>
      <dd>${v.origin.name}</dd>
      <dt>${w.producer}</dt>
      <dd>
        ${v.producer.name}<br /><span class="muted"
          >${w.registrationNo} ${v.producer.registrationNo} · ${v.producer.countryName}</span
        >
      </dd>
      <dt>${w.productionDate}</dt>
      <dd>${v.dates.production}</dd>
      <dt>${w.expiryDate}</dt>
      <dd>${v.dates.expiry}</dd>
      <dt>${w.entryDate}</dt>
      <dd>${v.entry.date}</dd>
      <dt>${w.port}</dt>
      <dd>${v.entry.port}</dd>
    </dl>
  </section>`;
}

function documentItem(d: PublicDocument, w: PageWords): Html {
  const chip = !d.present
    ? html`<span class="chip chip-bad">✕ ${w.missing}</span>`
    : d.verified
      ? html`<span class="chip chip-ok">✓ ${w.verified}</span>`
      : html`<span class="chip chip-warn">! ${w.notVerified}</span>`;
  return html`<li class="doc" data-kind="${d.kind}" data-verified="${String(d.verified)}">
    <div class="title"><span>${d.label}</span>${chip}</div>
    ${d.present ? html`<div class="muted">${w.number} ${d.number} · ${w.issuer} ${d.issuer} · ${w.issuedOn} ${d.issuedOn}</div>` : ''}
  </li>`;
}

function tests(v: PublicLotView, w: PageWords): Html {
  const cell = (n: number, label: string) => html`<div><b>${n}</b><span class="muted">${label}</span></div>`;
  return html`<section>
    <h2>${w.tests}</h2>
    <div class="tests">
      ${cell(v.tests.taken, w.taken)}${cell(v.tests.negative, w.negative)}${cell(v.tests.positive, w.positive)}${cell(v.tests.pending, w.pending)}
    </div>
  </section>`;
}

function journey(v: PublicLotView, w: PageWords): Html {
  return html`<section>
    <h2>${w.journey}</h2>
    ${v.holder ? html`<p class="muted">${w.journeyTo(v.holder.name)}</p>` : ''}
    <ol class="journey">
      ${v.journey.map(
        (s) =>
          html`<li data-step="${s.kind}">
            <b>${s.label}</b> · ${s.place}${s.regionName ? html` <span class="muted">(${s.regionName})</span>` : ''}
            <div class="muted">
              ${chinaTime(s.at)}${s.at.length > 10 ? html` ${w.chinaTime}` : ''}${s.ref ? html` · ${w.certificate} ${s.ref}` : ''}
            </div>
            <div class="muted small" data-node="${s.vouchedBy.node}" data-trust="${s.vouchedBy.trust}">
              ${w.vouchedBy(s.vouchedBy.node)} · ${w.trust[s.vouchedBy.trust]}
            </div>
          </li>`,
      )}
    </ol>
  </section>`;
}

function madeFrom(v: PublicLotView, w: PageWords): Html {
  if (v.madeFrom.length === 0) return html``;
  const otherLang = v.lang === 'zh' ? 'en' : 'zh-CN';
  return html`<section>
    <h2>${w.madeFrom}</h2>
    <p class="muted">${w.madeFromLead}</p>
    <ul class="made-from">
      ${v.madeFrom.map((p) => {
        const other = v.lang === 'zh' ? p.product.en : p.product.zh;
        return html`<li data-parent="${p.code}" data-status="${p.status}">
          <a href="/t/${p.code}?lang=${v.lang}">${p.product.name}</a
          >${other && other !== p.product.name ? html` <span class="muted" lang="${otherLang}">${other}</span>` : ''}
          <div class="muted code">${p.codeText} · ${p.statusLabel}</div>
        </li>`;
      })}
    </ul>
  </section>`;
}

function proofLink(p: PublicProof, w: PageWords): Html {
  return html`<li data-record="${p.record}">
    ${p.url ? html`<a href="${p.url}" rel="nofollow">${p.label}</a>` : html`${p.label} <span class="muted">(${w.logPending})</span>`}
  </li>`;
}

function distribution(v: PublicLotView, w: PageWords): Html {
  if (v.distribution.businesses === 0) return html``;
  return html`<section>
    <h2>${w.distribution}</h2>
    <p class="muted">${w.distributionLead(v.distribution.businesses)}</p>
    <ul class="provinces">
      ${v.distribution.provinces.map(
        (p) =>
          html`<li data-region="${p.region}" data-businesses="${String(p.businesses)}">
            ${p.regionName} · ${w.businesses(p.businesses)}
          </li>`,
      )}
    </ul>
  </section>`;
}

function verify(v: PublicLotView, w: PageWords): Html {
  return html`<section class="verify" id="verify">
    <h2>${w.verify}</h2>
    <p class="muted small">${w.verifyLead}</p>
    <ul class="small">
      ${v.verify.proofs.map((p) => proofLink(p, w))}
    </ul>
  </section>`;
}

/**
 * renderLotPage renders the public lot page for a view: the status badge (colour, symbol and words, so colour is never
 * the only signal), the reasons, the product and its origin, the documents and whether each verified, the tests, the
 * journey (naming only the businesses on the way to the holder the scan named), where the lot went counted by
 * province, and a small verify section with the log entries that prove it. `toggleHref` is the same page in the other language. Every value from
 * the view is escaped.
 */
export function renderLotPage(v: PublicLotView, toggleHref: string): string {
  const w = WORDS[v.lang];
  const mirror =
    v.resolvedVia === 'mirror'
      ? html`<p class="muted" data-resolved="mirror" data-trust="${v.vouchedBy.trust}">
          ${w.fromMirror(v.vouchedBy.node)} (${w.trust[v.vouchedBy.trust]})
        </p>`
      : '';
  const body = html`${badge(v, w)} ${mirror} ${reasons(v, w)} ${product(v, w)}
    <section>
      <h2>${w.documents}</h2>
      <ul>
        ${v.documents.map((d) => documentItem(d, w))}
      </ul>
    </section>
    ${madeFrom(v, w)} ${tests(v, w)} ${journey(v, w)} ${distribution(v, w)} ${verify(v, w)}
    <footer>${w.privacy}</footer>`;
  return renderPage(
    {
      lang: v.lang,
      title: `${v.product.name} · ${v.status.label} · ${w.titleSuffix}`,
      brand: w.brand,
      toggle: { href: toggleHref, label: w.otherLanguage, lang: v.lang === 'zh' ? 'en' : 'zh' },
    },
    body,
  );
}
