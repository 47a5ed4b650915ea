import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import mqtt from 'mqtt';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXTERNAL_PG, randomId, tcpOpen, waitFor } from './helpers.ts';

const MAIN = fileURLToPath(new URL('../src/main.ts', import.meta.url));
const pgUrl = new URL(EXTERNAL_PG);
const noPg = !(await tcpOpen(pgUrl.hostname, Number(pgUrl.port || 5432)));
const DRAIN_SEC = 2;

describe.skipIf(noPg)('SIGTERM while the database refuses a batch (table locked by another session)', () => {
  const dbName = `lifeline_test_drain_${randomId()}`;
  let dbUrl = '';
  let dataDir = '';
  beforeAll(async () => {
    const admin = new pg.Client({ connectionString: EXTERNAL_PG });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${dbName}`);
    await admin.end();
    const u = new URL(EXTERNAL_PG);
    u.pathname = `/${dbName}`;
    dbUrl = u.toString();
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'lifeline-drain-'));
  });
  afterAll(async () => {
    const admin = new pg.Client({ connectionString: EXTERNAL_PG });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    await admin.end();
    await rm(dataDir, { recursive: true, force: true });
  });

  it(`stops within SHUTDOWN_DRAIN_SEC (+ the rest of an orderly stop), exit 0, without a hot retry loop`, async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', MAIN], {
      env: { ...process.env, DATABASE_URL: dbUrl, DATA_DIR: dataDir, PORT: '0', MQTT_PORT: '0', HOST: '127.0.0.1', MQTT_HOST: '127.0.0.1', LOG_LEVEL: 'info', MQTT_AUTH: '0', SHUTDOWN_DRAIN_SEC: String(DRAIN_SEC), SIM_VEHICLES: '0', OSM_GRAPH: '', MAP_CENTER: '', INSTANCE_ID: `drain-${randomId()}` },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', () => undefined);
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const locker = new pg.Client({ connectionString: dbUrl });
    try {
      await waitFor(() => /MQTT broker: (mqtt:\/\/\S+)/.exec(stdout), 'the server running', 60_000, 100);
      const brokerUrl = /MQTT broker: (mqtt:\/\/\S+)/.exec(stdout)![1]!;
      await locker.connect();
      await locker.query('BEGIN');
      await locker.query('LOCK TABLE vehicle_positions IN ACCESS EXCLUSIVE MODE');
      const unit = await mqtt.connectAsync(brokerUrl, { protocolVersion: 4, reconnectPeriod: 0 });
      for (let seq = 1; seq <= 5; seq++) await unit.publishAsync('lifeline/v1/vehicles/DRAIN-1/position', JSON.stringify({ seq, ts: Date.now(), lat: 10.98, lon: 106.65 }), { qos: 1 });
      await unit.endAsync();
      // The batch is in flight, waiting on the lock.
      const watcher = new pg.Client({ connectionString: dbUrl });
      await watcher.connect();
      await waitFor(async () => (await watcher.query(`SELECT 1 FROM pg_stat_activity WHERE datname = $1 AND wait_event_type = 'Lock' AND query LIKE 'INSERT INTO vehicle_positions%'`, [dbName])).rowCount, 'the position batch waiting on the lock');
      await watcher.end();

      const t0 = Date.now();
      child.kill('SIGTERM');
      const code = await Promise.race([exited, new Promise<'hung'>((r) => setTimeout(() => r('hung'), 20_000))]);
      const tookMs = Date.now() - t0;
      expect(code).toBe(0);
      expect(tookMs).toBeLessThan((DRAIN_SEC + 8) * 1000);
      const logs = stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { msg?: string; unwritten?: number });
      expect(logs.find((l) => l.msg?.startsWith('position writer stopped before the database took every row'))?.unwritten).toBe(5);
      // No hot loop: a handful of lines at most, not one per retry.
      expect(logs.filter((l) => l.msg === 'position batch failed; will retry with backoff').length).toBeLessThanOrEqual(2);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      await locker.query('ROLLBACK').catch(() => undefined);
      await locker.end().catch(() => undefined);
    }
  }, 90_000);
});
