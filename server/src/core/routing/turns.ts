import type { RestrictionKind } from './profile.ts';
import { NO_EDGE } from './graph.ts';

/**
 * Turns at junctions: which entry → exit moves are forbidden (turn restrictions, blocking
 * barriers), and the routing nodes that make a node-based search honour them: a junction with a
 * forbidden move is split into one node per entry direction, each with only its allowed exits.
 *
 * Segment directions: d = 2s drives segment s in geometry order (a → b), d = 2s + 1 backwards.
 */

/** Buckets items 0..count-1 by key (negative keys dropped): list[offset[k] .. offset[k+1]). */
export function csrBy(keys: number, count: number, keyOf: (i: number) => number): { offset: Uint32Array; list: Int32Array } {
  const offset = new Uint32Array(keys + 1);
  const key = new Int32Array(count);
  let kept = 0;
  for (let i = 0; i < count; i++) {
    const k = keyOf(i);
    key[i] = k;
    if (k >= 0) {
      offset[k + 1]!++;
      kept++;
    }
  }
  for (let k = 0; k < keys; k++) offset[k + 1]! += offset[k]!;
  const fill = offset.slice(0, keys);
  const list = new Int32Array(kept);
  for (let i = 0; i < count; i++) {
    const k = key[i]!;
    if (k >= 0) list[fill[k]!++] = i;
  }
  return { offset, list };
}

/** Drivable segment directions entering and leaving each junction. */
export class JunctionAdjacency {
  private readonly ins: { offset: Uint32Array; list: Int32Array };
  private readonly outs: { offset: Uint32Array; list: Int32Array };

  constructor(
    readonly junctions: number,
    private readonly segA: readonly number[],
    private readonly segB: readonly number[],
    private readonly segDirMs: Uint32Array,
  ) {
    const dirs = 2 * segA.length;
    this.ins = csrBy(junctions, dirs, (d) => (this.allowed(d) ? this.head(d) : -1));
    this.outs = csrBy(junctions, dirs, (d) => (this.allowed(d) ? this.tail(d) : -1));
  }

  get directions(): number {
    return 2 * this.segA.length;
  }

  tail(d: number): number {
    return (d & 1) === 0 ? this.segA[d >> 1]! : this.segB[d >> 1]!;
  }

  head(d: number): number {
    return (d & 1) === 0 ? this.segB[d >> 1]! : this.segA[d >> 1]!;
  }

  allowed(d: number): boolean {
    return this.segDirMs[d] !== NO_EDGE;
  }

  entries(j: number): Int32Array {
    return this.ins.list.subarray(this.ins.offset[j]!, this.ins.offset[j + 1]!);
  }

  exits(j: number): Int32Array {
    return this.outs.list.subarray(this.outs.offset[j]!, this.outs.offset[j + 1]!);
  }
}

/** A via-node restriction with its OSM ways already resolved to the builder's way indexes. */
export interface JunctionRestriction {
  kind: RestrictionKind;
  /** Junction of the via node, or -1 when it is not on the drivable graph. */
  via: number;
  fromWays: readonly number[];
  toWays: readonly number[];
  /** from and to are the same way: the restriction is about turning back along it. */
  uTurn: boolean;
}

export class TurnRules {
  /** Forbidden (entry, exit) pairs per junction. */
  private readonly forbidden = new Map<number, Set<number>>();
  applied = 0;
  unmatched = 0;

  constructor(
    private readonly adj: JunctionAdjacency,
    /** Junctions no vehicle may pass through (blocking barriers). */
    private readonly blocked: Uint8Array,
  ) {}

