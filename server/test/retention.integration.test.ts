import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { migrate } from '../src/adapters/store/migrate.ts';
import { RETENTION_LOCK, runPositionRetention, startPositionRetention, type RetentionOptions } from '../src/adapters/store/retention.ts';
import { loadConfig } from '../src/config.ts';
import { noServiceAt } from '@lifeline/testing';
import { EXTERNAL_PG, randomId, waitFor } from './helpers.ts';

const noPg = await noServiceAt('PostgreSQL', EXTERNAL_PG, 'start PostgreSQL on 127.0.0.1:5432 (user postgres, trust) or set TEST_PG_URL');

const DAY_MS = 86_400_000;
const NOW = Date.parse('2026-03-01T12:00:00Z');

describe.skipIf(noPg)('position retention on plain PostgreSQL', () => {
  const dbName = `lifeline_test_retention_${randomId()}`;
  let pool: pg.Pool;

  beforeAll(async () => {
    const admin = new pg.Client({ connectionString: EXTERNAL_PG });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${dbName}`);
    await admin.end();
    const u = new URL(EXTERNAL_PG);
    u.pathname = `/${dbName}`;
    pool = new pg.Pool({ connectionString: u.toString(), max: 4 });
    await migrate(pool);
  });
  afterAll(async () => {
    await pool?.end();
    const admin = new pg.Client({ connectionString: EXTERNAL_PG });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    await admin.end();
  });

  /** `n` fixes per unit, one every `stepMs` back from `endMs`. */
  async function insertFixes(units: string[], n: number, endMs: number, stepMs: number, firstSeq: number): Promise<void> {
    await pool.query(
      `INSERT INTO vehicle_positions (vehicle_id, seq, recorded_at, received_at, lat, lng)
       SELECT u, $4::int + i, to_timestamp(($2::float8 - i * $3::float8) / 1000), now(), 10.98, 106.65
       FROM unnest($1::text[]) u, generate_series(0, $5::int - 1) i`,
      [units, endMs, stepMs, firstSeq, n],
    );
  }
  const count = async (where = 'true') => Number((await pool.query(`SELECT count(*) AS n FROM vehicle_positions WHERE ${where}`)).rows[0].n);
  const opts = (o: Partial<RetentionOptions> = {}): RetentionOptions => ({ retentionDays: 30, batchSize: 7, pause: async () => undefined, now: () => NOW, ...o });

  it('deletes the rows older than the retention in small batches, keeps the recent ones, and never touches incidents', async () => {
    const units = ['RET-1', 'RET-2', 'RET-3'];
    const cutoff = NOW - 30 * DAY_MS;
    await insertFixes(units, 20, cutoff - 60_000, 3_600_000, 1); // 20 old fixes each, the newest a minute past the cutoff
    await insertFixes(units, 15, NOW, 3_600_000, 1000); // 15 recent each
    const incident = await pool.query<{ id: string }>(
      `INSERT INTO incidents (line, caller_phone, lat, lng, category, priority, created_at) VALUES ('115', '0912345678', 10.98, 106.65, 'cardiac', 1, $1) RETURNING id`,
      [new Date(NOW - 400 * DAY_MS)],
    );
    await pool.query(`INSERT INTO incident_events (incident_id, ts, type, actor) VALUES ($1, $2, 'Received', 'test')`, [incident.rows[0]!.id, new Date(NOW - 400 * DAY_MS)]);

    let pauses = 0;
    const r = await runPositionRetention(pool, opts({ pause: async () => void pauses++ }));
    expect(r).toEqual({ ran: true, deleted: 60, cutoff: new Date(cutoff) });
    // A pause once at least 7 rows went since the last one (a unit's short tail carries over to the next).
    expect(pauses).toBeGreaterThanOrEqual(Math.floor(60 / 14));
    expect(pauses).toBeLessThanOrEqual(Math.floor(60 / 7));
    expect(await count(`recorded_at < '${new Date(cutoff).toISOString()}'`)).toBe(0);
    expect(await count()).toBe(45);
    expect(Number((await pool.query('SELECT count(*) AS n FROM incidents')).rows[0].n)).toBe(1);
    expect(Number((await pool.query('SELECT count(*) AS n FROM incident_events')).rows[0].n)).toBe(1);

    // Nothing left to delete: a second run deletes nothing.
    expect(await runPositionRetention(pool, opts())).toMatchObject({ ran: true, deleted: 0 });
  });

  it('runs on one instance at a time: a run while another holds the lock skips and deletes nothing', async () => {
    await insertFixes(['LOCK-1', 'LOCK-2'], 10, NOW - 40 * DAY_MS, 60_000, 1);
    // The first run stops at its first pause (after 7 rows), holding the lock; later pauses pass.
    let release!: () => void;
    let paused!: () => void;
    const atPause = new Promise<void>((r) => (paused = r));
    const held = new Promise<void>((r) => (release = r));
    const first = runPositionRetention(pool, opts({ pause: () => (paused(), held) }));
    await atPause;
    const second = await runPositionRetention(pool, opts());
    expect(second).toEqual({ ran: false, why: 'locked' });
    expect(await count(`vehicle_id LIKE 'LOCK-%'`)).toBe(13);
    release();
    expect(await first).toMatchObject({ ran: true, deleted: 20 });
    expect(await count(`vehicle_id LIKE 'LOCK-%'`)).toBe(0);

    // Another server's session holding the lock: skipped too, until it lets go.
    await insertFixes(['LOCK-3'], 3, NOW - 40 * DAY_MS, 60_000, 1);
    const other = await pool.connect();
    try {
      await other.query('SELECT pg_advisory_lock($1)', [RETENTION_LOCK]);
      expect(await runPositionRetention(pool, opts())).toEqual({ ran: false, why: 'locked' });
      await other.query('SELECT pg_advisory_unlock($1)', [RETENTION_LOCK]);
    } finally {
      other.release();
    }
    expect(await runPositionRetention(pool, opts())).toMatchObject({ ran: true, deleted: 3 });
  });

  it('the background job runs at start, logs what it removed and counts it', async () => {
    await insertFixes(['JOB-1'], 12, NOW - 31 * DAY_MS, 60_000, 1);
    await insertFixes(['JOB-1'], 2, NOW, 60_000, 100);
    const logged: { obj: Record<string, unknown>; msg: string }[] = [];
    let counted = 0;
    const stop = startPositionRetention(pool, {
      ...opts(),
      everyMs: 3_600_000,
      log: { info: (obj, msg) => logged.push({ obj: obj as Record<string, unknown>, msg }), warn: (obj, msg) => logged.push({ obj: obj as Record<string, unknown>, msg }) },
      deletedRows: (n) => (counted += n),
    });
    await waitFor(() => logged.length > 0, 'the first run logged');
    await stop();
    expect(counted).toBe(12);
    expect(logged[0]!.msg).toBe('position retention: old positions deleted');
    expect(logged[0]!.obj).toMatchObject({ deleted: 12, retentionDays: 30 });
    expect(await count(`vehicle_id = 'JOB-1'`)).toBe(2);
  });

  it('POSITION_RETENTION_DAYS: unset keeps everything; a bad value stops the start with a clear message', () => {
    expect(loadConfig({}).positionRetentionDays).toBeNull();
    expect(loadConfig({ POSITION_RETENTION_DAYS: '90' }).positionRetentionDays).toBe(90);
    for (const bad of ['0', '-5', '1.5', 'ninety', '40000']) {
      expect(() => loadConfig({ POSITION_RETENTION_DAYS: bad })).toThrow(`POSITION_RETENTION_DAYS=${bad} is not a whole number of days between 1 and 36500`);
    }
    expect(() => loadConfig({ METRICS_TOKEN: 'short' })).toThrow('METRICS_TOKEN must be at least 16 printable characters');
  });
});
