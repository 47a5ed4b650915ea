import { describe, expect, it } from 'vitest';
import { assessFix, plausibleStep } from '../src/core/fixQuality.ts';

const NOW = 1_800_000_000_000;
const at = (lat: number, lng: number, s: number) => ({ lat, lng, recordedAtMs: NOW + s * 1000 });
const DEG_KM = 111.195; // km per degree of latitude

describe('fix quality', () => {
  it.each([
    ['first fix', at(10.98, 106.65, 0), null, null, null],
    ['(0, 0): null island', at(0, 0, 0), null, null, 'null_island'],
    ['3 minutes in the future', at(10.98, 106.65, 180), null, null, 'future_time'],
    ['1 minute in the future (clock skew tolerated)', at(10.98, 106.65, 60), null, null, null],
    // 1 km in 10 s = 360 km/h
    ['1 km in 10 s after the live fix', at(10.98 + 1 / DEG_KM, 106.65, 10), at(10.98, 106.65, 0), null, 'implausible_jump'],
    // 1 km in 60 s = 60 km/h
    ['1 km in 60 s', at(10.98 + 1 / DEG_KM, 106.65, 60), at(10.98, 106.65, 0), null, null],
    ['80 m in 0.1 s (GPS noise)', at(10.98 + 0.08 / DEG_KM, 106.65, 0.1), at(10.98, 106.65, 0), null, null],
    ['older than live (back-fill): not judged here', at(12, 108, -30), at(10.98, 106.65, 0), null, null],
    // Live fix was the outlier: the new fix agrees with the one refused before.
    ['consistent with the refused fix', at(11.0 + 0.2 / DEG_KM, 106.65, 20), at(10.98, 106.65, 0), at(11.0, 106.65, 10), null],
    ['far from both', at(11.5, 106.65, 20), at(10.98, 106.65, 0), at(11.0, 106.65, 10), 'implausible_jump'],
  ] as const)('%s → %s', (_name, fix, live, suspect, expected) => {
    expect(assessFix(fix, live, suspect, NOW)).toBe(expected);
  });

  it('treats a zero time step as implausible beyond the noise radius', () => {
    expect(plausibleStep(at(10.98, 106.65, 0), at(10.99, 106.65, 0))).toBe(false);
  });
});
