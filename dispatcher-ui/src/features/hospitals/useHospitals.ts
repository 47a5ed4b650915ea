import { useEffect, useState } from 'react';
import type { Hospital } from '@lifeline/protocol';
import { api } from '../../api.ts';
import type { MessageKey } from '../../i18n/dict.ts';

/** Hospitals report ED beds and diversion a few times a shift: a re-read this often is fresh enough. */
export const HOSPITALS_REFRESH_MS = 30_000;

/** GET /api/hospitals, re-read every HOSPITALS_REFRESH_MS (ED beds, diversion). */
export function useHospitals(): Hospital[] {
  const [hospitals, setHospitals] = useState<Hospital[]>([]);
  useEffect(() => {
    let cancelled = false;
    const load = () =>
      void api.hospitals().then((r) => {
        if (!cancelled && r.ok) setHospitals(r.value);
      });
    load();
    const timer = setInterval(load, HOSPITALS_REFRESH_MS);
    return () => {
      cancelled = true;
      clearInterval(timer);
    };
  }, []);
  return hospitals;
}

/** A hospital's ED status in words: diversion first, then free beds as reported. */
export function edStatus(h: Hospital): { key: MessageKey; n?: number } {
  if (h.diversion) return { key: 'hospital.diversion' };
  if (h.edCapacity === null) return { key: 'hospital.unknown' };
  return h.edCapacity === 0 ? { key: 'hospital.noBeds' } : { key: 'hospital.beds', n: h.edCapacity };
}
