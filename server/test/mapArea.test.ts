import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.ts';
import { DEFAULT_MAP_AREA, mapArea } from '../src/core/mapArea.ts';

// The bbox of the road graph built from monaco.osm.pbf (about 11.4 km × 6.1 km), [west, south, east, north].
const MONACO_BBOX = [7.3490024, 43.7150324, 7.4906599, 43.7699912] as const;

describe('MAP_CENTER', () => {
  it.each([
    ['43.7384,7.4246', { lat: 43.7384, lng: 7.4246 }],
    [' -33.87 , 151.21 ', { lat: -33.87, lng: 151.21 }],
    ['', null],
    [undefined, null],
  ])('%j → %j', (raw, center) => {
    expect(loadConfig(raw === undefined ? {} : { MAP_CENTER: raw }).mapCenter).toEqual(center);
  });

  it.each(['43.7', '43.7,7.4,1', '91,0', '0,181', 'a,b', ',7.4'])('rejects %j with what to write', (raw) => {
    expect(() => loadConfig({ MAP_CENTER: raw })).toThrow(ConfigError);
    expect(() => loadConfig({ MAP_CENTER: raw })).toThrow(/MAP_CENTER=.* is not LAT,LNG in degrees \(e\.g\. MAP_CENTER=43\.7384,7\.4246\)/);
  });
});

describe('mapArea', () => {
  it('is Thủ Dầu Một, 8 km round, with neither MAP_CENTER nor a road graph', () => {
    expect(mapArea(null, null)).toEqual(DEFAULT_MAP_AREA);
    expect(DEFAULT_MAP_AREA).toEqual({ center: { lat: 10.98, lng: 106.65 }, radiusKm: 8 });
  });
  it('is MAP_CENTER when set', () => {
    expect(mapArea({ lat: 21.03, lng: 105.85 }, null)).toEqual({ center: { lat: 21.03, lng: 105.85 }, radiusKm: 8 });
  });
  it("is the road graph's middle, with half its shorter side as radius", () => {
    const a = mapArea(null, MONACO_BBOX);
    expect(a.center.lat).toBeCloseTo(43.74251, 5);
    expect(a.center.lng).toBeCloseTo(7.41983, 5);
    expect(a.radiusKm).toBe(3.06); // 6.11 km north–south / 2
  });
  it('MAP_CENTER wins over the graph, keeping the radius that fits the graph', () => {
    expect(mapArea({ lat: 43.73, lng: 7.42 }, MONACO_BBOX)).toEqual({ center: { lat: 43.73, lng: 7.42 }, radiusKm: 3.06 });
  });
  it('keeps the radius between 0.5 and 8 km', () => {
    expect(mapArea(null, [7.42, 43.73, 7.421, 43.731]).radiusKm).toBe(0.5);
    expect(mapArea(null, [100, 5, 110, 20]).radiusKm).toBe(8);
  });
});
