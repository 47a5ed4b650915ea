/**
 * The demo call generator (DEMO_CALLS): on the Hà Nội demo map, a call is placed on a real named
 * street near the centre, in Vietnamese, and reaches assignment without anyone at the console.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { vehicleTopic, type Incident } from '@lifeline/protocol';
import { importRoadGraph, saveRoadGraph } from '../src/adapters/routing/index.ts';
import { loadConfig } from '../src/config.ts';
import { haversineM } from '../src/core/geo.ts';
import type { LifelineServer } from '../src/server.ts';
import { api, connectMqtt, TestEnv, waitFor } from './helpers.ts';

const HANOI = path.resolve(fileURLToPath(new URL('../..', import.meta.url)), 'fixtures/osm/hanoi_o_cho_dua_osm_road_graph.geojson');

describe('DEMO_CALLS: calls come in and are assigned (embedded, Hà Nội demo map)', () => {
  const env = new TestEnv('embedded');
  let server: LifelineServer;

  beforeAll(async () => {
    await env.setup();
    const graphFile = path.join(env.dataDir, 'hanoi.llrg');
    await saveRoadGraph(graphFile, await importRoadGraph(HANOI));
    server = await env.start({ OSM_GRAPH: graphFile, DEMO_CALLS: '1', SEED_DEMO: '1' });
  });
  afterAll(async () => {
    try {
      await server?.stop();
    } finally {
      await env.teardown();
    }
  });

  const demoCalls = async () => (await api<Incident[]>(server.url, 'GET', '/api/incidents')).body.filter((i) => i.notes?.startsWith('[demo]'));

  /** Two available units in the map area (the fleet comes online after the first call, as in npm start). */
  const unitsOnline = async () => {
    const bus = await connectMqtt(server.mqttUrl);
    for (const [i, id] of ['HN-901', 'HN-902'].entries()) {
      const at = { lat: server.mapArea.center.lat + 0.001 * i, lng: server.mapArea.center.lng };
      await bus.publishAsync(vehicleTopic(server.config.mqttPrefix, id, 'status'), JSON.stringify({ status: 'available', ts: Date.now() - 1000 }), { qos: 1 });
      await bus.publishAsync(vehicleTopic(server.config.mqttPrefix, id, 'position'), JSON.stringify({ seq: 1, ts: Date.now(), lat: at.lat, lon: at.lng }), { qos: 1 });
    }
    await bus.endAsync();
  };

  it('is off unless DEMO_CALLS is set', () => {
    expect(loadConfig({}).demoCallsPerHour).toBe(0);
    expect(() => loadConfig({ DEMO_CALLS: 'lots' })).toThrow(/DEMO_CALLS/);
  });

  it('places a realistic call near the centre; it waits for a free unit, then one is assigned to it', async () => {
    const first = await waitFor(async () => (await demoCalls())[0], 'the first demo call', 30_000, 200);
    expect(first.vehicleId).toBeNull(); // no unit online yet
    await unitsOnline();
    const assigned = await waitFor(async () => (await demoCalls()).find((i) => i.id === first.id && i.vehicleId), 'the waiting demo call assigned', 40_000, 200);
    expect(['HN-901', 'HN-902']).toContain(assigned.vehicleId);
    expect(['assigned', 'acknowledged', 'en_route']).toContain(assigned.state);
    expect(assigned.address).toMatch(/^Số \d+ \S/);
    expect(haversineM(assigned.location, server.mapArea.center)).toBeLessThanOrEqual(server.mapArea.radiusKm * 1000);
    // Destination: one of the real Hà Nội hospitals seeded for this map.
    expect(assigned.hospitalId).toMatch(/^osm-/);
    const timeline = (await api<{ type: string; actor: string }[]>(server.url, 'GET', `/api/incidents/${assigned.id}/timeline`)).body;
    expect(timeline.find((e) => e.type === 'IncidentReceived')?.actor).toBe('demo:caller');
    expect(timeline.find((e) => e.type === 'UnitAssigned')?.actor).toMatch(/demo-dispatcher|auto/);
  });
});
