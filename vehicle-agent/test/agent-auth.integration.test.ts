/**
 * The agent with per-unit MQTT credentials against the server's embedded broker (MQTT_AUTH=1), and
 * a real receiver's NMEA log driving a unit onto the server.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Vehicle } from '@lifeline/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LifelineServer } from '../../server/src/server.ts';
import { api, login, TestEnv, waitFor } from '../../server/test/helpers.ts';
import { decodeNmea } from '../src/gps/nmea.ts';
import { nmeaFileSource } from '../src/gps/nmeaSource.ts';
import { simulatedSource } from '../src/gps/simulatedSource.ts';
import type { GpsSource } from '../src/gps/types.ts';

const NMEA_LOG = resolve(dirname(fileURLToPath(import.meta.url)), '../../fixtures/nmea/sirfstarv-nmea.log');
import { startVehicleAgent, type VehicleAgent } from '../src/mqtt/vehicle-agent.ts';

describe('vehicle agent with per-unit credentials (MQTT_AUTH=1)', () => {
  const env = new TestEnv('embedded');
  let server: LifelineServer;
  let admin: string;
  const agents: VehicleAgent[] = [];
  const dirs: string[] = [];
  const start = async (id: string, username: string, password: string, source?: GpsSource) => {
    const dir = await mkdtemp(join(tmpdir(), 'agent-auth-'));
    dirs.push(dir);
    const agent = await startVehicleAgent({
      id,
      source: source ?? simulatedSource({ start: { lat: 10.98, lng: 106.65 }, intervalMs: 100 }),
      mqtt: { url: server.mqttUrl, username, password },
      spoolDir: dir,
      prefix: server.config.mqttPrefix,
      policy: { minIntervalMs: 0, movingIntervalMs: 0, parkedIntervalMs: 0 }, // every fix: the test counts them
    });
    agents.push(agent);
    return agent;
  };

  beforeAll(async () => {
    await env.setup();
    server = await env.start({ MQTT_AUTH: '1' });
    admin = await login(server, 'admin');
  });
  afterAll(async () => {
    await Promise.all(agents.map((a) => a.stop()));
    await server?.stop();
    await env.teardown();
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  it('connects with the credentials the server issued and its positions are stored; a wrong password is refused', async () => {
    expect((await api(server.url, 'POST', '/api/vehicles', { id: 'AUTH-A1', callSign: 'AUTH-A1' }, admin)).status).toBe(201);
    const creds = await api<{ username: string; password: string }>(server.url, 'POST', '/api/vehicles/AUTH-A1/credentials', undefined, admin);
    expect(creds.status).toBe(200);
    const good = await start('AUTH-A1', creds.body.username, creds.body.password);
    await waitFor(() => good.stats().confirmed >= 5, 'positions confirmed stored');
    const rows = await server.db.selectFrom('vehicle_positions').select('seq').where('vehicle_id', '=', 'AUTH-A1').execute();
    expect(rows.length).toBeGreaterThanOrEqual(5);

    const bad = await start('AUTH-A1', creds.body.username, 'wrong');
    const refused = await new Promise<string>((resolve) => bad.client.once('error', (e) => resolve(e.message)));
    expect(refused).toMatch(/auth|Not authorized|Bad username/i);
    expect(bad.stats().connects).toBe(0);
  });

  it('an NMEA log from a real receiver drives a unit: every fix stored with its receiver time, the live position is the last fix', async () => {
    const { fixes } = decodeNmea(await readFile(NMEA_LOG, 'latin1'));
    expect(fixes.length).toBeGreaterThan(10);
    expect((await api(server.url, 'POST', '/api/vehicles', { id: 'NMEA-1', callSign: 'NMEA-1' }, admin)).status).toBe(201);
    const creds = await api<{ username: string; password: string }>(server.url, 'POST', '/api/vehicles/NMEA-1/credentials', undefined, admin);
    const agent = await start('NMEA-1', creds.body.username, creds.body.password, nmeaFileSource(NMEA_LOG));
    await waitFor(() => agent.stats().fixes === fixes.length && agent.snapshot().spool.positions === 0, 'every fix reported and confirmed', 30_000).catch((err: Error) => {
      throw new Error(`${err.message}; agent ${JSON.stringify(agent.stats())} spool ${JSON.stringify(agent.snapshot().spool)} connected ${agent.snapshot().connected}`);
    });
    const rows = await server.db.selectFrom('vehicle_positions').select(['recorded_at', 'lat', 'lng']).where('vehicle_id', '=', 'NMEA-1').orderBy('seq').execute();
    expect(rows.map((r) => r.recorded_at.getTime())).toEqual(fixes.map((f) => Math.round(f.recordedAtMs)));
    const last = fixes.at(-1)!;
    const unit = await waitFor(async () => (await api<Vehicle[]>(server.url, 'GET', '/api/vehicles')).body.find((v) => v.id === 'NMEA-1' && v.position), 'the unit on the map');
    expect(unit.position!.lat).toBeCloseTo(last.lat, 6);
    expect(unit.position!.lng).toBeCloseTo(last.lng, 6);
  });
});
