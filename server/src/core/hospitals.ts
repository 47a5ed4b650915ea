import type { Hospital } from '@lifeline/protocol';

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
