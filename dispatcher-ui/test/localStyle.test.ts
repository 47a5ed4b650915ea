import { validateStyleMin } from '@maplibre/maplibre-gl-style-spec';
import { describe, expect, it } from 'vitest';
import type { BasemapInfo } from '@lifeline/protocol';
import { BASEMAP_LAYERS, localStyle } from '../src/map/localStyle.ts';

const CENTER = { lat: 10.98, lng: 106.65 };
const WITH_ROADS: BasemapInfo = {
  roads: { bounds: [7.40, 43.72, 7.44, 43.75], minzoom: 5, maxzoom: 14, attribution: '© OpenStreetMap contributors', version: 'abc123' },
  boundaries: { maxzoom: 8, attribution: 'Natural Earth' },
};

describe('offline basemap style', () => {
  // A style MapLibre refuses leaves a blank map and no message (the bug this test was written after).
  it.each([
    ['roads, land and borders', WITH_ROADS],
    ['land and borders only (no road graph)', { ...WITH_ROADS, roads: null }],
    ['the grid only', null],
  ])('is a valid MapLibre style with %s', (_what, basemap) => {
    expect(validateStyleMin(localStyle(CENTER, basemap, 'http://dispatch.example')).map((e) => e.message)).toEqual([]);
  });

  it('points at the server’s tiles with absolute URLs, the graph version and both credits, and has no glyph server', () => {
    const style = localStyle(CENTER, WITH_ROADS, 'http://dispatch.example');
    expect(style.glyphs).toBeUndefined();
    expect(style.sources.roads).toMatchObject({
      tiles: ['http://dispatch.example/api/basemap/roads/{z}/{x}/{y}.pbf?v=abc123'],
      attribution: '© OpenStreetMap contributors',
      maxzoom: 14,
    });
    expect(style.sources.boundaries).toMatchObject({ tiles: ['http://dispatch.example/api/basemap/boundaries/{z}/{x}/{y}.pbf'], attribution: 'Natural Earth' });
    const ids = style.layers.map((l) => l.id);
    expect(ids.indexOf(BASEMAP_LAYERS.land)).toBeLessThan(ids.indexOf(BASEMAP_LAYERS.roads));
    expect(ids.indexOf(BASEMAP_LAYERS.roads)).toBeLessThan(ids.indexOf(BASEMAP_LAYERS.roadLabels));
  });

  it('has no road source without a graph, and no data source at all without a server', () => {
    expect(Object.keys(localStyle(CENTER, { ...WITH_ROADS, roads: null }, 'http://x').sources).sort()).toEqual(['boundaries', 'grid']);
    expect(Object.keys(localStyle(CENTER, null, 'http://x').sources)).toEqual(['grid']);
  });
});
