import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fleetIds, startSimulatedFleet, type SimulatedFleet } from '@lifeline/vehicle-agent';
import type { Incident, Vehicle } from '@lifeline/protocol';
import { issueUnitCredentials } from '../src/adapters/store/unitCredentials.ts';
import { haversineM } from '../src/core/geo.ts';
import type { LifelineServer } from '../src/server.ts';
import { api, connectSocket, externalUnavailable, TestEnv, waitFor, type LiveSocket, type Mode } from './helpers.ts';

const external = await externalUnavailable();
const CENTER = { lat: 10.98, lng: 106.65 };

describe.each<Mode>(['embedded', 'external'])('simulated agents drive the whole loop (%s)', (mode) => {
  const skip = mode === 'external' && external !== null;
  // End to end with MQTT authentication on (the default): each unit logs in with its own credentials.
  const env = new TestEnv(mode, { mqttAuth: 'default' });
  let server: LifelineServer;
  let fleet: SimulatedFleet;
  let socket: LiveSocket;
  const live = new Map<string, Vehicle>();
  const incidents = new Map<string, Incident>();

  beforeAll(async () => {
    if (skip) return;
    await env.setup();
    server = await env.start();
    socket = connectSocket(server.url);
    socket.on('snapshot', (s) => s.units.forEach((u) => live.set(u.id, u)));
    socket.on('units', (d) => d.units.forEach((u) => live.set(u.id, u)));
    socket.on('incident', (i) => incidents.set(i.id, i));
    const hospitals = (await api(server.url, 'GET', '/api/hospitals')).body;
    const idPrefix = `SIM${env.id.slice(0, 3)}`;
    const passwords: Record<string, string> = {};
    if (mode === 'embedded') for (const id of fleetIds(idPrefix, 6)) passwords[id] = (await issueUnitCredentials(server.db, id)).password;
    fleet = await startSimulatedFleet({
      passwords,
      mqttUrl: server.mqttUrl,
      prefix: server.config.mqttPrefix,
      count: 6,
      center: CENTER,
      radiusKm: 3,
      seed: 7,
      idle: 'park',
      idPrefix,
      hospitals,
      intervalMs: 100,
      // 1 real second = 60 simulated seconds: the 3 km drive and the dwell times pass in seconds.
      timeScale: 60,
      speedKmh: 60,
      sceneDwellSec: 60,
      hospitalDwellSec: 60,
    });
  });
  afterAll(async () => {
    if (skip) return;
    socket?.close();
    await fleet?.stop();
    await server?.stop();
    await env.teardown();
  });

  it.skipIf(skip)('units appear, the nearest is recommended, and the unit works the call to the end', async () => {
    await waitFor(() => fleet.ids.every((id) => live.get(id)?.position && live.get(id)?.online), 'every simulated unit on the live map', 20_000);
    const vehicles = (await api<Vehicle[]>(server.url, 'GET', '/api/vehicles')).body.filter((v) => fleet.ids.includes(v.id));
    expect(vehicles).toHaveLength(6);

    const scene = { lat: CENTER.lat + 0.004, lng: CENTER.lng - 0.003 };
    const created = await api(server.url, 'POST', '/api/incidents', { line: '115', callerPhone: '0901234567', location: scene, category: 'respiratory', priority: 1 });
    expect(created.status).toBe(201);
    const incident: Incident = created.body.incident;
    // Idle units are parked, so the live positions are the ones the server ranked.
    const truth = vehicles
      .map((v) => ({ id: v.id, d: haversineM(scene, v.position!) }))
      .sort((a, b) => a.d - b.d)[0]!;
    const best = created.body.recommendations[0];
    expect(best.vehicleId).toBe(truth.id);

    const assigned = await api(server.url, 'POST', `/api/incidents/${incident.id}/assign`, { vehicleId: best.vehicleId });
    expect(assigned.status).toBe(200);
    await waitFor(() => incidents.get(incident.id)?.state === 'closed', 'the unit to work the call to closure', 60_000, 100);

    const types = (await api<{ type: string }[]>(server.url, 'GET', `/api/incidents/${incident.id}/timeline`)).body.map((e) => e.type);
    for (const t of ['UnitAssigned', 'AssignmentAcknowledged', 'UnitEnRoute', 'UnitOnScene', 'PatientTransporting', 'UnitAtHospital', 'IncidentClosed']) expect(types).toContain(t);
    const order = ['UnitAssigned', 'AssignmentAcknowledged', 'UnitEnRoute', 'UnitOnScene', 'PatientTransporting', 'UnitAtHospital', 'IncidentClosed'].map((t) => types.indexOf(t));
    expect([...order].sort((a, b) => a - b)).toEqual(order);

    // The unit reached the scene: a stored position near it while on scene.
    await server.writer.drain();
    const rows = await server.db.selectFrom('vehicle_positions').select(['lat', 'lng']).where('vehicle_id', '=', best.vehicleId).execute();
    expect(rows.some((r) => haversineM(scene, r) < 50)).toBe(true);
    // Every position the agent published is stored and confirmed back to it.
    const stats = fleet.stats()[best.vehicleId]!;
    await waitFor(() => fleet.stats()[best.vehicleId]!.storedMsgs > 0, 'stored acks reach the agent');
    expect(stats.badMessages).toBe(0);
    await waitFor(() => live.get(best.vehicleId)!.status === 'available', 'the unit available again on the live map');
  });
});
