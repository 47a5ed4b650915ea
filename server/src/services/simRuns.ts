import { fork, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { SimRun, SimRunBody } from '@lifeline/protocol';
import { DEFAULT_TARGETS } from '../core/kpi.ts';
import type { DemandPoint } from '../core/sim/coverage.ts';
import { comparisonToCsv } from '../core/sim/csv.ts';
import type { SimStation, SimUnit } from '../core/sim/model.ts';
import { callsFromIncidents } from '../core/sim/replay.ts';
import type { Comparison } from '../core/sim/run.ts';
import type { SimChildMessage, SimJob } from '../adapters/sim/simChild.ts';
import type { Db } from '../adapters/store/db.ts';
import { loadIncidentWindow, loadSimFleet } from '../adapters/store/simInputs.ts';

export interface SimRunsOptions {
  db: Db;
  graphPath: string | null;
  hospitals(): { lat: number; lng: number }[];
  /** A run still going after this is stopped and marked failed (default 15 min). */
  maxRunMs?: number;
  now?: () => number;
}

type StartResult = { ok: true; run: SimRun } | { ok: false; code: 'SIM_BUSY' | 'BAD_REQUEST'; message: string };

const DAY_MS = 86_400_000;
const KEEP_RUNS = 20;

/**
 * Supervisor simulation runs: inputs read from the database here, the simulation itself in a
 * child process (one at a time), progress and results kept in memory for the last runs.
 */
export class SimRuns {
  private readonly runs = new Map<string, SimRun>();
  private child: ChildProcess | null = null;

  constructor(private readonly o: SimRunsOptions) {}

  get(id: string): SimRun | undefined {
    return this.runs.get(id);
  }

  csv(id: string): string | null {
    const r = this.runs.get(id);
    return r?.state === 'done' ? comparisonToCsv((r.result as Comparison).policies) : null;
  }

  async start(body: SimRunBody): Promise<StartResult> {
    if (this.child) return { ok: false, code: 'SIM_BUSY', message: 'a simulation is already running; wait for it to finish' };
    const now = (this.o.now ?? Date.now)();
    const fleet = await loadSimFleet(this.o.db);
    const units: SimUnit[] = body.unitsPerStation
      ? fleet.stations.flatMap((s, i) => Array.from({ length: body.unitsPerStation! }, (_, k) => ({ id: `${s.id}-${k + 1}`, home: i })))
      : fleet.units;
    if (units.length === 0) return { ok: false, code: 'BAD_REQUEST', message: 'no units with a home station: give vehicles a station, or set units per station' };
    let job: Pick<SimJob, 'calls' | 'synthetic' | 'demand'>;
    if (body.source === 'window') {
      const from = Date.parse(body.from ?? '');
      const to = Date.parse(body.to ?? '');
      if (!(to > from) || to - from > 31 * DAY_MS) return { ok: false, code: 'BAD_REQUEST', message: 'window: from < to, at most 31 days' };
      const { calls } = callsFromIncidents(await loadIncidentWindow(this.o.db, new Date(from), new Date(to)));
      if (calls.length === 0) return { ok: false, code: 'BAD_REQUEST', message: 'no calls in this window' };
      job = { calls, synthetic: null, demand: demandOf(calls) };
    } else {
      if (!body.days || !body.callsPerHour) return { ok: false, code: 'BAD_REQUEST', message: 'synthetic: days and callsPerHour are required' };
      const history = callsFromIncidents(await loadIncidentWindow(this.o.db, new Date(now - 28 * DAY_MS), new Date(now))).calls;
      if (history.length === 0) return { ok: false, code: 'BAD_REQUEST', message: 'no calls in the last 28 days to draw locations from' };
      job = { calls: null, synthetic: { days: body.days, callsPerHour: body.callsPerHour, startMs: now }, demand: demandOf(history) };
    }
    const target = body.targetMin ? body.targetMin * 60 : DEFAULT_TARGETS.response;
    const seed = body.seed ?? 1;
    const full: SimJob = {
      ...job,
      stations: fleet.stations as SimStation[],
      units,
      hospitals: this.o.hospitals().map((h) => ({ lat: h.lat, lng: h.lng })),
      policies: body.policies,
      seeds: Array.from({ length: body.replications }, (_, i) => seed + i),
      targetSec: { 1: target, 2: target, 3: target, 4: target },
      graphPath: this.o.graphPath,
    };
    const run: SimRun = { id: randomUUID(), state: 'running', progress: { done: 0, total: body.policies.length * body.replications }, calls: job.calls?.length ?? 0 };
    this.remember(run);
    this.spawn(run, full);
    return { ok: true, run };
  }

  /** Stops a running child (server shutdown). */
  close(): void {
    this.child?.kill('SIGKILL');
    this.child = null;
  }

  private spawn(run: SimRun, job: SimJob): void {
    const child = fork(fileURLToPath(new URL('../adapters/sim/simChild.ts', import.meta.url)), [], {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.child = child;
    const fail = (error: string) => {
      if (run.state === 'running') Object.assign(run, { state: 'failed', error });
    };
    const timer = setTimeout(() => {
      fail('the simulation took too long and was stopped');
      child.kill('SIGKILL');
    }, this.o.maxRunMs ?? 15 * 60_000);
    child.on('message', (m: SimChildMessage) => {
      if (m.type === 'progress') run.progress = { done: m.done, total: m.total };
      else if (m.type === 'done') Object.assign(run, { state: 'done', result: m.result, progress: { done: run.progress.total, total: run.progress.total } });
      else fail(m.error);
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      fail(`the simulation process ended (${code ?? 'signal'})`);
      if (this.child === child) this.child = null;
    });
    child.on('error', (e) => fail(e.message));
    child.send(job);
  }

  private remember(run: SimRun): void {
    this.runs.set(run.id, run);
    for (const id of this.runs.keys()) {
      if (this.runs.size <= KEEP_RUNS) break;
      if (this.runs.get(id)!.state !== 'running') this.runs.delete(id);
    }
  }
}

/** Demand points: calls counted on a ≈ 1 km grid (0.01°), at the mean position of their calls. */
function demandOf(calls: readonly { lat: number; lng: number }[]): DemandPoint[] {
  const cells = new Map<string, { lat: number; lng: number; weight: number }>();
  for (const c of calls) {
    const key = `${Math.round(c.lat * 100)},${Math.round(c.lng * 100)}`;
    const cell = cells.get(key) ?? { lat: 0, lng: 0, weight: 0 };
    cell.lat += c.lat;
    cell.lng += c.lng;
    cell.weight++;
    cells.set(key, cell);
  }
  return [...cells.values()].map((c) => ({ lat: c.lat / c.weight, lng: c.lng / c.weight, weight: c.weight }));
}
