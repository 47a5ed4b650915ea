import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MqttClient } from 'mqtt';
import pg from 'pg';
import { vehicleTopic } from '@lifeline/protocol';
import { migrate } from '../src/adapters/store/migrate.ts';
import type { LifelineServer } from '../src/server.ts';
import { api, connectMqtt, connectSocket, externalUnavailable, login, TestEnv, waitFor, type LiveSocket, type Mode } from './helpers.ts';

const external = await externalUnavailable();

/** One sample line of the text exposition format 0.0.4: name{labels} value. */
const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\.)*",?)*\})? (-?[0-9.e+-]+|NaN|\+Inf|-Inf)$/;

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Parses a scrape strictly: every line is a HELP, a TYPE (declared once, before its samples) or a sample. */
function parseExposition(text: string): Sample[] {
  const samples: Sample[] = [];
  const typed = new Set<string>();
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const meta = /^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.*)$/.exec(line);
    if (meta) {
      if (meta[1] === 'TYPE') {
        expect(['counter', 'gauge', 'histogram', 'summary', 'untyped'], line).toContain(meta[3]);
        expect(typed.has(meta[2]!), `TYPE twice: ${line}`).toBe(false);
        typed.add(meta[2]!);
      }
      continue;
    }
    const m = SAMPLE.exec(line);
    expect(m, `not a sample line: ${line}`).not.toBeNull();
    const labels: Record<string, string> = {};
    for (const [, k, v] of (m![2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[k!] = v!;
    const family = m![1]!.replace(/_(bucket|sum|count)$/, '');
    expect(typed.has(m![1]!) || typed.has(family), `sample before its TYPE: ${line}`).toBe(true);
    samples.push({ name: m![1]!, labels, value: Number(m![3]) });
  }
  return samples;
}

/** The value of one series (all given labels match), or undefined. */
function value(samples: Sample[], name: string, labels: Record<string, string> = {}): number | undefined {
  return samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;
}

async function scrape(server: LifelineServer, headers: Record<string, string> = {}): Promise<{ status: number; type: string | null; text: string }> {
  const res = await fetch(`${server.url}/metrics`, { headers });
  return { status: res.status, type: res.headers.get('content-type'), text: await res.text() };
}

const mode: Mode = external === null ? 'external' : 'embedded';

describe(`GET /metrics (${mode})`, () => {
  const env = new TestEnv(mode);
  let server: LifelineServer;
  let agent: MqttClient;
  let socket: LiveSocket | null = null;

  beforeAll(async () => {
    await env.setup();
    server = await env.start();
    agent = await connectMqtt(server.mqttUrl);
  });
  afterAll(async () => {
    socket?.disconnect();
    await agent?.endAsync();
    await server?.stop();
    await env.teardown();
  });

  it('counts what was published, stored and refused, and the open incidents, in Prometheus text', async () => {
    const p = server.config.mqttPrefix;
    const topic = vehicleTopic(p, 'MET-1', 'position');
    const published = 7;
    const t0 = Date.now() - 60_000;
    for (let seq = 1; seq <= published; seq++) {
      await agent.publishAsync(topic, JSON.stringify({ seq, ts: t0 + seq * 1000, lat: 10.98 + seq * 1e-4, lon: 106.65 }), { qos: 1 });
    }
    await agent.publishAsync(topic, '{"seq":99,"ts":', { qos: 1 });
    await agent.publishAsync(`${p}/vehicles/bad id!/position`, JSON.stringify({ seq: 1, ts: Date.now(), lat: 10, lon: 106 }), { qos: 1 });
    await waitFor(() => server.writer.stats.written === published && server.fleet.index.get('MET-1')?.online, 'positions stored and the unit online');
    await waitFor(() => server.counters.get('mqtt_rejected_topic') === 1, 'the bad topic counted');
    const created = await api(server.url, 'POST', '/api/incidents', { line: '115', callerPhone: '0912345678', location: { lat: 10.98, lng: 106.65 }, category: 'cardiac', priority: 2 });
    expect(created.status).toBe(201);
    socket = connectSocket(server.url);
    await waitFor(() => socket!.connected, 'socket connected');

    const r = await scrape(server);
    expect(r.status).toBe(200);
    expect(r.type).toMatch(/^text\/plain; version=0\.0\.4/);
    const s = parseExposition(r.text);
    const me = { instance_id: server.config.instanceId };
    // Every series carries this instance's INSTANCE_ID.
    expect(s.every((x) => x.labels.instance_id === server.config.instanceId)).toBe(true);

    expect(value(s, 'lifeline_positions_received_total', me)).toBe(published);
    expect(value(s, 'lifeline_positions_stored_total', me)).toBe(published);
    expect(value(s, 'lifeline_mqtt_rejected_total', { reason: 'invalid_position' })).toBe(1);
    expect(value(s, 'lifeline_mqtt_rejected_total', { reason: 'topic' })).toBe(1);
    expect(value(s, 'lifeline_mqtt_rejected_total', { reason: 'too_large' })).toBe(0);
    expect(value(s, 'lifeline_login_failures_total')).toBe(0);
    // Device time → commit: the fixes were a minute old.
    expect(value(s, 'lifeline_position_commit_lag_seconds_count')).toBe(published);
    expect(value(s, 'lifeline_position_commit_lag_seconds_bucket', { le: '30' })).toBe(0);
    expect(value(s, 'lifeline_position_commit_lag_seconds_bucket', { le: '300' })).toBe(published);
    expect(value(s, 'lifeline_incident_create_duration_seconds_count')).toBe(1);
    expect(value(s, 'lifeline_incident_create_duration_seconds_sum')).toBeGreaterThan(0);

    const open = s.filter((x) => x.name === 'lifeline_incidents_open');
    expect(open.reduce((a, x) => a + x.value, 0)).toBe(1);
    expect(value(s, 'lifeline_incidents_open', { state: created.body.incident.state })).toBe(1);
    expect(value(s, 'lifeline_units_known')).toBe(server.fleet.index.size);
    expect(value(s, 'lifeline_units_online')).toBe([...server.fleet.index.all()].filter((u) => u.online).length);
    expect(value(s, 'lifeline_units', { status: 'available' })).toBeGreaterThanOrEqual(1);
    expect(value(s, 'lifeline_units', { status: 'out_of_service' })).toBe(0);
    expect(value(s, 'lifeline_mqtt_connected')).toBe(1);
    expect(value(s, 'lifeline_socketio_clients')).toBe(1);
    expect(value(s, 'lifeline_position_writer_queue_rows')).toBe(0);
    expect(value(s, 'lifeline_db_pool_connections')).toBeGreaterThanOrEqual(1);
    expect(value(s, 'lifeline_db_pool_waiting_requests')).toBe(0);
    // Node process metrics.
    expect(value(s, 'process_cpu_user_seconds_total')).toBeGreaterThan(0);
    expect(value(s, 'nodejs_heap_size_used_bytes')).toBeGreaterThan(0);
  });

  it('is refused to a request relayed by a proxy or from another machine, without METRICS_TOKEN', async () => {
    const relayed = await scrape(server, { 'x-forwarded-for': '203.0.113.9' });
    expect(relayed.status).toBe(403);
    expect(JSON.parse(relayed.text).code).toBe('FORBIDDEN');
    const remote = await server.app.inject({ method: 'GET', url: '/metrics', remoteAddress: '10.1.2.3' });
    expect(remote.statusCode).toBe(403);
    expect(remote.body).not.toContain('lifeline_');
    // /healthz: anonymous callers (even local ones) learn up or degraded only; a supervisor sees the details.
    const health = await api(server.url, 'GET', '/healthz', undefined, null);
    expect(health.status).toBe(200);
    expect(health.body).toEqual({ status: 'ok' });
    const detail = await api(server.url, 'GET', '/healthz', undefined, await login(server, 'supervisor'));
    expect(detail.body.counters.positions_received).toBe(7);
    expect((await api(server.url, 'GET', '/healthz', undefined, await login(server, 'dispatcher'))).body).toEqual({ status: 'ok' });
  });
});

describe(`GET /metrics with METRICS_TOKEN, POSITION_RETENTION_DAYS (${mode})`, () => {
  const env = new TestEnv(mode);
  const token = 'scrape-me-7f3a9c21d4e8b605';
  let server: LifelineServer;

  beforeAll(async () => {
    await env.setup();
    if (mode === 'external') {
      // Positions 40 days old, there before the server starts: its retention run at start removes them.
      const pool = new pg.Pool({ connectionString: env.config().databaseUrl! });
      await migrate(pool);
      await pool.query(
        `INSERT INTO vehicle_positions (vehicle_id, seq, recorded_at, received_at, lat, lng)
         SELECT 'OLD-1', i, now() - interval '40 days', now() - interval '40 days', 10.98, 106.65 FROM generate_series(1, 5) i`,
      );
      await pool.end();
    }
    server = await env.start({ METRICS_TOKEN: token, POSITION_RETENTION_DAYS: '30' });
  });
  afterAll(async () => {
    await server?.stop();
    await env.teardown();
  });

  it('answers the bearer of the token, from anywhere, and nobody else (not even this machine)', async () => {
    expect((await scrape(server)).status).toBe(401);
    expect((await scrape(server, { authorization: `Bearer ${token}x` })).status).toBe(401);
    const dispatcherSession = (await api(server.url, 'GET', '/api/auth/me')).status;
    expect(dispatcherSession).toBe(200);
    const ok = await scrape(server, { authorization: `Bearer ${token}`, 'x-forwarded-for': '203.0.113.9' });
    expect(ok.status).toBe(200);
    expect(value(parseExposition(ok.text), 'lifeline_mqtt_connected')).toBe(1);
    const remote = await server.app.inject({ method: 'GET', url: '/metrics', remoteAddress: '10.1.2.3', headers: { authorization: `Bearer ${token}` } });
    expect(remote.statusCode).toBe(200);
    // The same token reads the details of /healthz (issue 11 item 9).
    const health = await api(server.url, 'GET', '/healthz', undefined, token);
    expect(health.body.counters).toBeTypeOf('object');
  });

  it.skipIf(mode !== 'external')('counts the positions the retention job deleted at start', async () => {
    const deleted = async () => value(parseExposition((await scrape(server, { authorization: `Bearer ${token}` })).text), 'lifeline_positions_retention_deleted_total');
    await waitFor(async () => (await deleted()) === 5, 'the retention run at start counted');
    const left = await server.db.selectFrom('vehicle_positions').select('seq').where('vehicle_id', '=', 'OLD-1').execute();
    expect(left).toEqual([]);
  });
});
