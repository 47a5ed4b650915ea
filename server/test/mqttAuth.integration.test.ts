import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import mqtt from 'mqtt';
import { afterAll, describe, expect, it } from 'vitest';
import { MOSQUITTO_BIN, noMosquitto } from '@lifeline/testing';
import { vehicleTopic } from '@lifeline/protocol';
import { writeMosquittoAuth } from '../src/adapters/auth/mosquittoFiles.ts';
import { verifyMosquittoHash, mosquittoHash } from '../src/adapters/auth/mqttCredentials.ts';
import { freePort } from '../src/adapters/freePort.ts';
import type { LifelineServer } from '../src/server.ts';
import { api, login, randomId, TestEnv, waitFor } from './helpers.ts';

const MOSQUITTO = MOSQUITTO_BIN ?? 'mosquitto';
const noBroker = noMosquitto();

/** Connects as a unit; resolves with the client, or rejects with the broker's refusal. */
function connectAs(url: string, username: string | undefined, password: string | undefined) {
  // A unit may connect only with its own client id.
  return mqtt.connectAsync(url, { clientId: username ? `lifeline-agent-${username}` : `t-${randomId()}`, protocolVersion: 4, reconnectPeriod: 0, connectTimeout: 5000, ...(username ? { username, password } : {}) });
}

async function credentials(server: LifelineServer, admin: string, unit: string) {
  // Registered first (409 when it already is): credentials go only to registered units.
  expect([201, 409]).toContain((await api(server.url, 'POST', '/api/vehicles', { id: unit, callSign: unit }, admin)).status);
  const r = await api<{ username: string; password: string }>(server.url, 'POST', `/api/vehicles/${unit}/credentials`, undefined, admin);
  expect(r.status).toBe(200);
  return r.body;
}

/** Publishes as `unit` to another unit's topic, then to its own; only its own may reach the server. */
async function impersonationIsBlocked(server: LifelineServer, url: string, creds: { username: string; password: string }, victim: string) {
  const p = server.config.mqttPrefix;
  const c = await connectAs(url, creds.username, creds.password);
  c.on('error', () => undefined);
  const pos = (seq: number) => JSON.stringify({ seq, ts: Date.now(), lat: 10.97, lon: 106.64 });
  // QoS 0: a broker that refuses a QoS 1 publish may drop the connection instead of answering.
  c.publish(vehicleTopic(p, victim, 'position'), pos(1), { qos: 0 });
  c.publish(vehicleTopic(p, victim, 'status'), JSON.stringify({ status: 'out_of_service', ts: Date.now() }), { qos: 0 });
  // Then its own position on the same connection, so it travels behind the refused ones (Mosquitto
  // drops a refused publish silently). aedes closes the connection instead; then use a new one.
  const sent = await Promise.race([
    c.publishAsync(vehicleTopic(p, creds.username, 'position'), pos(2), { qos: 1 }).then(() => true, () => false),
    new Promise<boolean>((r) => setTimeout(() => r(false), 2000)),
  ]);
  const own = sent ? null : await connectAs(url, creds.username, creds.password);
  if (own) await own.publishAsync(vehicleTopic(p, creds.username, 'position'), pos(3), { qos: 1 });
  await waitFor(() => server.fleet.index.get(creds.username)?.position, 'own position accepted');
  await server.writer.drain();
  expect(server.fleet.index.get(victim)).toBeUndefined();
  const rows = await server.db.selectFrom('vehicle_positions').select('vehicle_id').where('vehicle_id', '=', victim).execute();
  expect(rows).toHaveLength(0);
  c.end(true);
  await own?.endAsync();
}

