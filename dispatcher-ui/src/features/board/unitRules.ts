import type { ClientConfig, UnitStatus, Vehicle } from '@lifeline/protocol';

export type UnitThresholds = ClientConfig['unitThresholds'];

/** What the board shows about one unit at a given moment. */
export interface UnitRow {
  vehicle: Vehicle;
  /** The status the board files it under: `offline` when the unit is not online. */
  status: UnitStatus;
  /** Seconds in the current status; null when the server does not know since when. */
  inStatusSec: number | null;
  /** Dispatched, but not en route after `stuckDispatchedSec`. */
  stuck: boolean;
  /** No position, or none newer than `staleSec`. */
  stale: boolean;
  /** The latest fix was refused as the live position (null island, future time, jump). */
  fixIssue: Vehicle['fixIssue'];
}

const secondsSince = (iso: string, nowMs: number) => Math.max(0, Math.floor((nowMs - Date.parse(iso)) / 1000));

/** No position, or none newer than `staleSec` (device time of the fix vs the client clock). */
export const isStale = (v: Vehicle, nowMs: number, staleSec: number): boolean => !v.position || secondsSince(v.position.recordedAt, nowMs) > staleSec;

export const boardStatus = (v: Vehicle): UnitStatus => (v.online ? v.status : 'offline');

/** The board's view of a unit at `nowMs` (client clock; the server's times are compared to it). */
export function unitRow(v: Vehicle, nowMs: number, th: UnitThresholds): UnitRow {
  const inStatusSec = v.statusSince ? secondsSince(v.statusSince, nowMs) : null;
  const status = boardStatus(v);
  const stuck = status === 'dispatched' && inStatusSec !== null && inStatusSec > th.stuckDispatchedSec;
  const stale = isStale(v, nowMs, th.staleSec);
  return { vehicle: v, status, inStatusSec, stuck, stale, fixIssue: v.fixIssue ?? null };
}

/** Rows that need a dispatcher's eye: stuck, stale or with a refused fix. */
export const needsAttention = (r: UnitRow): boolean => r.stuck || r.stale || r.fixIssue !== null;

export type StatusFilter = UnitStatus | 'all' | 'attention';

export interface Board {
  /** Rows passing the filter: those needing attention first, then by call sign. */
  rows: UnitRow[];
  /** Units per board status, over the whole fleet (for the filter chips). */
  counts: Record<StatusFilter, number>;
}

/** The whole board for a filter, computed from the fleet at `nowMs`. */
export function buildBoard(units: Iterable<Vehicle>, nowMs: number, th: UnitThresholds, filter: StatusFilter): Board {
  const counts = { all: 0, attention: 0 } as Record<StatusFilter, number>;
  const rows: UnitRow[] = [];
  for (const v of units) {
    const r = unitRow(v, nowMs, th);
    const attention = needsAttention(r);
    counts.all++;
    counts[r.status] = (counts[r.status] ?? 0) + 1;
    if (attention) counts.attention++;
    if (filter === 'all' || filter === r.status || (filter === 'attention' && attention)) rows.push(r);
  }
  rows.sort((a, b) => Number(needsAttention(b)) - Number(needsAttention(a)) || a.vehicle.callSign.localeCompare(b.vehicle.callSign, 'vi', { numeric: true }));
  return { rows, counts };
}
