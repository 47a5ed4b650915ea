import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { OSMTransform, type OSMOptions } from 'osm-pbf-parser-node';
import { RoadGraphBuilder, type BuildPhase, type RelationMember } from '../../core/routing/build.ts';
import type { RoadGraph } from '../../core/routing/graph.ts';

/**
 * Streams an `.osm.pbf` extract into a road graph in two passes, so memory holds only what the
 * graph needs: pass 1 reads ways and restriction relations (a PBF stores nodes first, so their
 * positions are not known yet and are skipped), pass 2 reads the positions and barrier tags of
 * just the nodes the kept ways use, and stops at the first way when the file is sorted.
 */

export type ImportPhase = 'ways' | 'nodes' | BuildPhase;

export interface ImportProgress {
  phase: ImportPhase;
  /** Bytes read (reading phases) or items done (build phases). */
  done: number;
  total: number;
}

export interface ImportOptions {
  restrictions?: boolean;
  onProgress?: (p: ImportProgress) => void;
  /** Import time for the graph's metadata (default now). */
  builtAt?: string;
}

interface OsmItem {
  type?: 'node' | 'way' | 'relation';
  id: number;
  lat?: number;
  lon?: number;
  refs?: number[];
  members?: RelationMember[];
  tags?: Record<string, string>;
  optional_features?: string[];
}

/** Node tags that can make a node block an ambulance (see profile.isBlockingBarrier). */
const NODE_TAGS = ['barrier', 'access', 'emergency', 'motorcar', 'motor_vehicle', 'vehicle'];

export async function importOsmPbf(path: string, opts: ImportOptions = {}): Promise<RoadGraph> {
  const { size } = await stat(path);
  const progress = opts.onProgress ?? (() => {});
  const builder = new RoadGraphBuilder();
  let sorted = false;

  await readPbf(path, { withTags: { node: false, way: true, relation: true } }, (bytes) => progress({ phase: 'ways', done: bytes, total: size }), (item) => {
    if (item.type === 'way') {
      builder.addWay(item.id, item.refs ?? [], item.tags ?? {});
    } else if (item.type === 'relation') {
      if (item.tags?.type === 'restriction') builder.addRestriction(item.members ?? [], item.tags);
    } else if (item.type === undefined) {
      sorted = item.optional_features?.includes('Sort.Type_then_ID') ?? false;
    }
    return true;
  });
  builder.sealWays();

  await readPbf(path, { withTags: { node: NODE_TAGS, way: false, relation: false } }, (bytes) => progress({ phase: 'nodes', done: bytes, total: size }), (item) => {
    if (item.type === 'node') {
      builder.setNode(item.id, item.lat!, item.lon!, item.tags);
      return true;
    }
    // Sorted files hold every node before the first way: nothing more to read.
    return !(sorted && item.type === 'way');
  });

  return builder.build({
    source: basename(path),
    builtAt: opts.builtAt ?? new Date().toISOString(),
    restrictions: opts.restrictions,
    onProgress: (phase, done, total) => progress({ phase, done, total }),
  });
}

/** Feeds every item to `onItem` until it returns false; reports bytes read per block. */
async function readPbf(path: string, osmOpts: OSMOptions, onBytes: (n: number) => void, onItem: (item: OsmItem) => boolean): Promise<void> {
  const file = createReadStream(path, { highWaterMark: 1 << 20 });
  const parser = new OSMTransform(osmOpts);
  file.on('error', (err) => parser.destroy(err));
  file.pipe(parser);
  try {
    for await (const batch of parser as AsyncIterable<OsmItem[]>) {
      for (const item of batch) if (!onItem(item)) return;
      onBytes(file.bytesRead);
    }
  } finally {
    file.destroy();
    parser.destroy();
  }
}
