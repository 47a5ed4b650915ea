import { afterAll, describe, expect, it } from 'vitest';
import { vehicleTopic } from '@lifeline/protocol';
import { api, connectMqtt, TestEnv, waitFor } from './helpers.ts';

describe('silent units (embedded)', () => {
  const env = new TestEnv('embedded');
  afterAll(() => env.teardown());

  it('marks a unit that stops reporting (no last will) offline, and back online when it reports', async () => {
    await env.setup();
    const server = await env.start({ SILENT_AFTER_SEC: '5' });
    try {
      const agent = await connectMqtt(server.mqttUrl);
      const p = server.config.mqttPrefix;
      const report = (seq: number) =>
        agent.publishAsync(vehicleTopic(p, 'Q-1', 'position'), JSON.stringify({ seq, ts: Date.now(), lat: 10.98, lon: 106.65 }), { qos: 1 });
      await agent.publishAsync(vehicleTopic(p, 'Q-1', 'status'), JSON.stringify({ status: 'available', ts: Date.now() }), { qos: 1 });
      await report(1);
      await waitFor(() => server.fleet.index.get('Q-1')?.online, 'online');
      const incident = (await api(server.url, 'POST', '/api/incidents', { line: '115', callerPhone: '0900000001', location: { lat: 10.981, lng: 106.65 }, category: 'fall', priority: 2 })).body.incident;
      expect((await api(server.url, 'GET', `/api/incidents/${incident.id}/recommendations`)).body.recommendations.map((r: { vehicleId: string }) => r.vehicleId)).toEqual(['Q-1']);
      // Silence (the MQTT connection stays up: no last will is sent).
      await waitFor(() => server.fleet.index.get('Q-1')?.online === false, 'marked offline after 5 s of silence', 15_000, 200);
      expect((await server.db.selectFrom('vehicles').select('online').where('id', '=', 'Q-1').executeTakeFirstOrThrow()).online).toBe(false);
      expect((await api(server.url, 'GET', `/api/incidents/${incident.id}/recommendations`)).body.recommendations).toEqual([]);
      expect(server.counters.get('units_marked_silent')).toBe(1);
      await report(2);
      await waitFor(() => server.fleet.index.get('Q-1')?.online, 'online again');
      await agent.endAsync();
    } finally {
      await server.stop();
    }
  });
});
