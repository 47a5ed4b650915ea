import { stronglyConnected } from './components.ts';
import { contractGraph } from './contract.ts';
import {
  encodeNameTable,
  growBoxE7,
  NO_EDGE,
  OSM_ATTRIBUTION,
  ROAD_GRAPH_FORMAT_VERSION,
  roadClassCode,
  SEG_ROUTABLE,
  type RoadGraph,
  type RoadGraphStats,
} from './graph.ts';
import { ambulanceWayRule, isBlockingBarrier, restrictionKindForCar, type OsmTags, type RestrictionKind } from './profile.ts';
import { E7, haversineDegM, toE7 } from './spherical.ts';
import { csrBy, JunctionAdjacency, splitJunctions, TurnRules } from './turns.ts';

/**
 * Builds a {@link RoadGraph} from OSM-shaped input, in the order a PBF file delivers it:
 * ways and restriction relations first (`addWay`, `addRestriction`), then `sealWays()`, then the
 * positions of the nodes those ways use (`setNode`), then `build()`. Only drivable ways are kept
 * and only their nodes are stored, in sorted typed arrays, so a large extract fits in memory.
 */

export interface RelationMember {
  type: 'node' | 'way' | 'relation';
  ref: number;
  role: string;
}

export interface BuildOptions {
  /** What was imported, for the graph's metadata. */
  source: string;
  /** ISO time of the import (core code takes no clock). */
  builtAt: string;
  /** Honour turn restrictions (default true; false exists to measure their effect). */
  restrictions?: boolean;
  onProgress?: (phase: BuildPhase, done: number, total: number) => void;
}

export type BuildPhase = 'segments' | 'restrictions' | 'components' | 'contract';

/**
 * A strongly connected part of the network counts as "large" (points snap onto it) when it has
 * at least this many routing nodes, or is the largest one. Smaller parts are parking lots, gated
 * compounds or pieces cut off by the extract's edge: a unit snapped there could reach nothing.
 */
export const LARGE_COMPONENT_NODES = 500;

interface PendingRestriction {
  kind: RestrictionKind;
  from: number;
  via: number;
  to: number;
}

class GrowableF64 {
  data = new Float64Array(1024);
  length = 0;
  push(v: number): void {
    if (this.length === this.data.length) {
      const next = new Float64Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = v;
  }
}

class GrowableI32 {
  data = new Int32Array(1024);
  length = 0;
  push(v: number): void {
    if (this.length === this.data.length) {
      const next = new Int32Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = v;
  }
  truncate(n: number): void {
    this.length = n;
  }
  toArray(): Int32Array {
    return this.data.slice(0, this.length);
  }
}

export class RoadGraphBuilder {
  private readonly wayIds: number[] = [];
  private readonly wayRefStart: number[] = [0];
  private readonly refs = new GrowableF64();
  /** km/h per direction, 0 where the direction may not be driven. */
  private readonly wayFwdKmh: number[] = [];
  private readonly wayBwdKmh: number[] = [];
  /** Road class code and name index of each kept way (for the basemap). */
  private readonly wayClass: number[] = [];
  private readonly wayName: number[] = [];
  private readonly names: string[] = [''];
  private readonly nameIndex = new Map<string, number>();
  private readonly pending: PendingRestriction[] = [];
  private readonly restrictionCounts = { seen: 0, notForCar: 0, unsupported: 0 };

  private nodeIds: Float64Array | null = null;
  private latE7 = new Int32Array(0);
  private lngE7 = new Int32Array(0);
  private present = new Uint8Array(0);
  private blocking = new Uint8Array(0);

  get wayCount(): number {
    return this.wayIds.length;
  }

