import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../../../app/errors.ts';
import { CT_NS, CT_PREFIX } from '../../../epcis/identifiers.ts';
import type { CbvFormat } from '../../../epcis/xml-write.ts';
import { queryDocumentXml } from '../../../epcis/xml-write.ts';

/** QueryForm is how a query answer is written: JSON-LD, or XML with CBV values in a given form. */
export type QueryForm = { readonly kind: 'json' } | { readonly kind: 'xml'; readonly cbv: CbvFormat };

const SERVED: Readonly<Record<string, 'json' | 'xml'>> = {
  'application/json': 'json',
  'application/ld+json': 'json',
  'application/xml': 'xml',
  'text/xml': 'xml',
  'application/*': 'json',
  'text/*': 'xml',
  '*/*': 'json',
};
const CBV_FORMATS: Readonly<Record<string, CbvFormat>> = {
  Always_URN: 'urn',
  Always_Web_URI: 'web',
  Never_Translates: 'asis',
  No_Preference: 'urn',
};
/** EXTENSIONS are the EPCIS extensions we serve, as GS1-Extensions writes them (prefix=namespace). */
export const EXTENSIONS = `${CT_PREFIX}=${CT_NS}`;

function notAcceptable(field: string, reason: string): AppError {
  return new AppError('NotAcceptable', { in: 'headers', field, reason });
}

function header(req: FastifyRequest, name: string): string | undefined {
  const v = req.headers[name.toLowerCase()];
  return Array.isArray(v) ? v.join(',') : v;
}

/** compareVersions compares dotted version numbers (2.0 = 2.0.0); NaN parts compare as 0. */
function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] || 0) - (pb[i] || 0);
    if (d !== 0) return Math.sign(d);
  }
  return 0;
}

function checkVersion(req: FastifyRequest, kind: 'EPCIS' | 'CBV'): void {
  const exact = header(req, `GS1-${kind}-Version`);
  if (exact !== undefined && compareVersions(exact.trim(), '2.0.0') !== 0)
    throw notAcceptable(`GS1-${kind}-Version`, `only ${kind} 2.0.0 is served, not ${exact}`);
  const min = header(req, `GS1-${kind}-Min`);
  if (min !== undefined && compareVersions(min.trim(), '2.0.0') > 0)
    throw notAcceptable(`GS1-${kind}-Min`, `only ${kind} 2.0.0 is served, below ${min}`);
  const max = header(req, `GS1-${kind}-Max`);
  if (max !== undefined && compareVersions(max.trim(), '2.0.0') < 0)
    throw notAcceptable(`GS1-${kind}-Max`, `only ${kind} 2.0.0 is served, above ${max}`);
}

/** mediaKind picks, from an Accept header, the kind of answer the client prefers among those served. */
function mediaKind(accept: string | undefined): 'json' | 'xml' | null {
  if (accept === undefined || accept.trim() === '') return 'json';
  const ranges = accept
    .split(',')
    .map((part, i) => {
      const [type = '', ...params] = part.split(';').map((s) => s.trim().toLowerCase());
      const q = params.find((p) => p.startsWith('q='));
      return { type, q: q ? Number(q.slice(2)) : 1, i };
    })
    .filter((r) => r.q > 0 && SERVED[r.type] !== undefined)
    .sort((a, b) => b.q - a.q || a.i - b.i);
  return ranges[0] ? SERVED[ranges[0].type]! : null;
}

/**
 * queryForm reads how a query answer should be written from the request's Accept, GS1-EPCIS-Version/-Min/-Max,
 * GS1-CBV-Version/-Min/-Max, GS1-CBV-XML-Format and GS1-Extensions headers; what cannot be served is NotAcceptable
 * (406) naming the header.
 */
export function queryForm(req: FastifyRequest): QueryForm {
  const kind = mediaKind(header(req, 'accept'));
  if (kind === null)
    throw notAcceptable('accept', 'answers are application/ld+json, application/json, application/xml or text/xml');
  checkVersion(req, 'EPCIS');
  checkVersion(req, 'CBV');
  const extensions = header(req, 'GS1-Extensions');
  if (extensions !== undefined) {
    const unknown = extensions
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '' && s !== EXTENSIONS && s !== CT_PREFIX && s !== CT_NS);
    if (unknown.length > 0)
      throw notAcceptable('GS1-Extensions', `extensions not served: ${unknown.join(', ')} (served: ${EXTENSIONS})`);
  }
  const format = header(req, 'GS1-CBV-XML-Format');
  const cbv = format === undefined ? 'urn' : CBV_FORMATS[format.trim()];
  if (cbv === undefined)
    throw new AppError('ValidationFailed', {
      in: 'headers',
      field: 'GS1-CBV-XML-Format',
      reason: `must be one of ${Object.keys(CBV_FORMATS).join(', ')}`,
    });
  return kind === 'json' ? { kind } : { kind, cbv };
}

/**
 * sendQueryDocument answers with an EPCISQueryDocument in the form queryForm read from the request: as given
 * (JSON-LD) or written as EPCIS 2.0 XML.
 */
export function sendQueryDocument(
  reply: FastifyReply,
  form: QueryForm,
  document: Record<string, unknown>,
): FastifyReply | Record<string, unknown> {
  void reply.header('GS1-Extensions', EXTENSIONS);
  if (form.kind === 'json') return document;
  const format = Object.entries(CBV_FORMATS).find(([, f]) => f === form.cbv)?.[0] ?? 'Always_URN';
  return reply
    .header('GS1-CBV-XML-Format', format)
    .type('application/xml; charset=utf-8')
    .send(queryDocumentXml(document, form.cbv));
}
