/** Small statistics helpers. All inputs are plain sample arrays; nothing here reads a clock. */

/** Percentile by nearest rank (p in 0..100) of an unsorted sample; NaN when empty. */
export function percentile(samples: ArrayLike<number>, p: number): number {
  const n = samples.length;
  if (n === 0) return NaN;
  const sorted = Float64Array.from(samples).sort();
  const rank = Math.min(n - 1, Math.max(0, Math.ceil((p / 100) * n) - 1));
  return sorted[rank]!;
}

export function median(samples: ArrayLike<number>): number {
  return percentile(samples, 50);
}

export function mean(samples: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < samples.length; i++) s += samples[i]!;
  return samples.length ? s / samples.length : NaN;
}

/** p50/p95/p99/max of a sample, in the sample's own unit. */
export function summary(samples: ArrayLike<number>): { n: number; p50: number; p95: number; p99: number; max: number; mean: number } {
  if (samples.length === 0) return { n: 0, p50: NaN, p95: NaN, p99: NaN, max: NaN, mean: NaN };
  const sorted = Float64Array.from(samples).sort();
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
  return { n: sorted.length, p50: at(50), p95: at(95), p99: at(99), max: sorted[sorted.length - 1]!, mean: mean(sorted) };
}

/**
 * A bounded reservoir: keeps a uniform random sample of at most `cap` values, so a long run
 * cannot grow memory without bound and percentiles stay unbiased.
 */
export class Reservoir {
  readonly values: number[] = [];
  seen = 0;
  constructor(private readonly cap = 200_000) {}
  add(v: number): void {
    this.seen++;
    if (this.values.length < this.cap) this.values.push(v);
    else {
      const j = Math.floor(Math.random() * this.seen);
      if (j < this.cap) this.values[j] = v;
    }
  }
}

/** Deterministic PRNG (mulberry32) so every method sees the same fleet and the same queries. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Rounds for display and JSON: 3 significant figures, integers kept whole. */
export function round(v: number): number {
  if (!Number.isFinite(v)) return v;
  if (Math.abs(v) >= 100) return Math.round(v);
  return Number(v.toPrecision(3));
}

/** `ours / baseline`, rounded; null when either side is missing. */
export function ratio(ours: number, baseline: number): number | null {
  if (!Number.isFinite(ours) || !Number.isFinite(baseline) || baseline === 0) return null;
  return Number((ours / baseline).toPrecision(3));
}
