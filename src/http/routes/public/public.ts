import { content } from '../../schemas.ts';
import rateLimit from '@fastify/rate-limit';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../../../app/errors.ts';
import type { Api } from '../../schemas.ts';
import type { Deps } from '../../../app/deps.ts';
import { checkPublicCode, digitalLinkTarget, publicLotView } from '../../../app/public/public-lot.ts';
import { recognisedCode } from '../../../app/platforms/public-code.ts';
import { whereToAsk } from '../../../app/public/public-journey.ts';
import { parseLotLink } from '../../../domain/digital-link.ts';
import type { Lang } from '../../messages.ts';
import { langOf } from '../../messages.ts';
import { PAGE_HEADERS } from '../../pages/html.ts';
import { renderLotPage } from '../../pages/lot-page.ts';
import { renderNotFoundPage, renderRateLimitedPage } from '../../pages/notice-page.ts';

/** DEFAULT_PUBLIC_RATE_LIMIT is how many public requests a client address may make per minute unless configured. */
export const DEFAULT_PUBLIC_RATE_LIMIT = 120;

/**
 * publicRateLimit reads COLDTRACE_PUBLIC_RATE_LIMIT, the requests per minute per client address on the public routes:
 * DEFAULT_PUBLIC_RATE_LIMIT when unset or blank. Anything but a whole number from 1 up throws, so that a mistyped
 * setting stops the server at start instead of silently running with another limit.
 */
export function publicRateLimit(value: string | undefined = process.env.COLDTRACE_PUBLIC_RATE_LIMIT): number {
  if (value === undefined || value.trim() === '') return DEFAULT_PUBLIC_RATE_LIMIT;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 1) {
    throw new Error(
      `COLDTRACE_PUBLIC_RATE_LIMIT must be a whole number of requests per minute (at least 1), not ${JSON.stringify(value)}`,
    );
  }
  return n;
}

/**
 * pageLang picks the page language: `?lang=zh|en` first, then Accept-Language when it names Chinese or English (the
 * one it prefers), and Chinese otherwise, since the people who scan these codes are in China.
 */
export function pageLang(req: FastifyRequest): Lang {
  const q = textField(req.query, 'lang');
  if (q === 'zh' || q === 'en') return q;
  const header = req.headers['accept-language'];
  if (header && /(^|[\s,])(zh|en)([-_;,\s]|$)/i.test(header)) return langOf(header);
  return 'zh';
}

/** textField reads a string field of an untyped request part (an error handler's params, a shared handler's query). */
function textField(part: unknown, name: string): string | undefined {
  if (typeof part !== 'object' || part === null || !(name in part)) return undefined;
  const v: unknown = Reflect.get(part, name);
  return typeof v === 'string' ? v : undefined;
}

const str = { type: 'string' } as const;
const strOrNull = { type: ['string', 'null'] } as const;
const int = { type: 'integer' } as const;
const obj = (properties: Record<string, unknown>) =>
  ({ type: 'object', required: Object.keys(properties), properties }) as const;
const list = (items: unknown) => ({ type: 'array', items }) as const;

/** vouchSchema is the node whose log holds a fact, and how far the node showing it trusts it. */
const vouchSchema = {
  ...obj({ origin: str, node: str, trust: { type: 'string', enum: ['own', 'witnessed', 'unverified', 'platform'] } }),
  description:
    "own: this node's log; witnessed: a peer's log, in a checkpoint that meets this node's witness policy; unverified: a peer's entry not yet witnessed, or of a peer marked forked or unreachable",
} as const;

