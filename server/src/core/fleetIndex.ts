import { getHexagonEdgeLengthAvg, latLngToCell, UNITS } from 'h3-js';
import type { LatLng, UnitStatus } from '@lifeline/protocol';
import { EARTH_RADIUS_M, haversineM } from './geo.ts';

/** What the index knows of one unit. */
export interface UnitEntry {
  id: string;
  status: UnitStatus;
  online: boolean;
  /** Last accepted position, or null before the first fix. */
  position: (LatLng & { recordedAtMs: number; speedMps: number | null; headingDeg: number | null }) | null;
  /** H3 cell of the position at the index's resolution (the public cell id), or null before the first fix. */
  readonly cell: string | null;
}

export interface Candidate {
  id: string;
  /** Great-circle distance to the query point, metres. */
  distanceM: number;
}

export interface NearestOptions {
  /** How many candidates to return at most. */
  limit: number;
  /** Stop the ring walk at this great-circle radius, metres. */
  maxRadiusM: number;
  /**
   * Extra filter (capability, freshness…) applied to available units; a pure test, asked only of
   * units near enough to make the list.
   */
  accept?: (entry: UnitEntry) => boolean;
}

const RAD = Math.PI / 180;
/** Degrees to radians, written as geo.ts's haversineM writes it so distances match it to the bit. */
const rad = (deg: number) => (deg * Math.PI) / 180;
/** Metres per degree of latitude (along a meridian, on the mean sphere). */
const M_PER_DEG_LAT = EARTH_RADIUS_M * RAD;
/** Slack against floating-point rounding in the ring bounds, metres. */
const BOUND_SLACK_M = 0.001;

class Entry implements UnitEntry {
  status: UnitStatus;
  online: boolean;
  position: UnitEntry['position'] = null;
  /** Grid key of the position (-1 before the first fix). */
  gridKey = -1;
  /** Index in its bucket while searchable, else -1. */
  bucketPos = -1;
  private h3: string | null = null;
  private h3Of: UnitEntry['position'] = null;

  constructor(
    readonly id: string,
    status: UnitStatus,
    online: boolean,
    private readonly resolution: number,
  ) {
    this.status = status;
    this.online = online;
  }

  get cell(): string | null {
    const p = this.position;
    if (!p) return null;
    // The H3 id is for readers (maps, replay, logs); moves do not pay for it. h3-js takes latitude first.
    if (this.h3Of !== p) {
      this.h3 = latLngToCell(p.lat, p.lng, this.resolution);
      this.h3Of = p;
    }
    return this.h3;
  }
}

/**
 * In-memory index of live units. Units are addressed by their H3 cell (`entry.cell`, the public
 * id), but the search runs on a plain latitude/longitude grid whose squares are about one H3
 * hexagon across at the chosen resolution: finding a unit's square is two multiplications, so
 * the 1 Hz stream of moves costs next to nothing (an H3 lookup per move cost more than the
 * queries), and a move that stays in its square touches no bucket. Only *available, online*
 * units with a position sit in the buckets, so a search never looks at busy units.
 * Pure: no clock, no I/O; callers pass device times in.
 */
export class FleetIndex {
  readonly resolution: number;
  private readonly units = new Map<string, Entry>();
  /** Searchable units by grid key. */
  private readonly buckets = new Map<number, Entry[]>();
  /** Grid square side, degrees. */
  private readonly cellDeg: number;
  private readonly rows: number;
  private readonly cols: number;

  constructor(resolution = 8) {
    this.resolution = resolution;
    // A square about one hexagon across (two edge lengths): ring walks visit few squares.
    this.cellDeg = (2 * getHexagonEdgeLengthAvg(resolution, UNITS.m)) / M_PER_DEG_LAT;
    this.rows = Math.ceil(180 / this.cellDeg) + 1;
    this.cols = Math.ceil(360 / this.cellDeg);
  }

  get size(): number {
    return this.units.size;
  }

  get(id: string): UnitEntry | undefined {
    return this.units.get(id);
  }

  all(): IterableIterator<UnitEntry> {
    return this.units.values();
  }

