import type { LatLng } from '@lifeline/protocol';
import { haversineM } from './geo.ts';

/** Where the dispatcher's map opens and the demo fleet starts. */
export interface MapArea {
  center: LatLng;
  /** Simulated units start within this radius of `center`, km. */
  radiusKm: number;
}

/** The demo's home: Thủ Dầu Một, Bình Dương, 8 km round. */
export const DEFAULT_MAP_AREA: MapArea = { center: { lat: 10.98, lng: 106.65 }, radiusKm: 8 };

/**
 * MAP_CENTER when set; else, with a road graph loaded, the middle of its bbox (so the demo fleet
 * is where the roads are); else the default. With a graph the radius is half the bbox's shorter
 * side (0.5–8 km), so start points fall inside the extract.
 */
export function mapArea(mapCenter: LatLng | null, graphBbox: readonly [number, number, number, number] | null): MapArea {
  if (!graphBbox) return mapCenter ? { ...DEFAULT_MAP_AREA, center: mapCenter } : DEFAULT_MAP_AREA;
  const [west, south, east, north] = graphBbox;
  const midLat = (south + north) / 2;
  const widthM = haversineM({ lat: midLat, lng: west }, { lat: midLat, lng: east });
  const heightM = haversineM({ lat: south, lng: west }, { lat: north, lng: west });
  const radiusKm = Math.min(8, Math.max(0.5, Math.min(widthM, heightM) / 2000));
  return { center: mapCenter ?? { lat: midLat, lng: (west + east) / 2 }, radiusKm: Math.round(radiusKm * 100) / 100 };
}
