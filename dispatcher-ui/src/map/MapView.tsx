import { useEffect, useRef, useState, type ReactNode } from 'react';
import * as maplibregl from 'maplibre-gl';
import type { LatLng } from '@lifeline/protocol';
import { useI18n } from '../i18n/I18n.tsx';
import { localStyle } from './localStyle.ts';
import { MapContext, type MapHandle } from './MapContext.ts';

export interface MapViewProps {
  center: LatLng;
  /** A MapLibre style URL (MAP_STYLE_URL); null → the offline basemap. */
  styleUrl: string | null;
  /** Credit for OSM-derived data the server uses (routing), shown on the map; null: none. */
  attribution?: string | null;
  /** A click on the map that did not hit an interactive feature. */
  onMapClick(at: LatLng): void;
  onReady?(map: maplibregl.Map): void;
  children?: ReactNode;
}

/** Keeps the drawing buffer for screenshots (`?capture`), at a small cost to rendering. */
const CAPTURE = new URLSearchParams(location.search).has('capture');

/**
 * The one MapLibre instance of the page. Layer components are rendered as children once the
 * style has loaded; each adds its own sources and layers and removes them on unmount.
 */
export function MapView({ center, styleUrl, attribution = null, onMapClick, onReady, children }: MapViewProps) {
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
      style: styleUrl ?? localStyle(center),
      center: [center.lng, center.lat],
      zoom: 11.5,
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
    const onError = () => {
      if (loaded || !styleUrl) return;
      setStyleFailed(true);
      map.setStyle(localStyle(center));
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
      {!styleUrl || styleFailed ? <div className="map-note">{styleFailed ? t('map.styleFailed') : t('map.basemapNote')}</div> : null}
      {handle ? <MapContext.Provider value={handle}>{children}</MapContext.Provider> : null}
    </div>
  );
}