  /** Applies one restriction; counts it as unmatched when its ways do not meet at the via node. */
  add(r: JunctionRestriction, segWay: readonly number[]): void {
    const adj = this.adj;
    const j = r.via;
    if (j < 0) {
      this.unmatched++;
      return;
    }
    const ins = [...adj.entries(j)].filter((d) => r.fromWays.includes(segWay[d >> 1]!));
    const pairs: [number, number][] = [];
    if (r.uTurn) {
      for (const din of ins) if (adj.allowed(din ^ 1)) pairs.push([din, din ^ 1]);
    } else {
      const outs = [...adj.exits(j)].filter((d) => r.toWays.includes(segWay[d >> 1]!));
      for (const din of ins) for (const dout of outs) pairs.push([din, dout]);
    }
    if (pairs.length === 0) {
      this.unmatched++;
      return;
    }
    this.applied++;
    if (r.kind === 'no') {
      for (const [din, dout] of pairs) this.forbid(j, din, dout);
      return;
    }
    // only_*: from each entry on the from-way, every other exit is forbidden.
    for (const din of ins) {
      const keep = new Set(pairs.filter((p) => p[0] === din).map((p) => p[1]));
      for (const dout of adj.exits(j)) if (!keep.has(dout)) this.forbid(j, din, dout);
    }
  }

  isSplit(j: number): boolean {
    return this.blocked[j] === 1 || this.forbidden.has(j);
  }

  isForbidden(j: number, din: number, dout: number): boolean {
    return this.blocked[j] === 1 || (this.forbidden.get(j)?.has(this.key(din, dout)) ?? false);
  }

  private forbid(j: number, din: number, dout: number): void {
    let set = this.forbidden.get(j);
    if (!set) this.forbidden.set(j, (set = new Set()));
    set.add(this.key(din, dout));
  }

  private key(din: number, dout: number): number {
    return din * this.adj.directions + dout;
  }
}

export interface RoutingNodes {
  nodeLatE7: Int32Array;
  nodeLngE7: Int32Array;
  /** Routing node at the end of each segment direction, or -1. */
  segDirHead: Int32Array;
  /** Base edges (unsorted): tail node, head node, segment direction driven. */
  edgeTail: Int32Array;
  edgeHead: Int32Array;
  edgeDir: Int32Array;
}

/** One routing node per junction, or per entry direction at a junction with forbidden turns. */
export function splitJunctions(adj: JunctionAdjacency, rules: TurnRules, junctionLatE7: ArrayLike<number>, junctionLngE7: ArrayLike<number>): RoutingNodes {
  const nJ = adj.junctions;
  const segDirHead = new Int32Array(adj.directions).fill(-1);
  const junctionNode = new Int32Array(nJ).fill(-1);
  const lat: number[] = [];
  const lng: number[] = [];
  for (let j = 0; j < nJ; j++) {
    if (rules.isSplit(j)) {
      for (const din of adj.entries(j)) {
        segDirHead[din] = lat.length;
        lat.push(junctionLatE7[j]!);
        lng.push(junctionLngE7[j]!);
      }
    } else {
      junctionNode[j] = lat.length;
      for (const din of adj.entries(j)) segDirHead[din] = lat.length;
      lat.push(junctionLatE7[j]!);
      lng.push(junctionLngE7[j]!);
    }
  }
  const tail: number[] = [];
  const head: number[] = [];
  const dir: number[] = [];
  for (let d = 0; d < adj.directions; d++) {
    if (!adj.allowed(d)) continue;
    const u = adj.tail(d);
    if (rules.isSplit(u)) {
      for (const din of adj.entries(u)) {
        if (rules.isForbidden(u, din, d)) continue;
        tail.push(segDirHead[din]!);
        head.push(segDirHead[d]!);
        dir.push(d);
      }
    } else {
      tail.push(junctionNode[u]!);
      head.push(segDirHead[d]!);
      dir.push(d);
    }
  }
  return {
    nodeLatE7: Int32Array.from(lat),
    nodeLngE7: Int32Array.from(lng),
    segDirHead,
    edgeTail: Int32Array.from(tail),
    edgeHead: Int32Array.from(head),
    edgeDir: Int32Array.from(dir),
  };
}
