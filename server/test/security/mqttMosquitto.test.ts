import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { chmod, mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { vehicleTopic } from '@lifeline/protocol';
import { writeMosquittoAuth } from '../../src/adapters/auth/mosquittoFiles.ts';
import { freePort } from '../../src/adapters/freePort.ts';
import type { LifelineServer } from '../../src/server.ts';
import { api, killChild, login, randomId, TestEnv, waitFor } from '../helpers.ts';
import { closed, connectUnit, issueCredentials, position, type UnitCreds } from './mqttHelpers.ts';

const MOSQUITTO = '/usr/sbin/mosquitto';

/** A private Mosquitto on a free port with `conf` (its `listener` line included); resolves once it accepts connections. */
async function startMosquitto(conf: string, probe: (url: string) => Promise<MqttClient>): Promise<{ url: string; proc: ChildProcess }> {
  const proc = spawn(MOSQUITTO, ['-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  proc.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  proc.on('exit', (code) => code && console.error(`mosquitto exited ${code}: ${err}`));
  const port = Number(/listener (\d+)/.exec(readFileSync(conf, 'utf8'))![1]);
  const url = `mqtt://127.0.0.1:${port}`;
  await waitFor(() => probe(url).then((c) => c.endAsync().then(() => true)), 'mosquitto up', 10_000, 100);
  return { url, proc };
}

async function privateDir(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'lifeline-mosq-'));
  await chmod(dir, 0o755); // Mosquitto started as root reads its files as its own user
  return dir;
}

describe.skipIf(!existsSync(MOSQUITTO))('Mosquitto with the generated configuration', () => {
  const env = new TestEnv('embedded', { mqttAuth: 'default' });
  let server: LifelineServer;
  let broker: ChildProcess | null = null;
  let url = '';
  let a: UnitCreds;
  let b: UnitCreds;
  const p = () => server.config.mqttPrefix;
  const rowsOf = async (unit: string) => (await server.db.selectFrom('vehicle_positions').select('seq').where('vehicle_id', '=', unit).execute()).map((r) => Number(r.seq));

  beforeAll(async () => {
    await env.setup();
    const issuer = await env.start();
    const admin = await login(issuer, 'admin');
    a = await issueCredentials(issuer, admin, `MQ-A-${env.id}`);
    b = await issueCredentials(issuer, admin, `MQ-B-${env.id}`);
    const secret = `srv-${randomId()}${randomId()}`;
    const files = await writeMosquittoAuth(issuer.db, await privateDir(), issuer.config.mqttPrefix, { usernames: ['lifeline-server'], password: secret }, { port: await freePort(), host: '127.0.0.1' });
    await issuer.stop();
    ({ url, proc: broker } = await startMosquitto(files.conf, (u) => connectUnit(u, a)));
    server = await env.start({ MQTT_URL: url, MQTT_USERNAME: 'lifeline-server', MQTT_PASSWORD: secret });
  });
  afterAll(async () => {
    await server?.stop();
    await killChild(broker);
    await env.teardown();
  });

  it('refuses anonymous clients', async () => {
    await expect(connectUnit(url, null)).rejects.toThrow(/Not authorized|Bad username/i);
  });

  it('a unit using another’s client id, or the server’s, takes no session: B keeps its assignment, the server stays connected', async () => {
    const bClient = await connectUnit(url, b, { clean: false });
    let bClosed = false;
    bClient.on('close', () => (bClosed = true));
    await bClient.subscribeAsync(vehicleTopic(p(), b.username, 'assignment'), { qos: 1 });
    await bClient.publishAsync(vehicleTopic(p(), b.username, 'status'), JSON.stringify({ status: 'available', ts: Date.now() }), { qos: 1, retain: true });
    await bClient.publishAsync(vehicleTopic(p(), b.username, 'position'), position(1), { qos: 1 });
    await waitFor(() => server.fleet.index.get(b.username)?.position, 'B on the map');

    // use_username_as_clientid: Mosquitto renames these connections to A's username.
    const intruders = [await connectUnit(url, a, { clientId: `lifeline-agent-${b.username}` }), await connectUnit(url, a, { clientId: server.mqttClientId })];
    const assignment = new Promise<unknown>((resolve) => bClient.on('message', (_t, m) => resolve(JSON.parse(m.toString()))));
    const created = await api(server.url, 'POST', '/api/incidents', { line: '115', callerPhone: '0901234567', location: { lat: 10.971, lng: 106.641 }, category: 'fall', priority: 2 });
    const assigned = await api(server.url, 'POST', `/api/incidents/${created.body.incident.id}/assign`, { vehicleId: b.username });
    expect(assigned.status).toBe(200);
    expect(await assignment).toMatchObject({ incidentId: created.body.incident.id });
    expect(bClosed).toBe(false);
    expect(server.counters.get('mqtt_reconnects')).toBe(0);
    expect(server.counters.get('mqtt_session_taken_over')).toBe(0);
    for (const c of [...intruders, bClient]) c.end(true);
  });

  it('a unit reads and writes only its own topics', async () => {
    const c = await connectUnit(url, a);
    const seen: string[] = [];
    c.on('message', (t) => seen.push(t));
    // Mosquitto 2.0 grants an MQTT 3.1.1 subscription its ACL denies, then delivers nothing on it.
    for (const t of [vehicleTopic(p(), b.username, 'assignment'), vehicleTopic(p(), b.username, 'stored'), `${p()}/vehicles/+/stored`, `${p()}/#`, '#']) {
      await c.subscribeAsync(t, { qos: 1 }).catch(() => undefined);
    }
    await c.subscribeAsync(vehicleTopic(p(), a.username, 'stored'), { qos: 1 });
    // A refused publish is dropped silently: B's seq 99 must not be stored.
    c.publish(vehicleTopic(p(), b.username, 'position'), position(99), { qos: 0 });
    c.publish(vehicleTopic(p(), b.username, 'ack'), JSON.stringify({ assignmentId: 'x', ts: Date.now() }), { qos: 0 });
    // B's own position makes the server publish B's `stored`; then A's own, whose `stored` comes after it.
    const bc = await connectUnit(url, b);
    await bc.subscribeAsync(vehicleTopic(p(), b.username, 'stored'), { qos: 1 });
    const bStored = new Promise((r) => bc.once('message', r));
    await bc.publishAsync(vehicleTopic(p(), b.username, 'position'), position(6), { qos: 1 });
    await bStored;
    await c.publishAsync(vehicleTopic(p(), a.username, 'position'), position(5), { qos: 1 });
    await waitFor(() => seen.includes(vehicleTopic(p(), a.username, 'stored')), 'A’s own stored');
    expect(seen.filter((t) => t !== vehicleTopic(p(), a.username, 'stored'))).toEqual([]);
    await server.writer.drain();
    expect(await rowsOf(b.username)).not.toContain(99);
    await c.endAsync();
    await bc.endAsync();
  });

  it('closes a connection that sends a 1 MB packet; the server keeps working', async () => {
    const c = await connectUnit(url, a);
    const gone = closed(c);
    c.publish(vehicleTopic(p(), a.username, 'position'), Buffer.alloc(1024 * 1024, 0x20), { qos: 0 });
    await gone;
    const ok = await connectUnit(url, b);
    await ok.publishAsync(vehicleTopic(p(), b.username, 'position'), position(30), { qos: 1 });
    await waitFor(async () => (await server.writer.drain(), (await rowsOf(b.username)).includes(30)), 'a position after the oversize packet stored');
    await ok.endAsync();
  });
});

/** #19: two deployments that end up with one client id on one broker (no use_username_as_clientid here). */
describe.skipIf(!existsSync(MOSQUITTO))('a session taken over on Mosquitto', () => {
  const env = new TestEnv('embedded');
  let server: LifelineServer;
  let broker: ChildProcess | null = null;
  let url = '';
  afterAll(async () => {
    await server?.stop();
    await killChild(broker);
    await env.teardown();
  });

  beforeAll(async () => {
    await env.setup();
    const conf = path.join(await privateDir(), 'mosquitto.conf');
    await writeFile(conf, [`listener ${await freePort()} 127.0.0.1`, 'allow_anonymous true', ''].join('\n'));
    ({ url, proc: broker } = await startMosquitto(conf, (u) => connectUnit(u, null)));
    server = await env.start({ MQTT_URL: url });
  });

  it('puts the topic prefix in the server’s client id', () => {
    expect(server.mqttClientId).toBe(`lifeline-server-lifeline-v1-${server.config.instanceId}`);
  });

  it('is detected, counted and reported; confirmations start a new stint after the reconnect', async () => {
    const unit = `TK-${env.id}`;
    const watcher = await connectUnit(url, null);
    const boots: string[] = [];
    watcher.on('message', (_t, m) => boots.push((JSON.parse(m.toString()) as { boot: string }).boot));
    await watcher.subscribeAsync(vehicleTopic(server.config.mqttPrefix, unit, 'stored'), { qos: 1 });
    let seq = 1;
    /** Publishes positions until a `stored` whose boot `accept` takes arrives; resolves with that boot. */
    const publishUntilStored = async (what: string, accept: (boot: string) => boolean) => {
      const n = boots.length;
      return waitFor(async () => {
        await watcher.publishAsync(vehicleTopic(server.config.mqttPrefix, unit, 'position'), position(seq++), { qos: 1 });
        return boots.slice(n).find(accept);
      }, what, 15_000, 200);
    };
    const before = await publishUntilStored('a stored before the takeover', () => true);
    expect(server.mqttDegraded()).toBeNull();

    // Another deployment's server with the same client id, reconnecting as mqtt.js does.
    const intruder = await connectUnit(url, null, { clientId: server.mqttClientId, clean: false, reconnectPeriod: 1000 });
    await waitFor(() => server.counters.get('mqtt_session_taken_over') >= 1, 'the takeover detected', 20_000, 50);
    expect(server.mqttDegraded()).toBe('mqtt_session_taken_over');
    await intruder.endAsync(true);

    await waitFor(() => server.counters.get('mqtt_reconnects') >= 1, 'the server reconnected');
    // Stored under a new boot: the agent re-sends what the intruder may have taken.
    await publishUntilStored('a stored with a new boot after the reconnect', (boot) => boot !== before);
    watcher.end(true);
  });
});
