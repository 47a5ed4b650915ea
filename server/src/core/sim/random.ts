/**
 * Seeded randomness for the simulator. Nothing here reads a clock or Math.random, so one seed
 * gives one run, byte for byte.
 */

export type Rng = () => number;

/** mulberry32: a small, fast 32-bit generator with a full 2³² period; uniform in [0, 1). */
export function mulberry32(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** An independent stream for `(seed, stream)`: replications and sub-streams never share a sequence. */
export function substream(seed: number, stream: number): Rng {
  // splitmix32-style mixing of the pair, so neighbouring seeds do not give correlated streams.
  let h = (Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(stream + 1, 0xc2b2ae35)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d) >>> 0;
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b) >>> 0;
  return mulberry32((h ^ (h >>> 16)) >>> 0);
}

/** A duration distribution, seconds. */
export type Dist =
  | { kind: 'fixed'; sec: number }
  | { kind: 'exp'; meanSec: number }
  | { kind: 'uniform'; minSec: number; maxSec: number }
  /** Log-normal given by its own mean and standard deviation (not those of the underlying normal). */
  | { kind: 'lognormal'; meanSec: number; sdSec: number };

export const ZERO: Dist = { kind: 'fixed', sec: 0 };

/** One draw from `d`, seconds (never negative). */
export function sample(d: Dist, rng: Rng): number {
  switch (d.kind) {
    case 'fixed':
      return d.sec;
    case 'exp':
      // 1 − u is in (0, 1], so the log is finite.
      return -d.meanSec * Math.log(1 - rng());
    case 'uniform':
      return d.minSec + (d.maxSec - d.minSec) * rng();
    case 'lognormal': {
      const s2 = Math.log(1 + (d.sdSec * d.sdSec) / (d.meanSec * d.meanSec));
      const mu = Math.log(d.meanSec) - s2 / 2;
      return Math.exp(mu + Math.sqrt(s2) * standardNormal(rng));
    }
  }
}

export function meanOf(d: Dist): number {
  switch (d.kind) {
    case 'fixed':
      return d.sec;
    case 'exp':
    case 'lognormal':
      return d.meanSec;
    case 'uniform':
      return (d.minSec + d.maxSec) / 2;
  }
}

/** Box–Muller; uses two uniforms per draw so the stream stays aligned whatever the branch. */
function standardNormal(rng: Rng): number {
  const u = 1 - rng();
  const v = rng();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** Checks a distribution read from untrusted input; null when it is usable. */
export function distProblem(d: Dist): string | null {
  const ok = (x: unknown) => typeof x === 'number' && Number.isFinite(x) && x >= 0;
  switch (d?.kind) {
    case 'fixed':
      return ok(d.sec) ? null : 'fixed: sec must be ≥ 0';
    case 'exp':
      return ok(d.meanSec) ? null : 'exp: meanSec must be ≥ 0';
    case 'uniform':
      return ok(d.minSec) && ok(d.maxSec) && d.minSec <= d.maxSec ? null : 'uniform: 0 ≤ minSec ≤ maxSec';
    case 'lognormal':
      return ok(d.meanSec) && d.meanSec > 0 && ok(d.sdSec) ? null : 'lognormal: meanSec > 0, sdSec ≥ 0';
    default:
      return 'unknown distribution kind';
  }
}
