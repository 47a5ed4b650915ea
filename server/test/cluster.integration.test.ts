import { afterAll, describe, expect, it } from 'vitest';
import { vehicleTopic, type AlertEvent, type Incident, type Recommendation, type Vehicle } from '@lifeline/protocol';
import type { LifelineServer } from '../src/server.ts';
import { noServiceAt } from '@lifeline/testing';
import { api, connectMqtt, connectSocket, externalUnavailable, login, randomId, REDIS_HINT, TestEnv, waitFor, type LiveSocket } from './helpers.ts';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const redisUrl = new URL(REDIS_URL);
const unavailable =
  (await externalUnavailable()) ?? ((await noServiceAt('Redis', REDIS_URL, REDIS_HINT)) ? `no Redis at ${redisUrl.host}` : null);

/** What one dispatcher's socket has seen. */
function watch(socket: LiveSocket) {
  const seen = { units: new Map<string, Vehicle>(), incidents: [] as Incident[], alerts: [] as AlertEvent[], timeline: [] as { incidentId: string; type: string }[] };
  socket.on('snapshot', (s) => s.units.forEach((u) => seen.units.set(u.id, u)));
  socket.on('units', (d) => d.units.forEach((u) => seen.units.set(u.id, u)));
  socket.on('incident', (i) => seen.incidents.push(i));
  socket.on('alert', (a) => seen.alerts.push(a));
  socket.on('timeline', (t) => seen.timeline.push(t));
  return seen;
}

const call = (phone: string) => ({ line: '115', callerPhone: phone, location: { lat: 10.98, lng: 106.65 }, category: 'trauma', priority: 2 });

