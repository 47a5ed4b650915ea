import type { GeoJSONSourceDiff, GeoJSONFeatureDiff } from 'maplibre-gl';
import type { Feature, FeatureCollection, Point } from 'geojson';
import type { UnitStatus, Vehicle } from '@lifeline/protocol';

/** Status colours of the unit markers (the legend uses the same table). */
export const STATUS_COLORS: Record<UnitStatus, string> = {
  available: '#2f9e44',
  dispatched: '#f08c00',
  en_route: '#f08c00',
  on_scene: '#e03131',
  transporting: '#8e44ad',
  at_hospital: '#1c7ed6',
  out_of_service: '#868e96',
  offline: '#868e96',
};

/**
 * Feature properties of one unit. Short keys: these travel to the map worker for every change.
 * `hdg` is -1 when the heading is unknown or the unit stands still; `on` is false when the unit
 * is offline (drawn hollow).
 */
export interface UnitProps {
  id: string;
  cs: string;
  st: UnitStatus;
  on: boolean;
  hdg: number;
}

export type UnitFeature = Feature<Point, UnitProps>;

/** Below this speed a GPS course is noise (a parked unit's "heading" wanders), m/s. */
export const MIN_HEADING_SPEED_MPS = 1;

export function unitProps(v: Vehicle): UnitProps {
  const hdg = v.position?.headingDeg;
  const spd = v.position?.speedMps;
  const moving = spd == null || spd >= MIN_HEADING_SPEED_MPS;
  return { id: v.id, cs: v.callSign, st: v.status, on: v.online && v.status !== 'offline', hdg: hdg == null || !moving ? -1 : hdg };
}

/** The unit as a GeoJSON point, or null while its position is unknown. */
export function unitFeature(v: Vehicle): UnitFeature | null {
  if (!v.position) return null;
  return { type: 'Feature', properties: unitProps(v), geometry: { type: 'Point', coordinates: [v.position.lng, v.position.lat] } };
}

export function unitCollection(units: Iterable<Vehicle>): { fc: FeatureCollection<Point, UnitProps>; ids: Set<string> } {
  const features: UnitFeature[] = [];
  const ids = new Set<string>();
  for (const v of units) {
    const f = unitFeature(v);
    if (f) {
      features.push(f);
      ids.add(v.id);
    }
  }
  return { fc: { type: 'FeatureCollection', features }, ids };
}

/**
 * The source diff for the units changed in one frame. `shown` (ids currently in the source) is
 * updated in place. A unit already shown gets its geometry and properties updated; a new one is
 * added; one that lost its position (or vanished) is removed.
 */
export function unitsDiff(shown: Set<string>, changed: Iterable<string>, lookup: (id: string) => Vehicle | undefined): GeoJSONSourceDiff {
  const add: UnitFeature[] = [];
  const update: GeoJSONFeatureDiff[] = [];
  const remove: string[] = [];
  for (const id of changed) {
    const v = lookup(id);
    const f = v ? unitFeature(v) : null;
    if (!f) {
      if (shown.delete(id)) remove.push(id);
    } else if (shown.has(id)) {
      const p = f.properties;
      update.push({
        id,
        newGeometry: f.geometry,
        addOrUpdateProperties: [
          { key: 'cs', value: p.cs },
          { key: 'st', value: p.st },
          { key: 'on', value: p.on },
          { key: 'hdg', value: p.hdg },
        ],
      });
    } else {
      shown.add(id);
      add.push(f);
    }
  }
  const diff: GeoJSONSourceDiff = {};
  if (remove.length) diff.remove = remove;
  if (add.length) diff.add = add;
  if (update.length) diff.update = update;
  return diff;
}

export const isEmptyDiff = (d: GeoJSONSourceDiff): boolean => !d.remove?.length && !d.add?.length && !d.update?.length && !d.removeAll;
