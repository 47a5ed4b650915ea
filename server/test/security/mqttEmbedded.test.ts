import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { vehicleTopic } from '@lifeline/protocol';
import type { LifelineServer } from '../../src/server.ts';
import { api, login, TestEnv, waitFor } from '../helpers.ts';
import { capturedLogger, closed, connectUnit, issueCredentials, position, type UnitCreds } from './mqttHelpers.ts';

const REFUSED = /Not authorized|Bad username|Identifier rejected/i;

/** The embedded broker with the default configuration (no MQTT_AUTH): what an outsider meets after `npm start`. */
describe('embedded broker, default configuration', () => {
  const env = new TestEnv('embedded', { mqttAuth: 'default' });
  const captured = capturedLogger('info');
  let server: LifelineServer;
  let admin: string;
  let a: UnitCreds;
  let b: UnitCreds;
  const open: MqttClient[] = [];
  const p = () => server.config.mqttPrefix;
  const rowsOf = async (unit: string) => (await server.db.selectFrom('vehicle_positions').select('seq').where('vehicle_id', '=', unit).execute()).map((r) => Number(r.seq));

  beforeAll(async () => {
    await env.setup();
    server = await env.start({}, { logger: captured.logger });
    admin = await login(server, 'admin');
    a = await issueCredentials(server, admin, `SEC-A-${env.id}`);
    b = await issueCredentials(server, admin, `SEC-B-${env.id}`);
  });
  afterAll(async () => {
    for (const c of open) c.end(true);
    await server?.stop();
    await env.teardown();
  });

  it('refuses anonymous clients: they can neither publish positions nor read assignments', async () => {
    expect(server.config.mqttAuth).toBe(true);
    await expect(connectUnit(server.mqttUrl, null)).rejects.toThrow(REFUSED);
    await expect(connectUnit(server.mqttUrl, null, { clientId: `lifeline-agent-${b.username}` })).rejects.toThrow(REFUSED);
  });

  it('binds client ids to units: A cannot take B’s session, B keeps it and gets its assignment', async () => {
    const bClient = await connectUnit(server.mqttUrl, b, { clientId: `lifeline-agent-${b.username}`, clean: false });
    open.push(bClient);
    let bClosed = false;
    bClient.on('close', () => (bClosed = true));
    await bClient.subscribeAsync(vehicleTopic(p(), b.username, 'assignment'), { qos: 1 });
    await bClient.publishAsync(vehicleTopic(p(), b.username, 'status'), JSON.stringify({ status: 'available', ts: Date.now() }), { qos: 1, retain: true });
    await bClient.publishAsync(vehicleTopic(p(), b.username, 'position'), position(1), { qos: 1 });
    await waitFor(() => server.fleet.index.get(b.username)?.position, 'B on the map');

    await expect(connectUnit(server.mqttUrl, a, { clientId: `lifeline-agent-${b.username}` })).rejects.toThrow(REFUSED);
    await expect(connectUnit(server.mqttUrl, a, { clientId: b.username })).rejects.toThrow(REFUSED);
    // Its own ids are fine: the agent's `lifeline-agent-{id}`, and the bare id (Mosquitto's use_username_as_clientid).
    for (const id of [`lifeline-agent-${a.username}`, a.username]) await (await connectUnit(server.mqttUrl, a, { clientId: id })).endAsync();

    const assignment = new Promise<unknown>((resolve) => bClient.on('message', (_t, m) => resolve(JSON.parse(m.toString()))));
    const created = await api(server.url, 'POST', '/api/incidents', { line: '115', callerPhone: '0901234567', location: { lat: 10.971, lng: 106.641 }, category: 'fall', priority: 2 });
    expect(created.status).toBe(201);
    const assigned = await api(server.url, 'POST', `/api/incidents/${created.body.incident.id}/assign`, { vehicleId: b.username });
    expect(assigned.status).toBe(200);
    expect(await assignment).toMatchObject({ incidentId: created.body.incident.id });
    expect(bClosed).toBe(false);
  });

  it('a unit cannot use the server’s client id; the server stays connected', async () => {
    const serverId = server.mqttClientId ?? `lifeline-server-${server.config.instanceId}`;
    await expect(connectUnit(server.mqttUrl, a, { clientId: serverId })).rejects.toThrow(REFUSED);
    await expect(connectUnit(server.mqttUrl, a, { clientId: 'lifeline-server-x' })).rejects.toThrow(REFUSED);
    const aClient = await connectUnit(server.mqttUrl, a, { clientId: `lifeline-agent-${a.username}` });
    await aClient.publishAsync(vehicleTopic(p(), a.username, 'position'), position(10), { qos: 1 });
    await waitFor(() => server.fleet.index.get(a.username)?.position, 'A on the map');
    expect(server.counters.get('mqtt_session_taken_over')).toBe(0);
    await aClient.endAsync();
  });

  it('a unit reads and writes only its own topics', async () => {
    const aClient = await connectUnit(server.mqttUrl, a);
    open.push(aClient);
    for (const t of [
      vehicleTopic(p(), b.username, 'assignment'),
      vehicleTopic(p(), b.username, 'stored'),
      vehicleTopic(p(), b.username, 'cancel'),
      `${p()}/vehicles/+/assignment`,
      `${p()}/#`,
      '#',
      vehicleTopic(p(), a.username, 'position'), // its own uplink: not readable either
    ]) {
      // mqtt.js rejects a subscription the broker refused (granted QoS 0x80).
      await expect(aClient.subscribeAsync(t, { qos: 1 }), t).rejects.toThrow(/Subscribe error/);
    }
    for (const k of ['assignment', 'stored', 'cancel'] as const) expect((await aClient.subscribeAsync(vehicleTopic(p(), a.username, k), { qos: 1 }))[0]!.qos).toBe(1);
    // Publishing as B (ack, position) or to the server's own topics ends the connection and stores nothing.
    for (const [t, body] of [
      [vehicleTopic(p(), b.username, 'ack'), JSON.stringify({ assignmentId: 'x', ts: Date.now() })],
      [vehicleTopic(p(), b.username, 'position'), position(99)],
      [vehicleTopic(p(), a.username, 'assignment'), JSON.stringify({})],
      [`${p()}/servers/evil`, JSON.stringify({ boot: 'x' })],
    ] as const) {
      const c = await connectUnit(server.mqttUrl, a);
      const gone = closed(c);
      c.publish(t, body, { qos: 1 });
      await gone;
    }
    await server.writer.drain();
    expect(await rowsOf(b.username)).not.toContain(99);
  });

  it('re-issuing a unit’s credentials ends its live session at once', async () => {
    const old = a;
    const c = await connectUnit(server.mqttUrl, old, { clientId: `lifeline-agent-${old.username}` });
    await c.publishAsync(vehicleTopic(p(), old.username, 'position'), position(20), { qos: 1 });
    await waitFor(async () => (await server.writer.drain(), (await rowsOf(old.username)).includes(20)), 'position over the old credentials stored');
    const gone = closed(c);
    a = await issueCredentials(server, admin, old.username);
    await gone;
    // Anything still sent over the old connection is lost, not stored.
    c.publish(vehicleTopic(p(), old.username, 'position'), position(21), { qos: 0 });
    await expect(connectUnit(server.mqttUrl, old)).rejects.toThrow(REFUSED);
    const fresh = await connectUnit(server.mqttUrl, a);
    await fresh.publishAsync(vehicleTopic(p(), a.username, 'position'), position(22), { qos: 1 });
    await waitFor(async () => (await server.writer.drain(), (await rowsOf(a.username)).includes(22)), 'position over the new credentials stored');
    expect(await rowsOf(a.username)).not.toContain(21);
    await fresh.endAsync();
  });

  it('closes a connection that sends a 1 MB packet; the server keeps working', async () => {
    const c = await connectUnit(server.mqttUrl, a);
    const gone = closed(c);
    c.publish(vehicleTopic(p(), a.username, 'position'), Buffer.alloc(1024 * 1024, 0x20), { qos: 0 });
    await gone;
    const ok = await connectUnit(server.mqttUrl, b);
    await ok.publishAsync(vehicleTopic(p(), b.username, 'position'), position(30), { qos: 1 });
    await waitFor(async () => (await server.writer.drain(), (await rowsOf(b.username)).includes(30)), 'a position after the oversize packet stored');
    await ok.endAsync();
  });

  it('1,000 refused connects: each counted, a bounded number of log lines', async () => {
    const before = server.counters.get('mqtt_denied');
    const linesBefore = captured.lines.filter((l) => /MQTT/.test(l.msg) && /den|refus/i.test(l.msg)).length;
    const N = 1000;
    let next = 0;
    const worker = async () => {
      while (next < N) {
        const i = next++;
        await connectUnit(server.mqttUrl, i % 2 ? { username: `nobody-${i}`, password: 'x' } : null).then(
          (c) => c.end(true),
          () => undefined,
        );
      }
    };
    await Promise.all(Array.from({ length: 20 }, worker));
    expect(server.counters.get('mqtt_denied') - before).toBeGreaterThanOrEqual(N);
    const lines = captured.lines.filter((l) => /MQTT/.test(l.msg) && /den|refus/i.test(l.msg)).length - linesBefore;
    expect(lines).toBeLessThanOrEqual(5);
  });
});
