import { describe, expect, it } from 'vitest';
import type { Hospital } from '@lifeline/protocol';
import { chooseHospitalWithin, hospitalsInRange } from '../src/core/hospitals.ts';
import { loadConfig } from '../src/config.ts';

const h = (id: string, lat: number, lng: number): Hospital => ({ id, name: id, location: { lat, lng }, capabilities: ['emergency'], diversion: false, edCapacity: null }) as Hospital;

describe('destination limits', () => {
  const scene = { lat: 21.02, lng: 105.83 }; // Đống Đa, Hà Nội
  const near = h('hn', 21.03, 105.84);
  const far = h('bd', 10.98, 106.65); // Bình Dương, ~1,100 km

  it('keeps only hospitals within the radius and reports the nearest distance', () => {
    expect(hospitalsInRange([near, far], scene, 100_000).inRange).toEqual([near]);
    const none = hospitalsInRange([far], scene, 100_000);
    expect(none.inRange).toEqual([]);
    expect(none.nearestKm).toBeGreaterThan(1000);
  });

  it('refuses an absurd ETA and an unreachable hospital, takes a reasonable one', () => {
    expect(chooseHospitalWithin([near], [600], 10_800)).toMatchObject({ choice: { hospital: near, etaSec: 600 } });
    expect(chooseHospitalWithin([near], [50_000], 10_800)).toEqual({ refused: { reason: 'eta_too_long', hospitalId: 'hn', etaSec: 50_000 } });
    expect(chooseHospitalWithin([near], [Infinity], 10_800)).toEqual({ refused: { reason: 'unreachable' } });
  });

  it('reads HOSPITAL_MAX_DISTANCE_KM and HOSPITAL_MAX_ETA_SEC, defaulting to 100 km and 3 h', () => {
    expect(loadConfig({}).hospitalMaxDistanceKm).toBe(100);
    expect(loadConfig({}).hospitalMaxEtaSec).toBe(10_800);
    expect(loadConfig({ HOSPITAL_MAX_DISTANCE_KM: '30' }).hospitalMaxDistanceKm).toBe(30);
    expect(() => loadConfig({ HOSPITAL_MAX_DISTANCE_KM: '0' })).toThrow(/HOSPITAL_MAX_DISTANCE_KM/);
  });
});
