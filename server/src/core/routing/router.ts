import type { LatLng } from '@lifeline/protocol';
import { NO_EDGE, nodeCount, type RoadGraph } from './graph.ts';
import { MinHeap } from './heap.ts';
import { SegmentIndex, type Snap } from './snap.ts';
import { E7, haversineDegM } from './spherical.ts';

/**
 * Travel-time queries on a {@link RoadGraph}'s contraction hierarchy.
 *
 * A query point snaps onto the nearest routable segment; it then enters the graph at the end of
 * that segment in each drivable direction, carrying the share of the segment it still has to
 * drive (a target likewise is reached from the start of its segment). Tables use the bucket
 * algorithm (Knopp et al. 2007): one backward upward search per target stores its labels in
 * per-node buckets, then one forward upward search per source scans them. Each upward search
 * touches a few hundred nodes, so a 50 × 1 table takes well under a millisecond on a city graph.
 *
 * Times are integer milliseconds inside, so results are exact and comparable with a Dijkstra on
 * the base graph. Not re-entrant (scratch arrays are shared), which is fine on one JS thread.
 */

export interface RouterOptions {
  /** Points farther than this from any routable road get no road answer, metres (default 1000). */
  maxSnapM?: number;
}

export interface RoadTable {
  /** durationsSec[i][j]: source i → target j, seconds; Infinity when unsnappable or unreachable. */
  durationsSec: number[][];
  /** Road distance along the fastest route, metres; Infinity likewise. */
  distancesM: number[][];
}

export interface RoadRoute {
  etaSec: number;
  distanceM: number;
  /** The route from the snapped start to the snapped end, [lng, lat] (GeoJSON order). */
  coordinates: [number, number][];
}

/** Entry labels of a snapped point: routing node, ms and dm to it (or from it, for a target). */
interface Labels {
  snap: Snap;
  node: number[];
  ms: number[];
  dm: number[];
  /** Segment direction each label goes through. */
  dir: number[];
}

export const DEFAULT_MAX_SNAP_M = 1000;

export class RoadRouter {
  readonly index: SegmentIndex;
  private readonly maxSnapM: number;
  private readonly n: number;
  private readonly heap = new MinHeap();
  // Forward search scratch.
  private readonly fMs: Float64Array;
  private readonly fDm: Float64Array;
  private readonly fStamp: Uint32Array;
  private readonly fParent: Int32Array;
  private readonly fParentNode: Int32Array;
  private readonly fInitDir: Int32Array;
  private fRound = 0;
  // Backward search scratch.
  private readonly bMs: Float64Array;
  private readonly bDm: Float64Array;
  private readonly bStamp: Uint32Array;
  private readonly bParent: Int32Array;
  private readonly bParentNode: Int32Array;
  private readonly bInitDir: Int32Array;
  private bRound = 0;
  // Buckets for tables: entries chained per node.
  private readonly bucketHead: Int32Array;
  private readonly bucketStamp: Uint32Array;
  private bucketRound = 0;

  constructor(
    readonly graph: RoadGraph,
    opts: RouterOptions = {},
  ) {
    this.maxSnapM = opts.maxSnapM ?? DEFAULT_MAX_SNAP_M;
    this.index = new SegmentIndex(graph);
    const n = (this.n = nodeCount(graph));
    this.fMs = new Float64Array(n);
    this.fDm = new Float64Array(n);
    this.fStamp = new Uint32Array(n);
    this.fParent = new Int32Array(n);
    this.fParentNode = new Int32Array(n);
    this.fInitDir = new Int32Array(n);
    this.bMs = new Float64Array(n);
    this.bDm = new Float64Array(n);
    this.bStamp = new Uint32Array(n);
    this.bParent = new Int32Array(n);
    this.bParentNode = new Int32Array(n);
    this.bInitDir = new Int32Array(n);
    this.bucketHead = new Int32Array(n);
    this.bucketStamp = new Uint32Array(n);
  }

  /** The nearest routable road point, or null beyond `maxSnapM`. */
  snap(p: LatLng): Snap | null {
    return this.index.nearest(p, this.maxSnapM);
  }

