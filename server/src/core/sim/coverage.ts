import type { LatLng } from '@lifeline/protocol';
import type { EtaProvider } from '../eta.ts';

/** A demand point: where calls come from, weighted by how many (any unit: calls per week, share…). */
export interface DemandPoint extends LatLng {
  weight: number;
}

/**
 * Expected coverage after Daskin's MEXCLP (1983): each unit is busy with probability q,
 * independently, so a demand point within the target of k idle units is covered with
 * probability 1 − q^k. Expected coverage = Σ_i d_i (1 − q^{k_i}).
 *
 * Units count at their base station (where they wait, or are heading to wait). The cover sets
 * come from the ETA provider once, station by station, so coverage uses the same travel times as
 * dispatch.
 */
export class CoverageModel {
  /** Point indices each station reaches within the target. */
  readonly covers: Int32Array[];
  readonly weights: Float64Array;
  /** Travel time station → point, seconds (row-major, stations × points). */
  readonly etaSec: Float64Array;

  private constructor(
    readonly points: readonly DemandPoint[],
    readonly stations: readonly LatLng[],
    readonly targetSec: number,
    readonly q: number,
    etaSec: Float64Array,
  ) {
    if (!(q >= 0 && q < 1)) throw new Error('busy fraction q must be in [0, 1)');
    this.etaSec = etaSec;
    this.weights = Float64Array.from(points, (p) => p.weight);
    const m = points.length;
    this.covers = stations.map((_, s) => {
      const list: number[] = [];
      for (let i = 0; i < m; i++) if (etaSec[s * m + i]! <= targetSec) list.push(i);
      return Int32Array.from(list);
    });
  }

  /**
   * Builds the cover sets. Asks the provider point by point (units → scene, the direction
   * dispatch asks), all stations at once.
   */
  static async build(eta: EtaProvider, stations: readonly LatLng[], points: readonly DemandPoint[], targetSec: number, q: number): Promise<CoverageModel> {
    const m = points.length;
    const t = new Float64Array(stations.length * m);
    for (let i = 0; i < m; i++) {
      const r = await eta.manyToOne(stations, points[i]!);
      for (let s = 0; s < stations.length; s++) t[s * m + i] = r[s]!.etaSec;
    }
    return new CoverageModel(points, stations, targetSec, q, t);
  }

  /** The same cover sets with another busy fraction. */
  withBusyFraction(q: number): CoverageModel {
    return new CoverageModel(this.points, this.stations, this.targetSec, q, this.etaSec);
  }

  /** k_i: how many of the given units (by base station) cover each point. */
  counts(baseStations: Iterable<number>): Int32Array {
    const k = new Int32Array(this.points.length);
    for (const s of baseStations) for (const i of this.covers[s]!) k[i]!++;
    return k;
  }

  expected(k: Int32Array): number {
    let sum = 0;
    for (let i = 0; i < k.length; i++) sum += this.weights[i]! * (1 - this.q ** k[i]!);
    return sum;
  }

  /** Coverage lost if one unit at `station` leaves (k counts it): Σ_{i∈cover} d_i (1−q) q^{k_i−1}. */
  lossIfRemoved(station: number, k: Int32Array): number {
    let sum = 0;
    for (const i of this.covers[station]!) sum += this.weights[i]! * (1 - this.q) * this.q ** (k[i]! - 1);
    return sum;
  }

  /** Coverage gained if one more unit waits at `station` (k does not count it): Σ d_i (1−q) q^{k_i}. */
  gainIfAdded(station: number, k: Int32Array): number {
    let sum = 0;
    for (const i of this.covers[station]!) sum += this.weights[i]! * (1 - this.q) * this.q ** k[i]!;
    return sum;
  }

  /** Demand-weighted mean travel time from the nearest station, seconds (a planning estimate). */
  meanNearestEtaSec(): number {
    const m = this.points.length;
    let num = 0;
    let den = 0;
    for (let i = 0; i < m; i++) {
      let best = Infinity;
      for (let s = 0; s < this.stations.length; s++) best = Math.min(best, this.etaSec[s * m + i]!);
      if (!Number.isFinite(best)) continue;
      num += this.weights[i]! * best;
      den += this.weights[i]!;
    }
    return den > 0 ? num / den : 0;
  }
}
