import { readFile, rename, writeFile } from 'node:fs/promises';
import { extname, basename } from 'node:path';
import { RoadGraphBuilder } from '../../core/routing/build.ts';
import { addGeoJsonGraph } from '../../core/routing/geojsonGraph.ts';
import { decodeRoadGraph, encodeRoadGraph, type RoadGraph } from '../../core/routing/graph.ts';
import { importOsmPbf, type ImportOptions } from './pbfImport.ts';

/**
 * Road graph files: import from an OSM extract, save and load the compact binary form
 * (see core/routing/graph.ts for the layout; suggested extension `.llrg`).
 */

export type LoadRoadGraphResult =
  | { ok: true; graph: RoadGraph }
  | { ok: false; code: 'GraphFileMissing' | 'GraphFileUnreadable' | 'NotARoadGraph' | 'FormatVersion' | 'Truncated'; message: string };

/** Loads a graph written by {@link saveRoadGraph}: one read, no parsing, arrays are views on it. */
export async function loadRoadGraph(path: string): Promise<LoadRoadGraphResult> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'GraphFileMissing' : 'GraphFileUnreadable';
    return { ok: false, code, message: `${path}: ${(err as Error).message}` };
  }
  const decoded = decodeRoadGraph(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  return decoded.ok ? decoded : { ...decoded, message: `${path}: ${decoded.message}` };
}

/** Writes atomically (temp file + rename), so a crash mid-write never leaves a torn graph. */
export async function saveRoadGraph(path: string, graph: RoadGraph): Promise<number> {
  const bytes = encodeRoadGraph(graph);
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, bytes);
  await rename(tmp, path);
  return bytes.length;
}

/**
 * Imports an extract by its extension: `.osm.pbf`/`.pbf` (streamed) or `.geojson`/`.json`
 * (the routable GeoJSON graph form, read whole: such files are city-sized).
 */
export async function importRoadGraph(path: string, opts: ImportOptions = {}): Promise<RoadGraph> {
  const ext = extname(path).toLowerCase();
  if (ext === '.pbf') return importOsmPbf(path, opts);
  if (ext === '.geojson' || ext === '.json') {
    const builder = new RoadGraphBuilder();
    const added = addGeoJsonGraph(builder, JSON.parse(await readFile(path, 'utf8')));
    if (!added.ok) throw new Error(`${path}: ${added.message}`);
    return builder.build({
      source: basename(path),
      builtAt: opts.builtAt ?? new Date().toISOString(),
      restrictions: opts.restrictions,
      onProgress: (phase, done, total) => opts.onProgress?.({ phase, done, total }),
    });
  }
  throw new Error(`${path}: unknown extract type (expected .osm.pbf, .geojson or .json)`);
}
