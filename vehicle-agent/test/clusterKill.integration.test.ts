/**
 * kill -9 of one of two server instances while units publish: both instances are real server
 * processes sharing a private Mosquitto, the machine's PostgreSQL and Redis; real agents drive. The
 * killed instance loses the batch it held (acked to the broker, not committed); its units move to
 * the other instance, whose `stored` carries another `boot`, so their agents re-send what is
 * unconfirmed; the other instance's units are not disturbed. When the killed instance comes back
 * its units move back to it, and nothing is lost or stored twice either way.
 */
import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb, createPool, type Db } from '../../server/src/adapters/store/db.ts';
import { Ownership } from '../../server/src/core/ownership.ts';
import { noMosquitto, noServiceAt } from '@lifeline/testing';
import { EXTERNAL_PG, externalUnavailable, REDIS_HINT, TestEnv, waitFor } from '../../server/test/helpers.ts';
import type { VehicleAgent } from '../src/mqtt/vehicle-agent.ts';
import { Mosquitto } from './support/mosquitto.ts';
import { ServerProcess, startDrivingAgent } from './support/serverHandle.ts';

const HOME = { lat: 10.98, lng: 106.65 };
const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const noPostgres = (await externalUnavailable())?.startsWith('no PostgreSQL') ?? false;
const noRedis = await noServiceAt('Redis', REDIS_URL, REDIS_HINT);
const noBroker = noMosquitto();

describe.skipIf(noBroker || noPostgres || noRedis)('kill -9 of one of two server instances while units publish', () => {
  const broker = new Mosquitto();
  const env = new TestEnv('external');
  let a: ServerProcess;
  let b: ServerProcess;
  let db: Db;
  let prefix = '';
  const ids = { a: '', b: '' };
  const agents: VehicleAgent[] = [];
  const dirs: string[] = [];

  beforeAll(async () => {
    await broker.start();
    await env.setup();
    prefix = `lifeline-ckill-${env.id}/v1`;
    const dbUrl = new URL(EXTERNAL_PG);
    dbUrl.pathname = `/${env.dbName}`;
    const common = {
      DATABASE_URL: dbUrl.toString(),
      MQTT_URL: broker.url,
      MQTT_PREFIX: prefix,
      REDIS_URL,
      PORT: '0',
      HOST: '127.0.0.1',
      SIM_VEHICLES: '0',
      SEED_DEMO: '0',
      DATA_DIR: env.dataDir,
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    };
    ids.a = `ka-${env.id}`;
    ids.b = `kb-${env.id}`;
    a = new ServerProcess({ ...common, INSTANCE_ID: ids.a });
    b = new ServerProcess({ ...common, INSTANCE_ID: ids.b });
    // A holds its batches long enough for the kill to land inside its writer's window.
    await a.start(2500);
    await b.start(100);
    db = createDb(createPool(dbUrl.toString(), 2));
  });
  afterAll(async () => {
    await Promise.all(agents.map((x) => x.stop()));
    await a?.kill9();
    await b?.kill9();
    await db?.destroy();
    await broker.dispose();
    await env.teardown();
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  const rowsOf = async (id: string) => (await db.selectFrom('vehicle_positions').select('seq').where('vehicle_id', '=', id).execute()).map((r) => Number(r.seq));

  it('the survivor takes the killed instance’s units; every position is stored exactly once, also after it returns', async () => {
    // Two units per instance, by the same rendezvous hashing the servers use.
    const view = new Ownership('test', 'test');
    view.apply(ids.a, 'x');
    view.apply(ids.b, 'y');
    const names: string[] = [];
    for (let i = 0; names.filter((n) => view.ownerOf(n) === ids.a).length < 2 || names.filter((n) => view.ownerOf(n) === ids.b).length < 2; i++) {
      const n = `KC${i}-${env.id.slice(0, 4)}`;
      if (names.filter((x) => view.ownerOf(x) === view.ownerOf(n)).length < 2) names.push(n);
    }
    const units = await Promise.all(
      names.map(async (id, i) => {
        const u = await startDrivingAgent({ id, start: { lat: HOME.lat, lng: HOME.lng + i * 0.01 }, brokerUrl: broker.url, prefix });
        agents.push(u.agent);
        dirs.push(u.dir);
        return { ...u, onA: view.ownerOf(id) === ids.a };
      }),
    );
    for (const u of units) await waitFor(() => u.agent.stats().confirmed >= 20, `${u.agent.id}: the first positions confirmed`, 30_000);
    // The first `stored` an agent sees is not a restart; its own instance's stint then never changes.
    const restartsBefore = units.map((u) => u.agent.stats().serverRestarts);

    const atKill = await waitFor(async () => {
      const w = await a.writer();
      return w.queued >= 10 ? w : null;
    }, 'A to hold acked, uncommitted positions', 10_000, 5);
    await a.kill9();
    const publishedAtKill = units.map((u) => u.published.map((p) => p.seq));
    let lost = 0;
    for (const [i, u] of units.entries()) {
      if (!u.onA) continue;
      const inDb = new Set(await rowsOf(u.agent.id));
      const missing = publishedAtKill[i]!.filter((s) => !inDb.has(s));
      lost += missing.length;
      const spooled = new Set(u.agent.spool.state.positions.map((p) => p.seq));
      expect(missing.filter((s) => !spooled.has(s)), `${u.agent.id}: left the spool without being stored`).toEqual([]);
    }
    expect(lost).toBeGreaterThanOrEqual(atKill.queued);

    // B confirms A's units under its own boot: their agents see a new run and re-send.
    for (const [i, u] of units.entries()) {
      if (u.onA) await waitFor(() => u.agent.stats().serverRestarts > restartsBefore[i]!, `${u.agent.id}: B's run noticed`, 30_000);
    }
    const drained = async (label: string) => {
      for (const u of units) await waitFor(() => u.agent.stats().confirmed >= u.published.length - 5, `${u.agent.id}: confirmed while driving (${label})`, 60_000, 100);
    };
    await drained('after the kill');

    // A comes back: its units return to it (a new stint: re-sent again, stored once).
    await a.start(100);
    for (const [i, u] of units.entries()) {
      if (u.onA) await waitFor(() => u.agent.stats().serverRestarts > restartsBefore[i]! + 1, `${u.agent.id}: A's new run noticed`, 30_000);
    }
    await drained('after A returned');
    for (const u of units) u.drive.pause();
    for (const [i, u] of units.entries()) {
      const id = u.agent.id;
      await waitFor(() => u.agent.snapshot().spool.positions === 0, `${id}: the spool empty`, 60_000, 100);
      const rows = await rowsOf(id);
      expect(rows.length, `${id}: one row per position`).toBe(new Set(u.published.map((p) => p.seq)).size);
      expect(new Set(rows).size).toBe(rows.length);
      // B's own units never saw another server run.
      if (!u.onA) expect(u.agent.stats().serverRestarts, `${id}: undisturbed`).toBe(restartsBefore[i]);
    }
    console.log(`cluster kill: A held ${atKill.queued} uncommitted rows, ${lost} positions of A's units missing at the kill; rows ${units.map((u) => u.published.length)}`);
  });
});
