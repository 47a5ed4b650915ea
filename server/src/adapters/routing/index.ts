import type { EtaSource, LatLng } from '@lifeline/protocol';
import { DEFAULT_STRAIGHT_LINE_ETA, type EtaResult, type StraightLineEtaConfig } from '../../core/eta.ts';
import type { RoadGraph } from '../../core/routing/graph.ts';
import {
  FallbackEtaProvider,
  RoadEtaProvider,
  StraightLineRouting,
  type FallbackEvent,
  type RouteGeometry,
  type RoutingEtaProvider,
} from '../../core/routing/providers.ts';
import { RoadRouter } from '../../core/routing/router.ts';
import { loadRoadGraph } from './graphFile.ts';
import { OsrmEtaProvider } from './osrmClient.ts';

/**
 * Composition of the ETA chain: OSRM-compatible service (when `routerUrl` is set) → built-in
 * road router (when `graphPath` is set) → straight-line estimate. Every EtaResult says which
 * link answered it.
 */

export { loadRoadGraph, saveRoadGraph, importRoadGraph, type LoadRoadGraphResult } from './graphFile.ts';
export { importOsmPbf, type ImportOptions, type ImportProgress } from './pbfImport.ts';
export { OsrmEtaProvider, OsrmUnavailableError, type OsrmOptions } from './osrmClient.ts';
export { RoadRouter, type RoadRoute, type RoadTable, type RouterOptions } from '../../core/routing/router.ts';
export { OSM_ATTRIBUTION, type RoadGraph, type RoadGraphMeta, type RoadGraphStats } from '../../core/routing/graph.ts';
export { FallbackEtaProvider, RoadEtaProvider, StraightLineRouting, type FallbackEvent, type RouteGeometry, type RoutingEtaProvider };

/** pino-compatible subset (Fastify's `app.log` fits). */
export interface RoutingLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  debug?(obj: object, msg?: string): void;
}

export interface CreateEtaProviderOptions {
  /** OSRM-compatible base URL (ROUTER_URL), e.g. http://localhost:5000. */
  routerUrl?: string;
  /** Road graph file built by importCli.ts (OSM_GRAPH). */
  graphPath?: string;
  /** Timeout of one OSRM request, ms (default 1500). */
  timeoutMs?: number;
  logger?: RoutingLogger;
  /** Snap radius of the built-in router, metres (default 1000). */
  maxSnapM?: number;
  straightLine?: StraightLineEtaConfig;
  /** Skip OSRM for this long after a failure, ms (default 15 000). */
  osrmRetryAfterMs?: number;
}

export interface EtaProviderChain extends RoutingEtaProvider {
  /** The links, in the order they are asked. */
  readonly sources: readonly EtaSource[];
  /** The loaded road graph, if any (its `meta.attribution` must be shown with routes). */
  readonly graph: RoadGraph | null;
  /** The built-in router, if a graph is loaded (e.g. to drive simulated units along roads). */
  readonly router: RoadRouter | null;
}

export const DEFAULT_OSRM_TIMEOUT_MS = 1500;

/**
 * Builds the chain. A configured graph file that is missing or unreadable rejects with a message
 * that says how to build it: a dispatcher should not silently lose road ETAs.
 */
export async function createEtaProvider(opts: CreateEtaProviderOptions = {}): Promise<EtaProviderChain> {
  const log = opts.logger;
  const links: { source: EtaSource; provider: RoutingEtaProvider }[] = [];
  if (opts.routerUrl) {
    const timeoutMs = opts.timeoutMs ?? DEFAULT_OSRM_TIMEOUT_MS;
    links.push({ source: 'osrm', provider: new OsrmEtaProvider({ baseUrl: opts.routerUrl, timeoutMs, retryAfterMs: opts.osrmRetryAfterMs }) });
    log?.info({ routerUrl: opts.routerUrl, timeoutMs }, 'routing: OSRM-compatible router configured');
  }
  let graph: RoadGraph | null = null;
  let router: RoadRouter | null = null;
  if (opts.graphPath) {
    const started = performance.now();
    const loaded = await loadRoadGraph(opts.graphPath);
    if (!loaded.ok) {
      throw new Error(
        `routing: cannot load road graph (${loaded.code}): ${loaded.message}. Build it with ` +
          '`npm run import-osm -- <extract.osm.pbf> <graph.llrg>` (from the repository root), ' +
          'or unset the graph path to use straight-line ETAs.',
      );
    }
    graph = loaded.graph;
    router = new RoadRouter(graph, { maxSnapM: opts.maxSnapM });
    links.push({ source: 'road', provider: new RoadEtaProvider(router) });
    const { stats, source, builtAt, attribution } = graph.meta;
    log?.info(
      { graphPath: opts.graphPath, source, builtAt, segments: stats.segments, nodes: stats.nodes, loadMs: Math.round(performance.now() - started) },
      `routing: road graph loaded (${attribution})`,
    );
  }
  links.push({ source: 'straight_line', provider: new StraightLineRouting(opts.straightLine ?? DEFAULT_STRAIGHT_LINE_ETA) });

  const onFallback = (e: FallbackEvent) => {
    const fields = { source: e.source, reason: e.reason, count: e.count, err: e.error instanceof Error ? e.error.message : e.error };
    if (e.reason === 'error') log?.warn(fields, 'routing: falling back to the next ETA source');
    else log?.debug?.(fields, 'routing: no route from this source for some points');
  };
  const chain = new FallbackEtaProvider(links, onFallback);
  const sources = links.map((l) => l.source);
  return {
    sources,
    graph,
    router,
    manyToOne: (from: readonly LatLng[], to: LatLng): Promise<EtaResult[]> => chain.manyToOne(from, to),
    oneToMany: (from: LatLng, to: readonly LatLng[]): Promise<EtaResult[]> => chain.oneToMany(from, to),
    routeGeometry: (from: LatLng, to: LatLng): Promise<RouteGeometry | null> => chain.routeGeometry(from, to),
  };
}
