import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import {
  CreateReportBodySchema,
  CreateReportResponseSchema,
  ErrorBodySchema,
  PublicReportSchema,
  RateBodySchema,
  TrackBodySchema,
  type ErrorBody,
  type PublicReport,
  type Report,
} from '@lifeline/protocol';
import { compileParser } from '@lifeline/protocol/validate';
import { ReportLimiter } from '../../core/line1022/reportLimiter.ts';
import { normalizePhone } from '../store/callers.ts';
import type { Db } from '../store/db.ts';
import { getMedia, getReportByTrackingHash, insertMedia, loadRoutingData, type Executor } from '../store/reports.ts';
import { trackingHash, type ReportService } from '../../services/reports.ts';
import type { MediaStore, StagedMedia } from '../media/mediaStore.ts';
import { receiveUploads } from '../media/uploads.ts';

export interface Line1022Deps {
  db: Db;
  reports: ReportService;
  media: MediaStore;
  limiter?: ReportLimiter;
}

const err = (code: ErrorBody['code'], message: string): ErrorBody => ({ code, message });
const Errors = { 400: ErrorBodySchema, 404: ErrorBodySchema, 409: ErrorBodySchema, 413: ErrorBodySchema, 429: ErrorBodySchema };
const parseReport = compileParser(CreateReportBodySchema);

/** What the citizen may see of their own report. */
export function publicView(r: Report): PublicReport {
  return {
    number: r.number,
    type: r.type,
    categoryId: r.categoryId,
    description: r.description,
    state: r.state,
    agencyName: r.agencyName,
    answer: r.answer,
    answeredAt: r.answeredAt,
    rating: r.rating,
    media: r.media.map((m) => ({ id: m.id, kind: m.kind, contentType: m.contentType })),
    createdAt: r.createdAt,
  };
}

/**
 * Publishes staged photos and records them inside the report's transaction; if the transaction
 * fails the published files are removed again (the caller discards what is still staged).
 */
export async function publishAll(d: Pick<Line1022Deps, 'media'>, db: Executor, staged: StagedMedia[], reportId: string, kind: 'citizen' | 'agency', agencyId: string | null, published: string[]): Promise<void> {
  for (const m of staged) {
    const name = await d.media.publish(m);
    published.push(name);
    await insertMedia(db, { id: m.id, reportId, kind, agencyId, contentType: m.contentType, bytes: m.bytes, fileName: name });
  }
}

/**
 * The citizen's side of line 1022: no login. Reports are limited per phone number and per address;
 * a report is read back only with its tracking code (sent in the body or a header, never in the
 * URL, so it stays out of access logs).
 */
export const line1022PublicRoutes =
  (d: Line1022Deps): FastifyPluginAsyncTypebox =>
  async (app) => {
    const limiter = d.limiter ?? new ReportLimiter();

    app.get(
      '/api/public/report-categories',
      { config: { access: 'public' }, schema: { response: { 200: Type.Array(Type.Object({ id: Type.String(), nameVi: Type.String(), nameEn: Type.String() })) } } },
      async () => (await loadRoutingData(d.db)).categories.map((c) => ({ id: c.id, nameVi: c.nameVi, nameEn: c.nameEn })),
    );

    // multipart/form-data: a `report` field (JSON, CreateReportBody) first, then up to 4 `photo` files.
    app.post('/api/public/reports', { config: { access: 'public' }, schema: { response: { 201: CreateReportResponseSchema, ...Errors } } }, async (req, reply) => {
      const up = await receiveUploads(req, d.media, ['report']);
      if (!up.ok) return reply.code(up.status).send(err(up.code, up.message));
      const parsed = parseReport.parseJson(up.fields.report ?? '');
      if (!parsed.ok) {
        await d.media.discard(up.staged);
        return reply.code(400).send(err('BAD_REQUEST', `report: ${parsed.error}`));
      }
      const verdict = limiter.take(normalizePhone(parsed.value.callerPhone), req.ip, Date.now());
      if (!verdict.allowed) {
        await d.media.discard(up.staged);
        return reply
          .code(429)
          .header('retry-after', String(verdict.retryAfterSec))
          .send(err('TOO_MANY_ATTEMPTS', `too many reports from this ${verdict.by === 'phone' ? 'phone number' : 'address'}; try again in ${verdict.retryAfterSec} s or call 1022`));
      }
      const published: string[] = [];
      try {
        const r = await d.reports.create({ ...parsed.value, channel: 'web' }, 'citizen', {
          withTrackingCode: true,
          media: (reportId, trx) => publishAll(d, trx, up.staged, reportId, 'citizen', null, published),
        });
        if (!r.ok) {
          await d.media.discard(up.staged);
          return reply.code(400).send(err(r.code, r.message));
        }
        return reply.code(201).send({ report: r.report, trackingCode: r.trackingCode });
      } catch (e) {
        await d.media.discard(up.staged, published);
        throw e;
      }
    });

    app.post('/api/public/reports/track', { config: { access: 'public' }, schema: { body: TrackBodySchema, response: { 200: PublicReportSchema, ...Errors } } }, async (req, reply) => {
      const r = await getReportByTrackingHash(d.db, trackingHash(req.body.code));
      return r ? publicView(r) : reply.code(404).send(err('NOT_FOUND', 'no report with this code'));
    });

    app.post('/api/public/reports/rate', { config: { access: 'public' }, schema: { body: RateBodySchema, response: { 200: PublicReportSchema, ...Errors } } }, async (req, reply) => {
      const r = await d.reports.rate(req.body.code, req.body.rating);
      if (r.ok) return publicView(r.report);
      return reply.code(r.code === 'NOT_FOUND' ? 404 : r.code === 'BAD_REQUEST' ? 400 : 409).send(err(r.code, r.message));
    });

    // A photo of one's own report: the tracking code in the X-Tracking-Code header.
    app.get(
      '/api/public/media/:mediaId',
      { config: { access: 'public' }, schema: { params: Type.Object({ mediaId: Type.String({ format: 'uuid' }) }), headers: Type.Object({ 'x-tracking-code': Type.Optional(Type.String({ maxLength: 40 })) }) } },
      async (req, reply) => {
        const code = req.headers['x-tracking-code'];
        const m = await getMedia(d.db, req.params.mediaId);
        if (!m || !code || m.tracking_hash !== trackingHash(code)) return reply.code(404).send(err('NOT_FOUND', 'no such photo'));
        return sendMedia(d.media, m, reply);
      },
    );
  };

/** Streams a stored photo with headers that stop a browser from reading it as anything else. */
export async function sendMedia(store: MediaStore, m: { file_name: string; content_type: string }, reply: import('fastify').FastifyReply) {
  const f = await store.open(m.file_name);
  if (!f) return reply.code(404).send(err('NOT_FOUND', 'no such photo'));
  return reply
    .type(m.content_type)
    .header('content-length', String(f.bytes))
    .header('x-content-type-options', 'nosniff')
    .header('cache-control', 'private, no-store')
    .header('content-security-policy', "default-src 'none'")
    .send(f.stream);
}