/** publicLotSchema describes PublicLotView for OpenAPI (and serialises it: a field left out here is dropped). */
const publicLotSchema = obj({
  lang: { type: 'string', enum: ['zh', 'en'] },
  code: str,
  codeText: str,
  carton: { ...obj({ serial: int, code: str }), type: ['object', 'null'] },
  holder: {
    ...obj({ name: str, regionName: strOrNull }),
    type: ['object', 'null'],
    description: 'the business the scan named with ?holder=, when it received the lot',
  },
  status: obj({
    colour: { type: 'string', enum: ['green', 'yellow', 'red'] },
    label: str,
    reasons: list(obj({ code: str, text: str })),
  }),
  product: obj({ name: str, zh: strOrNull, en: strOrNull, category: str, categoryLabel: str }),
  origin: obj({ country: str, name: str }),
  producer: obj({ name: str, registrationNo: str, country: str, countryName: str }),
  entry: obj({ date: str, port: str }),
  dates: obj({ production: str, expiry: str }),
  documents: list(
    obj({
      kind: str,
      label: str,
      present: { type: 'boolean' },
      number: strOrNull,
      issuer: strOrNull,
      issuedOn: strOrNull,
      verified: {
        type: 'boolean',
        description: 'the file is stored and its SHA-256, recomputed now, equals the hash on the log',
      },
    }),
  ),
  tests: obj({ taken: int, negative: int, positive: int, pending: int }),
  journey: list(
    obj({
      kind: {
        type: 'string',
        description:
          'entry, warehouse_arrival, disinfection, exit_certificate, received, transformed, province_arrival (the goods reached another province; no business named)',
      },
      label: str,
      place: str,
      region: strOrNull,
      regionName: strOrNull,
      at: { type: 'string', description: 'YYYY-MM-DD for entry, else ISO 8601' },
      ref: strOrNull,
      vouchedBy: vouchSchema,
    }),
  ),
  madeFrom: list(
    obj({
      code: str,
      codeText: str,
      product: obj({ name: str, zh: strOrNull, en: strOrNull }),
      status: { type: 'string', enum: ['green', 'yellow', 'red'] },
      statusLabel: str,
    }),
  ),
  distribution: {
    ...obj({
      businesses: int,
      provinces: list(obj({ region: str, regionName: str, businesses: int })),
    }),
    description: 'how many businesses received the lot, by province; none is named',
  },
  verify: obj({
    checkpointSize: { type: ['integer', 'null'] },
    proofs: list(
      obj({
        record: { type: 'string', enum: ['lot', 'document', 'exit_certificate'] },
        document: { ...strOrNull, description: 'the kind of document, for a document record' },
        label: { ...str, description: 'what the entry records, in the chosen language' },
        logIndex: int,
        url: { ...strOrNull, description: 'inclusion proof in the latest checkpoint, once it covers the entry' },
      }),
    ),
  }),
  vouchedBy: { ...vouchSchema, description: "the node whose log holds the lot's record as shown" },
  resolvedVia: {
    type: 'string',
    enum: ['this_node', 'mirror'],
    description: "mirror: this node holds nothing of the lot itself and shows a peer's log, read through its mirror",
  },
});

const other = (lang: Lang): Lang => (lang === 'zh' ? 'en' : 'zh');
const pageHref = (code: string, lang: Lang, holder?: string) =>
  `/t/${encodeURIComponent(code)}?lang=${lang}${holder ? `&holder=${encodeURIComponent(holder)}` : ''}`;

const PAGE = '/t/:code';
const codeParams = {
  type: 'object',
  required: ['code'],
  properties: {
    code: {
      type: 'string',
      description:
        'a trace code (11 characters, any case, hyphens allowed) or a carton code (trace code, hyphen, 5-digit serial)',
    },
  },
} as const;
const langQuery = {
  type: 'object',
  properties: {
    lang: {
      type: 'string',
      maxLength: 10,
      description: 'zh or en; anything else is ignored and Accept-Language decides',
    },
    holder: {
      type: 'string',
      maxLength: 40,
      description:
        'the unified social credit code of the business where the goods were scanned: the journey then names the businesses on their way to it (ignored when it did not receive the lot)',
    },
  },
} as const;

function sendHtml(reply: FastifyReply, status: number, page: string) {
  return reply.status(status).headers(PAGE_HEADERS).header('vary', 'accept-language').send(page);
}

/**
 * publicRoutes serves what anyone may read without a token: the lot page a QR code opens (`/t/{code}`, HTML), its
 * JSON twin (`/t/{code}.json`), and GS1 Digital Link paths that redirect to it. They live in their own encapsulated
 * scope with their own rate limit per client address (COLDTRACE_PUBLIC_RATE_LIMIT per minute, shared by all of
 * them), so the limit touches no other route. Over the limit the page answers with a short HTML page, the others
 * with the JSON error RateLimited; both with 429 and Retry-After.
 */
