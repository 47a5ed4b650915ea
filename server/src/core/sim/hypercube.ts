/**
 * Larson's hypercube queueing model with an infinite FIFO queue (Larson & Odoni, Urban Operations
 * Research, 1981, §5.4.2–5.4.4): N distinguishable servers, each free or busy (state = bit set,
 * bit n = server n busy), Poisson arrivals from atoms with fixed dispatch preference lists,
 * exponential service at rate μ for every server, independent of travel.
 *
 * The queue only forms when all servers are busy, and then it drains like M/M/N: the full state
 * with k waiting has probability P(full) · ρ^k, ρ = λ/(Nμ). So the 2^N chain is solved with the
 * full state's arrivals as self-loops, and the queue tail is folded in by normalisation.
 */

export interface HypercubeAtom {
  /** Arrival rate, per unit of time (the same unit as `mu`). */
  rate: number;
  /** Server indices, most preferred first; the first is the atom's primary (in-area) server. */
  prefs: readonly number[];
}

export interface HypercubeResult {
  /** Steady-state probability of each busy set (bit n = server n busy), no queue. */
  states: Float64Array;
  /** Probability that all servers are busy, with or without a queue: P(an arrival must queue). */
  pQueue: number;
  /** Fraction of time each server is busy. */
  workloads: number[];
  /** Fraction of dispatches that send a server other than the atom's primary. */
  outOfArea: number;
  /** f[n][j]: fraction of all dispatches that send server n to atom j. */
  dispatchFractions: number[][];
}

export function solveHypercube(servers: number, atoms: readonly HypercubeAtom[], mu = 1): HypercubeResult {
  const S = 1 << servers;
  const full = S - 1;
  const lambda = atoms.reduce((s, a) => s + a.rate, 0);
  const rho = lambda / (servers * mu);
  if (!(rho < 1)) throw new Error('unstable: λ ≥ Nμ');
  const firstFree = (b: number, prefs: readonly number[]) => prefs.find((n) => !(b & (1 << n)));

  // Balance equations π Q = 0 written as A x = 0 with A = Qᵀ; the last equation is replaced by Σ x = 1.
  const A = Array.from({ length: S }, () => new Float64Array(S + 1));
  for (let b = 0; b < S; b++) {
    const add = (to: number, rate: number) => {
      A[to]![b]! += rate;
      A[b]![b]! -= rate;
    };
    for (let n = 0; n < servers; n++) if (b & (1 << n)) add(b ^ (1 << n), mu);
    if (b !== full) for (const a of atoms) add(b | (1 << firstFree(b, a.prefs)!), a.rate);
  }
  for (let j = 0; j < S; j++) A[S - 1]![j] = 1;
  A[S - 1]![S] = 1;
  const pi = gaussSolve(A);

  const norm = pi.reduce((s, v, b) => s + (b === full ? v / (1 - rho) : v), 0);
  const states = Float64Array.from(pi, (v) => v / norm);
  const pQueue = states[full]! / (1 - rho);

  const workloads = Array.from({ length: servers }, (_, n) => {
    let w = pQueue;
    for (let b = 0; b < full; b++) if (b & (1 << n)) w += states[b]!;
    return w;
  });
  // A queued call goes to whichever server frees first: each with probability 1/N (equal μ).
  const f = Array.from({ length: servers }, () => atoms.map((a) => (pQueue * a.rate) / lambda / servers));
  for (let b = 0; b < full; b++) {
    atoms.forEach((a, j) => {
      f[firstFree(b, a.prefs)!]![j]! += (states[b]! * a.rate) / lambda;
    });
  }
  let outOfArea = 0;
  atoms.forEach((a, j) => {
    for (let n = 0; n < servers; n++) if (n !== a.prefs[0]) outOfArea += f[n]![j]!;
  });
  return { states, pQueue, workloads, outOfArea, dispatchFractions: f };
}

/** Erlang-C: probability that an arrival waits in M/M/c with offered load a = λ/μ (< c). */
export function erlangC(c: number, a: number): number {
  let term = 1;
  let sum = 1;
  for (let k = 1; k < c; k++) {
    term *= a / k;
    sum += term;
  }
  const top = ((term * a) / c) * (c / (c - a));
  return top / (sum + top);
}

/** Gauss–Jordan with partial pivoting on an augmented n × (n+1) matrix (modified in place). */
function gaussSolve(A: Float64Array[]): number[] {
  const n = A.length;
  for (let i = 0; i < n; i++) {
    let p = i;
    for (let k = i + 1; k < n; k++) if (Math.abs(A[k]![i]!) > Math.abs(A[p]![i]!)) p = k;
    [A[i], A[p]] = [A[p]!, A[i]!];
    for (let k = 0; k < n; k++) {
      if (k === i) continue;
      const factor = A[k]![i]! / A[i]![i]!;
      if (factor === 0) continue;
      for (let j = i; j <= n; j++) A[k]![j]! -= factor * A[i]![j]!;
    }
  }
  return A.map((row, i) => row[n]! / row[i]!);
}
