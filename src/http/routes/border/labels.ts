import { content } from '../../schemas.ts';
import type { Deps } from '../../../app/deps.ts';
import { lotLabelsPdf, lotQr } from '../../../app/border/labels.ts';
import { requireActor } from '../../auth.ts';
import { idParam, secured } from '../../schemas.ts';
import type { Api } from '../../schemas.ts';

/** labelRoutes serves a lot's printable label sheet and its QR codes. */
export async function labelRoutes(app: Api, deps: Deps) {
  const tags = ['labels'];
  const id = (req: { params: { id: string } }) => req.params.id;
  app.get(
    '/v1/lots/:id/labels.pdf',
    {
      schema: {
        tags,
        summary: 'Printable A4 label sheet: one label per carton code, or `copies` lot labels',
        security: secured,
        response: { 200: content('The label sheet', 'application/pdf') },
        params: idParam,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { copies: { type: 'integer', minimum: 1, maximum: 20000 } },
        },
      },
    },
    async (req, reply) => {
      const pdf = await lotLabelsPdf(deps, requireActor(req), id(req), req.query.copies);
      return reply
        .header('content-type', 'application/pdf')
        .header('content-disposition', `inline; filename="labels-${id(req)}.pdf"`)
        .send(pdf);
    },
  );
  for (const format of ['svg', 'png'] as const) {
    app.get(
      `/v1/lots/:id/qr.${format}`,
      {
        schema: {
          tags,
          summary: `The lot's QR code (or a carton's, with ?serial=) as ${format.toUpperCase()}`,
          security: secured,
          response: { 200: content('The QR code', format === 'svg' ? 'image/svg+xml' : 'image/png') },
          params: idParam,
          querystring: {
            type: 'object',
            additionalProperties: false,
            properties: { serial: { type: 'integer', minimum: 1, maximum: 99999 } },
          },
        },
      },
      async (req, reply) => {
        const qr = await lotQr(deps, requireActor(req), id(req), format, req.query.serial);
        return reply.header('content-type', qr.type).header('cache-control', 'private, max-age=86400').send(qr.body);
      },
    );
  }
}
