import { useEffect, useState } from 'react';
import * as maplibregl from 'maplibre-gl';
import type { Hospital } from '@lifeline/protocol';
import { api } from '../api.ts';
import { useI18n } from '../i18n/I18n.tsx';
import { useMap } from './MapContext.ts';

/** Hospitals from GET /api/hospitals as HTML markers with their name on hover. Renders nothing itself. */
export function HospitalsLayer() {
  const { map } = useMap();
  const { t } = useI18n();
  const [hospitals, setHospitals] = useState<Hospital[]>([]);

  useEffect(() => {
    let cancelled = false;
    void api.hospitals().then((r) => {
      if (!cancelled && r.ok) setHospitals(r.value);
    });
    return () => {
      cancelled = true;
    };
  }, []);

  useEffect(() => {
    const markers = hospitals.map((h) => {
      const el = document.createElement('div');
      el.className = 'hospital-marker';
      el.dataset.hospitalId = h.id;
      el.setAttribute('role', 'img');
      el.setAttribute('aria-label', `${t('legend.hospital')}: ${h.name}`);
      const icon = document.createElement('span');
      icon.className = 'hospital-icon';
      icon.textContent = 'H';
      const name = document.createElement('span');
      name.className = 'hospital-name';
      name.textContent = h.name;
      el.append(icon, name);
      return new maplibregl.Marker({ element: el }).setLngLat([h.location.lng, h.location.lat]).addTo(map);
    });
    return () => markers.forEach((m) => m.remove());
  }, [map, hospitals, t]);

  return null;
}