describe('MQTT credentials per unit', () => {
  it('hashes in Mosquitto\'s own format and verifies', () => {
    const h = mosquittoHash('s3cret-value');
    expect(h).toMatch(/^\$7\$101\$[A-Za-z0-9+/=]{16}\$[A-Za-z0-9+/=]{88}$/);
    expect(verifyMosquittoHash('s3cret-value', h)).toBe(true);
    expect(verifyMosquittoHash('other', h)).toBe(false);
    // A line written by mosquitto_passwd 2.0 for unit1 / secret123.
    expect(verifyMosquittoHash('secret123', '$7$101$PVKaNwdqjSxkqRBc$lvS1CRQnqgLXUnmfeaw12kX5RIvEDAxPsu9mQHYxP8OZENtBXJVE8Q/Hyw/aco5goKGAie1W0oAKPQLjC0oWvw==')).toBe(true);
  });

  describe('embedded broker (MQTT_AUTH=1)', () => {
    const env = new TestEnv('embedded');
    let server: LifelineServer;
    afterAll(async () => {
      await server?.stop();
      await env.teardown();
    });

    it('refuses anonymous and wrong credentials, and a unit cannot publish as another', async () => {
      await env.setup();
      server = await env.start({ MQTT_AUTH: '1' });
      const admin = await login(server, 'admin');
      const u1 = await credentials(server, admin, 'AUTH-1');
      await expect(connectAs(server.mqttUrl, undefined, undefined)).rejects.toThrow(/Not authorized|Bad username/i);
      await expect(connectAs(server.mqttUrl, 'AUTH-1', 'wrong-password')).rejects.toThrow(/Not authorized|Bad username/i);
      await expect(connectAs(server.mqttUrl, 'lifeline-server', 'guess')).rejects.toThrow(/Not authorized|Bad username/i);
      await impersonationIsBlocked(server, server.mqttUrl, u1, 'AUTH-2');
      // 3 refused logins and the refused publish (which also ends that connection).
      expect(server.counters.get('mqtt_denied')).toBeGreaterThanOrEqual(4);
      // Rotating the credentials revokes the old secret.
      await credentials(server, admin, 'AUTH-1');
      await expect(connectAs(server.mqttUrl, 'AUTH-1', u1.password)).rejects.toThrow(/Not authorized|Bad username/i);
    });
  });

  describe.skipIf(noBroker)('Mosquitto with the generated password and ACL files', () => {
    const env = new TestEnv('embedded');
    let server: LifelineServer;
    let broker: ChildProcess | null = null;
    afterAll(async () => {
      await server?.stop();
      broker?.kill('SIGTERM');
      await env.teardown();
    });

    it('applies the same rules', async () => {
      await env.setup();
      // First: an embedded server to issue credentials and export the files.
      const issuer = await env.start();
      const admin = await login(issuer, 'admin');
      const u1 = await credentials(issuer, admin, 'MOSQ-1');
      const dir = await mkdtemp(path.join(os.tmpdir(), 'lifeline-mosq-'));
      // Mosquitto started as root drops to its own user before reading the files.
      await chmod(dir, 0o755);
      const serverSecret = `srv-${randomId()}${randomId()}`;
      const port = await freePort();
      const files = await writeMosquittoAuth(issuer.db, dir, issuer.config.mqttPrefix, { usernames: ['lifeline-server'], password: serverSecret }, { port, host: '127.0.0.1' });
      await issuer.stop();

      broker = spawn(MOSQUITTO, ['-c', files.conf], { stdio: ['ignore', 'ignore', 'pipe'] });
      let brokerErr = '';
      broker.stderr!.on('data', (d: Buffer) => (brokerErr += d.toString()));
      broker.on('exit', (code) => {
        if (code) console.error(`mosquitto exited ${code}: ${brokerErr}`);
      });
      const url = `mqtt://127.0.0.1:${port}`;
      await waitFor(async () => (await connectAs(url, 'MOSQ-1', u1.password).then((c) => c.endAsync().then(() => true))).valueOf(), 'mosquitto up', 10_000, 100);

      server = await env.start({ MQTT_URL: url, MQTT_USERNAME: 'lifeline-server', MQTT_PASSWORD: serverSecret });
      await expect(connectAs(url, undefined, undefined)).rejects.toThrow(/Not authorized|Bad username/i);
      await expect(connectAs(url, 'MOSQ-1', 'wrong')).rejects.toThrow(/Not authorized|Bad username/i);
      await impersonationIsBlocked(server, url, u1, 'MOSQ-2');
    });
  });
});
