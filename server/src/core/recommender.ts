import type { LatLng, Recommendation } from '@lifeline/protocol';
import type { EtaProvider } from './eta.ts';
import type { FleetIndex, UnitEntry } from './fleetIndex.ts';

export interface RecommendOptions {
  /** How many recommendations to return. */
  show: number;
  /**
   * How many straight-line candidates to rank by ETA. Straight-line nearest is not always
   * road-nearest, so gather more than are shown.
   */
  gather: number;
  /** Give up beyond this great-circle radius, metres. */
  maxRadiusM: number;
  accept?: (entry: UnitEntry) => boolean;
}

export const DEFAULT_RECOMMEND: RecommendOptions = { show: 5, gather: 15, maxRadiusM: 60_000 };

/**
 * Recommends the available units with the shortest ETA to `at`, best first.
 * Ties on ETA fall back to straight-line distance, then to the unit id, so the order is stable.
 */
export async function recommendUnits(
  index: FleetIndex,
  eta: EtaProvider,
  at: LatLng,
  callSignOf: (id: string) => string,
  opts: RecommendOptions = DEFAULT_RECOMMEND,
): Promise<Recommendation[]> {
  const candidates = index.nearestAvailable(at, { limit: opts.gather, maxRadiusM: opts.maxRadiusM, accept: opts.accept });
  if (candidates.length === 0) return [];
  const origins = candidates.map((c) => index.get(c.id)!.position!);
  const etas = await eta.manyToOne(origins, at);
  return candidates
    .map((c, i) => ({
      vehicleId: c.id,
      callSign: callSignOf(c.id),
      etaSec: Math.round(etas[i]!.etaSec),
      distanceM: Math.round(etas[i]!.distanceM),
      straightLineM: Math.round(c.distanceM),
      etaSource: etas[i]!.source,
    }))
    .filter((r) => Number.isFinite(r.etaSec))
    .sort((a, b) => a.etaSec - b.etaSec || a.straightLineM - b.straightLineM || a.vehicleId.localeCompare(b.vehicleId))
    .slice(0, opts.show);
}
