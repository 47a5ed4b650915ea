/** The agent with per-unit MQTT credentials against the server's embedded broker (MQTT_AUTH=1). */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LifelineServer } from '../../server/src/server.ts';
import { api, login, TestEnv, waitFor } from '../../server/test/helpers.ts';
import { simulatedSource } from '../src/gps/simulatedSource.ts';
import { startVehicleAgent, type VehicleAgent } from '../src/mqtt/vehicle-agent.ts';

describe('vehicle agent with per-unit credentials (MQTT_AUTH=1)', () => {
  const env = new TestEnv('embedded');
  let server: LifelineServer;
  let admin: string;
  const agents: VehicleAgent[] = [];
  const dirs: string[] = [];
  const start = async (id: string, username: string, password: string) => {
    const dir = await mkdtemp(join(tmpdir(), 'agent-auth-'));
    dirs.push(dir);
    const agent = await startVehicleAgent({
      id,
      source: simulatedSource({ start: { lat: 10.98, lng: 106.65 }, intervalMs: 100 }),
      mqtt: { url: server.mqttUrl, username, password },
      spoolDir: dir,
      prefix: server.config.mqttPrefix,
      policy: { minIntervalMs: 0, movingIntervalMs: 0, parkedIntervalMs: 0 },
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
});
