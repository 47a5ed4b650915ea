import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createOSMStream } from 'osm-pbf-parser-node';
import { beforeAll, describe, expect, it } from 'vitest';
import type { LatLng } from '@lifeline/protocol';
import { importRoadGraph, loadRoadGraph, saveRoadGraph } from '../src/adapters/routing/graphFile.ts';
import { NO_EDGE, OSM_ATTRIBUTION, type RoadGraph } from '../src/core/routing/graph.ts';
import { parseMaxspeedKmh } from '../src/core/routing/profile.ts';
import { RoadRouter } from '../src/core/routing/router.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const osmDir = path.resolve(repoRoot, 'fixtures/osm');
const MONACO = path.join(osmDir, 'monaco.osm.pbf');
const HANOI = path.join(osmDir, 'hanoi_o_cho_dua_osm_road_graph.geojson');

// ---------------------------------------------------------------------------------------------
// The test's own reading of the drivable rules, written from the documentation in
// core/routing/profile.ts, so the graph's counts are checked against the raw data.
type Tags = Record<string, string>;
const DRIVABLE = new Set(['motorway', 'motorway_link', 'trunk', 'trunk_link', 'primary', 'primary_link', 'secondary', 'secondary_link',
  'tertiary', 'tertiary_link', 'unclassified', 'residential', 'living_street', 'service']);
const DENY = new Set(['no', 'private', 'agricultural', 'forestry', 'agricultural;forestry', 'use_sidepath']);
function expectedDirections(t: Tags): number {
  if (!t.highway || !DRIVABLE.has(t.highway) || t.area === 'yes' || t.impassable === 'yes' || t.route === 'ferry') return 0;
  const access = ['emergency', 'motorcar', 'motor_vehicle', 'vehicle', 'access'].map((k) => t[k]).find((v) => v !== undefined);
  const emergencyAccess = t.highway === 'service' && t.service === 'emergency_access';
  if (emergencyAccess ? t.emergency !== undefined && DENY.has(t.emergency) : access !== undefined && DENY.has(access)) return 0;
  const ow = ['oneway:motorcar', 'oneway:car', 'oneway:motor_vehicle', 'oneway:vehicle', 'oneway'].map((k) => t[k]).find((v) => v !== undefined);
  if (ow === 'reversible' || ow === 'alternating') return 0;
  if (ow === 'yes' || ow === '1' || ow === 'true' || ow === '-1' || ow === 'reverse') return 1;
  if (ow === undefined && (t.junction === 'roundabout' || t.junction === 'circular' || t.highway === 'motorway')) return 1;
  return 2;
}

interface RawOsm {
  nodes: Map<number, LatLng>;
  ways: Map<number, { refs: number[]; tags: Tags }>;
  restrictions: Map<number, { tags: Tags; from: number; via: number; to: number }>;
}

async function readPbfRaw(file: string): Promise<RawOsm> {
  const raw: RawOsm = { nodes: new Map(), ways: new Map(), restrictions: new Map() };
  for await (const item of createOSMStream(file) as AsyncGenerator<Record<string, any>>) {
    if (item.type === 'node') raw.nodes.set(item.id, { lat: item.lat, lng: item.lon });
    else if (item.type === 'way') raw.ways.set(item.id, { refs: item.refs, tags: item.tags ?? {} });
    else if (item.type === 'relation' && item.tags?.type === 'restriction') {
      const ref = (role: string) => item.members.find((m: { role: string }) => m.role === role).ref as number;
      raw.restrictions.set(item.id, { tags: item.tags, from: ref('from'), via: ref('via'), to: ref('to') });
    }
  }
  return raw;
}

const lerp = (a: LatLng, b: LatLng, f: number): LatLng => ({ lat: a.lat + (b.lat - a.lat) * f, lng: a.lng + (b.lng - a.lng) * f });
const secs = (r: RoadRouter, a: LatLng, b: LatLng) => r.table([a], [b]).durationsSec[0]![0]!;

