import { booleanPointInPolygon, point, pointToPolygonDistance } from '@turf/turf';
import type { MultiPolygon, Polygon } from 'geojson';
import type { LatLng } from '@lifeline/protocol';
import { haversineM } from './geo.ts';

/**
 * Geofences for automatic statuses: the scene (a radius around the incident), the destination
 * hospital and the home station (a radius from their data, or a polygon when one is known).
 * Pure: no clock, no I/O; fixes carry their device time.
 */
export type FenceShape = { type: 'circle'; center: LatLng; radiusM: number } | { type: 'polygon'; geometry: Polygon | MultiPolygon };

export interface Fence {
  id: string;
  kind: 'scene' | 'hospital' | 'station';
  shape: FenceShape;
}

export interface GeofenceConfig {
  /** A unit at or below this speed counts as stopped, m/s. */
  slowMps: number;
  /** It must stay inside and stopped this long (over two fixes at least) to arrive, s. */
  dwellSec: number;
  /** Once arrived, it leaves only when this far outside the fence (hysteresis against jitter), m. */
  exitMarginM: number;
  /** Fixes less accurate than this are ignored, m. */
  maxAccuracyM: number;
}

export const DEFAULT_GEOFENCE: GeofenceConfig = { slowMps: 3, dwellSec: 20, exitMarginM: 50, maxAccuracyM: 100 };

export interface FenceFix extends LatLng {
  recordedAtMs: number;
  speedMps: number | null;
  accuracyM?: number | null;
}

/** What one unit's watch of one fence remembers between fixes. */
export interface DwellState {
  fenceId: string;
  arrived: boolean;
  /** Device time of the first fix of the current inside-and-stopped run, ms. */
  stoppedSinceMs: number | null;
  /** Fixes in the current inside-and-stopped run (arrived) or outside run (left). */
  runFixes: number;
  last: FenceFix | null;
}

export type FenceEvent = { type: 'arrived' | 'left'; fenceId: string; kind: Fence['kind']; atMs: number };

export function initialDwell(fence: Fence): DwellState {
  return { fenceId: fence.id, arrived: false, stoppedSinceMs: null, runFixes: 0, last: null };
}

/** Whether `p` is inside `fence`, grown by `marginM` metres (0: the fence itself; boundary counts as inside). */
export function insideFence(fence: Fence, p: LatLng, marginM = 0): boolean {
  const s = fence.shape;
  if (s.type === 'circle') return haversineM(s.center, p) <= s.radiusM + marginM;
  const pt = point([p.lng, p.lat]);
  if (booleanPointInPolygon(pt, s.geometry)) return true;
  return marginM > 0 && pointToPolygonDistance(pt, s.geometry, { units: 'meters' }) <= marginM;
}

/**
 * One fix through one fence watch. A unit *arrives* when it has been inside and stopped for
 * `dwellSec` over at least two fixes — so a single fix that jumps into the fence (a GPS glitch, a
 * unit passing by at speed) is never an arrival — and *leaves* after two consecutive fixes more
 * than `exitMarginM` outside. Inaccurate and out-of-order fixes change nothing.
 */
export function stepDwell(state: DwellState, fence: Fence, fix: FenceFix, cfg: GeofenceConfig = DEFAULT_GEOFENCE): { state: DwellState; event: FenceEvent | null } {
  if (fix.accuracyM != null && fix.accuracyM > cfg.maxAccuracyM) return { state, event: null };
  if (state.last && fix.recordedAtMs <= state.last.recordedAtMs) return { state, event: null };
  const speed = fix.speedMps ?? impliedSpeedMps(state.last, fix);
  const stopped = speed === null || speed <= cfg.slowMps;
  const next: DwellState = { ...state, last: fix };
  if (!state.arrived) {
    if (!insideFence(fence, fix) || !stopped) return { state: { ...next, stoppedSinceMs: null, runFixes: 0 }, event: null };
    next.stoppedSinceMs = state.stoppedSinceMs ?? fix.recordedAtMs;
    next.runFixes = state.runFixes + 1;
    if (next.runFixes >= 2 && fix.recordedAtMs - next.stoppedSinceMs >= cfg.dwellSec * 1000) {
      return { state: { ...next, arrived: true, runFixes: 0 }, event: { type: 'arrived', fenceId: fence.id, kind: fence.kind, atMs: fix.recordedAtMs } };
    }
    return { state: next, event: null };
  }
  if (insideFence(fence, fix, cfg.exitMarginM)) return { state: { ...next, runFixes: 0 }, event: null };
  next.runFixes = state.runFixes + 1;
  if (next.runFixes >= 2) {
    return { state: { ...next, arrived: false, stoppedSinceMs: null, runFixes: 0 }, event: { type: 'left', fenceId: fence.id, kind: fence.kind, atMs: fix.recordedAtMs } };
  }
  return { state: next, event: null };
}

/** Speed between two fixes, m/s, or null when there is no earlier fix. */
function impliedSpeedMps(prev: FenceFix | null, fix: FenceFix): number | null {
  if (!prev) return null;
  const dt = (fix.recordedAtMs - prev.recordedAtMs) / 1000;
  return dt > 0 ? haversineM(prev, fix) / dt : null;
}
