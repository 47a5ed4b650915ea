import type { Incident, TimelineEvent } from './rest.ts';

/*
 * Answers of the review routes (GET /api/incidents/:id/replay, /api/replay, /api/kpis), shared by
 * the server (core/kpi.ts, adapters/store/review.ts) and the supervisor pages.
 */

/** One stored fix of a unit's track. `t` is device time (ISO 8601). */
export interface TrackPoint {
  t: string;
  lat: number;
  lng: number;
  speedMps: number | null;
  headingDeg: number | null;
}

export interface ReplayWindow {
  from: string;
  to: string;
}

/** GET /api/incidents/:id/replay */
export interface IncidentReplay {
  incident: Incident;
  events: TimelineEvent[];
  window: ReplayWindow;
  tracks: Record<string, TrackPoint[]>;
}

/** GET /api/replay?from&to&south&west&north&east */
export interface AreaReplay {
  window: ReplayWindow;
  tracks: Record<string, TrackPoint[]>;
  incidents: { incident: Incident; events: TimelineEvent[] }[];
}

export const INTERVAL_NAMES = ['callToAssign', 'turnout', 'travel', 'response', 'sceneToHospital'] as const;
export type IntervalName = (typeof INTERVAL_NAMES)[number];

export interface IntervalStats {
  n: number;
  meanSec: number | null;
  medianSec: number | null;
  p90Sec: number | null;
  /** Share (0–1) within target; null when nothing was measured. */
  withinTarget: number | null;
  targetSec: number;
}

export interface KpiGroup {
  key: Record<string, string | number>;
  calls: number;
  /** Cancelled calls, not counting merged duplicates. */
  cancelled: number;
  /** Calls merged into another incident as duplicates. */
  merged: number;
  /** Calls still waiting for a unit now (counted in call → assignment by their wait so far). */
  waiting: number;
  /** Share (0–1) of calls closed, of those not merged into another. */
  completed: number | null;
  intervals: Record<IntervalName, IntervalStats>;
}

export const GROUP_BYS = ['line', 'category', 'priority', 'day'] as const;
export type GroupBy = (typeof GROUP_BYS)[number];

/** GET /api/kpis */
export interface KpiResult {
  groupBy: GroupBy[];
  groups: KpiGroup[];
}
