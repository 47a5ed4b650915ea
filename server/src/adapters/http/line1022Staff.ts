import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply } from 'fastify';
import { Type } from '@sinclair/typebox';
import {
  AnswerBodySchema,
  CreateReportBodySchema,
  CreateReportResponseSchema,
  ErrorBodySchema,
  ForwardBodySchema,
  Line1022ImportSchema,
  ReasonOnlyBodySchema,
  ReportSchema,
  ReportTimelineEventSchema,
  type ErrorBody,
  type Report,
  type User,
} from '@lifeline/protocol';
import { compileParser } from '@lifeline/protocol/validate';
import { computeLine1022Kpis, line1022KpisToCsv, type Line1022GroupBy } from '../../core/line1022/kpi.ts';
import type { ReportActor, ReportCommand } from '../../core/line1022/reportMachine.ts';
import type { ReportOutcome } from '../../services/reports.ts';
import { receiveUploads } from '../media/uploads.ts';
import { csvToImport, importLine1022 } from '../store/line1022Import.ts';
import { getMedia, getReport, line1022Rows, listReports, loadRoutingData, reportTimeline } from '../store/reports.ts';
import { publishAll, sendMedia, type Line1022Deps } from './line1022Public.ts';

const err = (code: ErrorBody['code'], message: string): ErrorBody => ({ code, message });
const Errors = { 400: ErrorBodySchema, 401: ErrorBodySchema, 403: ErrorBodySchema, 404: ErrorBodySchema, 409: ErrorBodySchema, 413: ErrorBodySchema };
const statusFor = (code: string) => (code === 'NOT_FOUND' ? 404 : code === 'BAD_REQUEST' ? 400 : 409);
const Params = Type.Object({ id: Type.String({ format: 'uuid' }) });
const parseImport = compileParser(Line1022ImportSchema);
const KpiQuery = Type.Object({
  from: Type.String({ format: 'date-time' }),
  to: Type.String({ format: 'date-time' }),
  groupBy: Type.Optional(Type.String({ pattern: '^(agency|category|type|channel)(,(agency|category|type|channel))*$' })),
});

const actorOf = (u: User) => `${u.role}:${u.username}`;
const whoOf = (u: User): ReportActor => (u.role === 'agency' ? { kind: 'agency', agencyId: u.agencyId ?? '' } : { kind: 'centre' });

/**
 * May this user see this report? The centre sees every report; an agency only those it holds now.
 * Anything else is answered as "not found", so report ids reveal nothing to other agencies.
 */
export const maySee = (u: User, r: { agencyId: string | null }) => u.role !== 'agency' || (u.agencyId !== null && u.agencyId !== undefined && r.agencyId === u.agencyId);

