import { sql } from 'kysely';
import type { AreaReplay, IncidentReplay, TrackPoint } from '@lifeline/protocol';
import type { IncidentTimes } from '../../core/kpi.ts';
import type { Db } from './db.ts';
import { getIncident, timeline } from './incidents.ts';

/** Margin around an incident's life shown in its replay. */
const REPLAY_MARGIN_MS = 5 * 60 * 1000;

/**
 * Tracks of the given units in [from, to], at most `limitPerUnit` points each: one statement for
 * all units (one index range scan per unit on (vehicle_id, recorded_at)), with the JSON built by
 * PostgreSQL, so a replay costs one round trip and one JSON.parse per unit instead of a round
 * trip per unit and an object per row decoded by the driver.
 */
export async function tracks(db: Db, vehicleIds: readonly string[], from: Date, to: Date, limitPerUnit = 20_000): Promise<Record<string, TrackPoint[]>> {
  const out: Record<string, TrackPoint[]> = {};
  if (vehicleIds.length === 0) return out;
  const { rows } = await sql<{ vehicle_id: string; track: string }>`
    SELECT u.id AS vehicle_id, t.track
    FROM unnest(${[...vehicleIds]}::text[]) AS u(id)
    CROSS JOIN LATERAL (
      SELECT coalesce(json_agg(json_build_object(
               't', to_char(p.recorded_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
               'lat', p.lat, 'lng', p.lng, 'speedMps', p.speed_mps, 'headingDeg', p.heading_deg) ORDER BY p.recorded_at), '[]')::text AS track
      FROM (SELECT recorded_at, lat, lng, speed_mps, heading_deg FROM vehicle_positions
            WHERE vehicle_id = u.id AND recorded_at >= ${from} AND recorded_at <= ${to}
            ORDER BY recorded_at LIMIT ${limitPerUnit}) p
    ) t`.execute(db);
  for (const r of rows) out[r.vehicle_id] = JSON.parse(r.track) as TrackPoint[];
  return out;
}

/** Everything needed to replay one incident: the incident, its timeline and every involved unit's track. */
export async function incidentReplay(db: Db, incidentId: string): Promise<IncidentReplay | null> {
  const incident = await getIncident(db, incidentId);
  if (!incident) return null;
  const events = await timeline(db, incidentId);
  const units = (await db.selectFrom('assignments').select('vehicle_id').distinct().where('incident_id', '=', incidentId).execute()).map((r) => r.vehicle_id);
  const start = new Date(Date.parse(incident.createdAt) - REPLAY_MARGIN_MS);
  const last = events.length ? Date.parse(events[events.length - 1]!.ts) : Date.parse(incident.updatedAt);
  const end = new Date(Math.max(last, Date.parse(incident.updatedAt)) + REPLAY_MARGIN_MS);
  return { incident, events, window: { from: start.toISOString(), to: end.toISOString() }, tracks: await tracks(db, units, start, end) };
}

/** Units seen in an area during a time window, with their tracks (any time window and area replay). */
export async function areaReplay(db: Db, from: Date, to: Date, bbox: { south: number; west: number; north: number; east: number }, maxUnits = 200): Promise<AreaReplay> {
  const { rows } = await sql<{ vehicle_id: string }>`
    SELECT DISTINCT vehicle_id FROM vehicle_positions
    WHERE recorded_at BETWEEN ${from} AND ${to}
      AND lat BETWEEN ${bbox.south} AND ${bbox.north} AND lng BETWEEN ${bbox.west} AND ${bbox.east}
    LIMIT ${maxUnits}`.execute(db);
  const units = rows.map((r) => r.vehicle_id).sort();
  const incidents = await db
    .selectFrom('incidents')
    .select(['id'])
    .where('created_at', '>=', from)
    .where('created_at', '<=', to)
    .where('lat', '>=', bbox.south)
    .where('lat', '<=', bbox.north)
    .where('lng', '>=', bbox.west)
    .where('lng', '<=', bbox.east)
    .orderBy('created_at')
    .limit(500)
    .execute();
  const withEvents = await Promise.all(incidents.map(async (i) => ({ incident: (await getIncident(db, i.id))!, events: await timeline(db, i.id) })));
  return { window: { from: from.toISOString(), to: to.toISOString() }, tracks: await tracks(db, units, from, to), incidents: withEvents };
}

/** Milestones of every incident created in [from, to), from the first event of each kind. */
export async function incidentTimes(db: Db, from: Date, to: Date): Promise<IncidentTimes[]> {
  const { rows } = await sql<{
    line: string;
    category: string;
    priority: number;
    created_at: Date;
    assigned_at: Date | null;
    en_route_at: Date | null;
    on_scene_at: Date | null;
    at_hospital_at: Date | null;
    closed_at: Date | null;
    cancelled_at: Date | null;
    merged_at: Date | null;
  }>`
    SELECT i.line, i.category, i.priority, i.created_at,
      min(e.ts) FILTER (WHERE e.type = 'UnitAssigned') AS assigned_at,
      min(e.ts) FILTER (WHERE e.type = 'UnitEnRoute') AS en_route_at,
      min(e.ts) FILTER (WHERE e.type = 'UnitOnScene') AS on_scene_at,
      min(e.ts) FILTER (WHERE e.type = 'UnitAtHospital') AS at_hospital_at,
      min(e.ts) FILTER (WHERE e.type = 'IncidentClosed') AS closed_at,
      min(e.ts) FILTER (WHERE e.type = 'IncidentCancelled') AS cancelled_at,
      min(e.ts) FILTER (WHERE e.type = 'MergedInto') AS merged_at
    FROM incidents i LEFT JOIN incident_events e ON e.incident_id = i.id
    WHERE i.created_at >= ${from} AND i.created_at < ${to}
    GROUP BY i.id
    ORDER BY i.created_at`.execute(db);
  const ms = (d: Date | null) => (d ? d.getTime() : null);
  return rows.map((r) => ({
    line: r.line,
    category: r.category,
    priority: r.priority,
    createdAt: r.created_at.getTime(),
    assignedAt: ms(r.assigned_at),
    enRouteAt: ms(r.en_route_at),
    onSceneAt: ms(r.on_scene_at),
    atHospitalAt: ms(r.at_hospital_at),
    closedAt: ms(r.closed_at),
    cancelledAt: ms(r.cancelled_at),
    mergedAt: ms(r.merged_at),
  }));
}
