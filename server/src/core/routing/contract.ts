import { MinHeap } from './heap.ts';
import { csrBy } from './turns.ts';

/**
 * Contraction hierarchy preprocessing (Geisberger et al. 2008). Nodes are contracted one by one
 * in order of a lazily-updated priority (edge difference + contracted neighbours + level); when
 * a node goes, a shortcut replaces each path u → v → x that has no equally short detour
 * ("witness") around v. Witness searches are bounded: an unfinished search adds a shortcut that
 * may be unnecessary, never a wrong one, so queries stay exact.
 */

export interface ContractInput {
  nodeCount: number;
  tail: Int32Array;
  head: Int32Array;
  ms: Uint32Array;
  dm: Uint32Array;
  /** Segment direction of each base edge, kept for unpacking routes. */
  segDir: Int32Array;
}

export interface Hierarchy {
  upOffset: Uint32Array;
  upHead: Int32Array;
  upMs: Uint32Array;
  upDm: Uint32Array;
  upMid: Int32Array;
  downOffset: Uint32Array;
  downTail: Int32Array;
  downMs: Uint32Array;
  downDm: Uint32Array;
  downMid: Int32Array;
  shortcuts: number;
}

const SIMULATE_SETTLE_LIMIT = 60;
const CONTRACT_SETTLE_LIMIT = 600;

