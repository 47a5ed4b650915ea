import type { LatLng } from '@lifeline/protocol';
import { distanceM, kmhToMps } from './geo.ts';
import type { AssignmentMsg, CancelMsg, HospitalSummary } from '@lifeline/protocol';
import { IDLE, jobFromAssignment, jobTarget, nextJobState, type Job, type JobConfig, type JobState } from './job.ts';
import { randomBetween, randomPointInRadius, type Rng } from './random.ts';
import { followPath, planPath, type Path, type RouteFn } from './roads.ts';

/** What an available unit does: drift between nearby spots, or stay parked at its start point. */
export type IdleMode = 'wander' | 'park';

export interface SimConfig extends JobConfig {
  /** Driving speed on a job (and back to the start point), metres/second. */
  speedMps: number;
  /** Speed while wandering idle, metres/second. */
  idleSpeedMps: number;
  idle: IdleMode;
  /** An idle unit stays within this many metres of its start point. */
  wanderRadiusM: number;
  /** An idle unit parks this long (simulated seconds, uniform in [min, max)) between moves. */
  parkMinSec: number;
  parkMaxSec: number;
  /**
   * Road lines to drive along (a loaded road graph); without it, or when it has no route, units
   * drive the straight line. Must be pure and deterministic.
   */
  route?: RouteFn | null;
}

export const DEFAULT_SIM_CONFIG: SimConfig = {
  sceneDwellSec: 120,
  hospitalDwellSec: 180,
  speedMps: kmhToMps(40),
  // Idle units patrol their area (a demo map where units sit still for minutes looks dead): short
  // stops, a wide leash, town speed.
  idleSpeedMps: kmhToMps(20),
  idle: 'wander',
  wanderRadiusM: 1500,
  parkMinSec: 20,
  parkMaxSec: 120,
};

export interface IdleState {
  waypoint: LatLng | null;
  parkLeftSec: number;
}

export interface SimState {
  position: LatLng;
  /** Last direction of travel, degrees from north; kept while stopped. */
  headingDeg: number;
  speedMps: number;
  /** Start point ("station"): an idle unit stays near it and returns to it after a job. */
  home: LatLng;
  job: JobState;
  idle: IdleState;
  /** The rest of the current drive (to the job target, home or an idle spot); null when parked. */
  path: Path | null;
}

export interface Tick {
  state: SimState;
  /** The job status differs from the one before the tick (publish a status message). */
  statusChanged: boolean;
}

/** A parked, available unit at `home`; wandering units start with a random pause so they do not move in lockstep. */
export function initialSimState(home: LatLng, cfg: SimConfig, rng: Rng): SimState {
  return {
    position: { ...home },
    headingDeg: 0,
    speedMps: 0,
    home: { ...home },
    job: IDLE,
    idle: { waypoint: null, parkLeftSec: cfg.idle === 'wander' ? randomBetween(0, cfg.parkMaxSec, rng) : 0 },
    path: null,
  };
}

/** Takes a new job, replacing any current one. */
export function assignJob(state: SimState, job: Job, cfg: SimConfig): SimState {
  // A new job is a new target: drop the old drive, the next tick routes afresh from here.
  return { ...state, job: nextJobState(state.job, { type: 'assigned', job }, cfg), idle: { waypoint: null, parkLeftSec: 0 }, path: null };
}

/**
 * Handles an assignment message. QoS 1 is at-least-once, so the same assignment can arrive twice:
 * a repeat of the current job's `assignmentId` is acked again but does not restart the job.
 * Any other assignment replaces the current job (the dispatcher re-tasked the unit).
 */
export function receiveAssignment(
  state: SimState,
  msg: AssignmentMsg,
  hospitals: readonly HospitalSummary[],
  cfg: SimConfig,
): { state: SimState; duplicate: boolean } {
  if (state.job.job?.assignmentId === msg.assignmentId) return { state, duplicate: true };
  return { state: assignJob(state, jobFromAssignment(msg, hospitals), cfg), duplicate: false };
}

/** Handles a `cancel`: drops the job when it is the current one (`applied`), else changes nothing. */
export function receiveCancel(state: SimState, msg: Pick<CancelMsg, 'assignmentId'>, cfg: SimConfig): { state: SimState; applied: boolean } {
  const job = nextJobState(state.job, { type: 'cancelled', assignmentId: msg.assignmentId }, cfg);
  if (job === state.job) return { state, applied: false };
  return { state: { ...state, job, speedMps: 0, idle: { waypoint: null, parkLeftSec: 0 }, path: null }, applied: true };
}

