import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { LatLng } from '@lifeline/protocol';
import { createEtaProvider, importRoadGraph, OsrmEtaProvider, saveRoadGraph, type RoutingLogger } from '../src/adapters/routing/index.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const HANOI = path.resolve(repoRoot, 'fixtures/osm/hanoi_o_cho_dua_osm_road_graph.geojson');

// Đống Đa, Hà Nội: three units and a scene on mapped roads.
const SCENE: LatLng = { lat: 21.0190593, lng: 105.8305698 };
const UNITS: LatLng[] = [
  { lat: 21.0287574, lng: 105.8318238 },
  { lat: 21.0269016, lng: 105.827694 },
  { lat: 21.015, lng: 105.825 },
];

type Handler = (req: IncomingMessage, res: ServerResponse, url: URL) => void;

/** A local stand-in for an OSRM server; `handler` is swapped per test. */
let handler: Handler;
let server: Server;
let baseUrl: string;
const requests: URL[] = [];

/** The OSRM `table` answer format: durations (s) and distances (m), sources × destinations. */
function osrmTable(url: URL, cell: (s: number, d: number) => number | null) {
  const sources = url.searchParams.get('sources')!.split(';').map(Number);
  const destinations = url.searchParams.get('destinations')!.split(';').map(Number);
  const coords = url.pathname.split('/').pop()!.split(';').map((c) => c.split(',').map(Number));
  const waypoint = (i: number) => ({ hint: 'x', distance: 0.5, name: '', location: coords[i] });
  return {
    code: 'Ok',
    durations: sources.map((s) => destinations.map((d) => cell(s, d))),
    distances: sources.map((s) => destinations.map((d) => { const v = cell(s, d); return v === null ? null : v * 10; })),
    sources: sources.map(waypoint),
    destinations: destinations.map(waypoint),
  };
}

const json = (res: ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
};

function logger() {
  const warnings: { obj: object; msg?: string }[] = [];
  const log: RoutingLogger = { info: () => {}, warn: (obj, msg) => warnings.push({ obj, msg }) };
  return { log, warnings };
}

let dir: string;
let graphPath: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    const url = new URL(req.url!, 'http://stub');
    requests.push(url);
    handler(req, res, url);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  dir = await mkdtemp(path.join(tmpdir(), 'lifeline-osrm-'));
  graphPath = path.join(dir, 'hanoi.llrg');
  await saveRoadGraph(graphPath, await importRoadGraph(HANOI, { builtAt: '2026-01-01T00:00:00Z' }));
});

afterEach(() => {
  requests.length = 0;
  server.closeAllConnections();
});

afterAll(async () => {
  server.closeAllConnections();
  server.close();
  await rm(dir, { recursive: true, force: true });
});

