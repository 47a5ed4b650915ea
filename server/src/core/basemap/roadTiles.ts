import Flatbush from 'flatbush';
import type { Feature, FeatureCollection, LineString } from 'geojson';
import { geoJSONToTile } from '@maplibre/geojson-vt';
import { fromGeojsonVt } from '@maplibre/vt-pbf';
import { growBoxE7, NO_EDGE, ROAD_CLASSES, segmentCount, segmentName, type RoadClass, type RoadGraph } from '../routing/graph.ts';
import { E7 } from '../routing/spherical.ts';
import { TILE_BUFFER, TILE_EXTENT, tileBounds, type TileId } from './tiles.ts';

/**
 * Mapbox Vector Tiles of a road graph's segments, cut on request: an R-tree over the segments
 * finds the ones near the tile, consecutive pieces of one way are joined back into one line (so
 * a road name fits along it), and geojson-vt clips, simplifies and projects them; vt-pbf encodes.
 * Memory beyond the graph: one box per segment. Nothing is precomputed per tile.
 */

/** Layer name in every road tile. */
export const ROADS_LAYER = 'roads';
/** Road tiles exist from this zoom (motorways and trunk roads only)… */
export const ROAD_TILE_MINZOOM = 5;
/** …to this one; the map over-zooms beyond it. */
export const ROAD_TILE_MAXZOOM = 14;
/** Road names are in tiles from this zoom (labels are unreadable below it). */
export const ROAD_NAME_MINZOOM = 13;

/** The style class of a road: its OSM class with `_link` dropped, minor roads folded into `minor`. */
export type RoadStyleClass = 'motorway' | 'trunk' | 'primary' | 'secondary' | 'tertiary' | 'minor' | 'service';

const STYLE_CLASS: Record<RoadClass, RoadStyleClass> = {
  motorway: 'motorway', motorway_link: 'motorway',
  trunk: 'trunk', trunk_link: 'trunk',
  primary: 'primary', primary_link: 'primary',
  secondary: 'secondary', secondary_link: 'secondary',
  tertiary: 'tertiary', tertiary_link: 'tertiary',
  unclassified: 'minor', residential: 'minor', living_street: 'minor', other: 'minor',
  service: 'service',
};

/** Lowest zoom at which a class is in the tiles: a province map at z9 shows only its main roads. */
const CLASS_MINZOOM: Record<RoadClass, number> = {
  motorway: 5, trunk: 5, primary: 8, secondary: 9, tertiary: 10,
  motorway_link: 10, trunk_link: 10, primary_link: 11, secondary_link: 12, tertiary_link: 12,
  unclassified: 12, residential: 12, living_street: 13, other: 13, service: 14,
};

const CLASS_MINZOOM_BY_CODE = Uint8Array.from(ROAD_CLASSES, (c) => CLASS_MINZOOM[c]);

/** Properties of a feature in the `roads` layer. */
export interface RoadTileProperties {
  /** Style class (see {@link RoadStyleClass}). */
  class: RoadStyleClass;
  /** The OSM `highway` value (`other` for a value the graph does not name). */
  highway: RoadClass;
  /** 1 when an ambulance may drive it in one direction only: the line's direction. */
  oneway: 0 | 1;
  /** Road name (or `ref`), from {@link ROAD_NAME_MINZOOM}. */
  name?: string;
}

export class RoadTiles {
  private readonly tree: Flatbush | null;

  constructor(private readonly g: RoadGraph) {
    const n = segmentCount(g);
    if (n === 0) {
      this.tree = null;
      return;
    }
    const tree = new Flatbush(n);
    const box: [number, number, number, number] = [0, 0, 0, 0];
    for (let s = 0; s < n; s++) {
      box[0] = box[1] = Infinity;
      box[2] = box[3] = -Infinity;
      growBoxE7(box, g.geomLatE7, g.geomLngE7, g.segGeomOffset[s]!, g.segGeomOffset[s + 1]!);
      tree.add(box[0], box[1], box[2], box[3]);
    }
    tree.finish();
    this.tree = tree;
  }

  /** [west, south, east, north] of the roads, degrees. */
  get bounds(): [number, number, number, number] {
    return this.g.meta.bbox;
  }

  /** The road features of a tile as GeoJSON (before clipping), or an empty collection. */
  features(id: TileId): FeatureCollection<LineString, RoadTileProperties> {
    const out: Feature<LineString, RoadTileProperties>[] = [];
    if (!this.tree || id.z < ROAD_TILE_MINZOOM) return { type: 'FeatureCollection', features: out };
    const [w, s, e, n] = tileBounds(id, TILE_BUFFER);
    const hits = this.tree.search(w, s, e, n, (seg) => CLASS_MINZOOM_BY_CODE[this.g.segClass[seg]!]! <= id.z).sort((a, b) => a - b);
    const g = this.g;
    const withNames = id.z >= ROAD_NAME_MINZOOM;
    let prev = -1;
    let line: number[][] | null = null;
    for (const seg of hits) {
      const fwd = g.segDirMs[2 * seg] !== NO_EDGE;
      const bwd = g.segDirMs[2 * seg + 1] !== NO_EDGE;
      const oneway = fwd !== bwd ? 1 : 0;
      const coords: number[][] = [];
      for (let i = g.segGeomOffset[seg]!; i < g.segGeomOffset[seg + 1]!; i++) coords.push([g.geomLngE7[i]! * E7, g.geomLatE7[i]! * E7]);
      // A one-way street drivable only against its OSM direction is drawn reversed, so the line
      // (and any arrow along it) points the way traffic goes.
      if (!fwd && bwd) coords.reverse();
      const joins =
        line !== null &&
        seg === prev + 1 &&
        g.segWayId[seg] === g.segWayId[prev] &&
        (g.segDirMs[2 * seg] !== NO_EDGE) === (g.segDirMs[2 * prev] !== NO_EDGE) &&
        (g.segDirMs[2 * seg + 1] !== NO_EDGE) === (g.segDirMs[2 * prev + 1] !== NO_EDGE);
      if (joins && fwd && sameFirst(line!.at(-1)!, coords[0]!)) {
        // The next piece of the same way: continue the line (its first point is the junction).
        for (let i = 1; i < coords.length; i++) line!.push(coords[i]!);
      } else if (joins && !fwd && sameFirst(coords.at(-1)!, line![0]!)) {
        line!.unshift(...coords.slice(0, -1));
      } else {
        line = coords;
        const highway = ROAD_CLASSES[g.segClass[seg]!] ?? 'other';
        const properties: RoadTileProperties = { class: STYLE_CLASS[highway], highway, oneway };
        if (withNames) {
          const name = segmentName(g, seg);
          if (name) properties.name = name;
        }
        out.push({ type: 'Feature', properties, geometry: { type: 'LineString', coordinates: line } });
      }
      prev = seg;
    }
    return { type: 'FeatureCollection', features: out };
  }

  /** The encoded tile (Mapbox Vector Tile 2, layer {@link ROADS_LAYER}), or null when it holds no road. */
  tile(id: TileId): Uint8Array | null {
    const fc = this.features(id);
    if (fc.features.length === 0) return null;
    const tile = geoJSONToTile(fc, id.z, id.x, id.y, { maxZoom: ROAD_TILE_MAXZOOM, extent: TILE_EXTENT, buffer: TILE_BUFFER, clip: true });
    if (!tile || tile.features.length === 0) return null;
    return fromGeojsonVt({ [ROADS_LAYER]: tile }, { version: 2, extent: TILE_EXTENT });
  }
}

const sameFirst = (a: number[], b: number[]) => a[0] === b[0] && a[1] === b[1];
