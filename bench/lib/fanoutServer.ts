/**
 * Server side of the fan-out scenario (own process). Runs the real server (startServer) and moves
 * `units` units at 1 Hz through the Fleet service, as ingest would. Two ways to reach the map:
 *
 *  - `shared`: the server's own RealtimeGateway, unchanged — every frame's changed units go to
 *    every live-map client in one broadcast.
 *  - `area` (PROTOTYPE, bench only, not in the server): a second socket.io server on its own port
 *    where each client says which map area it shows; units are grouped by slippy-map tile (z12) and
 *    each frame sends a tile's changes to that tile's room only.
 *
 * Emit times are recorded per message key (`seq`, or `seq:tile`) with a sample of how long the
 * units in it waited for their frame, so the client side can compute delivery and end-to-end latency.
 */
import http from 'node:http';
import pino from 'pino';
import { Server } from 'socket.io';
import { loadConfig, startServer, type LifelineServer } from '@lifeline/server';
import { serve } from './child.ts';
import { nowMs } from './args.ts';
import { rng } from './stats.ts';

const Z = 12;
export function tileOf(lat: number, lng: number): string {
  const n = 2 ** Z;
  const x = Math.floor(((lng + 180) / 360) * n);
  const r = (lat * Math.PI) / 180;
  const y = Math.floor(((1 - Math.log(Math.tan(r) + 1 / Math.cos(r)) / Math.PI) / 2) * n);
  return `${x}/${y}`;
}

let server: LifelineServer | null = null;
let driver: NodeJS.Timeout | null = null;
const emits = new Map<string, { t: number; waits: number[] }>();
let recording = false;
let cpu0 = process.cpuUsage();
let t0 = 0;
let prototype: { io: Server; http: http.Server; timer: NodeJS.Timeout } | null = null;

interface U {
  id: string;
  lat: number;
  lng: number;
  t: number;
}
let units: U[] = [];
const protoDirty = new Set<number>();

function sampleWaits(recordedAt: number[], now: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < Math.min(20, recordedAt.length); i++) out.push(now - recordedAt[Math.floor(Math.random() * recordedAt.length)]!);
  return out;
}

async function start(a: { env: Record<string, string>; units: number; mode: 'shared' | 'area'; frameMs: number }) {
  const cfg = loadConfig({ PORT: '0', HOST: '127.0.0.1', MQTT_PORT: '0', MQTT_HOST: '127.0.0.1', LOG_LEVEL: 'error', SILENT_AFTER_SEC: '86400', MQTT_AUTH: '0', ...a.env });
  server = await startServer(cfg, { logger: pino({ level: cfg.logLevel }), realtimeFrameMs: a.frameMs });
  const fleet = server.fleet as unknown as {
    register(id: string): void;
    setOnline(id: string, on: boolean): void;
    offer?(id: string, p: object, now: number): unknown;
    move?(id: string, p: object): unknown;
    takeDirty(): { position: { recordedAt: string } | null }[];
    view(id: string): unknown;
  };
  const place = (u: U) => {
    const p = { lat: u.lat, lng: u.lng, recordedAtMs: u.t, speedMps: 10, headingDeg: 90 };
    if (typeof fleet.offer === 'function') fleet.offer(u.id, p, Date.now());
    else fleet.move!(u.id, p);
  };
  const r = rng(11);
  units = Array.from({ length: a.units }, (_, i) => ({ id: `m${String(i).padStart(5, '0')}`, lat: 10.98 + (r() - 0.5) * 0.6, lng: 106.65 + (r() - 0.5) * 0.6, t: Date.now() }));
  for (const u of units) {
    fleet.register(u.id);
    fleet.setOnline(u.id, true);
    place(u);
  }
  // Shared mode: observe the server's own frames (the gateway increments seq per non-empty frame).
  let seq = 0;
  const take = fleet.takeDirty.bind(fleet);
  fleet.takeDirty = () => {
    const out = take();
    if (out.length > 0) {
      seq++;
      if (recording && a.mode === 'shared') {
        const now = Date.now();
        emits.set(String(seq), { t: nowMs(), waits: sampleWaits(out.map((v) => (v.position ? Date.parse(v.position.recordedAt) : now)), now) });
      }
    }
    return out;
  };
  // 1 Hz per unit, spread over 20 slices a second; small plausible steps (~10 m/s).
  let cursor = 0;
  const slice = Math.ceil(a.units / 20);
  driver = setInterval(() => {
    const now = Date.now();
    for (let k = 0; k < slice; k++) {
      const i = cursor++ % units.length;
      const u = units[i]!;
      u.lat += 9e-5 * (r() - 0.5);
      u.lng += 9e-5 * (r() - 0.5);
      u.t = now;
      place(u);
      if (prototype) protoDirty.add(i);
    }
  }, 50);
  if (a.mode === 'area') prototype = await startAreaPrototype(a.frameMs, fleet.view.bind(fleet));
  const port = prototype ? (prototype.http.address() as { port: number }).port : Number(new URL(server.url).port);
  return { url: `http://127.0.0.1:${port}`, serverUrl: server.url };
}

