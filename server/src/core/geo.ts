import type { LatLng } from '@lifeline/protocol';

/** Mean Earth radius, metres (IUGG). */
export const EARTH_RADIUS_M = 6_371_008.8;

const rad = (deg: number) => (deg * Math.PI) / 180;

/** Great-circle (haversine) distance between two points, metres. */
export function haversineM(a: LatLng, b: LatLng): number {
  const dLat = rad(b.lat - a.lat);
  const dLng = rad(b.lng - a.lng);
  const s = Math.sin(dLat / 2) ** 2 + Math.cos(rad(a.lat)) * Math.cos(rad(b.lat)) * Math.sin(dLng / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(s)));
}

/** A latitude/longitude box, degrees; `lng` is null when the box spans every longitude. */
export interface LatLngBox {
  minLat: number;
  maxLat: number;
  lng: { min: number; max: number } | null;
}

/**
 * A box holding every point within `radiusM` great-circle metres of `center` (a little larger,
 * never smaller), so a database can pre-filter rows cheaply before the exact haversine test.
 * Near a pole, or across the antimeridian, longitude is left unconstrained.
 */
export function boundingBox(center: LatLng, radiusM: number): LatLngBox {
  // 1 % margin against rounding; latitude degrees are a fixed length on the sphere.
  const dLat = ((radiusM * 1.01) / EARTH_RADIUS_M) * (180 / Math.PI);
  const minLat = Math.max(-90, center.lat - dLat);
  const maxLat = Math.min(90, center.lat + dLat);
  const widest = Math.max(Math.abs(minLat), Math.abs(maxLat));
  if (widest >= 89) return { minLat, maxLat, lng: null };
  // Longitude degrees shrink with cos(lat): the widest span is at the latitude nearest a pole.
  const dLng = dLat / Math.cos(rad(widest));
  const min = center.lng - dLng;
  const max = center.lng + dLng;
  if (min < -180 || max > 180) return { minLat, maxLat, lng: null };
  return { minLat, maxLat, lng: { min, max } };
}
