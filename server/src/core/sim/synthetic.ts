import type { LatLng } from '@lifeline/protocol';
import type { DemandPoint } from './coverage.ts';
import type { SimCall, SimPriority } from './model.ts';
import type { Rng } from './random.ts';

export interface SyntheticOptions {
  /** Length of the stream, seconds. */
  durationSec: number;
  /** Calls per hour: one figure, or 168 by hour of week (Monday 00:00 first, local time). */
  callsPerHour: number | readonly number[];
  /** Epoch ms of t = 0, and the local offset, to place t in the week (Việt Nam: +420). */
  startMs?: number;
  utcOffsetMin?: number;
  /** Where calls come from; a point is picked with probability ∝ weight. */
  demand: readonly DemandPoint[];
  /** Calls land uniformly within this many metres of their demand point (square jitter). */
  jitterM?: number;
  /** Share of each priority (need not sum to 1). */
  priorityMix?: Readonly<Partial<Record<SimPriority, number>>>;
  /** Demand point index → zone, for out-of-area statistics. */
  zoneOf?: (point: number) => number | undefined;
}

const HOUR_SEC = 3600;
const M_PER_DEG = 111_195;

/**
 * A Poisson call stream whose rate is constant within each hour of the week (non-homogeneous,
 * piecewise constant: memorylessness lets each hour start afresh), locations drawn from a demand
 * grid. Deterministic given `rng`.
 */
export function syntheticCalls(opts: SyntheticOptions, rng: Rng): SimCall[] {
  const rates = typeof opts.callsPerHour === 'number' ? null : opts.callsPerHour;
  if (rates && rates.length !== 168) throw new Error('callsPerHour needs 168 values (hours of the week)');
  const startMs = opts.startMs ?? 0;
  const offsetSec = (opts.utcOffsetMin ?? 420) * 60;
  const pickPoint = sampler(opts.demand.map((d) => d.weight));
  const mix = opts.priorityMix ?? { 1: 0.3, 2: 0.4, 3: 0.3 };
  const prios = (Object.keys(mix) as unknown as SimPriority[]).map(Number) as SimPriority[];
  const pickPriority = sampler(prios.map((p) => mix[p] ?? 0));
  const jitter = opts.jitterM ?? 0;
  const calls: SimCall[] = [];
  for (let hourStart = 0; hourStart < opts.durationSec; hourStart += HOUR_SEC) {
    const hourEnd = Math.min(opts.durationSec, hourStart + HOUR_SEC);
    const perHour = rates ? rates[hourOfWeek(startMs, offsetSec, hourStart)]! : (opts.callsPerHour as number);
    if (!(perHour > 0)) continue;
    for (let t = hourStart - (Math.log(1 - rng()) * HOUR_SEC) / perHour; t < hourEnd; t -= (Math.log(1 - rng()) * HOUR_SEC) / perHour) {
      const point = pickPoint(rng);
      const at = jitterAround(opts.demand[point]!, jitter, rng);
      calls.push({ ...at, tSec: t, priority: prios[pickPriority(rng)]!, zone: opts.zoneOf?.(point) });
    }
  }
  return calls;
}

/** Hour of the week (0 = Monday 00:00–01:00 local) of simulated second `tSec`. */
function hourOfWeek(startMs: number, offsetSec: number, tSec: number): number {
  const localSec = Math.floor(startMs / 1000) + offsetSec + tSec;
  // 1970-01-01 was a Thursday: shift so Monday is day 0.
  const hours = Math.floor(localSec / HOUR_SEC) + 3 * 24;
  return ((hours % 168) + 168) % 168;
}

function jitterAround(p: LatLng, m: number, rng: Rng): LatLng {
  if (m <= 0) return { lat: p.lat, lng: p.lng };
  const dy = (rng() * 2 - 1) * m;
  const dx = (rng() * 2 - 1) * m;
  return { lat: p.lat + dy / M_PER_DEG, lng: p.lng + dx / (M_PER_DEG * Math.cos((p.lat * Math.PI) / 180)) };
}

/** Draws an index with probability ∝ weight (cumulative table + binary search). */
export function sampler(weights: readonly number[]): (rng: Rng) => number {
  const cum = new Float64Array(weights.length);
  let s = 0;
  weights.forEach((w, i) => (cum[i] = s += Math.max(0, w)));
  if (!(s > 0)) throw new Error('weights must have a positive sum');
  return (rng) => {
    const u = rng() * s;
    let lo = 0;
    let hi = cum.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cum[mid]! > u) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  };
}
