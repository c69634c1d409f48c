import { incidentReport200 } from './replies.ts';
import { binary, content } from '../../schemas.ts';
import type { FastifyRequest } from 'fastify';
import type { Deps } from '../../../app/deps.ts';
import { FSMA_MAX_LOTS, fsma204Report } from '../../../app/recall/fsma204.ts';
import { incidentReport } from '../../../app/recall/reports.ts';
import { traceEpcis } from '../../../app/recall/trace-epcis.ts';

import { TRACE_DIRECTIONS } from '../../../app/recall/trace.ts';

import { FSMA_CTES, fsmaCsv } from '../../../reports/fsma204.ts';
import { fsmaXlsx } from '../../../reports/fsma204-xlsx.ts';
import { incidentReportPdf } from '../../../reports/incident-pdf.ts';
import { incidentReportCsv } from '../../../reports/incident-report.ts';
import { requireActor } from '../../auth.ts';
import { idParam, isoTime, msOf, secured } from '../../schemas.ts';
import type { Api } from '../../schemas.ts';

const CSV = 'text/csv; charset=utf-8';
const PDF = 'application/pdf';
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const LD_JSON = 'application/ld+json';

/** formatOf picks a report format: `?format=` when given, else the first of `offered` that Accept names, else the default. */
function formatOf<F extends string>(
  req: FastifyRequest,
  query: F | undefined,
  offered: Readonly<Record<F, string>>,
  fallback: F,
): F {
  if (query) return query;
  const accept = String(req.headers.accept ?? '').toLowerCase();
  const named = (Object.keys(offered) as F[]).find((f) => accept.includes(offered[f].split(';')[0]!));
  return named ?? fallback;
}

const attachment = (name: string) => `attachment; filename="${name}"`;

/**
 * reportRoutes serves the reports: an incident's report (JSON, CSV or PDF), the FDA FSMA 204 sortable spreadsheet
 * (XLSX or CSV), and a trace as an EPCIS 2.0 document.
 */
export async function reportRoutes(app: Api, deps: Deps) {
  const tags = ['reports'];
  app.get(
    '/v1/incidents/:id/report',
    {
      schema: {
        tags,
        summary:
          'The incident report: what, where, who, quantities, timeline and contacts, as JSON, CSV or a bilingual A4 PDF (as GET /v1/incidents/{id} sees it)',
        security: secured,
        params: idParam,
        response: {
          200: {
            description: 'The report as JSON, CSV or PDF',
            content: {
              'application/json': { schema: incidentReport200 },
              'text/csv': { schema: binary },
              'application/pdf': { schema: binary },
            },
          },
        },
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            format: { type: 'string', enum: ['json', 'csv', 'pdf'], description: 'default json, or after Accept' },
          },
        },
      },
    },
    async (req, reply) => {
      const id = req.params.id;
      const format = formatOf(req, req.query.format, { json: 'application/json', csv: CSV, pdf: PDF }, 'json');
      const report = await incidentReport(deps, requireActor(req), id);
      const name = `incident-${report.incident.number}-report`;
      if (format === 'csv')
        return reply
          .header('content-type', CSV)
          .header('content-disposition', attachment(`${name}.csv`))
          .send(incidentReportCsv(report));
      if (format === 'pdf')
        return reply
          .header('content-type', PDF)
          .header('content-disposition', attachment(`${name}.pdf`))
          .send(await incidentReportPdf(report));
      return report;
    },
  );

  app.get(
    '/v1/reports/fsma204',
    {
      schema: {
        tags,
        summary:
          'FDA FSMA 204 electronic sortable spreadsheet for lots and a date range: XLSX with one tab per CTE, or CSV (regulators, customs, auditors; a business for lots it held, its own records)',
        security: secured,
        response: { 200: content('The FSMA 204 sortable spreadsheet, as XLSX or CSV', XLSX, 'text/csv') },
        querystring: {
          type: 'object',
          additionalProperties: false,
          required: ['lotIds'],
          properties: {
            lotIds: {
              type: 'string',
              minLength: 1,
              maxLength: 40_000,
              description: `comma-separated lot ids or trace codes (at most ${FSMA_MAX_LOTS})`,
            },
            from: { ...isoTime, description: 'first event time, ISO 8601 with offset' },
            to: { ...isoTime, description: 'last event time, ISO 8601 with offset' },
            expand: {
              type: 'boolean',
              default: false,
              description: 'add every lot in the trace of the given ones, forward and backward',
            },
            format: { type: 'string', enum: ['xlsx', 'csv'], description: 'default xlsx, or after Accept' },
            cte: { type: 'string', enum: FSMA_CTES, description: 'CSV only: that tab alone, with exactly its columns' },
          },
        },
      },
    },
    async (req, reply) => {
      const q = req.query;
      const format = formatOf(req, q.format, { xlsx: XLSX, csv: CSV }, 'xlsx');
      const lots = q.lotIds
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
      const { sheets } = await fsma204Report(deps, requireActor(req), {
        lots,
        expand: q.expand,
        ...(q.from ? { from: msOf('from', q.from) } : {}),
        ...(q.to ? { to: msOf('to', q.to) } : {}),
      });
      const name = `fsma204-${new Date(deps.clock.now()).toISOString().slice(0, 10)}`;
      if (format === 'csv') {
        return reply
          .header('content-type', CSV)
          .header('content-disposition', attachment(`${name}${q.cte ? `-${q.cte}` : ''}.csv`))
          .send(fsmaCsv(sheets, q.cte));
      }
      return reply
        .header('content-type', XLSX)
        .header('content-disposition', attachment(`${name}.xlsx`))
        .send(await fsmaXlsx(sheets, new Date(deps.clock.now())));
    },
  );

  app.get(
    '/v1/lots/:id/trace.epcis',
    {
      schema: {
        tags,
        summary: 'The trace as an EPCIS 2.0 document: every event of every lot in it (regulators, customs, auditors)',
        security: secured,
        response: {
          200: {
            description: 'An EPCIS 2.0 document',
            content: { [LD_JSON]: { schema: { description: 'EPCIS 2.0 JSON-LD' } } },
          },
        },
        params: {
          type: 'object',
          required: ['id'],
          properties: {
            id: { type: 'string', minLength: 1, maxLength: 64, description: 'lot id, trace code or carton code' },
          },
        },
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { direction: { type: 'string', enum: TRACE_DIRECTIONS, default: 'both' } },
        },
      },
    },
    async (req, reply) => {
      const doc = await traceEpcis(deps, requireActor(req), req.params.id, req.query.direction ?? 'both');
      return reply.header('content-type', `${LD_JSON}; charset=utf-8`).send(JSON.stringify(doc));
    },
  );
}