  table(sources: readonly LatLng[], targets: readonly LatLng[]): RoadTable {
    const durationsSec = sources.map(() => targets.map(() => Infinity));
    const distancesM = sources.map(() => targets.map(() => Infinity));
    if (sources.length === 0 || targets.length === 0 || this.n === 0) return { durationsSec, distancesM };
    const srcLabels = sources.map((p) => this.snapLabels(p, 'source'));
    const tgtLabels = targets.map((p) => this.snapLabels(p, 'target'));

    // Backward searches fill the buckets: entry k is (target, ms, dm), chained per node.
    this.bucketRound++;
    const entryTarget: number[] = [];
    const entryMs: number[] = [];
    const entryDm: number[] = [];
    const entryNext: number[] = [];
    tgtLabels.forEach((labels, t) => {
      if (!labels) return;
      this.backwardSearch(labels, (v, ms, dm) => {
        const k = entryTarget.length;
        entryTarget.push(t);
        entryMs.push(ms);
        entryDm.push(dm);
        if (this.bucketStamp[v] !== this.bucketRound) {
          this.bucketStamp[v] = this.bucketRound;
          entryNext.push(-1);
        } else {
          entryNext.push(this.bucketHead[v]!);
        }
        this.bucketHead[v] = k;
      });
    });

    const bestMs = new Float64Array(targets.length);
    const bestDm = new Float64Array(targets.length);
    srcLabels.forEach((src, s) => {
      if (!src) return;
      bestMs.fill(Infinity);
      bestDm.fill(Infinity);
      tgtLabels.forEach((tgt, t) => {
        if (!tgt) return;
        const direct = sameSegment(this.graph, src.snap, tgt.snap);
        if (direct) {
          bestMs[t] = direct.ms;
          bestDm[t] = direct.dm;
        }
      });
      let worst = Infinity;
      const refreshWorst = () => {
        worst = 0;
        for (let t = 0; t < bestMs.length; t++) if (tgtLabels[t] && bestMs[t]! > worst) worst = bestMs[t]!;
      };
      refreshWorst();
      this.forwardSearch(src, (v, ms, dm) => {
        if (ms >= worst) return false;
        if (this.bucketStamp[v] !== this.bucketRound) return true;
        let improved = false;
        for (let k = this.bucketHead[v]!; k >= 0; k = entryNext[k]!) {
          const t = entryTarget[k]!;
          const total = ms + entryMs[k]!;
          if (total < bestMs[t]!) {
            bestMs[t] = total;
            bestDm[t] = dm + entryDm[k]!;
            improved = true;
          }
        }
        if (improved) refreshWorst();
        return true;
      });
      for (let t = 0; t < targets.length; t++) {
        durationsSec[s]![t] = bestMs[t]! / 1000;
        distancesM[s]![t] = bestDm[t]! / 10;
      }
    });
    return { durationsSec, distancesM };
  }

  /** Fastest route with its line, or null when either end is off the network or no route exists. */
  route(from: LatLng, to: LatLng): RoadRoute | null {
    const src = this.snapLabels(from, 'source');
    const tgt = this.snapLabels(to, 'target');
    if (!src || !tgt) return null;
    this.backwardSearch(tgt, () => {});
    let best = Infinity;
    let bestDm = Infinity;
    let meet = -1;
    const direct = sameSegment(this.graph, src.snap, tgt.snap);
    if (direct) {
      best = direct.ms;
      bestDm = direct.dm;
    }
    this.forwardSearch(src, (v, ms, dm) => {
      if (ms >= best) return false;
      if (this.bStamp[v] === this.bRound && ms + this.bMs[v]! < best) {
        best = ms + this.bMs[v]!;
        bestDm = dm + this.bDm[v]!;
        meet = v;
      }
      return true;
    });
    if (best === Infinity) return null;
    const g = this.graph;
    let coordinates: [number, number][];
    if (meet < 0) {
      const s = src.snap.seg;
      coordinates = direct!.dir === 2 * s ? segmentSlice(g, s, src.snap.t, tgt.snap.t) : segmentSlice(g, s, tgt.snap.t, src.snap.t).reverse();
    } else {
      const dirs = this.unpackPath(meet);
      const first = this.fInitDir[this.firstNode(meet)]!;
      const last = this.bInitDir[this.lastNode(meet)]!;
      coordinates = directionSlice(g, first, src.snap.t, 'from');
      for (const d of dirs) appendPoints(coordinates, directionSlice(g, d, 0, 'whole'));
      appendPoints(coordinates, directionSlice(g, last, tgt.snap.t, 'to'));
    }
    return { etaSec: best / 1000, distanceM: bestDm / 10, coordinates };
  }

