/**
 * Builds a road graph file from an OpenStreetMap extract.
 *
 *   npm run import-osm -- <extract> <out.llrg> [--no-restrictions]
 *
 * <extract>: `.osm.pbf` (streamed; e.g. a Geofabrik country or region extract) or the routable
 * GeoJSON graph form (`.geojson`). Map data © OpenStreetMap contributors, ODbL 1.0.
 */
import { toolArgs } from '../../cli/args.ts';
import { importRoadGraph, saveRoadGraph } from './graphFile.ts';
import type { ImportProgress } from './pbfImport.ts';

const USAGE = `usage: npm run import-osm -- <extract.osm.pbf|graph.geojson> <out.llrg> [--no-restrictions]
Builds a road graph file for OSM_GRAPH from an OpenStreetMap extract. Example:
  npm run import-osm -- fixtures/osm/monaco.osm.pbf .lifeline/monaco.llrg
Map data © OpenStreetMap contributors, ODbL 1.0.`;

const { values, positionals } = toolArgs({ 'no-restrictions': { type: 'boolean' } }, USAGE);
const [extract, out] = positionals;
if (!extract || !out || positionals.length !== 2) {
  console.error(USAGE);
  process.exit(2);
}

const started = performance.now();
let lastReport = 0;
let lastPhase = '';
const report = (p: ImportProgress) => {
  const now = performance.now();
  const finished = p.done >= p.total;
  if (p.phase === lastPhase && !finished && now - lastReport < 1000) return;
  lastReport = now;
  lastPhase = p.phase;
  const pct = p.total > 0 ? ((100 * p.done) / p.total).toFixed(0) : '100';
  const unit = p.phase === 'ways' || p.phase === 'nodes' ? ` (${(p.done / 2 ** 20).toFixed(1)} / ${(p.total / 2 ** 20).toFixed(1)} MiB)` : '';
  process.stderr.write(`[${((now - started) / 1000).toFixed(1)} s] ${p.phase.padEnd(12)} ${pct.padStart(3)} %${unit}\n`);
};

try {
  const graph = await importRoadGraph(extract, { restrictions: !values['no-restrictions'], onProgress: report });
  const bytes = await saveRoadGraph(out, graph);
  const s = graph.meta.stats;
  const mem = process.memoryUsage();
  process.stdout.write(
    [
      `wrote ${out}: ${(bytes / 2 ** 20).toFixed(1)} MiB in ${((performance.now() - started) / 1000).toFixed(1)} s (peak RSS ≈ ${(mem.rss / 2 ** 20).toFixed(0)} MiB)`,
      `  drivable ways ${s.drivableWays}, segments ${s.segments} (${s.directedSegments} directed), routing nodes ${s.nodes}, shortcuts ${s.shortcuts}`,
      `  turn restrictions: ${s.restrictions.applied} applied of ${s.restrictions.seen} (not for cars ${s.restrictions.notForCar}, via-way/malformed ${s.restrictions.unsupported}, unmatched ${s.restrictions.unmatched})`,
      `  blocking barriers ${s.blockingBarriers}, missing node refs ${s.missingNodeRefs}, routable segments ${(100 * s.routableSegmentShare).toFixed(1)} %`,
      `  ${graph.meta.attribution}`,
      '',
    ].join('\n'),
  );
} catch (err) {
  process.stderr.write(`import failed: ${(err as Error).message}\n`);
  process.exit(1);
}
