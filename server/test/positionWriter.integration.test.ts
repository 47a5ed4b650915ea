import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import pino from 'pino';
import { migrate } from '../src/adapters/store/migrate.ts';
import { PositionWriter, DEFAULT_WRITER, type PositionRow, type RowOutcome } from '../src/adapters/store/positionWriter.ts';
import { backoffMs, classifyPgError } from '../src/adapters/store/pgErrors.ts';
import { EXTERNAL_PG, randomId, tcpOpen, waitFor } from './helpers.ts';

const pgUrl = new URL(EXTERNAL_PG);
const noPg = !(await tcpOpen(pgUrl.hostname, Number(pgUrl.port || 5432)));
const log = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });

describe('PostgreSQL errors: data or transient (pure)', () => {
  it.each([
    ['22009 time zone displacement', '22009', 'data'],
    ['22007 invalid datetime', '22007', 'data'],
    ['23502 not null', '23502', 'data'],
    ['57P01 admin shutdown', '57P01', 'transient'],
    ['08006 connection failure', '08006', 'transient'],
    ['57014 statement timeout', '57014', 'transient'],
    ['40P01 deadlock', '40P01', 'transient'],
    ['ECONNREFUSED (no SQLSTATE)', 'ECONNREFUSED', 'transient'],
  ])('%s → %s', (_n, code, kind) => {
    expect(classifyPgError(Object.assign(new Error('x'), { code }))).toBe(kind);
  });
  it('backs off exponentially with jitter, capped', () => {
    expect(backoffMs(1, 100, 5000, () => 0)).toBe(50);
    expect(backoffMs(1, 100, 5000, () => 1)).toBe(100);
    expect(backoffMs(4, 100, 5000, () => 1)).toBe(800);
    expect(backoffMs(50, 100, 5000, () => 1)).toBe(5000);
    expect(backoffMs(50, 100, 5000, () => 0)).toBe(2500);
  });
});

