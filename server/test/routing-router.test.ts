import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import type { LatLng } from '@lifeline/protocol';
import { haversineM } from '../src/core/geo.ts';
import { importRoadGraph } from '../src/adapters/routing/graphFile.ts';
import { NO_EDGE, type RoadGraph } from '../src/core/routing/graph.ts';
import { RoadRouter } from '../src/core/routing/router.ts';
import type { Snap } from '../src/core/routing/snap.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const osmDir = path.resolve(repoRoot, 'fixtures/osm');

/** Deterministic PRNG (mulberry32), so a failure can be replayed. */
function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * The baseline: a textbook Dijkstra over the base graph (no hierarchy), from the snapped source
 * to the snapped target. A point on segment s at share t enters the graph at the end of each
 * drivable direction with the rest of the segment to drive, and a target is reached from the
 * start of its segment's directions plus the part up to it; a shared segment may be driven
 * directly. Integer milliseconds throughout, as the graph stores them.
 */
function plainDijkstraMs(g: RoadGraph, src: Snap, tgt: Snap): number {
  const n = g.nodeLatE7.length;
  const dist = new Float64Array(n).fill(Infinity);
  const heap: [number, number][] = [];
  const push = (d: number, v: number) => {
    heap.push([d, v]);
    for (let i = heap.length - 1; i > 0; ) {
      const p = (i - 1) >> 1;
      if (heap[p]![0] <= heap[i]![0]) break;
      [heap[p], heap[i]] = [heap[i]!, heap[p]!];
      i = p;
    }
  };
  const pop = (): [number, number] => {
    const top = heap[0]!;
    const last = heap.pop()!;
    if (heap.length > 0) {
      heap[0] = last;
      for (let i = 0; ; ) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < heap.length && heap[l]![0] < heap[m]![0]) m = l;
        if (r < heap.length && heap[r]![0] < heap[m]![0]) m = r;
        if (m === i) break;
        [heap[m], heap[i]] = [heap[i]!, heap[m]!];
        i = m;
      }
    }
    return top;
  };
  let best = Infinity;
  for (const k of [0, 1]) {
    const d = 2 * src.seg + k;
    const w = g.segDirMs[d]!;
    if (w === NO_EDGE || g.segDirHead[d]! < 0) continue;
    const rest = k === 0 ? 1 - src.t : src.t;
    const v = g.segDirHead[d]!;
    const ms = Math.round(rest * w);
    if (ms < dist[v]!) {
      dist[v] = ms;
      push(ms, v);
    }
  }
  if (src.seg === tgt.seg) {
    const s = src.seg;
    if (g.segDirMs[2 * s] !== NO_EDGE && tgt.t >= src.t) best = Math.min(best, Math.round((tgt.t - src.t) * g.segDirMs[2 * s]!));
    if (g.segDirMs[2 * s + 1] !== NO_EDGE && tgt.t <= src.t) best = Math.min(best, Math.round((src.t - tgt.t) * g.segDirMs[2 * s + 1]!));
  }
  while (heap.length > 0) {
    const [d, v] = pop();
    if (d > dist[v]!) continue;
    for (let e = g.edgeOffset[v]!; e < g.edgeOffset[v + 1]!; e++) {
      const x = g.edgeHead[e]!;
      const nd = d + g.segDirMs[g.edgeSegDir[e]!]!;
      if (nd < dist[x]!) {
        dist[x] = nd;
        push(nd, x);
      }
    }
  }
  for (const k of [0, 1]) {
    const d = 2 * tgt.seg + k;
    const w = g.segDirMs[d]!;
    if (w === NO_EDGE) continue;
    const part = Math.round((k === 0 ? tgt.t : 1 - tgt.t) * w);
    for (let i = g.segDirTailOffset[d]!; i < g.segDirTailOffset[d + 1]!; i++) best = Math.min(best, dist[g.segDirTails[i]!]! + part);
  }
  return best;
}

/** Random points near the road network: a geometry point of the graph moved up to ~40 m. */
function randomPoints(g: RoadGraph, count: number, next: () => number): LatLng[] {
  return Array.from({ length: count }, () => {
    const i = Math.floor(next() * g.geomLatE7.length);
    return { lat: g.geomLatE7[i]! * 1e-7 + (next() - 0.5) * 0.0007, lng: g.geomLngE7[i]! * 1e-7 + (next() - 0.5) * 0.0007 };
  });
}

const polylineM = (c: [number, number][]) => c.slice(1).reduce((m, p, i) => m + haversineM({ lng: c[i]![0], lat: c[i]![1] }, { lng: p[0], lat: p[1] }), 0);

