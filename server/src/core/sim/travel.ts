import type { LatLng } from '@lifeline/protocol';
import { straightLineEta, type EtaProvider } from '../eta.ts';

/** ETA by the provider; an unanswered leg falls back to the straight-line model, as the live chain does. */
export async function travelSec(eta: EtaProvider, from: LatLng, to: LatLng): Promise<number> {
  const [r] = await eta.manyToOne([from], to);
  return r && Number.isFinite(r.etaSec) ? r.etaSec : straightLineEta(from, to).etaSec;
}

/** Many origins to one destination, with the same fallback per entry. */
export async function travelSecMany(eta: EtaProvider, from: readonly LatLng[], to: LatLng): Promise<number[]> {
  const r = await eta.manyToOne(from, to);
  return from.map((f, i) => (r[i] && Number.isFinite(r[i]!.etaSec) ? r[i]!.etaSec : straightLineEta(f, to).etaSec));
}
