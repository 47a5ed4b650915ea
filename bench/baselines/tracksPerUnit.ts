// Baseline for bench/scenarios/replay.ts: the server's tracks() as it was before issue #17 — one
// query per unit, rows decoded by the driver and mapped in Node — kept so the one-statement
// version is measured against it in the same run.
import type { TrackPoint } from '@lifeline/protocol';
import type { Db } from '../../server/src/adapters/store/db.ts';

export async function tracksPerUnit(db: Db, vehicleIds: readonly string[], from: Date, to: Date, limitPerUnit = 20_000): Promise<Record<string, TrackPoint[]>> {
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