describe('OSRM-compatible router (ROUTER_URL)', () => {
  it('asks the table service for units → scene and uses its answer', async () => {
    handler = (_req, res, url) => json(res, 200, osrmTable(url, (s) => 100 * (s + 1)));
    const eta = await createEtaProvider({ routerUrl: baseUrl, graphPath, timeoutMs: 1000 });
    expect(eta.sources).toEqual(['osrm', 'road', 'straight_line']);
    const results = await eta.manyToOne(UNITS, SCENE);
    expect(results).toEqual([
      { etaSec: 100, distanceM: 1000, source: 'osrm' },
      { etaSec: 200, distanceM: 2000, source: 'osrm' },
      { etaSec: 300, distanceM: 3000, source: 'osrm' },
    ]);
    expect(requests).toHaveLength(1);
    const url = requests[0]!;
    expect(url.pathname).toBe(
      `/table/v1/driving/${[...UNITS, SCENE].map((p) => `${p.lng.toFixed(6)},${p.lat.toFixed(6)}`).join(';')}`,
    );
    expect(url.searchParams.get('sources')).toBe('0;1;2');
    expect(url.searchParams.get('destinations')).toBe('3');
    expect(url.searchParams.get('annotations')).toBe('duration,distance');
  });

  it('a slow router times out: the built-in road router answers, and the fallback is recorded', async () => {
    handler = (_req, res, url) => setTimeout(() => json(res, 200, osrmTable(url, () => 1)), 3000).unref();
    const { log, warnings } = logger();
    const eta = await createEtaProvider({ routerUrl: baseUrl, graphPath, timeoutMs: 150, logger: log });
    // The stub answers after 3 s: an 'osrm' source here would mean no timeout.
    const results = await eta.manyToOne(UNITS, SCENE);
    expect(results.map((r) => r.source)).toEqual(['road', 'road', 'road']);
    expect(results.every((r) => Number.isFinite(r.etaSec) && r.etaSec > 0)).toBe(true);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.obj).toMatchObject({ source: 'osrm', reason: 'error', count: 3 });
    expect(String((warnings[0]!.obj as { err: unknown }).err)).toMatch(/timed out after 150 ms/);
  });

  it('a failing router (HTTP 500) falls back to the road router, then skips it for a while', async () => {
    handler = (_req, res) => json(res, 500, { code: 'InternalError' });
    const { log, warnings } = logger();
    const eta = await createEtaProvider({ routerUrl: baseUrl, graphPath, timeoutMs: 1000, logger: log });
    expect((await eta.manyToOne(UNITS, SCENE)).map((r) => r.source)).toEqual(['road', 'road', 'road']);
    expect(String((warnings[0]!.obj as { err: unknown }).err)).toMatch(/HTTP 500/);
    // The next dispatch does not wait on the broken service again.
    expect((await eta.manyToOne(UNITS, SCENE)).map((r) => r.source)).toEqual(['road', 'road', 'road']);
    expect(requests).toHaveLength(1);
  });

  it('with no road graph, a failing router falls back to the straight-line estimate', async () => {
    handler = (_req, res) => json(res, 500, { code: 'InternalError' });
    const eta = await createEtaProvider({ routerUrl: baseUrl, timeoutMs: 1000 });
    expect(eta.sources).toEqual(['osrm', 'straight_line']);
    expect((await eta.manyToOne(UNITS, SCENE)).map((r) => r.source)).toEqual(['straight_line', 'straight_line', 'straight_line']);
  });

  it('a pair OSRM cannot route (null) falls back alone', async () => {
    handler = (_req, res, url) => json(res, 200, osrmTable(url, (s) => (s === 1 ? null : 60)));
    const eta = await createEtaProvider({ routerUrl: baseUrl, graphPath, timeoutMs: 1000 });
    expect((await eta.manyToOne(UNITS, SCENE)).map((r) => r.source)).toEqual(['osrm', 'road', 'osrm']);
  });

  it('answers hospitals one-to-many from the scene', async () => {
    handler = (_req, res, url) => json(res, 200, osrmTable(url, (_s, d) => 10 * d));
    const osrm = new OsrmEtaProvider({ baseUrl: `${baseUrl}/`, timeoutMs: 1000 });
    expect((await osrm.oneToMany(SCENE, UNITS)).map((r) => r.etaSec)).toEqual([10, 20, 30]);
    expect(requests[0]!.searchParams.get('sources')).toBe('0');
    expect(requests[0]!.searchParams.get('destinations')).toBe('1;2;3');
  });

  it('draws route lines from the route service, and from the road graph when it fails', async () => {
    const line = [[UNITS[0]!.lng, UNITS[0]!.lat], [SCENE.lng, SCENE.lat]];
    handler = (_req, res) =>
      json(res, 200, { code: 'Ok', routes: [{ duration: 321, distance: 1234, geometry: { type: 'LineString', coordinates: line } }] });
    const eta = await createEtaProvider({ routerUrl: baseUrl, graphPath, timeoutMs: 1000, osrmRetryAfterMs: 0 });
    expect(await eta.routeGeometry(UNITS[0]!, SCENE)).toEqual({ coordinates: line, etaSec: 321, distanceM: 1234, source: 'osrm' });
    expect(requests[0]!.pathname.startsWith('/route/v1/driving/')).toBe(true);
    expect(requests[0]!.searchParams.get('geometries')).toBe('geojson');
    handler = (_req, res) => json(res, 503, {});
    const fallback = (await eta.routeGeometry(UNITS[0]!, SCENE))!;
    expect(fallback.source).toBe('road');
    expect(fallback.coordinates.length).toBeGreaterThan(2);
  });

  it('a configured graph file that is missing fails start-up with how to build it', async () => {
    await expect(createEtaProvider({ graphPath: path.join(dir, 'nope.llrg') })).rejects.toThrow(/GraphFileMissing.*npm run import-osm/);
  });
});
