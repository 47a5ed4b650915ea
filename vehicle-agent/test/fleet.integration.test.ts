/**
 * The simulated fleet against a REAL MQTT broker (in-process aedes on a free port). No mocks:
 * a probe client subscribes like the server would, publishes assignments and `stored` messages,
 * and every wait ends on an event (with a deadline only to fail clearly).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AssignmentMsgSchema, PositionMsgSchema, StatusMsgSchema, vehicleTopic, type AssignmentMsg, type LatLng, type VehicleTopicKind } from '@lifeline/protocol';
import { compileParser } from '@lifeline/protocol/validate';
import { destinationPoint, distanceM, kmhToMps } from '../src/core/geo.ts';
import { startSimulatedFleet, startSimulatedVehicle, type SimulatedFleet, type StatusMsg } from './support/api.ts';
import { startBroker, type TestBroker } from './support/broker.ts';
import { Probe, waitForEvents, type Received } from './support/probe.ts';

const PREFIX = 'itest/v1';
const CENTER = { lat: 10.98, lng: 106.65 };
const RADIUS_KM = 3;
// 50 ms ticks × 300 = 15 simulated seconds per tick: a whole job takes about two real seconds.
const FAST = { intervalMs: 50, timeScale: 300 } as const;
const HOSPITAL = { id: 'BV-BD', name: 'Bệnh viện Đa khoa tỉnh Bình Dương', location: { lat: 10.9804, lng: 106.6519 } };

const positionOk = compileParser(PositionMsgSchema);
const statusOk = compileParser(StatusMsgSchema);
const topic = (id: string, kind: VehicleTopicKind) => vehicleTopic(PREFIX, id, kind);
let n = 0;
const uuid = () => `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`;

function assignment(id: string, destination: LatLng, over: Partial<AssignmentMsg> = {}): AssignmentMsg {
  const a: AssignmentMsg = {
    assignmentId: `as-${id}-${n + 1}`,
    incidentId: uuid(),
    assignedAt: Date.now(),
    incident: { line: '115', category: 'cardiac', priority: 1, location: destination },
    destination,
    ...over,
  };
  expect(compileParser(AssignmentMsgSchema).validate(a).ok).toBe(true);
  return a;
}

/** Live (non-retained) status messages of a vehicle from index `from` of the probe log. */
const liveStatuses = (probe: Probe, id: string, from: number) =>
  probe.on(topic(id, 'status'), from).filter((m) => !m.retain).map((m) => m.json as StatusMsg);

let tb: TestBroker;
let probe: Probe;
let fleet: SimulatedFleet;
let testStart: number;

beforeAll(async () => {
  tb = await startBroker();
  probe = await Probe.connect(tb.url, [`${PREFIX}/vehicles/+/position`, `${PREFIX}/vehicles/+/status`, `${PREFIX}/vehicles/+/ack`]);
  testStart = Date.now();
  fleet = await startSimulatedFleet({ count: 3, center: CENTER, radiusKm: RADIUS_KM, mqttUrl: tb.url, prefix: PREFIX, seed: 2019, hospitals: [HOSPITAL], ...FAST });
});

afterAll(async () => {
  await fleet?.stop();
  await probe?.close();
  await tb?.close();
});

