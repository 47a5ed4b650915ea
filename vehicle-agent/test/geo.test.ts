import { describe, expect, it } from 'vitest';
import { bearingDeg, destinationPoint, distanceM, kmhToMps, normalizeDeg, stepTowards } from '../src/core/geo.ts';

const TDM = { lat: 10.98, lng: 106.65 }; // Thu Dau Mot
/** 1° of latitude ≈ 111.195 km on the mean sphere. */
const DEG_LAT_M = 111_195.08;

describe('distanceM', () => {
  it.each([
    ['same point', TDM, TDM, 0],
    ['1° of latitude', { lat: 0, lng: 0 }, { lat: 1, lng: 0 }, DEG_LAT_M],
    ['1° of longitude at the equator', { lat: 0, lng: 0 }, { lat: 0, lng: 1 }, DEG_LAT_M],
    ['1° of longitude at 60°N is half', { lat: 60, lng: 0 }, { lat: 60, lng: 1 }, 55_595.5],
    ['across the antimeridian', { lat: 0, lng: 179.5 }, { lat: 0, lng: -179.5 }, DEG_LAT_M],
  ])('%s', (_name, a, b, expected) => {
    expect(distanceM(a, b)).toBeCloseTo(expected, -1); // within 10 m
  });
});

describe('bearingDeg', () => {
  it.each([
    ['north', { lat: 1, lng: 0 }, 0],
    ['east', { lat: 0, lng: 1 }, 90],
    ['south', { lat: -1, lng: 0 }, 180],
    ['west', { lat: 0, lng: -1 }, 270],
    ['north-east', { lat: 1, lng: 1 }, 45],
  ])('%s', (_name, to, expected) => {
    expect(bearingDeg({ lat: 0, lng: 0 }, to)).toBeCloseTo(expected, 1);
  });
});

describe('normalizeDeg', () => {
  it.each([
    [0, 0],
    [360, 0],
    [-90, 270],
    [725, 5],
    [-360, 0],
  ])('%d → %d', (input, expected) => expect(normalizeDeg(input)).toBe(expected));
});

describe('destinationPoint', () => {
  it('goes 1 km east and comes back along the bearing back (not 270°: great circles curve)', () => {
    const p = destinationPoint(TDM, 90, 1000);
    expect(distanceM(TDM, p)).toBeCloseTo(1000, 3);
    expect(bearingDeg(TDM, p)).toBeCloseTo(90, 2);
    expect(distanceM(destinationPoint(p, bearingDeg(p, TDM), 1000), TDM)).toBeLessThan(0.001);
  });
  it('wraps longitude across the antimeridian', () => {
    const p = destinationPoint({ lat: 0, lng: 179.99 }, 90, 5000);
    expect(p.lng).toBeLessThan(-179);
  });
});

describe('stepTowards', () => {
  const target = destinationPoint(TDM, 30, 1000); // 1 km at 30°
  const v = kmhToMps(36); // 10 m/s
  it.each([
    // name, dtSec, movedM, remainingM, arrived
    ['a short step covers speed × dt', 10, 100, 900, false],
    ['a zero dt does not move', 0, 0, 1000, false],
    ['exactly the distance arrives', 100, 1000, 0, true],
    ['more than the distance lands on the target, no overshoot', 500, 1000, 0, true],
  ])('%s', (_name, dtSec, movedM, remainingM, arrived) => {
    const s = stepTowards(TDM, target, v, dtSec);
    expect(s.movedM).toBeCloseTo(movedM, 3);
    expect(s.remainingM).toBeCloseTo(remainingM, 3);
    expect(s.arrived).toBe(arrived);
    expect(distanceM(TDM, s.position)).toBeCloseTo(movedM, 3);
    expect(s.headingDeg).toBeCloseTo(30, 1);
    if (arrived) expect(s.position).toEqual(target);
  });
  it('keeps the previous heading when already at the target', () => {
    const s = stepTowards(TDM, TDM, v, 10, 123);
    expect(s).toMatchObject({ arrived: true, movedM: 0, headingDeg: 123, position: TDM });
  });
  it('a negative speed or dt never moves backwards', () => {
    expect(stepTowards(TDM, target, -5, 10).movedM).toBe(0);
    expect(stepTowards(TDM, target, 5, -10).movedM).toBe(0);
  });
  it('repeated steps reach the target in ceil(distance / (speed × dt)) steps', () => {
    let p = TDM;
    let steps = 0;
    for (let done = false; !done; steps++) {
      const s = stepTowards(p, target, v, 30); // 300 m per step
      p = s.position;
      done = s.arrived;
    }
    expect(steps).toBe(4);
    expect(p).toEqual(target);
  });
});
