import type { EtaProvider } from '../eta.ts';
import { CoverageModel, type DemandPoint } from './coverage.ts';
import { runSimulation } from './engine.ts';
import type { Scenario, SimPolicy } from './model.ts';
import { needsCoverage } from './policies.ts';
import { meanOf } from './random.ts';
import { comparePolicies, summarize, type PolicyReport, type RunSummary } from './results.ts';

export interface CompareOptions {
  /** The scenario of one replication (replay: the same calls every time; synthetic: a new stream per seed). */
  scenarioFor: (seed: number) => Scenario;
  eta: EtaProvider;
  policies: readonly SimPolicy[];
  seeds: readonly number[];
  /** Needed by coverage-aware dispatch and move-up. */
  demand?: readonly DemandPoint[];
  /** MEXCLP busy fraction; estimated from the first replication's load when absent. */
  busyFraction?: number;
  /** The policy others are compared with (default: the first). */
  baseline?: string;
  /** Called after each run (progress). */
  onRun?: (done: number, total: number) => void;
}

export interface Comparison {
  busyFraction: number | null;
  /** Coverage travel-time budget: priority 1 target minus mean turnout, seconds. */
  coverageBudgetSec: number | null;
  runs: RunSummary[];
  policies: PolicyReport[];
}

/** Every policy on every replication, then the comparison. Deterministic given the seeds. */
export async function comparePoliciesOn(opts: CompareOptions): Promise<Comparison> {
  let coverage: CoverageModel | null = null;
  let q: number | null = null;
  let budget: number | null = null;
  if (opts.policies.some(needsCoverage)) {
    if (!opts.demand?.length) throw new Error('coverage-aware policies need demand points');
    const first = opts.scenarioFor(opts.seeds[0]!);
    budget = first.targetSec[1] - meanOf(first.service.turnoutSec);
    // Cover sets do not depend on q; build once with a placeholder to learn the travel times.
    const probe = await CoverageModel.build(opts.eta, first.stations, opts.demand, budget, 0);
    q = opts.busyFraction ?? estimateBusyFraction(first, probe.meanNearestEtaSec());
    coverage = probe.withBusyFraction(q);
  }
  const runs: RunSummary[] = [];
  const total = opts.policies.length * opts.seeds.length;
  for (const seed of opts.seeds) {
    const scenario = opts.scenarioFor(seed);
    for (const policy of opts.policies) {
      const r = await runSimulation(scenario, { seed, policy, eta: opts.eta, coverage });
      runs.push(summarize(r, scenario.targetSec));
      opts.onRun?.(runs.length, total);
    }
  }
  return { busyFraction: q, coverageBudgetSec: budget, runs, policies: comparePolicies(runs, opts.baseline ?? opts.policies[0]!.name) };
}

/**
 * Offered load per unit: λ × E[busy time per call] / units, the busy time taking travel out and
 * back as `meanTravelSec` each way (transport included). Clamped to [0.01, 0.95].
 */
export function estimateBusyFraction(s: Scenario, meanTravelSec: number): number {
  const n = s.calls.length;
  if (n < 2 || s.units.length === 0) return 0.5;
  const spanSec = s.calls[n - 1]!.tSec - s.calls[0]!.tSec;
  const svc = s.service;
  const perCall = meanOf(svc.turnoutSec) + meanTravelSec + meanOf(svc.onSceneSec) + svc.transportProb * (meanTravelSec + meanOf(svc.handoverSec));
  const q = ((n / spanSec) * perCall) / s.units.length;
  return Math.min(0.95, Math.max(0.01, q));
}