  /** Adds a unit (or returns the existing one). */
  ensure(id: string, status: UnitStatus = 'available', online = false): UnitEntry {
    return this.entry(id, status, online);
  }

  /**
   * Moves a unit. A fix older than the live one (a back-filled position) never replaces it:
   * returns false and changes nothing.
   */
  move(
    id: string,
    p: LatLng & { recordedAtMs: number; speedMps?: number | null; headingDeg?: number | null },
  ): boolean {
    const entry = this.entry(id);
    if (entry.position && p.recordedAtMs <= entry.position.recordedAtMs) return false;
    entry.position = {
      lat: p.lat,
      lng: p.lng,
      recordedAtMs: p.recordedAtMs,
      speedMps: p.speedMps ?? null,
      headingDeg: p.headingDeg ?? null,
    };
    const key = this.rowOf(p.lat) * this.cols + this.colOf(p.lng);
    // Most moves stay in the same square: then the buckets need no change.
    if (key !== entry.gridKey) {
      this.unbucket(entry);
      entry.gridKey = key;
      this.bucket(entry);
    }
    return true;
  }

  setStatus(id: string, status: UnitStatus): void {
    const entry = this.entry(id);
    this.unbucket(entry);
    entry.status = status;
    this.bucket(entry);
  }

  setOnline(id: string, online: boolean): void {
    const entry = this.entry(id);
    this.unbucket(entry);
    entry.online = online;
    this.bucket(entry);
  }

  remove(id: string): void {
    const entry = this.units.get(id);
    if (!entry) return;
    this.unbucket(entry);
    this.units.delete(id);
  }

