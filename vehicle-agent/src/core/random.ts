import type { LatLng } from '@lifeline/protocol';
import { destinationPoint } from './geo.ts';

/** A source of uniform numbers in [0, 1), like Math.random. */
export type Rng = () => number;

/** mulberry32: tiny, fast, good enough for a simulator, and reproducible from a 32-bit seed. */
export function seededRng(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Derives an independent per-vehicle seed from a fleet seed and the vehicle's index. */
export function childSeed(seed: number, index: number): number {
  return (Math.imul(seed >>> 0, 0x9e3779b1) + Math.imul(index + 1, 0x85ebca77)) >>> 0;
}

/**
 * A uniformly distributed point in the disc of `radiusM` metres around `center`
 * (sqrt on the radius, or the points would bunch in the middle).
 */
export function randomPointInRadius(center: LatLng, radiusM: number, rng: Rng): LatLng {
  const r = radiusM * Math.sqrt(rng());
  return destinationPoint(center, rng() * 360, r);
}

/** Uniform number in [min, max). */
export const randomBetween = (min: number, max: number, rng: Rng) => min + (max - min) * rng();
