import type { GroupBy, IntervalName, IntervalStats, KpiGroup } from '@lifeline/protocol';

/**
 * Service KPIs, pure. Intervals come from the first timeline event of each kind. Percentiles use
 * the nearest-rank method (the value at rank ⌈p·n⌉ of the sorted sample), which is what EMS
 * reporting standards such as NFPA 1710 mean by "90th percentile": an observed value, no
 * interpolation. Units: seconds.
 */

export interface IncidentTimes {
  line: string;
  category: string;
  priority: number;
  /** Epoch ms of each milestone, or null when it did not happen. */
  createdAt: number;
  assignedAt: number | null;
  enRouteAt: number | null;
  onSceneAt: number | null;
  atHospitalAt: number | null;
  closedAt: number | null;
  cancelledAt: number | null;
  /** Merged into another incident as a duplicate call (it is cancelled too, but not "cancelled"). */
  mergedAt: number | null;
}

export type { GroupBy, IntervalName, IntervalStats, KpiGroup };

export const INTERVALS = {
  callToAssign: ['createdAt', 'assignedAt'],
  turnout: ['assignedAt', 'enRouteAt'],
  travel: ['enRouteAt', 'onSceneAt'],
  response: ['createdAt', 'onSceneAt'],
  sceneToHospital: ['onSceneAt', 'atHospitalAt'],
} as const satisfies Record<IntervalName, readonly [keyof IncidentTimes, keyof IncidentTimes]>;

/**
 * Default targets, seconds. NFPA 1710 (US career departments): 60 s turnout for EMS and 240 s
 * travel for the first unit, both at the 90th percentile; 64 s alarm processing is rounded to
 * 60 s call → assignment. Response (call → on scene) 15 min is a common urban target where no
 * national one exists (Vietnam has none published). Configure them for your service.
 */
export const DEFAULT_TARGETS: Record<IntervalName, number> = {
  callToAssign: 60,
  turnout: 60,
  travel: 240,
  response: 900,
  sceneToHospital: 1800,
};

/** Nearest-rank percentile of an ascending sorted sample (p in 0–1]. */
export function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.max(1, Math.ceil(p * sorted.length));
  return sorted[rank - 1]!;
}

export function intervalStats(values: readonly number[], targetSec: number): IntervalStats {
  const sorted = [...values].sort((a, b) => a - b);
  const n = sorted.length;
  const sum = sorted.reduce((a, b) => a + b, 0);
  let median: number | null = null;
  if (n > 0) median = n % 2 === 1 ? sorted[(n - 1) / 2]! : (sorted[n / 2 - 1]! + sorted[n / 2]!) / 2;
  return {
    n,
    meanSec: n ? sum / n : null,
    medianSec: median,
    p90Sec: percentile(sorted, 0.9),
    withinTarget: n ? sorted.filter((v) => v <= targetSec).length / n : null,
    targetSec,
  };
}

export function intervalSec(t: IncidentTimes, name: IntervalName): number | null {
  const [from, to] = INTERVALS[name];
  const a = t[from];
  const b = t[to];
  if (a === null || b === null || b < a) return null;
  return (b - a) / 1000;
}

/** Still waiting for a unit at `nowMs`: never assigned, and neither cancelled nor closed. */
export function waitingAt(t: IncidentTimes, nowMs: number): boolean {
  return t.assignedAt === null && t.cancelledAt === null && t.closedAt === null && t.createdAt <= nowMs;
}

/**
 * The sample of an interval. A call still waiting for a unit counts against call → assignment by
 * how long it has waited so far (a lower bound of its interval): leaving it out would show a
 * centre that cannot find units as "on target".
 */
function sample(items: readonly IncidentTimes[], name: IntervalName, nowMs: number | null): number[] {
  const values = items.map((t) => intervalSec(t, name)).filter((v): v is number => v !== null);
  if (name === 'callToAssign' && nowMs !== null) for (const t of items) if (waitingAt(t, nowMs)) values.push((nowMs - t.createdAt) / 1000);
  return values;
}


/** Local calendar day of an instant in a time zone, YYYY-MM-DD. */
export function localDay(ms: number, timeZone: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(ms);
}

export function computeKpis(
  incidents: readonly IncidentTimes[],
  groupBy: readonly GroupBy[] = [],
  targets: Record<IntervalName, number> = DEFAULT_TARGETS,
  timeZone = 'Asia/Ho_Chi_Minh',
  /** Now, epoch ms: calls still waiting count against call → assignment up to it (null: leave them out). */
  nowMs: number | null = null,
): KpiGroup[] {
  const groups = new Map<string, { key: Record<string, string | number>; items: IncidentTimes[] }>();
  for (const t of incidents) {
    const key: Record<string, string | number> = {};
    for (const g of groupBy) key[g] = g === 'day' ? localDay(t.createdAt, timeZone) : t[g];
    const k = JSON.stringify(key);
    let entry = groups.get(k);
    if (!entry) groups.set(k, (entry = { key, items: [] }));
    entry.items.push(t);
  }
  const out: KpiGroup[] = [];
  for (const { key, items } of groups.values()) {
    const intervals = {} as Record<IntervalName, IntervalStats>;
    for (const name of Object.keys(INTERVALS) as IntervalName[]) {
      intervals[name] = intervalStats(sample(items, name, nowMs), targets[name]);
    }
    // A merged duplicate is a second call about an incident already open, not a cancelled one.
    const merged = items.filter((t) => t.mergedAt !== null).length;
    const own = items.length - merged;
    out.push({
      key,
      calls: items.length,
      cancelled: items.filter((t) => t.cancelledAt !== null && t.mergedAt === null).length,
      merged,
      waiting: nowMs === null ? 0 : items.filter((t) => waitingAt(t, nowMs)).length,
      completed: own ? items.filter((t) => t.closedAt !== null).length / own : null,
      intervals,
    });
  }
  return out.sort((a, b) => JSON.stringify(a.key).localeCompare(JSON.stringify(b.key)));
}

/** CSV of KPI groups: one row per group and interval. */
export function kpisToCsv(groups: readonly KpiGroup[], groupBy: readonly GroupBy[]): string {
  const header = [...groupBy, 'calls', 'cancelled', 'merged', 'waiting', 'completed', 'interval', 'n', 'mean_s', 'median_s', 'p90_s', 'target_s', 'within_target'];
  const fmt = (v: number | null) => (v === null ? '' : String(Math.round(v * 1000) / 1000));
  const rows = [header.join(',')];
  for (const g of groups) {
    for (const [name, s] of Object.entries(g.intervals)) {
      rows.push(
        [...groupBy.map((k) => csvCell(String(g.key[k]))), g.calls, g.cancelled, g.merged, g.waiting, fmt(g.completed), name, s.n, fmt(s.meanSec), fmt(s.medianSec), fmt(s.p90Sec), s.targetSec, fmt(s.withinTarget)].join(','),
      );
    }
  }
  return rows.join('\n') + '\n';
}

function csvCell(s: string): string {
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
