import { sql } from 'kysely';
import type { IncidentRow } from '../../core/sim/replay.ts';
import type { SimStation, SimUnit } from '../../core/sim/model.ts';
import type { Db } from './db.ts';

/** Most incidents one replay reads (a busy province has a few thousand calls a day). */
export const MAX_REPLAY_INCIDENTS = 200_000;

/**
 * The centre's incidents received in [from, to), cancelled ones left out, with the first time of
 * each milestone of their timeline. Reads no caller data. Uses incidents' primary key and the
 * timeline index; bounded by `limit`.
 */
export async function loadIncidentWindow(db: Db, from: Date, to: Date, limit = MAX_REPLAY_INCIDENTS): Promise<IncidentRow[]> {
  const rows = await db
    .selectFrom('incidents as i')
    .leftJoin('incident_events as e', (j) => j.onRef('e.incident_id', '=', 'i.id').on('e.type', 'in', ['UnitOnScene', 'PatientTransporting', 'UnitAtHospital', 'IncidentClosed']))
    .where('i.created_at', '>=', from)
    .where('i.created_at', '<', to)
    .where('i.state', '<>', 'cancelled')
    .groupBy('i.id')
    .select([
      'i.created_at',
      'i.lat',
      'i.lng',
      'i.priority',
      sql<Date | null>`min(e.ts) FILTER (WHERE e.type = 'UnitOnScene')`.as('on_scene_at'),
      sql<Date | null>`min(e.ts) FILTER (WHERE e.type = 'PatientTransporting')`.as('transporting_at'),
      sql<Date | null>`min(e.ts) FILTER (WHERE e.type = 'UnitAtHospital')`.as('at_hospital_at'),
      sql<Date | null>`min(e.ts) FILTER (WHERE e.type = 'IncidentClosed')`.as('closed_at'),
    ])
    .orderBy('i.created_at')
    .orderBy('i.id')
    .limit(limit)
    .execute();
  const ms = (d: Date | null) => (d ? d.getTime() : null);
  return rows.map((r) => ({
    receivedAtMs: r.created_at.getTime(),
    lat: r.lat,
    lng: r.lng,
    priority: r.priority,
    onSceneAtMs: ms(r.on_scene_at),
    transportingAtMs: ms(r.transporting_at),
    atHospitalAtMs: ms(r.at_hospital_at),
    closedAtMs: ms(r.closed_at),
  }));
}

/** Stations and the units based at them (units without a station are not part of a planned fleet). */
export async function loadSimFleet(db: Db): Promise<{ stations: SimStation[]; units: SimUnit[] }> {
  const stations = await db.selectFrom('stations').select(['id', 'lat', 'lng']).orderBy('id').execute();
  const index = new Map(stations.map((s, i) => [s.id, i]));
  const vehicles = await db.selectFrom('vehicles').select(['id', 'station_id']).where('station_id', 'is not', null).orderBy('id').execute();
  return {
    stations: stations.map((s, i) => ({ id: s.id, lat: s.lat, lng: s.lng, zone: i })),
    units: vehicles.flatMap((v) => (index.has(v.station_id!) ? [{ id: v.id, home: index.get(v.station_id!)! }] : [])),
  };
}