describe.each([
  ['monaco.osm.pbf', 0x5eed],
  ['hanoi_o_cho_dua_osm_road_graph.geojson', 0xbeef],
])('router on %s', (file, seed) => {
  let graph: RoadGraph;
  let router: RoadRouter;

  beforeAll(async () => {
    graph = await importRoadGraph(path.join(osmDir, file), { builtAt: '2026-01-01T00:00:00Z' });
    router = new RoadRouter(graph);
  });

  it('matches a plain Dijkstra on 300 random pairs, time for time', () => {
    const next = rng(seed);
    const sources = randomPoints(graph, 30, next);
    const targets = randomPoints(graph, 10, next);
    const table = router.table(sources, targets);
    let finite = 0;
    let pairs = 0;
    sources.forEach((s, i) => {
      targets.forEach((t, j) => {
        const ss = router.snap(s);
        const ts = router.snap(t);
        const expected = ss && ts ? plainDijkstraMs(graph, ss, ts) : Infinity;
        const got = table.durationsSec[i]![j]!;
        if (Number.isFinite(expected)) {
          finite++;
          expect(got).toBeCloseTo(expected / 1000, 9);
        } else {
          expect(got).toBe(Infinity);
        }
        pairs++;
      });
    });
    expect(pairs).toBe(300);
    // Large strongly connected parts only are snapped to, so nearly every pair has a route.
    expect(finite).toBeGreaterThan(270);
  });

  it('matches Dijkstra when both points lie on one segment, both ways', () => {
    const next = rng(seed + 1);
    let checked = 0;
    for (let k = 0; k < 200 && checked < 40; k++) {
      const [p] = randomPoints(graph, 1, next);
      const sp = router.snap(p!);
      if (!sp) continue;
      const s = sp.seg;
      const start = graph.segGeomOffset[s]!;
      const end = graph.segGeomOffset[s + 1]! - 1;
      const a = { lat: graph.geomLatE7[start]! * 1e-7, lng: graph.geomLngE7[start]! * 1e-7 };
      const b = { lat: graph.geomLatE7[end]! * 1e-7, lng: graph.geomLngE7[end]! * 1e-7 };
      const q = { lat: a.lat + (b.lat - a.lat) * next(), lng: a.lng + (b.lng - a.lng) * next() };
      const sq = router.snap(q);
      if (!sq || sq.seg !== s) continue;
      for (const [x, y, sx, sy] of [[p!, q, sp, sq], [q, p!, sq, sp]] as const) {
        expect(router.table([x], [y]).durationsSec[0]![0]).toBeCloseTo(plainDijkstraMs(graph, sx, sy) / 1000, 9);
      }
      checked++;
    }
    expect(checked).toBeGreaterThan(20);
  });

  it('draws routes whose length is the reported distance, from the snapped start to the snapped end', () => {
    const next = rng(seed + 2);
    const pts = randomPoints(graph, 60, next);
    let drawn = 0;
    for (let i = 0; i + 1 < pts.length; i += 2) {
      const from = pts[i]!;
      const to = pts[i + 1]!;
      const route = router.route(from, to);
      const eta = router.table([from], [to]).durationsSec[0]![0]!;
      if (!route) {
        expect(eta).toBe(Infinity);
        continue;
      }
      drawn++;
      expect(route.etaSec).toBeCloseTo(eta, 9);
      expect(Math.abs(polylineM(route.coordinates) - route.distanceM)).toBeLessThan(0.01 * route.distanceM + 2);
      const first = route.coordinates[0]!;
      const last = route.coordinates[route.coordinates.length - 1]!;
      const sf = router.snap(from)!;
      const st = router.snap(to)!;
      expect(haversineM({ lng: first[0], lat: first[1] }, sf)).toBeLessThan(0.5);
      expect(haversineM({ lng: last[0], lat: last[1] }, st)).toBeLessThan(0.5);
    }
    expect(drawn).toBeGreaterThan(25);
  });

  it('answers Infinity for points far from any road', () => {
    const [minLng, minLat] = graph.meta.bbox;
    const far = { lat: minLat - 0.2, lng: minLng - 0.2 };
    const near = randomPoints(graph, 1, rng(1))[0]!;
    expect(router.snap(far)).toBeNull();
    expect(router.table([far, near], [near]).durationsSec.map((r) => r[0])).toEqual([Infinity, 0]);
    expect(router.route(far, near)).toBeNull();
  });
});
