import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MqttClient } from 'mqtt';
import { vehicleTopic } from '@lifeline/protocol';
import type { LifelineServer } from '../src/server.ts';
import { api, connectMqtt, externalUnavailable, login, TestEnv, waitFor, type Mode } from './helpers.ts';

const external = await externalUnavailable();

describe.each<Mode>(['embedded', 'external'])('bad input never crashes or corrupts (%s)', (mode) => {
  const skip = mode === 'external' && external !== null;
  const env = new TestEnv(mode);
  let server: LifelineServer;
  let agent: MqttClient;

  beforeAll(async () => {
    if (skip) return;
    await env.setup();
    server = await env.start();
    agent = await connectMqtt(server.mqttUrl);
  });
  afterAll(async () => {
    if (skip) return;
    await agent?.endAsync();
    await server?.stop();
    await env.teardown();
  });

  it.skipIf(skip)('drops and counts bad MQTT messages, and keeps ingesting good ones', async () => {
    const p = server.config.mqttPrefix;
    const topic = vehicleTopic(p, 'BAD-1', 'position');
    const bad: [string, string | Buffer, string][] = [
      [topic, '{"seq":1,"ts":', 'mqtt_rejected_invalid_position'],
      [topic, JSON.stringify({ seq: 'one', ts: Date.now(), lat: 10, lon: 106 }), 'mqtt_rejected_invalid_position'],
      [topic, JSON.stringify({ seq: 2, ts: Date.now(), lat: 91, lon: 106 }), 'mqtt_rejected_invalid_position'],
      [topic, '{"seq":3,"ts":1700000000000,"lat":NaN,"lon":106}', 'mqtt_rejected_invalid_position'],
      [topic, JSON.stringify({ seq: 4, ts: Date.now(), lat: 10, lon: 181 }), 'mqtt_rejected_invalid_position'],
      [topic, JSON.stringify({ seq: -1, ts: Date.now(), lat: 10, lon: 106 }), 'mqtt_rejected_invalid_position'],
      // Over the server's 4 KB check, under the broker's 16 KB packet limit (a larger packet ends the connection).
      [topic, Buffer.alloc(8 * 1024, 0x7b), 'mqtt_rejected_too_large'],
      [vehicleTopic(p, 'BAD-1', 'status'), JSON.stringify({ status: 'flying', ts: Date.now() }), 'mqtt_rejected_invalid_status'],
      [vehicleTopic(p, 'BAD-1', 'ack'), '[]', 'mqtt_rejected_invalid_ack'],
      [`${p}/vehicles/bad id!/position`, JSON.stringify({ seq: 1, ts: Date.now(), lat: 10, lon: 106 }), 'mqtt_rejected_topic'],
    ];
    const expected = new Map<string, number>();
    for (const [t, payload, counter] of bad) {
      await agent.publishAsync(t, payload, { qos: 1 });
      expected.set(counter, (expected.get(counter) ?? 0) + 1);
    }
    // A good message after all the bad ones is still taken in.
    await agent.publishAsync(topic, JSON.stringify({ seq: 10, ts: Date.now(), lat: 10.9, lon: 106.6 }), { qos: 1 });
    await waitFor(() => server.fleet.index.get('BAD-1')?.position?.lat === 10.9, 'good position after bad ones');
    const health = await api(server.url, 'GET', '/healthz', undefined, await login(server, 'supervisor'));
    expect(health.status).toBe(200);
    for (const [counter, n] of expected) expect(health.body.counters[counter], counter).toBe(n);
    await server.writer.drain();
    const rows = await server.db.selectFrom('vehicle_positions').select('seq').where('vehicle_id', '=', 'BAD-1').execute();
    expect(rows.map((r) => r.seq)).toEqual([10]);
  });

  it.skipIf(skip)('answers bad HTTP requests with a clear 4xx and changes nothing', async () => {
    const count = async () => Number((await server.db.selectFrom('incidents').select(server.db.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
    const before = await count();
    const good = { line: '115', callerPhone: '0912345678', location: { lat: 10.98, lng: 106.65 }, category: 'cardiac', priority: 1 };
    const cases: [string, string, unknown, number, string][] = [
      ['POST', '/api/incidents', '{"line":"115",', 400, 'BAD_REQUEST'],
      ['POST', '/api/incidents', { ...good, priority: 'high' }, 400, 'BAD_REQUEST'],
      ['POST', '/api/incidents', { ...good, priority: 5 }, 400, 'BAD_REQUEST'],
      ['POST', '/api/incidents', { ...good, location: { lat: 91, lng: 106.65 } }, 400, 'BAD_REQUEST'],
      ['POST', '/api/incidents', '{"line":"115","callerPhone":"0912345678","location":{"lat":NaN,"lng":1},"category":"cardiac","priority":1}', 400, 'BAD_REQUEST'],
      ['POST', '/api/incidents', { ...good, line: '911' }, 400, 'BAD_REQUEST'],
      ['POST', '/api/incidents', { ...good, category: 'alien' }, 400, 'BAD_REQUEST'],
      ['POST', '/api/incidents', { ...good, extra: 'field' }, 400, 'BAD_REQUEST'],
      ['POST', '/api/incidents', { ...good, notes: 'x'.repeat(1024 * 1024) }, 413, 'PAYLOAD_TOO_LARGE'],
      ['GET', '/api/incidents/not-a-uuid', undefined, 400, 'BAD_REQUEST'],
      ['GET', '/api/incidents/00000000-0000-4000-8000-000000000000', undefined, 404, 'NOT_FOUND'],
      ['POST', '/api/incidents/00000000-0000-4000-8000-000000000000/assign', { vehicleId: 'X-1' }, 404, 'NOT_FOUND'],
      ['POST', '/api/incidents/00000000-0000-4000-8000-000000000000/assign', { vehicleId: 'bad id!' }, 400, 'BAD_REQUEST'],
    ];
    for (const [method, path, body, status, code] of cases) {
      const r = await api(server.url, method, path, body);
      expect(r.status, `${method} ${path} ${JSON.stringify(body)?.slice(0, 80)}`).toBe(status);
      expect(r.body.code).toBe(code);
      expect(typeof r.body.message).toBe('string');
    }
    expect(await count()).toBe(before);
    const ok = await api(server.url, 'POST', '/api/incidents', good);
    expect(ok.status).toBe(201);
    expect(await count()).toBe(before + 1);
  });
});
