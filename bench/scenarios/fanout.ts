/**
 * Scenario 4 — live map fan-out: 100 and 500 socket.io clients, 5,000 units moving at 1 Hz.
 * `shared broadcast` is what the server does now (every changed unit to every live-map client,
 * 4 frames/s). `per-client area` is a PROTOTYPE in the bench harness (lib/fanoutServer.ts): each
 * client shows a district-sized area and receives only the z12 tiles it covers. The server code
 * (server/src/adapters/realtime.ts) is not changed.
 *
 *   pnpm --filter @lifeline/bench bench:fanout [--quick] [--clients 100,500] [--units 5000] [--duration 20]
 */
import { parseArgs, sleep } from '../lib/args.ts';
import { Child } from '../lib/child.ts';
import { createScratchDb, dropScratchDb, runId } from '../lib/pg.ts';
import { machine, report, type Row } from '../lib/report.ts';
import { ratio, summary } from '../lib/stats.ts';

const SERVER = new URL('../lib/fanoutServer.ts', import.meta.url).pathname;
const CLIENTS = new URL('../lib/fanoutClients.ts', import.meta.url).pathname;
const args = parseArgs();
const quick = args.quick;
const clientCounts = (args.get('clients') ?? '100,500').split(',').map(Number);
const units = args.num('units', 5000);
const durationS = args.num('duration', quick ? 8 : 20);
const FRAME_MS = 250; // the server's default realtime frame

async function runOne(mode: 'shared' | 'area', clients: number, frameMs: number): Promise<Row> {
  const id = runId();
  const dbName = `lifeline_bench_fanout_${id}`;
  const databaseUrl = await createScratchDb(dbName);
  const server = new Child(SERVER);
  const cl = new Child(CLIENTS);
  try {
    const s = await server.request<{ url: string }>('start', {
      env: { DATABASE_URL: databaseUrl, MQTT_PREFIX: `bench-${id}/v1`, INSTANCE_ID: `bench-${id}` },
      units,
      mode,
      frameMs,
    });
    const token = mode === 'shared' ? await server.request<string>('login', { role: 'dispatcher' }) : null;
    const c = await cl.request<{ connected: number; snapshots: number }>('connect', { url: s.url, token, clients, area: mode === 'area', seed: 5 });
    await sleep(3000);
    await server.request('record');
    await cl.request('record');
    await sleep(durationS * 1000);
    const srv = await server.request<{ cpuPct: number; emits: Record<string, { t: number; waits: number[] }> }>('stopRecording');
    // Let in-flight frames land before counting.
    await sleep(1500);
    const got = await cl.request<{ arrivals: { key: string; t: number }[]; bytes: number; messages: number; open: number }>('stopRecording');
    const delivery: number[] = [];
    const e2e: number[] = [];
    for (const a of got.arrivals) {
      const e = srv.emits[a.key];
      if (!e) continue; // emitted before recording began
      const d = a.t - e.t;
      delivery.push(d);
      for (let k = 0; k < 3 && e.waits.length; k++) e2e.push(e.waits[Math.floor(Math.random() * e.waits.length)]! + d);
    }
    const del = summary(delivery);
    const end = summary(e2e);
    const frames = Object.keys(srv.emits).length;
    return {
      clients,
      variant: mode === 'shared' ? 'shared broadcast (server today)' : `per-client area (bench PROTOTYPE)${frameMs !== FRAME_MS ? `, ${frameMs} ms frames` : ''}`,
      'connected': `${c.connected}/${clients}`,
      'e2e p50 ms': end.p50,
      'e2e p95 ms': end.p95,
      'delivery p50 ms': del.p50,
      'delivery p95 ms': del.p95,
      'MB/s total': got.bytes / durationS / 1e6,
      'kB/s per client': got.bytes / durationS / clients / 1e3,
      'msgs/s per client': got.messages / durationS / clients,
      'server CPU %': srv.cpuPct,
      _frames: frames,
    };
  } finally {
    await cl.stop();
    await server.stop();
    await dropScratchDb(dbName);
  }
}

async function main() {
  const started = Date.now();
  const rows: Row[] = [];
  for (const clients of clientCounts) {
    for (const [mode, frameMs] of [['shared', FRAME_MS], ['area', FRAME_MS], ['area', 100]] as const) {
      console.log(`fanout: ${clients} clients, ${mode}, ${frameMs} ms frames…`);
      rows.push(await runOne(mode, clients, frameMs));
    }
    const shared = rows.find((r) => r.clients === clients && String(r.variant).startsWith('shared'))!;
    for (const r of rows.filter((x) => x.clients === clients)) {
      r['p95 ratio to shared'] = ratio(r['e2e p95 ms'] as number, shared['e2e p95 ms'] as number);
      r['bytes ratio to shared'] = ratio(r['MB/s total'] as number, shared['MB/s total'] as number);
    }
  }
  const at500 = rows.filter((r) => r.clients === 500);
  const best500 = at500.length ? at500.reduce((a, b) => ((a['e2e p95 ms'] as number) < (b['e2e p95 ms'] as number) ? a : b)) : null;
  const server500 = at500.find((r) => String(r.variant).startsWith('shared'));
  report({
    scenario: 'fanout',
    title: `Live map fan-out: ${units} units at 1 Hz, ${FRAME_MS} ms frames`,
    quick,
    startedAt: new Date(started).toISOString(),
    durationSec: (Date.now() - started) / 1000,
    machine: machine(),
    method: [
      `Real server (startServer, own process) with ${units} units moved at 1 Hz through the Fleet service (20 slices/s); clients in a second process, raw Engine.IO 4 WebSockets that timestamp each message and read only its event name and seq.`,
      `${durationS} s measured per row after connect + snapshot + 3 s. delivery = frame emitted by the server → message received; e2e = position applied to the live fleet → received (per message, a sample of the units' own waits for their frame is added to its delivery time).`,
      'per-client area (PROTOTYPE): a second socket.io server in the same process, same fleet and frames; each client shows a ≈20 km square (2×2 z12 tiles) and joins one room per tile; not authenticated; not in the server.',
      'The last variant runs the prototype with 100 ms frames: with 250 ms frames a unit waits up to 250 ms for its frame, so p95 < 250 ms is out of reach by construction.',
      'MB/s total = bytes received by all clients; server CPU % = the server process, 100 = one core.',
    ],
    rows,
    columns: ['clients', 'variant', 'connected', 'e2e p50 ms', 'e2e p95 ms', 'p95 ratio to shared', 'delivery p50 ms', 'delivery p95 ms', 'MB/s total', 'bytes ratio to shared', 'kB/s per client', 'msgs/s per client', 'server CPU %'],
    goals: [
      {
        goal: '500 live map clients, 5k units at 1 Hz, p95 < 250 ms (position applied → client)',
        measured: server500 ? `server today ${Math.round(server500['e2e p95 ms'] as number)} ms; best ${best500 ? `${Math.round(best500['e2e p95 ms'] as number)} ms (${best500.variant})` : 'n/a'}` : 'n/a',
        met: server500 ? (server500['e2e p95 ms'] as number) < 250 : null,
        note: 'judged on what the server does today; the prototype is shown for the decision',
      },
    ],
    notes: [],
  });
}

await main();
