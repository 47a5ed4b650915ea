import type { Feature, FeatureCollection, Geometry } from 'geojson';
import { GeoJSONVT } from '@maplibre/geojson-vt';
import { fromGeojsonVt } from '@maplibre/vt-pbf';
import { feature, mesh } from 'topojson-client';
import type { GeometryCollection, Topology } from 'topojson-specification';
import { TILE_BUFFER, TILE_EXTENT, type TileId } from './tiles.ts';

/**
 * Land and country borders for the offline basemap, from a Natural Earth TopoJSON (the
 * `world-atlas` package's countries-10m: objects `countries` and `land`), so a map anywhere has
 * coastlines and borders without an OSM extract. Borders are the arcs two countries share
 * (coastlines are the edge of the land fill). Cut into vector tiles by geojson-vt indexes.
 */

export const LAND_LAYER = 'land';
export const BORDERS_LAYER = 'borders';
/** 1:10m data holds no more detail than this zoom shows; the map over-zooms beyond it. */
export const BOUNDARY_TILE_MAXZOOM = 8;
/** Natural Earth is public domain; the credit is a courtesy it asks for. */
export const NATURAL_EARTH_ATTRIBUTION = 'Natural Earth';

export class BoundaryTiles {
  private readonly land: GeoJSONVT;
  private readonly borders: GeoJSONVT;

  constructor(topology: Topology) {
    const countries = topology.objects.countries as GeometryCollection<{ name?: string }> | undefined;
    const land = topology.objects.land;
    if (!countries || !land) throw new Error('boundary topology needs objects "countries" and "land" (world-atlas countries-*.json)');
    const landFc = asCollection(feature(topology, land));
    const bordersFc: FeatureCollection = {
      type: 'FeatureCollection',
      features: [{ type: 'Feature', properties: { kind: 'country' }, geometry: mesh(topology, countries, (a, b) => a !== b) }],
    };
    const opts = { maxZoom: BOUNDARY_TILE_MAXZOOM, indexMaxZoom: 3, extent: TILE_EXTENT, buffer: TILE_BUFFER };
    this.land = new GeoJSONVT(landFc, opts);
    this.borders = new GeoJSONVT(bordersFc, opts);
  }

  /** Land and border layers of a tile, or null when it holds neither (open sea far from coasts). */
  tile({ z, x, y }: TileId): Uint8Array | null {
    const layers: Record<string, NonNullable<ReturnType<GeoJSONVT['getTile']>>> = {};
    const land = this.land.getTile(z, x, y);
    const borders = this.borders.getTile(z, x, y);
    if (land?.features.length) layers[LAND_LAYER] = land;
    if (borders?.features.length) layers[BORDERS_LAYER] = borders;
    if (Object.keys(layers).length === 0) return null;
    return fromGeojsonVt(layers, { version: 2, extent: TILE_EXTENT });
  }
}

function asCollection(f: Feature<Geometry> | FeatureCollection<Geometry>): FeatureCollection<Geometry> {
  return f.type === 'FeatureCollection' ? f : { type: 'FeatureCollection', features: [f] };
}
