/**
 * Scenario 1 — ingest end to end: simulated units publish positions over MQTT (QoS 1) into the
 * real server, which validates them, moves the H3 index and writes them to PostgreSQL in batches.
 * Measured per broker (embedded aedes, the machine's Mosquitto): sustained positions/s, loss
 * (PUBACKed messages that are not rows in the database — must be 0), publish → index latency,
 * publish → commit lag, server CPU, and whether every unit got its `stored` ack up to its last seq.
 * Baseline, same run, same generator: the broker's raw pub/sub rate to one plain QoS 1 subscriber.
 *
 *   pnpm --filter @lifeline/bench bench:ingest [--quick] [--duration 15] [--brokers aedes,mosquitto] [--units 1000,10000]
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { freePort, serverClientId } from '@lifeline/server';
import { parseArgs, nowMs, sleep } from '../lib/args.ts';
import { Child } from '../lib/child.ts';
import { createScratchDb, dropScratchDb, runId } from '../lib/pg.ts';
import { RawMqtt } from '../lib/rawMqtt.ts';
import { machine, report, type Row } from '../lib/report.ts';
import { ratio, Reservoir, summary } from '../lib/stats.ts';

const LOADGEN = new URL('../lib/loadgenWorker.ts', import.meta.url).pathname;
const SERVER = new URL('../lib/serverWorker.ts', import.meta.url).pathname;
const BROKER = new URL('../lib/brokerWorker.ts', import.meta.url).pathname;
const MOSQUITTO_URL = process.env.BENCH_MQTT_URL ?? 'mqtt://127.0.0.1:1883';

/**
 * aedes: the embedded broker (in the server's process for end to end, alone for the baseline).
 * mosquitto: the machine's Mosquitto, default limits (max_inflight_messages 20, max_queued_messages 1000).
 * mosquitto-tuned: a private Mosquitto started here with room for a busy subscriber (see TUNED_CONF).
 */
type Broker = 'aedes' | 'mosquitto' | 'mosquitto-tuned';

const TUNED_CONF = (port: number) => `listener ${port} 127.0.0.1
allow_anonymous true
persistence false
max_inflight_messages 1000
max_queued_messages 200000
set_tcp_nodelay true
`;

