import { useEffect } from 'react';
import * as maplibregl from 'maplibre-gl';
import type { Hospital } from '@lifeline/protocol';
import { useI18n } from '../i18n/I18n.tsx';
import { edStatus } from '../features/hospitals/useHospitals.ts';
import { useMap } from './MapContext.ts';

/**
 * Hospitals as HTML markers: the name on hover, and always their ED status (free beds, or
 * diversion in red), which the destination choice depends on. Renders nothing itself.
 */
export function HospitalsLayer({ hospitals }: { hospitals: Hospital[] }) {
  const { map } = useMap();
  const { t, count } = useI18n();

  useEffect(() => {
    const markers = hospitals.map((h) => {
      const s = edStatus(h);
      const statusText = t(s.key, s.n === undefined ? undefined : { n: count(s.n) });
      const el = document.createElement('div');
      el.className = `hospital-marker${h.diversion ? ' diversion' : h.edCapacity === 0 ? ' full' : ''}`;
      el.dataset.hospitalId = h.id;
      el.dataset.diversion = String(h.diversion);
      el.dataset.edCapacity = h.edCapacity === null ? '' : String(h.edCapacity);
      el.setAttribute('role', 'img');
      el.setAttribute('aria-label', `${t('legend.hospital')}: ${h.name} — ${statusText}`);
      const icon = document.createElement('span');
      icon.className = 'hospital-icon';
      icon.textContent = 'H';
      const status = document.createElement('span');
      status.className = 'hospital-status';
      status.textContent = h.diversion ? '⛔' : h.edCapacity === null ? '?' : String(h.edCapacity);
      status.title = statusText;
      const name = document.createElement('span');
      name.className = 'hospital-name';
      name.textContent = `${h.name} · ${statusText}`;
      el.append(icon, status, name);
      return new maplibregl.Marker({ element: el }).setLngLat([h.location.lng, h.location.lat]).addTo(map);
    });
    return () => markers.forEach((m) => m.remove());
  }, [map, hospitals, t, count]);

  return null;
}