// ---------------------------------------------------------------------------------------------
describe('monaco.osm.pbf import', () => {
  let raw: RawOsm;
  let graph: RoadGraph;
  let router: RoadRouter;
  let unrestricted: RoadRouter;

  beforeAll(async () => {
    raw = await readPbfRaw(MONACO);
    graph = await importRoadGraph(MONACO, { builtAt: '2026-01-01T00:00:00Z' });
    router = new RoadRouter(graph);
    unrestricted = new RoadRouter(await importRoadGraph(MONACO, { restrictions: false, builtAt: '2026-01-01T00:00:00Z' }));
  });

  it('counts the drivable ways and directed node-to-node segments the raw data has', () => {
    // SOURCES.md: 1,763 ways carry a drivable highway class; access tags remove some of them.
    const classed = [...raw.ways.values()].filter((w) => DRIVABLE.has(w.tags.highway ?? '')).length;
    expect(classed).toBe(1763);
    let ways = 0;
    let directed = 0;
    for (const w of raw.ways.values()) {
      const dirs = expectedDirections(w.tags);
      // Two ways of the extract are clipped down to a single node: nothing to drive.
      if (dirs === 0 || w.refs.length < 2) continue;
      ways++;
      for (let i = 1; i < w.refs.length; i++) {
        if (w.refs[i] !== w.refs[i - 1] && raw.nodes.has(w.refs[i]!) && raw.nodes.has(w.refs[i - 1]!)) directed += dirs;
      }
    }
    const s = graph.meta.stats;
    expect(s.drivableWays).toBe(ways);
    expect(s.directedOsmSegments).toBe(directed);
    expect(s.missingNodeRefs).toBe(0);
    expect(graph.meta.attribution).toBe(OSM_ATTRIBUTION);
  });

  it('applies every via-node turn restriction in the extract', () => {
    expect(graph.meta.stats.restrictions).toMatchObject({ seen: raw.restrictions.size, applied: raw.restrictions.size, unmatched: 0 });
  });

  it('honours relation 4261963: no_left_turn from way 176527122 into way 166399477 at node 25177185', () => {
    const r = raw.restrictions.get(4261963)!;
    expect(r).toMatchObject({ from: 176527122, via: 25177185, to: 166399477, tags: { restriction: 'no_left_turn' } });
    const from = raw.ways.get(r.from)!;
    const to = raw.ways.get(r.to)!;
    const via = raw.nodes.get(r.via)!;
    // The from-way ends at the via node, the to-way starts there.
    const a = lerp(raw.nodes.get(from.refs[from.refs.length - 2]!)!, via, 0.5);
    const b = lerp(via, raw.nodes.get(to.refs[1]!)!, 0.5);
    const allowedTurn = secs(unrestricted, a, b);
    const restricted = secs(router, a, b);
    expect(allowedTurn).toBeLessThan(10);
    // Without the left turn the ambulance goes on and comes back: a detour of ~20 s here.
    expect(restricted).toBeGreaterThan(allowedTurn + 10);
  });

  it('honours relation 3410840: only_right_turn from way 92627415 into way 157719689 at node 267985520', () => {
    const r = raw.restrictions.get(3410840)!;
    expect(r.tags.restriction).toBe('only_right_turn');
    const from = raw.ways.get(r.from)!;
    const via = raw.nodes.get(r.via)!;
    const a = lerp(raw.nodes.get(from.refs[from.refs.length - 2]!)!, via, 0.5);
    // Every other way leaving the via node is an exit the restriction forbids.
    const exits: LatLng[] = [];
    for (const [id, w] of raw.ways) {
      if (id === r.from || id === r.to || expectedDirections(w.tags) === 0) continue;
      const i = w.refs.indexOf(r.via);
      if (i < 0) continue;
      for (const j of [i - 1, i + 1]) if (j >= 0 && j < w.refs.length) exits.push(lerp(via, raw.nodes.get(w.refs[j]!)!, 0.5));
    }
    expect(exits.length).toBeGreaterThan(0);
    let checked = 0;
    for (const b of exits) {
      const free = secs(unrestricted, a, b);
      if (!(free < 30)) continue; // that exit is not a direct turn anyway (e.g. one-way towards us)
      checked++;
      expect(secs(router, a, b)).toBeGreaterThan(free + 10);
    }
    expect(checked).toBeGreaterThan(0);
    // The one allowed turn stays direct.
    const to = raw.ways.get(r.to)!;
    const k = to.refs.indexOf(r.via);
    const b = lerp(via, raw.nodes.get(to.refs[k === 0 ? 1 : k - 1]!)!, 0.5);
    expect(secs(router, a, b)).toBeCloseTo(secs(unrestricted, a, b), 6);
  });

  it('honours one-way streets: against the flow is longer', () => {
    let checked = 0;
    for (const [id, w] of raw.ways) {
      if (checked >= 20) break;
      if (expectedDirections(w.tags) !== 1 || w.tags.oneway !== 'yes') continue;
      const p = raw.nodes.get(w.refs[0]!)!;
      const q = raw.nodes.get(w.refs[1]!)!;
      const a = lerp(p, q, 0.3);
      const b = lerp(p, q, 0.7);
      // Only where both points snap onto this way (not onto a road crossing it).
      const sa = router.snap(a);
      const sb = router.snap(b);
      if (!sa || !sb || sa.seg !== sb.seg || graph.segWayId[sa.seg] !== id) continue;
      const along = secs(router, a, b);
      expect(along).toBeLessThan(60);
      expect(secs(router, b, a)).toBeGreaterThan(along);
      checked++;
    }
    expect(checked).toBe(20);
  });

  it('round-trips through the graph file', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'lifeline-graph-'));
    try {
      const file = path.join(dir, 'monaco.llrg');
      const bytes = await saveRoadGraph(file, graph);
      expect((await readFile(file)).length).toBe(bytes);
      const loaded = await loadRoadGraph(file);
      expect(loaded.ok).toBe(true);
      if (!loaded.ok) return;
      expect(loaded.graph.meta).toEqual(graph.meta);
      const again = new RoadRouter(loaded.graph);
      const pts = [...raw.nodes.values()].filter((_, i) => i % 9001 === 0);
      expect(again.table(pts, pts)).toEqual(router.table(pts, pts));
      expect(await loadRoadGraph(path.join(dir, 'missing.llrg'))).toMatchObject({ ok: false, code: 'GraphFileMissing' });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

// ---------------------------------------------------------------------------------------------
interface HanoiEdge {
  src: number;
  tgt: number;
  geometry: { coordinates: [number, number][] };
  properties: { osmId: number; tags: Tags };
}

describe('Hà Nội (Đống Đa) routable GeoJSON import', () => {
  let edges: HanoiEdge[];
  let graph: RoadGraph;
  let router: RoadRouter;

  beforeAll(async () => {
    const doc = JSON.parse(await readFile(HANOI, 'utf8')) as { features: (HanoiEdge & { geometry: { type: string } })[] };
    edges = doc.features.filter((f) => f.geometry.type === 'LineString');
    graph = await importRoadGraph(HANOI, { builtAt: '2026-01-01T00:00:00Z' });
    router = new RoadRouter(graph);
  });

  it('keeps exactly the edges a car may drive, in the directions it may', () => {
    expect(edges.length).toBe(2322);
    const kept = edges.filter((e) => expectedDirections(e.properties.tags) > 0);
    const directed = kept.reduce((n, e) => n + expectedDirections(e.properties.tags), 0);
    // motorcar=no / motor_vehicle=no mark the alleys only motorbikes use.
    expect(edges.length - kept.length).toBeGreaterThan(250);
    expect(graph.meta.stats.drivableWays).toBe(kept.length);
    // Every edge runs vertex to vertex, so each kept edge is one graph segment.
    expect(graph.meta.stats.segments).toBe(kept.length);
    expect(graph.meta.stats.directedSegments).toBe(directed);
  });

  const midPoints = (e: HanoiEdge): [LatLng, LatLng] => {
    const c = e.geometry.coordinates;
    const p = { lng: c[0]![0], lat: c[0]![1] };
    const q = { lng: c[1]![0], lat: c[1]![1] };
    return [lerp(p, q, 0.25), lerp(p, q, 0.75)];
  };

  /** One-way edges of a given tagging whose sample points snap onto the edge itself. */
  const onewayCases = (match: (t: Tags) => boolean) =>
    edges.filter((e) => match(e.properties.tags) && expectedDirections(e.properties.tags) === 1).filter((e) => {
      const [a, b] = midPoints(e);
      const sa = router.snap(a);
      const sb = router.snap(b);
      return sa !== null && sb !== null && sa.seg === sb.seg && graph.segWayId[sa.seg] === e.properties.osmId && sa.offRoadM < 1 && sb.offRoadM < 1;
    });

  it('oneway:motorcycle=no does not open a one-way street to an ambulance', () => {
    const cases = onewayCases((t) => t.oneway === 'yes' && t['oneway:motorcycle'] === 'no');
    expect(cases.length).toBeGreaterThan(5);
    for (const e of cases) {
      const [a, b] = midPoints(e);
      const along = secs(router, a, b);
      const against = secs(router, b, a);
      expect(along).toBeLessThan(30);
      expect(against).toBeGreaterThan(along + 10);
      const s = router.snap(a)!.seg;
      expect(graph.segDirMs[2 * s + 1]).toBe(NO_EDGE);
    }
  });

  it('oneway:motorcar=yes makes a street one-way for an ambulance even with oneway=no', () => {
    const cases = onewayCases((t) => t.oneway === 'no' && t['oneway:motorcar'] === 'yes');
    expect(cases.length).toBeGreaterThan(5);
    for (const e of cases) {
      const [a, b] = midPoints(e);
      expect(secs(router, b, a)).toBeGreaterThan(secs(router, a, b) + 10);
    }
  });

  it('a two-way street is as fast both ways', () => {
    const e = edges.find((x) => x.properties.tags.highway === 'secondary' && expectedDirections(x.properties.tags) === 2 && !x.properties.tags.maxspeed)!;
    const [a, b] = midPoints(e);
    expect(secs(router, a, b)).toBeCloseTo(secs(router, b, a), 2);
  });
});

describe('maxspeed parsing', () => {
  it.each([
    ['50', 50],
    ['30 mph', 30 * 1.609344],
    ['50;30', 50],
    ['VN:urban', 50],
    ['FR:rural', 80],
    ['walk', 7],
    ['none', null],
    ['signals', null],
    [undefined, null],
  ])('%s → %s km/h', (value, kmh) => {
    expect(parseMaxspeedKmh(value)).toBe(kmh);
  });
});

