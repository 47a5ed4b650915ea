/**
 * A simulation run in its own process, so the live server's event loop never waits on it. Gets
 * one job over IPC, reports progress, sends the comparison and exits.
 */
import type { LatLng } from '@lifeline/protocol';
import { StraightLineRouting } from '../../core/routing/providers.ts';
import type { DemandPoint } from '../../core/sim/coverage.ts';
import { DEFAULT_SERVICE } from '../../core/sim/gridCity.ts';
import type { Scenario, SimCall, SimPriority, SimStation, SimUnit } from '../../core/sim/model.ts';
import { PRESETS, type PresetName } from '../../core/sim/policies.ts';
import { substream } from '../../core/sim/random.ts';
import { comparePoliciesOn } from '../../core/sim/run.ts';
import { syntheticCalls } from '../../core/sim/synthetic.ts';
import { createEtaProvider } from '../routing/index.ts';

export interface SimJob {
  stations: SimStation[];
  units: SimUnit[];
  hospitals: LatLng[];
  /** Replay: the calls. Synthetic: null, and `synthetic` says how to draw them. */
  calls: SimCall[] | null;
  synthetic: { days: number; callsPerHour: number; startMs: number } | null;
  demand: DemandPoint[];
  policies: PresetName[];
  seeds: number[];
  targetSec: Record<SimPriority, number>;
  /** The server's road graph (OSM_GRAPH), else the straight-line model. */
  graphPath: string | null;
}

export type SimChildMessage = { type: 'progress'; done: number; total: number } | { type: 'done'; result: unknown } | { type: 'failed'; error: string };

const send = (m: SimChildMessage) => new Promise<void>((resolve) => process.send!(m, undefined, {}, () => resolve()));

process.once('message', (job: SimJob) => {
  void run(job).then(
    async (result) => {
      await send({ type: 'done', result });
      process.exit(0);
    },
    async (err: Error) => {
      await send({ type: 'failed', error: err.message });
      process.exit(1);
    },
  );
});

async function run(job: SimJob) {
  const eta = job.graphPath ? await createEtaProvider({ graphPath: job.graphPath }) : new StraightLineRouting();
  const scenarioFor = (seed: number): Scenario => ({
    stations: job.stations,
    units: job.units,
    hospitals: job.hospitals.length ? job.hospitals : undefined,
    service: DEFAULT_SERVICE,
    targetSec: job.targetSec,
    calls:
      job.calls ??
      syntheticCalls(
        { durationSec: job.synthetic!.days * 86_400, callsPerHour: job.synthetic!.callsPerHour, startMs: job.synthetic!.startMs, demand: job.demand, jitterM: 300 },
        substream(seed, 7),
      ),
  });
  return comparePoliciesOn({
    scenarioFor,
    eta,
    policies: job.policies.map((p) => PRESETS[p]),
    seeds: job.seeds,
    demand: job.demand,
    onRun: (done, total) => void send({ type: 'progress', done, total }),
  });
}
