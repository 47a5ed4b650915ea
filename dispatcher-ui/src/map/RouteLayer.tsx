import { useEffect } from 'react';
import type { GeoJSONSource } from 'maplibre-gl';
import type { FeatureCollection, LineString } from 'geojson';
import type { UnitRoute } from '@lifeline/protocol';
import { removeFromMap, useMap } from './MapContext.ts';
import { UNITS_HEADING_LAYER } from './UnitsLayer.tsx';

const SOURCE = 'unit-route';
export const ROUTE_LAYER = 'unit-route';

/**
 * The selected incident's unit route (GET /api/incidents/:id/route), drawn solid under the
 * units: by road when the server routed it, a straight line otherwise (`source` says which).
 */
export function RouteLayer({ incidentId, route }: { incidentId: string | null; route: UnitRoute | null }) {
  const { map } = useMap();

  useEffect(() => {
    map.addSource(SOURCE, { type: 'geojson', data: empty() });
    map.addLayer(
      {
        id: ROUTE_LAYER,
        type: 'line',
        source: SOURCE,
        layout: { 'line-cap': 'round', 'line-join': 'round' },
        paint: {
          // A straight line is a guess, and looks paler than a routed one.
          'line-color': ['case', ['==', ['get', 'source'], 'straight_line'], '#74a9d8', '#1c7ed6'],
          'line-width': 4,
          'line-opacity': 0.85,
        },
      },
      map.getLayer(UNITS_HEADING_LAYER) ? UNITS_HEADING_LAYER : undefined,
    );
    return () =>
      removeFromMap(map, () => {
        map.removeLayer(ROUTE_LAYER);
        map.removeSource(SOURCE);
      });
  }, [map]);

  useEffect(() => {
    const data: FeatureCollection<LineString> =
      route && incidentId && route.coordinates.length > 1
        ? {
            type: 'FeatureCollection',
            features: [{ type: 'Feature', properties: { incidentId, vehicleId: route.vehicleId, source: route.source, to: route.to }, geometry: { type: 'LineString', coordinates: route.coordinates } }],
          }
        : empty();
    void map.getSource<GeoJSONSource>(SOURCE)?.setData(data);
  }, [map, incidentId, route]);

  return null;
}

const empty = (): FeatureCollection<LineString> => ({ type: 'FeatureCollection', features: [] });
