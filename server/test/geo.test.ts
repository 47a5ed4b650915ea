import { describe, expect, it } from 'vitest';
import { boundingBox, EARTH_RADIUS_M, haversineM } from '../src/core/geo.ts';

/** The point `distanceM` from `from` on initial bearing `bearingDeg` (great circle). */
function destination(from: { lat: number; lng: number }, bearingDeg: number, distanceM: number) {
  const r = Math.PI / 180;
  const d = distanceM / EARTH_RADIUS_M;
  const b = bearingDeg * r;
  const lat1 = from.lat * r;
  const lat2 = Math.asin(Math.sin(lat1) * Math.cos(d) + Math.cos(lat1) * Math.sin(d) * Math.cos(b));
  const lng2 = from.lng * r + Math.atan2(Math.sin(b) * Math.sin(d) * Math.cos(lat1), Math.cos(d) - Math.sin(lat1) * Math.sin(lat2));
  return { lat: lat2 / r, lng: lng2 / r };
}

describe('boundingBox', () => {
  const cases: [string, { lat: number; lng: number }, number][] = [
    ['Bình Dương, 500 m (duplicate-call radius)', { lat: 10.98, lng: 106.65 }, 500],
    ['equator, 60 km', { lat: 0, lng: 0 }, 60_000],
    ['far north, 5 km', { lat: 70, lng: 20 }, 5_000],
    ['far south, 50 km', { lat: -75, lng: -60 }, 50_000],
  ];
  it.each(cases)('holds every point of the circle: %s', (_name, center, radiusM) => {
    const box = boundingBox(center, radiusM);
    for (let bearing = 0; bearing < 360; bearing += 1) {
      const p = destination(center, bearing, radiusM);
      expect(haversineM(center, p)).toBeCloseTo(radiusM, 3);
      expect(p.lat).toBeGreaterThanOrEqual(box.minLat);
      expect(p.lat).toBeLessThanOrEqual(box.maxLat);
      expect(box.lng).not.toBeNull();
      expect(p.lng).toBeGreaterThanOrEqual(box.lng!.min);
      expect(p.lng).toBeLessThanOrEqual(box.lng!.max);
    }
  });

  it('is not much larger than the circle (it must still filter)', () => {
    const center = { lat: 10.98, lng: 106.65 };
    const box = boundingBox(center, 500);
    expect(haversineM(center, { lat: box.maxLat, lng: center.lng })).toBeLessThan(500 * 1.05);
    expect(haversineM(center, { lat: center.lat, lng: box.lng!.max })).toBeLessThan(500 * 1.05);
  });

  it('leaves longitude unconstrained across the antimeridian and near a pole', () => {
    expect(boundingBox({ lat: 0, lng: 179.999 }, 1_000).lng).toBeNull();
    expect(boundingBox({ lat: -16, lng: -179.999 }, 1_000).lng).toBeNull();
    const polar = boundingBox({ lat: 89.5, lng: 0 }, 100_000);
    expect(polar.lng).toBeNull();
    expect(polar.maxLat).toBe(90);
  });
});
