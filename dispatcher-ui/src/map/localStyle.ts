import type { ExpressionSpecification, LayerSpecification, StyleSpecification } from 'maplibre-gl';
import type { Feature, FeatureCollection, LineString } from 'geojson';
import { BASEMAP_TILES, type BasemapInfo, type LatLng } from '@lifeline/protocol';

/**
 * A coordinate grid around `center`, in degrees: 1° lines over the region, 0.1° (~11 km) lines
 * within ±3°, 0.01° (~1.1 km) lines within ±0.5° for street-level zooms. Generated in code: no
 * tile, glyph or sprite server is needed, and none of it is map data (so it needs no attribution).
 * It stays under the basemap as a scale reference, and is all there is when the server is away.
 */
export function graticule(center: LatLng): FeatureCollection<LineString, { step: number }> {
  const features: Feature<LineString, { step: number }>[] = [];
  const add = (step: number, span: number, skip: number | null) => {
    const round = (v: number) => Math.round(v / step) * step;
    const lat0 = round(center.lat - span);
    const lng0 = round(center.lng - span);
    const n = Math.round((2 * span) / step);
    for (let i = 0; i <= n; i++) {
      const lat = +(lat0 + i * step).toFixed(4);
      const lng = +(lng0 + i * step).toFixed(4);
      // A line that is also on the coarser grid is drawn only once, by the coarser grid.
      if (skip === null || Math.abs(lat / skip - Math.round(lat / skip)) > 1e-6) {
        features.push({ type: 'Feature', properties: { step }, geometry: { type: 'LineString', coordinates: [[lng0, lat], [lng0 + 2 * span, lat]] } });
      }
      if (skip === null || Math.abs(lng / skip - Math.round(lng / skip)) > 1e-6) {
        features.push({ type: 'Feature', properties: { step }, geometry: { type: 'LineString', coordinates: [[lng, lat0], [lng, lat0 + 2 * span]] } });
      }
    }
  };
  add(1, 10, null);
  add(0.1, 3, 1);
  add(0.01, 0.5, 0.1);
  return { type: 'FeatureCollection', features };
}

export const BACKGROUND = '#eef1f4';
/** The sea, where the Natural Earth land does not cover the background. */
export const WATER = '#c9dcea';

/** Basemap layers the app's own layers are drawn above; the browser tests read these. */
export const BASEMAP_LAYERS = {
  land: 'basemap-land',
  borders: 'basemap-borders',
  roads: 'basemap-roads',
  roadCasing: 'basemap-roads-casing',
  roadLabels: 'basemap-road-labels',
  oneway: 'basemap-oneway',
} as const;

/**
 * Label fonts, drawn in the browser (no `glyphs` URL: MapLibre ≥ 5.11 then renders text with
 * local fonts through TinySDF), so labels need no glyph server. Each of these covers Vietnamese;
 * MapLibre adds `sans-serif` last.
 */
export const LABEL_FONTS = ['Noto Sans', 'Segoe UI', 'Roboto', 'DejaVu Sans', 'Arial'];

/** Road colour and width (px at z10, z14, z18) by style class (see server core/basemap/roadTiles.ts). */
const ROAD_STYLE: Record<string, { color: string; widths: [number, number, number] }> = {
  motorway: { color: '#e8927c', widths: [1.6, 5, 18] },
  trunk: { color: '#f0a97a', widths: [1.4, 4.5, 16] },
  primary: { color: '#f6c87a', widths: [1.2, 4, 15] },
  secondary: { color: '#f7e08e', widths: [0.9, 3.5, 13] },
  tertiary: { color: '#ffffff', widths: [0.6, 3, 12] },
  minor: { color: '#ffffff', widths: [0.3, 2, 10] },
  service: { color: '#ffffff', widths: [0.2, 1, 6] },
};

const byClass = (pick: (s: (typeof ROAD_STYLE)[string]) => string | number): ExpressionSpecification =>
  // Built from a table, which the tuple type of a `match` expression cannot follow.
  ['match', ['get', 'class'], ...Object.entries(ROAD_STYLE).flatMap(([cls, st]) => [cls, pick(st)]), pick(ROAD_STYLE.minor!)] as unknown as ExpressionSpecification;

/** Width by zoom, then by class (the zoom interpolation must be the outer expression). */
const roadWidth = (extra = 0): ExpressionSpecification =>
  ['interpolate', ['exponential', 1.5], ['zoom'], ...([0, 1, 2] as const).flatMap((i) => [[10, 14, 18][i]!, byClass((st) => st.widths[i] + extra)])] as unknown as ExpressionSpecification;

