import { sql, type Selectable } from 'kysely';
import type { Caller, PossibleDuplicate } from '@lifeline/protocol';
import { boundingBox, haversineM } from '../../core/geo.ts';
import type { Db, IncidentsTable } from './db.ts';
import { toIncident } from './incidents.ts';

/**
 * One form per number, so "0912 345 678", "0912.345.678" and "+84 912 345 678" are the same
 * caller: separators dropped, Vietnam's +84 / 84 country code written as the national 0.
 */
export function normalizePhone(raw: string): string {
  let p = raw.replace(/[\s().-]/g, '');
  if (p.startsWith('+84')) p = '0' + p.slice(3);
  else if (/^84\d{9}$/.test(p)) p = '0' + p.slice(2);
  return p;
}

/**
 * The caller's flag, number of calls and latest calls, in one statement (one round trip and one
 * snapshot: this runs on every new call).
 */
export async function getCaller(db: Db, phone: string, recentLimit = 5): Promise<Caller> {
  const p = normalizePhone(phone);
  const rows = await db
    .selectFrom(db.selectFrom('incidents').select(db.fn.countAll<string>().as('calls')).where('caller_phone', '=', p).as('n'))
    .leftJoin('callers as c', (j) => j.on('c.phone', '=', p))
    .leftJoinLateral(
      (eb) => eb.selectFrom('incidents').selectAll().where('caller_phone', '=', p).orderBy('created_at', 'desc').limit(recentLimit).as('r'),
      (j) => j.onTrue(),
    )
    .selectAll('r')
    .select(['n.calls', 'c.flagged', 'c.flag_reason'])
    .orderBy('r.created_at', 'desc')
    .execute();
  const first = rows[0];
  // Without calls the lateral join still yields one row, all of its incident columns null.
  const recent = rows.filter((r) => r.id !== null).map((r) => toIncident(r as Selectable<IncidentsTable>));
  return { phone: p, flagged: first?.flagged ?? false, flagReason: first?.flag_reason ?? null, calls: Number(first?.calls ?? 0), recent };
}

export async function setCallerFlag(db: Db, phone: string, flagged: boolean, reason: string | null, actor: string): Promise<void> {
  const p = normalizePhone(phone);
  await db
    .insertInto('callers')
    .values({ phone: p, flagged, flag_reason: reason, flagged_by: actor })
    .onConflict((oc) => oc.column('phone').doUpdateSet({ flagged, flag_reason: reason, flagged_by: actor, updated_at: sql<Date>`now()` }))
    .execute();
}

/** Open incidents of the same category created within `withinMin` minutes and `radiusM` metres. */
export async function possibleDuplicates(
  db: Db,
  incident: { id: string; category: string; location: { lat: number; lng: number }; createdAt: string },
  radiusM = 500,
  withinMin = 30,
): Promise<PossibleDuplicate[]> {
  const created = Date.parse(incident.createdAt);
  // The box lets PostgreSQL drop far-away calls, so only near ones cross the wire; the exact
  // distance is tested below.
  const box = boundingBox(incident.location, radiusM);
  let q = db
    .selectFrom('incidents')
    .select(['id', 'number', 'state', 'lat', 'lng', 'created_at'])
    .where('category', '=', incident.category)
    .where('state', 'not in', ['closed', 'cancelled'])
    .where('id', '!=', incident.id)
    .where('created_at', '>=', new Date(created - withinMin * 60_000))
    .where('lat', '>=', box.minLat)
    .where('lat', '<=', box.maxLat);
  if (box.lng) q = q.where('lng', '>=', box.lng.min).where('lng', '<=', box.lng.max);
  const rows = await q.execute();
  return rows
    .map((r) => ({
      incidentId: r.id,
      number: r.number,
      state: r.state as PossibleDuplicate['state'],
      distanceM: Math.round(haversineM(incident.location, r)),
      minutesAgo: Math.round((created - r.created_at.getTime()) / 6000) / 10,
    }))
    .filter((d) => d.distanceM <= radiusM)
    .sort((a, b) => a.distanceM - b.distanceM);
}

/** Records that a user read (or flagged) a caller's history: the access log of sql/009. */
export async function logCallerAccess(db: Db, userId: string, phone: string, action: 'history' | 'flag'): Promise<void> {
  await db.insertInto('caller_access_log').values({ user_id: userId, phone: normalizePhone(phone), action }).execute();
}

export interface CallerAccess {
  userId: string;
  username: string;
  phone: string;
  action: 'history' | 'flag';
  accessedAt: string;
}

/** The latest reads of callers' histories, newest first; of one number when `phone` is given. */
export async function callerAccessLog(db: Db, q: { phone?: string; limit: number }): Promise<CallerAccess[]> {
  let query = db
    .selectFrom('caller_access_log as l')
    .innerJoin('users as u', 'u.id', 'l.user_id')
    .select(['l.user_id', 'u.username', 'l.phone', 'l.action', 'l.accessed_at'])
    .orderBy('l.accessed_at', 'desc')
    .orderBy('l.id', 'desc')
    .limit(q.limit);
  if (q.phone !== undefined) query = query.where('l.phone', '=', normalizePhone(q.phone));
  return (await query.execute()).map((r) => ({ userId: r.user_id, username: r.username, phone: r.phone, action: r.action, accessedAt: r.accessed_at.toISOString() }));
}
