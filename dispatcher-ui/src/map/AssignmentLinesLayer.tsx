import { useEffect, useRef } from 'react';
import type { GeoJSONSource } from 'maplibre-gl';
import type { Feature, FeatureCollection, LineString } from 'geojson';
import type { Incident, IncidentState } from '@lifeline/protocol';
import { FrameBatcher } from '../realtime/frameBatcher.ts';
import type { LiveStore } from '../realtime/store.ts';
import { removeFromMap, useMap } from './MapContext.ts';
import { UNITS_HEADING_LAYER } from './UnitsLayer.tsx';

const SOURCE = 'assignment-lines';
export const ASSIGNMENT_LINES_LAYER = 'assignment-lines';
const LAYER = ASSIGNMENT_LINES_LAYER;

/** While the unit is on its way, a straight line joins it to the scene. */
const LINE_STATES: ReadonlySet<IncidentState> = new Set(['assigned', 'acknowledged', 'en_route']);

/**
 * The assigned unit's straight line to the scene. Redrawn at most once per frame, when the
 * incidents change or one of the assigned units moves.
 */
export function AssignmentLinesLayer({ store, incidents }: { store: LiveStore; incidents: Incident[] }) {
  const { map } = useMap();
  const incidentsRef = useRef(incidents);
  const batcherRef = useRef<FrameBatcher<string> | null>(null);

  useEffect(() => {
    map.addSource(SOURCE, { type: 'geojson', data: { type: 'FeatureCollection', features: [] } });
    map.addLayer(
      {
        id: LAYER,
        type: 'line',
        source: SOURCE,
        layout: { 'line-cap': 'round' },
        paint: { 'line-color': '#c92a2a', 'line-width': 2.5, 'line-dasharray': [2, 1.5], 'line-opacity': 0.85 },
      },
      map.getLayer(UNITS_HEADING_LAYER) ? UNITS_HEADING_LAYER : undefined,
    );
    const source = map.getSource<GeoJSONSource>(SOURCE)!;
    const batcher = new FrameBatcher<string>(() => void source.setData(assignmentLines(incidentsRef.current, store)));
    batcherRef.current = batcher;
    const unsubscribe = store.subscribeUnits((change) => {
      if (change === 'reset') return batcher.markReset();
      const assigned = new Set(incidentsRef.current.map((i) => i.vehicleId));
      if (change.some((id) => assigned.has(id))) batcher.markReset();
    });
    batcher.markReset();
    return () => {
      unsubscribe();
      batcher.dispose();
      batcherRef.current = null;
      removeFromMap(map, () => {
        map.removeLayer(LAYER);
        map.removeSource(SOURCE);
      });
    };
  }, [map, store]);

  useEffect(() => {
    incidentsRef.current = incidents;
    batcherRef.current?.markReset();
  }, [incidents]);

  return null;
}

function assignmentLines(incidents: Incident[], store: LiveStore): FeatureCollection<LineString> {
  const features: Feature<LineString>[] = [];
  for (const i of incidents) {
    if (!i.vehicleId || !LINE_STATES.has(i.state)) continue;
    const p = store.unit(i.vehicleId)?.position;
    if (!p) continue;
    features.push({
      type: 'Feature',
      properties: { incidentId: i.id, vehicleId: i.vehicleId },
      geometry: { type: 'LineString', coordinates: [[p.lng, p.lat], [i.location.lng, i.location.lat]] },
    });
  }
  return { type: 'FeatureCollection', features };
}
