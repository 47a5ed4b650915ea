/**
 * Runs the real Lifeline server (startServer) in its own process, instrumented from the outside:
 * the live fleet's `move` (broker → index latency) and the position writer's batch write
 * (database commit lag) are wrapped; nothing in server/src is changed for the benchmark.
 */
import pino from 'pino';
import { loadConfig, startServer, type LifelineServer } from '@lifeline/server';
import { createUser } from '../../server/src/adapters/store/users.ts';
import { serve } from './child.ts';
import { nowMs } from './args.ts';
import { Reservoir, rng, summary } from './stats.ts';

let server: LifelineServer | null = null;
let measuring = false;
let indexLatencyMs = new Reservoir();
let commitLagMs = new Reservoir();
let publishToCommitMs = new Reservoir();
let cpu0 = process.cpuUsage();
let t0 = nowMs();

async function start(a: { env: Record<string, string>; writer?: Record<string, number> }) {
  // MQTT_AUTH=0: the load generators carry many units on one connection (not a unit's credentials).
  const cfg = loadConfig({ PORT: '0', HOST: '127.0.0.1', MQTT_PORT: '0', MQTT_HOST: '127.0.0.1', LOG_LEVEL: 'warn', MQTT_AUTH: '0', ...a.env });
  server = await startServer(cfg, { logger: pino({ level: cfg.logLevel }), writer: a.writer });
  // Wrap the core index's move (what every accepted fix ends in), not the Fleet service API.
  const index = server.fleet.index;
  const move = index.move.bind(index);
  index.move = (id, p) => {
    const moved = move(id, p);
    // `ts` is the publisher's clock (same machine) rounded to 1 ms.
    if (measuring) indexLatencyMs.add(nowMs() - p.recordedAtMs);
    return moved;
  };
  const writer = server.writer as unknown as { write(batch: { receivedAtMs: number; recordedAtMs: number }[]): Promise<void> };
  const write = writer.write.bind(writer);
  writer.write = async (batch) => {
    await write(batch);
    if (!measuring) return;
    const t = Date.now();
    for (const r of batch) {
      commitLagMs.add(t - r.receivedAtMs);
      publishToCommitMs.add(t - r.recordedAtMs);
    }
  };
  return { url: server.url, mqttUrl: server.mqttUrl, prefix: cfg.mqttPrefix };
}

function measureStart() {
  indexLatencyMs = new Reservoir();
  commitLagMs = new Reservoir();
  publishToCommitMs = new Reservoir();
  cpu0 = process.cpuUsage();
  t0 = nowMs();
  measuring = true;
  return true;
}

function measureStop() {
  measuring = false;
  const cpu = process.cpuUsage(cpu0);
  const wallMs = nowMs() - t0;
  return {
    indexLatencyMs: summary(indexLatencyMs.values),
    commitLagMs: summary(commitLagMs.values),
    publishToCommitMs: summary(publishToCommitMs.values),
    cpuPct: ((cpu.user + cpu.system) / 1000 / wallMs) * 100,
    writer: { ...server!.writer.stats, queued: server!.writer.queued },
    counters: server!.counters.snapshot(),
  };
}

function stats() {
  return { writer: { ...server!.writer.stats, queued: server!.writer.queued }, counters: server!.counters.snapshot(), units: server!.fleet.index.size };
}

/** Offers a fix through the Fleet service as ingest does (`offer` on newer servers, `move` before). */
export function place(id: string, p: { lat: number; lng: number; recordedAtMs: number }): void {
  const f = server!.fleet as unknown as { offer?(id: string, p: object, nowMs: number): unknown; move?(id: string, p: object): unknown };
  if (typeof f.offer === 'function') f.offer(id, p, Date.now());
  else f.move!(id, p);
}

/** Puts `units` available, online units with positions straight into the live fleet (no MQTT). */
function populate(a: { units: number; seed?: number; spreadDeg?: number }) {
  const r = rng(a.seed ?? 7);
  const spread = a.spreadDeg ?? 0.6;
  const now = Date.now();
  for (let i = 0; i < a.units; i++) {
    const id = `p${String(i).padStart(6, '0')}`;
    server!.fleet.register(id);
    server!.fleet.setOnline(id, true);
    place(id, { lat: 10.98 + (r() - 0.5) * spread, lng: 106.65 + (r() - 0.5) * spread, recordedAtMs: now });
  }
  return { units: server!.fleet.index.size };
}

/** Creates a user with `role` and logs in over HTTP like a console would; returns the bearer token. */
async function login(a: { role: string; username?: string }) {
  const username = a.username ?? `bench-${a.role}-${Math.random().toString(36).slice(2, 8)}`;
  const password = 'bench password, not a secret';
  await createUser(server!.db, { username, displayName: username, password, role: a.role as never });
  const res = await fetch(`${server!.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
  if (res.status !== 200) throw new Error(`login failed: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { token: string }).token;
}

function cpuStart() {
  cpu0 = process.cpuUsage();
  t0 = nowMs();
  return true;
}
function cpuStop() {
  const cpu = process.cpuUsage(cpu0);
  return { cpuPct: ((cpu.user + cpu.system) / 1000 / (nowMs() - t0)) * 100 };
}

serve({ start, measureStart, measureStop, stats, populate, login, cpuStart, cpuStop }, async () => {
  await server?.stop();
});
