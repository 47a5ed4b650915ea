import { sql } from 'kysely';
import type { AreaReplay, IncidentReplay, TrackPoint } from '@lifeline/protocol';
import type { IncidentTimes } from '../../core/kpi.ts';
import type { Db } from './db.ts';
import { getIncident, timeline } from './incidents.ts';

/** Margin around an incident's life shown in its replay. */
const REPLAY_MARGIN_MS = 5 * 60 * 1000;

/** Tracks of the given units in [from, to]; one index range scan per unit on (vehicle_id, recorded_at). */
export async function tracks(db: Db, vehicleIds: readonly string[], from: Date, to: Date, limitPerUnit = 20_000): Promise<Record<string, TrackPoint[]>> {
  const out: Record<string, TrackPoint[]> = {};
  for (const id of vehicleIds) {
    const rows = await db
      .selectFrom('vehicle_positions')
      .select(['recorded_at', 'lat', 'lng', 'speed_mps', 'heading_deg'])
      .where('vehicle_id', '=', id)
      .where('recorded_at', '>=', from)
      .where('recorded_at', '<=', to)
      .orderBy('recorded_at')
      .limit(limitPerUnit)
      .execute();
    out[id] = rows.map((r) => ({ t: r.recorded_at.toISOString(), lat: r.lat, lng: r.lng, speedMps: r.speed_mps, headingDeg: r.heading_deg }));
  }
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
  }>`
    SELECT i.line, i.category, i.priority, i.created_at,
      min(e.ts) FILTER (WHERE e.type = 'UnitAssigned') AS assigned_at,
      min(e.ts) FILTER (WHERE e.type = 'UnitEnRoute') AS en_route_at,
      min(e.ts) FILTER (WHERE e.type = 'UnitOnScene') AS on_scene_at,
      min(e.ts) FILTER (WHERE e.type = 'UnitAtHospital') AS at_hospital_at,
      min(e.ts) FILTER (WHERE e.type = 'IncidentClosed') AS closed_at,
      min(e.ts) FILTER (WHERE e.type = 'IncidentCancelled') AS cancelled_at
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
  }));
}
