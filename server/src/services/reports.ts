import { createHash, randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import type { CreateReportBody, Report } from '@lifeline/protocol';
import { deadlineHoursFor, prepareAgencies, routeReport } from '../core/line1022/routing.ts';
import { dueAt, transition, type ReportActor, type ReportCommand } from '../core/line1022/reportMachine.ts';
import { normalizePhone } from '../adapters/store/callers.ts';
import type { Db } from '../adapters/store/db.ts';
import { appendReportEvent, getReport, loadRoutingData, lockReport, type Executor } from '../adapters/store/reports.ts';

/** Crockford base32: no I, L, O, U — read out over the phone without confusion. */
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** 80 random bits as XXXX-XXXX-XXXX-XXXX: unguessable, and short enough to type from a receipt. */
export function newTrackingCode(): string {
  const bytes = randomBytes(10);
  let bits = 0n;
  for (const b of bytes) bits = (bits << 8n) | BigInt(b);
  let s = '';
  for (let i = 0; i < 16; i++) s = ALPHABET[Number((bits >> BigInt(5 * i)) & 31n)]! + s;
  return s.match(/.{4}/g)!.join('-');
}

/** The stored form: case and dashes ignored, and O/I/L read as 0/1/1 like Crockford says. */
export function trackingHash(code: string): string {
  const norm = code.toUpperCase().replace(/-/g, '').replace(/O/g, '0').replace(/[IL]/g, '1');
  return createHash('sha256').update(norm).digest('base64url');
}

export type ReportOutcome = { ok: true; report: Report } | { ok: false; code: 'NOT_FOUND' | 'INVALID_TRANSITION' | 'BAD_REQUEST'; message: string };

/** Line 1022 reports: intake, routing, the agencies' work and the citizen's rating (one workflow). */
export class ReportService {
  constructor(private readonly db: Db) {}

  /**
   * Creates a report and routes a field report by rule, in one transaction with its first timeline
   * events. `media` runs inside the same transaction (the citizen's photos), so a refused photo
   * leaves no report behind.
   */
  async create(body: CreateReportBody, actor: string, opts: { withTrackingCode: boolean; media?: (reportId: string, trx: Executor) => Promise<void> }): Promise<{ ok: true; report: Report; trackingCode: string } | { ok: false; code: 'BAD_REQUEST'; message: string }> {
    const routing = await loadRoutingData(this.db);
    if (body.type === 'field_report' && !body.categoryId) return { ok: false, code: 'BAD_REQUEST', message: 'a field report needs a category' };
    if (body.categoryId && !routing.categories.some((c) => c.id === body.categoryId)) return { ok: false, code: 'BAD_REQUEST', message: `no category ${body.categoryId}` };
    const phone = normalizePhone(body.callerPhone);
    const flagged = (await this.db.selectFrom('callers').select('flagged').where('phone', '=', phone).executeTakeFirst())?.flagged ?? false;
    const route = body.type === 'field_report' && body.categoryId ? routeReport(body.location ?? null, body.categoryId, routing.categories, prepareAgencies(routing.agencies)) : null;
    const trackingCode = newTrackingCode();
    const now = new Date();
    const id = await this.db.transaction().execute(async (trx) => {
      const row = await trx
        .insertInto('reports')
        .values({
          type: body.type,
          channel: body.channel ?? 'phone',
          category_id: body.categoryId ?? null,
          description: body.description,
          lat: body.location?.lat ?? null,
          lng: body.location?.lng ?? null,
          address: body.address ?? null,
          caller_phone: phone,
          caller_name: body.callerName ?? null,
          caller_flagged: flagged,
          tracking_hash: opts.withTrackingCode ? trackingHash(trackingCode) : null,
          state: route?.ok ? 'forwarded' : 'received',
          agency_id: route?.ok ? route.agencyId : null,
          unrouted: route !== null && !route.ok,
          forwarded_at: route?.ok ? now : null,
          due_at: route?.ok ? dueAt(now, route.deadlineHours) : null,
          was_forwarded: route?.ok ?? false,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      await appendReportEvent(trx, row.id, 'ReportReceived', actor, { type: body.type, channel: body.channel ?? 'phone', categoryId: body.categoryId ?? null, ...(flagged ? { callerFlagged: true } : {}) });
      if (route?.ok) await appendReportEvent(trx, row.id, 'ReportRouted', 'system', { agencyId: route.agencyId, rule: route.rule, deadlineHours: route.deadlineHours });
      else if (route) await appendReportEvent(trx, row.id, 'ReportUnrouted', 'system', { reason: route.reason });
      if (opts.media) await opts.media(row.id, trx);
      return row.id;
    });
    return { ok: true, report: (await getReport(this.db, id))!, trackingCode };
  }

  /**
   * One step of the report's life (forward, accept, pass on, send back, answer, close): checked by
   * the state machine on the locked row, written with its timeline event in one transaction.
   */
  async act(id: string, who: ReportActor, actor: string, cmd: ReportCommand, extra: { reason?: string; text?: string } = {}): Promise<ReportOutcome> {
    const routing = cmd.kind === 'forward' || cmd.kind === 'pass_on' ? await loadRoutingData(this.db) : null;
    if (routing && 'agencyId' in cmd && !routing.agencies.some((a) => a.id === cmd.agencyId)) return { ok: false, code: 'BAD_REQUEST', message: `no agency ${cmd.agencyId}` };
    const outcome = await this.db.transaction().execute(async (trx): Promise<ReportOutcome | null> => {
      const r = await lockReport(trx, id);
      if (!r) return { ok: false, code: 'NOT_FOUND', message: 'no such report' };
      const t = transition({ state: r.state as Report['state'], agencyId: r.agency_id, answered: r.answer !== null, rated: r.rating !== null }, who, cmd);
      if (!t.ok) return t;
      const now = new Date();
      const set: Record<string, unknown> = { state: t.state, agency_id: t.agencyId, updated_at: sql`now()`, version: sql`version + 1` };
      const data: Record<string, unknown> = {};
      if (cmd.kind === 'forward' || cmd.kind === 'pass_on') {
        const hours = deadlineHoursFor(
          routing!.agencies.find((a) => a.id === cmd.agencyId),
          routing!.categories.find((c) => c.id === r.category_id),
          96,
        );
        Object.assign(set, { forwarded_at: now, due_at: dueAt(now, hours), was_forwarded: true, unrouted: false });
        Object.assign(data, { agencyId: cmd.agencyId, fromAgencyId: r.agency_id, deadlineHours: hours, reason: extra.reason });
      }
      if (cmd.kind === 'send_back') Object.assign(set, { due_at: null }), Object.assign(data, { fromAgencyId: r.agency_id, reason: extra.reason });
      if (cmd.kind === 'answer') {
        Object.assign(set, { answer: extra.text, answered_at: now });
        // The first answer is what "answered within the deadline" measures.
        if (!r.first_answered_at) Object.assign(set, { first_answered_at: now, answered_due_at: r.due_at });
        data.text = extra.text;
      }
      if (cmd.kind === 'close') Object.assign(set, { closed_at: now });
      await trx.updateTable('reports').set(set).where('id', '=', id).execute();
      await appendReportEvent(trx, id, t.event, actor, data);
      return null;
    });
    return outcome ?? { ok: true, report: (await getReport(this.db, id))! };
  }

  /** The citizen's verdict on a closed report, once. */
  async rate(code: string, rating: 'satisfied' | 'unsatisfied'): Promise<ReportOutcome> {
    const row = await this.db.selectFrom('reports').select('id').where('tracking_hash', '=', trackingHash(code)).executeTakeFirst();
    if (!row) return { ok: false, code: 'NOT_FOUND', message: 'no report with this code' };
    const outcome = await this.db.transaction().execute(async (trx): Promise<ReportOutcome | null> => {
      const r = (await lockReport(trx, row.id))!;
      const t = transition({ state: r.state as Report['state'], agencyId: r.agency_id, answered: r.answer !== null, rated: r.rating !== null }, { kind: 'centre' }, { kind: 'rate' });
      if (!t.ok) return t;
      await trx.updateTable('reports').set({ rating, updated_at: sql`now()`, version: sql`version + 1` }).where('id', '=', row.id).execute();
      await appendReportEvent(trx, row.id, t.event, 'citizen', { rating });
      return null;
    });
    return outcome ?? { ok: true, report: (await getReport(this.db, row.id))! };
  }
}
