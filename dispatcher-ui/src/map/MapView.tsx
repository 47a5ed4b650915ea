import { useEffect, useRef, useState, type ReactNode } from 'react';
import * as maplibregl from 'maplibre-gl';
import type { BasemapInfo, LatLng } from '@lifeline/protocol';
import { useI18n } from '../i18n/I18n.tsx';
import { localStyle } from './localStyle.ts';
import { MapContext, type MapHandle } from './MapContext.ts';

export interface MapViewProps {
  center: LatLng;
  /** A MapLibre style URL (MAP_STYLE_URL); null → the offline basemap. */
  styleUrl: string | null;
  /** What the server's offline basemap offers (`/api/config`); null → the coordinate grid only. */
  basemap: BasemapInfo | null;
  /** Credit for OSM-derived data the server uses (routing), shown on the map; null: none. */
  attribution?: string | null;
  /** A click on the map that did not hit an interactive feature. */
  onMapClick(at: LatLng): void;
  onReady?(map: maplibregl.Map): void;
  children?: ReactNode;
}

const params = new URLSearchParams(location.search);
/** Keeps the drawing buffer for screenshots (`?capture`), at a small cost to rendering. */
const CAPTURE = params.has('capture');

/** `?at=lat,lng[,zoom]` opens the map there (a link to a place; the tests use it too). */
export function parseAt(value: string | null): { center: LatLng; zoom: number | null } | null {
  const m = /^\s*(-?\d+(?:\.\d+)?)\s*,\s*(-?\d+(?:\.\d+)?)\s*(?:,\s*(\d+(?:\.\d+)?))?\s*$/.exec(value ?? '');
  if (!m) return null;
  const lat = Number(m[1]);
  const lng = Number(m[2]);
  const zoom = m[3] === undefined ? null : Number(m[3]);
  if (Math.abs(lat) > 85 || Math.abs(lng) > 180 || (zoom !== null && zoom > 22)) return null;
  return { center: { lat, lng }, zoom };
}
const AT = parseAt(params.get('at'));

/**
 * The one MapLibre instance of the page. Layer components are rendered as children once the
 * style has loaded; each adds its own sources and layers and removes them on unmount.
 */
export function MapView({ center, styleUrl, basemap, attribution = null, onMapClick, onReady, children }: MapViewProps) {
  const { t } = useI18n();
  const container = useRef<HTMLDivElement>(null);
  const [handle, setHandle] = useState<MapHandle | null>(null);
  const [styleFailed, setStyleFailed] = useState(false);
  const clickRef = useRef(onMapClick);
  clickRef.current = onMapClick;
  const readyRef = useRef(onReady);
  readyRef.current = onReady;

  useEffect(() => {
    const map = new maplibregl.Map({
      container: container.current!,
      style: styleUrl ?? localStyle(center, basemap),
      center: [(AT?.center ?? center).lng, (AT?.center ?? center).lat],
      zoom: AT?.zoom ?? 11.5,
      maxPitch: 0,
      dragRotate: false,
      attributionControl: attribution ? { compact: false, customAttribution: attribution } : { compact: false },
      canvasContextAttributes: { preserveDrawingBuffer: CAPTURE },
    });
    map.touchZoomRotate.disableRotation();
    map.keyboard.disableRotation();
    map.addControl(new maplibregl.NavigationControl({ showCompass: false }), 'top-left');
    map.addControl(new maplibregl.ScaleControl({ unit: 'metric' }), 'bottom-left');
    const interactiveLayers = new Set<string>();

    let loaded = false;
    // An unreachable MAP_STYLE_URL must not leave the dispatcher without a map.
    const onError = (e: maplibregl.ErrorEvent) => {
      // The local basemap's failures (a tile while the server is away) are worth a trace, not a banner.
      if (!styleUrl) console.warn('basemap:', e.error?.message ?? e.error);
      if (loaded || !styleUrl) return;
      setStyleFailed(true);
      map.setStyle(localStyle(center, basemap));
    };
    map.on('error', onError);
    map.once('load', () => {
      loaded = true;
      setHandle({ map, interactiveLayers });
      readyRef.current?.(map);
    });
    map.on('click', (e) => {
      const pad = 4;
      const box: [maplibregl.PointLike, maplibregl.PointLike] = [
        [e.point.x - pad, e.point.y - pad],
        [e.point.x + pad, e.point.y + pad],
      ];
      const layers = [...interactiveLayers].filter((id) => map.getLayer(id));
      if (layers.length && map.queryRenderedFeatures(box, { layers }).length) return;
      clickRef.current({ lat: e.lngLat.lat, lng: e.lngLat.lng });
    });
    return () => {
      setHandle(null);
      map.remove();
    };
    // The map is created once; a new style or centre arrives only with a reload.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  return (
    <div className="map-wrap">
      <div ref={container} className="map" role="region" aria-label={t('map.region')} />
      {styleFailed ? (
        <div className="map-note">{t('map.styleFailed')}</div>
      ) : !styleUrl && !basemap?.roads ? (
        <div className="map-note">{t('map.basemapNote')}</div>
      ) : null}
      {handle ? <MapContext.Provider value={handle}>{children}</MapContext.Provider> : null}
    </div>
  );
}