  /** Adds a way if the ambulance profile can drive it; returns whether it was kept. */
  addWay(id: number, refs: ArrayLike<number>, tags: OsmTags): boolean {
    if (this.nodeIds) throw new Error('addWay after sealWays');
    if (refs.length < 2) return false;
    const rule = ambulanceWayRule(tags);
    if (!rule || (!rule.forward && !rule.backward)) return false;
    this.wayIds.push(id);
    for (let i = 0; i < refs.length; i++) this.refs.push(refs[i]!);
    this.wayRefStart.push(this.refs.length);
    this.wayFwdKmh.push(rule.forward ? rule.forwardKmh : 0);
    this.wayBwdKmh.push(rule.backward ? rule.backwardKmh : 0);
    this.wayClass.push(roadClassCode(tags.highway));
    this.wayName.push(this.nameOf(tags.name ?? tags.ref));
    return true;
  }

  /** Index of a name in the name table (0 for none); equal names are stored once. */
  private nameOf(name: string | undefined): number {
    const trimmed = name?.trim();
    if (!trimmed) return 0;
    let i = this.nameIndex.get(trimmed);
    if (i === undefined) {
      i = this.names.length;
      this.names.push(trimmed);
      this.nameIndex.set(trimmed, i);
    }
    return i;
  }

  /** Records a `type=restriction` relation; only via-node restrictions that bind a car are kept. */
  addRestriction(members: readonly RelationMember[], tags: OsmTags): void {
    if (tags.type !== 'restriction') return;
    this.restrictionCounts.seen++;
    const kind = restrictionKindForCar(tags);
    if (kind === null) {
      this.restrictionCounts.notForCar++;
      return;
    }
    const from = members.filter((m) => m.role === 'from');
    const via = members.filter((m) => m.role === 'via');
    const to = members.filter((m) => m.role === 'to');
    if (from.length !== 1 || to.length !== 1 || via.length !== 1 || from[0]!.type !== 'way' || to[0]!.type !== 'way' || via[0]!.type !== 'node') {
      this.restrictionCounts.unsupported++;
      return;
    }
    this.pending.push({ kind, from: from[0]!.ref, via: via[0]!.ref, to: to[0]!.ref });
  }

  /** Ends the ways; from now on `needsNode`/`setNode` accept the nodes they reference. */
  sealWays(): number {
    const all = new Float64Array(this.refs.length + this.pending.length);
    all.set(this.refs.data.subarray(0, this.refs.length));
    this.pending.forEach((r, i) => (all[this.refs.length + i] = r.via));
    all.sort();
    let n = 0;
    for (let i = 0; i < all.length; i++) if (i === 0 || all[i] !== all[n - 1]) all[n++] = all[i]!;
    this.nodeIds = all.slice(0, n);
    this.latE7 = new Int32Array(n);
    this.lngE7 = new Int32Array(n);
    this.present = new Uint8Array(n);
    this.blocking = new Uint8Array(n);
    return n;
  }

  /** Index of an OSM node among the needed ones, or -1. */
  nodeIndex(id: number): number {
    const ids = this.nodeIds;
    if (!ids) throw new Error('nodeIndex before sealWays');
    let lo = 0;
    let hi = ids.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const v = ids[mid]!;
      if (v < id) lo = mid + 1;
      else if (v > id) hi = mid - 1;
      else return mid;
    }
    return -1;
  }

  /** Stores a node's position if a kept way needs it; returns whether it did. */
  setNode(id: number, lat: number, lng: number, tags?: OsmTags): boolean {
    const i = this.nodeIndex(id);
    if (i < 0) return false;
    this.latE7[i] = toE7(lat);
    this.lngE7[i] = toE7(lng);
    this.present[i] = 1;
    if (tags && isBlockingBarrier(tags)) this.blocking[i] = 1;
    return true;
  }

