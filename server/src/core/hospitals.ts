import type { Hospital, LatLng } from '@lifeline/protocol';
import { haversineM } from './geo.ts';

export interface HospitalChoice {
  hospital: Hospital;
  etaSec: number;
  /** True when every hospital was on diversion or full and the nearest was taken anyway. */
  overridden: boolean;
}

/**
 * The destination for a patient: the hospital with the shortest ETA among those not on diversion
 * and not reporting zero free emergency beds. When none qualifies, the nearest of all — a patient
 * must go somewhere — flagged so the dispatcher sees it.
 */
export function chooseHospital(hospitals: readonly Hospital[], etaSec: readonly number[]): HospitalChoice | null {
  let best: HospitalChoice | null = null;
  let fallback: HospitalChoice | null = null;
  hospitals.forEach((h, i) => {
    const eta = etaSec[i]!;
    if (!Number.isFinite(eta)) return;
    if (!fallback || eta < fallback.etaSec) fallback = { hospital: h, etaSec: eta, overridden: true };
    const accepting = !h.diversion && h.edCapacity !== 0;
    if (accepting && (!best || eta < best.etaSec)) best = { hospital: h, etaSec: eta, overridden: false };
  });
  return best ?? fallback;
}

/** How far a destination may be: hospitals beyond these are never chosen. */
export interface HospitalLimits {
  /** Straight-line distance from the scene, metres (HOSPITAL_MAX_DISTANCE_KM). */
  maxDistanceM: number;
  /** Travel time from the scene, seconds (HOSPITAL_MAX_ETA_SEC). */
  maxEtaSec: number;
}

/** Why no destination was set: written on the timeline (`NoHospitalInRange`) for the dispatcher. */
export type HospitalRefusal =
  | { reason: 'too_far'; nearestKm: number }
  | { reason: 'unreachable' }
  | { reason: 'eta_too_long'; hospitalId: string; etaSec: number };

export type Destination = { choice: HospitalChoice } | { refused: HospitalRefusal };

/** The hospitals within `maxDistanceM` of the scene, and the distance to the nearest of all, km. */
export function hospitalsInRange(hospitals: readonly Hospital[], scene: LatLng, maxDistanceM: number): { inRange: Hospital[]; nearestKm: number } {
  let nearest = Infinity;
  const inRange = hospitals.filter((h) => {
    const d = haversineM(scene, h.location);
    nearest = Math.min(nearest, d);
    return d <= maxDistanceM;
  });
  return { inRange, nearestKm: Math.round(nearest / 100) / 10 };
}

/**
 * The destination among hospitals already in range (see hospitalsInRange), or why there is none: a
 * map switched to another area with the old hospitals left in place must not send a patient to a
 * hospital days away, and an ETA no ambulance would drive is no destination either.
 */
export function chooseHospitalWithin(inRange: readonly Hospital[], etaSec: readonly number[], maxEtaSec: number): Destination {
  const choice = chooseHospital(inRange, etaSec);
  if (!choice) return { refused: { reason: 'unreachable' } };
  if (choice.etaSec > maxEtaSec) return { refused: { reason: 'eta_too_long', hospitalId: choice.hospital.id, etaSec: Math.round(choice.etaSec) } };
  return { choice };
}
