import type { LatLng } from '@lifeline/protocol';

/**
 * Destination hospitals from OpenStreetMap data, in the two forms people export it in:
 * - GeoJSON (e.g. `osmium export`): Point features, or Polygon/MultiPolygon for mapped buildings,
 *   with the raw OSM tags as properties and ids like `n123` / `w456` (or `node/123`);
 * - Overpass API JSON (`elements[]`): nodes with `lat`/`lon`, ways and relations with `center`
 *   (queried with `out center`).
 *
 * Not every `amenity=hospital` in OSM takes an ambulance patient. What is skipped, and why, is
 * counted, so whoever imports can see it:
 * - `not_hospital`: neither `amenity=hospital` nor `healthcare=hospital` (fire stations, clinics),
 *   or `healthcare` says something else;
 * - `no_emergency`: `emergency=no` (OSM's "has no emergency department");
 * - `health_post`: a commune health station ("Trạm y tế …"), tagged as a hospital in places
 *   but without an emergency department;
 * - `unnamed`: a dispatcher cannot send a crew to a nameless place;
 * - `no_location`: no usable coordinates.
 * Everything else is kept; OSM noise that tags cannot reveal (a shop tagged as a hospital) is for
 * an administrator to remove — the import prints every kept name.
 */

export interface ImportedHospital {
  /** Stable across re-imports: `osm-n123`, `osm-w456`, `osm-r789`. */
  id: string;
  name: string;
  location: LatLng;
  /** OSM `emergency=yes`: known to have an emergency department (absent is "not stated"). */
  emergencyTagged: boolean;
}

export type SkipReason = 'not_hospital' | 'no_emergency' | 'health_post' | 'unnamed' | 'no_location';

export interface HospitalImport {
  hospitals: ImportedHospital[];
  skipped: Record<SkipReason, number>;
  format: 'geojson' | 'overpass';
}

export class HospitalImportError extends Error {
  override name = 'HospitalImportError';
}

type Tags = Record<string, unknown>;

// No \b after "tế": in JS regexes ế is not a word character, so \b would never match there.
const HEALTH_POST = /^\s*trạm\s+y\s+tế(?:\s|$)/iu;
const OSM_TYPE: Record<string, string> = { node: 'n', way: 'w', relation: 'r', n: 'n', w: 'w', r: 'r' };

/** Parses an OSM hospital export; throws HospitalImportError for a document that is neither form. */
export function parseOsmHospitals(doc: unknown): HospitalImport {
  const skipped: Record<SkipReason, number> = { not_hospital: 0, no_emergency: 0, health_post: 0, unnamed: 0, no_location: 0 };
  const byId = new Map<string, ImportedHospital>();
  const take = (rawId: string | null, tags: Tags, location: LatLng | null) => {
    const why = skipReason(tags, location);
    if (why) {
      skipped[why]++;
      return;
    }
    const id = rawId ?? `osm-x${location!.lat.toFixed(6)}_${location!.lng.toFixed(6)}`;
    byId.set(id, { id, name: String(tags.name).trim(), location: location!, emergencyTagged: tags.emergency === 'yes' });
  };

  if (isObject(doc) && doc.type === 'FeatureCollection' && Array.isArray(doc.features)) {
    for (const f of doc.features) {
      if (!isObject(f)) continue;
      const tags = isObject(f.properties) ? f.properties : {};
      take(osmId(f.id ?? tags['@id'] ?? tags.id), tags, featureLocation(f.geometry));
    }
    return { hospitals: [...byId.values()], skipped, format: 'geojson' };
  }
  if (isObject(doc) && Array.isArray(doc.elements)) {
    for (const e of doc.elements) {
      if (!isObject(e)) continue;
      const tags = isObject(e.tags) ? e.tags : {};
      const at = typeof e.lat === 'number' ? e : isObject(e.center) ? e.center : null;
      take(osmId(`${String(e.type)}/${String(e.id)}`), tags, at ? latLng(at.lat, at.lon) : null);
    }
    return { hospitals: [...byId.values()], skipped, format: 'overpass' };
  }
  throw new HospitalImportError('not an OSM hospital export: expected a GeoJSON FeatureCollection or Overpass API JSON with "elements"');
}

function skipReason(tags: Tags, location: LatLng | null): SkipReason | null {
  const hospital = tags.amenity === 'hospital' || tags.healthcare === 'hospital';
  if (!hospital || (tags.healthcare !== undefined && tags.healthcare !== 'hospital')) return 'not_hospital';
  if (tags.emergency === 'no') return 'no_emergency';
  const name = typeof tags.name === 'string' ? tags.name.trim() : '';
  if (!name) return 'unnamed';
  if (HEALTH_POST.test(name.normalize('NFC'))) return 'health_post';
  if (!location) return 'no_location';
  return null;
}

/** `n123`, `node/123`, `w456`, `way/456` → `osm-n123` / `osm-w456`; anything else → null. */
export function osmId(raw: unknown): string | null {
  if (typeof raw !== 'string' && typeof raw !== 'number') return null;
  const m = /^(node|way|relation|n|w|r)\/?(\d+)$/.exec(String(raw));
  return m ? `osm-${OSM_TYPE[m[1]!]}${m[2]}` : null;
}

function latLng(lat: unknown, lng: unknown): LatLng | null {
  if (typeof lat !== 'number' || typeof lng !== 'number' || !Number.isFinite(lat) || !Number.isFinite(lng)) return null;
  if (Math.abs(lat) > 90 || Math.abs(lng) > 180 || (lat === 0 && lng === 0)) return null;
  return { lat, lng };
}

/** A point for a feature: the point itself, or the mean of a polygon's outer ring (a building is small). */
function featureLocation(geometry: unknown): LatLng | null {
  if (!isObject(geometry) || !Array.isArray(geometry.coordinates)) return null;
  const c = geometry.coordinates as unknown[];
  const ring =
    geometry.type === 'Point' ? [c] : geometry.type === 'Polygon' ? c[0] : geometry.type === 'MultiPolygon' && Array.isArray(c[0]) ? (c[0] as unknown[])[0] : null;
  if (!Array.isArray(ring) || ring.length === 0) return null;
  // A closed ring repeats its first point; count it once.
  const pts = ring.length > 1 && JSON.stringify(ring[0]) === JSON.stringify(ring[ring.length - 1]) ? ring.slice(0, -1) : ring;
  let lat = 0;
  let lng = 0;
  for (const p of pts) {
    if (!Array.isArray(p) || typeof p[0] !== 'number' || typeof p[1] !== 'number') return null;
    lng += p[0];
    lat += p[1];
  }
  return latLng(lat / pts.length, lng / pts.length);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
