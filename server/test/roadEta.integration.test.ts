import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { vehicleTopic, type Recommendation } from '@lifeline/protocol';
import { importRoadGraph, saveRoadGraph } from '../src/adapters/routing/index.ts';
import type { LifelineServer } from '../src/server.ts';
import { api, connectMqtt, TestEnv, waitFor } from './helpers.ts';

const OSM = path.resolve(fileURLToPath(new URL('../..', import.meta.url)), 'fixtures/osm/monaco.osm.pbf');
// Two units and a scene in Monaco (Port Hercule area); both within 1.5 km.
const SCENE = { lat: 43.7347, lng: 7.4206 };
const UNITS: [string, number, number][] = [
  ['MC-1', 43.7384, 7.4246],
  ['MC-2', 43.7311, 7.4185],
  ['MC-3', 43.7283, 7.4155],
];

describe('road ETA in the server (Monaco graph, embedded)', () => {
  const env = new TestEnv('embedded');
  let graphFile: string;
  let failing: http.Server;
  let failingUrl: string;
  const servers: LifelineServer[] = [];

  beforeAll(async () => {
    await env.setup();
    graphFile = path.join(env.dataDir, 'monaco.llrg');
    await saveRoadGraph(graphFile, await importRoadGraph(OSM));
    failing = http.createServer((_req, res) => res.writeHead(500).end('{"code":"Error"}'));
    await new Promise<void>((r) => failing.listen(0, '127.0.0.1', r));
    failingUrl = `http://127.0.0.1:${(failing.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    for (const s of servers) await s.stop();
    failing?.close();
    await env.teardown();
  });

  async function placeUnits(server: LifelineServer) {
    const agent = await connectMqtt(server.mqttUrl);
    for (const [id, lat, lng] of UNITS) {
      await agent.publishAsync(vehicleTopic(server.config.mqttPrefix, id, 'status'), JSON.stringify({ status: 'available', ts: Date.now() }), { qos: 1 });
      await agent.publishAsync(vehicleTopic(server.config.mqttPrefix, id, 'position'), JSON.stringify({ seq: 1, ts: Date.now(), lat, lon: lng }), { qos: 1 });
    }
    await waitFor(() => UNITS.every(([id]) => server.fleet.index.get(id)?.online && server.fleet.index.get(id)?.position), 'units online');
    await agent.endAsync();
  }

  it('ranks by road ETA and draws the route along roads', async () => {
    const server = await env.start({ OSM_GRAPH: graphFile });
    servers.push(server);
    await placeUnits(server);
    const cfg = await api(server.url, 'GET', '/api/config');
    expect(cfg.body.attribution).toBe('© OpenStreetMap contributors');
    const r = await api(server.url, 'POST', '/api/incidents', { line: '115', callerPhone: '0933333333', location: SCENE, category: 'trauma', priority: 1 });
    const recs: Recommendation[] = r.body.recommendations;
    expect(recs.map((x) => x.vehicleId).sort()).toEqual(['MC-1', 'MC-2', 'MC-3']);
    for (const x of recs) {
      expect(x.etaSource).toBe('road');
      expect(x.distanceM).toBeGreaterThanOrEqual(x.straightLineM * 0.95);
    }
    for (let i = 1; i < recs.length; i++) expect(recs[i]!.etaSec).toBeGreaterThanOrEqual(recs[i - 1]!.etaSec);
    const assigned = await api(server.url, 'POST', `/api/incidents/${r.body.incident.id}/assign`, { vehicleId: recs[0]!.vehicleId });
    expect(assigned.status).toBe(200);
    const route = await api(server.url, 'GET', `/api/incidents/${r.body.incident.id}/route`);
    expect(route.status).toBe(200);
    expect(route.body).toMatchObject({ vehicleId: recs[0]!.vehicleId, to: 'scene', source: 'road' });
    expect(route.body.coordinates.length).toBeGreaterThan(2);
    await server.stop();
    servers.pop();
  });

  it('falls back from a failing OSRM service to the road graph, and says so', async () => {
    const server = await env.start({ OSM_GRAPH: graphFile, ROUTER_URL: failingUrl, ROUTER_TIMEOUT_MS: '500' });
    servers.push(server);
    await placeUnits(server);
    const r = await api(server.url, 'POST', '/api/incidents', { line: '115', callerPhone: '0933333334', location: SCENE, category: 'trauma', priority: 1 });
    // The unit assigned in the previous test is released by its fresh 'available' report, or not
    // yet: either way every other unit is ranked.
    expect(r.body.recommendations.length).toBeGreaterThanOrEqual(UNITS.length - 1);
    expect(r.body.recommendations.every((x: Recommendation) => x.etaSource === 'road')).toBe(true);
    expect((await api(server.url, 'GET', '/api/config')).body.etaSources).toEqual(['osrm', 'road', 'straight_line']);
    await server.stop();
    servers.pop();
  });

  it('refuses to start with a missing graph file, naming OSM_GRAPH', async () => {
    await expect(env.start({ OSM_GRAPH: path.join(env.dataDir, 'missing.llrg') })).rejects.toThrow(/OSM_GRAPH/);
  });
});
