import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb, type Db } from '../src/adapters/store/db.ts';
import { migrate } from '../src/adapters/store/migrate.ts';
import { loadIncidentWindow, loadSimFleet } from '../src/adapters/store/simInputs.ts';
import { StraightLineEtaProvider } from '../src/core/eta.ts';
import { GRID_CITY_SERVICE } from '../src/core/sim/gridCity.ts';
import { PRESETS } from '../src/core/sim/policies.ts';
import { callsFromIncidents } from '../src/core/sim/replay.ts';
import { comparePoliciesOn } from '../src/core/sim/run.ts';
import { EXTERNAL_PG, randomId, tcpOpen } from './helpers.ts';

const pgUrl = new URL(EXTERNAL_PG);
const noPg = !(await tcpOpen(pgUrl.hostname, Number(pgUrl.port || 5432)));
const T = Date.parse('2026-03-01T00:00:00Z');
const MIN = 60_000;

describe.skipIf(noPg)('replay of the centre\'s calls from PostgreSQL', () => {
  const dbName = `lifeline_test_simreplay_${randomId()}`;
  let pool: pg.Pool;
  let db: Db;

  beforeAll(async () => {
    const admin = new pg.Client({ connectionString: EXTERNAL_PG });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${dbName}`);
    await admin.end();
    const u = new URL(EXTERNAL_PG);
    u.pathname = `/${dbName}`;
    pool = new pg.Pool({ connectionString: u.toString(), max: 2 });
    await migrate(pool);
    db = createDb(pool);
    await pool.query(`INSERT INTO stations (id, name, lat, lng) VALUES ('S1', 'Trạm 1', 10.98, 106.65), ('S2', 'Trạm 2', 11.02, 106.70)`);
    await pool.query(`INSERT INTO vehicles (id, call_sign, station_id) VALUES ('A1', 'A1', 'S1'), ('A2', 'A2', 'S1'), ('B1', 'B1', 'S2'), ('X9', 'X9', NULL)`);
    // Three calls in the window (one cancelled), one before it, one after it.
    const inc = async (minutes: number, priority: number, state: string, events: [string, number][] = []) => {
      const { rows } = await pool.query(
        `INSERT INTO incidents (line, caller_phone, lat, lng, category, priority, state, created_at)
         VALUES ('115', '0900000000', 10.99, 106.66, 'medical', $1, $2, to_timestamp($3 / 1000.0)) RETURNING id`,
        [priority, state, T + minutes * MIN],
      );
      for (const [type, m] of events) await pool.query(`INSERT INTO incident_events (incident_id, ts, type, actor) VALUES ($1, to_timestamp($2 / 1000.0), $3, 'test')`, [rows[0].id, T + m * MIN, type]);
    };
    await inc(-5, 1, 'closed');
    await inc(10, 1, 'closed', [['UnitAssigned', 11], ['UnitOnScene', 18], ['PatientTransporting', 38], ['UnitAtHospital', 50], ['IncidentClosed', 70]]);
    await inc(20, 2, 'cancelled');
    await inc(30, 3, 'closed', [['UnitOnScene', 40], ['IncidentClosed', 55]]);
    await inc(45, 2, 'received');
    await inc(60 * 24 + 1, 1, 'closed');
  });

  afterAll(async () => {
    await pool?.end();
    const admin = new pg.Client({ connectionString: EXTERNAL_PG });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    await admin.end();
  });

  it('reads the window, without cancelled calls, with the timeline milestones', async () => {
    const rows = await loadIncidentWindow(db, new Date(T), new Date(T + 24 * 60 * MIN));
    expect(rows).toEqual([
      { receivedAtMs: T + 10 * MIN, lat: 10.99, lng: 106.66, priority: 1, onSceneAtMs: T + 18 * MIN, transportingAtMs: T + 38 * MIN, atHospitalAtMs: T + 50 * MIN, closedAtMs: T + 70 * MIN },
      { receivedAtMs: T + 30 * MIN, lat: 10.99, lng: 106.66, priority: 3, onSceneAtMs: T + 40 * MIN, transportingAtMs: null, atHospitalAtMs: null, closedAtMs: T + 55 * MIN },
      { receivedAtMs: T + 45 * MIN, lat: 10.99, lng: 106.66, priority: 2, onSceneAtMs: null, transportingAtMs: null, atHospitalAtMs: null, closedAtMs: null },
    ]);
    expect(await loadIncidentWindow(db, new Date(T), new Date(T + 24 * 60 * MIN), 1)).toHaveLength(1);
  });

  it('reads the fleet by station and replays the window under two policies', async () => {
    const fleet = await loadSimFleet(db);
    expect(fleet.stations.map((s) => s.id)).toEqual(['S1', 'S2']);
    expect(fleet.units).toEqual([
      { id: 'A1', home: 0 },
      { id: 'A2', home: 0 },
      { id: 'B1', home: 1 },
    ]);
    const { calls } = callsFromIncidents(await loadIncidentWindow(db, new Date(T), new Date(T + 24 * 60 * MIN)));
    const result = await comparePoliciesOn({
      scenarioFor: () => ({ ...fleet, calls, ...GRID_CITY_SERVICE }),
      eta: new StraightLineEtaProvider(),
      policies: [PRESETS['closest-idle'], PRESETS['coverage-aware+move-up']],
      seeds: [1, 2],
      demand: calls.map((c) => ({ lat: c.lat, lng: c.lng, weight: 1 })),
    });
    expect(result.runs).toHaveLength(4);
    for (const r of result.runs) expect([r.calls, r.unserved]).toEqual([3, 0]);
    // The replayed call with its own on-scene/transport times is served as recorded: S1 is ~1.6 km away.
    expect(result.policies[0]!.meanResponseSec.mean).toBeGreaterThan(90);
  });
});
