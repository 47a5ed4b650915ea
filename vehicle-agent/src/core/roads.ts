import type { LatLng } from '@lifeline/protocol';
import { ARRIVAL_TOLERANCE_M, distanceM, normalizeDeg, stepTowards } from './geo.ts';

/**
 * A road network the simulator can drive on (the server's road graph, see server/src/cli/simulate.ts).
 * Both functions must be pure and deterministic: the simulation calls them from its pure core.
 */
export interface RoadNetwork {
  /** The nearest point on a drivable road, or null when no road is near enough. */
  snap(p: LatLng): LatLng | null;
  /**
   * The fastest driving line from (near) `from` to (near) `to`: it starts at the road point
   * snapped from `from` and ends at the one snapped from `to`. Null when either end is off the
   * network or there is no route.
   */
  route(from: LatLng, to: LatLng): readonly LatLng[] | null;
}

export type RouteFn = RoadNetwork['route'];

/** A planned drive: the points still to pass, in driving order; the last one is `to`. */
export interface Path {
  to: LatLng;
  points: readonly LatLng[];
}

/**
 * The way from `from` to `to`: along the road line when `route` gives one (from the position
 * straight onto its first point, along it, then straight off the road to `to` when `to` lies
 * beside it), else the straight line.
 */
export function planPath(from: LatLng, to: LatLng, route?: RouteFn | null): Path {
  const line = route?.(from, to);
  if (!line || line.length === 0) return { to, points: [to] };
  const points = [...line];
  // End exactly on the target (a line's end may be rounded a few millimetres off it).
  if (distanceM(points[points.length - 1]!, to) <= ARRIVAL_TOLERANCE_M) points.pop();
  points.push(to);
  return { to, points };
}

export interface PathStep {
  position: LatLng;
  /** Direction of the last piece driven in this step, degrees from north in [0, 360). */
  headingDeg: number;
  /** Metres covered along the path (≤ speedMps × dtSec, + ARRIVAL_TOLERANCE_M when landing on a point). */
  movedM: number;
  /** Points still to pass; empty once arrived. */
  remaining: LatLng[];
  arrived: boolean;
}

/**
 * Drives along `points` point by point for at most `speedMps` × `dtSec` metres, so the speed
 * holds round corners as on a straight. Lands exactly on the last point when it is within reach.
 * Heading is that of the piece being driven; a vehicle that does not move keeps `prevHeadingDeg`.
 */
export function followPath(from: LatLng, points: readonly LatLng[], speedMps: number, dtSec: number, prevHeadingDeg = 0): PathStep {
  let budgetM = Math.max(0, speedMps) * Math.max(0, dtSec);
  let position = from;
  let headingDeg = normalizeDeg(prevHeadingDeg);
  let movedM = 0;
  let i = 0;
  while (i < points.length) {
    // A point (all but) where we stand is passed without turning: road lines repeat a point at
    // their joins, and the bearing of a millimetre is noise.
    const gapM = distanceM(position, points[i]!);
    if (gapM <= ARRIVAL_TOLERANCE_M) {
      position = points[i]!;
      movedM += gapM;
      budgetM -= gapM;
      i++;
      continue;
    }
    // Out of distance (on a corner too): keep the heading of the piece just driven.
    if (budgetM <= ARRIVAL_TOLERANCE_M) break;
    const step = stepTowards(position, points[i]!, budgetM, 1, headingDeg);
    position = step.position;
    headingDeg = step.headingDeg;
    movedM += step.movedM;
    if (!step.arrived) break;
    budgetM -= step.movedM;
    i++;
  }
  return { position, headingDeg, movedM, remaining: points.slice(i), arrived: i === points.length };
}
