import type { LatLng } from '@lifeline/protocol';
import { kmhToMps, stepTowards } from '../core/geo.ts';
import { randomPointInRadius, seededRng } from '../core/random.ts';
import { FixChannel } from './fixChannel.ts';
import type { GpsFix, GpsSource } from './types.ts';

export interface SimulatedSourceOptions {
  start: LatLng;
  /** Driving speed, km/h. Default 40. */
  speedKmh?: number;
  /** Real ms between fixes (a receiver gives one a second). Default 1000. */
  intervalMs?: number;
  /** Without a target the vehicle drives between random points this close to `start`, metres. Default 2000. */
  wanderRadiusM?: number;
  /** Where to drive now (the scene, the hospital), or null to wander. Asked at every fix. */
  target?: () => LatLng | null;
  seed?: number;
  /** Device clock for the fixes' time, epoch ms. Default Date.now. */
  now?: () => number;
}

/**
 * A GPS receiver stand-in for bench and demo runs of the real agent (`cli agent --simulate`): a fix
 * every `intervalMs`, moving at `speedKmh` towards the target or a random waypoint, stopping at the
 * target (speed 0). Fixes look like a good 3D fix (HDOP 0.9, 10 satellites).
 */
export function simulatedSource(o: SimulatedSourceOptions): GpsSource {
  const rng = seededRng(o.seed ?? Math.floor(Math.random() * 2 ** 32));
  const now = o.now ?? Date.now;
  const intervalMs = o.intervalMs ?? 1000;
  const speedMps = kmhToMps(o.speedKmh ?? 40);
  const wander = o.wanderRadiusM ?? 2000;
  let position = { ...o.start };
  let headingDeg = 0;
  let waypoint = randomPointInRadius(o.start, wander, rng);
  const channel = new FixChannel<GpsFix>(100, () => clearInterval(timer));
  const tick = () => {
    const target = o.target?.() ?? null;
    const step = stepTowards(position, target ?? waypoint, speedMps, intervalMs / 1000, headingDeg);
    position = step.position;
    headingDeg = step.headingDeg;
    if (!target && step.arrived) waypoint = randomPointInRadius(o.start, wander, rng);
    channel.push({
      recordedAtMs: now(),
      lat: position.lat,
      lng: position.lng,
      speedMps: step.movedM / (intervalMs / 1000),
      headingDeg,
      altitudeM: null,
      fixMode: '3d',
      fixQuality: 1,
      satellites: 10,
      hdop: 0.9,
    });
  };
  const timer = setInterval(tick, intervalMs);
  return {
    [Symbol.asyncIterator]: () => channel[Symbol.asyncIterator](),
    stop: async () => {
      clearInterval(timer);
      channel.end();
    },
  };
}
