import { sql, type Selectable, type Transaction } from 'kysely';
import type { Report, ReportState } from '@lifeline/protocol';
import type { Line1022Row } from '../../core/line1022/kpi.ts';
import type { AgencyInput, Area, CategoryInput } from '../../core/line1022/routing.ts';
import type { Database, Db } from './db.ts';
import type { ReportsTable } from './line1022Db.ts';

export type Executor = Db | Transaction<Database>;

type ReportRow = Selectable<ReportsTable> & { agency_name: string | null };

const iso = (d: Date | null) => (d ? d.toISOString() : null);

function toReport(r: ReportRow, media: Report['media']): Report {
  return {
    id: r.id,
    number: r.number,
    type: r.type as Report['type'],
    channel: r.channel as Report['channel'],
    categoryId: r.category_id,
    description: r.description,
    location: r.lat !== null && r.lng !== null ? { lat: r.lat, lng: r.lng } : null,
    address: r.address,
    callerPhone: r.caller_phone,
    callerName: r.caller_name,
    callerFlagged: r.caller_flagged,
    state: r.state as ReportState,
    agencyId: r.agency_id,
    agencyName: r.agency_name,
    unrouted: r.unrouted,
    dueAt: iso(r.due_at),
    answer: r.answer,
    answeredAt: iso(r.answered_at),
    rating: r.rating as Report['rating'],
    media,
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
  };
}

const reportQuery = (db: Executor) =>
  db.selectFrom('reports').leftJoin('agencies', 'agencies.id', 'reports.agency_id').selectAll('reports').select('agencies.name as agency_name');

async function withMedia(db: Executor, rows: ReportRow[]): Promise<Report[]> {
  if (rows.length === 0) return [];
  const media = await db
    .selectFrom('report_media')
    .select(['id', 'report_id', 'kind', 'content_type', 'bytes'])
    .where('report_id', 'in', rows.map((r) => r.id))
    .orderBy('created_at')
    .execute();
  return rows.map((r) =>
    toReport(
      r,
      media.filter((m) => m.report_id === r.id).map((m) => ({ id: m.id, kind: m.kind as 'citizen' | 'agency', contentType: m.content_type, bytes: m.bytes })),
    ),
  );
}

export async function getReport(db: Executor, id: string): Promise<Report | null> {
  const row = await reportQuery(db).where('reports.id', '=', id).executeTakeFirst();
  return row ? ((await withMedia(db, [row]))[0] ?? null) : null;
}

export async function getReportByTrackingHash(db: Executor, hash: string): Promise<Report | null> {
  const row = await reportQuery(db).where('reports.tracking_hash', '=', hash).executeTakeFirst();
  return row ? ((await withMedia(db, [row]))[0] ?? null) : null;
}

/** The centre's list (every agency) or one agency's; open ones first by deadline. */
export async function listReports(db: Executor, opts: { agencyId?: string; open?: boolean; limit?: number }): Promise<Report[]> {
  let q = reportQuery(db);
  if (opts.agencyId !== undefined) q = q.where('reports.agency_id', '=', opts.agencyId);
  if (opts.open) q = q.where('reports.state', '<>', 'closed');
  const rows = await q
    .orderBy(sql`reports.due_at NULLS LAST`)
    .orderBy('reports.created_at', 'asc')
    .limit(opts.limit ?? 500)
    .execute();
  return withMedia(db, rows);
}

/** Locks the row for a state change (the caller holds a transaction). */
export async function lockReport(trx: Transaction<Database>, id: string) {
  return trx.selectFrom('reports').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
}

export async function appendReportEvent(db: Executor, reportId: string, type: string, actor: string, data: Record<string, unknown> = {}): Promise<void> {
  await db.insertInto('report_events').values({ report_id: reportId, type, actor, data: JSON.stringify(data) }).execute();
}

export async function reportTimeline(db: Executor, reportId: string) {
  const rows = await db.selectFrom('report_events').select(['ts', 'type', 'actor', 'data']).where('report_id', '=', reportId).orderBy('id', 'asc').execute();
  return rows.map((r) => ({ ts: r.ts.toISOString(), type: r.type, actor: r.actor, data: r.data }));
}

/** Categories and agencies as the routing core takes them. */
export async function loadRoutingData(db: Executor): Promise<{ categories: (CategoryInput & { nameVi: string; nameEn: string })[]; agencies: (AgencyInput & { name: string })[] }> {
  const [cats, ags, links] = await Promise.all([
    db.selectFrom('report_categories').selectAll().orderBy('sort').orderBy('id').execute(),
    db.selectFrom('agencies').selectAll().orderBy('id').execute(),
    db.selectFrom('agency_categories').selectAll().execute(),
  ]);
  return {
    categories: cats.map((c) => ({ id: c.id, nameVi: c.name_vi, nameEn: c.name_en, defaultAgencyId: c.default_agency_id, deadlineHours: c.deadline_hours })),
    agencies: ags.map((a) => ({
      id: a.id,
      name: a.name,
      area: (a.area as Area | null) ?? null,
      categories: Object.fromEntries(links.filter((l) => l.agency_id === a.id).map((l) => [l.category_id, l.deadline_hours])),
    })),
  };
}

export async function insertMedia(db: Executor, m: { id: string; reportId: string; kind: 'citizen' | 'agency'; agencyId: string | null; contentType: string; bytes: number; fileName: string }) {
  await db
    .insertInto('report_media')
    .values({ id: m.id, report_id: m.reportId, kind: m.kind, agency_id: m.agencyId, content_type: m.contentType, bytes: m.bytes, file_name: m.fileName })
    .execute();
}

export async function getMedia(db: Executor, mediaId: string) {
  return db.selectFrom('report_media').innerJoin('reports', 'reports.id', 'report_media.report_id').select(['report_media.id', 'report_media.report_id', 'report_media.content_type', 'report_media.file_name', 'reports.agency_id', 'reports.tracking_hash']).where('report_media.id', '=', mediaId).executeTakeFirst();
}

/** 1022 requests created in [from, to): reports and the line's emergencies. */
export async function line1022Rows(db: Executor, from: Date, to: Date): Promise<Line1022Row[]> {
  const [reports, emergencies] = await Promise.all([
    db
      .selectFrom('reports')
      .select(['type', 'channel', 'category_id', 'agency_id', 'was_forwarded', 'first_answered_at', 'answered_due_at', 'rating'])
      .where('created_at', '>=', from)
      .where('created_at', '<', to)
      .execute(),
    db.selectFrom('incidents').select(['channel', 'category']).where('line', '=', '1022').where('created_at', '>=', from).where('created_at', '<', to).execute(),
  ]);
  return [
    ...reports.map((r) => ({
      type: r.type as Line1022Row['type'],
      channel: r.channel,
      categoryId: r.category_id,
      agencyId: r.agency_id,
      wasForwarded: r.was_forwarded,
      firstAnsweredAt: r.first_answered_at,
      answeredDueAt: r.answered_due_at,
      rating: r.rating as Line1022Row['rating'],
    })),
    ...emergencies.map((e) => ({ type: 'emergency' as const, channel: e.channel, categoryId: null, agencyId: null, wasForwarded: false, firstAnsweredAt: null, answeredDueAt: null, rating: null })),
  ];
}
