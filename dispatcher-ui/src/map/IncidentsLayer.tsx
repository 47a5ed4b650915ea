import { useEffect, useRef } from 'react';
import * as maplibregl from 'maplibre-gl';
import type { Incident } from '@lifeline/protocol';
import { useI18n } from '../i18n/I18n.tsx';
import { categoryKey, stateKey } from '../i18n/dict.ts';
import { useMap } from './MapContext.ts';

export interface IncidentsLayerProps {
  incidents: Incident[];
  selectedId: string | null;
  onSelect(id: string): void;
}

/**
 * Open incidents as HTML pins coloured by priority, labelled with their running number (HTML,
 * since there is no glyph server). Incidents are tens, not thousands: markers are kept per id and
 * only their classes and text change.
 */
export function IncidentsLayer({ incidents, selectedId, onSelect }: IncidentsLayerProps) {
  const { map } = useMap();
  const { t } = useI18n();
  const markers = useRef(new Map<string, maplibregl.Marker>());
  const onSelectRef = useRef(onSelect);
  onSelectRef.current = onSelect;

  useEffect(() => {
    const seen = new Set<string>();
    for (const i of incidents) {
      seen.add(i.id);
      let m = markers.current.get(i.id);
      if (!m) {
        const el = document.createElement('button');
        el.type = 'button';
        el.addEventListener('click', (e) => {
          e.stopPropagation();
          onSelectRef.current(i.id);
        });
        m = new maplibregl.Marker({ element: el, anchor: 'bottom' }).setLngLat([i.location.lng, i.location.lat]).addTo(map);
        markers.current.set(i.id, m);
      }
      const el = m.getElement();
      el.className = `incident-marker p${i.priority}${i.id === selectedId ? ' selected' : ''}`;
      el.dataset.incidentId = i.id;
      el.dataset.state = i.state;
      el.textContent = `#${i.number}`;
      el.title = `#${i.number} · ${t(categoryKey(i.category))} · P${i.priority} · ${t(stateKey(i.state))}`;
      m.setLngLat([i.location.lng, i.location.lat]);
    }
    for (const [id, m] of markers.current) {
      if (!seen.has(id)) {
        m.remove();
        markers.current.delete(id);
      }
    }
  }, [map, incidents, selectedId, t]);

  useEffect(() => {
    const all = markers.current;
    return () => {
      for (const m of all.values()) m.remove();
      all.clear();
    };
  }, [map]);

  return null;
}
