import { afterAll, describe, expect, it } from 'vitest';
import { vehicleTopic, type Incident } from '@lifeline/protocol';
import { api, connectMqtt, externalUnavailable, TestEnv, waitFor, type Mode } from './helpers.ts';

const external = await externalUnavailable();

describe.each<Mode>(['embedded', 'external'])('restart on the same data (%s)', (mode) => {
  const skip = mode === 'external' && external !== null;
  const env = new TestEnv(mode);
  afterAll(() => env.teardown());

  it.skipIf(skip)('keeps every incident, timeline and position across a stop/start', async () => {
    await env.setup();
    let server = await env.start();
    const agent = await connectMqtt(server.mqttUrl);
    const id = 'R-1';
    await agent.publishAsync(vehicleTopic(server.config.mqttPrefix, id, 'status'), JSON.stringify({ status: 'available', ts: Date.now() }), { qos: 1 });
    for (let seq = 1; seq <= 5; seq++) {
      await agent.publishAsync(
        vehicleTopic(server.config.mqttPrefix, id, 'position'),
        JSON.stringify({ seq, ts: Date.now() - (6 - seq) * 1000, lat: 10.97 + seq * 1e-4, lon: 106.66 }),
        { qos: 1 },
      );
    }
    await waitFor(() => server.fleet.index.get(id)?.online && server.fleet.index.get(id)?.position, 'unit online');
    await waitFor(async () => (await server.db.selectFrom('vehicles').select('online').where('id', '=', id).executeTakeFirst())?.online, 'unit online in db');
    const created: Incident[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await api(server.url, 'POST', '/api/incidents', { line: '115', callerPhone: `091000000${i}`, location: { lat: 10.98, lng: 106.65 }, category: 'trauma', priority: 2 });
      expect(r.status).toBe(201);
      created.push(r.body.incident);
    }
    const assigned = await api(server.url, 'POST', `/api/incidents/${created[0]!.id}/assign`, { vehicleId: id });
    expect(assigned.status).toBe(200);
    const timelinesBefore = await Promise.all(created.map(async (i) => (await api(server.url, 'GET', `/api/incidents/${i.id}/timeline`)).body));
    const incidentsBefore = (await api<Incident[]>(server.url, 'GET', '/api/incidents')).body;
    await agent.endAsync();
    await server.stop();

    server = await env.start();
    try {
      const incidentsAfter = (await api<Incident[]>(server.url, 'GET', '/api/incidents')).body;
      expect(incidentsAfter).toEqual(incidentsBefore);
      const timelinesAfter = await Promise.all(created.map(async (i) => (await api(server.url, 'GET', `/api/incidents/${i.id}/timeline`)).body));
      expect(timelinesAfter).toEqual(timelinesBefore);
      expect(timelinesAfter[0].map((e: { type: string }) => e.type)).toContain('UnitAssigned');
      // The unit, its assignment and its last stored position are back in the live fleet.
      const v = (await api(server.url, 'GET', '/api/vehicles')).body.find((x: { id: string }) => x.id === id);
      expect(v.status).toBe('dispatched');
      expect(v.incidentId).toBe(created[0]!.id);
      expect(v.position.lat).toBeCloseTo(10.97 + 5e-4, 9);
      const rows = await server.db.selectFrom('vehicle_positions').select('seq').where('vehicle_id', '=', id).execute();
      expect(rows).toHaveLength(5);
    } finally {
      await server.stop();
    }
  });
});
