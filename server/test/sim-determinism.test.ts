import { describe, expect, it } from 'vitest';
import { gridCity, GRID_CITY_SERVICE } from '../src/core/sim/gridCity.ts';
import { PRESETS } from '../src/core/sim/policies.ts';
import { substream } from '../src/core/sim/random.ts';
import { comparePoliciesOn } from '../src/core/sim/run.ts';
import { syntheticCalls } from '../src/core/sim/synthetic.ts';

describe('simulation determinism', () => {
  const city = gridCity();
  const run = (seed: number) =>
    comparePoliciesOn({
      scenarioFor: (s) => ({
        stations: city.stations,
        units: city.units,
        hospitals: city.hospitals,
        ...GRID_CITY_SERVICE,
        calls: syntheticCalls({ durationSec: 24 * 3600, callsPerHour: 12, demand: city.demand, jitterM: 450, zoneOf: (p) => city.zoneOfPoint[p] }, substream(s, 7)),
      }),
      eta: city.eta,
      policies: Object.values(PRESETS),
      seeds: [seed, seed + 1],
      demand: city.demand,
    }).then((r) => JSON.stringify(r));

  it('same seed → byte-identical results JSON, for every preset policy', async () => {
    const [a, b] = [await run(42), await run(42)];
    expect(a.length).toBeGreaterThan(1000);
    expect(b).toBe(a);
  });

  it('another seed → other results', async () => {
    expect(await run(43)).not.toBe(await run(42));
  });
});
