import { useEffect, useRef } from 'react';
import * as maplibregl from 'maplibre-gl';
import type { GeoJSONSource, MapLayerMouseEvent } from 'maplibre-gl';
import { FrameBatcher } from '../realtime/frameBatcher.ts';
import type { LiveStore } from '../realtime/store.ts';
import { useI18n } from '../i18n/I18n.tsx';
import { statusKey } from '../i18n/dict.ts';
import { removeFromMap, useMap } from './MapContext.ts';
import { isEmptyDiff, STATUS_COLORS, unitCollection, unitsDiff } from './unitFeatures.ts';
import { isStale } from '../features/board/unitRules.ts';
import { serverNow } from '../features/serverClock.ts';

/** How often units are checked for staleness (it comes with time, not with a message), ms. */
const STALE_CHECK_MS = 5000;

export const UNITS_SOURCE = 'units';
export const UNITS_LAYER = 'units-circle';
export const UNITS_HEADING_LAYER = 'units-heading';
const HEADING_IMAGE = 'unit-heading';

export interface UnitsLayerProps {
  store: LiveStore;
  selectedId: string | null;
  onSelect(id: string | null): void;
  /** A unit with no position newer than this is drawn faded (feature-state `stale`), seconds. */
  staleSec: number;
  /** Called after each frame's update was handed to the map, with its main-thread cost. */
  onFrame?(changed: number, ms: number): void;
}

/**
 * Live units: one GeoJSON source keyed by unit id (`promoteId`). Store changes are merged per
 * unit and applied once per animation frame with `updateData` diffs; a snapshot replaces the
 * data with `setData`. Renders nothing itself. Hover and selection use feature-state and an
 * HTML label (there is no glyph server for map text).
 */
