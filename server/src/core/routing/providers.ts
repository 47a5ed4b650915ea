import type { EtaSource, LatLng } from '@lifeline/protocol';
import { DEFAULT_STRAIGHT_LINE_ETA, straightLineEta, type EtaProvider, type EtaResult, type StraightLineEtaConfig } from '../eta.ts';
import type { RoadRouter } from './router.ts';

/** A route line for the map: [lng, lat] points, with the ETA it was computed with. */
export interface RouteGeometry {
  coordinates: [number, number][];
  etaSec: number;
  distanceM: number;
  source: EtaSource;
}

/**
 * What dispatch needs from routing: units → scene (ranking), scene → hospitals (destination
 * choice) and a route line for an assigned unit. Results keep the order of the input; an entry
 * with a non-finite `etaSec` means "no answer from this provider" (off the network,
 * unreachable), which {@link FallbackEtaProvider} hands to the next one.
 */
export interface RoutingEtaProvider extends EtaProvider {
  oneToMany(from: LatLng, to: readonly LatLng[]): Promise<EtaResult[]>;
  /** Null when this provider has no route (the chain then asks the next one). */
  routeGeometry(from: LatLng, to: LatLng): Promise<RouteGeometry | null>;
}

/** The built-in road router as an ETA provider (source `road`). */
export class RoadEtaProvider implements RoutingEtaProvider {
  constructor(readonly router: RoadRouter) {}

  async manyToOne(from: readonly LatLng[], to: LatLng): Promise<EtaResult[]> {
    const t = this.router.table(from, [to]);
    return from.map((_, i) => ({ etaSec: t.durationsSec[i]![0]!, distanceM: t.distancesM[i]![0]!, source: 'road' }));
  }

  async oneToMany(from: LatLng, to: readonly LatLng[]): Promise<EtaResult[]> {
    const t = this.router.table([from], to);
    return to.map((_, j) => ({ etaSec: t.durationsSec[0]![j]!, distanceM: t.distancesM[0]![j]!, source: 'road' }));
  }

  async routeGeometry(from: LatLng, to: LatLng): Promise<RouteGeometry | null> {
    const r = this.router.route(from, to);
    return r && { ...r, source: 'road' };
  }
}

/** The great-circle estimate as the last link of a chain: always answers. */
export class StraightLineRouting implements RoutingEtaProvider {
  constructor(private readonly cfg: StraightLineEtaConfig = DEFAULT_STRAIGHT_LINE_ETA) {}

  async manyToOne(from: readonly LatLng[], to: LatLng): Promise<EtaResult[]> {
    return from.map((f) => straightLineEta(f, to, this.cfg));
  }

  async oneToMany(from: LatLng, to: readonly LatLng[]): Promise<EtaResult[]> {
    return to.map((t) => straightLineEta(from, t, this.cfg));
  }

  /** A two-point line, so the map can still show where the unit is heading. */
  async routeGeometry(from: LatLng, to: LatLng): Promise<RouteGeometry> {
    const { etaSec, distanceM } = straightLineEta(from, to, this.cfg);
    return { coordinates: [[from.lng, from.lat], [to.lng, to.lat]], etaSec, distanceM, source: 'straight_line' };
  }
}

/** Why a link of the chain did not answer (some of) a query. */
export interface FallbackEvent {
  /** The link that failed or had no answer. */
  source: EtaSource;
  /** 'error' when it threw (timeout, HTTP failure); 'no_route' for entries it could not answer. */
  reason: 'error' | 'no_route';
  /** How many entries went on to the next link. */
  count: number;
  error?: unknown;
}

/**
 * Asks each link in turn (e.g. OSRM → built-in road router → straight line). A link that throws
 * is skipped; entries a link cannot answer go to the next one, so every result says which
 * source produced it. The last link should always answer (StraightLineRouting).
 */
export class FallbackEtaProvider implements RoutingEtaProvider {
  constructor(
    private readonly links: readonly { source: EtaSource; provider: RoutingEtaProvider }[],
    private readonly onFallback: (e: FallbackEvent) => void = () => {},
  ) {
    if (links.length === 0) throw new Error('FallbackEtaProvider needs at least one link');
  }

  manyToOne(from: readonly LatLng[], to: LatLng): Promise<EtaResult[]> {
    return this.fill(from.length, (idx, p) => p.manyToOne(idx.map((i) => from[i]!), to));
  }

  oneToMany(from: LatLng, to: readonly LatLng[]): Promise<EtaResult[]> {
    return this.fill(to.length, (idx, p) => p.oneToMany(from, idx.map((i) => to[i]!)));
  }

  async routeGeometry(from: LatLng, to: LatLng): Promise<RouteGeometry | null> {
    for (const { source, provider } of this.links) {
      try {
        const r = await provider.routeGeometry(from, to);
        if (r && Number.isFinite(r.etaSec)) return r;
        this.onFallback({ source, reason: 'no_route', count: 1 });
      } catch (error) {
        this.onFallback({ source, reason: 'error', count: 1, error });
      }
    }
    return null;
  }

  private async fill(n: number, ask: (idx: number[], p: RoutingEtaProvider) => Promise<EtaResult[]>): Promise<EtaResult[]> {
    const out: (EtaResult | undefined)[] = new Array(n);
    let missing = [...Array(n).keys()];
    for (const { source, provider } of this.links) {
      if (missing.length === 0) break;
      let answers: EtaResult[];
      try {
        answers = await ask(missing, provider);
      } catch (error) {
        this.onFallback({ source, reason: 'error', count: missing.length, error });
        continue;
      }
      const still: number[] = [];
      missing.forEach((i, k) => {
        const a = answers[k];
        if (a && Number.isFinite(a.etaSec) && Number.isFinite(a.distanceM)) out[i] = a;
        else still.push(i);
      });
      if (still.length > 0) this.onFallback({ source, reason: 'no_route', count: still.length });
      missing = still;
    }
    // Entries no link could answer stay unreachable; recommendUnits drops non-finite ETAs.
    return out.map((r) => r ?? { etaSec: Infinity, distanceM: Infinity, source: this.links[this.links.length - 1]!.source });
  }
}
