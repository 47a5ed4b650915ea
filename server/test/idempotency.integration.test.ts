import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { vehicleTopic } from '@lifeline/protocol';
import type { LifelineServer } from '../src/server.ts';
import { api, connectMqtt, randomId, TestEnv, waitFor } from './helpers.ts';

/**
 * A dispatcher whose answer was lost (timeout, frozen database, dropped connection) retries with
 * the same Idempotency-Key: the retry returns the first answer and never creates a second call.
 */
describe('Idempotency-Key on commands', () => {
  const env = new TestEnv('embedded');
  let server: LifelineServer;
  beforeAll(async () => {
    await env.setup();
    server = await env.start();
  });
  afterAll(async () => {
    await server?.stop();
    await env.teardown();
  });
  const call = (phone: string) => ({ line: '115', callerPhone: phone, location: { lat: 10.98, lng: 106.65 }, category: 'trauma', priority: 2 });
  const withKey = (key: string) => ({ headers: { 'idempotency-key': key } });
  const incidentsOf = async (phone: string) => (await server.db.selectFrom('incidents').select('id').where('caller_phone', '=', phone).execute()).length;

  it('10 concurrent retries with one key create one incident, and every one gets its answer', async () => {
    const key = randomId();
    const answers = await Promise.all(Array.from({ length: 10 }, () => api(server.url, 'POST', '/api/incidents', call('0901000001'), undefined, withKey(key))));
    expect(answers.map((a) => a.status)).toEqual(Array(10).fill(201));
    expect(new Set(answers.map((a) => a.body.incident.id)).size).toBe(1);
    expect(await incidentsOf('0901000001')).toBe(1);
    // A later retry too.
    const later = await api(server.url, 'POST', '/api/incidents', call('0901000001'), undefined, withKey(key));
    expect(later.status).toBe(201);
    expect(later.body.incident.id).toBe(answers[0]!.body.incident.id);
    expect(await incidentsOf('0901000001')).toBe(1);
  });

  it('the same key with another body is refused (422) and changes nothing', async () => {
    const key = randomId();
    expect((await api(server.url, 'POST', '/api/incidents', call('0901000002'), undefined, withKey(key))).status).toBe(201);
    const other = await api(server.url, 'POST', '/api/incidents', call('0901000003'), undefined, withKey(key));
    expect(other.status).toBe(422);
    expect(other.body.code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(await incidentsOf('0901000003')).toBe(0);
  });

  it('without a key every submit is its own call; a malformed key is a 400', async () => {
    await api(server.url, 'POST', '/api/incidents', call('0901000004'));
    await api(server.url, 'POST', '/api/incidents', call('0901000004'));
    expect(await incidentsOf('0901000004')).toBe(2);
    const bad = await api(server.url, 'POST', '/api/incidents', call('0901000005'), undefined, withKey('x'.repeat(300)));
    expect(bad.status).toBe(400);
  });

  it('assign and cancel retried with their key return the first answer (not a conflict)', async () => {
    const unit = `ID-${randomId()}`;
    const agent = await connectMqtt(server.mqttUrl);
    await agent.publishAsync(vehicleTopic(server.config.mqttPrefix, unit, 'status'), JSON.stringify({ status: 'available', ts: Date.now() }), { qos: 1 });
    await agent.publishAsync(vehicleTopic(server.config.mqttPrefix, unit, 'position'), JSON.stringify({ seq: 1, ts: Date.now(), lat: 10.98, lon: 106.65 }), { qos: 1 });
    await waitFor(() => server.fleet.index.get(unit)?.status === 'available', 'unit available');
    const incident = (await api(server.url, 'POST', '/api/incidents', call('0901000006'))).body.incident;
    const key = randomId();
    const [a, b] = await Promise.all([0, 1].map(() => api(server.url, 'POST', `/api/incidents/${incident.id}/assign`, { vehicleId: unit }, undefined, withKey(key))));
    expect([a!.status, b!.status]).toEqual([200, 200]);
    expect(a!.body.assignmentId).toBe(b!.body.assignmentId);
    const cancelKey = randomId();
    const c1 = await api(server.url, 'POST', `/api/incidents/${incident.id}/cancel`, { reason: 'test' }, undefined, withKey(cancelKey));
    const c2 = await api(server.url, 'POST', `/api/incidents/${incident.id}/cancel`, { reason: 'test' }, undefined, withKey(cancelKey));
    expect([c1.status, c2.status]).toEqual([200, 200]);
    expect(c2.body).toEqual(c1.body);
    await agent.endAsync();
  });
});
