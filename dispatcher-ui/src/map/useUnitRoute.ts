import { useEffect, useState } from 'react';
import type { Incident, UnitRoute } from '@lifeline/protocol';
import { api } from '../api.ts';

/** States in which a unit is driving somewhere: to the scene, or to the hospital. */
const MOVING: ReadonlySet<Incident['state']> = new Set(['assigned', 'acknowledged', 'en_route', 'transporting']);
/** The route is re-asked this often while the unit drives (its position and ETA change). */
export const ROUTE_REFRESH_MS = 15_000;

/** The assigned unit's route for an incident, fetched on each state change and every 15 s. */
export function useUnitRoute(incident: Incident | null): UnitRoute | null {
  const [held, setRoute] = useState<{ incidentId: string; route: UnitRoute } | null>(null);
  const id = incident?.id ?? null;
  const moving = !!incident?.vehicleId && MOVING.has(incident.state);
  const version = incident?.version ?? 0;
  useEffect(() => {
    if (!id || !moving) {
      setRoute(null);
      return;
    }
    let cancelled = false;
    const load = () =>
      void api.route(id).then((r) => {
        if (!cancelled) setRoute(r.ok ? { incidentId: id, route: r.value } : null);
      });
    load();
    const timer = setInterval(load, ROUTE_REFRESH_MS);
    return () => {
      cancelled = true;
      clearInterval(timer);
    };
  }, [id, moving, version]);
  // Never another incident's route while the new one loads.
  return held && held.incidentId === id && moving ? held.route : null;
}
