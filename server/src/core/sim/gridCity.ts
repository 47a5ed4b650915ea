import type { LatLng } from '@lifeline/protocol';
import { RoadGraphBuilder } from '../routing/build.ts';
import type { RoadGraph } from '../routing/graph.ts';
import { FallbackEtaProvider, RoadEtaProvider, StraightLineRouting, type RoutingEtaProvider } from '../routing/providers.ts';
import { RoadRouter } from '../routing/router.ts';
import type { DemandPoint } from './coverage.ts';
import type { Scenario, ServiceModel, SimStation, SimUnit } from './model.ts';

/**
 * A generated test city (near Thủ Dầu Một): a square grid of streets, arterials every fifth
 * street, demand concentrated in the centre, twelve stations (four central, eight around) with
 * twenty units, two hospitals. Travel times come from the production ETA chain — the built-in
 * road router on this grid, then the straight-line model — so a simulation on it exercises
 * exactly what live dispatch uses.
 */

export interface GridCity {
  graph: RoadGraph;
  eta: RoutingEtaProvider;
  stations: SimStation[];
  units: SimUnit[];
  hospitals: LatLng[];
  /** Demand points (1 km cells), weight ∝ expected calls. */
  demand: DemandPoint[];
  /** Zone (= nearest station) of each demand point. */
  zoneOfPoint: number[];
  /** Metres east/north of the south-west corner → LatLng. */
  at(xM: number, yM: number): LatLng;
}

const ORIGIN = { lat: 10.93, lng: 106.6 };
const M_PER_DEG = 111_195;
const SIDE_M = 10_000;
const BLOCK_M = 500;

export function gridCity(): GridCity {
  const at = (xM: number, yM: number): LatLng => ({
    lat: ORIGIN.lat + yM / M_PER_DEG,
    lng: ORIGIN.lng + xM / (M_PER_DEG * Math.cos((ORIGIN.lat * Math.PI) / 180)),
  });
  const graph = buildGrid(at);
  const eta = new FallbackEtaProvider([
    { source: 'road', provider: new RoadEtaProvider(new RoadRouter(graph)) },
    { source: 'straight_line', provider: new StraightLineRouting() },
  ]);
  // km coordinates and unit counts: four central stations with two units each, four edge
  // stations with two, four corner stations with one (20 units).
  const layout: [number, number, number][] = [
    [3.5, 3.5, 2], [6.5, 3.5, 2], [3.5, 6.5, 2], [6.5, 6.5, 2],
    [5, 0.5, 2], [9.5, 5, 2], [5, 9.5, 2], [0.5, 5, 2],
    [1, 1, 1], [9, 1, 1], [9, 9, 1], [1, 9, 1],
  ];
  const stations: SimStation[] = layout.map(([x, y], i) => ({ id: `ST${String(i + 1).padStart(2, '0')}`, ...at(x * 1000, y * 1000), zone: i }));
  const units: SimUnit[] = layout.flatMap(([, , n], s) => Array.from({ length: n }, (_, k) => ({ id: `${stations[s]!.id}-${k + 1}`, home: s })));
  const demand: DemandPoint[] = [];
  const zoneOfPoint: number[] = [];
  for (let y = 500; y < SIDE_M; y += 1000) {
    for (let x = 500; x < SIDE_M; x += 1000) {
      const r = Math.hypot(x - SIDE_M / 2, y - SIDE_M / 2) / 1000;
      demand.push({ ...at(x, y), weight: 0.2 + 3 * Math.exp(-((r / 2.5) ** 2)) });
      let best = 0;
      layout.forEach(([sx, sy], s) => {
        if (Math.hypot(sx * 1000 - x, sy * 1000 - y) < Math.hypot(layout[best]![0] * 1000 - x, layout[best]![1] * 1000 - y)) best = s;
      });
      zoneOfPoint.push(best);
    }
  }
  const hospitals = [at(5200, 5200), at(8000, 7500)];
  return { graph, eta, stations, units, hospitals, demand, zoneOfPoint, at };
}

/**
 * Default service model: minutes of Vietnamese urban EMS, rounded. Turnout is fixed (the
 * coverage-aware rule decides on the expected turnout; a fixed one keeps "in time" honest).
 */
export const DEFAULT_SERVICE: ServiceModel = {
  turnoutSec: { kind: 'fixed', sec: 90 },
  onSceneSec: { kind: 'lognormal', meanSec: 1200, sdSec: 480 },
  transportProb: 0.7,
  transportSec: { kind: 'lognormal', meanSec: 600, sdSec: 240 },
  handoverSec: { kind: 'lognormal', meanSec: 900, sdSec: 300 },
};

/** The service model and targets the city tests use. */
export const GRID_CITY_SERVICE: Pick<Scenario, 'service' | 'targetSec'> = {
  service: DEFAULT_SERVICE,
  targetSec: { 1: 480, 2: 720, 3: 1200, 4: 1800 },
};

function buildGrid(at: (x: number, y: number) => LatLng): RoadGraph {
  const n = SIDE_M / BLOCK_M + 1;
  const node = (i: number, j: number) => 1 + j * n + i;
  const b = new RoadGraphBuilder();
  for (let k = 0; k < n; k++) {
    const tags = { highway: k % 5 === 0 ? 'primary' : 'residential' };
    b.addWay(10_000 + k, Array.from({ length: n }, (_, i) => node(i, k)), tags); // east–west
    b.addWay(20_000 + k, Array.from({ length: n }, (_, j) => node(k, j)), tags); // north–south
  }
  b.sealWays();
  for (let j = 0; j < n; j++) for (let i = 0; i < n; i++) {
    const p = at(i * BLOCK_M, j * BLOCK_M);
    b.setNode(node(i, j), p.lat, p.lng);
  }
  return b.build({ source: 'grid-city', builtAt: '2026-01-01T00:00:00Z' });
}
