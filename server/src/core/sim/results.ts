import type { SimEstimate, SimPolicyReport } from '@lifeline/protocol';
import type { SimPriority } from './model.ts';
import type { RunResult } from './engine.ts';

/** One run's figures. Times in seconds; shares in 0..1. */
export interface RunSummary {
  policy: string;
  seed: number;
  calls: number;
  /** Calls never reached by a unit before the run ended (none when the run drains). */
  unserved: number;
  meanResponseSec: number;
  medianResponseSec: number;
  p90ResponseSec: number;
  /** Share of served calls on scene later than their priority's target. */
  lateFraction: number;
  /** Share within target, by priority (absent priorities omitted). */
  withinTarget: Partial<Record<SimPriority, number>>;
  /** Share of calls that found no idle unit on arrival. */
  pWait: number;
  meanWaitSec: number;
  /** Null when zones are unknown. */
  outOfAreaFraction: number | null;
  /** Fraction of the measured window each unit was busy. */
  workloads: number[];
}

export function summarize(r: RunResult, targetSec: Readonly<Record<SimPriority, number>>): RunSummary {
  const n = r.responseSec.length;
  const served: number[] = [];
  let late = 0;
  let queued = 0;
  let waitSum = 0;
  let outKnown = 0;
  let out = 0;
  const within = new Map<number, [number, number]>();
  for (let i = 0; i < n; i++) {
    queued += r.queued[i]!;
    if (r.outOfArea[i]! >= 0) (outKnown++, (out += r.outOfArea[i]!));
    const t = r.responseSec[i]!;
    if (Number.isNaN(t)) continue;
    served.push(t);
    waitSum += r.waitSec[i]!;
    const p = r.priority[i]!;
    const ok = t <= targetSec[p as SimPriority];
    if (!ok) late++;
    const w = within.get(p) ?? [0, 0];
    w[0] += ok ? 1 : 0;
    w[1]++;
    within.set(p, w);
  }
  const sorted = Float64Array.from(served).sort();
  const withinTarget: Partial<Record<SimPriority, number>> = {};
  for (const p of [...within.keys()].sort()) withinTarget[p as SimPriority] = within.get(p)![0] / within.get(p)![1];
  return {
    policy: r.policy,
    seed: r.seed,
    calls: n,
    unserved: n - served.length,
    meanResponseSec: mean(sorted),
    medianResponseSec: quantile(sorted, 0.5),
    p90ResponseSec: quantile(sorted, 0.9),
    lateFraction: served.length ? late / served.length : NaN,
    withinTarget,
    pWait: n ? queued / n : NaN,
    meanWaitSec: served.length ? waitSum / served.length : NaN,
    outOfAreaFraction: outKnown ? out / outKnown : null,
    workloads: Array.from(r.busySec, (b) => (r.windowSec > 0 ? b / r.windowSec : NaN)),
  };
}

/** Nearest-rank quantile of a sorted sample. */
export function quantile(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  return sorted[Math.min(n - 1, Math.max(0, Math.ceil(p * n) - 1))]!;
}

export function mean(xs: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += xs[i]!;
  return xs.length ? s / xs.length : NaN;
}

/** Mean with a 95 % Student-t confidence half-width over replications. */
export type Estimate = SimEstimate;

// Two-sided 97.5 % quantiles of Student's t for 1..30 degrees of freedom; 1.96 beyond.
const T975 = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042];

export function estimate(xs: readonly number[]): Estimate {
  const n = xs.length;
  const m = mean(xs);
  if (n < 2) return { mean: m, ci95: NaN, n };
  let ss = 0;
  for (const x of xs) ss += (x - m) ** 2;
  const se = Math.sqrt(ss / (n - 1) / n);
  return { mean: m, ci95: (T975[n - 2] ?? 1.96) * se, n };
}

/** A policy's figures over replications, with the late fraction relative to the baseline's. */
export type PolicyReport = SimPolicyReport;

/**
 * Aggregates runs by policy. Runs with the same seed share their calls and service times
 * (common random numbers), so "relative to baseline" is paired seed by seed.
 */
export function comparePolicies(runs: readonly RunSummary[], baseline: string): PolicyReport[] {
  const byPolicy = new Map<string, RunSummary[]>();
  for (const r of runs) byPolicy.set(r.policy, [...(byPolicy.get(r.policy) ?? []), r]);
  const base = new Map((byPolicy.get(baseline) ?? []).map((r) => [r.seed, r]));
  return [...byPolicy.entries()].map(([policy, rs]) => {
    const est = (f: (r: RunSummary) => number) => estimate(rs.map(f));
    const rel = rs.flatMap((r) => {
      const b = base.get(r.seed);
      return b && b.lateFraction > 0 ? [(r.lateFraction - b.lateFraction) / b.lateFraction] : [];
    });
    const priorities = [...new Set(rs.flatMap((r) => Object.keys(r.withinTarget)))].sort();
    const withinTarget: Partial<Record<SimPriority, Estimate>> = {};
    for (const p of priorities) withinTarget[Number(p) as SimPriority] = est((r) => r.withinTarget[Number(p) as SimPriority] ?? NaN);
    return {
      policy,
      replications: rs.length,
      calls: rs.reduce((s, r) => s + r.calls, 0),
      meanResponseSec: est((r) => r.meanResponseSec),
      medianResponseSec: est((r) => r.medianResponseSec),
      p90ResponseSec: est((r) => r.p90ResponseSec),
      lateFraction: est((r) => r.lateFraction),
      lateRelativeToBaseline: policy === baseline || rel.length === 0 ? null : estimate(rel),
      withinTarget,
      pWait: est((r) => r.pWait),
      outOfAreaFraction: rs.every((r) => r.outOfAreaFraction !== null) ? est((r) => r.outOfAreaFraction!) : null,
      workloads: rs[0]!.workloads.map((_, u) => est((r) => r.workloads[u]!)),
    };
  });
}
