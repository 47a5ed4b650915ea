import type { RoadGraphReader, RoadNetwork } from '@lifeline/vehicle-agent';
import { RoadRouter } from '../../core/routing/router.ts';
import { loadRoadGraph } from './graphFile.ts';

/**
 * The road graph as the vehicle simulator's RoadNetwork: the built-in router's snap and route
 * lines, as {lat, lng} points. Deterministic, so the simulator's core stays pure.
 */
export function roadNetwork(router: RoadRouter): RoadNetwork {
  return {
    snap: (p) => {
      const s = router.snap(p);
      return s && { lat: s.lat, lng: s.lng };
    },
    route: (from, to) => router.route(from, to)?.coordinates.map(([lng, lat]) => ({ lat, lng })) ?? null,
  };
}

/** `--road-graph FILE` for the simulator: loads a graph built by importCli.ts. */
export const readRoadGraph: RoadGraphReader = async (file) => {
  const loaded = await loadRoadGraph(file);
  if (!loaded.ok) {
    return { ok: false, error: `cannot load the road graph (${loaded.code}): ${loaded.message}. Build it with \`npm run import-osm -- <extract.osm.pbf> <graph.llrg>\`.` };
  }
  const { source, stats, attribution } = loaded.graph.meta;
  return { ok: true, roads: roadNetwork(new RoadRouter(loaded.graph)), summary: `${file} (${source}, ${stats.segments} road segments; ${attribution})` };
};