export function UnitsLayer({ store, selectedId, staleSec, onSelect, onFrame }: UnitsLayerProps) {
  const { map, interactiveLayers } = useMap();
  const { t } = useI18n();
  const tRef = useRef(t);
  tRef.current = t;
  const selectedRef = useRef(selectedId);
  const hoveredRef = useRef<string | null>(null);
  const labelRef = useRef<maplibregl.Popup | null>(null);
  const onSelectRef = useRef(onSelect);
  onSelectRef.current = onSelect;
  const onFrameRef = useRef(onFrame);
  onFrameRef.current = onFrame;
  const staleSecRef = useRef(staleSec);
  staleSecRef.current = staleSec;

  /** Shows the call sign of the selected unit, else of the hovered one, at its current position. */
  const refreshLabel = useRef(() => {});
  refreshLabel.current = () => {
    const id = hoveredRef.current ?? selectedRef.current;
    const v = id ? store.unit(id) : undefined;
    const label = labelRef.current;
    if (!label) return;
    if (!v?.position) {
      label.remove();
      return;
    }
    const el = document.createElement('div');
    el.className = 'unit-label-body';
    el.dataset.unitId = v.id;
    const cs = document.createElement('strong');
    cs.textContent = v.callSign;
    const st = document.createElement('span');
    st.textContent = tRef.current(statusKey(v.online ? v.status : 'offline'));
    el.append(cs, st);
    label.setLngLat([v.position.lng, v.position.lat]).setDOMContent(el);
    if (!label.isOpen()) label.addTo(map);
  };

  useEffect(() => {
    map.addImage(HEADING_IMAGE, headingImage(), { pixelRatio: 2 });
    map.addSource(UNITS_SOURCE, { type: 'geojson', data: { type: 'FeatureCollection', features: [] }, promoteId: 'id' });
    map.addLayer({
      id: UNITS_HEADING_LAYER,
      type: 'symbol',
      source: UNITS_SOURCE,
      // An offline unit's last heading says nothing about where it is going now.
      filter: ['all', ['>=', ['get', 'hdg'], 0], ['get', 'on']],
      layout: {
        'icon-image': HEADING_IMAGE,
        'icon-rotate': ['get', 'hdg'],
        'icon-rotation-alignment': 'map',
        'icon-allow-overlap': true,
        'icon-ignore-placement': true,
        'icon-size': ['interpolate', ['linear'], ['zoom'], 8, 0.55, 12, 1, 16, 1.5],
        // A small image pushed ahead of the unit: the offset turns with the icon, and a tight
        // image keeps the fragments (and the cost of 2,000 icons) small.
        'icon-offset': [0, -10],
      },
    });
    const hollow: maplibregl.ExpressionSpecification = ['!', ['get', 'on']];
    const active: maplibregl.ExpressionSpecification = ['any', ['boolean', ['feature-state', 'hover'], false], ['boolean', ['feature-state', 'selected'], false]];
    map.addLayer({
      id: UNITS_LAYER,
      type: 'circle',
      source: UNITS_SOURCE,
      paint: {
        'circle-radius': ['interpolate', ['linear'], ['zoom'], 8, ['case', active, 5, 3.5], 12, ['case', active, 9, 6.5], 16, ['case', active, 13, 10]],
        'circle-color': [
          'case',
          hollow,
          'rgba(255,255,255,0.35)',
          [
            'match',
            ['get', 'st'],
            'available', STATUS_COLORS.available,
            ['dispatched', 'en_route'], STATUS_COLORS.en_route,
            'on_scene', STATUS_COLORS.on_scene,
            'transporting', STATUS_COLORS.transporting,
            'at_hospital', STATUS_COLORS.at_hospital,
            'out_of_service', STATUS_COLORS.out_of_service,
            STATUS_COLORS.offline,
          ],
        ],
        'circle-stroke-color': ['case', active, '#111827', hollow, STATUS_COLORS.offline, '#ffffff'],
        'circle-stroke-width': ['case', active, 3, hollow, 2.5, 1.5],
        // Stale (no recent position): faded, so nobody trusts where it is drawn.
        'circle-opacity': ['case', ['boolean', ['feature-state', 'stale'], false], 0.35, 1],
        'circle-stroke-opacity': ['case', ['boolean', ['feature-state', 'stale'], false], 0.5, 1],
      },
    });
    interactiveLayers.add(UNITS_LAYER);
    labelRef.current = new maplibregl.Popup({ closeButton: false, closeOnClick: false, offset: 12, className: 'unit-label', maxWidth: '240px' });

    const source = map.getSource<GeoJSONSource>(UNITS_SOURCE)!;
    let shown = new Set<string>();
    const batcher = new FrameBatcher<string>((batch) => {
      const t0 = performance.now();
      let changed: number;
      if (batch.reset) {
        const { fc, ids } = unitCollection(store.units());
        shown = ids;
        void source.setData(fc);
        changed = ids.size;
      } else {
        const diff = unitsDiff(shown, batch.keys, (id) => store.unit(id));
        if (!isEmptyDiff(diff)) void source.updateData(diff);
        changed = batch.keys.size;
      }
      onFrameRef.current?.(changed, performance.now() - t0);
      const labelled = hoveredRef.current ?? selectedRef.current;
      if (labelled && (batch.reset || batch.keys.has(labelled))) refreshLabel.current();
    });
    const unsubscribe = store.subscribeUnits((change) => (change === 'reset' ? batcher.markReset() : batcher.add(change)));
    batcher.markReset();

    // Staleness through feature-state: only the units whose staleness flipped are touched.
    const staleIds = new Set<string>();
    const checkStale = () => {
      const now = serverNow();
      for (const v of store.units()) {
        if (!v.position) continue; // not drawn
        const stale = isStale(v, now, staleSecRef.current);
        if (stale === staleIds.has(v.id)) continue;
        if (stale) staleIds.add(v.id);
        else staleIds.delete(v.id);
        map.setFeatureState({ source: UNITS_SOURCE, id: v.id }, { stale });
      }
    };
    const staleTimer = setInterval(checkStale, STALE_CHECK_MS);
    checkStale();

    const setHover = (id: string | null) => {
      if (hoveredRef.current === id) return;
      if (hoveredRef.current) map.setFeatureState({ source: UNITS_SOURCE, id: hoveredRef.current }, { hover: false });
      hoveredRef.current = id;
      if (id) map.setFeatureState({ source: UNITS_SOURCE, id }, { hover: true });
      map.getCanvas().style.cursor = id ? 'pointer' : '';
      refreshLabel.current();
    };
    const onMove = (e: MapLayerMouseEvent) => setHover((e.features?.[0]?.properties?.id as string | undefined) ?? null);
    const onLeave = () => setHover(null);
    const onClick = (e: MapLayerMouseEvent) => {
      const id = e.features?.[0]?.properties?.id as string | undefined;
      if (id) onSelectRef.current(id === selectedRef.current ? null : id);
    };
    map.on('mousemove', UNITS_LAYER, onMove);
    map.on('mouseleave', UNITS_LAYER, onLeave);
    map.on('click', UNITS_LAYER, onClick);

    return () => {
      unsubscribe();
      clearInterval(staleTimer);
      batcher.dispose();
      map.off('mousemove', UNITS_LAYER, onMove);
      map.off('mouseleave', UNITS_LAYER, onLeave);
      map.off('click', UNITS_LAYER, onClick);
      labelRef.current?.remove();
      labelRef.current = null;
      interactiveLayers.delete(UNITS_LAYER);
      removeFromMap(map, () => {
        map.removeLayer(UNITS_LAYER);
        map.removeLayer(UNITS_HEADING_LAYER);
        map.removeSource(UNITS_SOURCE);
        map.removeImage(HEADING_IMAGE);
      });
    };
  }, [map, interactiveLayers, store]);

  // Selection: feature-state and the label, never a data re-send.
  useEffect(() => {
    const prev = selectedRef.current;
    if (prev && map.getSource(UNITS_SOURCE)) map.setFeatureState({ source: UNITS_SOURCE, id: prev }, { selected: false });
    selectedRef.current = selectedId;
    if (selectedId) map.setFeatureState({ source: UNITS_SOURCE, id: selectedId }, { selected: true });
    refreshLabel.current();
  }, [map, selectedId]);

  // A language switch re-renders the label text.
  useEffect(() => refreshLabel.current(), [t]);

  return null;
}

/** An arrowhead, 12×8 px (drawn at 2×), pointing up; `icon-offset` puts it just ahead of the circle. */
function headingImage(): ImageData {
  const w = 24;
  const h = 16;
  const canvas = document.createElement('canvas');
  canvas.width = w;
  canvas.height = h;
  const ctx = canvas.getContext('2d')!;
  ctx.fillStyle = '#1f2933';
  ctx.strokeStyle = '#ffffff';
  ctx.lineWidth = 2.5;
  ctx.lineJoin = 'round';
  ctx.beginPath();
  ctx.moveTo(w / 2, 2);
  ctx.lineTo(w - 2, h - 1);
  ctx.lineTo(2, h - 1);
  ctx.closePath();
  ctx.stroke();
  ctx.fill();
  return ctx.getImageData(0, 0, w, h);
}
