import Flatbush from 'flatbush';
import type { LatLng } from '@lifeline/protocol';
import { EARTH_RADIUS_M } from '../geo.ts';
import { SEG_ROUTABLE, segmentCount, type RoadGraph } from './graph.ts';
import { E7, haversineDegM } from './spherical.ts';

/** Where a point meets the road network. */
export interface Snap {
  seg: number;
  /** Position along the segment as a share of its length, 0 at its first geometry point. */
  t: number;
  /** The snapped point on the road. */
  lat: number;
  lng: number;
  /** Distance from the query point to the road, metres. */
  offRoadM: number;
}

const RAD = Math.PI / 180;
const FIRST_RADIUS_M = 32;

/**
 * Nearest-segment lookup over every straight piece of every routable segment, in a flatbush
 * R-tree on a local equirectangular projection (metres; good to a fraction of a percent over a
 * province, and only used to find candidates: the reported distance is great-circle).
 * Segments outside large strongly connected parts of the network are not snapped to.
 */
export class SegmentIndex {
  private readonly tree: Flatbush | null;
  private readonly pieceStart: Uint32Array;
  private readonly pieceSeg: Int32Array;
  /** Distance along its segment of every geometry point, metres (as the import measured it). */
  private readonly alongM: Float64Array;
  private readonly kx: number;
  private readonly ky = RAD * EARTH_RADIUS_M;

  constructor(private readonly g: RoadGraph) {
    const lat0 = (g.meta.bbox[1] + g.meta.bbox[3]) / 2;
    this.kx = RAD * EARTH_RADIUS_M * Math.cos(lat0 * RAD);
    const nS = segmentCount(g);
    this.alongM = new Float64Array(g.geomLatE7.length);
    for (let s = 0; s < nS; s++) {
      for (let i = g.segGeomOffset[s]! + 1; i < g.segGeomOffset[s + 1]!; i++) {
        this.alongM[i] = this.alongM[i - 1]! + haversineDegM(g.geomLatE7[i - 1]! * E7, g.geomLngE7[i - 1]! * E7, g.geomLatE7[i]! * E7, g.geomLngE7[i]! * E7);
      }
    }
    let pieces = 0;
    for (let s = 0; s < nS; s++) if (g.segFlags[s]! & SEG_ROUTABLE) pieces += g.segGeomOffset[s + 1]! - g.segGeomOffset[s]! - 1;
    this.pieceStart = new Uint32Array(pieces);
    this.pieceSeg = new Int32Array(pieces);
    if (pieces === 0) {
      this.tree = null;
      return;
    }
    const tree = new Flatbush(pieces);
    let k = 0;
    for (let s = 0; s < nS; s++) {
      if (!(g.segFlags[s]! & SEG_ROUTABLE)) continue;
      for (let i = g.segGeomOffset[s]!; i + 1 < g.segGeomOffset[s + 1]!; i++) {
        const x0 = this.x(g.geomLngE7[i]!);
        const y0 = this.y(g.geomLatE7[i]!);
        const x1 = this.x(g.geomLngE7[i + 1]!);
        const y1 = this.y(g.geomLatE7[i + 1]!);
        tree.add(Math.min(x0, x1), Math.min(y0, y1), Math.max(x0, x1), Math.max(y0, y1));
        this.pieceStart[k] = i;
        this.pieceSeg[k] = s;
        k++;
      }
    }
    tree.finish();
    this.tree = tree;
  }

  /** The nearest routable road point within `maxDistanceM`, or null. */
  nearest(p: LatLng, maxDistanceM: number): Snap | null {
    if (!this.tree) return null;
    const g = this.g;
    const px = p.lng * this.kx;
    const py = p.lat * this.ky;
    let bestD2 = Infinity;
    let bestPiece = -1;
    let bestU = 0;
    // Grow the search box until the best piece found lies inside it: then no piece outside the
    // box can be nearer.
    for (let r = Math.min(FIRST_RADIUS_M, maxDistanceM); ; r = Math.min(r * 4, maxDistanceM)) {
      for (const k of this.tree.search(px - r, py - r, px + r, py + r)) {
        const i = this.pieceStart[k]!;
        const x0 = this.x(g.geomLngE7[i]!);
        const y0 = this.y(g.geomLatE7[i]!);
        const dx = this.x(g.geomLngE7[i + 1]!) - x0;
        const dy = this.y(g.geomLatE7[i + 1]!) - y0;
        const len2 = dx * dx + dy * dy;
        const u = len2 === 0 ? 0 : Math.max(0, Math.min(1, ((px - x0) * dx + (py - y0) * dy) / len2));
        const ex = x0 + u * dx - px;
        const ey = y0 + u * dy - py;
        const d2 = ex * ex + ey * ey;
        if (d2 < bestD2 || (d2 === bestD2 && k < bestPiece)) {
          bestD2 = d2;
          bestPiece = k;
          bestU = u;
        }
      }
      if (bestPiece >= 0 && Math.sqrt(bestD2) <= r) break;
      if (r >= maxDistanceM) break;
    }
    if (bestPiece < 0 || Math.sqrt(bestD2) > maxDistanceM) return null;

    const s = this.pieceSeg[bestPiece]!;
    const i = this.pieceStart[bestPiece]!;
    const lat0 = g.geomLatE7[i]! * E7;
    const lng0 = g.geomLngE7[i]! * E7;
    const lat = lat0 + bestU * (g.geomLatE7[i + 1]! * E7 - lat0);
    const lng = lng0 + bestU * (g.geomLngE7[i + 1]! * E7 - lng0);
    // Share of the segment's length before the snapped point.
    const before = this.alongM[i]! + bestU * (this.alongM[i + 1]! - this.alongM[i]!);
    const total = this.alongM[g.segGeomOffset[s + 1]! - 1]!;
    return { seg: s, t: total > 0 ? before / total : 0, lat, lng, offRoadM: haversineDegM(p.lat, p.lng, lat, lng) };
  }

  private x(lngE7: number): number {
    return lngE7 * E7 * this.kx;
  }

  private y(latE7: number): number {
    return latE7 * E7 * this.ky;
  }
}
