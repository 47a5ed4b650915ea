/** Axis steps for durations, seconds: 10 s … 2 h, so ticks read as whole minutes when they can. */
const DURATION_STEPS_SEC = [10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200];

export interface Axis {
  /** The value at the right edge of the chart. */
  max: number;
  step: number;
  ticks: number[];
}

/**
 * A duration axis from 0 that holds every value (and the target, so the target line is always on
 * the chart), with at most `maxTicks` steps of a round size. `values` in seconds; nulls ignored.
 */
export function durationAxis(values: readonly (number | null)[], maxTicks = 6): Axis {
  const top = Math.max(0, ...values.filter((v): v is number => v !== null && Number.isFinite(v)));
  if (top <= 0) return { max: 60, step: 60, ticks: [0, 60] };
  let step = DURATION_STEPS_SEC.find((s) => Math.ceil(top / s) <= maxTicks);
  if (step === undefined) step = Math.ceil(top / maxTicks / 3600) * 3600;
  const max = Math.ceil(top / step) * step;
  const ticks: number[] = [];
  for (let v = 0; v <= max; v += step) ticks.push(v);
  return { max, step, ticks };
}

/** Pixel length of a bar for `value` on an axis ending at `max` over `widthPx`; clamped to [0, widthPx]. */
export function barPx(value: number | null, max: number, widthPx: number): number {
  if (value === null || !Number.isFinite(value) || max <= 0) return 0;
  return Math.max(0, Math.min(widthPx, (value / max) * widthPx));
}

/**
 * How an interval's 90th percentile reads against its target: `ok` at or under it, `near` up to
 * 25 % over, `miss` beyond; `none` when nothing was measured.
 */
export function verdict(p90Sec: number | null, targetSec: number): 'ok' | 'near' | 'miss' | 'none' {
  if (p90Sec === null) return 'none';
  if (p90Sec <= targetSec) return 'ok';
  return p90Sec <= targetSec * 1.25 ? 'near' : 'miss';
}

/** A share (0–1) as a whole percentage for bar widths; null → 0. */
export const sharePct = (share: number | null): number => (share === null ? 0 : Math.round(Math.max(0, Math.min(1, share)) * 1000) / 10);
