import type { LatLng } from '@lifeline/protocol';
import { straightLineEta, type EtaProvider, type EtaResult } from '../eta.ts';
import type { RoutingEtaProvider } from '../routing/providers.ts';

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

/** One origin to many destinations: one `oneToMany` when the provider routes (RoutingEtaProvider), else one query per destination. */
export async function travelSecFrom(eta: EtaProvider, from: LatLng, to: readonly LatLng[]): Promise<number[]> {
  if ('oneToMany' in eta && typeof eta.oneToMany === 'function') {
    const r = (await (eta as RoutingEtaProvider).oneToMany(from, to)) as EtaResult[];
    return to.map((t, i) => (r[i] && Number.isFinite(r[i]!.etaSec) ? r[i]!.etaSec : straightLineEta(from, t).etaSec));
  }
  const out: number[] = [];
  for (const t of to) out.push(await travelSec(eta, from, t));
  return out;
}
