import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MqttClient } from 'mqtt';
import type { LifelineServer } from '../src/server.ts';
import { connectMqtt, nextMessage, TestEnv, waitFor } from './helpers.ts';

const UNITS = ['OK-1', 'OK-2', 'OK-3', 'OK-4', 'OK-5'];

/** The embedded PostgreSQL's processes (postmaster and its backends), for SIGSTOP / SIGCONT. */
function postgresPids(dataDir: string): number[] {
  const postmaster = Number(readFileSync(path.join(dataDir, 'pg', 'postmaster.pid'), 'utf8').split('\n')[0]);
  const pids = [postmaster];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const ppid = Number(readFileSync(`/proc/${d}/stat`, 'utf8').split(') ')[1]!.split(' ')[1]);
      if (ppid === postmaster) pids.push(Number(d));
    } catch {
      /* gone */
    }
  }
  return pids;
}

/** /healthz gives its details (counters, db) to the metrics token: a login would need the database this test freezes. */
const HEALTH_TOKEN = 'poison-test-health-token-0123456789';
const detail = { authorization: `Bearer ${HEALTH_TOKEN}` };

describe('one poison position stops nothing (embedded PostgreSQL and broker)', () => {
  const env = new TestEnv('embedded');
  let server: LifelineServer;
  let mqtt: MqttClient;
  const stored = async (id: string) => Number((await server.db.selectFrom('vehicle_positions').select((e) => e.fn.countAll().as('n')).where('vehicle_id', '=', id).executeTakeFirstOrThrow()).n);

  beforeAll(async () => {
    await env.setup();
    server = await env.start({ METRICS_TOKEN: HEALTH_TOKEN });
    mqtt = await connectMqtt(server.mqttUrl);
  });
  afterAll(async () => {
    await mqtt?.endAsync();
    await server?.stop();
    await env.teardown();
  });

  it('stores every other unit’s positions while the poison is dead-lettered, acknowledged, counted and reported by /healthz', async () => {
    const prefix = server.config.mqttPrefix;
    const publish = (id: string, seq: number, ts = Date.now()) => mqtt.publishAsync(`${prefix}/vehicles/${id}/position`, JSON.stringify({ seq, ts, lat: 10.98, lon: 106.65 }), { qos: 1 });
    const poisonStored = await nextMessage(mqtt, `${prefix}/vehicles/POISON-1/stored`, (m) => (m as { seq?: number }).seq === 1);
    // Five units publishing, the poison among them (the repro of the issue: device time in µs), and more after it.
    for (let seq = 1; seq <= 20; seq++) {
      for (const id of UNITS) await publish(id, seq);
      if (seq === 10) await mqtt.publishAsync(`${prefix}/vehicles/POISON-1/position`, JSON.stringify({ seq: 1, ts: Date.now() * 1000, lat: 37.77, lon: -122.42 }), { qos: 1 });
    }
    for (const id of UNITS) await waitFor(async () => (await stored(id)) === 20, `all 20 positions of ${id} stored`);
    // The unit is told: it stops re-sending a message that can never be stored.
    await poisonStored.promise;
    const dead = await server.db.selectFrom('dead_letters').selectAll().where('vehicle_id', '=', 'POISON-1').execute();
    expect(dead).toHaveLength(1);
    expect(dead[0]).toMatchObject({ source: 'mqtt_position', sqlstate: null });
    expect(dead[0]!.reason).toMatch(/ahead of the server clock/);
    expect(JSON.parse(dead[0]!.payload)).toMatchObject({ seq: 1, lat: 37.77 });
    expect(await stored('POISON-1')).toBe(0);
    // Never on the live map.
    expect(server.fleet.index.get('POISON-1')?.position ?? null).toBeNull();

    const h = (await (await fetch(`${server.url}/healthz`, { headers: detail })).json()) as { status: string; reasons: string[]; counters: Record<string, number> };
    expect(h.counters.mqtt_rejected_device_time).toBe(1);
    expect(h.counters.dead_letters_mqtt_position).toBe(1);
    expect(h.status).toBe('degraded');
    expect(h.reasons).toEqual(['dead_letters_recent']);
    const metrics = await (await fetch(`${server.url}/metrics`, { headers: detail })).text();
    expect(metrics).toMatch(/lifeline_dead_letters_total\{reason="mqtt_position",instance_id="[^"]+"\} 1/);
    expect(metrics).toMatch(/lifeline_health_degraded\{reason="dead_letters_recent",instance_id="[^"]+"\} 1/);
  });

  it('refuses a status from before 2000 (tst 0-style clock) and still confirms its mid, so the unit stops re-sending it', async () => {
    const prefix = server.config.mqttPrefix;
    const confirmed = await nextMessage(mqtt, `${prefix}/vehicles/OK-1/stored`, (m) => ((m as { mids?: number[] }).mids ?? []).includes(77));
    await mqtt.publishAsync(`${prefix}/vehicles/OK-1/status`, JSON.stringify({ status: 'out_of_service', ts: 0, mid: 77 }), { qos: 1 });
    await confirmed.promise;
    const dead = await server.db.selectFrom('dead_letters').selectAll().where('source', '=', 'mqtt_status').execute();
    expect(dead).toHaveLength(1);
    expect(dead[0]!.reason).toMatch(/before 2000-01-01/);
    expect(server.fleet.index.get('OK-1')?.status).not.toBe('out_of_service');
  });

  it('answers /healthz within 2 s with db_unreachable while PostgreSQL is frozen (SIGSTOP), and ok-again after SIGCONT', async () => {
    const pids = postgresPids(env.dataDir);
    for (const pid of pids) process.kill(pid, 'SIGSTOP');
    try {
      const res = await fetch(`${server.url}/healthz`, { headers: detail, signal: AbortSignal.timeout(2000) });
      const h = (await res.json()) as { status: string; reasons: string[]; db: boolean };
      expect(h.status).toBe('degraded');
      expect(h.db).toBe(false);
      expect(h.reasons).toContain('db_unreachable');
      // A second probe while the first is unanswered does not pile up: it answers at once.
      const again = (await (await fetch(`${server.url}/healthz`, { headers: detail, signal: AbortSignal.timeout(2000) })).json()) as { reasons: string[] };
      expect(again.reasons).toContain('db_unreachable');
    } finally {
      for (const pid of pids) process.kill(pid, 'SIGCONT');
    }
    await waitFor(async () => ((await (await fetch(`${server.url}/healthz`, { headers: detail })).json()) as { db: boolean }).db === true, 'the database answering again');
  });
});
