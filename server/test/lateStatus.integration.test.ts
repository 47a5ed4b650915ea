import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { vehicleTopic } from '@lifeline/protocol';
import type { MqttClient } from 'mqtt';
import type { LifelineServer } from '../src/server.ts';
import { api, connectMqtt, TestEnv, waitFor } from './helpers.ts';

/**
 * Cancel a call, then assign the same unit to a new call at once: the unit's `available` that
 * answers the cancel arrives after the new assignment. Before: it released the new call (2 of 20
 * trials in the field). A status names the assignment it answers, and a reply to an ended
 * assignment never touches the unit's next job. Ordering is forced: the late reply is published
 * after the new assignment is committed, and a later status (the marker) tells when it was handled.
 */
const TRIALS = 20;

describe('a late reply to a cancelled assignment', () => {
  const env = new TestEnv('embedded');
  let server: LifelineServer;
  let agent: MqttClient;
  const unit = 'LATE-1';
  const call = { line: '115', callerPhone: '0902000000', location: { lat: 10.98, lng: 106.65 }, category: 'trauma', priority: 2 };
  const statusTopic = () => vehicleTopic(server.config.mqttPrefix, unit, 'status');
  const deviceTs = async () => (await server.db.selectFrom('vehicles').select('status_device_ts').where('id', '=', unit).executeTakeFirst())?.status_device_ts?.getTime();

  beforeAll(async () => {
    await env.setup();
    server = await env.start();
    agent = await connectMqtt(server.mqttUrl);
    await agent.publishAsync(vehicleTopic(server.config.mqttPrefix, unit, 'position'), JSON.stringify({ seq: 1, ts: Date.now(), lat: 10.98, lon: 106.65 }), { qos: 1 });
    await agent.publishAsync(statusTopic(), JSON.stringify({ status: 'available', ts: Date.now() }), { qos: 1 });
    await waitFor(() => server.fleet.index.get(unit)?.status === 'available', 'unit available');
  });
  afterAll(async () => {
    await agent?.endAsync();
    await server?.stop();
    await env.teardown();
  });

  it(`never releases the unit's next call (${TRIALS}/${TRIALS} trials)`, async () => {
    let ts = Date.now();
    for (let i = 0; i < TRIALS; i++) {
      const first = (await api(server.url, 'POST', '/api/incidents', call)).body.incident;
      const a1 = await api(server.url, 'POST', `/api/incidents/${first.id}/assign`, { vehicleId: unit });
      expect(a1.status).toBe(200);
      expect((await api(server.url, 'POST', `/api/incidents/${first.id}/cancel`, { reason: 'trial' })).status).toBe(200);
      const second = (await api(server.url, 'POST', '/api/incidents', call)).body.incident;
      const a2 = await api(server.url, 'POST', `/api/incidents/${second.id}/assign`, { vehicleId: unit });
      expect(a2.status).toBe(200);
      // The reply to the cancel, device time after the new assignment.
      ts = Math.max(ts + 1, Date.now() + 1);
      await agent.publishAsync(statusTopic(), JSON.stringify({ status: 'available', ts, assignmentId: a1.body.assignmentId }), { qos: 1 });
      // The marker: the crew heads to the new call (same unit queue, so handled after the reply).
      ts += 1;
      await agent.publishAsync(statusTopic(), JSON.stringify({ status: 'en_route', ts, incidentId: second.id, assignmentId: a2.body.assignmentId }), { qos: 1 });
      const markerTs = ts;
      await waitFor(async () => (await deviceTs()) === markerTs, `trial ${i}: marker handled`);
      const now = (await api(server.url, 'GET', `/api/incidents/${second.id}`)).body;
      expect(now.state, `trial ${i}`).toBe('en_route');
      expect(now.vehicleId).toBe(unit);
      expect(server.fleet.index.get(unit)?.status).toBe('en_route');
      // Back to available for the next trial: the crew ends the job of the second call.
      expect((await api(server.url, 'POST', `/api/incidents/${second.id}/cancel`, { reason: 'trial done' })).status).toBe(200);
      ts += 1;
      await agent.publishAsync(statusTopic(), JSON.stringify({ status: 'available', ts, assignmentId: a2.body.assignmentId }), { qos: 1 });
      const doneTs = ts;
      await waitFor(async () => (await deviceTs()) === doneTs && server.fleet.index.get(unit)?.status === 'available', `trial ${i}: available again`);
    }
  }, 120_000);
});