  /**
   * Nearest available units to `at` by great-circle distance, best first. Walks square rings
   * outward and keeps walking until no unfound unit could be nearer than the `limit`-th one
   * found, so a unit just across a square's edge is never missed.
   */
  nearestAvailable(at: LatLng, opts: NearestOptions): Candidate[] {
    if (opts.limit <= 0 || this.buckets.size === 0) return [];
    const r0 = this.rowOf(at.lat);
    const c0 = this.colOf(at.lng);
    const found: (Candidate & { s: number })[] = [];
    // Candidates are compared on the haversine term s (distance grows with s) computed exactly as
    // haversineM computes it, so the metres of every candidate kept are bit-identical to
    // haversineM's; the square root and arcsine are paid only by candidates that can make the list.
    const cosAt = Math.cos(rad(at.lat));
    let worstS = Infinity;
    const visit = (bucket: Entry[]) => {
      for (const entry of bucket) {
        const p = entry.position!;
        const dLat = rad(p.lat - at.lat);
        const dLng = rad(p.lng - at.lng);
        const s = Math.sin(dLat / 2) ** 2 + cosAt * Math.cos(rad(p.lat)) * Math.sin(dLng / 2) ** 2;
        // Farther than the limit-th found: it cannot make the list, whatever `accept` says
        // (a filter, so asking it only here changes no result).
        if (s > worstS) continue;
        const distanceM = 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(s)));
        if (distanceM > opts.maxRadiusM) continue;
        if (found.length >= opts.limit && distanceM >= found[opts.limit - 1]!.distanceM) continue;
        if (opts.accept && !opts.accept(entry)) continue;
        insertBounded(found, { id: entry.id, distanceM, s }, opts.limit);
        if (found.length >= opts.limit) worstS = found[opts.limit - 1]!.s;
      }
    };
    for (let k = 0; ; k++) {
      const boundM = this.ringLowerBoundM(k, r0);
      if (boundM > opts.maxRadiusM) break;
      if (found.length >= opts.limit && boundM > found[opts.limit - 1]!.distanceM) break;
      // A wide ring has more squares than there are buckets (a sparse fleet, a large radius):
      // then reading every remaining bucket once is cheaper, and the ring walk ends.
      if (2 * k + 1 > this.cols || 2 * k + 1 > this.rows || 8 * k > this.buckets.size) {
        for (const [key, bucket] of this.buckets) if (this.ringOf(key, r0, c0) >= k) visit(bucket);
        break;
      }
      this.walkRing(r0, c0, k, visit);
    }
    return found.map(({ id, distanceM }) => ({ id, distanceM }));
  }

  private walkRing(r0: number, c0: number, k: number, visit: (b: Entry[]) => void): void {
    const at = (r: number, c: number) => {
      if (r < 0 || r >= this.rows) return;
      const bucket = this.buckets.get(r * this.cols + (((c % this.cols) + this.cols) % this.cols));
      if (bucket) visit(bucket);
    };
    if (k === 0) return at(r0, c0);
    for (let c = c0 - k; c <= c0 + k; c++) {
      at(r0 - k, c);
      at(r0 + k, c);
    }
    for (let r = r0 - k + 1; r <= r0 + k - 1; r++) {
      at(r, c0 - k);
      at(r, c0 + k);
    }
  }

  /** Ring number (Chebyshev distance in squares, longitude wrapping round) of a key from (r0, c0). */
  private ringOf(key: number, r0: number, c0: number): number {
    const r = Math.floor(key / this.cols);
    const dc = Math.abs((key % this.cols) - c0);
    return Math.max(Math.abs(r - r0), Math.min(dc, this.cols - dc));
  }

  /**
   * No point of a square in ring k is nearer than this to any point of square (r0, ·). A ring-k
   * square is k rows or k columns away, so at least k − 1 whole squares lie between: k − 1 rows
   * of latitude are (k − 1)·side metres on any meridian; k − 1 columns of longitude Δλ are at
   * least 2R·asin(cos φmax · sin(Δλ/2)) apart (haversine with hav Δφ ≥ 0 and cos φ ≥ cos φmax),
   * φmax being the latitude farthest from the equator the ring reaches.
   */
  private ringLowerBoundM(k: number, r0: number): number {
    if (k <= 1) return 0;
    const gapDeg = (k - 1) * this.cellDeg;
    const south = (r0 - k) * this.cellDeg - 90;
    const north = (r0 + k + 1) * this.cellDeg - 90;
    const phiMax = Math.min(90, Math.max(Math.abs(south), Math.abs(north)));
    const lngM = 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.cos(phiMax * RAD) * Math.sin((gapDeg * RAD) / 2)));
    return Math.max(0, Math.min(gapDeg * M_PER_DEG_LAT, lngM) - BOUND_SLACK_M);
  }

  private rowOf(lat: number): number {
    return Math.floor((lat + 90) / this.cellDeg);
  }

  private colOf(lng: number): number {
    return Math.floor((lng + 180) / this.cellDeg) % this.cols;
  }

  private entry(id: string, status: UnitStatus = 'available', online = false): Entry {
    let entry = this.units.get(id);
    if (!entry) {
      entry = new Entry(id, status, online, this.resolution);
      this.units.set(id, entry);
    }
    return entry;
  }

  private bucket(e: Entry): void {
    if (e.status !== 'available' || !e.online || e.gridKey < 0) return;
    let bucket = this.buckets.get(e.gridKey);
    if (!bucket) this.buckets.set(e.gridKey, (bucket = []));
    e.bucketPos = bucket.length;
    bucket.push(e);
  }

  private unbucket(e: Entry): void {
    if (e.bucketPos < 0) return;
    const bucket = this.buckets.get(e.gridKey)!;
    const last = bucket.pop()!;
    if (last !== e) {
      bucket[e.bucketPos] = last;
      last.bucketPos = e.bucketPos;
    }
    e.bucketPos = -1;
    if (bucket.length === 0) this.buckets.delete(e.gridKey);
  }
}

/**
 * Inserts `c` into `list` (sorted by distance, at most `limit` long) after any equally near
 * candidate, dropping the farthest beyond `limit`: the same first `limit` as sorting them all.
 */
export function insertBounded<C extends Candidate>(list: C[], c: C, limit: number): void {
  if (list.length >= limit && c.distanceM >= list[limit - 1]!.distanceM) return;
  let i = Math.min(list.length, limit - 1);
  if (list.length >= limit) list.length = limit - 1;
  while (i > 0 && list[i - 1]!.distanceM > c.distanceM) {
    list[i] = list[i - 1]!;
    i--;
  }
  list[i] = c;
}
