import type { UnitStatus } from '@lifeline/protocol';
import { distanceM } from './geo.ts';

/**
 * When a real vehicle reports its position. A GPS receiver gives a fix every second; sending every
 * one costs mobile data and server writes, while sending too few leaves the dispatcher guessing.
 * The defaults suit an ambulance: every 5 s on a job or moving, every 60 s when parked (below the
 * server's default SILENT_AFTER_SEC of 90 s, so a parked unit never looks silent), and at once on a
 * 30° turn or after 100 m, so the track follows the roads even between interval reports.
 */
export interface ReportingPolicy {
  /** Interval while moving or on a job (dispatched, en_route, transporting), ms. */
  movingIntervalMs: number;
  /** Interval while parked (slower than `movingSpeedMps` and not driving to a job), ms. */
  parkedIntervalMs: number;
  /** Never report more often than this, whatever the triggers, ms. */
  minIntervalMs: number;
  /** Report when the unit moved at least this far from the last reported fix, metres (0 = off). */
  distanceM: number;
  /** Report when the course changed at least this much since the last report while moving, degrees (0 = off). */
  headingChangeDeg: number;
  /** At or above this speed over ground the unit counts as moving, m/s (≈ 5.4 km/h). */
  movingSpeedMps: number;
}

export const DEFAULT_REPORTING_POLICY: ReportingPolicy = {
  movingIntervalMs: 5_000,
  parkedIntervalMs: 60_000,
  minIntervalMs: 1_000,
  distanceM: 100,
  headingChangeDeg: 30,
  movingSpeedMps: 1.5,
};

/** Statuses in which the unit reports fast even when standing still (it is about to move, or moving with a patient). */
const DRIVING_STATUSES: ReadonlySet<UnitStatus> = new Set(['dispatched', 'en_route', 'transporting']);

/** What the policy needs from a fix: device time, place, and speed/course when the source gives them. */
export interface PolicyFix {
  recordedAtMs: number;
  lat: number;
  lng: number;
  speedMps: number | null;
  headingDeg: number | null;
}

export type ReportReason = 'first' | 'interval' | 'distance' | 'heading' | 'status';
export type ReportDecision = { report: true; reason: ReportReason } | { report: false };

/** Smallest angle between two courses, degrees in [0, 180]. */
export function headingDeltaDeg(a: number, b: number): number {
  const d = Math.abs((((a - b) % 360) + 360) % 360);
  return d > 180 ? 360 - d : d;
}

export function isMoving(fix: PolicyFix, status: UnitStatus, p: ReportingPolicy): boolean {
  return (fix.speedMps ?? 0) >= p.movingSpeedMps || DRIVING_STATUSES.has(status);
}

/**
 * Whether to report `fix`, given the last reported one (null: nothing reported yet). Pure: all
 * times are the fixes' device times. `statusChanged`: the crew just changed status, so the next fix
 * goes out at once (e.g. "en route" puts the unit on the map where it starts).
 */
export function decideReport(
  last: PolicyFix | null,
  fix: PolicyFix,
  ctx: { status: UnitStatus; statusChanged?: boolean },
  p: ReportingPolicy = DEFAULT_REPORTING_POLICY,
): ReportDecision {
  if (last === null) return { report: true, reason: 'first' };
  const elapsedMs = fix.recordedAtMs - last.recordedAtMs;
  // A fix older than (or as old as) the last report adds nothing live; a clock jump back is not a reason to flood.
  if (elapsedMs < p.minIntervalMs) return { report: false };
  if (ctx.statusChanged) return { report: true, reason: 'status' };
  const moving = isMoving(fix, ctx.status, p);
  if (elapsedMs >= (moving ? p.movingIntervalMs : p.parkedIntervalMs)) return { report: true, reason: 'interval' };
  if (p.distanceM > 0 && distanceM(last, fix) >= p.distanceM) return { report: true, reason: 'distance' };
  if (
    p.headingChangeDeg > 0 &&
    (fix.speedMps ?? 0) >= p.movingSpeedMps && // a parked receiver's course is noise
    fix.headingDeg !== null &&
    last.headingDeg !== null &&
    headingDeltaDeg(fix.headingDeg, last.headingDeg) >= p.headingChangeDeg
  ) {
    return { report: true, reason: 'heading' };
  }
  return { report: false };
}

/** Applies defaults and checks ranges; throws RangeError on a caller bug (the CLI validates first). */
export function resolvePolicy(o: Partial<ReportingPolicy> = {}): ReportingPolicy {
  const p = { ...DEFAULT_REPORTING_POLICY, ...o };
  for (const [k, v] of Object.entries(p)) {
    if (!Number.isFinite(v) || v < 0) throw new RangeError(`policy.${k} must be a number ≥ 0, got ${v}`);
  }
  if (p.movingIntervalMs < p.minIntervalMs || p.parkedIntervalMs < p.minIntervalMs) {
    throw new RangeError('policy intervals must be ≥ minIntervalMs');
  }
  return p;
}
