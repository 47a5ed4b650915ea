import type { RoadGraphBuilder } from './build.ts';

/**
 * Reads the "routable GeoJSON graph" form (as in fixtures/osm/hanoi_…_road_graph.geojson):
 * a FeatureCollection whose `Point` features are vertices (`id`, `properties.osmId`,
 * `properties.tags`) and whose `LineString` features are edges between them (`src`, `tgt`,
 * `properties.osmId` = the OSM way, `properties.tags` = the way's tags), geometry in the way's
 * direction. Each edge becomes one way for the builder; interior points get private node ids.
 */

interface GeoJsonGraphFeature {
  type?: string;
  id?: number | string;
  src?: number;
  tgt?: number;
  geometry?: { type?: string; coordinates?: unknown };
  properties?: { osmId?: number; tags?: Record<string, string> } | null;
}

export interface GeoJsonGraphCounts {
  vertices: number;
  edges: number;
  keptEdges: number;
}

export type GeoJsonGraphResult = { ok: true; counts: GeoJsonGraphCounts } | { ok: false; code: 'InvalidGeoJsonGraph'; message: string };

export function addGeoJsonGraph(builder: RoadGraphBuilder, doc: unknown): GeoJsonGraphResult {
  const features = (doc as { features?: unknown }).features;
  if (!Array.isArray(features)) return invalid('not a FeatureCollection');
  const vertices = new Map<number, { lat: number; lng: number; tags: Record<string, string> }>();
  const edges: GeoJsonGraphFeature[] = [];
  for (const f of features as GeoJsonGraphFeature[]) {
    const type = f.geometry?.type;
    if (type === 'Point') {
      const c = f.geometry!.coordinates as number[];
      const id = Number(f.id);
      if (!Number.isInteger(id) || !isPosition(c)) return invalid(`vertex ${String(f.id)} without integer id or [lng, lat]`);
      vertices.set(id, { lng: c[0]!, lat: c[1]!, tags: f.properties?.tags ?? {} });
    } else if (type === 'LineString') {
      edges.push(f);
    }
  }
  let nextPrivateId = -1;
  let kept = 0;
  const interior: { id: number; lat: number; lng: number }[] = [];
  for (const e of edges) {
    const coords = e.geometry!.coordinates as number[][];
    if (!Array.isArray(coords) || coords.length < 2 || !coords.every(isPosition)) return invalid(`edge ${String(e.id)} has no valid coordinates`);
    if (!vertices.has(e.src!) || !vertices.has(e.tgt!)) return invalid(`edge ${String(e.id)} joins unknown vertices ${e.src}→${e.tgt}`);
    const refs = [e.src!];
    const mine: typeof interior = [];
    for (let i = 1; i < coords.length - 1; i++) {
      const id = nextPrivateId--;
      refs.push(id);
      mine.push({ id, lng: coords[i]![0]!, lat: coords[i]![1]! });
    }
    refs.push(e.tgt!);
    const wayId = Number(e.properties?.osmId ?? e.id);
    if (builder.addWay(wayId, refs, e.properties?.tags ?? {})) {
      kept++;
      interior.push(...mine);
    }
  }
  builder.sealWays();
  for (const [id, v] of vertices) builder.setNode(id, v.lat, v.lng, v.tags);
  for (const p of interior) builder.setNode(p.id, p.lat, p.lng);
  return { ok: true, counts: { vertices: vertices.size, edges: edges.length, keptEdges: kept } };
}

function isPosition(c: unknown): c is number[] {
  return Array.isArray(c) && c.length >= 2 && Number.isFinite(c[0]) && Number.isFinite(c[1]) && Math.abs(c[1] as number) <= 90;
}

function invalid(message: string): GeoJsonGraphResult {
  return { ok: false, code: 'InvalidGeoJsonGraph', message };
}
