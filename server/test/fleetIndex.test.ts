import { cellToBoundary, cellToLatLng, latLngToCell } from 'h3-js';
import { describe, expect, it } from 'vitest';
import { FleetIndex, insertBounded, type Candidate } from '../src/core/fleetIndex.ts';
import { haversineM } from '../src/core/geo.ts';

const T = 1_700_000_000_000;
const SCENE = { lat: 10.98, lng: 106.65 };

function indexWith(units: [string, number, number][], res = 8): FleetIndex {
  const idx = new FleetIndex(res);
  for (const [id, lat, lng] of units) {
    idx.ensure(id, 'available', true);
    idx.move(id, { lat, lng, recordedAtMs: T });
  }
  return idx;
}

/** Deterministic pseudo-random numbers (mulberry32). */
function rng(seed: number) {
  return () => {
    seed |= 0;
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('FleetIndex', () => {
  it('finds added units and follows moves', () => {
    const idx = indexWith([['A', 10.98, 106.66]]);
    expect(idx.nearestAvailable(SCENE, { limit: 5, maxRadiusM: 50_000 }).map((c) => c.id)).toEqual(['A']);
    idx.move('A', { lat: 11.5, lng: 107.2, recordedAtMs: T + 1000 });
    expect(idx.nearestAvailable(SCENE, { limit: 5, maxRadiusM: 50_000 })).toEqual([]);
    expect(idx.nearestAvailable({ lat: 11.5, lng: 107.2 }, { limit: 5, maxRadiusM: 1000 }).map((c) => c.id)).toEqual(['A']);
  });

  it('keeps a unit searchable when it moves within its cell, and after status changes there', () => {
    const idx = indexWith([['A', 10.98, 106.65]]);
    const cell = idx.get('A')!.cell;
    idx.move('A', { lat: 10.98001, lng: 106.65001, recordedAtMs: T + 1000 });
    expect(idx.get('A')!.cell).toBe(cell);
    expect(idx.nearestAvailable(SCENE, { limit: 1, maxRadiusM: 1000 })[0]).toMatchObject({ id: 'A' });
    idx.setStatus('A', 'dispatched');
    idx.move('A', { lat: 10.98002, lng: 106.65002, recordedAtMs: T + 2000 });
    expect(idx.nearestAvailable(SCENE, { limit: 1, maxRadiusM: 1000 })).toEqual([]);
    idx.setStatus('A', 'available');
    expect(idx.nearestAvailable(SCENE, { limit: 1, maxRadiusM: 1000 }).map((c) => c.id)).toEqual(['A']);
  });

  it('forgets removed units', () => {
    const idx = indexWith([['A', 10.98, 106.66], ['B', 10.99, 106.66]]);
    idx.remove('A');
    expect(idx.get('A')).toBeUndefined();
    expect(idx.nearestAvailable(SCENE, { limit: 5, maxRadiusM: 50_000 }).map((c) => c.id)).toEqual(['B']);
  });

  it.each([
    ['dispatched', false],
    ['en_route', false],
    ['on_scene', false],
    ['transporting', false],
    ['at_hospital', false],
    ['out_of_service', false],
    ['available', true],
  ] as const)('with status %s the unit is searchable: %s', (status, searchable) => {
    const idx = indexWith([['A', 10.981, 106.65]]);
    idx.setStatus('A', status);
    expect(idx.nearestAvailable(SCENE, { limit: 1, maxRadiusM: 10_000 }).length).toBe(searchable ? 1 : 0);
  });

  it('skips offline units until they are back online', () => {
    const idx = indexWith([['A', 10.981, 106.65]]);
    idx.setOnline('A', false);
    expect(idx.nearestAvailable(SCENE, { limit: 1, maxRadiusM: 10_000 })).toEqual([]);
    idx.setOnline('A', true);
    expect(idx.nearestAvailable(SCENE, { limit: 1, maxRadiusM: 10_000 }).map((c) => c.id)).toEqual(['A']);
  });

  it('never lets an older fix replace the live one', () => {
    const idx = indexWith([['A', 10.98, 106.66]]);
    expect(idx.move('A', { lat: 12, lng: 108, recordedAtMs: T - 1 })).toBe(false);
    expect(idx.move('A', { lat: 12, lng: 108, recordedAtMs: T })).toBe(false);
    expect(idx.get('A')!.position).toMatchObject({ lat: 10.98, lng: 106.66 });
    expect(idx.move('A', { lat: 12, lng: 108, recordedAtMs: T + 1 })).toBe(true);
  });

  it('takes latitude first: a unit at (lat 10.98, lng 106.65) is not at (lat 106.65…)', () => {
    const idx = indexWith([['A', 10.98, 106.65]]);
    expect(idx.get('A')!.cell).toBe(latLngToCell(10.98, 106.65, 8));
    // Swapped coordinates would put the unit in a cell around lat -73 (106.65 is not a latitude).
    expect(idx.nearestAvailable({ lat: 10.98, lng: 106.65 }, { limit: 1, maxRadiusM: 10 }).map((c) => c.id)).toEqual(['A']);
  });

  it('finds the true nearest unit sitting just across a cell boundary', () => {
    // Put the incident just inside its cell, near a vertex; the nearest unit just outside, in a
    // neighbouring cell; a decoy deep inside the incident's own cell but farther away.
    const cell = latLngToCell(SCENE.lat, SCENE.lng, 8);
    const [cLat, cLng] = cellToLatLng(cell);
    const [vLat, vLng] = cellToBoundary(cell)[0]!;
    const at = { lat: vLat + (cLat - vLat) * 0.02, lng: vLng + (cLng - vLng) * 0.02 };
    const across = { lat: vLat - (cLat - vLat) * 0.02, lng: vLng - (cLng - vLng) * 0.02 };
    expect(latLngToCell(at.lat, at.lng, 8)).toBe(cell);
    expect(latLngToCell(across.lat, across.lng, 8)).not.toBe(cell);
    const idx = indexWith([
      ['decoy', cLat, cLng],
      ['across', across.lat, across.lng],
    ]);
    expect(idx.nearestAvailable(at, { limit: 1, maxRadiusM: 10_000 })[0]!.id).toBe('across');
  });

  it.each([7, 8, 9])('agrees with a brute-force scan on random fleets and queries (resolution %i)', (res) => {
    const r = rng(42 + res);
    const units: [string, number, number][] = Array.from({ length: 2000 }, (_, i) => [`U${i}`, 10.7 + r() * 0.6, 106.4 + r() * 0.6]);
    const idx = indexWith(units, res);
    for (let q = 0; q < 300; q++) {
      const at = { lat: 10.6 + r() * 0.8, lng: 106.3 + r() * 0.8 };
      const k = 1 + Math.floor(r() * 10);
      const brute = units
        .map(([id, lat, lng]) => ({ id, distanceM: haversineM(at, { lat, lng }) }))
        .filter((c) => c.distanceM <= 30_000)
        .sort((a, b) => a.distanceM - b.distanceM)
        .slice(0, k);
      const got = idx.nearestAvailable(at, { limit: k, maxRadiusM: 30_000 });
      expect(got.map((c) => c.distanceM)).toEqual(brute.map((c) => c.distanceM));
    }
  });

  it.each([7, 8])('agrees with a brute-force scan when the accept filter rejects units (resolution %i)', (res) => {
    const r = rng(7 + res);
    const units: [string, number, number][] = Array.from({ length: 2000 }, (_, i) => [`U${i}`, 10.7 + r() * 0.6, 106.4 + r() * 0.6]);
    const idx = indexWith(units, res);
    // Every third unit is refused (e.g. a stale fix), wherever it is.
    const accepted = (id: string) => Number(id.slice(1)) % 3 !== 0;
    for (let q = 0; q < 200; q++) {
      const at = { lat: 10.6 + r() * 0.8, lng: 106.3 + r() * 0.8 };
      const k = 1 + Math.floor(r() * 15);
      const brute = units
        .filter(([id]) => accepted(id))
        .map(([id, lat, lng]) => ({ id, distanceM: haversineM(at, { lat, lng }) }))
        .filter((c) => c.distanceM <= 30_000)
        .sort((a, b) => a.distanceM - b.distanceM)
        .slice(0, k);
      const got = idx.nearestAvailable(at, { limit: k, maxRadiusM: 30_000, accept: (e) => accepted(e.id) });
      expect(got.map((c) => c.id)).toEqual(brute.map((c) => c.id));
    }
  });

  it.each([
    ['the antimeridian', -5, 179.5, 2, 3],
    ['high latitudes', 69.5, 18.9, 2, 3],
    ['a pole', 89.2, 0, 1.6, 360],
    ['the equator', -0.5, 10, 1, 1],
  ])('agrees with a brute-force scan around %s', (_where, lat0, lng0, dLat, dLng) => {
    const r = rng(Math.round(lat0 * 1000 + lng0));
    const wrap = (lng: number) => ((((lng + 180) % 360) + 360) % 360) - 180;
    const clampLat = (lat: number) => Math.max(-90, Math.min(90, lat));
    const units: [string, number, number][] = Array.from({ length: 1500 }, (_, i) => [
      `U${i}`,
      clampLat(lat0 + (r() - 0.5) * dLat),
      wrap(lng0 + (r() - 0.5) * dLng),
    ]);
    for (const res of [7, 8]) {
      const idx = indexWith(units, res);
      for (let q = 0; q < 150; q++) {
        const at = { lat: clampLat(lat0 + (r() - 0.5) * dLat), lng: wrap(lng0 + (r() - 0.5) * dLng) };
        const k = 1 + Math.floor(r() * 15);
        const radius = r() < 0.2 ? 500_000 : 40_000;
        const brute = units
          .map(([id, lat, lng]) => ({ id, distanceM: haversineM(at, { lat, lng }) }))
          .filter((c) => c.distanceM <= radius)
          .sort((a, b) => a.distanceM - b.distanceM)
          .slice(0, k);
        expect(idx.nearestAvailable(at, { limit: k, maxRadiusM: radius }).map((c) => c.distanceM)).toEqual(brute.map((c) => c.distanceM));
      }
    }
  });

  it('finds a lone unit far away, and a unit that moved while busy once it is available again', () => {
    const idx = indexWith([['far', 12.5, 108.9]]);
    expect(idx.nearestAvailable(SCENE, { limit: 3, maxRadiusM: 1_000_000 }).map((c) => c.id)).toEqual(['far']);
    idx.setStatus('far', 'dispatched');
    idx.move('far', { lat: 10.981, lng: 106.651, recordedAtMs: T + 1 });
    expect(idx.nearestAvailable(SCENE, { limit: 3, maxRadiusM: 1_000_000 })).toEqual([]);
    idx.setStatus('far', 'available');
    expect(idx.nearestAvailable(SCENE, { limit: 3, maxRadiusM: 1_000 }).map((c) => c.id)).toEqual(['far']);
    expect(idx.get('far')!.cell).toBe(latLngToCell(10.981, 106.651, 8));
  });

  it('respects the radius cap and the accept filter', () => {
    const idx = indexWith([
      ['near', SCENE.lat + 0.001, SCENE.lng],
      ['far', SCENE.lat + 0.5, SCENE.lng],
    ]);
    expect(idx.nearestAvailable(SCENE, { limit: 5, maxRadiusM: 10_000 }).map((c) => c.id)).toEqual(['near']);
    expect(idx.nearestAvailable(SCENE, { limit: 5, maxRadiusM: 100_000, accept: (e) => e.id !== 'near' }).map((c) => c.id)).toEqual(['far']);
  });
});

describe('insertBounded', () => {
  it.each([1, 3, 15])('keeps the same first %i as sorting every candidate (ties keep arrival order)', (limit) => {
    const r = rng(limit);
    for (let run = 0; run < 50; run++) {
      // Rounded distances, so ties are common.
      const all: Candidate[] = Array.from({ length: Math.floor(r() * 40) }, (_, i) => ({ id: `u${i}`, distanceM: Math.round(r() * 20) }));
      const list: Candidate[] = [];
      for (const c of all) insertBounded(list, c, limit);
      const expected = [...all].sort((a, b) => a.distanceM - b.distanceM).slice(0, limit);
      expect(list).toEqual(expected);
    }
  });
});