  private snapLabels(p: LatLng, role: 'source' | 'target'): Labels | null {
    const snap = this.snap(p);
    if (!snap) return null;
    const g = this.graph;
    const labels: Labels = { snap, node: [], ms: [], dm: [], dir: [] };
    const lenDm = g.segLengthDm[snap.seg]!;
    for (let k = 0; k < 2; k++) {
      const d = 2 * snap.seg + k;
      const w = g.segDirMs[d]!;
      if (w === NO_EDGE) continue;
      // Share of the direction still to drive (source) or already driven (target).
      const along = k === 0 ? snap.t : 1 - snap.t;
      const share = role === 'source' ? 1 - along : along;
      if (role === 'source') {
        const head = g.segDirHead[d]!;
        if (head < 0) continue;
        labels.node.push(head);
        labels.ms.push(Math.round(share * w));
        labels.dm.push(Math.round(share * lenDm));
        labels.dir.push(d);
      } else {
        for (let i = g.segDirTailOffset[d]!; i < g.segDirTailOffset[d + 1]!; i++) {
          labels.node.push(g.segDirTails[i]!);
          labels.ms.push(Math.round(share * w));
          labels.dm.push(Math.round(share * lenDm));
          labels.dir.push(d);
        }
      }
    }
    return labels.node.length > 0 ? labels : null;
  }

  /** Upward search from a source; `visit` returns false to stop. */
  private forwardSearch(src: Labels, visit: (v: number, ms: number, dm: number) => boolean): void {
    // Locals, not property loads, in the hot loop.
    const { chUpOffset, chUpHead, chUpMs, chUpDm, chDownOffset, chDownTail, chDownMs } = this.graph;
    const { fMs, fDm, fStamp, fParent, fParentNode, fInitDir, heap } = this;
    const round = ++this.fRound;
    heap.clear();
    for (let i = 0; i < src.node.length; i++) {
      const v = src.node[i]!;
      if (fStamp[v] === round && fMs[v]! <= src.ms[i]!) continue;
      fStamp[v] = round;
      fMs[v] = src.ms[i]!;
      fDm[v] = src.dm[i]!;
      fParent[v] = -1;
      fInitDir[v] = src.dir[i]!;
      heap.push(src.ms[i]!, v);
    }
    while (heap.size > 0) {
      const ms = heap.peekKey();
      const v = heap.pop();
      if (ms > fMs[v]!) continue;
      // Stall on demand: a higher node already reached reaches v faster, so v's label is not a
      // shortest distance and nothing needs to go on from it.
      let stalled = false;
      for (let e = chDownOffset[v]!, end = chDownOffset[v + 1]!; e < end; e++) {
        const u = chDownTail[e]!;
        if (fStamp[u] === round && fMs[u]! + chDownMs[e]! < ms) {
          stalled = true;
          break;
        }
      }
      if (stalled) continue;
      const dm = fDm[v]!;
      if (!visit(v, ms, dm)) break;
      for (let e = chUpOffset[v]!, end = chUpOffset[v + 1]!; e < end; e++) {
        const x = chUpHead[e]!;
        const nms = ms + chUpMs[e]!;
        if (fStamp[x] !== round || nms < fMs[x]!) {
          fStamp[x] = round;
          fMs[x] = nms;
          fDm[x] = dm + chUpDm[e]!;
          fParent[x] = e;
          fParentNode[x] = v;
          heap.push(nms, x);
        }
      }
    }
  }

