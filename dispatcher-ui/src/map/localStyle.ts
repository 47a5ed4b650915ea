import type { StyleSpecification } from 'maplibre-gl';
import type { Feature, FeatureCollection, LineString } from 'geojson';
import type { LatLng } from '@lifeline/protocol';

/**
 * A coordinate grid around `center`, in degrees: 1° lines over the region, 0.1° (~11 km) lines
 * within ±3°, 0.01° (~1.1 km) lines within ±0.5° for street-level zooms. Generated in code: no
 * tile, glyph or sprite server is needed, and none of it is map data (so it needs no attribution).
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

/** The offline basemap: a plain background and the grid. Layers are drawn on top of it. */
export function localStyle(center: LatLng): StyleSpecification {
  return {
    version: 8,
    name: 'Lifeline offline basemap',
    sources: {
      grid: { type: 'geojson', data: graticule(center) },
    },
    layers: [
      { id: 'background', type: 'background', paint: { 'background-color': BACKGROUND } },
      {
        id: 'grid-fine',
        type: 'line',
        source: 'grid',
        minzoom: 12,
        filter: ['==', ['get', 'step'], 0.01],
        paint: { 'line-color': '#dde3ea', 'line-width': 1 },
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
    ],
  };
}
