import { sql, type Transaction } from 'kysely';
import type { Hospital, UnitStatus } from '@lifeline/protocol';
import type { Database, Db } from './db.ts';

type Executor = Db | Transaction<Database>;

export interface StoredVehicle {
  id: string;
  callSign: string;
  status: UnitStatus;
  online: boolean;
  incidentId: string | null;
  statusChangedAtMs: number;
  last: { lat: number; lng: number; recordedAtMs: number; speedMps: number | null; headingDeg: number | null } | null;
}

/** Every unit with its latest stored position (one index probe per unit, not a table scan). */
export async function loadVehicles(db: Executor): Promise<StoredVehicle[]> {
  const { rows } = await sql<{
    id: string;
    call_sign: string;
    status: UnitStatus;
    online: boolean;
    incident_id: string | null;
    status_changed_at: Date;
    lat: number | null;
    lng: number | null;
    recorded_at: Date | null;
    speed_mps: number | null;
    heading_deg: number | null;
  }>`
    SELECT v.id, v.call_sign, v.status, v.online, v.incident_id, v.status_changed_at, p.lat, p.lng, p.recorded_at, p.speed_mps, p.heading_deg
    FROM vehicles v
    LEFT JOIN LATERAL (
      SELECT lat, lng, recorded_at, speed_mps, heading_deg FROM vehicle_positions
      WHERE vehicle_id = v.id ORDER BY recorded_at DESC LIMIT 1
    ) p ON true
    ORDER BY v.id`.execute(db);
  return rows.map((r) => ({
    id: r.id,
    callSign: r.call_sign,
    status: r.status,
    online: r.online,
    incidentId: r.incident_id,
    statusChangedAtMs: r.status_changed_at.getTime(),
    last:
      r.lat !== null && r.lng !== null && r.recorded_at
        ? { lat: r.lat, lng: r.lng, recordedAtMs: r.recorded_at.getTime(), speedMps: r.speed_mps, headingDeg: r.heading_deg }
        : null,
  }));
}

/** Units' status, incident and online flag as committed (`ids`, or every unit when null); no positions. */
export async function readUnitStates(db: Executor, ids: string[] | null): Promise<Omit<StoredVehicle, 'last'>[]> {
  if (ids !== null && ids.length === 0) return [];
  let q = db.selectFrom('vehicles').select(['id', 'call_sign', 'status', 'online', 'incident_id', 'status_changed_at']);
  if (ids !== null) q = q.where('id', 'in', ids);
  const rows = await q.execute();
  return rows.map((r) => ({
    id: r.id,
    callSign: r.call_sign,
    status: r.status as UnitStatus,
    online: r.online,
    incidentId: r.incident_id,
    statusChangedAtMs: new Date(r.status_changed_at as Date).getTime(),
  }));
}

/** Registers a unit seen for the first time; a no-op when it exists. */
export async function ensureVehicle(db: Executor, id: string, callSign = id): Promise<void> {
  await db
    .insertInto('vehicles')
    .values({ id, call_sign: callSign })
    .onConflict((oc) => oc.column('id').doNothing())
    .execute();
}

export async function setOnline(db: Executor, id: string, online: boolean): Promise<void> {
  await db.updateTable('vehicles').set({ online }).where('id', '=', id).execute();
}

export async function listHospitals(db: Executor): Promise<Hospital[]> {
  const rows = await db.selectFrom('hospitals').select(['id', 'name', 'lat', 'lng', 'ed_capacity', 'diversion']).orderBy('id').execute();
  return rows.map((r) => ({ id: r.id, name: r.name, location: { lat: r.lat, lng: r.lng }, edCapacity: r.ed_capacity, diversion: r.diversion }));
}

/**
 * Adds or updates hospitals by id (name and position only: a re-import keeps the ED status that
 * hospital staff set). Returns how many rows were inserted and how many updated.
 */
export async function upsertHospitals(
  db: Executor,
  rows: readonly { id: string; name: string; location: { lat: number; lng: number }; capabilities: string[] }[],
): Promise<{ inserted: number; updated: number }> {
  if (rows.length === 0) return { inserted: 0, updated: 0 };
  const result = await db
    .insertInto('hospitals')
    .values(rows.map((h) => ({ id: h.id, name: h.name, lat: h.location.lat, lng: h.location.lng, capabilities: h.capabilities })))
    .onConflict((oc) =>
      oc.column('id').doUpdateSet((eb) => ({ name: eb.ref('excluded.name'), lat: eb.ref('excluded.lat'), lng: eb.ref('excluded.lng'), capabilities: eb.ref('excluded.capabilities') })),
    )
    // xmax = 0 only for a freshly inserted row version.
    .returning(sql<boolean>`(xmax = 0)`.as('inserted'))
    .execute();
  const inserted = result.filter((r) => r.inserted).length;
  return { inserted, updated: result.length - inserted };
}
