/**
 * The offline basemap's tile endpoints on the real Monaco road graph (imported from
 * fixtures/osm/monaco.osm.pbf, saved and loaded back as a file), read back with a real
 * Mapbox Vector Tile decoder; and the graph format's road classes and names.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { VectorTile } from '@mapbox/vector-tile';
import Fastify, { type FastifyInstance } from 'fastify';
import { PbfReader } from 'pbf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Basemap, basemapRoutes } from '../src/adapters/http/basemap.ts';
import { importRoadGraph, loadRoadGraph, saveRoadGraph } from '../src/adapters/routing/graphFile.ts';
import { ROAD_GRAPH_FORMAT_VERSION, ROAD_CLASSES, segmentCount, segmentName, type RoadGraph } from '../src/core/routing/graph.ts';

const osmDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures/osm');
const MONACO = path.join(osmDir, 'monaco.osm.pbf');
const HANOI = path.join(osmDir, 'hanoi_o_cho_dua_osm_road_graph.geojson');
/** Port Hercule, Monaco. */
const HERCULE = { lat: 43.7347, lng: 7.4206 };

/** The XYZ tile holding a point. */
function tileAt(lat: number, lng: number, z: number) {
  const n = 2 ** z;
  const r = (lat * Math.PI) / 180;
  return { z, x: Math.floor(((lng + 180) / 360) * n), y: Math.floor(((1 - Math.log(Math.tan(r) + 1 / Math.cos(r)) / Math.PI) / 2) * n) };
}

function decode(body: Buffer): VectorTile {
  return new VectorTile(new PbfReader(new Uint8Array(body.buffer, body.byteOffset, body.byteLength)));
}