/** Advances the simulation by `dtSec` simulated seconds. Pure: all randomness comes from `rng`. */
export function advance(state: SimState, dtSec: number, cfg: SimConfig, rng: Rng): Tick {
  const next = state.job.status === 'available' ? advanceIdle(state, dtSec, cfg, rng) : advanceJob(state, dtSec, cfg);
  return { state: next, statusChanged: next.job.status !== state.job.status };
}

/** Where a drive leaves the unit after one tick. */
interface Drive {
  position: LatLng;
  headingDeg: number;
  speedMps: number;
  path: Path | null;
  arrived: boolean;
}

/**
 * One tick of driving towards `target` at `speedMps`: along the current path when it still leads
 * there (or along `planned`), else along a fresh one from here (re-routing when the target changed).
 */
function drive(state: SimState, target: LatLng, speedMps: number, dtSec: number, cfg: SimConfig, planned?: Path): Drive {
  const path = planned ?? (state.path && sameLatLng(state.path.to, target) ? state.path : planPath(state.position, target, cfg.route));
  const step = followPath(state.position, path.points, speedMps, dtSec, state.headingDeg);
  return {
    position: step.position,
    headingDeg: step.headingDeg,
    speedMps: step.arrived ? 0 : speedMps,
    path: step.arrived ? null : { to: target, points: step.remaining },
    arrived: step.arrived,
  };
}

const sameLatLng = (a: LatLng, b: LatLng) => a.lat === b.lat && a.lng === b.lng;

function advanceJob(state: SimState, dtSec: number, cfg: SimConfig): SimState {
  const target = jobTarget(state.job);
  if (!target) {
    // on scene or at hospital: parked, the clock runs down.
    return { ...state, speedMps: 0, path: null, job: nextJobState(state.job, { type: 'elapsed', dtSec }, cfg) };
  }
  const { arrived, ...moved } = drive(state, target, cfg.speedMps, dtSec, cfg);
  return { ...state, ...moved, job: arrived ? nextJobState(state.job, { type: 'arrived' }, cfg) : state.job };
}

function advanceIdle(state: SimState, dtSec: number, cfg: SimConfig, rng: Rng): SimState {
  const fromHome = distanceM(state.position, state.home);
  const leash = cfg.idle === 'wander' ? cfg.wanderRadiusM : 0;
  // 1 m of slack so float noise at the edge of the wander disc does not count as "away". A unit
  // on its way to an idle spot keeps going: a road there may bulge out of the disc.
  if (state.idle.waypoint === null && fromHome > leash + 1) {
    // Back from a job: return to the start point at driving speed.
    const { arrived, ...moved } = drive(state, state.home, cfg.speedMps, dtSec, cfg);
    return {
      ...state,
      ...moved,
      idle: { waypoint: null, parkLeftSec: arrived && cfg.idle === 'wander' ? randomBetween(cfg.parkMinSec, cfg.parkMaxSec, rng) : 0 },
    };
  }
  if (cfg.idle === 'park') return { ...state, speedMps: 0 };
  if (state.idle.parkLeftSec > 0) {
    return { ...state, speedMps: 0, idle: { waypoint: null, parkLeftSec: Math.max(0, state.idle.parkLeftSec - dtSec) } };
  }
  let waypoint = state.idle.waypoint;
  let planned: Path | undefined;
  if (waypoint === null) {
    const spot = randomPointInRadius(state.home, cfg.wanderRadiusM, rng);
    const line = cfg.route?.(state.position, spot);
    if (line && line.length > 0) {
      // On roads the spot is where the road line ends; one that leads out of the disc is not taken.
      const end = line[line.length - 1]!;
      if (distanceM(end, state.home) > leash + 1) return { ...state, speedMps: 0, idle: { waypoint: null, parkLeftSec: randomBetween(cfg.parkMinSec, cfg.parkMaxSec, rng) } };
      waypoint = end;
      planned = { to: end, points: line };
    } else if (cfg.route) {
      // On roads a spot no road leads to is not taken (driving straight there would leave the road).
      return { ...state, speedMps: 0, idle: { waypoint: null, parkLeftSec: randomBetween(cfg.parkMinSec, cfg.parkMaxSec, rng) } };
    } else {
      waypoint = spot; // no road network: the straight line
      planned = { to: spot, points: [spot] };
    }
  }
  const { arrived, ...moved } = drive(state, waypoint, cfg.idleSpeedMps, dtSec, cfg, planned);
  return {
    ...state,
    ...moved,
    idle: arrived ? { waypoint: null, parkLeftSec: randomBetween(cfg.parkMinSec, cfg.parkMaxSec, rng) } : { waypoint, parkLeftSec: 0 },
  };
}
