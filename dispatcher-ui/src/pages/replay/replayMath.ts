import type { TimelineEvent } from '@lifeline/protocol';
import type { TrackPoint } from '../types.ts';

/** A unit's track ready for lookups by time: parallel arrays sorted by time (epoch ms). */
export interface PreparedTrack {
  id: string;
  timesMs: number[];
  lats: number[];
  lngs: number[];
  headingsDeg: (number | null)[];
}

/** Sorts a track by device time (the server sends it sorted; a merged window may not be). */
export function prepareTrack(id: string, points: readonly TrackPoint[]): PreparedTrack {
  const sorted = points.map((p) => ({ ms: Date.parse(p.t), p })).filter((x) => Number.isFinite(x.ms));
  sorted.sort((a, b) => a.ms - b.ms);
  return {
    id,
    timesMs: sorted.map((x) => x.ms),
    lats: sorted.map((x) => x.p.lat),
    lngs: sorted.map((x) => x.p.lng),
    headingsDeg: sorted.map((x) => x.p.headingDeg),
  };
}

/** Index of the last element ≤ `t` in an ascending array, or -1 when every element is later. */
export function lastAtOrBefore(sorted: readonly number[], t: number): number {
  let lo = 0;
  let hi = sorted.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! <= t) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

export interface ReplayPosition {
  lat: number;
  lng: number;
  headingDeg: number | null;
  /**
   * `moving`: between two fixes (interpolated); `held`: at a fix, after the last one, or across a
   * gap longer than `maxGapMs` (the unit is shown where it was last seen, not slid across the gap).
   */
  kind: 'moving' | 'held';
  /** Age of the fix the position is based on, ms (0 when interpolated). */
  ageMs: number;
}

/** A gap between fixes longer than this is not interpolated (the unit was silent, not driving straight). */
export const MAX_INTERPOLATION_GAP_MS = 120_000;

/**
 * Where a unit was at time `tMs` (epoch ms): linear interpolation between the fixes around it,
 * null before its first fix. Over a few hundred metres between fixes, linear interpolation in
 * degrees is indistinguishable from the great circle.
 */
export function positionAt(track: PreparedTrack, tMs: number, maxGapMs = MAX_INTERPOLATION_GAP_MS): ReplayPosition | null {
  const i = lastAtOrBefore(track.timesMs, tMs);
  if (i < 0) return null;
  const t0 = track.timesMs[i]!;
  const held = (): ReplayPosition => ({ lat: track.lats[i]!, lng: track.lngs[i]!, headingDeg: track.headingsDeg[i] ?? null, kind: 'held', ageMs: tMs - t0 });
  if (i === track.timesMs.length - 1 || t0 === tMs) return held();
  const t1 = track.timesMs[i + 1]!;
  if (t1 - t0 > maxGapMs || t1 === t0) return held();
  const f = (tMs - t0) / (t1 - t0);
  const lat = track.lats[i]! + (track.lats[i + 1]! - track.lats[i]!) * f;
  const lng = track.lngs[i]! + (track.lngs[i + 1]! - track.lngs[i]!) * f;
  const moved = track.lats[i + 1] !== track.lats[i] || track.lngs[i + 1] !== track.lngs[i];
  return { lat, lng, headingDeg: moved ? bearingDeg(track.lats[i]!, track.lngs[i]!, track.lats[i + 1]!, track.lngs[i + 1]!) : (track.headingsDeg[i] ?? null), kind: 'moving', ageMs: 0 };
}

/** Initial great-circle bearing from point 1 to point 2, degrees clockwise from north (0–360). */
export function bearingDeg(lat1: number, lng1: number, lat2: number, lng2: number): number {
  const r = Math.PI / 180;
  const y = Math.sin((lng2 - lng1) * r) * Math.cos(lat2 * r);
  const x = Math.cos(lat1 * r) * Math.sin(lat2 * r) - Math.sin(lat1 * r) * Math.cos(lat2 * r) * Math.cos((lng2 - lng1) * r);
  return ((Math.atan2(y, x) / r) % 360 + 360) % 360;
}

/** A timeline event placed on the replay clock; `incidentNumber` tells incidents apart in an area replay. */
export interface ReplayEvent extends TimelineEvent {
  tsMs: number;
  incidentId: string;
  incidentNumber: number;
}

/** Events of one or more incidents on one clock, oldest first (stable for equal times). */
export function mergeEvents(lists: readonly { incidentId: string; incidentNumber: number; events: readonly TimelineEvent[] }[]): ReplayEvent[] {
  const out: ReplayEvent[] = [];
  for (const l of lists) for (const e of l.events) out.push({ ...e, tsMs: Date.parse(e.ts), incidentId: l.incidentId, incidentNumber: l.incidentNumber });
  return out.map((e, i) => ({ e, i })).sort((a, b) => a.e.tsMs - b.e.tsMs || a.i - b.i).map((x) => x.e);
}

/** The event "current" at time `tMs`: the last one at or before it, -1 before the first. */
export function eventCursor(eventTimesMs: readonly number[], tMs: number): number {
  return lastAtOrBefore(eventTimesMs, tMs);
}

export const SPEEDS = [1, 2, 5, 10, 30, 60] as const;

/** Advances the replay clock by a wall-clock step; stops (playing = false) at the end of the window. */
export function advance(tMs: number, wallDtMs: number, speed: number, endMs: number): { tMs: number; ended: boolean } {
  const next = tMs + wallDtMs * speed;
  return next >= endMs ? { tMs: endMs, ended: true } : { tMs: next, ended: false };
}
