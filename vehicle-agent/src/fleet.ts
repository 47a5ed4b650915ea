import type { LatLng } from '@lifeline/protocol';
import { childSeed, randomPointInRadius, seededRng } from './core/random.ts';
import type { RoadNetwork } from './core/roads.ts';
import { startSimulatedVehicle, type SimulatedVehicle, type VehicleOptions, type VehicleStats } from './mqtt/simulated-vehicle.ts';
import { resolveSimulation, type SimulationOptions } from './options.ts';

export interface FleetOptions extends SimulationOptions {
  /** Number of vehicles, 1…10 000. */
  count: number;
  /** Start points are uniform in the disc of `radiusKm` around `center`. */
  center: LatLng;
  radiusKm: number;
  /** Ids are `{idPrefix}-{001…}`; default 'BD'. */
  idPrefix?: string;
  /** Same seed and options → same ids, start points and idle tracks. Default: random (see `seed` on the result). */
  seed?: number;
  /** Device clock for every vehicle; default Date.now. */
  now?: VehicleOptions['now'];
  /** Per-unit MQTT passwords by unit id; a unit without one connects anonymously. */
  passwords?: Readonly<Record<string, string>>;
}

export interface SimulatedFleet {
  readonly ids: string[];
  readonly vehicles: ReadonlyMap<string, SimulatedVehicle>;
  /** The seed actually used, to reproduce this run. */
  readonly seed: number;
  /** Start point of each vehicle. */
  readonly starts: ReadonlyMap<string, LatLng>;
  stats(): Record<string, VehicleStats>;
  /** Stops every vehicle: nothing more is published, every client disconnects cleanly. */
  stop(): Promise<void>;
}

/** `BD-001`…; the number is zero-padded to at least three digits so ids sort naturally. */
export function fleetIds(idPrefix: string, count: number): string[] {
  const width = Math.max(3, String(count).length);
  return Array.from({ length: count }, (_, i) => `${idPrefix}-${String(i + 1).padStart(width, '0')}`);
}

/** Draws for a start point on a road before keeping one off the network (e.g. in the sea). */
const START_DRAWS = 20;

/**
 * Deterministic start points for a seed: uniform in the disc of `radiusM` around `center`. With
 * `roads`, each is snapped onto the nearest road (a point with no road near is drawn again, up to
 * 20 times), so units start on the network.
 */
export function fleetStarts(center: LatLng, radiusM: number, count: number, seed: number, roads?: RoadNetwork): LatLng[] {
  const rng = seededRng(seed);
  return Array.from({ length: count }, () => {
    const first = randomPointInRadius(center, radiusM, rng);
    if (!roads) return first;
    for (let draw = 1, p = first; ; draw++, p = randomPointInRadius(center, radiusM, rng)) {
      const onRoad = roads.snap(p);
      if (onRoad) return { lat: onRoad.lat, lng: onRoad.lng };
      if (draw >= START_DRAWS) return first;
    }
  });
}

/**
 * Starts `count` simulated ambulances, each with its own MQTT client, in-process. Resolves once
 * every vehicle is connected; if one cannot connect, stops the others and rejects.
 */
export async function startSimulatedFleet(opts: FleetOptions): Promise<SimulatedFleet> {
  const { count, center, radiusKm } = opts;
  if (!Number.isInteger(count) || count < 1 || count > 10_000) throw new RangeError(`count must be an integer in 1…10000, got ${count}`);
  if (!Number.isFinite(radiusKm) || radiusKm < 0) throw new RangeError(`radiusKm must be ≥ 0, got ${radiusKm}`);
  const { intervalMs } = resolveSimulation(opts); // fail fast on bad shared options, before any connection
  const seed = (opts.seed ?? Math.floor(Math.random() * 2 ** 32)) >>> 0;
  const ids = fleetIds(opts.idPrefix ?? 'BD', count);
  const starts = fleetStarts(center, radiusKm * 1000, count, seed, opts.roads);

  const results = await Promise.allSettled(
    ids.map((id, i) =>
      startSimulatedVehicle({
        ...opts,
        id,
        start: starts[i]!,
        seed: childSeed(seed, i),
        password: opts.passwords?.[id],
        // Spread the fleet's publishes over the interval instead of one burst per tick.
        startDelayMs: Math.floor((i * intervalMs) / count),
      }),
    ),
  );
  const started = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) {
    await Promise.all(started.map((v) => v.stop()));
    throw failed.reason;
  }

  const vehicles = new Map(started.map((v) => [v.id, v]));
  let stopping: Promise<void> | undefined;
  return {
    ids,
    vehicles,
    seed,
    starts: new Map(ids.map((id, i) => [id, starts[i]!])),
    stats: () => Object.fromEntries(started.map((v) => [v.id, v.stats()])),
    stop: () => (stopping ??= Promise.all(started.map((v) => v.stop())).then(() => undefined)),
  };
}
