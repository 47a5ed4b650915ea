/**
 * Road routing benchmark (issue #7): the table query dispatch runs for every call — 1 incident ×
 * 50 candidate units — on the Monaco extract, built-in router (contraction hierarchy) against
 * plain Dijkstra on the same graph, plus import time and memory.
 *
 *   pnpm --filter @lifeline/bench exec tsx routing.ts [extract.osm.pbf] [--queries=N]
 *
 * Prints a table and writes results/routing.json. Map data © OpenStreetMap contributors (ODbL).
 */
import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LatLng } from '@lifeline/protocol';
import { importRoadGraph, loadRoadGraph, saveRoadGraph } from '../server/src/adapters/routing/graphFile.ts';
import { RoadGraphBuilder } from '../server/src/core/routing/build.ts';
import { NO_EDGE, type RoadGraph } from '../server/src/core/routing/graph.ts';
import { MinHeap } from '../server/src/core/routing/heap.ts';
import { RoadRouter } from '../server/src/core/routing/router.ts';
import type { Snap } from '../server/src/core/routing/snap.ts';
import { rng } from './lib/stats.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const extract = args.find((a) => !a.startsWith('--')) ?? path.resolve(here, '../fixtures/osm/monaco.osm.pbf');
/** --grid=N: a synthetic N×N street grid instead of the extract, to see how the methods scale. */
const GRID = Number(args.find((a) => a.startsWith('--grid='))?.split('=')[1] ?? 0);
const QUERIES = Number(args.find((a) => a.startsWith('--queries='))?.split('=')[1] ?? 300);
const WARMUP = 50;
const CANDIDATES = 50;
const CANDIDATE_RADIUS_M = Number(args.find((a) => a.startsWith('--radius='))?.split('=')[1] ?? 3000);

const mib = (b: number) => b / 2 ** 20;

// ---- import -----------------------------------------------------------------------------------
const rssBefore = process.memoryUsage().rss;
let t0 = performance.now();
const graph = GRID > 0 ? gridCity(GRID) : await importRoadGraph(extract, { builtAt: new Date().toISOString() });
const importMs = performance.now() - t0;
const memAfterImport = process.memoryUsage();
const dir = await mkdtemp(path.join(tmpdir(), 'lifeline-bench-'));
const file = path.join(dir, 'graph.llrg');
await saveRoadGraph(file, graph);
const fileBytes = (await stat(file)).size;
t0 = performance.now();
const loaded = await loadRoadGraph(file);
if (!loaded.ok) throw new Error(loaded.message);
const router = new RoadRouter(loaded.graph);
const loadMs = performance.now() - t0;
await rm(dir, { recursive: true, force: true });

// ---- workload -----------------------------------------------------------------------------------
const random = rng(0x1022);
const g = loaded.graph;
const roadPoint = (): LatLng => {
  const i = Math.floor(random() * g.geomLatE7.length);
  return { lat: g.geomLatE7[i]! * 1e-7 + (random() - 0.5) * 4e-4, lng: g.geomLngE7[i]! * 1e-7 + (random() - 0.5) * 4e-4 };
};
const near = (c: LatLng, m: number): LatLng => {
  for (;;) {
    const p = roadPoint();
    const dy = (p.lat - c.lat) * 111_195;
    const dx = (p.lng - c.lng) * 111_195 * Math.cos((c.lat * Math.PI) / 180);
    if (dx * dx + dy * dy <= m * m && router.snap(p)) return p;
  }
};
const workload = Array.from({ length: WARMUP + QUERIES }, () => {
  let incident = roadPoint();
  while (!router.snap(incident)) incident = roadPoint();
  return { incident, units: Array.from({ length: CANDIDATES }, () => near(incident, CANDIDATE_RADIUS_M)) };
});

