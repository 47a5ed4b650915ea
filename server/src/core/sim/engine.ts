import type { LatLng } from '@lifeline/protocol';
import type { EtaProvider } from '../eta.ts';
import { FleetIndex } from '../fleetIndex.ts';
import { MinHeap } from '../routing/heap.ts';
import type { CoverageModel } from './coverage.ts';
import type { Choice, Scenario, SimCall, SimContext, SimPolicy, UnitView } from './model.ts';
import { sample, substream } from './random.ts';
import { travelSec, travelSecFrom } from './travel.ts';

/**
 * The discrete-event simulation engine. Events are call arrivals and unit clears; everything in
 * between (turnout, travel, on scene, transport, handover) is known at dispatch, so one clear
 * event per job suffices. Pure: simulated time only, all randomness from the seed, ETAs from
 * the `EtaProvider` the live dispatcher uses.
 *
 * Service times are drawn per call from a stream of their own before the run (common random
 * numbers): every policy sees the same on-scene, transport and handover times for the same call,
 * so policy differences are not drowned by sampling noise.
 */

export interface RunOptions {
  seed: number;
  policy: SimPolicy;
  eta: EtaProvider;
  coverage?: CoverageModel | null;
  /** FleetIndex H3 resolution; the server's default is 8. */
  indexResolution?: number;
}

/** Per-call outcomes of the counted calls (those received at or after the warm-up). */
export interface RunResult {
  policy: string;
  seed: number;
  /** Response time (received → on scene), seconds; NaN for a call never served. */
  responseSec: Float64Array;
  /** Time in queue before a unit was assigned, seconds. */
  waitSec: Float64Array;
  priority: Uint8Array;
  /** 1 when no unit was idle on arrival. */
  queued: Uint8Array;
  /** 1 out of area, 0 in area, −1 when zones are unknown. */
  outOfArea: Int8Array;
  /** Busy seconds of each unit inside the measured window. */
  busySec: Float64Array;
  /** Length of the measured window (warm-up → last arrival), seconds. */
  windowSec: number;
}

const ARRIVAL = 0;
const CLEAR = 1;

class Unit implements UnitView {
  idle = true;
  base: number;
  busySince = 0;
  /** Straight-line interpolation of the way back to `base` while idle and moving. */
  from: LatLng;
  fromT = 0;
  arriveT = 0;
  /** Where the current job ends (scene or hospital). */
  end: LatLng;
  constructor(
    readonly id: string,
    readonly home: number,
    at: LatLng,
  ) {
    this.base = home;
    this.from = at;
    this.end = at;
  }
}

export async function runSimulation(scenario: Scenario, opts: RunOptions): Promise<RunResult> {
  return new Engine(scenario, opts).run();
}

class Engine implements SimContext {
  now = 0;
  readonly units: Unit[];
  private readonly fleet: FleetIndex;
  /** Units whose status or position changed since the fleet index last saw them. */
  private readonly dirty: number[] = [];
  private readonly isDirty: Uint8Array;
  readonly eta: EtaProvider;
  readonly coverage: CoverageModel | null;
  readonly rng;
  private readonly heap = new MinHeap();
  private readonly evKind: number[] = [];
  private readonly evArg: number[] = [];
  private readonly evFree: number[] = [];
  /** FIFO queue per priority (index 0 = priority 1); calls arrive in time order, so FIFO is by receipt. */
  private readonly queues: number[][] = [[], [], [], []];
  private readonly queueHead = [0, 0, 0, 0];
  private queued = 0;
  private idleCount: number;
  private moving: number[] = [];
  private stamp = 0;
  // Pre-drawn service times per call.
  private readonly turnout: Float64Array;
  private readonly onScene: Float64Array;
  private readonly transport: Float64Array;
  private readonly handover: Float64Array;
  private readonly out: RunResult;
  private readonly firstCounted: number;
  private readonly windowStart: number;
  private readonly windowEnd: number;

