/**
 * Scenario 3 — call → recommendation over HTTP under concurrent load: autocannon POSTs new calls
 * (`POST /api/incidents`: validate, insert the incident and its timeline events in one
 * transaction, rank units by ETA from the live H3 index, record the recommendation audit) to the
 * real server, with 10,000 live units. Baseline in the same run: `GET /api/config` on the same
 * server (HTTP + auth, no database, no dispatch) — the framework's floor on this machine.
 *
 *   pnpm --filter @lifeline/bench bench:recommend [--quick] [--units 10000] [--connections 10,50] [--duration 10]
 */
import autocannon from 'autocannon';
import { parseArgs, sleep } from '../lib/args.ts';
import { Child } from '../lib/child.ts';
import { createScratchDb, dropScratchDb, runId } from '../lib/pg.ts';
import { machine, report, type Row } from '../lib/report.ts';
import { ratio, rng } from '../lib/stats.ts';

const SERVER = new URL('../lib/serverWorker.ts', import.meta.url).pathname;
const args = parseArgs();
const quick = args.quick;
const units = args.num('units', 10_000);
const connectionsList = (args.get('connections') ?? '10,50').split(',').map(Number);
const duration = args.num('duration', quick ? 5 : 10);

function calls(n: number): string[] {
  const r = rng(3);
  const categories = ['cardiac', 'trauma', 'respiratory', 'stroke'];
  return Array.from({ length: n }, (_, i) =>
    JSON.stringify({
      line: '115',
      callerPhone: `09${String(10_000_000 + i).slice(-8)}`,
      location: { lat: 10.98 + (r() - 0.5) * 0.5, lng: 106.65 + (r() - 0.5) * 0.5 },
      category: categories[i % categories.length],
      priority: 1 + (i % 3),
    }),
  );
}

async function cannon(url: string, token: string, connections: number, post: boolean): Promise<autocannon.Result> {
  const bodies = calls(1000);
  let i = 0;
  return autocannon({
    url,
    connections,
    duration,
    headers: { authorization: `Bearer ${token}`, ...(post ? { 'content-type': 'application/json' } : {}) },
    requests: [
      post
        ? { method: 'POST', path: '/api/incidents', setupRequest: (req) => ({ ...req, body: bodies[i++ % bodies.length] }) }
        : { method: 'GET', path: '/api/config' },
    ],
  });
}

async function main() {
  const started = Date.now();
  const id = runId();
  const dbName = `lifeline_bench_recommend_${id}`;
  const databaseUrl = await createScratchDb(dbName);
  const server = new Child(SERVER);
  const rows: Row[] = [];
  try {
    const s = await server.request<{ url: string }>('start', {
      env: { DATABASE_URL: databaseUrl, MQTT_PREFIX: `bench-${id}/v1`, INSTANCE_ID: `bench-${id}`, SILENT_AFTER_SEC: '86400', LOG_LEVEL: 'error' },
    });
    await server.request('populate', { units });
    const token = await server.request<string>('login', { role: 'dispatcher' });
    // Warm-up (JIT, connection pool, prepared plans).
    await cannon(s.url, token, 4, true).catch(() => undefined);
    for (const connections of connectionsList) {
      const results: Record<string, autocannon.Result> = {};
      for (const [name, post] of [['baseline', false], ['call', true]] as const) {
        await server.request('cpuStart');
        const r = await cannon(s.url, token, connections, post);
        const cpu = await server.request<{ cpuPct: number }>('cpuStop');
        results[name] = r;
        (r as unknown as { cpuPct: number }).cpuPct = cpu.cpuPct;
        await sleep(500);
      }
      const base = results.baseline!;
      for (const [name, r] of Object.entries(results)) {
        rows.push({
          connections,
          request: name === 'call' ? 'POST /api/incidents (call → recommendation)' : 'GET /api/config (baseline: HTTP + auth floor)',
          'req/s': r.requests.average,
          'p50 ms': r.latency.p50,
          'p99 ms': r.latency.p99,
          'max ms': r.latency.max,
          'p99 ratio to baseline': ratio(r.latency.p99, base.latency.p99),
          'req/s ratio to baseline': ratio(r.requests.average, base.requests.average),
          'non-2xx': r.non2xx,
          errors: r.errors + r.timeouts,
          'server CPU %': (r as unknown as { cpuPct: number }).cpuPct,
        });
      }
      console.log(`recommend: ${connections} connections done`);
    }
  } finally {
    await server.stop();
    await dropScratchDb(dbName);
  }
  const calls10 = rows.find((r) => r.connections === connectionsList[0] && String(r.request).startsWith('POST'));
  report({
    scenario: 'recommend',
    title: 'Call → recommendation over HTTP under concurrent load',
    quick,
    startedAt: new Date(started).toISOString(),
    durationSec: (Date.now() - started) / 1000,
    machine: machine(),
    method: [
      `Real server (startServer, own process) on a scratch database on the machine's PostgreSQL, ${units} available online units put straight into the live fleet, straight-line ETA (no ROUTER_URL).`,
      `autocannon (this process) for ${duration} s per row; each POST is a new call at a random point, so every request inserts an incident, its events and a recommendation audit.`,
      'Latency as autocannon reports it (ms, 1 ms resolution); ratios compare with the baseline row at the same connection count.',
    ],
    rows,
    columns: ['connections', 'request', 'req/s', 'p50 ms', 'p99 ms', 'max ms', 'p99 ratio to baseline', 'req/s ratio to baseline', 'non-2xx', 'errors', 'server CPU %'],
    goals: [
      {
        goal: `call → recommendation p99 < 50 ms (at ${connectionsList[0]} concurrent connections)`,
        measured: calls10 ? `p99 ${calls10['p99 ms']} ms at ${Math.round(calls10['req/s'] as number)} req/s` : 'n/a',
        met: calls10 ? (calls10['p99 ms'] as number) < 50 && calls10['non-2xx'] === 0 : null,
      },
    ],
    notes: [],
  });
}

await main();
