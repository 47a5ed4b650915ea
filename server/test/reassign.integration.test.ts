import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MqttClient } from 'mqtt';
import { CancelMsgSchema, vehicleTopic, type Incident, type Vehicle } from '@lifeline/protocol';
import { compileParser } from '@lifeline/protocol/validate';
import type { LifelineServer } from '../src/server.ts';
import { api, connectMqtt, externalUnavailable, mToLat, nextMessage, TestEnv, waitFor, type Mode } from './helpers.ts';

const external = await externalUnavailable();
const cancelParser = compileParser(CancelMsgSchema);
const SCENE = { lat: 10.95, lng: 106.7 };

describe.each<Mode>(['embedded', 'external'])('reassign, cancel and close (%s)', (mode) => {
  const skip = mode === 'external' && external !== null;
  const env = new TestEnv(mode);
  let server: LifelineServer;
  let agent: MqttClient;
  const vehicle = async (id: string) => (await api<Vehicle[]>(server.url, 'GET', '/api/vehicles')).body.find((v) => v.id === id)!;

  beforeAll(async () => {
    if (skip) return;
    await env.setup();
    server = await env.start();
    agent = await connectMqtt(server.mqttUrl);
    const p = server.config.mqttPrefix;
    for (const [i, id] of ['A', 'B', 'C'].entries()) {
      await agent.publishAsync(vehicleTopic(p, id, 'status'), JSON.stringify({ status: 'available', ts: Date.now() - 5000 }), { qos: 1 });
      await agent.publishAsync(vehicleTopic(p, id, 'position'), JSON.stringify({ seq: 1, ts: Date.now(), lat: SCENE.lat + mToLat(300 * (i + 1)), lon: SCENE.lng }), { qos: 1 });
    }
    await waitFor(async () => {
      const rows = await server.db.selectFrom('vehicles').select(['id', 'online', 'status']).execute();
      return rows.filter((r) => r.online && r.status === 'available').length === 3;
    }, 'three units online');
  });
  afterAll(async () => {
    if (skip) return;
    await agent?.endAsync();
    await server?.stop();
    await env.teardown();
  });

  const newIncident = async (): Promise<Incident> =>
    (await api(server.url, 'POST', '/api/incidents', { line: '115', callerPhone: '0987654321', location: SCENE, category: 'stroke', priority: 1 })).body.incident;

  it.skipIf(skip)('reassigns: the first unit is told to stand down and is available again', async () => {
    const p = server.config.mqttPrefix;
    const incident = await newIncident();
    const first = await api(server.url, 'POST', `/api/incidents/${incident.id}/assign`, { vehicleId: 'A' });
    expect(first.status).toBe(200);
    const cancelled = await nextMessage(agent, vehicleTopic(p, 'A', 'cancel'));
    const second = await api(server.url, 'POST', `/api/incidents/${incident.id}/reassign`, { vehicleId: 'B', reason: 'A báo kẹt xe' });
    expect(second.status).toBe(200);
    expect(second.body.incident).toMatchObject({ state: 'assigned', vehicleId: 'B' });
    const msg = cancelParser.validate(await cancelled.promise);
    if (!msg.ok) throw new Error(msg.error);
    expect(msg.value).toMatchObject({ assignmentId: first.body.assignmentId, incidentId: incident.id });
    expect((await vehicle('A')).status).toBe('available');
    expect((await vehicle('B'))).toMatchObject({ status: 'dispatched', incidentId: incident.id });
    // A late ack for the withdrawn assignment changes nothing.
    await agent.publishAsync(vehicleTopic(p, 'A', 'ack'), JSON.stringify({ assignmentId: first.body.assignmentId, ts: Date.now() }), { qos: 1 });
    await waitFor(() => server.counters.get('acks_ignored') >= 1, 'late ack ignored');
    expect((await api<Incident>(server.url, 'GET', `/api/incidents/${incident.id}`)).body.state).toBe('assigned');
    const types = (await api<{ type: string; data: Record<string, unknown> }[]>(server.url, 'GET', `/api/incidents/${incident.id}/timeline`)).body;
    const steps = types.filter((e) => ['UnitAssigned', 'UnitReleased'].includes(e.type));
    expect(steps.map((e) => [e.type, e.data.vehicleId])).toEqual([
      ['UnitAssigned', 'A'],
      ['UnitReleased', 'A'],
      ['UnitAssigned', 'B'],
    ]);
    expect(steps[2]!.data.reason).toBe('A báo kẹt xe');
    const rows = await server.db.selectFrom('assignments').select(['vehicle_id', 'ended_at']).where('incident_id', '=', incident.id).orderBy('assigned_at').execute();
    expect(rows.map((r) => [r.vehicle_id, r.ended_at !== null])).toEqual([
      ['A', true],
      ['B', false],
    ]);

    // Reassigning to a busy unit is refused and changes nothing.
    const other = await newIncident();
    expect((await api(server.url, 'POST', `/api/incidents/${other.id}/assign`, { vehicleId: 'C' })).status).toBe(200);
    const refused = await api(server.url, 'POST', `/api/incidents/${incident.id}/reassign`, { vehicleId: 'C' });
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('UNIT_UNAVAILABLE');
    expect((await vehicle('B'))).toMatchObject({ status: 'dispatched', incidentId: incident.id });

    // Cancelling releases the unit, tells it, and is final.
    const stand = await nextMessage(agent, vehicleTopic(p, 'B', 'cancel'));
    const cancel = await api(server.url, 'POST', `/api/incidents/${incident.id}/cancel`, { reason: 'Người gọi báo đã tự đến viện' });
    expect(cancel.status).toBe(200);
    expect(cancel.body).toMatchObject({ state: 'cancelled', vehicleId: null });
    expect(await stand.promise).toMatchObject({ incidentId: incident.id });
    expect((await vehicle('B'))).toMatchObject({ status: 'available', incidentId: null });
    const again = await api(server.url, 'POST', `/api/incidents/${incident.id}/cancel`, {});
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('INVALID_TRANSITION');
  });

  it.skipIf(skip)('closes only after the unit reached the patient', async () => {
    const incident = await newIncident();
    const early = await api(server.url, 'POST', `/api/incidents/${incident.id}/close`, {});
    expect(early.status).toBe(409);
    const missing = await api(server.url, 'POST', `/api/incidents/00000000-0000-4000-8000-000000000001/close`, {});
    expect(missing.status).toBe(404);
  });
});
