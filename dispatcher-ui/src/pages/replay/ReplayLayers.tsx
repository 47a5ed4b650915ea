import { useEffect } from 'react';
import * as maplibregl from 'maplibre-gl';
import type { GeoJSONSource } from 'maplibre-gl';
import type { Feature, FeatureCollection, LineString, Point } from 'geojson';
import { removeFromMap, useMap } from '../../map/MapContext.ts';
import type { ReplayClock } from './ReplayClock.ts';
import type { ReplayModel } from './model.ts';
import { positionAt } from './replayMath.ts';

export const REPLAY_TRACKS_LAYER = 'replay-tracks';
export const REPLAY_FIXES_LAYER = 'replay-fixes';
export const REPLAY_UNITS_LAYER = 'replay-units';
const EMPTY: FeatureCollection = { type: 'FeatureCollection', features: [] };
const MAX_FIXES_DRAWN = 50_000;
const fixCount = (m: ReplayModel) => m.tracks.reduce((n, t) => n + t.timesMs.length, 0);

/** Every unit's recorded track (a line per unit, and the fixes themselves from street zoom). Static per replay. */
export function ReplayTracksLayer({ model }: { model: ReplayModel | null }) {
  const { map } = useMap();
  useEffect(() => {
    map.addSource('replay-tracks', { type: 'geojson', data: EMPTY });
    map.addSource('replay-fixes', { type: 'geojson', data: EMPTY });
    map.addLayer({ id: REPLAY_TRACKS_LAYER, type: 'line', source: 'replay-tracks', layout: { 'line-cap': 'round', 'line-join': 'round' }, paint: { 'line-color': ['get', 'color'], 'line-width': 3, 'line-opacity': 0.55 } });
    map.addLayer({
      id: REPLAY_FIXES_LAYER,
      type: 'circle',
      source: 'replay-fixes',
      minzoom: 13,
      paint: { 'circle-radius': 2.5, 'circle-color': '#fff', 'circle-stroke-color': ['get', 'color'], 'circle-stroke-width': 1.2 },
    });
    return () =>
      removeFromMap(map, () => {
        map.removeLayer(REPLAY_FIXES_LAYER);
        map.removeLayer(REPLAY_TRACKS_LAYER);
        map.removeSource('replay-fixes');
        map.removeSource('replay-tracks');
      });
  }, [map]);

  useEffect(() => {
    const lines: Feature<LineString>[] = [];
    const fixes: Feature<Point>[] = [];
    for (const t of model?.tracks ?? []) {
      const color = model!.color[t.id]!;
      const coords = t.lats.map((lat, i) => [t.lngs[i]!, lat]);
      if (coords.length >= 2) lines.push({ type: 'Feature', properties: { id: t.id, color }, geometry: { type: 'LineString', coordinates: coords } });
      // The fixes themselves only while they stay cheap to draw (an area replay may hold millions).
      if (fixCount(model!) <= MAX_FIXES_DRAWN) for (const c of coords) fixes.push({ type: 'Feature', properties: { id: t.id, color }, geometry: { type: 'Point', coordinates: c } });
    }
    map.getSource<GeoJSONSource>('replay-tracks')?.setData({ type: 'FeatureCollection', features: lines });
    map.getSource<GeoJSONSource>('replay-fixes')?.setData({ type: 'FeatureCollection', features: fixes });
  }, [map, model]);
  return null;
}

/**
 * Every unit where it was at the clock's time, interpolated between fixes. The clock drives this
 * directly (one setData per frame while playing); React is not involved per tick. Call signs are
 * HTML markers (no glyph server), moved in the same step.
 */
export function ReplayUnitsLayer({ model, clock }: { model: ReplayModel | null; clock: ReplayClock }) {
  const { map } = useMap();
  useEffect(() => {
    map.addSource('replay-units', { type: 'geojson', data: EMPTY, promoteId: 'id' });
    map.addLayer({
      id: REPLAY_UNITS_LAYER,
      type: 'circle',
      source: 'replay-units',
      paint: {
        'circle-radius': 8,
        'circle-color': ['get', 'color'],
        'circle-opacity': ['case', ['get', 'held'], 0.45, 1],
        'circle-stroke-color': '#fff',
        'circle-stroke-width': 2.5,
      },
    });
    return () =>
      removeFromMap(map, () => {
        map.removeLayer(REPLAY_UNITS_LAYER);
        map.removeSource('replay-units');
      });
  }, [map]);

  useEffect(() => {
    const source = map.getSource<GeoJSONSource>('replay-units');
    if (!source || !model) {
      source?.setData(EMPTY);
      return;
    }
    const labels = new Map<string, maplibregl.Marker>();
    for (const t of model.tracks) {
      const el = document.createElement('div');
      el.className = 'replay-unit-label';
      el.dataset.unitId = t.id;
      el.textContent = t.id;
      el.style.borderColor = model.color[t.id]!;
      labels.set(t.id, new maplibregl.Marker({ element: el, anchor: 'left', offset: [11, 0] }).setLngLat([0, 0]));
    }
    const off = clock.onTime((tMs) => {
      const features: Feature<Point>[] = [];
      for (const t of model.tracks) {
        const at = positionAt(t, tMs);
        const label = labels.get(t.id)!;
        if (!at) {
          label.remove();
          continue;
        }
        features.push({ type: 'Feature', properties: { id: t.id, color: model.color[t.id]!, held: at.kind === 'held' }, geometry: { type: 'Point', coordinates: [at.lng, at.lat] } });
        label.setLngLat([at.lng, at.lat]);
        if (!label.getElement().isConnected) label.addTo(map);
      }
      source.setData({ type: 'FeatureCollection', features });
    });
    return () => {
      off();
      for (const m of labels.values()) m.remove();
    };
  }, [map, model, clock]);
  return null;
}

/** The replayed incidents' scenes as HTML pins (the same look as the live map's). */
export function ReplayIncidentsLayer({ model }: { model: ReplayModel | null }) {
  const { map } = useMap();
  useEffect(() => {
    const markers = (model?.incidents ?? []).map((i) => {
      const el = document.createElement('div');
      el.className = `incident-marker replay-pin p${i.priority}`;
      el.dataset.incidentId = i.id;
      el.textContent = `#${i.number}`;
      return new maplibregl.Marker({ element: el, anchor: 'bottom' }).setLngLat([i.location.lng, i.location.lat]).addTo(map);
    });
    return () => markers.forEach((m) => m.remove());
  }, [map, model]);
  return null;
}