describe('simulated fleet on a real broker', () => {
  it('three vehicles publish schema-valid positions with strictly increasing seq, and a status on connect', async () => {
    expect(fleet.ids).toEqual(['BD-001', 'BD-002', 'BD-003']);
    for (const id of fleet.ids) {
      await probe.waitFor(() => probe.on(topic(id, 'position')).length >= 10, `10 positions from ${id}`);
      const st = await probe.waitFor((m) => m.topic === topic(id, 'status'), `status of ${id}`);
      expect(st.json).toMatchObject({ status: 'available' });
      expect(statusOk.validate(st.json).ok).toBe(true);

      const msgs = probe.on(topic(id, 'position')).map((m) => m.json);
      for (const m of msgs) {
        const v = positionOk.validate(m);
        expect(v.ok, JSON.stringify(v)).toBe(true);
      }
      const seqs = msgs.map((m) => (m as { seq: number }).seq);
      for (let i = 1; i < seqs.length; i++) expect(seqs[i]! - seqs[i - 1]!).toBe(1);
      // seq starts at the device clock in ms (so it stays unique across restarts).
      expect(seqs[0]).toBeGreaterThanOrEqual(testStart);
      expect(seqs[0]).toBeLessThanOrEqual(Date.now());
      const first = msgs[0] as { lat: number; lon: number; ts: number };
      expect(distanceM(CENTER, { lat: first.lat, lng: first.lon })).toBeLessThanOrEqual(RADIUS_KM * 1000 + 1);
      expect(first.ts).toBeGreaterThanOrEqual(testStart);
    }
    // The seed fixes the start points.
    expect([...fleet.starts.values()]).toEqual((await import('../src/fleet.ts')).fleetStarts(CENTER, RADIUS_KM * 1000, 3, 2019));
  });

  it('`stored {seq}` is recorded per vehicle; a seq never published is counted as bad and ignored', async () => {
    const v = fleet.vehicles.get('BD-001')!;
    const seen = probe.on(topic('BD-001', 'position')).map((m) => (m.json as { seq: number }).seq);
    const k = seen[4]!;
    const stored = waitForEvents(v.events, 'stored', (s: { seq: number }) => s.seq === k, 'stored event');
    await probe.publish(topic('BD-001', 'stored'), { seq: k });
    await stored;
    const s = v.stats();
    expect(s.lastStoredSeq).toBe(k);
    expect(s.storedMsgs).toBe(1);
    expect(s.unstored).toBe(s.lastSeq! - k);
    expect(s.firstSeq).toBe(seen[0]);
    expect(fleet.stats()['BD-002']!.lastStoredSeq).toBeNull();

    const bad = waitForEvents(v.events, 'badMessage', () => true, 'badMessage event');
    await probe.publish(topic('BD-001', 'stored'), { seq: s.lastSeq! + 1_000_000 });
    await bad;
    expect(v.stats().lastStoredSeq).toBe(k);
  });

  it('an assignment is acked, then en_route → on_scene → transporting → at_hospital → available', async () => {
    const id = 'BD-002';
    const v = fleet.vehicles.get(id)!;
    const start = v.state().position;
    const scene = destinationPoint(start, 60, 1200);
    const hospital = { id: 'H-X', name: 'Test hospital', location: destinationPoint(scene, 200, 1500) };
    const a = assignment(id, scene, { hospital });
    const from = probe.messages.length;
    const onScene = waitForEvents(v.events, 'status', (m: StatusMsg) => m.status === 'on_scene', 'on_scene event');
    const atHospital = waitForEvents(v.events, 'status', (m: StatusMsg) => m.status === 'at_hospital', 'at_hospital event');
    await probe.publish(topic(id, 'assignment'), a);

    const ack = await probe.waitFor((m) => m.topic === topic(id, 'ack'), 'ack');
    expect(ack.json).toEqual({ assignmentId: a.assignmentId, ts: expect.any(Number) });
    await onScene;
    expect(distanceM(v.state().position, scene)).toBeLessThan(1);
    await atHospital;
    expect(distanceM(v.state().position, hospital.location)).toBeLessThan(1);
    await probe.waitFor((m) => probe.messages.indexOf(m) >= from && m.topic === topic(id, 'status') && (m.json as StatusMsg).status === 'available', 'available again');

    const statuses = liveStatuses(probe, id, from);
    expect(statuses.map((s) => s.status)).toEqual(['en_route', 'on_scene', 'transporting', 'at_hospital', 'available']);
    for (const s of statuses) expect(statusOk.validate(s).ok).toBe(true);
    for (const s of statuses.slice(0, 4)) expect(s.incidentId).toBe(a.incidentId);
    expect(statuses[4]!.incidentId).toBeUndefined();
    // The ack comes before en_route.
    const ackAt = probe.messages.indexOf(ack);
    const enRouteAt = probe.messages.findIndex((m, i) => i >= from && m.topic === topic(id, 'status') && (m.json as StatusMsg).status === 'en_route');
    expect(ackAt).toBeLessThan(enRouteAt);
    // While driving: 40 km/h with a heading towards the scene.
    const driving = probe.on(topic(id, 'position'), from).map((m) => m.json as { spd: number; hdg: number }).find((p) => p.spd > 0)!;
    expect(driving.spd).toBeCloseTo(kmhToMps(40), 1);
    expect(driving.hdg).toBeGreaterThan(55);
    expect(driving.hdg).toBeLessThan(65);
  });

  it('a new assignment while busy is acked and replaces the job; a bad assignment is dropped', async () => {
    const id = 'BD-003';
    const v = fleet.vehicles.get(id)!;
    const bad = waitForEvents(v.events, 'badMessage', () => true, 'badMessage event');
    await probe.publish(topic(id, 'assignment'), '{"assignmentId": 1');
    await bad;
    await probe.publish(topic(id, 'assignment'), { assignmentId: 'x', destination: { lat: 999, lng: 0 } });
    await waitForEvents(v.events, 'badMessage', () => true, 'second badMessage event');
    expect(v.stats().badMessages).toBe(2);
    expect(v.state().job.status).toBe('available');

    const from = probe.messages.length;
    const far = assignment(id, destinationPoint(v.state().position, 0, 30_000)); // 45 simulated minutes away
    await probe.publish(topic(id, 'assignment'), far);
    await probe.waitFor((m) => probe.messages.indexOf(m) >= from && m.topic === topic(id, 'status') && (m.json as StatusMsg).status === 'en_route', 'en_route to the far job');
    const near = assignment(id, destinationPoint(v.state().position, 90, 800));
    await probe.publish(topic(id, 'assignment'), near);
    await probe.waitFor((m) => m.topic === topic(id, 'ack') && (m.json as { assignmentId: string }).assignmentId === near.assignmentId, 'ack of the new job');
    await probe.waitFor((m) => probe.messages.indexOf(m) >= from && m.topic === topic(id, 'status') && (m.json as StatusMsg).status === 'available', 'available after the new job');

    const statuses = liveStatuses(probe, id, from);
    expect(statuses.map((s) => [s.status, s.incidentId])).toEqual([
      ['en_route', far.incidentId],
      ['en_route', near.incidentId],
      ['on_scene', near.incidentId],
      // No hospital in the assignment: the nearest from the --hospitals list.
      ['transporting', near.incidentId],
      ['at_hospital', near.incidentId],
      ['available', undefined],
    ]);
    expect(probe.on(topic(id, 'ack'), from).map((m) => (m.json as { assignmentId: string }).assignmentId)).toEqual([far.assignmentId, near.assignmentId]);
  });

  it("destroying a vehicle's socket makes the broker deliver its last will 'offline'; the agent then reconnects", async () => {
    const id = 'BD-001';
    const v = fleet.vehicles.get(id)!;
    const from = probe.messages.length;
    const reconnected = waitForEvents(v.events, 'connect', () => true, 'reconnect');
    v.client.stream.destroy();
    const will = await probe.waitFor((m) => probe.messages.indexOf(m) >= from && m.topic === topic(id, 'status') && (m.json as StatusMsg).status === 'offline', 'last will');
    expect(statusOk.validate(will.json).ok).toBe(true);
    await reconnected;
    await probe.waitFor(
      (m) => probe.messages.indexOf(m) > probe.messages.indexOf(will) && m.topic === topic(id, 'status') && (m.json as StatusMsg).status === 'available',
      'available after reconnect',
    );
    // The will was retained: a newcomer sees the latest retained status (available again now).
    const late = await Probe.connect(tb.url, [topic(id, 'status')]);
    const retained = await late.waitFor((m) => m.retain, 'retained status');
    expect(retained.json).toMatchObject({ status: 'available' });
    await late.close();
  });

  it('stop(): every client disconnects cleanly (no last will) and nothing more is published', async () => {
    const disconnected = new Set<string>();
    const allGone = waitForEvents(
      tb.broker as never,
      'clientDisconnect',
      (c: { id: string }) => {
        if (c.id.startsWith('lifeline-agent-BD-')) disconnected.add(c.id);
        return disconnected.size === 3;
      },
      'three clientDisconnect events',
    );
    const from = probe.messages.length;
    await fleet.stop();
    await allGone;
    const after = fleet.stats();
    // A round trip through the broker after the disconnects: anything the agents sent is in by now.
    await probe.client.subscribeAsync(`${PREFIX}/marker`, { qos: 1 });
    await probe.publish(`${PREFIX}/marker`, { done: true });
    await probe.waitFor((m) => m.topic === `${PREFIX}/marker`, 'marker');
    const wills = probe.messages.slice(from).filter((m: Received) => m.topic.endsWith('/status') && (m.json as StatusMsg).status === 'offline');
    expect(wills).toEqual([]);
    expect(fleet.stats()).toEqual(after);
    for (const v of fleet.vehicles.values()) expect(v.client.connected).toBe(false);
  });
});

