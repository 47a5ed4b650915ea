import { describe, expect, it } from 'vitest';
import type { LatLng } from '@lifeline/protocol';
import { DEFAULT_STRAIGHT_LINE_ETA, straightLineEta, StraightLineEtaProvider, type EtaProvider } from '../src/core/eta.ts';
import { FleetIndex } from '../src/core/fleetIndex.ts';
import { haversineM } from '../src/core/geo.ts';
import { recommendUnits } from '../src/core/recommender.ts';

const SCENE = { lat: 10.98, lng: 106.65 };

function fleet(units: [string, number, number][]): FleetIndex {
  const idx = new FleetIndex();
  for (const [id, lat, lng] of units) {
    idx.ensure(id, 'available', true);
    idx.move(id, { lat, lng, recordedAtMs: 1 });
  }
  return idx;
}

describe('haversineM', () => {
  it.each([
    // Hand-checked: 1° of latitude is ~111.195 km on the mean-radius sphere.
    [{ lat: 0, lng: 0 }, { lat: 1, lng: 0 }, 111_195],
    [{ lat: 10.98, lng: 106.65 }, { lat: 10.98, lng: 106.65 }, 0],
    // Thủ Dầu Một → Hồ Chí Minh City centre (10.7769, 106.7009): ~23.2 km.
    [{ lat: 10.98, lng: 106.65 }, { lat: 10.7769, lng: 106.7009 }, 23_240],
  ])('%o → %o ≈ %d m', (a, b, m) => {
    expect(haversineM(a, b)).toBeCloseTo(m, -2);
  });
});

describe('straight-line ETA', () => {
  it('is great-circle × circuity ÷ speed', () => {
    const r = straightLineEta({ lat: 0, lng: 0 }, { lat: 0.01, lng: 0 });
    const d = haversineM({ lat: 0, lng: 0 }, { lat: 0.01, lng: 0 }) * DEFAULT_STRAIGHT_LINE_ETA.circuity;
    expect(r.distanceM).toBeCloseTo(d, 6);
    expect(r.etaSec).toBeCloseTo(d / (DEFAULT_STRAIGHT_LINE_ETA.speedKmh / 3.6), 6);
    expect(r.source).toBe('straight_line');
  });
});

describe('recommendUnits', () => {
  it('ranks available units by ETA, best first, and shows at most `show`', async () => {
    const idx = fleet([
      ['C', SCENE.lat + 0.03, SCENE.lng],
      ['A', SCENE.lat + 0.01, SCENE.lng],
      ['B', SCENE.lat + 0.02, SCENE.lng],
      ['D', SCENE.lat + 0.04, SCENE.lng],
    ]);
    const recs = await recommendUnits(idx, new StraightLineEtaProvider(), SCENE, (id) => `115-${id}`, { show: 3, gather: 10, maxRadiusM: 50_000 });
    expect(recs.map((r) => r.vehicleId)).toEqual(['A', 'B', 'C']);
    expect(recs[0]!.callSign).toBe('115-A');
    expect(recs[0]!.straightLineM).toBeCloseTo(1112, -1);
  });

  it('re-ranks gathered candidates by the provider ETA, not by straight line', async () => {
    // A is nearer in a straight line but across a river: the provider says it is slow.
    const idx = fleet([
      ['A', SCENE.lat + 0.005, SCENE.lng],
      ['B', SCENE.lat + 0.015, SCENE.lng],
    ]);
    const river: EtaProvider = {
      async manyToOne(from: readonly LatLng[], to: LatLng) {
        return from.map((f) => {
          const d = haversineM(f, to);
          return { distanceM: d, etaSec: f.lat < SCENE.lat + 0.01 ? 900 : d / 10, source: 'road' as const };
        });
      },
    };
    const recs = await recommendUnits(idx, river, SCENE, (id) => id, { show: 2, gather: 5, maxRadiusM: 50_000 });
    expect(recs.map((r) => r.vehicleId)).toEqual(['B', 'A']);
    expect(recs[0]!.etaSource).toBe('road');
  });

  it('breaks ETA ties by straight-line distance, then id', async () => {
    const idx = fleet([
      ['Z', SCENE.lat + 0.01, SCENE.lng],
      ['Y', SCENE.lat - 0.01, SCENE.lng],
    ]);
    const flat: EtaProvider = { async manyToOne(from) { return from.map(() => ({ etaSec: 60, distanceM: 1000, source: 'road' as const })); } };
    const recs = await recommendUnits(idx, flat, SCENE, (id) => id, { show: 2, gather: 5, maxRadiusM: 50_000 });
    expect(recs.map((r) => r.vehicleId)).toEqual(['Y', 'Z'].sort((a, b) => {
      const da = Math.round(haversineM(SCENE, idx.get(a)!.position!));
      const db = Math.round(haversineM(SCENE, idx.get(b)!.position!));
      return da - db || a.localeCompare(b);
    }));
  });

  it('returns nothing when no unit is available', async () => {
    expect(await recommendUnits(new FleetIndex(), new StraightLineEtaProvider(), SCENE, (id) => id)).toEqual([]);
  });
});
