import { spawn, type ChildProcess } from 'node:child_process';
import { chmod, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MOSQUITTO_BIN, noMosquitto } from '@lifeline/testing';
import { vehicleTopic } from '@lifeline/protocol';
import { freePort } from '../src/adapters/freePort.ts';
import type { LifelineServer } from '../src/server.ts';
import { connectMqtt, login, TestEnv, waitFor } from './helpers.ts';

const MOSQUITTO = MOSQUITTO_BIN ?? 'mosquitto';
const noBroker = noMosquitto();

describe.skipIf(noBroker)('server survives a broker outage (private Mosquitto)', () => {
  const env = new TestEnv('embedded');
  let server: LifelineServer | null = null;
  let broker: ChildProcess | null = null;
  afterAll(async () => {
    broker?.kill('SIGKILL');
    await server?.stop();
    await env.teardown();
  });

  it('reconnects by itself and ingests again when the broker comes back', async () => {
    await env.setup();
    await chmod(env.dataDir, 0o755);
    const port = await freePort();
    const conf = path.join(env.dataDir, 'mosquitto.conf');
    await writeFile(conf, [`listener ${port} 127.0.0.1`, 'allow_anonymous true', 'persistence false', ''].join('\n'));
    const url = `mqtt://127.0.0.1:${port}`;
    const startBroker = async () => {
      broker = spawn(MOSQUITTO, ['-c', conf], { stdio: 'ignore' });
      await waitFor(async () => connectMqtt(url).then((c) => c.endAsync().then(() => true), () => false), 'broker up', 10_000, 100);
    };
    await startBroker();
    server = await env.start({ MQTT_URL: url });
    const publish = async (seq: number) => {
      const c = await connectMqtt(url);
      await c.publishAsync(vehicleTopic(server!.config.mqttPrefix, 'OUT-1', 'position'), JSON.stringify({ seq, ts: Date.now(), lat: 10.98 + seq * 1e-4, lon: 106.65 }), { qos: 1 });
      await c.endAsync();
    };
    await publish(1);
    await waitFor(() => server!.fleet.index.get('OUT-1')?.position, 'first position');

    // The health details need a supervisor (or METRICS_TOKEN).
    const headers = { authorization: `Bearer ${await login(server, 'supervisor')}` };
    broker!.kill('SIGKILL');
    await waitFor(async () => !(await server!.app.inject({ url: '/healthz', headers })).json().mqtt, 'server notices the outage', 10_000, 100);
    await startBroker();
    await waitFor(async () => (await server!.app.inject({ url: '/healthz', headers })).json().mqtt, 'server reconnected', 15_000, 100);
    await publish(2);
    await waitFor(() => server!.fleet.index.get('OUT-1')?.position?.lat === 10.98 + 2e-4, 'position after the outage', 10_000);
    expect(server!.counters.get('ingest_errors')).toBe(0);
  });
});
