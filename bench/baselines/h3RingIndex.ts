import { getHexagonEdgeLengthAvg, gridDisk, gridRingUnsafe, latLngToCell, UNITS } from 'h3-js';
import type { LatLng, UnitStatus } from '@lifeline/protocol';
import { haversineM } from '../../server/src/core/geo.ts';

// Baseline for bench/scenarios/nearest.ts: the server's FleetIndex as it was before issue #17
// (H3 cells as buckets, a latLngToCell per move, gridRingUnsafe ring walks), kept verbatim so
// the new index is measured against it in the same run.

/** What the index knows of one unit. */
export interface UnitEntry {
  id: string;
  status: UnitStatus;
  online: boolean;
  /** Last accepted position, or null before the first fix. */
  position: (LatLng & { recordedAtMs: number; speedMps: number | null; headingDeg: number | null }) | null;
  cell: string | null;
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

/**
 * In-memory index of live units over H3 cells. Only *available, online* units with a position
 * are kept in the cell buckets, so a nearest-available search never looks at busy units.
 * Pure: no clock, no I/O; callers pass device times in.
 */
export class H3RingIndex {
  readonly resolution: number;
  private readonly units = new Map<string, UnitEntry>();
  /** Searchable units by cell; the entries themselves, so a search needs no lookup by id. */
  private readonly buckets = new Map<string, Set<UnitEntry>>();
  /** Smallest hexagon circumradius (= edge length) assumed at this resolution, metres. */
  private readonly minEdgeM: number;

  constructor(resolution = 8) {
    this.resolution = resolution;
    // H3 cells at one resolution vary in size over the globe (roughly ±30 % around the
    // average); 0.6 × average is a safe lower bound everywhere.
    this.minEdgeM = 0.6 * getHexagonEdgeLengthAvg(resolution, UNITS.m);
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
    let entry = this.units.get(id);
    if (!entry) {
      entry = { id, status, online, position: null, cell: null };
      this.units.set(id, entry);
    }
    return entry;
  }

  /**
   * Moves a unit. A fix older than the live one (a back-filled position) never replaces it:
   * returns false and changes nothing.
   */
  move(
    id: string,
    p: LatLng & { recordedAtMs: number; speedMps?: number | null; headingDeg?: number | null },
  ): boolean {
    const entry = this.ensure(id);
    if (entry.position && p.recordedAtMs <= entry.position.recordedAtMs) return false;
    // h3-js takes latitude first.
    const cell = latLngToCell(p.lat, p.lng, this.resolution);
    // Most moves stay in the same cell: then the buckets need no change.
    const sameCell = cell === entry.cell;
    if (!sameCell) this.unbucket(entry);
    entry.position = {
      lat: p.lat,
      lng: p.lng,
      recordedAtMs: p.recordedAtMs,
      speedMps: p.speedMps ?? null,
      headingDeg: p.headingDeg ?? null,
    };
    if (!sameCell) {
      entry.cell = cell;
      this.bucket(entry);
    }
    return true;
  }

  setStatus(id: string, status: UnitStatus): void {
    const entry = this.ensure(id);
    this.unbucket(entry);
    entry.status = status;
    this.bucket(entry);
  }

  setOnline(id: string, online: boolean): void {
    const entry = this.ensure(id);
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
   * Nearest available units to `at` by great-circle distance, best first. Walks H3 rings outward
   * and keeps walking until no unfound unit could be nearer than the `limit`-th one found, so a
   * unit just across a cell boundary is never missed.
   */
  nearestAvailable(at: LatLng, opts: NearestOptions): Candidate[] {
    if (opts.limit <= 0 || this.buckets.size === 0) return [];
    const origin = latLngToCell(at.lat, at.lng, this.resolution);
    const found: Candidate[] = [];
    for (let k = 0; this.ringLowerBoundM(k) <= opts.maxRadiusM; k++) {
      if (found.length >= opts.limit && this.ringLowerBoundM(k) > found[opts.limit - 1]!.distanceM) break;
      for (const cell of ring(origin, k)) {
        const entries = this.buckets.get(cell);
        if (!entries) continue;
        for (const entry of entries) {
          const distanceM = haversineM(at, entry.position!);
          if (distanceM > opts.maxRadiusM) continue;
          // Farther than the limit-th found: it cannot make the list, whatever `accept` says
          // (a filter, so asking it only here changes no result).
          if (found.length >= opts.limit && distanceM >= found[opts.limit - 1]!.distanceM) continue;
          if (opts.accept && !opts.accept(entry)) continue;
          insertBounded(found, { id: entry.id, distanceM }, opts.limit);
        }
      }
    }
    return found;
  }

  /**
   * No point of a cell in ring k is nearer than this to any point of the origin cell. Centres of
   * ring-k cells are at least 1.5·k·edge from the origin's centre (the middle of a ring side), and
   * a point lies within one edge length (the circumradius) of its cell's centre.
   */
  private ringLowerBoundM(k: number): number {
    return Math.max(0, (1.5 * k - 2) * this.minEdgeM);
  }

  private isSearchable(e: UnitEntry): boolean {
    return e.status === 'available' && e.online && e.cell !== null;
  }

  private bucket(e: UnitEntry): void {
    if (!this.isSearchable(e)) return;
    let set = this.buckets.get(e.cell!);
    if (!set) this.buckets.set(e.cell!, (set = new Set()));
    set.add(e);
  }

  private unbucket(e: UnitEntry): void {
    if (e.cell === null) return;
    const set = this.buckets.get(e.cell);
    if (!set) return;
    set.delete(e);
    if (set.size === 0) this.buckets.delete(e.cell);
  }
}

function ring(origin: string, k: number): string[] {
  if (k === 0) return [origin];
  try {
    return gridRingUnsafe(origin, k);
  } catch {
    // Near a pentagon the fast ring walk fails; take the disk minus the inner disk.
    const inner = new Set(gridDisk(origin, k - 1));
    return gridDisk(origin, k).filter((c) => !inner.has(c));
  }
}

/**
 * Inserts `c` into `list` (sorted by distance, at most `limit` long) after any equally near
 * candidate, dropping the farthest beyond `limit`: the same first `limit` as sorting them all.
 */
function insertBounded(list: Candidate[], c: Candidate, limit: number): void {
  if (list.length >= limit && c.distanceM >= list[limit - 1]!.distanceM) return;
  let i = Math.min(list.length, limit - 1);
  if (list.length >= limit) list.length = limit - 1;
  while (i > 0 && list[i - 1]!.distanceM > c.distanceM) {
    list[i] = list[i - 1]!;
    i--;
  }
  list[i] = c;
}
