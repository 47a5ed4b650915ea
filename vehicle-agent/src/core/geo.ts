import type { LatLng } from '@lifeline/protocol';

/** Mean Earth radius, metres (the IUGG value Turf and h3 use too). */
export const EARTH_RADIUS_M = 6_371_008.8;

const toRad = (deg: number) => (deg * Math.PI) / 180;
const toDeg = (rad: number) => (rad * 180) / Math.PI;

/** Normalises any angle in degrees to [0, 360). */
export function normalizeDeg(deg: number): number {
  const d = ((deg % 360) + 360) % 360;
  return d === 0 ? 0 : d; // also turns -0 into 0
}

/** Great-circle (haversine) distance between two points, metres. */
export function distanceM(a: LatLng, b: LatLng): number {
  const dLat = toRad(b.lat - a.lat);
  const dLng = toRad(b.lng - a.lng);
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(toRad(a.lat)) * Math.cos(toRad(b.lat)) * Math.sin(dLng / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** Initial great-circle bearing from `a` to `b`, degrees clockwise from true north in [0, 360). */
export function bearingDeg(a: LatLng, b: LatLng): number {
  const phi1 = toRad(a.lat);
  const phi2 = toRad(b.lat);
  const dLambda = toRad(b.lng - a.lng);
  const y = Math.sin(dLambda) * Math.cos(phi2);
  const x = Math.cos(phi1) * Math.sin(phi2) - Math.sin(phi1) * Math.cos(phi2) * Math.cos(dLambda);
  return normalizeDeg(toDeg(Math.atan2(y, x)));
}

/** The point `distM` metres from `from` along the initial bearing `headingDeg` (degrees from north). */
export function destinationPoint(from: LatLng, headingDeg: number, distM: number): LatLng {
  const delta = distM / EARTH_RADIUS_M;
  const theta = toRad(headingDeg);
  const phi1 = toRad(from.lat);
  const lambda1 = toRad(from.lng);
  const phi2 = Math.asin(Math.sin(phi1) * Math.cos(delta) + Math.cos(phi1) * Math.sin(delta) * Math.cos(theta));
  const lambda2 = lambda1 + Math.atan2(Math.sin(theta) * Math.sin(delta) * Math.cos(phi1), Math.cos(delta) - Math.sin(phi1) * Math.sin(phi2));
  return { lat: toDeg(phi2), lng: ((toDeg(lambda2) + 540) % 360) - 180 };
}

/**
 * Within this many metres counts as arrived. Without it, float rounding in the great-circle
 * maths can leave a micrometre to go and cost a whole extra tick (a simulated second or more).
 */
export const ARRIVAL_TOLERANCE_M = 0.01;

export interface Step {
  position: LatLng;
  /** Direction of travel during this step, degrees from north in [0, 360). */
  headingDeg: number;
  /** Metres actually covered (≤ speedMps × dtSec). */
  movedM: number;
  /** Metres still to go after the step. */
  remainingM: number;
  arrived: boolean;
}

/**
 * Moves from `from` towards `target` by at most `speedMps` × `dtSec` metres along the great
 * circle. Lands exactly on `target` when it is within reach (no overshoot, see ARRIVAL_TOLERANCE_M). When already there,
 * keeps `prevHeadingDeg` (a parked vehicle does not spin round to north).
 */
export function stepTowards(
  from: LatLng,
  target: LatLng,
  speedMps: number,
  dtSec: number,
  prevHeadingDeg = 0,
): Step {
  const total = distanceM(from, target);
  const reach = Math.max(0, speedMps) * Math.max(0, dtSec);
  if (total === 0) return { position: { ...target }, headingDeg: normalizeDeg(prevHeadingDeg), movedM: 0, remainingM: 0, arrived: true };
  const headingDeg = bearingDeg(from, target);
  if (reach >= total - ARRIVAL_TOLERANCE_M) return { position: { ...target }, headingDeg, movedM: total, remainingM: 0, arrived: true };
  return { position: destinationPoint(from, headingDeg, reach), headingDeg, movedM: reach, remainingM: total - reach, arrived: false };
}

/** Kilometres per hour → metres per second. */
export const kmhToMps = (kmh: number) => kmh / 3.6;