/** PROTOTYPE map-area gateway (bench only). Not authenticated: it measures fan-out, not access control. */
async function startAreaPrototype(frameMs: number, view: (id: string) => unknown) {
  const h = http.createServer();
  const io = new Server(h, { serveClient: false, maxHttpBufferSize: 64 * 1024 });
  io.on('connection', (socket) => {
    socket.on('area', (b: { south: number; west: number; north: number; east: number }) => {
      // Join every z12 tile the area touches (capped), then send the area's snapshot.
      const rooms = new Set<string>();
      const [x0, y0] = tileOf(b.north, b.west).split('/').map(Number) as [number, number];
      const [x1, y1] = tileOf(b.south, b.east).split('/').map(Number) as [number, number];
      for (let x = x0; x <= x1 && rooms.size < 64; x++) for (let y = y0; y <= y1 && rooms.size < 64; y++) rooms.add(`tile:${x}/${y}`);
      void socket.join([...rooms]);
      const inside = units.filter((u) => u.lat >= b.south && u.lat <= b.north && u.lng >= b.west && u.lng <= b.east).map((u) => view(u.id));
      socket.emit('snapshot', { seq: 0, units: inside, incidents: [] });
    });
  });
  let seq = 0;
  const timer = setInterval(() => {
    if (protoDirty.size === 0) return;
    seq++;
    const byTile = new Map<string, number[]>();
    for (const i of protoDirty) {
      const u = units[i]!;
      const t = tileOf(u.lat, u.lng);
      let l = byTile.get(t);
      if (!l) byTile.set(t, (l = []));
      l.push(i);
    }
    protoDirty.clear();
    const rooms = io.of('/').adapter.rooms;
    const now = Date.now();
    for (const [tile, idx] of byTile) {
      if (!rooms.has(`tile:${tile}`)) continue;
      if (recording) emits.set(`${seq}:${tile}`, { t: nowMs(), waits: sampleWaits(idx.map((i) => units[i]!.t), now) });
      io.to(`tile:${tile}`).emit('area', { seq, tile, units: idx.map((i) => view(units[i]!.id)) });
    }
  }, frameMs);
  await new Promise<void>((resolve) => h.listen(0, '127.0.0.1', resolve));
  return { io, http: h, timer };
}

serve(
  {
    start,
    login: async (a: { role: string }) => {
      const { createUser } = await import('../../server/src/adapters/store/users.ts');
      const username = `bench-${a.role}-${Math.random().toString(36).slice(2, 8)}`;
      const password = 'bench password, not a secret';
      await createUser(server!.db, { username, displayName: username, password, role: a.role as never });
      const res = await fetch(`${server!.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
      if (res.status !== 200) throw new Error(`login failed: ${res.status}`);
      return ((await res.json()) as { token: string }).token;
    },
    record: () => {
      emits.clear();
      recording = true;
      cpu0 = process.cpuUsage();
      t0 = nowMs();
      return true;
    },
    stopRecording: () => {
      recording = false;
      const c = process.cpuUsage(cpu0);
      return { cpuPct: ((c.user + c.system) / 1000 / (nowMs() - t0)) * 100, emits: Object.fromEntries(emits) };
    },
  },
  async () => {
    if (driver) clearInterval(driver);
    if (prototype) {
      clearInterval(prototype.timer);
      prototype.io.disconnectSockets(true);
      await prototype.io.close().catch(() => undefined);
    }
    await server?.stop();
  },
);
