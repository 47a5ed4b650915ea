import { describe, expect, it } from 'vitest';
import type { Polygon } from 'geojson';
import { areaProblem, deadlineHoursFor, prepareAgencies, routeReport, type AgencyInput, type CategoryInput } from '../../src/core/line1022/routing.ts';

/** An axis-aligned square [lng0,lat0]–[lng1,lat1], optionally with a square hole. */
const square = (lng0: number, lat0: number, lng1: number, lat1: number, hole?: [number, number, number, number]): Polygon => ({
  type: 'Polygon',
  coordinates: [
    [[lng0, lat0], [lng1, lat0], [lng1, lat1], [lng0, lat1], [lng0, lat0]],
    ...(hole ? [[[hole[0], hole[1]], [hole[2], hole[1]], [hole[2], hole[3]], [hole[0], hole[3]], [hole[0], hole[1]]]] : []),
  ],
});

const categories: CategoryInput[] = [
  { id: 'traffic', defaultAgencyId: 'so-gtvt', deadlineHours: 48 },
  { id: 'environment', defaultAgencyId: null, deadlineHours: 72 },
  { id: 'other', defaultAgencyId: null, deadlineHours: 96 },
];

const agencies: AgencyInput[] = [
  // Province-wide department for traffic.
  { id: 'so-gtvt', area: null, categories: { traffic: null } },
  // A city and a ward inside it; the ward is smaller, so more specific.
  { id: 'tp-tdm', area: square(106.6, 10.9, 106.8, 11.1), categories: { traffic: 24, environment: null } },
  { id: 'p-phu-cuong', area: square(106.64, 10.96, 106.68, 11.0), categories: { traffic: 12 } },
  // Two agencies with the very same area: the id decides.
  { id: 'b-twin', area: square(107.0, 11.0, 107.1, 11.1), categories: { environment: 10 } },
  { id: 'a-twin', area: square(107.0, 11.0, 107.1, 11.1), categories: { environment: 20 } },
  // A district with a hole (an enclave it does not serve).
  { id: 'holey', area: square(107.2, 11.2, 107.4, 11.4, [107.25, 11.25, 107.35, 11.35]), categories: { environment: 5 } },
];
const prepared = prepareAgencies(agencies);
const at = (lat: number, lng: number) => ({ lat, lng });

describe('routeReport', () => {
  it.each([
    ['inside the ward → the ward (most specific)', at(10.98, 106.66), 'traffic', 'p-phu-cuong', 12, 'area'],
    ['in the city, outside the ward → the city', at(10.92, 106.62), 'traffic', 'tp-tdm', 24, 'area'],
    ['outside every area → province-wide agency', at(10.5, 106.0), 'traffic', 'so-gtvt', 48, 'province'],
    ['no location → province-wide agency', null, 'traffic', 'so-gtvt', 48, 'province'],
    ['on the ward boundary edge → the ward', at(10.98, 106.64), 'traffic', 'p-phu-cuong', 12, 'area'],
    ['on a ward corner → the ward', at(10.96, 106.64), 'traffic', 'p-phu-cuong', 12, 'area'],
    ['category null deadline → the category default', at(10.92, 106.62), 'environment', 'tp-tdm', 72, 'area'],
    ['identical areas → the smaller id, every time', at(11.05, 107.05), 'environment', 'a-twin', 20, 'area'],
    ['in the district, outside the hole', at(11.22, 107.22), 'environment', 'holey', 5, 'area'],
  ] as const)('%s', (_name, point, category, agencyId, hours, rule) => {
    expect(routeReport(point, category, categories, prepared)).toEqual({ ok: true, agencyId, deadlineHours: hours, rule });
  });

  it('a point in the hole is not in the area: no agency for environment there', () => {
    expect(routeReport(at(11.3, 107.3), 'environment', categories, prepared)).toEqual({ ok: false, reason: 'no_agency' });
  });

  it('no agency and no default → stays with the centre', () => {
    expect(routeReport(at(10.98, 106.66), 'other', categories, prepared)).toEqual({ ok: false, reason: 'no_agency' });
  });

  it('an unknown category is not routed', () => {
    expect(routeReport(at(10.98, 106.66), 'weather', categories, prepared)).toEqual({ ok: false, reason: 'unknown_category' });
  });

  it('falls back to the category default when no area covers the point', () => {
    const onlyWard = prepareAgencies([agencies[2]!, { id: 'so-gtvt', area: null, categories: {} }]);
    expect(routeReport(at(10.5, 106.0), 'traffic', categories, onlyWard)).toEqual({ ok: true, agencyId: 'so-gtvt', deadlineHours: 48, rule: 'category_default' });
  });

  it('the answer does not depend on the order agencies are listed in', () => {
    const reversed = prepareAgencies([...agencies].reverse());
    for (const p of [at(11.05, 107.05), at(10.98, 106.66), at(10.92, 106.62)]) {
      expect(routeReport(p, 'environment', categories, reversed)).toEqual(routeReport(p, 'environment', categories, prepared));
      expect(routeReport(p, 'traffic', categories, reversed)).toEqual(routeReport(p, 'traffic', categories, prepared));
    }
  });

  it('works on a MultiPolygon', () => {
    const multi = prepareAgencies([
      { id: 'islands', area: { type: 'MultiPolygon', coordinates: [square(1, 1, 2, 2).coordinates, square(5, 5, 6, 6).coordinates] }, categories: { other: 1 } },
    ]);
    expect(routeReport(at(5.5, 5.5), 'other', categories, multi)).toMatchObject({ ok: true, agencyId: 'islands' });
    expect(routeReport(at(3.5, 3.5), 'other', categories, multi)).toEqual({ ok: false, reason: 'no_agency' });
  });
});

describe('deadlineHoursFor (hand-forwarding)', () => {
  it.each([
    ['the agency’s own deadline', agencies[1], categories[0], 24],
    ['the category’s when the agency has none', agencies[0], categories[0], 48],
    ['the category’s when the agency does not handle it', agencies[2], categories[1], 72],
    ['the fallback without a category', agencies[2], undefined, 96],
  ] as const)('%s', (_n, agency, category, hours) => {
    expect(deadlineHoursFor(agency, category, 96)).toBe(hours);
  });
});

describe('areaProblem', () => {
  it.each([
    ['a good square', square(1, 1, 2, 2), null],
    ['a ring of three positions', { type: 'Polygon', coordinates: [[[1, 1], [2, 1], [2, 2]]] }, 'a ring needs at least 4 positions'],
    ['a ring that does not close', { type: 'Polygon', coordinates: [[[1, 1], [2, 1], [2, 2], [1, 2], [1, 1.5]]] }, 'a ring must end where it starts'],
    ['lat/lng swapped out of range', { type: 'Polygon', coordinates: [[[1, 100], [2, 1], [2, 2], [1, 100]]] }, 'position [1,100] is not [lng, lat] in range'],
  ] as const)('%s', (_n, area, problem) => {
    expect(areaProblem(area as Polygon)).toBe(problem);
  });
});
