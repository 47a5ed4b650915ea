/**
 * The simulated fleet (vehicle-agent's fleet command line, same flags) with `--road-graph FILE`:
 * units start on the roads of a graph built by `npm run import-osm` and drive along them.
 *   npm run simulate -- --count 20 --center 43.735,7.42 --radius-km 1 --road-graph .lifeline/monaco.llrg
 * It lives here because the road graph reader and router are the server's: vehicle-agent only
 * knows the RoadNetwork it is given (the server depends on vehicle-agent, not the other way).
 * The server's main.ts runs this when SIM_VEHICLES > 0.
 */
import { runFleetCli } from '@lifeline/vehicle-agent';
import { readRoadGraph } from '../adapters/routing/roadNetwork.ts';

runFleetCli(process.argv.slice(2), { readRoadGraph, name: 'npm run simulate --' }).catch((err: unknown) => {
  console.error('simulate: unexpected error', err);
  process.exit(1);
});