/** The centre's and the agencies' side of line 1022, and the supervisor's KPIs. */
export const line1022StaffRoutes =
  (d: Line1022Deps): FastifyPluginAsyncTypebox =>
  async (app) => {
    const reply = (r: ReportOutcome, res: FastifyReply) => (r.ok ? res.code(200).send(r.report) : res.code(statusFor(r.code)).send(err(r.code, r.message)));

    // --- the centre: intake by phone, list, forward (override), answer, close -----------------
    app.post('/api/reports', { config: { access: 'dispatch' }, schema: { body: CreateReportBodySchema, response: { 201: CreateReportResponseSchema, ...Errors } } }, async (req, res) => {
      const r = await d.reports.create(req.body, actorOf(req.user!), { withTrackingCode: true });
      return r.ok ? res.code(201).send({ report: r.report, trackingCode: r.trackingCode }) : res.code(400).send(err(r.code, r.message));
    });
    app.get(
      '/api/reports',
      { config: { access: 'reports' }, schema: { querystring: Type.Object({ open: Type.Optional(Type.Boolean()) }), response: { 200: Type.Array(ReportSchema) } } },
      async (req) => {
        const u = req.user!;
        return listReports(d.db, { open: req.query.open ?? false, ...(u.role === 'agency' ? { agencyId: u.agencyId ?? '' } : {}) });
      },
    );
    app.get('/api/reports/:id', { config: { access: 'reports' }, schema: { params: Params, response: { 200: ReportSchema, ...Errors } } }, async (req, res) => {
      const r = await getReport(d.db, req.params.id);
      return r && maySee(req.user!, r) ? r : res.code(404).send(err('NOT_FOUND', 'no such report'));
    });
    app.get('/api/reports/:id/timeline', { config: { access: 'reports' }, schema: { params: Params, response: { 200: Type.Array(ReportTimelineEventSchema), ...Errors } } }, async (req, res) => {
      const r = await getReport(d.db, req.params.id);
      return r && maySee(req.user!, r) ? reportTimeline(d.db, r.id) : res.code(404).send(err('NOT_FOUND', 'no such report'));
    });
    app.get('/api/reports/:id/media/:mediaId', { config: { access: 'reports' }, schema: { params: Type.Object({ id: Type.String({ format: 'uuid' }), mediaId: Type.String({ format: 'uuid' }) }) } }, async (req, res) => {
      const m = await getMedia(d.db, req.params.mediaId);
      if (!m || m.report_id !== req.params.id || !maySee(req.user!, { agencyId: m.agency_id })) return res.code(404).send(err('NOT_FOUND', 'no such photo'));
      return sendMedia(d.media, m, res);
    });
    app.post('/api/reports/:id/forward', { config: { access: 'dispatch' }, schema: { params: Params, body: ForwardBodySchema, response: { 200: ReportSchema, ...Errors } } }, async (req, res) =>
      reply(await d.reports.act(req.params.id, { kind: 'centre' }, actorOf(req.user!), { kind: 'forward', agencyId: req.body.agencyId }, { reason: req.body.reason }), res),
    );

    // --- both: answer and close (the machine decides who may, by state and holder) -------------
    for (const [path, access] of [
      ['/api/reports/:id', 'dispatch'],
      ['/api/agency/reports/:id', 'agency'],
    ] as const) {
      app.post(`${path}/answer`, { config: { access }, schema: { params: Params, body: AnswerBodySchema, response: { 200: ReportSchema, ...Errors } } }, async (req, res) =>
        reply(await d.reports.act(req.params.id, whoOf(req.user!), actorOf(req.user!), { kind: 'answer' }, { text: req.body.text }), res),
      );
      app.post(`${path}/close`, { config: { access }, schema: { params: Params, response: { 200: ReportSchema, ...Errors } } }, async (req, res) =>
        reply(await d.reports.act(req.params.id, whoOf(req.user!), actorOf(req.user!), { kind: 'close' }), res),
      );
    }

    // --- agencies, scoped to their own reports ----------------------------------------------
    app.post('/api/agency/reports/:id/accept', { config: { access: 'agency' }, schema: { params: Params, response: { 200: ReportSchema, ...Errors } } }, async (req, res) =>
      reply(await d.reports.act(req.params.id, whoOf(req.user!), actorOf(req.user!), { kind: 'accept' }), res),
    );
    app.post('/api/agency/reports/:id/pass-on', { config: { access: 'agency' }, schema: { params: Params, body: ForwardBodySchema, response: { 200: ReportSchema, ...Errors } } }, async (req, res) => {
      const cmd: ReportCommand = { kind: 'pass_on', agencyId: req.body.agencyId };
      return reply(await d.reports.act(req.params.id, whoOf(req.user!), actorOf(req.user!), cmd, { reason: req.body.reason }), res);
    });
    app.post('/api/agency/reports/:id/send-back', { config: { access: 'agency' }, schema: { params: Params, body: ReasonOnlyBodySchema, response: { 200: ReportSchema, ...Errors } } }, async (req, res) =>
      reply(await d.reports.act(req.params.id, whoOf(req.user!), actorOf(req.user!), { kind: 'send_back' }, { reason: req.body.reason }), res),
    );
    // Photos of the fix: multipart, up to 4 `photo` files; only while the agency holds the report.
    app.post('/api/agency/reports/:id/media', { config: { access: 'agency' }, schema: { params: Params, response: { 201: ReportSchema, ...Errors } } }, async (req, res) => {
      const u = req.user!;
      const before = await getReport(d.db, req.params.id);
      if (!before || !maySee(u, before)) return res.code(404).send(err('NOT_FOUND', 'no such report'));
      if (before.state !== 'accepted') return res.code(409).send(err('INVALID_TRANSITION', 'accept the report before attaching photos'));
      const up = await receiveUploads(req, d.media, []);
      if (!up.ok) return res.code(up.status).send(err(up.code, up.message));
      if (up.staged.length === 0) return res.code(400).send(err('BAD_REQUEST', 'no photo in the request'));
      const published: string[] = [];
      try {
        await d.db.transaction().execute(async (trx) => {
          await publishAll(d, trx, up.staged, before.id, 'agency', u.agencyId ?? null, published);
          await trx.insertInto('report_events').values({ report_id: before.id, type: 'MediaAttached', actor: actorOf(u), data: JSON.stringify({ count: up.staged.length, mediaIds: up.staged.map((m) => m.id) }) }).execute();
        });
      } catch (e) {
        await d.media.discard(up.staged, published);
        throw e;
      }
      return res.code(201).send((await getReport(d.db, before.id))!);
    });

    // --- administration: categories and agencies as data ---------------------------------------
    app.get('/api/line1022/config', { config: { access: 'reports' }, schema: { response: { 200: Type.Any() } } }, async () => {
      const r = await loadRoutingData(d.db);
      return { categories: r.categories, agencies: r.agencies.map((a) => ({ id: a.id, name: a.name, categories: a.categories, hasArea: a.area !== null })) };
    });
    // JSON (Line1022Import) or CSV (?kind=categories|agencies, text/csv).
    app.addContentTypeParser('text/csv', { parseAs: 'string', bodyLimit: 1024 * 1024 }, (_req, body, done) => done(null, body));
    app.post(
      '/api/line1022/import',
      {
        config: { access: 'administer' },
        bodyLimit: 1024 * 1024,
        schema: { querystring: Type.Object({ kind: Type.Optional(Type.Union([Type.Literal('categories'), Type.Literal('agencies')])) }), response: { 200: Type.Object({ categories: Type.Integer(), agencies: Type.Integer() }), ...Errors } },
      },
      async (req, res) => {
        let body: unknown = req.body;
        if (typeof req.body === 'string') {
          if (!req.query.kind) return res.code(400).send(err('BAD_REQUEST', 'a CSV import names its kind: ?kind=categories or ?kind=agencies'));
          const c = csvToImport(req.query.kind, req.body);
          if (!c.ok) return res.code(400).send(err('BAD_REQUEST', c.message));
          body = c.body;
        }
        const v = parseImport.validate(body);
        if (!v.ok) return res.code(400).send(err('BAD_REQUEST', v.error));
        const r = await importLine1022(d.db, v.value);
        return r.ok ? { categories: r.categories, agencies: r.agencies } : res.code(400).send(err(r.code, r.message));
      },
    );

    // --- KPIs (supervisors) -----------------------------------------------------------------
    const kpis = async (q: { from: string; to: string; groupBy?: string }) => {
      const groupBy = (q.groupBy ? q.groupBy.split(',') : []) as Line1022GroupBy[];
      return { groupBy, groups: computeLine1022Kpis(await line1022Rows(d.db, new Date(q.from), new Date(q.to)), groupBy) };
    };
    app.get('/api/line1022/kpis', { config: { access: 'review' }, schema: { querystring: KpiQuery, response: { 200: Type.Any() } } }, async (req) => kpis(req.query));
    app.get('/api/line1022/kpis.csv', { config: { access: 'review' }, schema: { querystring: KpiQuery } }, async (req, res) => {
      const { groupBy, groups } = await kpis(req.query);
      return res.type('text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="lifeline-1022-kpis.csv"').send(line1022KpisToCsv(groups, groupBy));
    });
  };

export type { Report };
