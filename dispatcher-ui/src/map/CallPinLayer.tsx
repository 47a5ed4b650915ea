import { useEffect, useRef } from 'react';
import * as maplibregl from 'maplibre-gl';
import type { LatLng } from '@lifeline/protocol';
import { useI18n } from '../i18n/I18n.tsx';
import { useMap } from './MapContext.ts';

/** The location of the call being taken: a draggable pin. Renders nothing itself. */
export function CallPinLayer({ location, onMove }: { location: LatLng | null; onMove(at: LatLng): void }) {
  const { map } = useMap();
  const { t } = useI18n();
  const marker = useRef<maplibregl.Marker | null>(null);
  const onMoveRef = useRef(onMove);
  onMoveRef.current = onMove;

  useEffect(() => {
    if (!location) {
      marker.current?.remove();
      marker.current = null;
      return;
    }
    if (!marker.current) {
      marker.current = new maplibregl.Marker({ color: '#c92a2a', draggable: true, className: 'call-pin' });
      marker.current.on('dragend', () => {
        const p = marker.current?.getLngLat();
        if (p) onMoveRef.current({ lat: p.lat, lng: p.lng });
      });
    }
    marker.current.setLngLat([location.lng, location.lat]).addTo(map);
    const el = marker.current.getElement();
    el.setAttribute('aria-label', t('map.newCall'));
    // Where the pin is, for the browser tests' hooks (testHooks.ts callPin).
    el.dataset.lat = String(location.lat);
    el.dataset.lng = String(location.lng);
  }, [map, location, t]);

  useEffect(
    () => () => {
      marker.current?.remove();
      marker.current = null;
    },
    [map],
  );

  return null;
}
