import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LatLng } from '@lifeline/protocol';
import { StraightLineEtaProvider } from '../src/core/eta.ts';
import { FleetIndex } from '../src/core/fleetIndex.ts';
import { recommendUnits } from '../src/core/recommender.ts';
import { RoadGraphBuilder } from '../src/core/routing/build.ts';
import { addGeoJsonGraph } from '../src/core/routing/geojsonGraph.ts';
import { createEtaProvider, saveRoadGraph, type EtaProviderChain } from '../src/adapters/routing/index.ts';

/**
 * A river town (near Thủ Dầu Một): a road on each bank, 200 m apart, and one bridge 2.5 km
 * east of the scene. Unit A waits just across the river — nearest in a straight line, farthest
 * by road. The recommendation must put the road-nearest unit first.
 *
 *   N0 ──── N1(A) ───────────────────────────── N3
 *             |  river, no bridge                |  bridge
 *   S0 ──── S1(scene) ──── S2(B) ────────────── S3
 *   0 m     500 m          1500 m              3000 m
 */
const ORIGIN = { lat: 10.98, lng: 106.65 };
const M_PER_DEG_LAT = 111_195;
const at = (xM: number, yM: number): LatLng => ({
  lat: ORIGIN.lat + yM / M_PER_DEG_LAT,
  lng: ORIGIN.lng + xM / (M_PER_DEG_LAT * Math.cos((ORIGIN.lat * Math.PI) / 180)),
});

function riverTownGeoJson() {
  const vertices: [number, number, number][] = [[1, 0, 0], [2, 500, 0], [3, 1500, 0], [4, 3000, 0], [5, 0, 200], [6, 500, 200], [7, 3000, 200]];
  const edges: [number, number, Record<string, string>][] = [
    [1, 2, { highway: 'residential' }], [2, 3, { highway: 'residential' }], [3, 4, { highway: 'residential' }],
    [5, 6, { highway: 'residential' }], [6, 7, { highway: 'residential' }],
    [4, 7, { highway: 'tertiary', bridge: 'yes' }],
  ];
  const pos = new Map(vertices.map(([id, x, y]) => [id, at(x, y)]));
  return {
    type: 'FeatureCollection',
    features: [
      ...vertices.map(([id]) => ({ type: 'Feature', id, geometry: { type: 'Point', coordinates: [pos.get(id)!.lng, pos.get(id)!.lat] }, properties: { osmId: id, tags: {} } })),
      ...edges.map(([src, tgt, tags], i) => ({
        type: 'Feature',
        id: 100 + i,
        src,
        tgt,
        geometry: { type: 'LineString', coordinates: [src, tgt].map((v) => [pos.get(v)!.lng, pos.get(v)!.lat]) },
        properties: { osmId: 1000 + i, tags },
      })),
    ],
  };
}

const SCENE = at(500, -5);
const UNITS: Record<string, LatLng> = {
  A: at(500, 205), // across the river: 210 m straight, ~5.2 km by road
  B: at(1500, 5), // same bank: 1 km
  C: at(2900, 205), // across, near the bridge: ~2.8 km by road
  D: at(500, -6000), // 6 km south, off the mapped roads: straight-line estimate only
};

function fleet(): FleetIndex {
  const index = new FleetIndex();
  for (const [id, p] of Object.entries(UNITS)) {
    index.move(id, { ...p, recordedAtMs: 1 });
    index.setOnline(id, true);
  }
  return index;
}

const OPTS = { show: 4, gather: 10, maxRadiusM: 20_000 };

describe('ranking by road ETA', () => {
  let dir: string;
  let eta: EtaProviderChain;

  beforeAll(async () => {
    const builder = new RoadGraphBuilder();
    expect(addGeoJsonGraph(builder, riverTownGeoJson())).toMatchObject({ ok: true, counts: { vertices: 7, edges: 6, keptEdges: 6 } });
    dir = await mkdtemp(path.join(tmpdir(), 'lifeline-ranking-'));
    const graphPath = path.join(dir, 'river-town.llrg');
    await saveRoadGraph(graphPath, builder.build({ source: 'river-town', builtAt: '2026-01-01T00:00:00Z' }));
    eta = await createEtaProvider({ graphPath });
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('straight-line ranking puts the unit across the river first (the problem)', async () => {
    const recs = await recommendUnits(fleet(), new StraightLineEtaProvider(), SCENE, (id) => id, OPTS);
    expect(recs.map((r) => r.vehicleId)).toEqual(['A', 'B', 'C', 'D']);
  });

  it('road ranking puts the road-nearest unit first and says where each ETA came from', async () => {
    expect(eta.sources).toEqual(['road', 'straight_line']);
    const recs = await recommendUnits(fleet(), eta, SCENE, (id) => `Unit ${id}`, OPTS);
    expect(recs.map((r) => [r.vehicleId, r.etaSource])).toEqual([
      ['B', 'road'],
      ['C', 'road'],
      ['A', 'road'],
      ['D', 'straight_line'],
    ]);
    const a = recs.find((r) => r.vehicleId === 'A')!;
    expect(a.straightLineM).toBeLessThan(250);
    expect(a.distanceM).toBeGreaterThan(5000);
    expect(a.distanceM).toBeLessThan(5400);
    const b = recs.find((r) => r.vehicleId === 'B')!;
    expect(b.distanceM).toBeGreaterThan(990);
    expect(b.distanceM).toBeLessThan(1010);
    // Residential speed in the ambulance profile: 25 km/h.
    expect(b.etaSec).toBeCloseTo(1000 / (25 / 3.6), -1);
  });

  it('draws the assigned unit’s route over the bridge', async () => {
    const route = (await eta.routeGeometry(UNITS.A!, SCENE))!;
    expect(route.source).toBe('road');
    const east = Math.max(...route.coordinates.map(([lng]) => lng));
    expect(east).toBeCloseTo(at(3000, 0).lng, 6);
    // Off the network the map still gets a straight line, labelled as such.
    expect((await eta.routeGeometry(UNITS.D!, SCENE))!.source).toBe('straight_line');
  });

  it('ranks hospitals (one-to-many) the same way', async () => {
    const results = await eta.oneToMany(SCENE, [UNITS.A!, UNITS.B!]);
    expect(results.map((r) => r.source)).toEqual(['road', 'road']);
    expect(results[0]!.etaSec).toBeGreaterThan(results[1]!.etaSec);
  });
});
