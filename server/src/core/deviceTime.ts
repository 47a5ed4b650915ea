/** The earliest device time accepted: no fix of this service predates it, and 0 / small epochs are clock resets. */
export const MIN_DEVICE_TIME_MS = Date.UTC(2000, 0, 1);

/** MAX_CLOCK_SKEW_SEC's default: a device clock may run this far ahead of the server's, seconds. */
export const DEFAULT_MAX_CLOCK_SKEW_SEC = 3600;

/**
 * Why a device time is refused, or null when it is inside the window [2000-01-01, now + skew].
 * Checked at every ingest boundary: a time outside it is a broken clock or a unit mistake (ms sent
 * as seconds, µs as ms), and a year past 9999 is refused by PostgreSQL itself (22009), so letting
 * it through would make the database refuse the row instead. `ms` need not be finite.
 */
export function deviceTimeProblem(ms: number, nowMs: number, maxSkewMs: number): string | null {
  if (!Number.isFinite(ms)) return 'device time is not a number';
  if (ms < MIN_DEVICE_TIME_MS) return 'device time before 2000-01-01 (clock not set, or seconds sent as milliseconds)';
  if (ms > nowMs + maxSkewMs) return `device time more than ${Math.round(maxSkewMs / 1000)} s ahead of the server clock (or milliseconds sent as seconds)`;
  return null;
}