  /** Complete backward upward search from a target (its search space is small). */
  private backwardSearch(tgt: Labels, visit: (v: number, ms: number, dm: number) => void): void {
    const { chDownOffset, chDownTail, chDownMs, chDownDm, chUpOffset, chUpHead, chUpMs } = this.graph;
    const { bMs, bDm, bStamp, bParent, bParentNode, bInitDir, heap } = this;
    const round = ++this.bRound;
    heap.clear();
    for (let i = 0; i < tgt.node.length; i++) {
      const v = tgt.node[i]!;
      if (bStamp[v] === round && bMs[v]! <= tgt.ms[i]!) continue;
      bStamp[v] = round;
      bMs[v] = tgt.ms[i]!;
      bDm[v] = tgt.dm[i]!;
      bParent[v] = -1;
      bInitDir[v] = tgt.dir[i]!;
      heap.push(tgt.ms[i]!, v);
    }
    while (heap.size > 0) {
      const ms = heap.peekKey();
      const v = heap.pop();
      if (ms > bMs[v]!) continue;
      let stalled = false;
      for (let e = chUpOffset[v]!, end = chUpOffset[v + 1]!; e < end; e++) {
        const u = chUpHead[e]!;
        if (bStamp[u] === round && bMs[u]! + chUpMs[e]! < ms) {
          stalled = true;
          break;
        }
      }
      if (stalled) continue;
      const dm = bDm[v]!;
      visit(v, ms, dm);
      for (let e = chDownOffset[v]!, end = chDownOffset[v + 1]!; e < end; e++) {
        const x = chDownTail[e]!;
        const nms = ms + chDownMs[e]!;
        if (bStamp[x] !== round || nms < bMs[x]!) {
          bStamp[x] = round;
          bMs[x] = nms;
          bDm[x] = dm + chDownDm[e]!;
          bParent[x] = e;
          bParentNode[x] = v;
          heap.push(nms, x);
        }
      }
    }
  }

  private firstNode(meet: number): number {
    let v = meet;
    while (this.fParent[v]! >= 0) v = this.fParentNode[v]!;
    return v;
  }

  private lastNode(meet: number): number {
    let v = meet;
    while (this.bParent[v]! >= 0) v = this.bParentNode[v]!;
    return v;
  }

  /** Segment directions of the path source → meet → target, shortcuts expanded. */
  private unpackPath(meet: number): number[] {
    const g = this.graph;
    const up: [number, number, number][] = [];
    for (let v = meet; this.fParent[v]! >= 0; v = this.fParentNode[v]!) up.push([this.fParentNode[v]!, v, g.chUpMid[this.fParent[v]!]!]);
    up.reverse();
    const out: number[] = [];
    for (const [a, b, mid] of up) this.unpackEdge(a, b, mid, out);
    for (let v = meet; this.bParent[v]! >= 0; v = this.bParentNode[v]!) this.unpackEdge(v, this.bParentNode[v]!, g.chDownMid[this.bParent[v]!]!, out);
    return out;
  }

  /** Expands hierarchy edge a → b into segment directions (a shortcut via m is a → m → b). */
  private unpackEdge(a: number, b: number, mid: number, out: number[]): void {
    if (mid < 0) {
      out.push(-mid - 1);
      return;
    }
    const g = this.graph;
    // m ranks below both ends: a → m is a down edge stored at m, m → b an up edge stored at m.
    let first = -1;
    for (let e = g.chDownOffset[mid]!; e < g.chDownOffset[mid + 1]!; e++) if (g.chDownTail[e] === a) first = e;
    let second = -1;
    for (let e = g.chUpOffset[mid]!; e < g.chUpOffset[mid + 1]!; e++) if (g.chUpHead[e] === b) second = e;
    if (first < 0 || second < 0) throw new Error(`broken shortcut ${a}→${b} via ${mid}`);
    this.unpackEdge(a, mid, g.chDownMid[first]!, out);
    this.unpackEdge(mid, b, g.chUpMid[second]!, out);
  }
}

