import type { Incident } from '@lifeline/protocol';
import { openIncidentsByUrgency } from '../../realtime/liveState.ts';

/** Incidents still waiting for a unit: the call → assignment clock is running. */
export const WAITING_STATES: ReadonlySet<Incident['state']> = new Set(['received', 'triaged']);

/**
 * How an incident stands against the call → assignment target:
 * - `ok`: within 75 % of the target, or a unit is already assigned;
 * - `warn`: past 75 % of the target, still waiting;
 * - `missed`: past the target, still waiting.
 */
export type TargetLevel = 'ok' | 'warn' | 'missed';

/** Share of the target after which a waiting incident is shown as close to missing it. */
export const WARN_SHARE = 0.75;

export interface QueueRow {
  incident: Incident;
  /** Seconds since the call was taken (never negative, whatever the clocks say). */
  waitingSec: number;
  level: TargetLevel;
}

/** Seconds between the call (`createdAt`, server time) and `nowMs`. */
export function waitingSec(incident: Incident, nowMs: number): number {
  return Math.max(0, Math.floor((nowMs - Date.parse(incident.createdAt)) / 1000));
}

/** `callToAssignSec`: the target in seconds; null or ≤ 0 means no target (always `ok`). */
export function targetLevel(incident: Incident, waitedSec: number, callToAssignSec: number | null): TargetLevel {
  if (!WAITING_STATES.has(incident.state) || !callToAssignSec || callToAssignSec <= 0) return 'ok';
  if (waitedSec > callToAssignSec) return 'missed';
  if (waitedSec >= callToAssignSec * WARN_SHARE) return 'warn';
  return 'ok';
}

/**
 * The dispatcher's queue: open incidents by priority (1 first), then the longest waiting, each
 * with its live timer and target level at `nowMs`.
 */
export function queueRows(incidents: Iterable<Incident>, nowMs: number, callToAssignSec: number | null): QueueRow[] {
  return openIncidentsByUrgency(incidents).map((incident) => {
    const w = waitingSec(incident, nowMs);
    return { incident, waitingSec: w, level: targetLevel(incident, w, callToAssignSec) };
  });
}
