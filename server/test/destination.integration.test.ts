import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MqttClient } from 'mqtt';
import { AssignmentMsgSchema, vehicleTopic, type AlertEvent, type Hospital, type Incident, type TimelineEvent } from '@lifeline/protocol';
import { compileParser } from '@lifeline/protocol/validate';
import type { LifelineServer } from '../src/server.ts';
import { api, connectMqtt, connectSocket, externalUnavailable, login, mToLat, nextMessage, TestEnv, waitFor, type LiveSocket, type Mode } from './helpers.ts';

const external = await externalUnavailable();
const assignmentParser = compileParser(AssignmentMsgSchema);
const SCENE = { lat: 10.97, lng: 106.66 };

/**
 * The dispatcher's destination hospital (POST /api/incidents/:id/destination) and the alert for a
 * call its unit handed back by its own status report.
 */
describe.each<Mode>(['embedded', 'external'])('destination hospital and handed-back calls (%s)', (mode) => {
  const skip = mode === 'external' && external !== null;
  const env = new TestEnv(mode);
  let server: LifelineServer;
  let agent: MqttClient;
  let socket: LiveSocket;
  const alerts: AlertEvent[] = [];

  beforeAll(async () => {
    if (skip) return;
    await env.setup();
    server = await env.start();
    agent = await connectMqtt(server.mqttUrl);
    const p = server.config.mqttPrefix;
    for (const [i, id] of ['D1', 'D2'].entries()) {
      await agent.publishAsync(vehicleTopic(p, id, 'status'), JSON.stringify({ status: 'available', ts: Date.now() - 5000 }), { qos: 1 });
      await agent.publishAsync(vehicleTopic(p, id, 'position'), JSON.stringify({ seq: 1, ts: Date.now(), lat: SCENE.lat + mToLat(400 * (i + 1)), lon: SCENE.lng }), { qos: 1 });
    }
    await waitFor(() => ['D1', 'D2'].every((id) => server.fleet.view(id)?.status === 'available'), 'units available');
    socket = connectSocket(server.url);
    socket.on('alert', (a) => alerts.push(a));
    await new Promise<void>((resolve) => socket.once('snapshot', () => resolve()));
  });
  afterAll(async () => {
    if (skip) return;
    socket?.close();
    await agent?.endAsync();
    await server?.stop();
    await env.teardown();
  });

  const assigned = async (unit: string): Promise<Incident> => {
    const created = (await api(server.url, 'POST', '/api/incidents', { line: '115', callerPhone: '0987000111', location: SCENE, category: 'cardiac', priority: 1 })).body.incident as Incident;
    const r = await api(server.url, 'POST', `/api/incidents/${created.id}/assign`, { vehicleId: unit });
    expect(r.status).toBe(200);
    return r.body.incident as Incident;
  };

  it.skipIf(skip)('changes the destination with a reason: incident, timeline, and the unit’s assignment again with the new hospital', async () => {
    const p = server.config.mqttPrefix;
    const incident = await assigned('D1');
    expect(incident.hospitalId).not.toBeNull();
    const hospitals = (await api<Hospital[]>(server.url, 'GET', '/api/hospitals')).body;
    const other = hospitals.find((h) => h.id !== incident.hospitalId)!;
    const path = `/api/incidents/${incident.id}/destination`;

    // Refused: no reason, an unknown hospital, the same hospital, a hospital user.
    expect((await api(server.url, 'POST', path, { hospitalId: other.id })).status).toBe(400);
    expect((await api(server.url, 'POST', path, { hospitalId: other.id, reason: '   ' })).status).toBe(400);
    expect((await api(server.url, 'POST', path, { hospitalId: 'no-such-hospital', reason: 'x' })).status).toBe(404);
    expect((await api(server.url, 'POST', path, { hospitalId: incident.hospitalId, reason: 'x' })).status).toBe(409);
    expect((await api(server.url, 'POST', path, { hospitalId: other.id, reason: 'x' }, await login(server, 'hospital'))).status).toBe(403);
    expect((await api<Incident>(server.url, 'GET', `/api/incidents/${incident.id}`)).body.hospitalId).toBe(incident.hospitalId);

    const republished = await nextMessage(agent, vehicleTopic(p, 'D1', 'assignment'), (m) => (m as { hospital?: { id: string } }).hospital?.id === other.id);
    const r = await api<Incident>(server.url, 'POST', path, { hospitalId: other.id, reason: 'Cần chụp CT' });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ hospitalId: other.id, state: 'assigned', vehicleId: 'D1', assignmentId: incident.assignmentId });
    const msg = assignmentParser.validate(await republished.promise);
    if (!msg.ok) throw new Error(msg.error);
    expect(msg.value).toMatchObject({ assignmentId: incident.assignmentId, incidentId: incident.id, hospital: { id: other.id, name: other.name } });
    const events = (await api<TimelineEvent[]>(server.url, 'GET', `/api/incidents/${incident.id}/timeline`)).body;
    expect(events.find((e) => e.type === 'DestinationChanged')).toMatchObject({
      actor: 'dispatcher:test-dispatcher',
      data: { hospitalId: other.id, fromHospitalId: incident.hospitalId, reason: 'Cần chụp CT', vehicleId: 'D1' },
    });

    // A change of unit keeps the dispatcher's hospital.
    const moved = await api<{ incident: Incident }>(server.url, 'POST', `/api/incidents/${incident.id}/reassign`, { vehicleId: 'D2' });
    expect(moved.body.incident).toMatchObject({ vehicleId: 'D2', hospitalId: other.id });
    await api(server.url, 'POST', `/api/incidents/${incident.id}/cancel`, {});
    // Not once the call is over.
    expect((await api(server.url, 'POST', path, { hospitalId: incident.hospitalId, reason: 'x' })).status).toBe(409);
  });

  it.skipIf(skip)('a unit reporting available before reaching the patient hands the call back with an alert naming it and its status', async () => {
    const p = server.config.mqttPrefix;
    await waitFor(() => server.fleet.view('D1')?.status === 'available', 'D1 free');
    const incident = await assigned('D1');
    await agent.publishAsync(vehicleTopic(p, 'D1', 'status'), JSON.stringify({ status: 'available', ts: Date.now() }), { qos: 1 });
    const alert = await waitFor(() => alerts.find((a) => a.type === 'unit_released' && a.incidentId === incident.id), 'unit_released alert');
    expect(alert).toMatchObject({ vehicleId: 'D1', unitStatus: 'available' });
    expect((await api<Incident>(server.url, 'GET', `/api/incidents/${incident.id}`)).body).toMatchObject({ state: 'triaged', vehicleId: null });
  });
});