  build(opts: BuildOptions): RoadGraph {
    if (!this.nodeIds) this.sealWays();
    const progress = opts.onProgress ?? (() => {});
    const withRestrictions = opts.restrictions ?? true;
    const nNodes = this.nodeIds!.length;
    const nWays = this.wayIds.length;
    const refs = this.refs.data;
    const refIdx = new Int32Array(this.refs.length);
    for (let i = 0; i < this.refs.length; i++) refIdx[i] = this.nodeIndex(refs[i]!);

    // 1. Junctions: nodes shared by ways, way ends, via nodes, barriers, and the ends of the
    //    pieces left where a clipped way references nodes missing from the extract.
    const use = new Uint8Array(nNodes);
    let missingNodeRefs = 0;
    const mark = (i: number) => (use[i] = 2);
    for (let w = 0; w < nWays; w++) {
      const start = this.wayRefStart[w]!;
      const end = this.wayRefStart[w + 1]!;
      let prev = -1;
      for (let r = start; r < end; r++) {
        const idx = refIdx[r]!;
        if (idx === prev) continue;
        if (!this.present[idx]) {
          missingNodeRefs++;
          if (prev >= 0) mark(prev);
          if (r + 1 < end) mark(refIdx[r + 1]!);
        } else if (r === start || r === end - 1) {
          mark(idx);
        } else if (use[idx]! < 2) {
          use[idx]!++;
        }
        prev = idx;
      }
    }
    let blockingBarriers = 0;
    for (let i = 0; i < nNodes; i++) if (this.blocking[i] && use[i]) mark(i);
    for (const r of this.pending) {
      const i = this.nodeIndex(r.via);
      if (i >= 0 && use[i]) mark(i);
    }
    const junctionOf = new Int32Array(nNodes).fill(-1);
    const junctionNode: number[] = [];
    for (let i = 0; i < nNodes; i++) {
      if (use[i] === 2 && this.present[i]) {
        junctionOf[i] = junctionNode.length;
        junctionNode.push(i);
        if (this.blocking[i]) blockingBarriers++;
      }
    }
    const nJ = junctionNode.length;

    // 2. Segments: split each way at its junctions.
    const geomLat = new GrowableI32();
    const geomLng = new GrowableI32();
    const segStart: number[] = [];
    const segA: number[] = [];
    const segB: number[] = [];
    const segLenM: number[] = [];
    const segWay: number[] = [];
    let osmSegments = 0;
    let directedOsmSegments = 0;
    for (let w = 0; w < nWays; w++) {
      const start = this.wayRefStart[w]!;
      const end = this.wayRefStart[w + 1]!;
      const dirs = (this.wayFwdKmh[w]! > 0 ? 1 : 0) + (this.wayBwdKmh[w]! > 0 ? 1 : 0);
      let a = -1;
      let geomStart = 0;
      let lenM = 0;
      let prev = -1;
      for (let r = start; r < end; r++) {
        const idx = refIdx[r]!;
        if (idx === prev) continue;
        prev = idx;
        if (!this.present[idx]) {
          if (a >= 0) {
            geomLat.truncate(geomStart);
            geomLng.truncate(geomStart);
          }
          a = -1;
          continue;
        }
        const j = junctionOf[idx]!;
        if (a < 0) {
          if (j < 0) continue; // cannot happen: the node after a gap is a junction
          a = j;
          geomStart = geomLat.length;
          lenM = 0;
          geomLat.push(this.latE7[idx]!);
          geomLng.push(this.lngE7[idx]!);
          continue;
        }
        const pLat = geomLat.data[geomLat.length - 1]!;
        const pLng = geomLng.data[geomLng.length - 1]!;
        lenM += haversineDegM(pLat * E7, pLng * E7, this.latE7[idx]! * E7, this.lngE7[idx]! * E7);
        geomLat.push(this.latE7[idx]!);
        geomLng.push(this.lngE7[idx]!);
        osmSegments++;
        directedOsmSegments += dirs;
        if (j >= 0) {
          segStart.push(geomStart);
          segA.push(a);
          segB.push(j);
          segLenM.push(lenM);
          segWay.push(w);
          // The junction starts the next segment.
          a = j;
          geomStart = geomLat.length;
          lenM = 0;
          geomLat.push(this.latE7[idx]!);
          geomLng.push(this.lngE7[idx]!);
        }
      }
      // The way's last node is a junction, so the open segment holds just that point.
      if (a >= 0) {
        geomLat.truncate(geomStart);
        geomLng.truncate(geomStart);
      }
      if (w % 50_000 === 0) progress('segments', w, nWays);
    }
    const nS = segA.length;
    const segGeomOffset = new Uint32Array(nS + 1);
    segStart.forEach((s, i) => (segGeomOffset[i] = s));
    segGeomOffset[nS] = geomLat.length;
    const segLengthDm = new Uint32Array(nS);
    const segDirMs = new Uint32Array(2 * nS);
    const segWayId = new Float64Array(nS);
    const segClass = new Uint8Array(nS);
    const segName = new Uint32Array(nS);
    let directedSegments = 0;
    for (let s = 0; s < nS; s++) {
      const w = segWay[s]!;
      segLengthDm[s] = Math.round(segLenM[s]! * 10);
      segWayId[s] = this.wayIds[w]!;
      segClass[s] = this.wayClass[w]!;
      segName[s] = this.wayName[w]!;
      const fwd = this.wayFwdKmh[w]!;
      const bwd = this.wayBwdKmh[w]!;
      segDirMs[2 * s] = fwd > 0 ? Math.round((segLenM[s]! / (fwd / 3.6)) * 1000) : NO_EDGE;
      segDirMs[2 * s + 1] = bwd > 0 ? Math.round((segLenM[s]! / (bwd / 3.6)) * 1000) : NO_EDGE;
      directedSegments += (fwd > 0 ? 1 : 0) + (bwd > 0 ? 1 : 0);
    }
    progress('segments', nWays, nWays);

    // 3. Forbidden turns per junction: restrictions and blocking barriers.
    const adj = new JunctionAdjacency(nJ, segA, segB, segDirMs);
    const blocked = new Uint8Array(nJ);
    for (let j = 0; j < nJ; j++) if (this.blocking[junctionNode[j]!]) blocked[j] = 1;
    const rules = new TurnRules(adj, blocked);
    if (withRestrictions && this.pending.length > 0) {
      const waysById = new Map<number, number[]>();
      this.wayIds.forEach((id, w) => {
        const list = waysById.get(id);
        if (list) list.push(w);
        else waysById.set(id, [w]);
      });
      for (const r of this.pending) {
        const vi = this.nodeIndex(r.via);
        const fromWays = waysById.get(r.from) ?? [];
        const toWays = waysById.get(r.to) ?? [];
        rules.add({ kind: r.kind, via: vi >= 0 ? junctionOf[vi]! : -1, fromWays, toWays, uTurn: r.from === r.to }, segWay);
      }
      progress('restrictions', this.pending.length, this.pending.length);
    }

    // 4. Routing nodes and base edges, sorted by tail (CSR).
    const nodes = splitJunctions(
      adj,
      rules,
      junctionNode.map((i) => this.latE7[i]!),
      junctionNode.map((i) => this.lngE7[i]!),
    );
    const nN = nodes.nodeLatE7.length;
    const nE = nodes.edgeTail.length;
    const eTail = nodes.edgeTail;
    const eDir = nodes.edgeDir;
    const byTail = csrBy(nN, nE, (e) => eTail[e]!);
    const edgeHead = new Int32Array(nE);
    const edgeSegDir = new Int32Array(nE);
    byTail.list.forEach((e, i) => {
      edgeHead[i] = nodes.edgeHead[e]!;
      edgeSegDir[i] = eDir[e]!;
    });
    const tails = csrBy(2 * nS, nE, (e) => eDir[e]!);
    const segDirTails = new Int32Array(nE);
    tails.list.forEach((e, i) => (segDirTails[i] = eTail[e]!));

    // 5. Which segments lie in a large strongly connected component.
    const comp = stronglyConnected(nN, byTail.offset, edgeHead);
    progress('components', 1, 1);
    const compSize = new Uint32Array(comp.count);
    for (let v = 0; v < nN; v++) compSize[comp.of[v]!]!++;
    const largest = compSize.reduce((m, x) => Math.max(m, x), 0);
    const isLarge = (v: number) => compSize[comp.of[v]!]! >= Math.min(largest, LARGE_COMPONENT_NODES);
    const segFlags = new Uint8Array(nS);
    for (let e = 0; e < nE; e++) {
      const t = eTail[e]!;
      const h = nodes.edgeHead[e]!;
      if (comp.of[t] === comp.of[h] && isLarge(t)) segFlags[eDir[e]! >> 1] = SEG_ROUTABLE;
    }
    let routable = 0;
    for (let s = 0; s < nS; s++) routable += segFlags[s]!;

    // 6. Contraction hierarchy over the routing nodes.
    const baseMs = new Uint32Array(nE);
    const baseDm = new Uint32Array(nE);
    for (let i = 0; i < nE; i++) {
      baseMs[i] = segDirMs[edgeSegDir[i]!]!;
      baseDm[i] = segLengthDm[edgeSegDir[i]! >> 1]!;
    }
    const tailOfEdge = new Int32Array(nE);
    for (let v = 0; v < nN; v++) for (let i = byTail.offset[v]!; i < byTail.offset[v + 1]!; i++) tailOfEdge[i] = v;
    const ch = contractGraph(
      { nodeCount: nN, tail: tailOfEdge, head: edgeHead, ms: baseMs, dm: baseDm, segDir: edgeSegDir },
      (done, total) => progress('contract', done, total),
    );

    const latArr = geomLat.toArray();
    const lngArr = geomLng.toArray();
    const bbox: [number, number, number, number] = [Infinity, Infinity, -Infinity, -Infinity];
    growBoxE7(bbox, latArr, lngArr, 0, latArr.length);

    const stats: RoadGraphStats = {
      drivableWays: nWays,
      osmSegments,
      directedOsmSegments,
      segments: nS,
      directedSegments,
      junctions: nJ,
      nodes: nN,
      baseEdges: nE,
      chUpEdges: ch.upHead.length,
      chDownEdges: ch.downTail.length,
      shortcuts: ch.shortcuts,
      blockingBarriers,
      missingNodeRefs,
      restrictions: { ...this.restrictionCounts, applied: rules.applied, unmatched: rules.unmatched },
      routableSegmentShare: nS === 0 ? 0 : routable / nS,
    };
    return {
      meta: {
        formatVersion: ROAD_GRAPH_FORMAT_VERSION,
        source: opts.source,
        builtAt: opts.builtAt,
        attribution: OSM_ATTRIBUTION,
        profile: 'ambulance-v1',
        restrictions: withRestrictions,
        bbox: nS === 0 ? [0, 0, 0, 0] : bbox,
        stats,
      },
      nodeLatE7: nodes.nodeLatE7,
      nodeLngE7: nodes.nodeLngE7,
      segGeomOffset,
      geomLatE7: latArr,
      geomLngE7: lngArr,
      segLengthDm,
      segDirMs,
      segFlags,
      segWayId,
      segClass,
      segName,
      ...encodeNameTable(this.names),
      segDirHead: nodes.segDirHead,
      segDirTailOffset: tails.offset,
      segDirTails,
      edgeOffset: byTail.offset,
      edgeHead,
      edgeSegDir,
      chUpOffset: ch.upOffset,
      chUpHead: ch.upHead,
      chUpMs: ch.upMs,
      chUpDm: ch.upDm,
      chUpMid: ch.upMid,
      chDownOffset: ch.downOffset,
      chDownTail: ch.downTail,
      chDownMs: ch.downMs,
      chDownDm: ch.downDm,
      chDownMid: ch.downMid,
    };
  }
}
