import type { LatLng } from '@lifeline/protocol';
import type { EtaProvider } from '../eta.ts';
import type { FleetIndex } from '../fleetIndex.ts';
import type { CoverageModel } from './coverage.ts';
import type { Dist, Rng } from './random.ts';

/** Priorities as in the incidents table: 1 (most urgent) … 4. */
export type SimPriority = 1 | 2 | 3 | 4;

/** One call to simulate. Times are seconds from the start of the run. */
export interface SimCall extends LatLng {
  tSec: number;
  priority: SimPriority;
  /** District (primary response area) of the call, for out-of-area statistics and preference lists. */
  zone?: number;
  /** Demand atom (reporting area) the call came from, for preference-list dispatch. */
  atom?: number;
  /** Known on-scene time (replay); otherwise drawn from the service model. */
  onSceneSec?: number;
  /** Known transport time to hospital (replay); 0 means "treated on scene, no transport". */
  transportSec?: number;
}

export interface SimStation extends LatLng {
  id: string;
  /** The district this station's units serve first. */
  zone?: number;
}

export interface SimUnit {
  id: string;
  /** Index into the scenario's stations: the unit's home base. */
  home: number;
}

/** Time from dispatch to clear, by phase. Durations a call carries itself take precedence. */
export interface ServiceModel {
  /** Chute/turnout: assignment → wheels rolling. */
  turnoutSec: Dist;
  onSceneSec: Dist;
  /** Share of calls that end in a transport (0..1). */
  transportProb: number;
  /** Scene → hospital, used when the scenario has no hospitals to route to. */
  transportSec: Dist;
  /** Patient handover at the hospital. */
  handoverSec: Dist;
}

export interface Scenario {
  stations: readonly SimStation[];
  units: readonly SimUnit[];
  /** Sorted by `tSec`. */
  calls: readonly SimCall[];
  /** When present, a transport goes to the one with the shortest ETA from the scene. */
  hospitals?: readonly LatLng[];
  service: ServiceModel;
  /** Response-time target by priority, seconds (call received → unit on scene). */
  targetSec: Readonly<Record<SimPriority, number>>;
  /** Calls received before this are simulated but not counted; workloads start here too. */
  warmupSec?: number;
}

/** What a policy may read of a unit. */
export interface UnitView {
  readonly id: string;
  readonly home: number;
  readonly idle: boolean;
  /** Station the unit is at or heading to while idle; its home while busy. */
  readonly base: number;
}

/** The engine's state as a policy sees it, at `now`. */
export interface SimContext {
  readonly now: number;
  readonly scenario: Scenario;
  readonly units: readonly UnitView[];
  /** The production fleet index over the idle units, positions current. */
  readonly index: FleetIndex;
  readonly eta: EtaProvider;
  /** Present when the run was given demand points (coverage-aware policies need it). */
  readonly coverage: CoverageModel | null;
  /** The policy's own stream (random tie-breaks, random dispatch). */
  readonly rng: Rng;
  idleUnits(): number[];
  positionOf(unit: number): LatLng;
}

export interface Choice {
  unit: number;
  /** Travel time of the chosen unit to the scene, seconds. */
  travelSec: number;
}

type MaybeAsync<T> = T | Promise<T>;

/** Which idle unit answers a call; null leaves the call in the queue. */
export interface DispatchRule {
  readonly name: string;
  choose(call: SimCall, ctx: SimContext): MaybeAsync<Choice | null>;
}

/** Where a unit that has just cleared goes to wait: a station index. */
export interface RelocationRule {
  readonly name: string;
  destination(unit: number, ctx: SimContext): MaybeAsync<number>;
}

export interface SimPolicy {
  readonly name: string;
  readonly dispatch: DispatchRule;
  readonly relocation: RelocationRule;
}
