import type { Map as MlMap } from 'maplibre-gl';
import type { ConnectionStatus, LiveStore } from '../realtime/store.ts';
import type { FrameStatsSnapshot } from './frameStats.ts';
import { ASSIGNMENT_LINES_LAYER } from './AssignmentLinesLayer.tsx';
import { UNITS_LAYER, UNITS_SOURCE } from './UnitsLayer.tsx';
import { ROUTE_LAYER } from './RouteLayer.tsx';
import { BASEMAP_LAYERS } from './localStyle.ts';

/**
 * Read-only hooks for browser tests (`window.__lifeline`): what the map really shows, read from
 * the rendered features and the DOM, plus what the store holds. Nothing here changes state.
 */
export interface LifelineTestHooks {
  /** Units held by the live store. */
  unitCount(): number;
  /** Ids of the units drawn in the viewport (`queryRenderedFeatures`). */
  renderedUnitIds(): string[];
  /** A drawn unit as the map has it (tile-precision position), or null when not drawn. */
  renderedUnit(id: string): { lat: number; lng: number; status: string; online: boolean; stale: boolean } | null;
  /** Incident id → state, as the store holds them (open incidents). */
  incidentStates(): Record<string, string>;
  /** Drawn unit-to-scene lines as "incidentId:vehicleId". */
  renderedAssignmentLines(): string[];
  /** The drawn unit route (selected incident) as "incidentId:vehicleId:source", or null. */
  renderedRoute(): string | null;
  /** Units in the live store with the given status (online units only, as the board files them). */
  unitsWithStatus(status: string): string[];
  /** Ids of the incident pins on the map. */
  renderedIncidentIds(): string[];
  hospitalCount(): number;
  connection(): ConnectionStatus;
  snapshots(): number;
  /** Unit updates applied to the map so far: frames, units, main-thread ms. */
  frameStats(): FrameStatsSnapshot;
  /** Resolves when the map has rendered everything it has been given. */
  idle(): Promise<void>;
  /**
   * What the offline basemap draws in the viewport (`queryRenderedFeatures` per layer): road
   * classes, road label texts, and counts of land and border features.
   */
  renderedBasemap(): { roadClasses: string[]; roadLabels: string[]; land: number; borders: number };
  /** The style's layer ids, bottom to top. */
  layerOrder(): string[];
  /** Viewport pixel of a coordinate, for tests that click or hover the map. */
  project(lat: number, lng: number): { x: number; y: number };
  /** Where the new call's pin stands, or null when there is none. */
  callPin(): { lat: number; lng: number } | null;
  /** The camera: centre, zoom and [west, south, east, north] of the viewport. */
  mapView(): { center: { lat: number; lng: number }; zoom: number; bounds: [number, number, number, number] };
}

declare global {
  interface Window {
    __lifeline?: LifelineTestHooks;
  }
}

export function installTestHooks(map: MlMap, store: LiveStore, frameStats: () => FrameStatsSnapshot): void {
  const rendered = () => (map.getLayer(UNITS_LAYER) ? map.queryRenderedFeatures({ layers: [UNITS_LAYER] }) : []);
  window.__lifeline = Object.freeze({
    unitCount: () => store.unitCount,
    renderedUnitIds: () => [...new Set(rendered().map((f) => String(f.properties.id)))].sort(),
    renderedUnit: (id: string) => {
      const f = rendered().find((x) => x.properties.id === id);
      if (!f || f.geometry.type !== 'Point') return null;
      const [lng, lat] = f.geometry.coordinates as [number, number];
      const stale = Boolean(map.getFeatureState({ source: UNITS_SOURCE, id }).stale);
      return { lat, lng, status: String(f.properties.st), online: Boolean(f.properties.on), stale };
    },
    incidentStates: () => Object.fromEntries(store.openIncidents().map((i) => [i.id, i.state])),
    renderedAssignmentLines: () => {
      if (!map.getLayer(ASSIGNMENT_LINES_LAYER)) return [];
      const lines = map.queryRenderedFeatures({ layers: [ASSIGNMENT_LINES_LAYER] });
      return [...new Set(lines.map((f) => `${String(f.properties.incidentId)}:${String(f.properties.vehicleId)}`))].sort();
    },
    renderedRoute: () => {
      if (!map.getLayer(ROUTE_LAYER)) return null;
      const f = map.queryRenderedFeatures({ layers: [ROUTE_LAYER] })[0];
      return f ? `${String(f.properties.incidentId)}:${String(f.properties.vehicleId)}:${String(f.properties.source)}` : null;
    },
    unitsWithStatus: (status: string) => [...store.units()].filter((u) => (u.online ? u.status : 'offline') === status).map((u) => u.id).sort(),
    renderedIncidentIds: () =>
      [...map.getContainer().querySelectorAll<HTMLElement>('.incident-marker')].map((el) => el.dataset.incidentId ?? '').sort(),
    hospitalCount: () => map.getContainer().querySelectorAll('.hospital-marker').length,
    connection: () => store.connectionState().status,
    snapshots: () => store.connectionState().snapshots,
    frameStats,
    idle: () =>
      new Promise<void>((resolve) => {
        map.once('idle', () => resolve());
        map.triggerRepaint();
      }),
    renderedBasemap: () => {
      const query = (layer: string) => (map.getLayer(layer) ? map.queryRenderedFeatures({ layers: [layer] }) : []);
      const distinct = (xs: unknown[]) => [...new Set(xs.map(String))].sort();
      return {
        roadClasses: distinct(query(BASEMAP_LAYERS.roads).map((f) => f.properties.class)),
        roadLabels: distinct(query(BASEMAP_LAYERS.roadLabels).map((f) => f.properties.name)),
        land: query(BASEMAP_LAYERS.land).length,
        borders: query(BASEMAP_LAYERS.borders).length,
      };
    },
    layerOrder: () => map.getStyle().layers.map((l) => l.id),
    project: (lat: number, lng: number) => {
      const p = map.project([lng, lat]);
      const r = map.getCanvas().getBoundingClientRect();
      return { x: r.left + p.x, y: r.top + p.y };
    },
    callPin: () => {
      const el = map.getContainer().querySelector<HTMLElement>('.call-pin');
      return el?.dataset.lat && el.dataset.lng ? { lat: Number(el.dataset.lat), lng: Number(el.dataset.lng) } : null;
    },
    mapView: () => {
      const c = map.getCenter();
      const b = map.getBounds();
      return { center: { lat: c.lat, lng: c.lng }, zoom: map.getZoom(), bounds: [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()] as [number, number, number, number] };
    },
  });
}
