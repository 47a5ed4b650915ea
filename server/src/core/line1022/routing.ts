import { area as turfArea, booleanPointInPolygon } from '@turf/turf';
import type { MultiPolygon, Polygon } from 'geojson';

export type Area = Polygon | MultiPolygon;

export interface AgencyInput {
  id: string;
  /** null: the whole province (the least specific area there is). */
  area: Area | null;
  /** Category id → deadline in hours, or null to use the category's default. */
  categories: Record<string, number | null>;
}

export interface CategoryInput {
  id: string;
  defaultAgencyId: string | null;
  deadlineHours: number;
}

/** An agency ready for routing: its area's size is computed once, not per report. */
export interface RoutableAgency extends AgencyInput {
  /** Square metres; Infinity for the whole province. */
  areaM2: number;
}

export type RouteResult =
  | { ok: true; agencyId: string; deadlineHours: number; rule: 'area' | 'province' | 'category_default' }
  | { ok: false; reason: 'unknown_category' | 'no_agency' };

export function prepareAgencies(list: readonly AgencyInput[]): RoutableAgency[] {
  return list.map((a) => ({ ...a, areaM2: a.area ? turfArea(a.area) : Infinity }));
}

/** A point on a ring's edge counts as inside: a report on the boundary road still reaches someone. */
export function inArea(point: { lat: number; lng: number }, area: Area): boolean {
  return booleanPointInPolygon([point.lng, point.lat], area, { ignoreBoundary: false });
}

/**
 * The agency for a report of `categoryId` at `point` (null when the caller could not say where).
 * Of the agencies that handle the category and whose area holds the point, the most specific
 * (smallest area) wins; equal areas are decided by agency id, so overlapping areas always give
 * the same answer. Province-wide agencies come after any area; the category's default agency
 * after them. No agency → the report stays with the centre, flagged.
 */
export function routeReport(point: { lat: number; lng: number } | null, categoryId: string, categories: readonly CategoryInput[], agencies: readonly RoutableAgency[]): RouteResult {
  const category = categories.find((c) => c.id === categoryId);
  if (!category) return { ok: false, reason: 'unknown_category' };
  const candidates = agencies
    .filter((a) => categoryId in a.categories)
    .filter((a) => (a.area === null ? true : point !== null && inArea(point, a.area)))
    .sort((a, b) => a.areaM2 - b.areaM2 || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const best = candidates[0];
  if (best) return { ok: true, agencyId: best.id, deadlineHours: best.categories[categoryId] ?? category.deadlineHours, rule: best.area ? 'area' : 'province' };
  const fallback = category.defaultAgencyId ? agencies.find((a) => a.id === category.defaultAgencyId) : undefined;
  if (fallback) return { ok: true, agencyId: fallback.id, deadlineHours: fallback.categories[categoryId] ?? category.deadlineHours, rule: 'category_default' };
  return { ok: false, reason: 'no_agency' };
}

/** The deadline an agency has for a category when a dispatcher forwards by hand. */
export function deadlineHoursFor(agency: AgencyInput | undefined, category: CategoryInput | undefined, fallbackHours: number): number {
  if (category && agency && agency.categories[category.id] != null) return agency.categories[category.id]!;
  return category?.deadlineHours ?? fallbackHours;
}

/**
 * Why an imported area cannot be used, or null when it can: every ring closed, at least four
 * positions, coordinates in range. turf answers nonsense, not an error, for a broken ring.
 */
export function areaProblem(area: Area): string | null {
  const polygons = area.type === 'Polygon' ? [area.coordinates] : area.coordinates;
  for (const rings of polygons) {
    for (const ring of rings) {
      if (ring.length < 4) return 'a ring needs at least 4 positions';
      for (const p of ring) {
        const [lng, lat] = p as [number, number];
        if (!(Math.abs(lng) <= 180 && Math.abs(lat) <= 90)) return `position ${JSON.stringify(p)} is not [lng, lat] in range`;
      }
      const first = ring[0]!;
      const last = ring[ring.length - 1]!;
      if (first[0] !== last[0] || first[1] !== last[1]) return 'a ring must end where it starts';
    }
  }
  return null;
}
