import { DEFAULT_RECOMMEND, recommendUnits } from '../recommender.ts';
import type { Choice, DispatchRule, RelocationRule, SimCall, SimContext, SimPolicy } from './model.ts';
import { meanOf } from './random.ts';
import { travelSec, travelSecMany } from './travel.ts';

/**
 * Policies are a dispatch rule (which idle unit answers a call) and a relocation rule (where a
 * unit that clears goes to wait). The presets below are the ones the issue compares.
 */

/**
 * Closest idle unit by ETA: the production recommender itself (`recommendUnits` over the
 * FleetIndex and the live EtaProvider, production gather/radius), taking its first answer.
 */
export const closestIdle: DispatchRule = {
  name: 'closest-idle',
  async choose(call, ctx) {
    const [best] = await recommendUnits(ctx.index, ctx.eta, call, (id) => id, { ...DEFAULT_RECOMMEND, show: 1 });
    if (!best) return null;
    return { unit: unitIndex(ctx, best.vehicleId), travelSec: best.etaSec };
  },
};

/**
 * Coverage-aware dispatch (Jagtenberg, Bhulai & van der Mei, HCMS 2017): among the idle units
 * expected on scene within the call's target, send the one whose departure costs the least
 * MEXCLP expected coverage (busy fraction q) of the units that stay; when none can make the
 * target, send the closest idle unit as production does. Ties go to the shorter ETA.
 */
export const coverageAware: DispatchRule = {
  name: 'coverage-aware',
  async choose(call, ctx) {
    const cov = ctx.coverage;
    if (!cov) throw new Error('coverage-aware dispatch needs demand points (coverage model)');
    const idle = ctx.idleUnits();
    if (idle.length === 0) return null;
    const etas = await travelSecMany(ctx.eta, idle.map((i) => ctx.positionOf(i)), call);
    const budget = ctx.scenario.targetSec[call.priority] - meanOf(ctx.scenario.service.turnoutSec);
    const k = cov.counts(idle.map((i) => ctx.units[i]!.base));
    let best: Choice | null = null;
    let bestLoss = Infinity;
    for (let j = 0; j < idle.length; j++) {
      if (etas[j]! > budget) continue;
      const loss = cov.lossIfRemoved(ctx.units[idle[j]!]!.base, k);
      // Compare losses with a relative tolerance: equal-coverage units tie on ETA, not on rounding.
      if (!best || loss < bestLoss - 1e-12 * Math.abs(bestLoss) || (Math.abs(loss - bestLoss) <= 1e-12 * Math.abs(bestLoss) && etas[j]! < best.travelSec)) {
        best = { unit: idle[j]!, travelSec: etas[j]! };
        bestLoss = loss;
      }
    }
    return best ?? closestIdle.choose(call, ctx);
  },
};

/** A uniformly random idle unit (a check of the queueing, not a policy anyone should use). */
export const randomIdle: DispatchRule = {
  name: 'random-idle',
  async choose(call, ctx) {
    const idle = ctx.idleUnits();
    if (idle.length === 0) return null;
    const unit = idle[Math.floor(ctx.rng() * idle.length)]!;
    return { unit, travelSec: await travelSec(ctx.eta, ctx.positionOf(unit), call) };
  },
};

/** Fixed preference lists by atom (the hypercube model's dispatch): the first idle unit of the call's list. */
export function fixedPreference(prefsByAtom: readonly (readonly number[])[]): DispatchRule {
  return {
    name: 'fixed-preference',
    async choose(call: SimCall, ctx: SimContext) {
      const prefs = prefsByAtom[call.atom ?? -1];
      if (!prefs) throw new Error(`no preference list for atom ${String(call.atom)}`);
      const unit = prefs.find((u) => ctx.units[u]!.idle);
      if (unit === undefined) return null;
      return { unit, travelSec: await travelSec(ctx.eta, ctx.positionOf(unit), call) };
    },
  };
}

/** The static baseline: every unit goes back to its home station. */
export const returnHome: RelocationRule = {
  name: 'return-to-home',
  destination: (unit, ctx) => ctx.units[unit]!.home,
};

/**
 * Dynamic MEXCLP move-up (Jagtenberg, Bhulai & van der Mei, ORHC 2015): a unit that clears goes
 * to the station where one more unit adds the most expected coverage, given where the other idle
 * units wait; ties go to the station it reaches soonest.
 */
export const moveUp: RelocationRule = {
  name: 'move-up',
  async destination(unit, ctx) {
    const cov = ctx.coverage;
    if (!cov) throw new Error('move-up needs demand points (coverage model)');
    const others = ctx.idleUnits().filter((i) => i !== unit);
    const k = cov.counts(others.map((i) => ctx.units[i]!.base));
    const gains = ctx.scenario.stations.map((_, s) => cov.gainIfAdded(s, k));
    const top = Math.max(...gains);
    const tied = gains.flatMap((g, s) => (g >= top - 1e-12 * Math.abs(top) ? [s] : []));
    if (tied.length === 1) return tied[0]!;
    const from = ctx.positionOf(unit);
    let best = tied[0]!;
    let bestSec = Infinity;
    for (const s of tied) {
      const sec = await travelSec(ctx.eta, from, ctx.scenario.stations[s]!);
      if (sec < bestSec) (best = s), (bestSec = sec);
    }
    return best;
  },
};

export const PRESETS = {
  'closest-idle': { name: 'closest-idle', dispatch: closestIdle, relocation: returnHome },
  'coverage-aware': { name: 'coverage-aware', dispatch: coverageAware, relocation: returnHome },
  'move-up': { name: 'move-up', dispatch: closestIdle, relocation: moveUp },
  'coverage-aware+move-up': { name: 'coverage-aware+move-up', dispatch: coverageAware, relocation: moveUp },
} as const satisfies Record<string, SimPolicy>;

export type PresetName = keyof typeof PRESETS;

/** Policies that need demand points. */
export const needsCoverage = (p: SimPolicy): boolean => p.dispatch === coverageAware || p.relocation === moveUp;

function unitIndex(ctx: SimContext, id: string): number {
  // Unit ids are the scenario's; a linear scan over a fleet of tens is cheaper than a map here.
  const i = ctx.units.findIndex((u) => u.id === id);
  if (i < 0) throw new Error(`recommender returned unknown unit ${id}`);
  return i;
}