export async function publicRoutes(app: Api, deps: Deps) {
  const max = publicRateLimit();
  await app.register(async (scope) => {
    const pub = scope.withTypeProvider<TypeBoxTypeProvider>();
    await pub.register(rateLimit, {
      max,
      timeWindow: 60_000,
      cache: 10_000,
      errorResponseBuilder: (_req, ctx) =>
        new AppError('RateLimited', {
          reason: `more than ${ctx.max} requests a minute`,
          retryAfter: Math.max(1, Math.ceil(ctx.ttl / 1000)),
        }),
    });
    // The page answers its own refusals in HTML; everything else falls through to the app's JSON error handler.
    pub.setErrorHandler((err, req, reply) => {
      if (req.routeOptions.url === PAGE && err instanceof AppError && err.code === 'RateLimited') {
        const retryAfter = Number(err.details.retryAfter ?? 60);
        const lang = pageLang(req);
        const code = textField(req.params, 'code') ?? '';
        const page = renderRateLimitedPage({ lang, toggleHref: pageHref(code, other(lang)) }, retryAfter);
        return sendHtml(reply.header('retry-after', String(retryAfter)), 429, page);
      }
      throw err;
    });

    const tags = ['public'];
    pub.get(
      PAGE,
      {
        schema: {
          tags,
          summary: 'The public lot page a QR code opens (HTML, zh or en, no login, no personal data)',
          description:
            'Unknown codes, and codes whose check character does not match (probably a typo), get a friendly 404 page.',
          params: codeParams,
          querystring: langQuery,
          produces: ['text/html'],
          response: {
            200: content('The lot page', 'text/html'),
            404: content('A page saying no lot has this code', 'text/html'),
            429: content('A page asking to wait', 'text/html'),
          },
        },
      },
      async (req, reply) => {
        const lang = pageLang(req);
        const input = req.params.code;
        const check = checkPublicCode(input);
        const { holder } = req.query;
        const view =
          check.ok || (await recognisedCode(deps, input)) ? await publicLotView(deps, input, lang, holder) : null;
        if (!view) {
          // A well-formed code this node and its mirrors hold nothing of: the page says which node to ask.
          const ask = check.ok ? await whereToAsk(deps, check.value.lotCode, lang) : undefined;
          return sendHtml(
            reply,
            404,
            renderNotFoundPage({ lang, toggleHref: pageHref(input, other(lang)) }, input, !check.ok && check.typo, ask),
          );
        }
        const toggle = pageHref(view.carton?.code ?? view.code, other(lang), view.holder ? holder : undefined);
        return sendHtml(reply, 200, renderLotPage(view, toggle));
      },
    );

    pub.get(
      '/t/:code.json',
      {
        schema: {
          tags,
          summary: 'The public lot page as JSON: the same view, in the chosen language',
          params: codeParams,
          querystring: langQuery,
          response: { 200: publicLotSchema },
        },
      },
      async (req, reply) => {
        const input = req.params.code;
        const check = checkPublicCode(input);
        const { holder } = req.query;
        const lang = pageLang(req);
        const view =
          check.ok || (await recognisedCode(deps, input)) ? await publicLotView(deps, input, lang, holder) : null;
        if (!view) {
          const reason = check.ok ? 'no lot has this code, on this node or in its mirrors' : check.reason;
          const ask = check.ok ? await whereToAsk(deps, check.value.lotCode, lang) : undefined;
          throw new AppError('LotNotFound', {
            field: 'code',
            reason,
            code: input,
            typo: !check.ok && check.typo,
            ...(ask ? { ask } : {}),
          });
        }
        return reply.header('cache-control', 'no-cache').header('vary', 'accept-language').send(view);
      },
    );

    const digitalLink = async (req: FastifyRequest, reply: FastifyReply) => {
      const link = parseLotLink(req.url);
      if (!link.ok) throw new AppError('ValidationFailed', { in: 'path', field: 'path', reason: link.reason });
      const code = await digitalLinkTarget(deps, link.value.gtin, link.value.lot, link.value.serial);
      if (code === null) {
        throw new AppError('LotNotFound', {
          field: 'path',
          reason: `no lot was declared with GTIN ${link.value.gtin} and batch ${link.value.lot}`,
        });
      }
      const lang = textField(req.query, 'lang');
      return reply.redirect(
        `/t/${encodeURIComponent(code)}${lang === 'zh' || lang === 'en' ? `?lang=${lang}` : ''}`,
        302,
      );
    };
    const dlParams = (names: string[]) => ({
      type: 'object',
      required: names,
      properties: Object.fromEntries(names.map((n) => [n, { type: 'string' }])),
    });
    const redirect = { description: 'Found: the Location header holds the public page of the lot' };
    const dlDescription =
      'Validated as a GS1 Digital Link (check digit, AI order, CSET 82): 400 names what is wrong; 404 when no lot has that GTIN and batch.';
    pub.get(
      '/01/:gtin/10/:lot',
      {
        schema: {
          tags,
          summary: 'GS1 Digital Link for a lot: redirects (302) to /t/{code}',
          description: dlDescription,
          params: dlParams(['gtin', 'lot']),
          querystring: langQuery,
          response: { 302: redirect },
        },
      },
      digitalLink,
    );
    pub.get(
      '/01/:gtin/10/:lot/21/:serial',
      {
        schema: {
          tags,
          summary:
            'GS1 Digital Link for a carton: redirects (302) to /t/{carton code}, or to the lot if the serial is not an issued carton',
          description: dlDescription,
          params: dlParams(['gtin', 'lot', 'serial']),
          querystring: langQuery,
          response: { 302: redirect },
        },
      },
      digitalLink,
    );
    // Any other path under /01/ is a Digital Link too, malformed or out of order: parseLotLink says what is wrong.
    pub.get('/01/*', { schema: { hide: true, response: { 302: redirect } } }, digitalLink);
  });
}
