import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Vehicle } from '@lifeline/protocol';
import type { LifelineServer } from '../src/server.ts';
import { api, login, TestEnv } from './helpers.ts';

/**
 * Units are registered on purpose (POST /api/vehicles, admin); credentials and tracker mappings
 * go only to registered units, so a mistyped id ("XX-999", "BD-999") never becomes a phantom
 * offline unit on the dispatcher's board.
 */
describe('registering units; no phantom units from credentials or trackers', () => {
  const env = new TestEnv('embedded');
  let server: LifelineServer;
  let admin: string;
  const board = async () => (await api<Vehicle[]>(server.url, 'GET', '/api/vehicles')).body.map((v) => v.id);

  beforeAll(async () => {
    await env.setup();
    server = await env.start();
    admin = await login(server, 'admin');
  });
  afterAll(async () => {
    await server?.stop();
    await env.teardown();
  });

  it('refuses credentials and a tracker for a unit that does not exist, and no unit appears', async () => {
    const creds = await api(server.url, 'POST', '/api/vehicles/XX-999/credentials', undefined, admin);
    expect(creds.status).toBe(404);
    expect(creds.body.message).toContain('not registered');
    const tracker = await api(server.url, 'POST', '/api/trackers', { kind: 'owntracks', deviceKey: 'lan/phone', vehicleId: 'BD-999' }, admin);
    expect(tracker.status).toBe(404);
    expect((await api(server.url, 'GET', '/api/trackers', undefined, admin)).body).toEqual([]);
    expect(await board()).not.toContain('XX-999');
    expect(await board()).not.toContain('BD-999');
    expect(await server.db.selectFrom('vehicles').select('id').where('id', 'in', ['XX-999', 'BD-999']).execute()).toEqual([]);
  });

  it('registers a unit (admin only, once), which is then on the board and can get credentials and trackers', async () => {
    expect((await api(server.url, 'POST', '/api/vehicles', { id: 'BD-050', callSign: 'BD 50' })).status).toBe(403); // a dispatcher
    const made = await api<Vehicle>(server.url, 'POST', '/api/vehicles', { id: 'BD-050', callSign: 'BD 50' }, admin);
    expect(made.status).toBe(201);
    expect(made.body).toMatchObject({ id: 'BD-050', callSign: 'BD 50', online: false });
    expect((await api(server.url, 'POST', '/api/vehicles', { id: 'BD-050', callSign: 'again' }, admin)).status).toBe(409);
    expect(await board()).toContain('BD-050');
    expect((await api(server.url, 'POST', '/api/vehicles/BD-050/credentials', undefined, admin)).status).toBe(200);
    expect((await api(server.url, 'POST', '/api/trackers', { kind: 'owntracks', deviceKey: 'lan/bd50', vehicleId: 'BD-050' }, admin)).status).toBe(201);
  });
});
