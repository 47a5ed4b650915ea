import { describe, expect, it } from 'vitest';
import { runSimulation } from '../src/core/sim/engine.ts';
import { erlangC, solveHypercube, type HypercubeAtom } from '../src/core/sim/hypercube.ts';
import { hypercubeScenario, NO_TRAVEL } from '../src/core/sim/hypercubeScenario.ts';
import { fixedPreference, randomIdle, returnHome } from '../src/core/sim/policies.ts';
import { estimate, summarize } from '../src/core/sim/results.ts';

/**
 * The three-server, ten-atom city of Larson & Odoni, Urban Operations Research (1981), §5.4.3
 * (Figure 5.11, Table 5-4) and §5.4.4 (results), web.mit.edu/urban_or_book/www/book/chapter5/.
 * Rates are per mean service time, λ = 1.5. Servers 0, 1, 2 are the book's units 1, 2, 3.
 *
 * From the text: unit 2's area is atoms 3, 5, 6 with λ5 = 0.15; unit 1's area carries 50 % of
 * the load (0.75) and is split: unit 2 backs up atoms 1 and 2, unit 3 backs up atom 4; unit 1
 * backs up every atom of areas 2 and 3; own-area loads 0.75 / 0.35 / 0.40. f11 ≈ 8.7 % (§5.4.4)
 * gives λ1 = 0.25, hence λ2 = λ4 = 0.25. The figure's split of 0.20 over atoms 3 and 6 and of
 * 0.40 over atoms 7–10 was not readable in the text we found; it changes no aggregate the book
 * reports (workloads, P(queue), out-of-area share depend only on the rate per preference list),
 * so it is taken as even here.
 */
const A = (rate: number, ...prefs: number[]): HypercubeAtom => ({ rate, prefs });
const LARSON_ATOMS: HypercubeAtom[] = [
  A(0.25, 0, 1, 2), // atom 1
  A(0.25, 0, 1, 2), // atom 2
  A(0.1, 1, 0, 2), // atom 3
  A(0.25, 0, 2, 1), // atom 4
  A(0.15, 1, 0, 2), // atom 5
  A(0.1, 1, 0, 2), // atom 6
  A(0.1, 2, 0, 1), // atom 7
  A(0.1, 2, 0, 1), // atom 8
  A(0.1, 2, 0, 1), // atom 9
  A(0.1, 2, 0, 1), // atom 10
];
const BOOK = { workloads: [0.5574, 0.4734, 0.4693], pQueue: 0.23684, outOfArea: 0.43529 };

describe('hypercube model, exact (Larson & Odoni §5.4)', () => {
  const exact = solveHypercube(3, LARSON_ATOMS);

  it('reproduces the book: workloads, P(queue), out-of-area share to 1e-4', () => {
    exact.workloads.forEach((w, n) => expect(Math.abs(w - BOOK.workloads[n]!)).toBeLessThan(1e-4));
    expect(Math.abs(exact.pQueue - BOOK.pQueue)).toBeLessThan(1e-5);
    expect(Math.abs(exact.outOfArea - BOOK.outOfArea)).toBeLessThan(1e-4);
    // §5.4.4: "about 8.7 percent of all service requests ... send unit 1 to atom 1".
    expect(exact.dispatchFractions[0]![0]!).toBeCloseTo(0.087, 3);
  });

  it('P(queue) is Erlang-C(3, 1.5) and the workloads average λ/(Nμ)', () => {
    expect(exact.pQueue).toBeCloseTo(erlangC(3, 1.5), 12);
    expect(erlangC(3, 1.5)).toBeCloseTo(0.236842, 6);
    expect(exact.workloads.reduce((a, b) => a + b) / 3).toBeCloseTo(0.5, 12);
    expect(exact.dispatchFractions.flat().reduce((a, b) => a + b)).toBeCloseTo(1, 12);
  });

  it('differs from the book when one preference list changes (the check can fail)', () => {
    const swapped = LARSON_ATOMS.map((a, j) => (j === 3 ? A(a.rate, 0, 1, 2) : a));
    expect(Math.abs(solveHypercube(3, swapped).workloads[2]! - BOOK.workloads[2]!)).toBeGreaterThan(0.01);
  });
});

/**
 * The engine under the hypercube's assumptions. 10 seeds × 10⁵ calls (the 10 × 10⁶ is
 * `pnpm --filter @lifeline/bench bench:sim --hypercube-calls 1000000`); the tolerance is four
 * standard errors of the 10-seed mean (measured: SE ≈ 0.0008 for a workload), and never looser
 * than the issue's ±0.003. About 12 s of CPU; the timeout is generous because the CI machines are
 * shared (62 s of wall time was seen at a load average of 25 on 2 cores).
 */
describe('simulation engine against the hypercube model', () => {
  const SEEDS = 10;
  const CALLS = 100_000;

  async function replicate(dispatch: Parameters<typeof runSimulation>[1]['policy']['dispatch'], calls = CALLS) {
    const out = [];
    for (let seed = 1; seed <= SEEDS; seed++) {
      const sc = hypercubeScenario(3, LARSON_ATOMS, { calls, meanServiceSec: 1000, seed: 100 + seed, warmupCalls: 1000 });
      const r = await runSimulation(sc, { seed, eta: NO_TRAVEL, policy: { name: dispatch.name, dispatch, relocation: returnHome } });
      out.push(summarize(r, sc.targetSec));
    }
    return out;
  }

  // 4 standard errors of the mean over the seeds (ci95 / t₀.₉₇₅,₉ = SE), capped at the issue's ±0.003.
  const within = (xs: number[], expected: number, cap = 0.003) => {
    const e = estimate(xs);
    const tol = Math.min(cap, (4 * e.ci95) / 2.262);
    return { ...e, expected, tol, ok: Math.abs(e.mean - expected) <= tol };
  };

  it('fixed preferences: workloads, P(wait) and out-of-area share match the exact model', async () => {
    const runs = await replicate(fixedPreference(LARSON_ATOMS.map((a) => a.prefs)));
    const checks = {
      w1: within(runs.map((r) => r.workloads[0]!), BOOK.workloads[0]!),
      w2: within(runs.map((r) => r.workloads[1]!), BOOK.workloads[1]!),
      w3: within(runs.map((r) => r.workloads[2]!), BOOK.workloads[2]!),
      pWait: within(runs.map((r) => r.pWait), BOOK.pQueue),
      outOfArea: within(runs.map((r) => r.outOfAreaFraction!), BOOK.outOfArea),
    };
    console.log('hypercube check (mean, 95 % CI half-width, tolerance):', JSON.stringify(checks));
    for (const [name, c] of Object.entries(checks)) expect({ name, ok: c.ok, mean: c.mean }).toEqual({ name, ok: true, mean: c.mean });
  }, 240_000);

  it('random idle dispatch keeps P(wait) at Erlang-C(3, 1.5)', async () => {
    // Fewer calls (3 × 10⁴ per seed): the tolerance is 4 SE of this smaller sample.
    const runs = await replicate(randomIdle, 30_000);
    const c = within(runs.map((r) => r.pWait), erlangC(3, 1.5), Infinity);
    console.log('random-idle P(wait):', JSON.stringify(c));
    expect(c.ok).toBe(true);
    // Random choice spreads the work evenly (by symmetry each unit carries λ/(Nμ) = 0.5).
    for (let n = 0; n < 3; n++) expect(within(runs.map((r) => r.workloads[n]!), 0.5, Infinity).ok).toBe(true);
  }, 240_000);
});