export function contractGraph(input: ContractInput, onProgress?: (done: number, total: number) => void): Hierarchy {
  const n = input.nodeCount;
  // Dynamic edge store; an edge id indexes every array.
  const eFrom: number[] = [];
  const eTo: number[] = [];
  const eMs: number[] = [];
  const eDm: number[] = [];
  const eMid: number[] = [];
  const outE: number[][] = Array.from({ length: n }, () => []);
  const inE: number[][] = Array.from({ length: n }, () => []);

  const addEdge = (u: number, x: number, ms: number, dm: number, mid: number) => {
    for (const e of outE[u]!) {
      if (eTo[e] === x) {
        if (ms < eMs[e]!) {
          eMs[e] = ms;
          eDm[e] = dm;
          eMid[e] = mid;
        }
        return false;
      }
    }
    const id = eFrom.length;
    eFrom.push(u);
    eTo.push(x);
    eMs.push(ms);
    eDm.push(dm);
    eMid.push(mid);
    outE[u]!.push(id);
    inE[x]!.push(id);
    return true;
  };
  for (let i = 0; i < input.tail.length; i++) {
    const u = input.tail[i]!;
    const x = input.head[i]!;
    if (u !== x) addEdge(u, x, input.ms[i]!, input.dm[i]!, -input.segDir[i]! - 1);
  }

  const contracted = new Uint8Array(n);
  const contractedNeighbours = new Uint32Array(n);
  const level = new Uint32Array(n);

  // Witness search state, reset by stamping.
  const wDist = new Float64Array(n);
  const wStamp = new Uint32Array(n);
  let round = 0;
  const heap = new MinHeap();
  // Out-neighbours of the node being contracted carry the current mark.
  const isTarget = new Uint32Array(n);
  let targetMark = 0;

  const witnessSearch = (source: number, skip: number, maxMs: number, targets: number, settleLimit: number) => {
    round++;
    heap.clear();
    wStamp[source] = round;
    wDist[source] = 0;
    heap.push(0, source);
    let settled = 0;
    let targetsLeft = targets;
    while (heap.size > 0) {
      const d = heap.peekKey();
      const u = heap.pop();
      if (d > wDist[u]!) continue;
      if (d > maxMs) break;
      if (++settled > settleLimit) break;
      if (isTarget[u] === targetMark && --targetsLeft === 0) break;
      for (const e of outE[u]!) {
        const x = eTo[e]!;
        if (x === skip || contracted[x]) continue;
        const nd = d + eMs[e]!;
        if (wStamp[x] !== round || nd < wDist[x]!) {
          wStamp[x] = round;
          wDist[x] = nd;
          heap.push(nd, x);
        }
      }
    }
  };

  /** Shortcuts needed to contract v; adds them when `apply`. */
  const contractNode = (v: number, apply: boolean, settleLimit: number): { shortcuts: number; removed: number } => {
    const ins = inE[v]!;
    const outs = outE[v]!;
    let shortcuts = 0;
    targetMark++;
    let targetCount = 0;
    let maxOut = 0;
    for (const e of outs) {
      const x = eTo[e]!;
      if (isTarget[x] !== targetMark) {
        isTarget[x] = targetMark;
        targetCount++;
      }
      if (eMs[e]! > maxOut) maxOut = eMs[e]!;
    }
    for (const ein of ins) {
      const u = eFrom[ein]!;
      const wu = eMs[ein]!;
      // u itself may be an out-neighbour (a two-way street); it never needs a shortcut to itself,
      // but the search settles it first and counts it like any target.
      if (targetCount - (isTarget[u] === targetMark ? 1 : 0) === 0) continue;
      witnessSearch(u, v, wu + maxOut, targetCount, settleLimit);
      for (const eout of outs) {
        const x = eTo[eout]!;
        if (x === u) continue;
        const need = wu + eMs[eout]!;
        if (wStamp[x] === round && wDist[x]! <= need) continue;
        shortcuts++;
        if (apply) addEdge(u, x, need, eDm[ein]! + eDm[eout]!, v);
      }
    }
    return { shortcuts, removed: ins.length + outs.length };
  };

  const priority = (v: number) => {
    const { shortcuts, removed } = contractNode(v, false, SIMULATE_SETTLE_LIMIT);
    return 2 * (shortcuts - removed) + contractedNeighbours[v]! + level[v]!;
  };

  const prio = new Float64Array(n);
  const order = new MinHeap(n);
  for (let v = 0; v < n; v++) {
    prio[v] = priority(v);
    order.push(prio[v]!, v);
  }

  // Final hierarchy edges, collected as nodes are contracted.
  const upNode: number[] = [], upHead: number[] = [], upMs: number[] = [], upDm: number[] = [], upMid: number[] = [];
  const dnNode: number[] = [], dnTail: number[] = [], dnMs: number[] = [], dnDm: number[] = [], dnMid: number[] = [];
  let shortcutCount = 0;
  let done = 0;

  while (order.size > 0) {
    const key = order.peekKey();
    const v = order.pop();
    if (contracted[v] || key !== prio[v]) continue;
    // Lazy update: the priority may have grown since it was queued.
    const p = priority(v);
    if (order.size > 0 && p > order.peekKey()) {
      prio[v] = p;
      order.push(p, v);
      continue;
    }
    const before = eFrom.length;
    contractNode(v, true, CONTRACT_SETTLE_LIMIT);
    shortcutCount += eFrom.length - before;

    for (const e of outE[v]!) {
      upNode.push(v); upHead.push(eTo[e]!); upMs.push(eMs[e]!); upDm.push(eDm[e]!); upMid.push(eMid[e]!);
    }
    for (const e of inE[v]!) {
      dnNode.push(v); dnTail.push(eFrom[e]!); dnMs.push(eMs[e]!); dnDm.push(eDm[e]!); dnMid.push(eMid[e]!);
    }
    contracted[v] = 1;
    const neighbours = new Set<number>();
    for (const e of outE[v]!) neighbours.add(eTo[e]!);
    for (const e of inE[v]!) neighbours.add(eFrom[e]!);
    for (const x of neighbours) {
      outE[x] = outE[x]!.filter((e) => eTo[e] !== v);
      inE[x] = inE[x]!.filter((e) => eFrom[e] !== v);
      contractedNeighbours[x]!++;
      if (level[x]! < level[v]! + 1) level[x] = level[v]! + 1;
    }
    outE[v] = [];
    inE[v] = [];
    for (const x of neighbours) {
      prio[x] = priority(x);
      order.push(prio[x]!, x);
    }
    if (++done % 10_000 === 0) onProgress?.(done, n);
  }
  onProgress?.(n, n);

  // Group the edges by the node they are stored at (compressed sparse rows, insertion order kept).
  const up = csrBy(n, upNode.length, (i) => upNode[i]!);
  const down = csrBy(n, dnNode.length, (i) => dnNode[i]!);
  return {
    upOffset: up.offset,
    upHead: Int32Array.from(up.list, (i) => upHead[i]!),
    upMs: Uint32Array.from(up.list, (i) => upMs[i]!),
    upDm: Uint32Array.from(up.list, (i) => upDm[i]!),
    upMid: Int32Array.from(up.list, (i) => upMid[i]!),
    downOffset: down.offset,
    downTail: Int32Array.from(down.list, (i) => dnTail[i]!),
    downMs: Uint32Array.from(down.list, (i) => dnMs[i]!),
    downDm: Uint32Array.from(down.list, (i) => dnDm[i]!),
    downMid: Int32Array.from(down.list, (i) => dnMid[i]!),
    shortcuts: shortcutCount,
  };
}
