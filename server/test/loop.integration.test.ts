import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MqttClient } from 'mqtt';
import { AssignmentMsgSchema, vehicleTopic, type Incident, type SnapshotEvent, type TimelineAppendedEvent, type Vehicle } from '@lifeline/protocol';
import { compileParser } from '@lifeline/protocol/validate';
import type { LifelineServer } from '../src/server.ts';
import { api, connectMqtt, connectSocket, externalUnavailable, mToLat, nextMessage, randomId, TestEnv, waitFor, type LiveSocket, type Mode } from './helpers.ts';

const external = await externalUnavailable();

const SCENE = { lat: 10.98, lng: 106.65 };
const assignmentParser = compileParser(AssignmentMsgSchema);

describe.each<Mode>(['embedded', 'external'])('core dispatch loop (%s PostgreSQL + broker)', (mode) => {
  const skip = mode === 'external' && external !== null;
  const env = new TestEnv(mode);
  let server: LifelineServer;
  let agent: MqttClient;
  let socket: LiveSocket;
  const socketUnits = new Map<string, Vehicle>();
  const socketIncidents = new Map<string, Incident>();
  let snapshot: SnapshotEvent | null = null;
  const timelineEvents: TimelineAppendedEvent[] = [];
  const tag = randomId().slice(0, 4);
  const ids = { near: `N-${tag}`, mid: `M-${tag}`, far: `F-${tag}`, busy: `B-${tag}` };
  const prefix = () => server.config.mqttPrefix;
  const seqs = new Map<string, number>();

  const publishPosition = async (id: string, lat: number, lng: number, ts = Date.now()) => {
    const seq = (seqs.get(id) ?? 0) + 1;
    seqs.set(id, seq);
    await agent.publishAsync(vehicleTopic(prefix(), id, 'position'), JSON.stringify({ seq, ts, lat, lon: lng, spd: 0, hdg: 90 }), { qos: 1 });
    return seq;
  };
  const publishStatus = (id: string, status: string, ts: number, incidentId?: string) =>
    agent.publishAsync(vehicleTopic(prefix(), id, 'status'), JSON.stringify({ status, ts, ...(incidentId ? { incidentId } : {}) }), { qos: 1 });

  beforeAll(async () => {
    if (skip) return;
    await env.setup();
    server = await env.start();
    agent = await connectMqtt(server.mqttUrl);
    socket = connectSocket(server.url);
    socket.on('snapshot', (s) => {
      snapshot = s;
      for (const u of s.units) socketUnits.set(u.id, u);
    });
    socket.on('units', (d) => {
      for (const u of d.units) socketUnits.set(u.id, u);
    });
    socket.on('timeline', (e) => timelineEvents.push(e));
    socket.on('incident', (i) => {
      const prev = socketIncidents.get(i.id);
      if (!prev || prev.version < i.version) socketIncidents.set(i.id, i);
    });
    await waitFor(() => snapshot, 'socket snapshot');
  });

  afterAll(async () => {
    if (skip) return;
    socket?.close();
    await agent?.endAsync();
    await server?.stop();
    await env.teardown();
  });

  it.skipIf(skip)('tells the browser its clock with the public config', async () => {
    const before = Date.now();
    const cfg = await api<{ serverTime: string }>(server.url, 'GET', '/api/config', undefined, null);
    expect(cfg.status).toBe(200);
    const t = Date.parse(cfg.body.serverTime);
    expect(t).toBeGreaterThanOrEqual(before - 5);
    expect(t).toBeLessThanOrEqual(Date.now() + 5);
  });

  it.skipIf(skip)('shows units published over MQTT in the REST API and on the socket', async () => {
    const t0 = Date.now() - 10_000;
    // Truly nearest (500 m) vs 1 km and 2 km; the 300 m unit is out of service.
    const placements: [string, number][] = [
      [ids.near, 500],
      [ids.mid, 1000],
      [ids.far, 2000],
      [ids.busy, 300],
    ];
    for (const [id, m] of placements) {
      await publishStatus(id, id === ids.busy ? 'out_of_service' : 'available', t0);
      await publishPosition(id, SCENE.lat + mToLat(m), SCENE.lng);
    }
    const vehicles = await waitFor(async () => {
      const { body } = await api<Vehicle[]>(server.url, 'GET', '/api/vehicles');
      const mine = body.filter((v) => Object.values(ids).includes(v.id));
      return mine.length === 4 && mine.every((v) => v.position && v.online) && mine.find((v) => v.id === ids.busy)?.status === 'out_of_service' ? mine : null;
    }, 'units in GET /api/vehicles');
    const near = vehicles.find((v) => v.id === ids.near)!;
    expect(near.position!.lat).toBeCloseTo(SCENE.lat + mToLat(500), 9);
    expect(near.status).toBe('available');
    expect(Date.parse(near.statusSince!)).toBeGreaterThan(0);
    await waitFor(
      () => Object.values(ids).every((id) => socketUnits.get(id)?.position) && socketUnits.get(ids.busy)!.status === 'out_of_service',
      'units with their statuses on the socket',
    );
  });

  it.skipIf(skip)('ignores a back-filled older fix for the live position but stores it', async () => {
    const before = (await api<Vehicle[]>(server.url, 'GET', '/api/vehicles')).body.find((v) => v.id === ids.mid)!;
    const oldTs = new Date(before.position!.recordedAt).getTime() - 60_000;
    const seq = await publishPosition(ids.mid, 11.5, 107.0, oldTs);
    await waitFor(async () => {
      const r = await server.db.selectFrom('vehicle_positions').select('lat').where('vehicle_id', '=', ids.mid).where('seq', '=', seq).executeTakeFirst();
      return r?.lat === 11.5;
    }, 'back-filled row stored');
    const after = (await api<Vehicle[]>(server.url, 'GET', '/api/vehicles')).body.find((v) => v.id === ids.mid)!;
    expect(after.position).toEqual(before.position);
  });

  it.skipIf(skip)('runs a call from intake to closure, with every event on the timeline', async () => {
    const created = await api(server.url, 'POST', '/api/incidents', {
      line: '115',
      channel: 'phone',
      callerPhone: '0912 345 678',
      callerName: 'Nguyễn Văn A',
      location: SCENE,
      address: 'Đường Yersin, Phú Cường, Thủ Dầu Một',
      category: 'cardiac',
      priority: 1,
      notes: 'Ngừng tim, đang CPR',
    });
    expect(created.status).toBe(201);
    const incident: Incident = created.body.incident;
    expect(incident.state).toBe('triaged');
    const recs: { vehicleId: string; etaSec: number; distanceM: number }[] = created.body.recommendations;
    const mine = recs.filter((r) => Object.values(ids).includes(r.vehicleId));
    expect(mine.map((r) => r.vehicleId)).toEqual([ids.near, ids.mid, ids.far]);
    expect(recs[0]!.vehicleId).toBe(ids.near);
    for (let i = 1; i < recs.length; i++) expect(recs[i]!.etaSec).toBeGreaterThanOrEqual(recs[i - 1]!.etaSec);
    expect(recs[0]!.distanceM).toBeGreaterThan(500);

    const again = await api(server.url, 'GET', `/api/incidents/${incident.id}/recommendations`);
    expect(again.status).toBe(200);
    expect(again.body.recommendations[0].vehicleId).toBe(ids.near);

    const assignmentTopic = vehicleTopic(prefix(), ids.near, 'assignment');
    const received = await nextMessage(agent, assignmentTopic);
    const assigned = await api(server.url, 'POST', `/api/incidents/${incident.id}/assign`, { vehicleId: ids.near });
    expect(assigned.status).toBe(200);
    expect(assigned.body.incident.state).toBe('assigned');
    const msg = assignmentParser.validate(await received.promise);
    if (!msg.ok) throw new Error(msg.error);
    expect(msg.value.incidentId).toBe(incident.id);
    expect(msg.value.assignmentId).toBe(assigned.body.assignmentId);
    expect(msg.value.destination).toEqual(SCENE);
    expect(msg.value.hospital).toBeDefined();
    // Events that do not change the incident are announced, so an open timeline re-reads itself.
    await waitFor(() => timelineEvents.some((e) => e.incidentId === incident.id && e.type === 'AssignmentPublished'), 'timeline event pushed');
    expect(timelineEvents.filter((e) => e.incidentId === incident.id).map((e) => e.type)).toContain('RecommendationsShown');
    const events = (await api<{ type: string }[]>(server.url, 'GET', `/api/incidents/${incident.id}/timeline`)).body.map((e) => e.type);
    for (const e of timelineEvents.filter((x) => x.incidentId === incident.id)) expect(events).toContain(e.type);

    // The unit is no longer recommended while it is busy.
    const busyRecs = await api(server.url, 'GET', `/api/incidents/${incident.id}/recommendations`);
    expect(busyRecs.body.recommendations.map((r: { vehicleId: string }) => r.vehicleId)).not.toContain(ids.near);

    await agent.publishAsync(vehicleTopic(prefix(), ids.near, 'ack'), JSON.stringify({ assignmentId: msg.value.assignmentId, ts: Date.now() }), { qos: 1 });
    await waitFor(async () => (await api<Incident>(server.url, 'GET', `/api/incidents/${incident.id}`)).body.state === 'acknowledged', 'acknowledged');

    let ts = Date.now();
    for (const [status, state] of [
      ['en_route', 'en_route'],
      ['on_scene', 'on_scene'],
      ['transporting', 'transporting'],
      ['at_hospital', 'at_hospital'],
      ['available', 'closed'],
    ] as const) {
      ts += 1000;
      if (status === 'transporting') {
        // The crew picks another hospital than the one suggested at assignment.
        const other = (await api<{ id: string }[]>(server.url, 'GET', '/api/hospitals')).body.find((h) => h.id !== msg.value.hospital!.id)!;
        await agent.publishAsync(vehicleTopic(prefix(), ids.near, 'status'), JSON.stringify({ status, ts, incidentId: incident.id, hospitalId: other.id }), { qos: 1 });
        await waitFor(async () => (await api<Incident>(server.url, 'GET', `/api/incidents/${incident.id}`)).body.hospitalId === other.id, 'chosen hospital');
        continue;
      }
      await publishStatus(ids.near, status, ts, status === 'available' ? undefined : incident.id);
      await waitFor(async () => (await api<Incident>(server.url, 'GET', `/api/incidents/${incident.id}`)).body.state === state, state);
    }
    await waitFor(() => socketIncidents.get(incident.id)?.state === 'closed', 'closed incident on the socket');
    await waitFor(() => socketUnits.get(ids.near)?.status === 'available', 'unit available on the socket');

    const timeline = (await api<{ type: string; actor: string; ts: string }[]>(server.url, 'GET', `/api/incidents/${incident.id}/timeline`)).body;
    const types = timeline.map((e) => e.type);
    expect(types.filter((t) => t !== 'RecommendationsShown' && t !== 'AssignmentPublished')).toEqual([
      'IncidentReceived',
      'IncidentTriaged',
      'UnitAssigned',
      'AssignmentAcknowledged',
      'UnitEnRoute',
      'UnitOnScene',
      'PatientTransporting',
      'UnitAtHospital',
      'IncidentClosed',
    ]);
    expect(types.indexOf('AssignmentPublished')).toBeGreaterThan(types.indexOf('UnitAssigned'));
    expect(types.filter((t) => t === 'RecommendationsShown').length).toBe(3);
    const stamps = timeline.map((e) => Date.parse(e.ts));
    expect([...stamps].sort((a, b) => a - b)).toEqual(stamps);
    expect(timeline.find((e) => e.type === 'UnitOnScene')!.actor).toBe(`unit:${ids.near}`);

    // The unit is assignable again.
    const after = await api(server.url, 'GET', `/api/incidents/${incident.id}/recommendations`);
    expect(after.body.recommendations[0].vehicleId).toBe(ids.near);
  });

  it.skipIf(skip)('stores positions in batches, drops duplicate (vehicle, seq) and confirms with stored', async () => {
    const id = `S-${tag}`;
    const storedTopic = vehicleTopic(prefix(), id, 'stored');
    let lastSeq = 0;
    const stored = await nextMessage(agent, storedTopic, (p) => (p as { seq: number }).seq === lastSeq);
    for (let i = 0; i < 20; i++) lastSeq = await publishPosition(id, SCENE.lat + i * 1e-4, SCENE.lng, Date.now() - (20 - i) * 1000);
    // The same message again (at-least-once redelivery).
    await agent.publishAsync(
      vehicleTopic(prefix(), id, 'position'),
      JSON.stringify({ seq: lastSeq, ts: Date.now() - 1000, lat: SCENE.lat, lon: SCENE.lng }),
      { qos: 1 },
    );
    expect(await stored.promise).toEqual({ seq: lastSeq, boot: expect.stringMatching(/^[A-Za-z0-9_-]{8}$/) });
    await server.writer.drain();
    const rows = await server.db.selectFrom('vehicle_positions').select(['seq', 'lat']).where('vehicle_id', '=', id).orderBy('seq').execute();
    expect(rows.map((r) => r.seq)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(rows[19]!.lat).toBeCloseTo(SCENE.lat + 19e-4, 9);
    expect(server.writer.stats.duplicates).toBeGreaterThanOrEqual(1);
  });

  it.skipIf(skip)('assigns a unit exactly once under 50 simultaneous requests', async () => {
    const id = `C-${tag}`;
    await publishStatus(id, 'available', Date.now());
    await publishPosition(id, SCENE.lat - mToLat(200), SCENE.lng);
    await waitFor(() => server.fleet.index.get(id)?.online && server.fleet.index.get(id)?.position, 'unit C online');
    await waitFor(async () => (await server.db.selectFrom('vehicles').select('online').where('id', '=', id).executeTakeFirst())?.online, 'unit C online in db');
    const incidents = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        api(server.url, 'POST', '/api/incidents', { line: '1022', callerPhone: `09000000${String(i).padStart(2, '0')}`, location: SCENE, category: 'fall', priority: 3 }),
      ),
    );
    const results = await Promise.all(incidents.map((r) => api(server.url, 'POST', `/api/incidents/${r.body.incident.id}/assign`, { vehicleId: id })));
    const codes = results.map((r) => r.status).sort();
    expect(codes.filter((c) => c === 200)).toHaveLength(1);
    expect(codes.filter((c) => c === 409)).toHaveLength(49);
    expect(results.filter((r) => r.status === 409).every((r) => r.body.code === 'UNIT_UNAVAILABLE')).toBe(true);
    const rows = await server.db.selectFrom('assignments').selectAll().where('vehicle_id', '=', id).execute();
    expect(rows).toHaveLength(1);
  });
});