/** Driving from source to target along their shared segment, if they share one and may. */
function sameSegment(g: RoadGraph, src: Snap, tgt: Snap): { ms: number; dm: number; dir: number } | null {
  if (src.seg !== tgt.seg) return null;
  const s = src.seg;
  const lenDm = g.segLengthDm[s]!;
  let best: { ms: number; dm: number; dir: number } | null = null;
  const fwd = g.segDirMs[2 * s]!;
  if (fwd !== NO_EDGE && tgt.t >= src.t) best = { ms: Math.round((tgt.t - src.t) * fwd), dm: Math.round((tgt.t - src.t) * lenDm), dir: 2 * s };
  const bwd = g.segDirMs[2 * s + 1]!;
  if (bwd !== NO_EDGE && tgt.t <= src.t) {
    const ms = Math.round((src.t - tgt.t) * bwd);
    if (!best || ms < best.ms) best = { ms, dm: Math.round((src.t - tgt.t) * lenDm), dir: 2 * s + 1 };
  }
  return best;
}

/**
 * Points of a segment direction, in driving order: the part after the point at share `tg`
 * ('from'), the part up to it ('to'), or all of it ('whole'). `tg` counts along the segment's
 * geometry order, like Snap.t.
 */
function directionSlice(g: RoadGraph, dir: number, tg: number, part: 'from' | 'to' | 'whole'): [number, number][] {
  const s = dir >> 1;
  const forward = (dir & 1) === 0;
  let lo = 0;
  let hi = 1;
  if (part === 'from') [lo, hi] = forward ? [tg, 1] : [0, tg];
  if (part === 'to') [lo, hi] = forward ? [0, tg] : [tg, 1];
  const pts = segmentSlice(g, s, lo, hi);
  return forward ? pts : pts.reverse();
}

/** Points of segment s between shares lo ≤ hi of its length, in geometry order, [lng, lat]. */
function segmentSlice(g: RoadGraph, s: number, lo: number, hi: number): [number, number][] {
  const start = g.segGeomOffset[s]!;
  const end = g.segGeomOffset[s + 1]!;
  const lens: number[] = [];
  let total = 0;
  for (let i = start; i + 1 < end; i++) {
    const len = haversineDegM(g.geomLatE7[i]! * E7, g.geomLngE7[i]! * E7, g.geomLatE7[i + 1]! * E7, g.geomLngE7[i + 1]! * E7);
    lens.push(len);
    total += len;
  }
  const at = (share: number): [number, number] => {
    let target = share * total;
    for (let k = 0; k < lens.length; k++) {
      if (target <= lens[k]! || k === lens.length - 1) {
        const u = lens[k]! > 0 ? Math.min(1, target / lens[k]!) : 0;
        const i = start + k;
        const lng = g.geomLngE7[i]! * E7 + u * (g.geomLngE7[i + 1]! - g.geomLngE7[i]!) * E7;
        const lat = g.geomLatE7[i]! * E7 + u * (g.geomLatE7[i + 1]! - g.geomLatE7[i]!) * E7;
        return [round7(lng), round7(lat)];
      }
      target -= lens[k]!;
    }
    return [round7(g.geomLngE7[start]! * E7), round7(g.geomLatE7[start]! * E7)];
  };
  const out: [number, number][] = [at(lo)];
  let acc = 0;
  for (let k = 0; k < lens.length - 1; k++) {
    acc += lens[k]!;
    const share = total > 0 ? acc / total : 0;
    if (share > lo && share < hi) out.push([round7(g.geomLngE7[start + k + 1]! * E7), round7(g.geomLatE7[start + k + 1]! * E7)]);
  }
  out.push(at(hi));
  return out;
}

const round7 = (x: number) => Math.round(x * 1e7) / 1e7;

/** Appends points, dropping the first when it repeats the last one already there. */
function appendPoints(line: [number, number][], pts: [number, number][]): void {
  for (const p of pts) {
    const last = line[line.length - 1];
    if (last && last[0] === p[0] && last[1] === p[1]) continue;
    line.push(p);
  }
}