// ---- baselines on the base graph (no hierarchy) -------------------------------------------------
/** Reverse adjacency, for a single search from the incident backwards. */
const n = g.nodeLatE7.length;
const revOffset = new Uint32Array(n + 1);
for (let v = 0; v < n; v++) for (let e = g.edgeOffset[v]!; e < g.edgeOffset[v + 1]!; e++) revOffset[g.edgeHead[e]! + 1]!++;
for (let v = 0; v < n; v++) revOffset[v + 1]! += revOffset[v]!;
const revTail = new Int32Array(g.edgeHead.length);
const revMs = new Uint32Array(g.edgeHead.length);
{
  const fill = revOffset.slice(0, n);
  for (let v = 0; v < n; v++) {
    for (let e = g.edgeOffset[v]!; e < g.edgeOffset[v + 1]!; e++) {
      const k = fill[g.edgeHead[e]!]!++;
      revTail[k] = v;
      revMs[k] = g.segDirMs[g.edgeSegDir[e]!]!;
    }
  }
}

const dist = new Float64Array(n);
const heap = new MinHeap();

function sourceLabels(s: Snap): [number, number][] {
  const out: [number, number][] = [];
  for (const k of [0, 1]) {
    const d = 2 * s.seg + k;
    if (g.segDirMs[d] === NO_EDGE || g.segDirHead[d]! < 0) continue;
    out.push([g.segDirHead[d]!, Math.round((k === 0 ? 1 - s.t : s.t) * g.segDirMs[d]!)]);
  }
  return out;
}
function targetLabels(s: Snap): [number, number][] {
  const out: [number, number][] = [];
  for (const k of [0, 1]) {
    const d = 2 * s.seg + k;
    if (g.segDirMs[d] === NO_EDGE) continue;
    const part = Math.round((k === 0 ? s.t : 1 - s.t) * g.segDirMs[d]!);
    for (let i = g.segDirTailOffset[d]!; i < g.segDirTailOffset[d + 1]!; i++) out.push([g.segDirTails[i]!, part]);
  }
  return out;
}

/** Plain Dijkstra, one search per unit, stopping when the scene is settled. */
function plainDijkstraPerUnit(units: LatLng[], incident: LatLng): number[] {
  const ts = router.snap(incident)!;
  const tgt = targetLabels(ts);
  return units.map((u) => {
    const ss = router.snap(u);
    if (!ss) return Infinity;
    dist.fill(Infinity);
    heap.clear();
    for (const [v, ms] of sourceLabels(ss)) if (ms < dist[v]!) { dist[v] = ms; heap.push(ms, v); }
    let best = Infinity;
    if (ss.seg === ts.seg) best = sameSegmentMs(ss, ts);
    const targetPart = new Map<number, number>();
    for (const [v, part] of tgt) targetPart.set(v, Math.min(part, targetPart.get(v) ?? Infinity));
    while (heap.size > 0) {
      const d = heap.peekKey();
      const v = heap.pop();
      if (d > dist[v]!) continue;
      if (d >= best) break;
      const part = targetPart.get(v);
      if (part !== undefined && d + part < best) best = d + part;
      for (let e = g.edgeOffset[v]!; e < g.edgeOffset[v + 1]!; e++) {
        const x = g.edgeHead[e]!;
        const nd = d + g.segDirMs[g.edgeSegDir[e]!]!;
        if (nd < dist[x]!) { dist[x] = nd; heap.push(nd, x); }
      }
    }
    return best / 1000;
  });
}