/**
 * The offline basemap: Natural Earth land and country borders from the server (anywhere in the
 * world), the roads of the server's OSM road graph when one is loaded, and a coordinate grid.
 * The app's layers are added on top. `origin` makes the tile URLs absolute (the map's worker
 * cannot resolve relative ones).
 */
export function localStyle(center: LatLng, basemap: BasemapInfo | null, origin = location.origin): StyleSpecification {
  const sources: StyleSpecification['sources'] = {
    grid: { type: 'geojson', data: graticule(center) },
  };
  const layers: LayerSpecification[] = [{ id: 'background', type: 'background', paint: { 'background-color': basemap ? WATER : BACKGROUND } }];
  if (basemap) {
    sources.boundaries = {
      type: 'vector',
      tiles: [`${origin}${BASEMAP_TILES.boundaries}/{z}/{x}/{y}.pbf`],
      maxzoom: basemap.boundaries.maxzoom,
      attribution: basemap.boundaries.attribution,
    };
    layers.push({ id: BASEMAP_LAYERS.land, type: 'fill', source: 'boundaries', 'source-layer': 'land', paint: { 'fill-color': BACKGROUND } });
  }
  layers.push(
    {
      id: 'grid-fine',
      type: 'line',
      source: 'grid',
      minzoom: 12,
      filter: ['==', ['get', 'step'], 0.01],
      paint: { 'line-color': '#dde3ea', 'line-width': 1, 'line-opacity': basemap?.roads ? 0.5 : 1 },
    },
    {
      id: 'grid-minor',
      type: 'line',
      source: 'grid',
      filter: ['==', ['get', 'step'], 0.1],
      paint: { 'line-color': '#c9d2dc', 'line-width': ['interpolate', ['linear'], ['zoom'], 6, 0.5, 12, 1.2] },
    },
    {
      id: 'grid-major',
      type: 'line',
      source: 'grid',
      filter: ['==', ['get', 'step'], 1],
      paint: { 'line-color': '#a9b6c4', 'line-width': 1.5 },
    },
  );
  if (basemap) {
    layers.push({
      id: BASEMAP_LAYERS.borders,
      type: 'line',
      source: 'boundaries',
      'source-layer': 'borders',
      paint: { 'line-color': '#8d7fa3', 'line-width': ['interpolate', ['linear'], ['zoom'], 3, 0.8, 10, 2.5], 'line-dasharray': [3, 2] },
    });
  }
  const roads = basemap?.roads;
  if (roads) {
    sources.roads = {
      type: 'vector',
      tiles: [`${origin}${BASEMAP_TILES.roads}/{z}/{x}/{y}.pbf?v=${encodeURIComponent(roads.version)}`],
      minzoom: roads.minzoom,
      maxzoom: roads.maxzoom,
      bounds: roads.bounds,
      attribution: roads.attribution,
    };
    const road = { source: 'roads', 'source-layer': 'roads' } as const;
    layers.push(
      {
        id: BASEMAP_LAYERS.roadCasing,
        type: 'line',
        ...road,
        minzoom: 12,
        layout: { 'line-join': 'round', 'line-cap': 'round' },
        paint: { 'line-color': '#b3b9c2', 'line-width': roadWidth(1.5) },
      },
      {
        id: BASEMAP_LAYERS.roads,
        type: 'line',
        ...road,
        layout: { 'line-join': 'round', 'line-cap': 'round' },
        paint: { 'line-color': byClass((st) => st.color), 'line-width': roadWidth() },
      },
      {
        id: BASEMAP_LAYERS.oneway,
        type: 'symbol',
        ...road,
        minzoom: 15,
        filter: ['==', ['get', 'oneway'], 1],
        layout: {
          'symbol-placement': 'line',
          'symbol-spacing': 120,
          'text-field': '→',
          'text-font': LABEL_FONTS,
          'text-size': 11,
          'text-keep-upright': false,
          'text-allow-overlap': true,
        },
        paint: { 'text-color': '#8a93a0' },
      },
      {
        id: BASEMAP_LAYERS.roadLabels,
        type: 'symbol',
        ...road,
        filter: ['has', 'name'],
        layout: {
          'symbol-placement': 'line',
          'text-field': ['get', 'name'],
          'text-font': LABEL_FONTS,
          'text-size': ['interpolate', ['linear'], ['zoom'], 13, 10, 17, 13],
          'text-max-angle': 35,
          'symbol-spacing': 300,
        },
        paint: { 'text-color': '#3d4652', 'text-halo-color': '#ffffff', 'text-halo-width': 1.5 },
      },
    );
  }
  return { version: 8, name: 'Lifeline offline basemap', sources, layers };
}
