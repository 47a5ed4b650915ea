import { growBoxE7, ROAD_CLASSES, segmentCount, type RoadClass, type RoadGraph } from '../routing/graph.ts';
import { E7, haversineDegM } from '../routing/spherical.ts';
import { PlaceIndex, type Place } from './placeIndex.ts';

/**
 * The named streets of a road graph as places to search, built once at start.
 *
 * A street is one name in one place: the graph's segments carrying a name are grouped by name,
 * and within a name by nearness — segments whose ends lie within {@link STREET_MERGE_M} of each
 * other's (dual carriageways, a roundabout in between) are one street; the same name elsewhere
 * ("Ngõ 12" in two wards, "Đường 30/4" in two towns) is another street with its own point.
 * Each street gets its bounding box, its most important road class, and a point on the road:
 * on its longest connected run (segments joined end to end), the point of that run nearest to
 * the run's length-weighted centre — the middle of a straight street, still on the road for a
 * curved one.
 */

/** Pieces of one name whose ends are at most this far apart are one street, metres. */
export const STREET_MERGE_M = 300;

/** Road class → importance 0 (motorway, trunk) … 5 (service, other), for ranking. */
const IMPORTANCE: Record<RoadClass, number> = {
  motorway: 0, motorway_link: 0, trunk: 0, trunk_link: 0,
  primary: 1, primary_link: 1,
  secondary: 2, secondary_link: 2,
  tertiary: 3, tertiary_link: 3,
  unclassified: 4, residential: 4, living_street: 4,
  service: 5, other: 5,
};
const IMPORTANCE_BY_CODE = Uint8Array.from(ROAD_CLASSES, (c) => IMPORTANCE[c]);

export function streetPlaces(g: RoadGraph): Place[] {
  const n = segmentCount(g);
  const nameCount = g.nameOffset.length - 1;
  // Segments by name id (counting sort).
  const start = new Uint32Array(nameCount + 1);
  for (let s = 0; s < n; s++) if (g.segName[s]! > 0) start[g.segName[s]! + 1]!++;
  for (let i = 1; i <= nameCount; i++) start[i]! += start[i - 1]!;
  const bySeg = new Uint32Array(start[nameCount]!);
  const fill = start.slice(0, nameCount);
  for (let s = 0; s < n; s++) if (g.segName[s]! > 0) bySeg[fill[g.segName[s]!]!++] = s;

  const decoder = new TextDecoder();
  const places: Place[] = [];
  for (let name = 1; name < nameCount; name++) {
    const segs = bySeg.subarray(start[name]!, start[name + 1]!);
    if (segs.length === 0) continue;
    const text = decoder.decode(g.nameBytes.subarray(g.nameOffset[name]!, g.nameOffset[name + 1]!)).trim();
    if (!text) continue;
    for (const street of groupStreets(g, segs)) places.push(streetPlace(g, text, street));
  }
  return places;
}

/** The street index of a graph (see the file comment). */
export const buildStreetIndex = (g: RoadGraph): PlaceIndex => new PlaceIndex(streetPlaces(g));

interface StreetGroup {
  segs: number[];
  /** Connected runs (segments sharing an end point exactly), as lists of segments. */
  runs: number[][];
}

/** Splits the segments of one name into streets, and each street into connected runs. */
function groupStreets(g: RoadGraph, segs: Uint32Array): StreetGroup[] {
  const k = segs.length;
  const near = new UnionFind(k);
  const exact = new UnionFind(k);
  // Segment ends in a grid of cells about STREET_MERGE_M wide.
  const cellDeg = STREET_MERGE_M / 111_000;
  const lat0 = g.geomLatE7[g.segGeomOffset[segs[0]!]!]! * E7;
  const cellLngDeg = cellDeg / Math.max(0.1, Math.cos((lat0 * Math.PI) / 180));
  const cells = new Map<string, number[]>();
  const endKey = new Map<string, number>();
  const ends: number[] = []; // lat, lng, local index, flattened
  for (let i = 0; i < k; i++) {
    const s = segs[i]!;
    for (const p of [g.segGeomOffset[s]!, g.segGeomOffset[s + 1]! - 1]) {
      const latE7 = g.geomLatE7[p]!;
      const lngE7 = g.geomLngE7[p]!;
      const key = `${latE7},${lngE7}`;
      const other = endKey.get(key);
      if (other === undefined) endKey.set(key, i);
      else {
        exact.union(i, other);
        near.union(i, other);
      }
      ends.push(latE7 * E7, lngE7 * E7, i);
    }
  }
  if (k > 1) {
    for (let e = 0; e < ends.length; e += 3) {
      const cy = Math.floor(ends[e]! / cellDeg);
      const cx = Math.floor(ends[e + 1]! / cellLngDeg);
      for (let dy = -1; dy <= 1; dy++) {
        for (let dx = -1; dx <= 1; dx++) {
          for (const o of cells.get(`${cy + dy},${cx + dx}`) ?? []) {
            if (near.find(ends[o + 2]!) === near.find(ends[e + 2]!)) continue;
            if (haversineDegM(ends[e]!, ends[e + 1]!, ends[o]!, ends[o + 1]!) <= STREET_MERGE_M) near.union(ends[o + 2]!, ends[e + 2]!);
          }
        }
      }
      const key = `${cy},${cx}`;
      const list = cells.get(key);
      if (list) list.push(e);
      else cells.set(key, [e]);
    }
  }
  const streets = new Map<number, StreetGroup>();
  const runs = new Map<number, number[]>();
  for (let i = 0; i < k; i++) {
    const root = near.find(i);
    let street = streets.get(root);
    if (!street) streets.set(root, (street = { segs: [], runs: [] }));
    street.segs.push(segs[i]!);
    const r = exact.find(i);
    let run = runs.get(r);
    if (!run) {
      runs.set(r, (run = []));
      street.runs.push(run);
    }
    run.push(segs[i]!);
  }
  return [...streets.values()];
}