/** One backward Dijkstra from the scene over the whole base graph, bounded by the farthest unit. */
function boundedMultiTarget(units: LatLng[], incident: LatLng): number[] {
  const ts = router.snap(incident)!;
  const snaps = units.map((u) => router.snap(u));
  dist.fill(Infinity);
  heap.clear();
  for (const [v, ms] of targetLabels(ts)) if (ms < dist[v]!) { dist[v] = ms; heap.push(ms, v); }
  // A unit is done when the search has passed the best label through its segment's heads.
  const heads = snaps.map((s) => (s ? sourceLabels(s) : []));
  const result = snaps.map((s) => (s && s.seg === ts.seg ? sameSegmentMs(s, ts) : Infinity));
  let left = units.length;
  const isHead = new Map<number, number[]>();
  heads.forEach((hs, i) => hs.forEach(([v]) => { const l = isHead.get(v); if (l) l.push(i); else isHead.set(v, [i]); }));
  const seen = new Uint8Array(units.length);
  while (heap.size > 0 && left > 0) {
    const d = heap.peekKey();
    const v = heap.pop();
    if (d > dist[v]!) continue;
    for (const i of isHead.get(v) ?? []) {
      for (const [h, ms] of heads[i]!) if (h === v && ms + d < result[i]!) result[i] = ms + d;
      // Settled in time order: once every head of unit i is settled, its answer is final.
      if (!seen[i] && heads[i]!.every(([h]) => dist[h]! <= d)) { seen[i] = 1; left--; }
    }
    for (let e = revOffset[v]!; e < revOffset[v + 1]!; e++) {
      const x = revTail[e]!;
      const nd = d + revMs[e]!;
      if (nd < dist[x]!) { dist[x] = nd; heap.push(nd, x); }
    }
  }
  return result.map((ms) => ms / 1000);
}

function sameSegmentMs(s: Snap, t: Snap): number {
  let best = Infinity;
  const seg = s.seg;
  if (g.segDirMs[2 * seg] !== NO_EDGE && t.t >= s.t) best = Math.round((t.t - s.t) * g.segDirMs[2 * seg]!);
  if (g.segDirMs[2 * seg + 1] !== NO_EDGE && t.t <= s.t) best = Math.min(best, Math.round((s.t - t.t) * g.segDirMs[2 * seg + 1]!));
  return best;
}

// ---- measure ------------------------------------------------------------------------------------
type Method = { name: string; run: (units: LatLng[], incident: LatLng) => number[] };
const methods: Method[] = [
  { name: 'built-in (CH table)', run: (units, incident) => router.table(units, [incident]).durationsSec.map((r) => r[0]!) },
  { name: 'bounded multi-target Dijkstra', run: boundedMultiTarget },
  { name: 'plain Dijkstra per unit', run: plainDijkstraPerUnit },
  // Part of every method above: how much of the built-in time is snapping the 51 points.
  { name: 'snapping only (51 points)', run: (units, incident) => [incident, ...units].map((p) => (router.snap(p) ? 0 : 0)) },
];
const reference = workload.map((q) => methods[0]!.run(q.units, q.incident));
const timings = new Map<string, number[]>();
let mismatches = 0;
for (const m of methods) {
  const times: number[] = [];
  workload.forEach((q, i) => {
    const start = performance.now();
    const got = m.run(q.units, q.incident);
    const ms = performance.now() - start;
    if (i >= WARMUP) times.push(ms);
    if (m.name.startsWith('snapping')) return;
    got.forEach((v, k) => { if (Math.abs(v - reference[i]![k]!) > 1e-6 && !(v === Infinity && reference[i]![k] === Infinity)) mismatches++; });
  });
  timings.set(m.name, times.sort((a, b) => a - b));
}
const pct = (xs: number[], p: number) => xs[Math.min(xs.length - 1, Math.floor(p * xs.length))]!;
const chP50 = pct(timings.get(methods[0]!.name)!, 0.5);
const chP99 = pct(timings.get(methods[0]!.name)!, 0.99);
const rows = methods.map((m) => {
  const xs = timings.get(m.name)!;
  return { method: m.name, p50Ms: pct(xs, 0.5), p99Ms: pct(xs, 0.99), meanMs: xs.reduce((a, b) => a + b, 0) / xs.length, p50VsBuiltIn: pct(xs, 0.5) / chP50, p99VsBuiltIn: pct(xs, 0.99) / chP99 };
});

