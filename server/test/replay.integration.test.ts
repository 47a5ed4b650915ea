import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LifelineServer } from '../src/server.ts';
import { tracks } from '../src/adapters/store/review.ts';
import { api, login, TestEnv } from './helpers.ts';

describe('supervisor replay on seeded history (embedded)', () => {
  const env = new TestEnv('embedded');
  let server: LifelineServer;
  let supervisor: string;
  const T0 = Date.UTC(2026, 10, 1, 2, 0, 0);

  beforeAll(async () => {
    await env.setup();
    server = await env.start();
    supervisor = await login(server, 'supervisor');
    // 300 units × 1 fix every 10 s over 6 hours = 648,000 rows, so the planner faces a real table.
    await sql`
      INSERT INTO vehicle_positions (vehicle_id, seq, recorded_at, received_at, lat, lng, speed_mps, heading_deg)
      SELECT 'H-' || lpad(v::text, 3, '0'), s, to_timestamp(${T0 / 1000} + s * 10), to_timestamp(${T0 / 1000} + s * 10),
             10.9 + v * 0.0005 + s * 0.00001, 106.6 + s * 0.00001, 8, 45
      FROM generate_series(1, 300) v, generate_series(0, 2159) s`.execute(server.db);
    await sql`ANALYZE vehicle_positions`.execute(server.db);
  });
  afterAll(async () => {
    await server?.stop();
    await env.teardown();
  });

  it('tracks() in one statement returns exactly what the driver decodes row by row (values, order, limit, units without fixes)', async () => {
    const t = (ms: number) => new Date(ms);
    await sql`
      INSERT INTO vehicle_positions (vehicle_id, seq, recorded_at, received_at, lat, lng, speed_mps, heading_deg) VALUES
        ('Z-1', 1, ${t(T0 + 1)}, now(), 10.123456789012345, 106.98765432109876, NULL, NULL),
        ('Z-1', 2, ${t(T0 + 999)}, now(), -0.000001, -179.9999999, 0.1, 359.9),
        ('Z-1', 3, ${t(T0 + 60_000)}, now(), 89.5, 0, 33.333332, 0),
        ('Z-2', 1, ${t(T0 + 5)}, now(), 1e-7, 2e-7, 1e-3, 12.5)`.execute(server.db);
    const rowByRow = async (id: string, limit: number) =>
      (
        await server.db
          .selectFrom('vehicle_positions')
          .select(['recorded_at', 'lat', 'lng', 'speed_mps', 'heading_deg'])
          .where('vehicle_id', '=', id)
          .where('recorded_at', '>=', t(T0))
          .where('recorded_at', '<=', t(T0 + 120_000))
          .orderBy('recorded_at')
          .limit(limit)
          .execute()
      ).map((r) => ({ t: r.recorded_at.toISOString(), lat: r.lat, lng: r.lng, speedMps: r.speed_mps, headingDeg: r.heading_deg }));
    const got = await tracks(server.db, ['Z-1', 'Z-2', 'Z-none'], t(T0), t(T0 + 120_000));
    expect(got).toEqual({ 'Z-1': await rowByRow('Z-1', 100), 'Z-2': await rowByRow('Z-2', 100), 'Z-none': [] });
    expect(got['Z-1']).toHaveLength(3);
    expect(await tracks(server.db, ['Z-1'], t(T0), t(T0 + 120_000), 2)).toEqual({ 'Z-1': await rowByRow('Z-1', 2) });
    expect(await tracks(server.db, [], t(T0), t(T0 + 1))).toEqual({});
  });

  it('returns the involved units\' tracks in the incident window, in order, with every event', async () => {
    // An incident 2 h into the history, handled by H-007 then reassigned to H-042.
    const createdAt = new Date(T0 + 2 * 3600_000);
    const incident = await server.db
      .insertInto('incidents')
      .values({ line: '115', caller_phone: '0900000000', lat: 10.95, lng: 106.63, category: 'cardiac', priority: 1, state: 'closed', created_at: createdAt, updated_at: new Date(T0 + 3 * 3600_000) })
      .returning('id')
      .executeTakeFirstOrThrow();
    for (const v of ['H-007', 'H-042']) {
      await server.db.insertInto('vehicles').values({ id: v, call_sign: v }).onConflict((oc) => oc.column('id').doNothing()).execute();
      await server.db.insertInto('assignments').values({ incident_id: incident.id, vehicle_id: v, assigned_by: 'dispatcher:x', assigned_at: createdAt, ended_at: createdAt }).execute();
    }
    for (const [i, type] of ['IncidentReceived', 'UnitAssigned', 'UnitReleased', 'UnitAssigned', 'UnitOnScene', 'IncidentClosed'].entries()) {
      await sql`INSERT INTO incident_events (incident_id, ts, type, actor) VALUES (${incident.id}, ${new Date(createdAt.getTime() + i * 600_000)}, ${type}, 'test')`.execute(server.db);
    }
    const r = await api(server.url, 'GET', `/api/incidents/${incident.id}/replay`, undefined, supervisor);
    expect(r.status).toBe(200);
    expect(Object.keys(r.body.tracks).sort()).toEqual(['H-007', 'H-042']);
    const from = Date.parse(r.body.window.from);
    const to = Date.parse(r.body.window.to);
    // Window: 5 min before the call to 5 min after the last event (or last update).
    expect(from).toBe(createdAt.getTime() - 300_000);
    expect(to).toBe(T0 + 3 * 3600_000 + 300_000);
    for (const track of Object.values(r.body.tracks) as { t: string }[][]) {
      const ts = track.map((p) => Date.parse(p.t));
      expect(ts.length).toBe(Math.floor((to - from) / 10_000) + 1);
      expect(ts.every((t) => t >= from && t <= to)).toBe(true);
      expect([...ts].sort((a, b) => a - b)).toEqual(ts);
    }
    expect(r.body.events.map((e: { type: string }) => e.type)).toEqual(['IncidentReceived', 'UnitAssigned', 'UnitReleased', 'UnitAssigned', 'UnitOnScene', 'IncidentClosed']);
  });

  it('uses the (vehicle, time) index, not a scan of the positions table', async () => {
    const plan = await sql<{ 'QUERY PLAN': unknown }>`
      EXPLAIN (FORMAT JSON) SELECT recorded_at, lat, lng FROM vehicle_positions
      WHERE vehicle_id = 'H-007' AND recorded_at >= ${new Date(T0 + 3600_000)} AND recorded_at <= ${new Date(T0 + 7200_000)}
      ORDER BY recorded_at`.execute(server.db);
    const text = JSON.stringify(plan.rows);
    expect(text).toContain('vehicle_positions_vehicle_time_idx');
    expect(text).not.toContain('"Seq Scan"');
  });

  it('replays an area and time window with the units seen there', async () => {
    const from = new Date(T0 + 3600_000).toISOString();
    const to = new Date(T0 + 3600_000 + 600_000).toISOString();
    // At the window's start (s = 360) unit v is at lat 10.9 + 0.0005·v + 0.0036; only v ≤ 20 is at or
    // below 10.9138 at any time in the window, since every unit only moves north.
    const r = await api(server.url, 'GET', `/api/replay?from=${from}&to=${to}&south=10.9&west=106.6&north=10.9138&east=106.7`, undefined, supervisor);
    expect(r.status).toBe(200);
    expect(Object.keys(r.body.tracks).sort()).toEqual(Array.from({ length: 20 }, (_, i) => `H-${String(i + 1).padStart(3, '0')}`));
    const bad = await api(server.url, 'GET', `/api/replay?from=${to}&to=${from}&south=10&west=106&north=11&east=107`, undefined, supervisor);
    expect(bad.status).toBe(400);
  });
});