let dir: string;
let graph: RoadGraph;
let app: FastifyInstance;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'lifeline-basemap-'));
  const file = path.join(dir, 'monaco.llrg');
  await saveRoadGraph(file, await importRoadGraph(MONACO, { builtAt: '2026-01-01T00:00:00Z' }));
  const loaded = await loadRoadGraph(file);
  if (!loaded.ok) throw new Error(loaded.message);
  graph = loaded.graph;
  app = Fastify();
  await app.register(basemapRoutes(new Basemap({ graph })));
  await app.ready();
});
afterAll(async () => {
  await app?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('road graph: classes and names (format 2)', () => {
  it('stores every segment’s OSM class and the way’s name, and survives a save and load', () => {
    const n = segmentCount(graph);
    expect(graph.segClass).toHaveLength(n);
    expect(graph.segName).toHaveLength(n);
    const classes = new Map<string, number>();
    for (let s = 0; s < n; s++) {
      const c = ROAD_CLASSES[graph.segClass[s]!]!;
      classes.set(c, (classes.get(c) ?? 0) + 1);
    }
    // Monaco's drivable network: a few primary/secondary roads, many residential and service.
    for (const c of ['primary', 'secondary', 'tertiary', 'residential', 'service']) expect(classes.get(c), c).toBeGreaterThan(0);
    expect(classes.get('other') ?? 0).toBe(0);
    const names = new Set<string>();
    for (let s = 0; s < n; s++) names.add(segmentName(graph, s) ?? '');
    expect(names).toContain('Boulevard Albert 1er');
    expect(names.size).toBeGreaterThan(100);
  });

  it('imports classes and names from the routable GeoJSON form too', async () => {
    const hanoi = await importRoadGraph(HANOI, { builtAt: '2026-01-01T00:00:00Z' });
    const n = segmentCount(hanoi);
    let classified = 0;
    let named = 0;
    for (let s = 0; s < n; s++) {
      if (hanoi.segClass[s] !== 0) classified++;
      if (segmentName(hanoi, s)) named++;
    }
    expect(classified).toBe(n);
    expect(named / n).toBeGreaterThan(0.3);
    expect([...Array(n).keys()].map((s) => segmentName(hanoi, s)).filter((x) => x && /[\u1ea0-\u1ef9]/.test(x)).length).toBeGreaterThan(0);
  });

  it('refuses a file of the previous format with a message that says how to re-import', async () => {
    const file = path.join(dir, 'old.llrg');
    const bytes = await readFile(path.join(dir, 'monaco.llrg'));
    bytes.writeUInt32LE(ROAD_GRAPH_FORMAT_VERSION - 1, 4);
    await writeFile(file, bytes);
    const loaded = await loadRoadGraph(file);
    expect(loaded.ok).toBe(false);
    if (loaded.ok) return;
    expect(loaded.code).toBe('FormatVersion');
    expect(loaded.message).toContain('npm run import-osm');
  });
});

describe('GET /api/basemap/roads/{z}/{x}/{y}.pbf on the Monaco graph', () => {
  it('serves a street-level tile whose roads carry their classes, names and one-way flags', async () => {
    const t = tileAt(HERCULE.lat, HERCULE.lng, 14);
    const r = await app.inject(`/api/basemap/roads/${t.z}/${t.x}/${t.y}.pbf?v=x`);
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toBe('application/vnd.mapbox-vector-tile');
    const layer = decode(r.rawPayload).layers.roads!;
    expect(layer).toBeDefined();
    expect(layer.length).toBeGreaterThan(50);
    const feats = [...Array(layer.length).keys()].map((i) => layer.feature(i));
    const classes = new Set(feats.map((f) => f.properties.class));
    for (const c of ['primary', 'secondary', 'tertiary', 'minor', 'service']) expect(classes, c).toContain(c);
    expect(feats.every((f) => f.type === 2 && ROAD_CLASSES.includes(f.properties.highway as never))).toBe(true);
    expect(feats.some((f) => f.properties.oneway === 1)).toBe(true);
    expect(feats.map((f) => f.properties.name)).toContain('Boulevard Albert 1er');
    // Geometry is where Monaco is: every vertex within the tile plus its buffer.
    for (const f of feats.slice(0, 20)) {
      const g = f.toGeoJSON(t.x, t.y, t.z).geometry;
      const coords = (g.type === 'LineString' ? [g.coordinates] : g.type === 'MultiLineString' ? g.coordinates : []).flat();
      for (const [lng, lat] of coords) {
        expect(lng!).toBeGreaterThan(7.40);
        expect(lng!).toBeLessThan(7.45);
        expect(lat!).toBeGreaterThan(43.71);
        expect(lat!).toBeLessThan(43.76);
      }
    }
  });

  it('keeps only main roads, without names, at a regional zoom', async () => {
    const t = tileAt(HERCULE.lat, HERCULE.lng, 9);
    const r = await app.inject(`/api/basemap/roads/${t.z}/${t.x}/${t.y}`);
    expect(r.statusCode).toBe(200);
    const layer = decode(r.rawPayload).layers.roads!;
    const feats = [...Array(layer.length).keys()].map((i) => layer.feature(i));
    expect(feats.length).toBeGreaterThan(0);
    expect(new Set(feats.map((f) => f.properties.class))).not.toContain('minor');
    expect(new Set(feats.map((f) => f.properties.class))).not.toContain('service');
    expect(feats.some((f) => 'name' in f.properties)).toBe(false);
  });

  it('answers 204 for a tile with no road: elsewhere, or below the first road zoom', async () => {
    const pacific = tileAt(-30, -140, 14);
    expect((await app.inject(`/api/basemap/roads/${pacific.z}/${pacific.x}/${pacific.y}.pbf`)).statusCode).toBe(204);
    const world = tileAt(HERCULE.lat, HERCULE.lng, 3);
    expect((await app.inject(`/api/basemap/roads/${world.z}/${world.x}/${world.y}.pbf`)).statusCode).toBe(204);
  });

  it('rejects tiles that do not exist with 400', async () => {
    for (const url of ['/api/basemap/roads/15/32768/1.pbf', '/api/basemap/roads/2/1/4.pbf', '/api/basemap/roads/23/0/0.pbf', '/api/basemap/roads/a/1/1.pbf', '/api/basemap/roads/3/1/1.png']) {
      const r = await app.inject(url);
      expect(r.statusCode, url).toBe(400);
    }
  });

  it('answers 204 for every road tile when no graph is loaded, and says so in its info', async () => {
    const bare = Fastify();
    const basemap = new Basemap({ graph: null });
    await bare.register(basemapRoutes(basemap));
    const t = tileAt(HERCULE.lat, HERCULE.lng, 14);
    expect((await bare.inject(`/api/basemap/roads/${t.z}/${t.x}/${t.y}.pbf`)).statusCode).toBe(204);
    expect((await bare.inject('/api/basemap')).json()).toEqual({ roads: null, boundaries: { maxzoom: 8, attribution: 'Natural Earth' } });
    await bare.close();
  });

  it('describes the road tiles: bounds of the graph, zooms, OSM credit and a version', async () => {
    const info = (await app.inject('/api/basemap')).json();
    expect(info.roads).toMatchObject({ minzoom: 5, maxzoom: 14, attribution: '© OpenStreetMap contributors' });
    const [w, s, e, n] = info.roads.bounds;
    expect(w).toBeLessThan(HERCULE.lng);
    expect(e).toBeGreaterThan(HERCULE.lng);
    expect(s).toBeLessThan(HERCULE.lat);
    expect(n).toBeGreaterThan(HERCULE.lat);
    expect(info.roads.version).toMatch(/^[0-9a-f]{12}$/);
  });
});

describe('GET /api/basemap/boundaries/{z}/{x}/{y}.pbf (Natural Earth)', () => {
  it('has land and the country borders around Monaco and in Việt Nam', async () => {
    for (const [lat, lng] of [[HERCULE.lat, HERCULE.lng], [10.98, 106.65]] as const) {
      const t = tileAt(lat, lng, 6);
      const r = await app.inject(`/api/basemap/boundaries/${t.z}/${t.x}/${t.y}.pbf`);
      expect(r.statusCode).toBe(200);
      const tile = decode(r.rawPayload);
      expect(tile.layers.land?.length).toBeGreaterThan(0);
      expect(tile.layers.borders?.length).toBeGreaterThan(0);
    }
  });

  it('answers 204 in the open ocean', async () => {
    const t = tileAt(-45, -130, 6);
    expect((await app.inject(`/api/basemap/boundaries/${t.z}/${t.x}/${t.y}.pbf`)).statusCode).toBe(204);
  });
});