  constructor(
    readonly scenario: Scenario,
    private readonly opts: RunOptions,
  ) {
    this.eta = opts.eta;
    this.coverage = opts.coverage ?? null;
    this.rng = substream(opts.seed, 2);
    this.fleet = new FleetIndex(opts.indexResolution ?? 8);
    this.units = scenario.units.map((u) => new Unit(u.id, u.home, scenario.stations[u.home]!));
    this.idleCount = this.units.length;
    this.isDirty = new Uint8Array(this.units.length);
    this.units.forEach((u, i) => {
      this.fleet.ensure(u.id, 'available', true);
      this.touch(i);
    });
    const calls = scenario.calls;
    const n = calls.length;
    const svc = scenario.service;
    const draw = substream(opts.seed, 1);
    this.turnout = new Float64Array(n);
    this.onScene = new Float64Array(n);
    this.transport = new Float64Array(n);
    this.handover = new Float64Array(n);
    for (let c = 0; c < n; c++) {
      const call = calls[c]!;
      // Always draw all four, so a call's times do not depend on what the previous call carried.
      const turnout = sample(svc.turnoutSec, draw);
      const onScene = sample(svc.onSceneSec, draw);
      const transports = draw() < svc.transportProb;
      const transport = sample(svc.transportSec, draw);
      const handover = sample(svc.handoverSec, draw);
      this.turnout[c] = turnout;
      this.onScene[c] = call.onSceneSec ?? onScene;
      // −1: to the nearest hospital by ETA (decided at dispatch); 0: no transport.
      this.transport[c] = call.transportSec ?? (transports ? (scenario.hospitals?.length ? -1 : transport) : 0);
      this.handover[c] = handover;
    }
    const warmup = scenario.warmupSec ?? 0;
    let first = 0;
    while (first < n && calls[first]!.tSec < warmup) first++;
    this.firstCounted = first;
    this.windowStart = warmup;
    this.windowEnd = n > 0 ? Math.max(warmup, calls[n - 1]!.tSec) : warmup;
    const counted = n - first;
    this.out = {
      policy: opts.policy.name,
      seed: opts.seed,
      responseSec: new Float64Array(counted).fill(NaN),
      waitSec: new Float64Array(counted).fill(NaN),
      priority: new Uint8Array(counted),
      queued: new Uint8Array(counted),
      outOfArea: new Int8Array(counted).fill(-1),
      busySec: new Float64Array(this.units.length),
      windowSec: this.windowEnd - this.windowStart,
    };
    for (let c = first; c < n; c++) this.out.priority[c - first] = calls[c]!.priority;
  }

  async run(): Promise<RunResult> {
    const calls = this.scenario.calls;
    for (let c = 0; c < calls.length; c++) this.push(calls[c]!.tSec, ARRIVAL, c);
    while (this.heap.size > 0) {
      this.now = this.heap.peekKey();
      const ev = this.heap.pop();
      const kind = this.evKind[ev]!;
      const arg = this.evArg[ev]!;
      this.evFree.push(ev);
      if (kind === ARRIVAL) await this.arrive(arg);
      else await this.clear(arg);
    }
    this.units.forEach((u, i) => {
      if (!u.idle) this.addBusy(i, this.windowEnd);
    });
    return this.out;
  }

  idleUnits(): number[] {
    const ids: number[] = [];
    for (let i = 0; i < this.units.length; i++) if (this.units[i]!.idle) ids.push(i);
    return ids;
  }

  positionOf(i: number): LatLng {
    const u = this.units[i]!;
    if (!u.idle) return u.end;
    const st = this.scenario.stations[u.base]!;
    if (this.now >= u.arriveT) return st;
    const f = (this.now - u.fromT) / (u.arriveT - u.fromT);
    return { lat: u.from.lat + (st.lat - u.from.lat) * f, lng: u.from.lng + (st.lng - u.from.lng) * f };
  }

  private push(t: number, kind: number, arg: number): void {
    const ev = this.evFree.length > 0 ? this.evFree.pop()! : this.evKind.length;
    this.evKind[ev] = kind;
    this.evArg[ev] = arg;
    this.heap.push(t, ev);
  }

  private async arrive(c: number): Promise<void> {
    const call = this.scenario.calls[c]!;
    let choice: Choice | null = null;
    if (this.idleCount > 0) {
      const r = this.opts.policy.dispatch.choose(call, this);
      choice = r instanceof Promise ? await r : r;
    }
    if (choice) {
      if (!this.units[choice.unit]?.idle) throw new Error(`policy ${this.opts.policy.name} chose a busy or unknown unit`);
      await this.assign(c, choice.unit, choice.travelSec);
      return;
    }
    if (c >= this.firstCounted) this.out.queued[c - this.firstCounted] = 1;
    this.queues[call.priority - 1]!.push(c);
    this.queued++;
  }

