import type { LatLng } from '@lifeline/protocol';
import type { EtaProvider, EtaResult } from '../eta.ts';
import type { HypercubeAtom } from './hypercube.ts';
import type { Scenario, SimCall } from './model.ts';
import { substream } from './random.ts';

/**
 * The hypercube model's assumptions as a simulation scenario: one station per server (zone =
 * server), Poisson calls from atoms (zone = the atom's primary server), no turnout, no travel
 * (use {@link NO_TRAVEL}), exponential service with mean `meanServiceSec`, no transport. The
 * engine run under `fixedPreference(atoms' prefs)` must then reproduce `solveHypercube`.
 */
export function hypercubeScenario(servers: number, atoms: readonly HypercubeAtom[], opts: { calls: number; meanServiceSec: number; seed: number; warmupCalls?: number }): Scenario {
  const lambda = atoms.reduce((s, a) => s + a.rate, 0) / opts.meanServiceSec;
  const rng = substream(opts.seed, 0);
  const cum: number[] = [];
  atoms.reduce((s, a) => (cum.push(s + a.rate), s + a.rate), 0);
  const total = cum[cum.length - 1]!;
  // Locations only need to be distinct points; travel is zero.
  const at = (i: number): LatLng => ({ lat: 10.9 + i * 0.01, lng: 106.6 });
  const calls: SimCall[] = [];
  let t = 0;
  for (let c = 0; c < opts.calls; c++) {
    t += -Math.log(1 - rng()) / lambda;
    const u = rng() * total;
    let atom = 0;
    while (atom < cum.length - 1 && u >= cum[atom]!) atom++;
    calls.push({ ...at(atom), tSec: t, priority: 1, atom, zone: atoms[atom]!.prefs[0]! });
  }
  const warmupCalls = opts.warmupCalls ?? 0;
  return {
    stations: Array.from({ length: servers }, (_, n) => ({ id: `S${n + 1}`, ...at(100 + n), zone: n })),
    units: Array.from({ length: servers }, (_, n) => ({ id: `U${n + 1}`, home: n })),
    calls,
    service: {
      turnoutSec: { kind: 'fixed', sec: 0 },
      onSceneSec: { kind: 'exp', meanSec: opts.meanServiceSec },
      transportProb: 0,
      transportSec: { kind: 'fixed', sec: 0 },
      handoverSec: { kind: 'fixed', sec: 0 },
    },
    targetSec: { 1: 0, 2: 0, 3: 0, 4: 0 },
    warmupSec: warmupCalls > 0 ? calls[Math.min(warmupCalls, calls.length - 1)]!.tSec : 0,
  };
}

/** Travel takes no time (the hypercube's service time is independent of travel). */
export const NO_TRAVEL: EtaProvider = {
  manyToOne: async (from: readonly LatLng[]): Promise<EtaResult[]> => from.map(() => ({ etaSec: 0, distanceM: 0, source: 'straight_line' })),
};