const s = g.meta.stats;
const results = {
  extract: GRID > 0 ? `synthetic ${GRID}×${GRID} grid` : path.basename(extract),
  attribution: g.meta.attribution,
  machine: { cpus: cpus().length, model: cpus()[0]?.model, node: process.version, loadAvg1m: loadavg()[0], note: 'wall-clock times; other jobs may share the CPUs' },
  graph: { drivableWays: s.drivableWays, segments: s.segments, routingNodes: s.nodes, baseEdges: s.baseEdges, shortcuts: s.shortcuts, restrictionsApplied: s.restrictions.applied },
  import: {
    ms: Math.round(importMs),
    rssMiBAfter: Math.round(mib(memAfterImport.rss)),
    rssMiBGrowth: Math.round(mib(memAfterImport.rss - rssBefore)),
    heapUsedMiB: Math.round(mib(memAfterImport.heapUsed)),
    graphFileKiB: Math.round(fileBytes / 1024),
    loadMs: Math.round(loadMs * 10) / 10,
  },
  query: { incidents: QUERIES, candidatesPerIncident: CANDIDATES, candidateRadiusM: CANDIDATE_RADIUS_M, resultMismatches: mismatches, methods: rows },
};

console.log(`\nRoad routing — ${results.extract}: ${s.segments} segments, ${s.nodes} routing nodes, ${s.shortcuts} shortcuts (${g.meta.attribution})`);
console.log(`import ${results.import.ms} ms, RSS after import ${results.import.rssMiBAfter} MiB (+${results.import.rssMiBGrowth}), graph file ${results.import.graphFileKiB} KiB, load ${results.import.loadMs} ms`);
console.log(`table query: 1 incident × ${CANDIDATES} units within ${CANDIDATE_RADIUS_M} m, ${QUERIES} incidents (after ${WARMUP} warm-up), snapping included; mismatches vs built-in: ${mismatches}`);
console.table(rows.map((r) => ({ method: r.method, 'p50 ms': r.p50Ms.toFixed(3), 'p99 ms': r.p99Ms.toFixed(3), 'mean ms': r.meanMs.toFixed(3), 'p50 ×built-in': r.p50VsBuiltIn.toFixed(1), 'p99 ×built-in': r.p99VsBuiltIn.toFixed(1) })));

const outDir = path.join(here, 'results');
const variant = (GRID > 0 ? `-grid${GRID}` : '') + (CANDIDATE_RADIUS_M !== 3000 ? `-r${CANDIDATE_RADIUS_M}` : '');
const outFile = path.join(outDir, `routing${variant}.json`);
await mkdir(outDir, { recursive: true });
await writeFile(outFile, JSON.stringify(results, null, 2) + '\n');
console.log(`wrote ${path.relative(process.cwd(), outFile)}`);

/**
 * A city of N×N blocks ~100 m apart: residential streets, a secondary avenue every 10th street,
 * every 7th street one-way. Grids are a hard case for contraction hierarchies (no natural
 * hierarchy), so this is a pessimistic stand-in for a province graph.
 */
function gridCity(size: number): RoadGraph {
  const b = new RoadGraphBuilder();
  const id = (i: number, j: number) => i * size + j + 1;
  let way = 1;
  const tags = (k: number) => ({ highway: k % 10 === 0 ? 'secondary' : 'residential', ...(k % 7 === 3 ? { oneway: 'yes' } : {}) });
  for (let i = 0; i < size; i++) b.addWay(way++, Array.from({ length: size }, (_, j) => id(i, j)), tags(i));
  for (let j = 0; j < size; j++) b.addWay(way++, Array.from({ length: size }, (_, i) => id(i, j)), tags(j + 5));
  b.sealWays();
  for (let i = 0; i < size; i++) for (let j = 0; j < size; j++) b.setNode(id(i, j), 10.9 + i * 9e-4 + Math.sin(j) * 1e-4, 106.6 + j * 9e-4 + Math.cos(i) * 1e-4);
  return b.build({ source: `grid ${size}`, builtAt: new Date().toISOString() });
}