describe.skipIf(noPg)('position writer: no single row stops it (real PostgreSQL)', () => {
  const dbName = `lifeline_test_writer_${randomId()}`;
  let url = '';
  let pool: pg.Pool;

  beforeAll(async () => {
    const admin = new pg.Client({ connectionString: EXTERNAL_PG });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${dbName}`);
    await admin.end();
    const u = new URL(EXTERNAL_PG);
    u.pathname = `/${dbName}`;
    url = u.toString();
    pool = new pg.Pool({ connectionString: url, max: 4 });
    await migrate(pool);
  });
  afterAll(async () => {
    await pool?.end();
    const admin = new pg.Client({ connectionString: EXTERNAL_PG });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    await admin.end();
  });

  const row = (vehicleId: string, seq: number, recordedAtMs = Date.now()): PositionRow => ({
    vehicleId, seq, recordedAtMs, receivedAtMs: Date.now(), lat: 10.98, lng: 106.65, speedMps: null, headingDeg: null, accuracyM: null,
  });
  const count = async (sql: string, params: unknown[] = []) => Number((await pool.query(sql, params)).rows[0].n);

  it('bisects a batch PostgreSQL refuses: every good row stored, the bad one dead-lettered with its SQLSTATE, all acknowledged', async () => {
    const confirmed = new Map<string, number>();
    const outcomes = new Map<string, RowOutcome>();
    const w = new PositionWriter(pool, (last) => last.forEach((r, id) => confirmed.set(id, r.seq)), log, { ...DEFAULT_WRITER, maxDelayMs: 5 });
    // Bypasses the ingest boundary on purpose: a year past 9999 is refused by PostgreSQL itself (22009).
    const rows: PositionRow[] = [];
    for (let seq = 1; seq <= 200; seq++) for (const v of ['W-1', 'W-2', 'W-3', 'W-4', 'W-5']) rows.push(row(v, seq));
    const poison = row('POISON-W', 1, Date.now() * 1000);
    rows.splice(377, 0, poison);
    for (const r of rows) {
      r.onCommitted = (o) => outcomes.set(`${r.vehicleId}/${r.seq}`, o);
      w.enqueue(r);
    }
    await w.drain();
    expect(await count(`SELECT count(*) AS n FROM vehicle_positions WHERE vehicle_id LIKE 'W-%'`)).toBe(1000);
    const dead = (await pool.query(`SELECT source, vehicle_id, payload, reason, sqlstate FROM dead_letters WHERE vehicle_id = 'POISON-W'`)).rows;
    expect(dead).toHaveLength(1);
    expect(dead[0]).toMatchObject({ source: 'mqtt_position', sqlstate: '22009' });
    expect(JSON.parse(dead[0].payload)).toMatchObject({ vehicleId: 'POISON-W', seq: 1 });
    expect(w.stats.deadLettered).toBe(1);
    expect(outcomes.get('POISON-W/1')).toBe('dead_lettered');
    expect(outcomes.get('W-3/200')).toBe('stored');
    // The dead letter is acknowledged like a stored row, so the unit stops re-sending it.
    expect(Object.fromEntries(confirmed)).toEqual({ 'W-1': 200, 'W-2': 200, 'W-3': 200, 'W-4': 200, 'W-5': 200, 'POISON-W': 1 });
    expect(w.health.failingSinceMs).toBeNull();
    await w.stop();
  });

  it('retries a transient failure (table locked, statement timed out) with backoff, drops nothing, dead-letters nothing', async () => {
    const locker = new pg.Client({ connectionString: url });
    await locker.connect();
    await locker.query('BEGIN');
    await locker.query('LOCK TABLE vehicle_positions IN ACCESS EXCLUSIVE MODE');
    const w = new PositionWriter(pool, () => undefined, log, { ...DEFAULT_WRITER, maxDelayMs: 5, statementTimeoutMs: 200, retryBaseMs: 20, retryCapMs: 100 });
    for (let seq = 1; seq <= 50; seq++) w.enqueue(row('LOCKED-1', seq));
    await waitFor(() => w.stats.retries >= 3, 'three retries');
    expect(w.health.failingSinceMs).not.toBeNull();
    await locker.query('ROLLBACK');
    await locker.end();
    await w.drain();
    expect(await count(`SELECT count(*) AS n FROM vehicle_positions WHERE vehicle_id = 'LOCKED-1'`)).toBe(50);
    expect(await count(`SELECT count(*) AS n FROM dead_letters WHERE vehicle_id = 'LOCKED-1'`)).toBe(0);
    expect(w.health.failingSinceMs).toBeNull();
    await w.stop();
  });

  it('retries a batch whose connection was killed (57P01), storing it once, never dead-lettering it', async () => {
    const locker = new pg.Client({ connectionString: url });
    await locker.connect();
    await locker.query('BEGIN');
    await locker.query('LOCK TABLE vehicle_positions IN ACCESS EXCLUSIVE MODE');
    const w = new PositionWriter(pool, () => undefined, log, { ...DEFAULT_WRITER, maxDelayMs: 5, retryBaseMs: 20, retryCapMs: 100 });
    for (let seq = 1; seq <= 20; seq++) w.enqueue(row('KILLED-1', seq));
    // Not from the locker's session: inside a transaction pg_stat_activity is a snapshot.
    const waiting = async () => (await pool.query<{ pid: number }>(`SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE 'INSERT INTO vehicle_positions%'`)).rows[0]?.pid;
    const pid = await waitFor(waiting, 'the batch waiting on the lock');
    await pool.query('SELECT pg_terminate_backend($1)', [pid]);
    await waitFor(() => w.stats.retries >= 1, 'a retry');
    expect(w.health.lastSqlstate).toBe('57P01');
    await locker.query('ROLLBACK');
    await locker.end();
    await w.drain();
    expect(await count(`SELECT count(*) AS n FROM vehicle_positions WHERE vehicle_id = 'KILLED-1'`)).toBe(20);
    expect(await count(`SELECT count(*) AS n FROM dead_letters WHERE vehicle_id = 'KILLED-1'`)).toBe(0);
    await w.stop();
  });

  it('stops within its grace period while the database keeps refusing, leaving the rows unacknowledged', async () => {
    const locker = new pg.Client({ connectionString: url });
    await locker.connect();
    await locker.query('BEGIN');
    await locker.query('LOCK TABLE vehicle_positions IN ACCESS EXCLUSIVE MODE');
    let acknowledged = 0;
    let abandoned = 0;
    const w = new PositionWriter(pool, () => undefined, log, { ...DEFAULT_WRITER, maxDelayMs: 5, statementTimeoutMs: 60_000 });
    for (let seq = 1; seq <= 10; seq++) w.enqueue({ ...row('STOP-1', seq), onCommitted: () => acknowledged++, onAbandoned: () => abandoned++ });
    await waitFor(() => w.stats.batches === 0 && w.queued === 10, 'the batch in flight');
    const t0 = Date.now();
    await w.stop(300);
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(acknowledged).toBe(0);
    expect(abandoned).toBe(10);
    await locker.query('ROLLBACK');
    await locker.end();
  });
});
