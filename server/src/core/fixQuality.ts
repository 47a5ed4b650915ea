import type { LatLng } from '@lifeline/protocol';
import { haversineM } from './geo.ts';

export type FixIssue = 'null_island' | 'future_time' | 'implausible_jump';

export interface FixQualityConfig {
  /** Faster than this between two fixes is a jump, km/h (ambulances rarely exceed 150 on highways). */
  maxSpeedKmh: number;
  /** A device time more than this ahead of the server clock is rejected, ms. */
  maxFutureMs: number;
  /** Below this distance any time gap is plausible (GPS noise), metres. */
  noiseM: number;
}

export const DEFAULT_FIX_QUALITY: FixQualityConfig = { maxSpeedKmh: 250, maxFutureMs: 2 * 60_000, noiseM: 100 };

export interface TimedFix extends LatLng {
  recordedAtMs: number;
}

/** Implied speed between two fixes is plausible (or they are within GPS noise of each other). */
export function plausibleStep(a: TimedFix, b: TimedFix, cfg = DEFAULT_FIX_QUALITY): boolean {
  const d = haversineM(a, b);
  if (d <= cfg.noiseM) return true;
  const dt = Math.abs(b.recordedAtMs - a.recordedAtMs) / 1000;
  return dt > 0 && d / dt <= cfg.maxSpeedKmh / 3.6;
}

/**
 * Whether a fix may become a unit's live position. `live` is the current one; `suspect` the last
 * fix refused as a jump. When the new fix is consistent with the suspect rather than with the live
 * one, the live fix was the outlier, and the new one is taken. Null: the fix is fine.
 */
export function assessFix(fix: TimedFix, live: TimedFix | null, suspect: TimedFix | null, nowMs: number, cfg = DEFAULT_FIX_QUALITY): FixIssue | null {
  if (Math.abs(fix.lat) < 1e-6 && Math.abs(fix.lng) < 1e-6) return 'null_island';
  if (fix.recordedAtMs > nowMs + cfg.maxFutureMs) return 'future_time';
  if (!live || fix.recordedAtMs <= live.recordedAtMs) return null;
  if (plausibleStep(live, fix, cfg)) return null;
  if (suspect && suspect.recordedAtMs < fix.recordedAtMs && plausibleStep(suspect, fix, cfg)) return null;
  return 'implausible_jump';
}
