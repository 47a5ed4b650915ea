/**
 * One rule for everything a suite needs from the machine (Chromium, gpsd, Mosquitto, PostgreSQL,
 * Redis, python3): on a developer's machine a missing one skips its suite with one printed line
 * that says how to get it; with LIFELINE_REQUIRE_ALL=1 (set by .ci/run) it fails the suite, so CI
 * can never pass without running everything.
 */

/** True when every optional service must be present (CI). */
export const requireAll = (): boolean => process.env.LIFELINE_REQUIRE_ALL === '1';

/**
 * `missing` is null when the service is here (returns false: run the suite). Otherwise prints one
 * line and returns true (skip), or throws in CI mode — called at a test file's top level, the throw
 * fails that file.
 */
export function optional(service: string, missing: string | null, hint: string): boolean {
  if (missing === null) return false;
  const line = `${service} not available (${missing}): ${hint}`;
  if (requireAll()) throw new Error(`LIFELINE_REQUIRE_ALL=1 and ${line}`);
  console.log(`skipped: ${line}`);
  return true;
}
