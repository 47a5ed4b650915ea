import { describe, expect, it } from 'vitest';
import type { UnitStatus } from '@lifeline/protocol';
import { DEFAULT_REPORTING_POLICY as P, decideReport, headingDeltaDeg, resolvePolicy, type PolicyFix } from '../src/core/policy.ts';
import { destinationPoint } from '../src/core/geo.ts';

const T0 = 1_750_000_000_000;
const HOME = { lat: 10.98, lng: 106.65 };
const fix = (dtMs: number, o: Partial<PolicyFix> & { movedM?: number; bearing?: number } = {}): PolicyFix => {
  const at = destinationPoint(HOME, o.bearing ?? 0, o.movedM ?? 0);
  return { recordedAtMs: T0 + dtMs, lat: at.lat, lng: at.lng, speedMps: o.speedMps ?? null, headingDeg: o.headingDeg ?? null };
};
const last = fix(0, { speedMps: 10, headingDeg: 90 });

describe('decideReport (defaults)', () => {
  it.each<[string, PolicyFix | null, PolicyFix, UnitStatus, boolean | undefined, string | false]>([
    ['first fix always goes', null, fix(0), 'available', undefined, 'first'],
    ['moving: not before the 5 s interval', last, fix(4_000, { speedMps: 10, headingDeg: 90, movedM: 40, bearing: 90 }), 'available', undefined, false],
    ['moving: at the 5 s interval', last, fix(5_000, { speedMps: 10, headingDeg: 90, movedM: 50, bearing: 90 }), 'available', undefined, 'interval'],
    ['parked: 5 s is not enough', fix(0, { speedMps: 0 }), fix(5_000, { speedMps: 0 }), 'available', undefined, false],
    ['parked: 59 s is not enough', fix(0, { speedMps: 0 }), fix(59_000, { speedMps: 0.3 }), 'available', undefined, false],
    ['parked: at 60 s', fix(0, { speedMps: 0 }), fix(60_000, { speedMps: 0 }), 'available', undefined, 'interval'],
    ['standing but en route counts as moving', fix(0, { speedMps: 0 }), fix(5_000, { speedMps: 0 }), 'en_route', undefined, 'interval'],
    ['standing but transporting counts as moving', fix(0, { speedMps: 0 }), fix(5_000, { speedMps: 0 }), 'transporting', undefined, 'interval'],
    ['on scene, standing: slow', fix(0, { speedMps: 0 }), fix(5_000, { speedMps: 0 }), 'on_scene', undefined, false],
    ['distance trigger at 100 m', last, fix(2_000, { speedMps: 60, headingDeg: 90, movedM: 100, bearing: 90 }), 'available', undefined, 'distance'],
    ['99 m is not enough', last, fix(2_000, { speedMps: 40, headingDeg: 90, movedM: 99, bearing: 90 }), 'available', undefined, false],
    ['heading change of 30° while moving', last, fix(2_000, { speedMps: 10, headingDeg: 120, movedM: 20, bearing: 90 }), 'available', undefined, 'heading'],
    ['heading change across north (350° → 20°)', fix(0, { speedMps: 10, headingDeg: 350 }), fix(2_000, { speedMps: 10, headingDeg: 20 }), 'available', undefined, 'heading'],
    ['29° is not a turn', last, fix(2_000, { speedMps: 10, headingDeg: 119 }), 'available', undefined, false],
    ['course noise while parked is ignored', fix(0, { speedMps: 0.2, headingDeg: 10 }), fix(2_000, { speedMps: 0.2, headingDeg: 200 }), 'available', undefined, false],
    ['unknown heading never triggers', fix(0, { speedMps: 10 }), fix(2_000, { speedMps: 10, headingDeg: 200 }), 'available', undefined, false],
    ['status change goes at once', fix(0, { speedMps: 0 }), fix(1_000, { speedMps: 0 }), 'en_route', true, 'status'],
    ['never faster than minIntervalMs, even on a status change', last, fix(999, { speedMps: 10, headingDeg: 270, movedM: 500 }), 'available', true, false],
    ['a fix older than the last report is not reported', last, fix(-10_000, { speedMps: 10 }), 'available', undefined, false],
  ])('%s', (_name, prev, next, status, statusChanged, expected) => {
    const d = decideReport(prev, next, { status, statusChanged });
    expect(d.report ? d.reason : false).toBe(expected);
  });
});

describe('policy configuration', () => {
  it('triggers can be switched off and intervals changed', () => {
    const p = resolvePolicy({ distanceM: 0, headingChangeDeg: 0, movingIntervalMs: 2_000 });
    expect(decideReport(last, fix(1_500, { speedMps: 60, headingDeg: 180, movedM: 500 }), { status: 'available' }, p)).toEqual({ report: false });
    expect(decideReport(last, fix(2_000, { speedMps: 60, headingDeg: 180 }), { status: 'available' }, p)).toEqual({ report: true, reason: 'interval' });
  });
  it.each([[{ minIntervalMs: -1 }], [{ movingIntervalMs: Number.NaN }], [{ parkedIntervalMs: 500, minIntervalMs: 1000 }]])('rejects %j', (o) => {
    expect(() => resolvePolicy(o)).toThrow(RangeError);
  });
  it('defaults are documented values', () => {
    expect(P).toEqual({ movingIntervalMs: 5000, parkedIntervalMs: 60000, minIntervalMs: 1000, distanceM: 100, headingChangeDeg: 30, movingSpeedMps: 1.5 });
  });
  it.each([[0, 0, 0], [350, 10, 20], [10, 350, 20], [0, 180, 180], [90, 271, 179]])('headingDeltaDeg(%d, %d) = %d', (a, b, d) => {
    expect(headingDeltaDeg(a, b)).toBeCloseTo(d, 9);
  });
});