describe.skipIf(unavailable !== null)('two server instances sharing broker, PostgreSQL and Redis', () => {
  const env = new TestEnv('external');
  const servers: LifelineServer[] = [];
  const sockets: LiveSocket[] = [];
  afterAll(async () => {
    for (const s of sockets) s.close();
    for (const s of servers) await s.stop().catch(() => undefined);
    await env.teardown();
  });

  it('shares the fleet, fans socket.io out once, splits the write path and survives losing one', async () => {
    await env.setup();
    // A watches acks for a minute; B only 3 s: an assignment made on A and never acknowledged is
    // alerted by B's sweep after A stopped (no timer of A's is left to do it).
    const A = await env.start({ REDIS_URL, INSTANCE_ID: `a-${env.id}`, ACK_TIMEOUT_SEC: '60' });
    servers.push(A);
    const B = await env.start({ REDIS_URL, INSTANCE_ID: `b-${env.id}`, ACK_TIMEOUT_SEC: '3' });
    servers.push(B);
    const prefix = A.config.mqttPrefix;
    await waitFor(() => A.ownership!.liveInstances().length === 2 && B.ownership!.liveInstances().length === 2, 'both instances see both');
    expect((await api(B.url, 'GET', '/healthz', undefined, await login(B, 'supervisor'))).body.cluster).toEqual({ instance: B.config.instanceId, live: [A.config.instanceId, B.config.instanceId].sort() });

    // Units such that each instance owns four (one of A's is still free after three assignments).
    const ids: string[] = [];
    while (ids.filter((v) => A.ownership!.ownerOf(v) === A.config.instanceId).length < 4 || ids.filter((v) => A.ownership!.ownerOf(v) === B.config.instanceId).length < 4) {
      const v = `CL-${randomId()}`;
      const owner = A.ownership!.ownerOf(v);
      if (ids.filter((x) => A.ownership!.ownerOf(x) === owner).length < 4) ids.push(v);
    }
    const owners = new Map(ids.map((v) => [v, A.ownership!.ownerOf(v) === A.config.instanceId ? A : B]));
    const ownerOf = (v: string) => owners.get(v)!;
    expect(ids.map((v) => B.ownership!.ownerOf(v))).toEqual(ids.map((v) => A.ownership!.ownerOf(v)));

    const sockA = connectSocket(A.url);
    const sockB = connectSocket(B.url);
    sockets.push(sockA, sockB);
    const onA = watch(sockA);
    const onB = watch(sockB);

    const agent = await connectMqtt(A.mqttUrl);
    const stored: { vehicleId: string; seq?: number; mids?: number[]; boot: string }[] = [];
    agent.on('message', (topic, payload) => {
      stored.push({ vehicleId: topic.split('/').at(-2)!, ...JSON.parse(payload.toString()) });
    });
    await agent.subscribeAsync(`${prefix}/vehicles/+/stored`, { qos: 1 });
    const lat = (i: number, seq: number) => 10.97 + i * 0.002 + seq * 1e-4;
    const publishPositions = async (from: number, to: number) => {
      for (const [i, v] of ids.entries()) {
        for (let seq = from; seq <= to; seq++) {
          const msg = { seq, ts: Date.now() - (to - seq) * 1000, lat: lat(i, seq), lon: 106.65 };
          await agent.publishAsync(vehicleTopic(prefix, v, 'position'), JSON.stringify(msg), { qos: 1 });
        }
      }
    };
    const t0 = Date.now();
    for (const v of ids) await agent.publishAsync(vehicleTopic(prefix, v, 'status'), JSON.stringify({ status: 'available', ts: t0 }), { qos: 1 });
    await publishPositions(1, 5);

    // 1. Every instance's index is complete: every unit, online, at its latest position; and on every socket.
    const complete = (units: (id: string) => Vehicle | null | undefined, upTo: number, anyStatus = false) =>
      ids.every((v, i) => {
        const u = units(v);
        return u?.online && (anyStatus || u.status === 'available') && u.position?.lat === lat(i, upTo);
      });
    await waitFor(() => complete((v) => A.fleet.view(v), 5) && complete((v) => B.fleet.view(v), 5), 'both fleets complete');
    await waitFor(() => complete((v) => onA.units.get(v), 5) && complete((v) => onB.units.get(v), 5), 'both sockets show every unit');

    // 2. Each position is written once, by its owner, and confirmed by its owner only.
    const rowCounts = async () =>
      (await B.db.selectFrom('vehicle_positions').select(['vehicle_id', B.db.fn.countAll<string>().as('n')]).where('vehicle_id', 'in', ids).groupBy('vehicle_id').execute()).map((r) => [r.vehicle_id, Number(r.n)]);
    await waitFor(async () => (await rowCounts()).length === ids.length && (await rowCounts()).every(([, n]) => n === 5), 'five rows per unit');
    await waitFor(() => ids.every((v) => stored.some((s) => s.vehicleId === v && s.seq === 5)), 'stored seq 5 for every unit');
    expect(A.writer.stats.written + B.writer.stats.written).toBe(5 * ids.length);
    expect(A.writer.stats.written).toBeGreaterThan(0);
    expect(B.writer.stats.written).toBeGreaterThan(0);
    expect(A.writer.stats.duplicates + B.writer.stats.duplicates).toBe(0);
    for (const s of stored) expect(s.boot.startsWith(`${ownerOf(s.vehicleId).ownership!.boot}.`), `stored for ${s.vehicleId} by its owner`).toBe(true);

    // A phone mapped on A reports to B over HTTP: B stores it (its reply means stored), A shows it too.
    const phone = `PH-${env.id}`;
    const admin = await login(A, 'admin');
    expect((await api(A.url, 'POST', '/api/vehicles', { id: phone, callSign: phone }, admin)).status).toBe(201);
    expect((await api(A.url, 'POST', '/api/trackers', { kind: 'osmand', deviceKey: `dev-${env.id}`, vehicleId: phone }, admin)).status).toBe(201);
    const t = Math.floor(Date.now() / 1000);
    await waitFor(async () => (await fetch(`${B.url}/osmand?id=dev-${env.id}&lat=10.99&lon=106.66&timestamp=${t}`)).status === 200, 'B knows the phone and stores its fix');
    expect(await B.db.selectFrom('vehicle_positions').select('seq').where('vehicle_id', '=', phone).execute()).toHaveLength(1);
    await waitFor(() => A.fleet.view(phone)?.position?.lat === 10.99 && B.fleet.view(phone)?.position?.lat === 10.99, 'the phone on both instances');

    // 3. An incident created on B reaches the socket on A, once; B's recommendations see A's units.
    const created = await api(B.url, 'POST', '/api/incidents', call('0910000001'));
    expect(created.status).toBe(201);
    const inc1: Incident = created.body.incident;
    const recs: Recommendation[] = created.body.recommendations;
    expect(recs.some((r) => ownerOf(r.vehicleId) === A)).toBe(true);
    expect(recs.some((r) => ownerOf(r.vehicleId) === B)).toBe(true);
    const inc2: Incident = (await api(B.url, 'POST', '/api/incidents', call('0910000002'))).body.incident;
    const inc3: Incident = (await api(B.url, 'POST', '/api/incidents', call('0910000003'))).body.incident;
    // Broadcasts from B arrive in order: once inc2 is on A, a second copy of inc1 would be too.
    await waitFor(() => onA.incidents.some((i) => i.id === inc3.id), 'third incident on A');
    expect(onA.incidents.filter((i) => i.id === inc1.id)).toHaveLength(1);
    expect(onB.incidents.filter((i) => i.id === inc1.id)).toHaveLength(1);

    // 4. A unit assigned on A is not recommended on B a moment later (the database is asked).
    const u1 = recs[0]!.vehicleId;
    const assigned = await api(A.url, 'POST', `/api/incidents/${inc1.id}/assign`, { vehicleId: u1 });
    expect(assigned.status).toBe(200);
    const onB2 = await api(B.url, 'GET', `/api/incidents/${inc2.id}/recommendations`);
    expect(onB2.status).toBe(200);
    expect(onB2.body.recommendations.map((r: Recommendation) => r.vehicleId)).not.toContain(u1);
    await waitFor(() => B.fleet.view(u1)?.status === 'dispatched' && onB.units.get(u1)?.status === 'dispatched', 'B shows u1 dispatched');
    // Both instances try to take the same unit: one wins.
    const [u2, u3] = (onB2.body.recommendations as Recommendation[]).map((r) => r.vehicleId);
    const race = await Promise.all([A, B].map((s) => api(s.url, 'POST', `/api/incidents/${inc3.id}/assign`, { vehicleId: u3 })));
    expect(race.map((r) => r.status).sort()).toEqual([200, 409]);

    // 5. The unit's ack and status are applied once, by its owner, even when delivered twice.
    const ack = { assignmentId: assigned.body.assignmentId, ts: Date.now(), mid: 1001 };
    const enRoute = { status: 'en_route', ts: Date.now() + 1, mid: 1002 };
    await agent.publishAsync(vehicleTopic(prefix, u1, 'ack'), JSON.stringify(ack), { qos: 1 });
    await agent.publishAsync(vehicleTopic(prefix, u1, 'status'), JSON.stringify(enRoute), { qos: 1 });
    await agent.publishAsync(vehicleTopic(prefix, u1, 'status'), JSON.stringify(enRoute), { qos: 1 });
    await waitFor(() => stored.filter((s) => s.vehicleId === u1 && s.mids?.includes(1002)).length === 2, 'both copies of en_route confirmed');
    const types = async (id: string) => ((await api(B.url, 'GET', `/api/incidents/${id}/timeline`)).body as { type: string }[]).map((e) => e.type);
    const t1 = await types(inc1.id);
    expect(t1.filter((t) => t === 'AssignmentAcknowledged')).toHaveLength(1);
    expect(t1.filter((t) => t === 'UnitEnRoute')).toHaveLength(1);
    expect(t1.filter((t) => t === 'UnitAssigned')).toHaveLength(1);
    for (const s of stored.filter((x) => x.mids)) expect(s.boot.startsWith(`${ownerOf(s.vehicleId).ownership!.boot}.`)).toBe(true);
    await waitFor(() => onA.incidents.some((i) => i.id === inc1.id && i.state === 'en_route') && onB.incidents.some((i) => i.id === inc1.id && i.state === 'en_route'), 'en_route on both sockets');
    await waitFor(() => A.fleet.view(u1)?.status === 'en_route' && B.fleet.view(u1)?.status === 'en_route', 'en_route in both fleets');

    // 6. An assignment made on A is never acknowledged, and A stops. B takes every unit, keeps
    // ingesting, and raises the ack timeout once.
    expect((await api(A.url, 'POST', `/api/incidents/${inc2.id}/assign`, { vehicleId: u2 })).status).toBe(200);
    await A.stop();
    const stoppedAt = new Date();
    servers.splice(servers.indexOf(A), 1);
    await waitFor(() => B.ownership!.liveInstances().length === 1, 'B alone');
    await waitFor(() => onB.alerts.some((a) => a.type === 'ack_timeout' && a.incidentId === inc2.id), 'ack timeout alert on B', 20_000);
    await publishPositions(6, 8);
    await waitFor(async () => (await rowCounts()).every(([, n]) => n === 8), 'eight rows per unit');
    await waitFor(() => ids.every((v) => stored.some((s) => s.vehicleId === v && s.seq === 8 && s.boot.startsWith(`${B.ownership!.boot}.`))), 'B confirms every unit');
    await waitFor(() => complete((v) => B.fleet.view(v), 8, true), 'B follows every unit');
    const aUnit = ids.find((v) => ownerOf(v) === A && ![u1, u2, u3].includes(v))!; // A owns four
    await agent.publishAsync(vehicleTopic(prefix, aUnit, 'status'), JSON.stringify({ status: 'out_of_service', ts: Date.now(), mid: 2001 }), { qos: 1 });
    await waitFor(() => stored.some((s) => s.vehicleId === aUnit && s.mids?.includes(2001) && s.boot.startsWith(`${B.ownership!.boot}.`)), 'B applies a status of A’s former unit');
    expect((await B.db.selectFrom('vehicles').select('status').where('id', '=', aUnit).executeTakeFirstOrThrow()).status).toBe('out_of_service');

    const t2 = ((await api(B.url, 'GET', `/api/incidents/${inc2.id}/timeline`)).body as { type: string; ts: string }[]).filter((e) => e.type === 'AckTimedOut');
    expect(t2).toHaveLength(1);
    expect(new Date(t2[0]!.ts).getTime()).toBeGreaterThanOrEqual(stoppedAt.getTime() - 50); // after A was gone
    expect(onB.alerts.filter((a) => a.type === 'ack_timeout' && a.incidentId === inc2.id)).toHaveLength(1);
    // inc3's unit never acknowledged either: one alert, whichever instance assigned it.
    await waitFor(async () => (await types(inc3.id)).includes('AckTimedOut'), 'inc3 ack timeout');
    expect((await types(inc3.id)).filter((t) => t === 'AckTimedOut')).toHaveLength(1);
    await waitFor(() => onB.alerts.some((a) => a.incidentId === inc3.id), 'inc3 alert');
    expect(onB.alerts.filter((a) => a.incidentId === inc3.id)).toHaveLength(1);
    expect(onB.alerts.filter((a) => a.incidentId === inc1.id)).toHaveLength(0);
    await agent.endAsync();
  });
});
