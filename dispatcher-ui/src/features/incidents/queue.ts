import type { Incident } from '@lifeline/protocol';
import { openIncidentsByUrgency } from '../../realtime/liveState.ts';

/** Incidents still waiting for a unit: the call → assignment clock is running. */
export const WAITING_STATES: ReadonlySet<Incident['state']> = new Set(['received', 'triaged']);

/** A unit is assigned but not yet on scene: the call → on-scene (response) clock is running. */
export const RESPONDING_STATES: ReadonlySet<Incident['state']> = new Set(['assigned', 'acknowledged', 'en_route']);

/**
 * How an incident stands against the target that applies to its state:
 * - `ok`: within 75 % of the target, or no target applies (the unit is on scene or later);
 * - `warn`: past 75 % of the target;
 * - `missed`: past the target.
 */
export type TargetLevel = 'ok' | 'warn' | 'missed';

/** Which clock is running: call → assignment, call → on scene, or none (the unit is there). */
export type RunningTarget = 'callToAssign' | 'response' | null;

/** Share of the target after which an incident is shown as close to missing it. */
export const WARN_SHARE = 0.75;

/** Targets in seconds (ClientConfig.targets); null or ≤ 0 means none. */
export interface QueueTargets {
  callToAssignSec: number | null;
  /** Call → first unit on scene. */
  responseSec: number | null;
}

export interface QueueRow {
  incident: Incident;
  /** Seconds since the call was taken (never negative, whatever the clocks say). */
  waitingSec: number;
  target: RunningTarget;
  level: TargetLevel;
}

/** Seconds between the call (`createdAt`, server time) and `nowMs`. */
export function waitingSec(incident: Incident, nowMs: number): number {
  return Math.max(0, Math.floor((nowMs - Date.parse(incident.createdAt)) / 1000));
}

/** The clock that runs for an incident in its current state. */
export function runningTarget(state: Incident['state']): RunningTarget {
  if (WAITING_STATES.has(state)) return 'callToAssign';
  if (RESPONDING_STATES.has(state)) return 'response';
  return null;
}

/** Level of an incident `waitedSec` after the call, against the target its state runs on. */
export function targetLevel(incident: Incident, waitedSec: number, targets: QueueTargets): TargetLevel {
  const running = runningTarget(incident.state);
  const limit = running === 'callToAssign' ? targets.callToAssignSec : running === 'response' ? targets.responseSec : null;
  if (!limit || limit <= 0) return 'ok';
  if (waitedSec > limit) return 'missed';
  if (waitedSec >= limit * WARN_SHARE) return 'warn';
  return 'ok';
}

/**
 * The dispatcher's queue: open incidents by priority (1 first), then the longest waiting, each
 * with its live timer and target level at `nowMs`.
 */
export function queueRows(incidents: Iterable<Incident>, nowMs: number, targets: QueueTargets): QueueRow[] {
  return openIncidentsByUrgency(incidents).map((incident) => {
    const w = waitingSec(incident, nowMs);
    return { incident, waitingSec: w, target: runningTarget(incident.state), level: targetLevel(incident, w, targets) };
  });
}