describe('single vehicle, restart and persistent session', () => {
  it('skips transport with no hospital; after a restart seq continues above the last run and a queued assignment is delivered', async () => {
    const id = 'SOLO-1';
    const opts = { id, start: CENTER, mqttUrl: tb.url, prefix: PREFIX, idle: 'park' as const, ...FAST };
    const run1 = await startSimulatedVehicle(opts);
    await probe.waitFor((m) => m.topic === topic(id, 'status'), 'status on connect');
    const a = assignment(id, destinationPoint(CENTER, 10, 500));
    const from = probe.messages.length;
    await probe.publish(topic(id, 'assignment'), a);
    await probe.waitFor((m) => probe.messages.indexOf(m) >= from && m.topic === topic(id, 'status') && (m.json as StatusMsg).status === 'available', 'available');
    expect(liveStatuses(probe, id, from).map((s) => s.status)).toEqual(['en_route', 'on_scene', 'available']);
    await run1.stop();
    const lastSeq1 = run1.stats().lastSeq!;

    // While the agent is away the server assigns it: clean:false + QoS 1 keep it at the broker.
    const queued = assignment(id, destinationPoint(CENTER, 200, 500));
    await probe.publish(topic(id, 'assignment'), queued);
    const run2 = await startSimulatedVehicle(opts);
    try {
      const [ack] = await waitForEvents(run2.events, 'ack', (m: { assignmentId: string }) => m.assignmentId === queued.assignmentId, 'ack of the queued assignment');
      expect(ack.assignmentId).toBe(queued.assignmentId);
      await waitForEvents(run2.events, 'position', () => true, 'a position from run 2');
      expect(run2.stats().firstSeq).toBeGreaterThan(lastSeq1);
    } finally {
      await run2.stop();
    }
  });

  it('a cancel of the current job makes the unit available; a cancel for another assignment is ignored', async () => {
    const id = 'SOLO-2';
    const v = await startSimulatedVehicle({ id, start: CENTER, mqttUrl: tb.url, prefix: PREFIX, idle: 'park', ...FAST });
    try {
      await probe.waitFor((m) => m.topic === topic(id, 'status'), 'status on connect');
      const from = probe.messages.length;
      const a = assignment(id, destinationPoint(CENTER, 90, 30_000)); // far: still driving when cancelled
      await probe.publish(topic(id, 'assignment'), a);
      await probe.waitFor((m) => probe.messages.indexOf(m) >= from && m.topic === topic(id, 'status'), 'en_route');
      const cancels: { assignmentId: string; applied: boolean }[] = [];
      v.events.on('cancel', (c) => cancels.push(c));
      await probe.publish(topic(id, 'cancel'), { assignmentId: 'as-stale', incidentId: a.incidentId, ts: Date.now() });
      await probe.publish(topic(id, 'cancel'), { assignmentId: a.assignmentId, incidentId: a.incidentId, reason: 'caller cancelled', ts: Date.now() });
      await probe.waitFor((m) => probe.messages.indexOf(m) >= from && m.topic === topic(id, 'status') && (m.json as StatusMsg).status === 'available', 'available');
      expect(liveStatuses(probe, id, from).map((s) => [s.status, s.incidentId])).toEqual([
        ['en_route', a.incidentId],
        ['available', undefined],
      ]);
      expect(cancels).toEqual([
        { assignmentId: 'as-stale', applied: false },
        { assignmentId: a.assignmentId, applied: true },
      ]);
      expect(v.stats().cancelsReceived).toBe(2);
    } finally {
      await v.stop();
    }
  });

  it('rejects when the broker is unreachable, within the connect timeout', async () => {
    await expect(
      startSimulatedVehicle({ id: 'NOPE-1', start: CENTER, mqttUrl: 'mqtt://127.0.0.1:1', connectTimeoutMs: 1500 }),
    ).rejects.toThrow(/no connection to mqtt:\/\/127\.0\.0\.1:1 within 1500 ms/);
  });

  it('rejects a topic-unsafe id before connecting', async () => {
    await expect(startSimulatedVehicle({ id: 'a/b', start: CENTER, mqttUrl: tb.url })).rejects.toThrow(RangeError);
  });
});
