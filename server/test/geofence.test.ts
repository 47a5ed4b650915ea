import { describe, expect, it } from 'vitest';
import { DEFAULT_GEOFENCE, initialDwell, insideFence, stepDwell, type DwellState, type Fence, type FenceEvent, type FenceFix } from '../src/core/geofence.ts';
import { haversineM } from '../src/core/geo.ts';

const SCENE = { lat: 10.98, lng: 106.65 };
const T = 1_700_000_000_000;
/** Metres per degree of latitude, near enough for building test points. */
const M = 111_195;

const circle: Fence = { id: 'scene-1', kind: 'scene', shape: { type: 'circle', center: SCENE, radiusM: 150 } };
// A 200 m × 200 m square hospital compound with SCENE at its south-west corner.
const square: Fence = {
  id: 'h-1',
  kind: 'hospital',
  shape: {
    type: 'polygon',
    geometry: {
      type: 'Polygon',
      coordinates: [[[106.65, 10.98], [106.65 + 200 / M, 10.98], [106.65 + 200 / M, 10.98 + 200 / M], [106.65, 10.98 + 200 / M], [106.65, 10.98]]],
    },
  },
};

/** A fix `northM` metres north of SCENE at second `s`. */
const at = (s: number, northM: number, speedMps: number | null = 0, accuracyM: number | null = 10): FenceFix => ({
  lat: SCENE.lat + northM / M,
  lng: SCENE.lng,
  recordedAtMs: T + s * 1000,
  speedMps,
  accuracyM,
});

function run(fence: Fence, fixes: FenceFix[], cfg = DEFAULT_GEOFENCE): { events: FenceEvent[]; state: DwellState } {
  let state = initialDwell(fence);
  const events: FenceEvent[] = [];
  for (const f of fixes) {
    const r = stepDwell(state, fence, f, cfg);
    state = r.state;
    if (r.event) events.push(r.event);
  }
  return { events, state };
}

describe('insideFence', () => {
  it.each([
    ['centre', 0, 0, true],
    ['149 m north', 149, 0, true],
    ['151 m north', 151, 0, false],
    ['151 m north with a 10 m margin', 151, 10, true],
    ['300 m north with a 50 m margin', 300, 50, false],
  ])('circle: %s → %s', (_name, northM, margin, inside) => {
    expect(haversineM(SCENE, at(0, northM))).toBeCloseTo(northM, -0.5);
    expect(insideFence(circle, at(0, northM), margin)).toBe(inside);
  });

  it.each([
    ['inside', { lat: 10.98 + 100 / M, lng: 106.65 + 100 / M }, 0, true],
    ['on the boundary', { lat: 10.98, lng: 106.65 + 100 / M }, 0, true],
    ['30 m south of it', { lat: 10.98 - 30 / M, lng: 106.65 + 100 / M }, 0, false],
    ['30 m south of it, margin 50 m', { lat: 10.98 - 30 / M, lng: 106.65 + 100 / M }, 50, true],
    ['80 m south of it, margin 50 m', { lat: 10.98 - 80 / M, lng: 106.65 + 100 / M }, 50, false],
  ])('polygon: %s', (_name, p, margin, inside) => {
    expect(insideFence(square, p, margin)).toBe(inside);
  });
});

describe('stepDwell', () => {
  it('arrives after dwelling inside and stopped, at the fix that completes the dwell', () => {
    const { events } = run(circle, [at(0, 800, 12), at(30, 400, 12), at(60, 100, 2), at(70, 90, 0), at(80, 95, 0.5), at(90, 90, 0)]);
    expect(events).toEqual([{ type: 'arrived', fenceId: 'scene-1', kind: 'scene', atMs: T + 80_000 }]);
  });

  it('a single fix that jumps into the fence is not an arrival', () => {
    const { events, state } = run(circle, [at(0, 2000, 0), at(25, 0, 0)]);
    expect(events).toEqual([]);
    expect(state.arrived).toBe(false);
  });

  it('passing through the fence at speed is not an arrival', () => {
    const fixes = Array.from({ length: 40 }, (_, i) => at(i, -200 + i * 10, 10));
    expect(run(circle, fixes).events).toEqual([]);
  });

  it('stopping only briefly (under the dwell) is not an arrival; the dwell restarts after moving', () => {
    const { events } = run(circle, [at(0, 50, 0), at(10, 50, 0), at(15, 60, 8), at(20, 60, 0), at(35, 60, 0)]);
    expect(events).toEqual([]);
    const later = run(circle, [at(0, 50, 0), at(10, 50, 0), at(15, 60, 8), at(20, 60, 0), at(35, 60, 0), at(40, 60, 0)]);
    expect(later.events.map((e) => e.atMs)).toEqual([T + 40_000]);
  });

  it('jitter across the boundary after arriving does not make it leave; two fixes beyond the margin do', () => {
    const arrive = [at(0, 100, 0), at(30, 100, 0)];
    const jitter = [at(40, 160, 0), at(45, 190, 0), at(50, 170, 0), at(55, 140, 0), at(60, 195, 0)];
    expect(run(circle, [...arrive, ...jitter]).events.map((e) => e.type)).toEqual(['arrived']);
    const leave = run(circle, [...arrive, ...jitter, at(70, 260, 9), at(75, 320, 12)]);
    expect(leave.events.map((e) => [e.type, e.atMs])).toEqual([['arrived', T + 30_000], ['left', T + 75_000]]);
    expect(leave.state.arrived).toBe(false);
  });

  it('one stray fix far outside after arriving is not a departure', () => {
    const { events } = run(circle, [at(0, 100, 0), at(30, 100, 0), at(35, 5000, 0), at(40, 100, 0), at(45, 5000, 0)]);
    expect(events.map((e) => e.type)).toEqual(['arrived']);
  });

  it('ignores inaccurate and out-of-order fixes', () => {
    const { events } = run(circle, [at(0, 0, 0, 500), at(30, 0, 0, 500), at(60, 0, 0, 10), at(50, 0, 0, 10), at(70, 0, 0, 10)]);
    expect(events).toEqual([]);
    expect(run(circle, [at(0, 0, 0, 500), at(60, 0, 0, 10), at(50, 0, 0, 10), at(81, 0, 0, 10)]).events.map((e) => e.atMs)).toEqual([T + 81_000]);
  });

  it('without reported speed it uses the speed between fixes', () => {
    // 100 m in 5 s = 20 m/s: moving, so no arrival however long the run.
    const moving = run(circle, [at(0, -100, null), at(5, 0, null), at(10, 100, null), at(30, -100, null)]);
    expect(moving.events).toEqual([]);
    const parked = run(circle, [at(0, 10, null), at(15, 12, null), at(30, 11, null)]);
    expect(parked.events.map((e) => e.atMs)).toEqual([T + 30_000]);
  });

  it('arrives in a polygon fence too (the hospital compound)', () => {
    const inYard = (s: number): FenceFix => ({ lat: 10.98 + 150 / M, lng: 106.65 + 150 / M, recordedAtMs: T + s * 1000, speedMps: 0, accuracyM: 5 });
    expect(run(square, [inYard(0), inYard(10), inYard(25)]).events).toEqual([{ type: 'arrived', fenceId: 'h-1', kind: 'hospital', atMs: T + 25_000 }]);
    // Parked 30 m outside the compound's wall: not at the hospital.
    const outside = (s: number): FenceFix => ({ lat: 10.98 - 30 / M, lng: 106.65 + 100 / M, recordedAtMs: T + s * 1000, speedMps: 0, accuracyM: 5 });
    expect(run(square, [outside(0), outside(10), outside(25)]).events).toEqual([]);
  });
});
