import type { EtaSource, LatLng } from '@lifeline/protocol';
import { haversineM } from './geo.ts';

export interface EtaResult {
  /** Travel time, seconds. */
  etaSec: number;
  /** Travel distance, metres. */
  distanceM: number;
  source: EtaSource;
}

/**
 * Travel time from many origins to one destination (units → scene), in the order given.
 * Road routers and OSRM-compatible services implement the same interface.
 */
export interface EtaProvider {
  manyToOne(from: readonly LatLng[], to: LatLng): Promise<EtaResult[]>;
}

export interface StraightLineEtaConfig {
  /**
   * Road distance ÷ great-circle distance. Measured detour indexes for city road networks sit
   * around 1.2–1.5; 1.4 suits dense cities with one-way streets and alleys (Hà Nội, Thủ Dầu Một).
   */
  circuity: number;
  /**
   * Average ambulance speed, km/h, with lights and siren in mixed urban traffic. Surveys of
   * Vietnamese urban EMS report 25–40 km/h; 35 is the middle of that range.
   */
  speedKmh: number;
}

export const DEFAULT_STRAIGHT_LINE_ETA: StraightLineEtaConfig = { circuity: 1.4, speedKmh: 35 };

/** The built-in estimate: great-circle distance × circuity ÷ speed. */
export function straightLineEta(from: LatLng, to: LatLng, cfg = DEFAULT_STRAIGHT_LINE_ETA): EtaResult {
  const distanceM = haversineM(from, to) * cfg.circuity;
  return { distanceM, etaSec: distanceM / (cfg.speedKmh / 3.6), source: 'straight_line' };
}

export class StraightLineEtaProvider implements EtaProvider {
  constructor(private readonly cfg: StraightLineEtaConfig = DEFAULT_STRAIGHT_LINE_ETA) {}
  async manyToOne(from: readonly LatLng[], to: LatLng): Promise<EtaResult[]> {
    return from.map((f) => straightLineEta(f, to, this.cfg));
  }
}