  private async clear(i: number): Promise<void> {
    const u = this.units[i]!;
    this.addBusy(i, this.now);
    if (this.queued > 0) {
      const c = this.dequeue();
      await this.assign(c, i, await this.travelSec(u.end, this.scenario.calls[c]!));
      return;
    }
    const r = this.opts.policy.relocation.destination(i, this);
    const dest = r instanceof Promise ? await r : r;
    const station = this.scenario.stations[dest];
    if (!station) throw new Error(`policy ${this.opts.policy.name} chose an unknown station`);
    u.base = dest;
    u.from = u.end;
    u.fromT = this.now;
    u.arriveT = this.now + (await this.travelSec(u.end, station));
    u.idle = true;
    this.idleCount++;
    if (u.arriveT > this.now) this.moving.push(i);
    this.touch(i);
  }

  private async assign(c: number, i: number, travelSec: number): Promise<void> {
    const call = this.scenario.calls[c]!;
    const u = this.units[i]!;
    // A unit that clears straight into a queued call was never idle in between.
    if (u.idle) {
      u.idle = false;
      this.idleCount--;
    }
    u.busySince = this.now;
    this.touch(i);
    const onSceneAt = this.now + this.turnout[c]! + travelSec;
    let transport = this.transport[c]!;
    u.end = call;
    if (transport < 0) {
      const hospitals = this.scenario.hospitals!;
      const secs = await travelSecFrom(this.eta, call, hospitals);
      let best = 0;
      for (let h = 1; h < secs.length; h++) if (secs[h]! < secs[best]!) best = h;
      transport = secs[best]!;
      u.end = hospitals[best]!;
    }
    const clearAt = onSceneAt + this.onScene[c]! + (transport > 0 ? transport + this.handover[c]! : 0);
    this.push(clearAt, CLEAR, i);
    if (c < this.firstCounted) return;
    const k = c - this.firstCounted;
    this.out.responseSec[k] = onSceneAt - call.tSec;
    this.out.waitSec[k] = this.now - call.tSec;
    const homeZone = this.scenario.stations[u.home]!.zone;
    if (homeZone !== undefined && call.zone !== undefined) this.out.outOfArea[k] = homeZone === call.zone ? 0 : 1;
  }

  private dequeue(): number {
    for (let p = 0; p < 4; p++) {
      const q = this.queues[p]!;
      if (this.queueHead[p]! < q.length) {
        const c = q[this.queueHead[p]!++]!;
        // Drop the consumed prefix now and then, so a long run keeps the queue arrays small.
        if (this.queueHead[p]! > 1024 && this.queueHead[p]! * 2 > q.length) {
          q.splice(0, this.queueHead[p]!);
          this.queueHead[p] = 0;
        }
        this.queued--;
        return c;
      }
    }
    throw new Error('dequeue from an empty queue');
  }

  /**
   * The production fleet index, brought up to date on demand: a policy that never reads it (fixed
   * preferences, coverage bookkeeping) does not pay for H3 updates; one that does sees every
   * status change and every returning unit where it is now, as the live index would.
   */
  get index(): FleetIndex {
    if (this.moving.length > 0) {
      const still: number[] = [];
      for (const i of this.moving) {
        const u = this.units[i]!;
        if (!u.idle) continue;
        this.touch(i);
        if (this.now < u.arriveT) still.push(i);
      }
      this.moving = still;
    }
    for (const i of this.dirty) {
      const u = this.units[i]!;
      this.isDirty[i] = 0;
      this.fleet.setStatus(u.id, u.idle ? 'available' : 'dispatched');
      // A busy unit is not searchable: its position can wait until it is idle again.
      if (!u.idle) continue;
      const p = this.positionOf(i);
      this.fleet.move(u.id, { lat: p.lat, lng: p.lng, recordedAtMs: ++this.stamp });
    }
    this.dirty.length = 0;
    return this.fleet;
  }

  private touch(i: number): void {
    if (this.isDirty[i]) return;
    this.isDirty[i] = 1;
    this.dirty.push(i);
  }

  private travelSec(from: LatLng, to: LatLng): Promise<number> {
    return travelSec(this.eta, from, to);
  }

  private addBusy(i: number, until: number): void {
    const a = Math.max(this.units[i]!.busySince, this.windowStart);
    const b = Math.min(until, this.windowEnd);
    if (b > a) this.out.busySec[i] = this.out.busySec[i]! + (b - a);
  }
}
