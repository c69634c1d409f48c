import type { WhereToAsk } from '../../app/public/public-lot.ts';
import type { Lang } from '../messages.ts';
import type { Html } from './html.ts';
import { html, renderPage } from './html.ts';
import { WORDS } from './words.ts';

/** NoticeContext is what a notice page needs besides its message: the language and the same URL in the other one. */
export interface NoticeContext {
  lang: Lang;
  toggleHref: string;
}

function notice(ctx: NoticeContext, title: string, body: Html): string {
  const w = WORDS[ctx.lang];
  return renderPage(
    {
      lang: ctx.lang,
      title: `${title} · ${w.brand}`,
      brand: w.brand,
      toggle: { href: ctx.toggleHref, label: w.otherLanguage, lang: ctx.lang === 'zh' ? 'en' : 'zh' },
    },
    html`<section>
      <h1>${title}</h1>
      ${body}
    </section>`,
  );
}

/**
 * renderNotFoundPage tells a consumer that the code they scanned or typed names no goods, in their language, and that
 * it may be mistyped. When `typo` is set the code is well formed but its check character does not match, and the page
 * says so specifically. The code is shown back (escaped) so it can be compared with the label. `ask`, for a well-formed
 * code that neither this node nor its mirrors hold, names the node to ask, or says it is unknown and lists the peers.
 */
export function renderNotFoundPage(ctx: NoticeContext, code: string, typo: boolean, ask?: WhereToAsk): string {
  const w = WORDS[ctx.lang];
  return notice(
    ctx,
    w.notFoundTitle,
    html`<p data-problem="${typo ? 'check-character' : 'not-found'}">${typo ? w.typoLead : w.notFoundLead}</p>
      <p class="muted">${w.codeTyped}: <span class="code">${code}</span></p>
      <p class="muted">${w.tryAgain}</p>
      ${ask ? askSection(ask, w.askNodes) : ''}`,
  );
}

/** askSection names the node to ask about a code this node holds nothing of, or says it is unknown and lists peers. */
function askSection(ask: WhereToAsk, heading: string): Html {
  const item = (n: WhereToAsk['peers'][number]) =>
    html`<li data-node="${n.name}">
      <a href="${n.url}" rel="nofollow">${n.name}</a
      >${n.regionName ? html` <span class="muted">(${n.regionName})</span>` : ''}
    </li>`;
  return html`<section class="ask" data-ask="${ask.node ? 'known' : 'unknown'}">
    <p>${ask.reason}</p>
    ${
      ask.node
        ? html`<ul>
            ${item(ask.node)}
          </ul>`
        : ''
    }
    ${
      ask.peers.length > 0
        ? html`<h2>${heading}</h2>
            <ul>
              ${ask.peers.map(item)}
            </ul>`
        : ''
    }
  </section>`;
}

/** renderRateLimitedPage asks a client that sent too many requests to wait retryAfter seconds. */
export function renderRateLimitedPage(ctx: NoticeContext, retryAfter: number): string {
  const w = WORDS[ctx.lang];
  return notice(ctx, w.rateLimitedTitle, html`<p>${w.rateLimitedLead(retryAfter)}</p>`);
}
