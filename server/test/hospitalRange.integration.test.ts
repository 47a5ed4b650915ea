/**
 * Hospitals far from the scene are never destinations (HOSPITAL_MAX_DISTANCE_KM): a server whose
 * database still holds the Bình Dương demo hospitals, taking a call in Monaco, assigns the unit and
 * sets no destination, and says why on the timeline — instead of a hospital 16 days' drive away.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { vehicleTopic, type Incident } from '@lifeline/protocol';
import type { LifelineServer } from '../src/server.ts';
import { api, connectMqtt, TestEnv, waitFor } from './helpers.ts';

const THU_DAU_MOT = { lat: 10.98, lng: 106.65 };
const MONACO = { lat: 43.7384, lng: 7.4246 };

describe('destination hospitals stay within HOSPITAL_MAX_DISTANCE_KM (embedded)', () => {
  const env = new TestEnv('embedded');
  let server: LifelineServer;

  beforeAll(async () => {
    await env.setup();
    // The Bình Dương demo hospitals are seeded (the map is there); the calls below are far apart.
    server = await env.start({ SEED_DEMO: '1' });
    const bus = await connectMqtt(server.mqttUrl);
    for (const [id, at] of [['HR-BD', THU_DAU_MOT], ['HR-MC', MONACO]] as const) {
      await bus.publishAsync(vehicleTopic(server.config.mqttPrefix, id, 'status'), JSON.stringify({ status: 'available', ts: Date.now() - 1000 }), { qos: 1 });
      await bus.publishAsync(vehicleTopic(server.config.mqttPrefix, id, 'position'), JSON.stringify({ seq: 1, ts: Date.now(), lat: at.lat + 0.002, lon: at.lng }), { qos: 1 });
    }
    await bus.endAsync();
    await waitFor(() => ['HR-BD', 'HR-MC'].every((id) => server.fleet.view(id)?.online && server.fleet.view(id)?.status === 'available'), 'units online');
  });
  afterAll(async () => {
    try {
      await server?.stop();
    } finally {
      await env.teardown();
    }
  });

  const callAndAssign = async (location: { lat: number; lng: number }, vehicleId: string) => {
    const created = await api<{ incident: Incident }>(server.url, 'POST', '/api/incidents', { line: '115', callerPhone: '0901234567', location, category: 'trauma', priority: 2 });
    expect(created.status).toBe(201);
    const assigned = await api<{ incident: Incident }>(server.url, 'POST', `/api/incidents/${created.body.incident.id}/assign`, { vehicleId });
    expect(assigned.status).toBe(200);
    const timeline = await api<{ type: string; data: Record<string, unknown> }[]>(server.url, 'GET', `/api/incidents/${created.body.incident.id}/timeline`);
    return { incident: assigned.body.incident, timeline: timeline.body };
  };

  it('a call near the hospitals gets the nearest as its destination', async () => {
    const { incident, timeline } = await callAndAssign(THU_DAU_MOT, 'HR-BD');
    expect(incident.hospitalId).toMatch(/^bd-/);
    expect(timeline.map((e) => e.type)).not.toContain('NoHospitalInRange');
  });

  it('a call 10,000 km away gets no destination, and the timeline says the nearest hospital is too far', async () => {
    const { incident, timeline } = await callAndAssign(MONACO, 'HR-MC');
    expect(incident.state).toBe('assigned');
    expect(incident.hospitalId ?? null).toBeNull();
    const note = timeline.find((e) => e.type === 'NoHospitalInRange');
    expect(note?.data.reason).toBe('too_far');
    expect(Number(note?.data.nearestKm)).toBeGreaterThan(9000);
    expect(timeline.find((e) => e.type === 'UnitAssigned')?.data.hospitalId).toBeUndefined();
  });
});