function streetPlace(g: RoadGraph, name: string, street: StreetGroup): Place {
  const box: [number, number, number, number] = [Infinity, Infinity, -Infinity, -Infinity];
  let importance = 5;
  let bestClass = 0;
  for (const seg of street.segs) {
    const imp = IMPORTANCE_BY_CODE[g.segClass[seg]!] ?? 5;
    if (imp < importance || (imp === importance && g.segClass[seg]! < bestClass)) {
      importance = imp;
      bestClass = g.segClass[seg]!;
    }
    growBoxE7(box, g.geomLatE7, g.geomLngE7, g.segGeomOffset[seg]!, g.segGeomOffset[seg + 1]!);
  }
  if (importance === 5 && bestClass === 0) bestClass = g.segClass[street.segs[0]!]!;
  let longest = street.runs[0]!;
  let longestDm = -1;
  for (const run of street.runs) {
    let dm = 0;
    for (const seg of run) dm += g.segLengthDm[seg]!;
    if (dm > longestDm) {
      longestDm = dm;
      longest = run;
    }
  }
  const round = (x: number) => Math.round(x * 1e6) / 1e6;
  const at = pointOnRun(g, longest);
  return {
    name,
    kind: 'street',
    location: { lat: round(at.lat), lng: round(at.lng) },
    bbox: [round(box[0]), round(box[1]), round(box[2]), round(box[3])],
    roadClass: ROAD_CLASSES[bestClass] ?? 'other',
    importance,
  };
}

/** The point of a run's lines nearest to the run's length-weighted centre (planar, local scale). */
export function pointOnRun(g: RoadGraph, run: readonly number[]): { lat: number; lng: number } {
  // One unit of x (longitude) is as long as kx units of y (latitude) here.
  const kx = Math.cos(g.geomLatE7[g.segGeomOffset[run[0]!]!]! * E7 * (Math.PI / 180));
  let cx = 0, cy = 0, total = 0;
  forEachPiece(g, run, (y1, x1, y2, x2) => {
    const len = Math.hypot(y2 - y1, (x2 - x1) * kx);
    cy += ((y1 + y2) / 2) * len;
    cx += ((x1 + x2) / 2) * len;
    total += len;
  });
  const first = g.segGeomOffset[run[0]!]!;
  if (total === 0) return { lat: g.geomLatE7[first]! * E7, lng: g.geomLngE7[first]! * E7 };
  cy /= total;
  cx /= total;
  let best = { lat: g.geomLatE7[first]! * E7, lng: g.geomLngE7[first]! * E7 };
  let bestD = Infinity;
  forEachPiece(g, run, (y1, x1, y2, x2) => {
    // Project the centre on the piece, in a plane where one unit of x is as long as one of y.
    const ax = x1 * kx, bx = x2 * kx, px = cx * kx;
    const dx = bx - ax, dy = y2 - y1;
    const len2 = dx * dx + dy * dy;
    const t = len2 === 0 ? 0 : Math.max(0, Math.min(1, ((px - ax) * dx + (cy - y1) * dy) / len2));
    const qx = ax + t * dx, qy = y1 + t * dy;
    const d = (qx - px) ** 2 + (qy - cy) ** 2;
    if (d < bestD) {
      bestD = d;
      best = { lat: qy, lng: qx / kx };
    }
  });
  return best;
}

function forEachPiece(g: RoadGraph, run: readonly number[], f: (lat1: number, lng1: number, lat2: number, lng2: number) => void): void {
  for (const seg of run) {
    for (let i = g.segGeomOffset[seg]!; i + 1 < g.segGeomOffset[seg + 1]!; i++) {
      f(g.geomLatE7[i]! * E7, g.geomLngE7[i]! * E7, g.geomLatE7[i + 1]! * E7, g.geomLngE7[i + 1]! * E7);
    }
  }
}

class UnionFind {
  private readonly parent: Int32Array;
  constructor(n: number) {
    this.parent = Int32Array.from({ length: n }, (_, i) => i);
  }
  find(i: number): number {
    while (this.parent[i] !== i) {
      this.parent[i] = this.parent[this.parent[i]!]!;
      i = this.parent[i]!;
    }
    return i;
  }
  union(a: number, b: number): void {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra !== rb) this.parent[ra] = rb;
  }
}
