import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LifelineServer } from '../../src/server.ts';
import { api, login, registerUnit, TestEnv } from '../helpers.ts';
import { rawRequest } from './rawHttp.ts';

/**
 * Issue 11, item 9 (HTTP parts): /osmand answered "unknown device" for ids that are not mapped
 * (2,000 guesses in 1.4 s, no throttle); /healthz told anyone the counters and the instances.
 */
describe('small surfaces: /osmand and /healthz', () => {
  const env = new TestEnv('embedded');
  let server: LifelineServer;

  beforeAll(async () => {
    await env.setup();
    // The test client is 127.0.0.1: named as a proxy, its X-Forwarded-For gives each "client" address.
    server = await env.start({ TRUST_PROXY: '127.0.0.1' });
    const admin = await login(server, 'admin');
    await registerUnit(server, admin, 'PH-9');
    expect((await api(server.url, 'POST', '/api/trackers', { kind: 'osmand', deviceKey: 'known-phone-1', vehicleId: 'PH-9' }, admin)).status).toBe(201);
  });
  afterAll(async () => {
    await server?.stop();
    await env.teardown();
  });

  const osmand = (id: string, from: string) => rawRequest(server.url, 'GET', `/osmand?id=${id}&lat=10.97&lon=106.66&timestamp=${Math.floor(Date.now() / 1000)}`, { headers: { 'x-forwarded-for': from } });
  const shape = (r: { status: number; body: string; headers: Record<string, unknown> }) => ({ status: r.status, body: r.body, type: r.headers['content-type'] });

  it('answers alike whether the device id is mapped or not', async () => {
    const known = await osmand('known-phone-1', '198.51.100.20');
    const unknown = await osmand('no-such-phone', '198.51.100.21');
    expect(known.status).toBe(200);
    expect(shape(unknown)).toEqual(shape(known));
    expect(await server.db.selectFrom('vehicle_positions').select('vehicle_id').where('vehicle_id', '=', 'no-such-phone').execute()).toEqual([]);
  });

  it('takes a tracker POST whose query carries the fix and whose empty body says text/plain', async () => {
    const t = Math.floor(Date.now() / 1000) + 5;
    const r = await rawRequest(server.url, 'POST', `/osmand?id=known-phone-1&lat=10.971&lon=106.661&timestamp=${t}`, { headers: { 'content-type': 'text/plain', 'x-forwarded-for': '198.51.100.23' }, body: '' });
    expect(r.status).toBe(200);
    expect(await server.db.selectFrom('vehicle_positions').select('seq').where('vehicle_id', '=', 'PH-9').where('seq', '=', t * 1000).executeTakeFirst()).toBeDefined();
  });

  it('throttles an address that guesses device ids, and only that address', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 30; i++) statuses.push((await osmand(`guess-${i}`, '203.0.113.50')).status);
    expect(statuses.slice(0, 20).every((s) => s === 200)).toBe(true);
    expect(statuses.slice(21).every((s) => s === 429)).toBe(true);
    // A mapped phone elsewhere is not slowed.
    expect((await osmand('known-phone-1', '198.51.100.22')).status).toBe(200);
  });

  it('/healthz: status only for anonymous callers, dispatchers and local processes; details for a supervisor or admin', async () => {
    const anonymous = await rawRequest(server.url, 'GET', '/healthz');
    expect(anonymous.status).toBe(200);
    expect(JSON.parse(anonymous.body)).toEqual({ status: 'ok' });
    expect((await api(server.url, 'GET', '/healthz')).body).toEqual({ status: 'ok' }); // the default dispatcher
    for (const role of ['supervisor', 'admin'] as const) {
      const detail = (await api(server.url, 'GET', '/healthz', undefined, await login(server, role))).body;
      expect(detail).toMatchObject({ status: 'ok', db: true, mqtt: true });
      expect(detail.counters).toBeTypeOf('object');
    }
  });
});
