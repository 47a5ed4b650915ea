import type { LatLng } from '@lifeline/protocol';
import type { EtaResult } from '../../core/eta.ts';
import type { RouteGeometry, RoutingEtaProvider } from '../../core/routing/providers.ts';

/**
 * Client for an OSRM-compatible HTTP routing service (OSRM itself, or Valhalla/GraphHopper
 * behind an OSRM-style API): `table` for ETAs, `route` for route lines. Every request has a
 * timeout; a failed or timed-out request throws, so the fallback chain moves on and records it.
 * After a failure the service is skipped for `retryAfterMs`, so an outage costs one timeout,
 * not one per dispatch.
 */

export interface OsrmOptions {
  /** Base URL, e.g. http://osrm:5000 (no trailing `/table`). */
  baseUrl: string;
  /** Per-request timeout, ms. */
  timeoutMs: number;
  /** OSRM profile in the URL (default `driving`). */
  profile?: string;
  /** Skip the service for this long after a failure, ms (default 15 000; 0 = never skip). */
  retryAfterMs?: number;
  /** Clock, for tests. */
  now?: () => number;
}

export class OsrmUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'OsrmUnavailableError';
  }
}

interface TableResponse {
  code?: string;
  message?: string;
  durations?: (number | null)[][];
  distances?: (number | null)[][];
}

interface RouteResponse {
  code?: string;
  message?: string;
  routes?: { duration: number; distance: number; geometry?: { type?: string; coordinates?: [number, number][] } }[];
}

export class OsrmEtaProvider implements RoutingEtaProvider {
  private readonly base: string;
  private readonly profile: string;
  private readonly retryAfterMs: number;
  private readonly now: () => number;
  private skipUntil = 0;

  constructor(private readonly opts: OsrmOptions) {
    this.base = opts.baseUrl.replace(/\/+$/, '');
    this.profile = opts.profile ?? 'driving';
    this.retryAfterMs = opts.retryAfterMs ?? 15_000;
    this.now = opts.now ?? Date.now;
  }

  async manyToOne(from: readonly LatLng[], to: LatLng): Promise<EtaResult[]> {
    if (from.length === 0) return [];
    const t = await this.table([...from, to], range(0, from.length), [from.length]);
    return from.map((_, i) => result(t.durations[i]?.[0], t.distances[i]?.[0]));
  }

  async oneToMany(from: LatLng, to: readonly LatLng[]): Promise<EtaResult[]> {
    if (to.length === 0) return [];
    const t = await this.table([from, ...to], [0], range(1, to.length + 1));
    return to.map((_, j) => result(t.durations[0]?.[j], t.distances[0]?.[j]));
  }

  async routeGeometry(from: LatLng, to: LatLng): Promise<RouteGeometry | null> {
    const body = (await this.get(`/route/v1/${this.profile}/${coords([from, to])}?overview=full&geometries=geojson`)) as RouteResponse;
    if (body.code === 'NoRoute') return null;
    const route = body.routes?.[0];
    if (body.code !== 'Ok' || !route || !Array.isArray(route.geometry?.coordinates)) {
      throw this.fail(`OSRM route: ${body.code ?? 'no code'} ${body.message ?? ''}`.trim());
    }
    return { coordinates: route.geometry.coordinates, etaSec: route.duration, distanceM: route.distance, source: 'osrm' };
  }

  private async table(points: LatLng[], sources: number[], destinations: number[]): Promise<{ durations: (number | null)[][]; distances: (number | null)[][] }> {
    const path = `/table/v1/${this.profile}/${coords(points)}?sources=${sources.join(';')}&destinations=${destinations.join(';')}&annotations=duration,distance`;
    const body = (await this.get(path)) as TableResponse;
    if (body.code === 'NoRoute') {
      // A point OSRM cannot snap (NoSegment) spoils the whole table; not an outage.
      const none = sources.map(() => destinations.map(() => null));
      return { durations: none, distances: none };
    }
    if (body.code !== 'Ok') throw this.fail(`OSRM table: ${body.code ?? 'no code'} ${body.message ?? ''}`.trim());
    const ok = (m: unknown) => Array.isArray(m) && m.length === sources.length && m.every((row) => Array.isArray(row) && row.length === destinations.length);
    // Distances need OSRM ≥ 5.16 (annotations=distance); without them the answer is incomplete.
    if (!ok(body.durations) || !ok(body.distances)) throw this.fail('OSRM table: durations/distances missing or of the wrong shape');
    return { durations: body.durations!, distances: body.distances! };
  }

  private async get(path: string): Promise<unknown> {
    if (this.now() < this.skipUntil) throw new OsrmUnavailableError(`OSRM skipped after a recent failure (retry in ${this.skipUntil - this.now()} ms)`);
    let res: Response;
    try {
      res = await fetch(this.base + path, { signal: AbortSignal.timeout(this.opts.timeoutMs), headers: { accept: 'application/json' } });
    } catch (err) {
      const name = (err as Error).name;
      const why = name === 'TimeoutError' || name === 'AbortError' ? `timed out after ${this.opts.timeoutMs} ms` : (err as Error).message;
      throw this.fail(`OSRM ${why}`, err);
    }
    let body: unknown;
    try {
      body = await res.json();
    } catch (err) {
      throw this.fail(`OSRM HTTP ${res.status}: body is not JSON`, err);
    }
    // OSRM answers 400 with code NoRoute/NoSegment for unroutable input: that is an answer.
    const code = (body as { code?: unknown } | null)?.code;
    if (!res.ok && !(res.status === 400 && (code === 'NoRoute' || code === 'NoSegment'))) {
      throw this.fail(`OSRM HTTP ${res.status}${typeof code === 'string' ? ` ${code}` : ''}`);
    }
    if (code === 'NoSegment') return { code: 'NoRoute' };
    return body;
  }

  private fail(message: string, cause?: unknown): OsrmUnavailableError {
    if (this.retryAfterMs > 0) this.skipUntil = this.now() + this.retryAfterMs;
    return new OsrmUnavailableError(message, { cause });
  }
}

/** OSRM's `lng,lat;lng,lat` path, 6 decimals (~10 cm). */
function coords(points: readonly LatLng[]): string {
  return points.map((p) => `${p.lng.toFixed(6)},${p.lat.toFixed(6)}`).join(';');
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from }, (_, i) => from + i);
}

/** null (no route) becomes Infinity, which the fallback chain passes on. */
function result(durationSec: number | null | undefined, distanceM: number | null | undefined): EtaResult {
  return {
    etaSec: typeof durationSec === 'number' ? durationSec : Infinity,
    distanceM: typeof distanceM === 'number' ? distanceM : Infinity,
    source: 'osrm',
  };
}