/** Starts a private Mosquitto for the `mosquitto-tuned` runs; stop() ends that process only. */
async function startTunedMosquitto(): Promise<{ url: string; stop(): Promise<void> } | null> {
  const port = await freePort();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-mosquitto-'));
  const conf = path.join(dir, 'mosquitto.conf');
  writeFileSync(conf, TUNED_CONF(port));
  const proc = spawn('mosquitto', ['-c', conf], { stdio: 'ignore' });
  const failed = await Promise.race([once(proc, 'error').then(() => true), sleep(500).then(() => false)]);
  if (failed || proc.exitCode !== null) return null;
  const url = `mqtt://127.0.0.1:${port}`;
  if (!(await tcpOpen(url))) {
    proc.kill('SIGTERM');
    return null;
  }
  return {
    url,
    stop: async () => {
      proc.kill('SIGTERM');
      await Promise.race([once(proc, 'exit'), sleep(3000)]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const args = parseArgs();
const quick = args.quick;
const durationMs = args.num('duration', quick ? 5 : 15) * 1000;
const brokers = (args.get('brokers') ?? 'aedes,mosquitto,mosquitto-tuned').split(',') as Broker[];
const unitCounts = (args.get('units') ?? '1000,10000').split(',').map(Number);
const maxUnits = Math.max(...unitCounts);
/** Units per generator connection: each connection also carries its units' `stored` acks. */
const UNITS_PER_CONNECTION = 100;
const connectionsFor = (units: number) => Math.max(1, Math.min(100, Math.ceil(units / UNITS_PER_CONNECTION)));
/** Offered rates (positions/s) tried in order until one fails: loss, a generator that cannot keep up, or a backlog. */
const STEPS = (args.get('steps') ?? '2500,5000,7500,10000,15000,20000,30000,40000,50000,65000').split(',').map(Number);
const stepMs = args.num('step', quick ? 4 : 6) * 1000;
/** A step passes when everything offered was delivered/committed within this long after the last send. */
const MAX_DRAIN_MS = 1500;

async function tcpOpen(url: string): Promise<boolean> {
  const u = new URL(url);
  const c = new RawMqtt();
  try {
    await Promise.race([c.connect(u.hostname, Number(u.port || 1883), `bench-probe-${runId()}`), sleep(2000).then(() => Promise.reject(new Error('timeout')))]);
    await c.end();
    return true;
  } catch {
    return false;
  }
}


interface StepResult {
  offered: number;
  durationS: number;
  published: number;
  acked: number;
  delivered: number;
  lost: number;
  skipped: number;
  drainMs: number;
  rate: number;
  pass: boolean;
  why: string;
  latency: { p50: number; p99: number };
  commit?: { p50: number; p99: number };
  cpuPct?: number;
  storedBehind?: number;
}

function judge(r: Omit<StepResult, 'pass' | 'why'>): StepResult {
  const why = r.lost > 0 ? `lost ${r.lost}` : r.skipped > 0 ? `generator skipped ${r.skipped}` : r.drainMs > MAX_DRAIN_MS ? `backlog: drained ${Math.round(r.drainMs)} ms after the last send` : '';
  return { ...r, pass: why === '', why: why || 'ok' };
}

/** Raw baseline: generator → broker → one subscriber that only acks and reads `ts`. Offered rates step up until one fails. */
async function rawBaseline(broker: Broker, externalUrl: string): Promise<StepResult[]> {
  let brokerChild: Child | null = null;
  let url = externalUrl;
  if (broker === 'aedes') {
    brokerChild = new Child(BROKER);
    url = (await brokerChild.request<{ url: string }>('start')).url;
  }
  const prefix = `bench-raw-${runId()}/v1`;
  const sub = new RawMqtt();
  const u = new URL(url);
  await sub.connect(u.hostname, Number(u.port || 1883), `bench-sub-${runId()}`);
  await sub.subscribe([`${prefix}/vehicles/+/position`]);
  let latency = new Reservoir();
  let received = 0;
  sub.onMessage = (_t, payload) => {
    received++;
    latency.add(nowMs() - (JSON.parse(payload.toString()) as { ts: number }).ts);
  };
  const gen = new Child(LOADGEN);
  const steps: StepResult[] = [];
  try {
    await gen.request('connect', { url, prefix, units: maxUnits, connections: connectionsFor(maxUnits), subscribeStored: false });
    for (const offered of STEPS) {
      latency = new Reservoir();
      const received0 = received;
      await brokerChild?.request('cpuStart');
      const r = await gen.request<{ published: number; acked: number; skipped: number; t0: number; sendMs: number }>('run', { mode: 'rate', hz: offered / maxUnits, durationMs: stepMs });
      const deadline = nowMs() + 30_000;
      while (received - received0 < r.acked && nowMs() < deadline) await sleep(10);
      const tEnd = nowMs();
      const cpu = await brokerChild?.request<{ cpuPct: number }>('cpuStop');
      const delivered = received - received0;
      const s = summary(latency.values);
      const step = judge({
        offered,
        durationS: stepMs / 1000,
        published: r.published,
        acked: r.acked,
        delivered,
        lost: r.acked - delivered,
        skipped: r.skipped,
        drainMs: tEnd - (r.t0 + r.sendMs),
        rate: delivered / ((tEnd - r.t0) / 1000),
        latency: { p50: s.p50, p99: s.p99 },
        cpuPct: cpu?.cpuPct,
      });
      steps.push(step);
      console.log(`  ${broker} raw ${offered}/s: delivered ${Math.round(step.rate)}/s, ${step.why}`);
      if (!step.pass) break;
    }
    return steps;
  } finally {
    await gen.stop();
    await sub.end();
    await brokerChild?.stop();
  }
}

async function endToEnd(broker: Broker, externalUrl: string): Promise<{ fixed: { name: string; units: number; step: StepResult }[]; steps: StepResult[]; dbCheck: string }> {
  const id = runId();
  const dbName = `lifeline_bench_ingest_${id}`;
  const databaseUrl = await createScratchDb(dbName);
  const prefix = `bench-${id}/v1`;
  const env: Record<string, string> = { DATABASE_URL: databaseUrl, MQTT_PREFIX: prefix, INSTANCE_ID: `bench-${id}`, SEED_DEMO: '0' };
  if (broker !== 'aedes') env.MQTT_URL = externalUrl;
  const server = new Child(SERVER);
  const gen = new Child(LOADGEN);
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 2 });
  const written = async () => (await server.request<{ writer: { written: number; duplicates: number } }>('stats')).writer;
  const fixed: { name: string; units: number; step: StepResult }[] = [];
  const steps: StepResult[] = [];
  try {
    const started = await server.request<{ mqttUrl: string }>('start', { env });
    await gen.request('connect', { url: started.mqttUrl, prefix, units: maxUnits, connections: connectionsFor(maxUnits), subscribeStored: true });
    // Warm-up: every unit publishes for a few seconds at 1 Hz, which registers it (vehicles row, online) before timing.
    const warm = await gen.request<{ acked: number }>('run', { mode: 'rate', hz: 1, durationMs: 3000 });
    const deadline = nowMs() + 120_000;
    while (nowMs() < deadline) {
      const online = Number((await pool.query<{ n: string }>('SELECT count(*) AS n FROM vehicles WHERE online')).rows[0]!.n);
      const w = await written();
      // Registered, and the warm-up backlog committed (or lost: a lossy broker drops some).
      if (online >= maxUnits && (w.written + w.duplicates >= warm.acked || (await server.request<{ writer: { queued: number } }>('stats')).writer.queued === 0)) break;
      await sleep(200);
    }
    await sleep(1000);
    const runStep = async (offered: number, activeUnits: number): Promise<StepResult> => {
      const before = await written();
      await server.request('measureStart');
      const r = await gen.request<{ published: number; acked: number; skipped: number; t0: number; sendMs: number }>('run', {
        mode: 'rate',
        hz: offered / activeUnits,
        durationMs: stepMs,
        activeUnits,
      });
      // Wait (bounded) until the server has committed as many rows as the broker acknowledged.
      let tDone = nowMs();
      const until = nowMs() + 60_000;
      let committed = 0;
      for (;;) {
        const w = await written();
        tDone = nowMs();
        committed = w.written + w.duplicates - before.written - before.duplicates;
        if (committed >= r.acked || tDone > until) break;
        await sleep(20);
      }
      const m = await server.request<any>('measureStop');
      const st = await gen.request<{ behind: number }>('storedCheck', { waitMs: 5_000 });
      return judge({
        offered,
        durationS: stepMs / 1000,
        published: r.published,
        acked: r.acked,
        delivered: committed,
        lost: r.acked - committed,
        skipped: r.skipped,
        drainMs: tDone - (r.t0 + r.sendMs),
        rate: committed / ((tDone - r.t0) / 1000),
        latency: { p50: m.indexLatencyMs.p50, p99: m.indexLatencyMs.p99 },
        commit: { p50: m.publishToCommitMs.p50, p99: m.publishToCommitMs.p99 },
        cpuPct: m.cpuPct,
        storedBehind: st.behind,
      });
    };
    for (const n of unitCounts) {
      const step = await runStep(n, n);
      fixed.push({ name: `${n} units @ 1 Hz`, units: n, step });
      console.log(`  ${broker} ${n} units @ 1 Hz: ${Math.round(step.rate)}/s, ${step.why}`);
    }
    for (const offered of STEPS) {
      const step = await runStep(offered, maxUnits);
      steps.push(step);
      console.log(`  ${broker} e2e ${offered}/s: committed ${Math.round(step.rate)}/s, ${step.why}`);
      if (!step.pass) break;
    }
    // Let any backlog drain, then check the database itself against the writer's count.
    const until = nowMs() + 60_000;
    let w = await written();
    while ((await server.request<{ writer: { queued: number } }>('stats')).writer.queued > 0 && nowMs() < until) await sleep(200);
    await sleep(500);
    w = await written();
    const dbRows = Number((await pool.query<{ n: string }>('SELECT count(*) AS n FROM vehicle_positions')).rows[0]!.n);
    return { fixed, steps, dbCheck: dbRows === w.written ? `${dbRows} rows in the database = rows the writer reported` : `MISMATCH: ${dbRows} rows in the database, writer reported ${w.written}` };
  } finally {
    await gen.stop();
    await server.stop();
    await pool.end();
    await dropScratchDb(dbName);
    if (broker === 'mosquitto') {
      // Remove the server's persistent session from the shared Mosquitto.
      const c = new RawMqtt();
      const u = new URL(externalUrl);
      await c.connect(u.hostname, Number(u.port || 1883), serverClientId(prefix, `bench-${id}`)).then(() => c.end(), () => undefined);
    }
  }
}

const bestPassing = (steps: StepResult[]) => steps.filter((s) => s.pass).at(-1) ?? null;

function row(broker: Broker, run: string, units: number, s: StepResult | null, rawRate: number, withServer: boolean): Row {
  return {
    broker,
    run,
    units,
    'offered/s': s?.offered ?? null,
    'positions/s': s?.rate ?? null,
    'ratio to raw': s ? ratio(s.rate, rawRate) : null,
    lost: s?.lost ?? null,
    'p50 ms': s?.latency.p50 ?? null,
    'p99 ms': s?.latency.p99 ?? null,
    'commit p50 ms': withServer ? (s?.commit?.p50 ?? null) : null,
    'commit p99 ms': withServer ? (s?.commit?.p99 ?? null) : null,
    'CPU %': s?.cpuPct ?? null,
    'stored acks': withServer && s ? (s.storedBehind === 0 ? 'all' : `${s.storedBehind} units behind`) : null,
    result: s ? s.why : 'no step passed',
  };
}

async function main() {
  const started = Date.now();
  const rows: Row[] = [];
  const notes: string[] = [];
  const extra: Record<string, unknown> = {};
  for (const broker of brokers) {
    let url = MOSQUITTO_URL;
    let tuned: Awaited<ReturnType<typeof startTunedMosquitto>> = null;
    if (broker === 'mosquitto' && !(await tcpOpen(MOSQUITTO_URL))) {
      notes.push(`Mosquitto not reachable at ${MOSQUITTO_URL}: skipped`);
      continue;
    }
    if (broker === 'mosquitto-tuned') {
      tuned = await startTunedMosquitto();
      if (!tuned) {
        notes.push('mosquitto-tuned: no mosquitto binary to start (apt-get install -y mosquitto): skipped');
        continue;
      }
      url = tuned.url;
    }
    console.log(`ingest: ${broker} raw baseline…`);
    const raw = await rawBaseline(broker, url);
    const rawBest = bestPassing(raw);
    const rawRate = rawBest?.rate ?? NaN;
    rows.push(row(broker, 'raw pub/sub, highest lossless step (baseline)', maxUnits, rawBest, rawRate, false));
    const rawFail = raw.find((s) => !s.pass);
    if (rawFail) rows.push(row(broker, 'raw pub/sub, first failing step', maxUnits, rawFail, rawRate, false));
    console.log(`ingest: ${broker} end to end…`);
    const e2e = await endToEnd(broker, url);
    await tuned?.stop();
    for (const f of e2e.fixed) rows.push(row(broker, f.name, f.units, f.step, rawRate, true));
    rows.push(row(broker, 'highest lossless step', maxUnits, bestPassing(e2e.steps), rawRate, true));
    const fail = e2e.steps.find((s) => !s.pass);
    if (fail) rows.push(row(broker, 'first failing step', maxUnits, fail, rawRate, true));
    notes.push(`${broker}: ${e2e.dbCheck}`);
    extra[broker] = { raw, e2e };
  }
  const e2eRows = rows.filter((r) => !String(r.run).startsWith('raw') && r.result === 'ok');
  const best = Math.max(0, ...e2eRows.map((r) => r['positions/s'] as number));
  report({
    scenario: 'ingest',
    title: 'Ingest end to end (MQTT QoS 1 → server → H3 index + PostgreSQL)',
    quick,
    startedAt: new Date(started).toISOString(),
    durationSec: (Date.now() - started) / 1000,
    machine: machine(),
    method: [
      `Generator (own process): ${maxUnits} units over ${connectionsFor(maxUnits)} raw MQTT 3.1.1 connections, QoS 1, open loop at the offered rate; each connection also subscribes to its units' stored acks.`,
      `Offered rates step up (${STEPS.join(', ')}/s, ${stepMs / 1000} s each) until a step fails: any loss, a generator that falls behind, or a backlog still draining ${MAX_DRAIN_MS} ms after the last send.`,
      'positions/s = rows committed ÷ (first publish → last commit); lost = PUBACKed by the broker − rows committed (the database is the truth).',
      'p50/p99 = publish → FleetIndex.move in the server (raw rows: publish → subscriber); commit = publish → batch committed in PostgreSQL.',
      'Baseline: same generator, same broker, one plain subscriber that acks and reads ts; ratio = our positions/s ÷ the baseline\'s highest lossless rate.',
      `mosquitto = the machine's broker with its default limits; mosquitto-tuned = a private Mosquitto started by the bench with: ${TUNED_CONF(0).split('\n').slice(2).filter(Boolean).join(', ')}.`,
      'Server (startServer, unmodified, own process) writes to a scratch database on the machine\'s PostgreSQL; CPU % = server (or aedes) process, 100 = one core.',
    ],
    rows,
    columns: ['broker', 'run', 'units', 'offered/s', 'positions/s', 'ratio to raw', 'lost', 'p50 ms', 'p99 ms', 'commit p50 ms', 'commit p99 ms', 'CPU %', 'stored acks', 'result'],
    goals: [{ goal: 'ingest ≥ 50,000 positions/s, nothing lost', measured: `best lossless ${Math.round(best)} positions/s`, met: best >= 50_000 }],
    notes,
    extra,
  });
}

await main();
