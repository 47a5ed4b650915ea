import { EARTH_RADIUS_M } from '../geo.ts';

const RAD = Math.PI / 180;

/** Great-circle distance between two points given in degrees, metres (no allocation). */
export function haversineDegM(lat1: number, lng1: number, lat2: number, lng2: number): number {
  const dLat = (lat2 - lat1) * RAD;
  const dLng = (lng2 - lng1) * RAD;
  const s = Math.sin(dLat / 2) ** 2 + Math.cos(lat1 * RAD) * Math.cos(lat2 * RAD) * Math.sin(dLng / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(s)));
}

/** Degrees per 1e-7 fixed-point unit (OSM's own coordinate precision, ~1 cm). */
export const E7 = 1e-7;
export const toE7 = (deg: number): number => Math.round(deg * 1e7);
