import { describe, expect, it } from 'vitest';
import { chooseHospital } from '../src/core/hospitals.ts';
import { computeKpis, intervalStats, kpisToCsv, localDay, percentile, type IncidentTimes } from '../src/core/kpi.ts';

const T0 = Date.UTC(2026, 10, 20, 1, 0, 0); // 08:00 in Hồ Chí Minh City (UTC+7)
const s = (sec: number) => T0 + sec * 1000;

function call(over: Partial<IncidentTimes>): IncidentTimes {
  return { line: '115', category: 'cardiac', priority: 1, createdAt: T0, assignedAt: null, enRouteAt: null, onSceneAt: null, atHospitalAt: null, closedAt: null, cancelledAt: null, mergedAt: null, ...over };
}

describe('percentile (nearest rank)', () => {
  // Hand-computed: for n = 10 the 90th percentile is the 9th smallest value (rank ⌈0.9·10⌉ = 9).
  it.each([
    [[1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.9, 9],
    [[10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110], 0.9, 100], // n = 11: rank ⌈9.9⌉ = 10
    [[42], 0.9, 42],
    [[5, 7], 0.5, 5], // rank 1
    [[5, 7], 0.9, 7], // rank ⌈1.8⌉ = 2
    [[], 0.9, null],
  ])('%j at %d → %s', (values, p, expected) => {
    expect(percentile(values, p)).toBe(expected);
  });
});

describe('interval statistics', () => {
  it('computes mean, median, p90 and share within target by hand', () => {
    // 30, 45, 50, 60, 75, 90, 120: mean = 470/7 = 67.142857…, median = 60, p90 rank ⌈6.3⌉ = 7 → 120,
    // within 60 s: 30, 45, 50, 60 → 4/7.
    const st = intervalStats([90, 30, 120, 45, 60, 75, 50], 60);
    expect(st.n).toBe(7);
    expect(st.meanSec).toBeCloseTo(470 / 7, 10);
    expect(st.medianSec).toBe(60);
    expect(st.p90Sec).toBe(120);
    expect(st.withinTarget).toBeCloseTo(4 / 7, 10);
  });
  it('takes the mean of the middle pair for an even count', () => {
    expect(intervalStats([10, 20, 30, 40], 25).medianSec).toBe(25);
  });
  it('is empty, not zero, when nothing was measured', () => {
    expect(intervalStats([], 60)).toEqual({ n: 0, meanSec: null, medianSec: null, p90Sec: null, withinTarget: null, targetSec: 60 });
  });
});

describe('computeKpis', () => {
  const calls: IncidentTimes[] = [
    // Complete: assign 40 s, turnout 50 s, travel 200 s, response 290 s, scene → hospital 900 s.
    call({ assignedAt: s(40), enRouteAt: s(90), onSceneAt: s(290), atHospitalAt: s(1190), closedAt: s(1500) }),
    // Treated on scene: assign 80 s, turnout 70 s, travel 300 s, response 450 s.
    call({ assignedAt: s(80), enRouteAt: s(150), onSceneAt: s(450), closedAt: s(1200) }),
    // Cancelled before a unit got there: assign 20 s only.
    call({ line: '1022', category: 'fall', priority: 3, assignedAt: s(20), cancelledAt: s(100) }),
    // Never assigned, next day local time (created 23:30 UTC = 06:30 next day UTC+7).
    call({ line: '1022', category: 'fall', priority: 3, createdAt: Date.UTC(2026, 10, 20, 23, 30) }),
  ];

  it('aggregates every call when not grouped', () => {
    const [all] = computeKpis(calls);
    expect(all!.calls).toBe(4);
    expect(all!.cancelled).toBe(1);
    expect(all!.completed).toBe(0.5);
    // call → assignment: 20, 40, 80 → mean 46.67, median 40, p90 rank ⌈2.7⌉ = 3 → 80, within 60 s: 2/3.
    expect(all!.intervals.callToAssign).toMatchObject({ n: 3, medianSec: 40, p90Sec: 80 });
    expect(all!.intervals.callToAssign.meanSec).toBeCloseTo(140 / 3, 10);
    expect(all!.intervals.callToAssign.withinTarget).toBeCloseTo(2 / 3, 10);
    // turnout 50, 70 → within 60 s: 1/2; travel 200, 300 → within 240 s: 1/2.
    expect(all!.intervals.turnout).toMatchObject({ n: 2, meanSec: 60, medianSec: 60, p90Sec: 70, withinTarget: 0.5 });
    expect(all!.intervals.travel).toMatchObject({ n: 2, meanSec: 250, p90Sec: 300, withinTarget: 0.5 });
    expect(all!.intervals.response).toMatchObject({ n: 2, medianSec: 370, withinTarget: 1 });
    expect(all!.intervals.sceneToHospital).toMatchObject({ n: 1, meanSec: 900 });
  });

  it('groups by line and by local day', () => {
    const byLine = computeKpis(calls, ['line']);
    expect(byLine.map((g) => [g.key.line, g.calls, g.completed])).toEqual([
      ['1022', 2, 0],
      ['115', 2, 1],
    ]);
    const byDay = computeKpis(calls, ['day']);
    expect(byDay.map((g) => [g.key.day, g.calls])).toEqual([
      ['2026-11-20', 3],
      ['2026-11-21', 1],
    ]);
    expect(localDay(Date.UTC(2026, 10, 20, 16, 59), 'Asia/Ho_Chi_Minh')).toBe('2026-11-20');
    expect(localDay(Date.UTC(2026, 10, 20, 17, 0), 'Asia/Ho_Chi_Minh')).toBe('2026-11-21');
  });

  it('ignores an interval whose end precedes its start (clock trouble) rather than counting a negative', () => {
    const [g] = computeKpis([call({ assignedAt: s(100), enRouteAt: s(50) })]);
    expect(g!.intervals.turnout.n).toBe(0);
  });

  it('exports CSV with one row per group and interval', () => {
    const csv = kpisToCsv(computeKpis(calls, ['line']), ['line']);
    const lines = csv.trim().split('\n');
    expect(lines[0]).toBe('line,calls,cancelled,merged,waiting,completed,interval,n,mean_s,median_s,p90_s,target_s,within_target');
    expect(lines).toHaveLength(1 + 2 * 5);
    expect(lines).toContain('115,2,0,0,0,1,turnout,2,60,60,70,60,0.5');
  });
});

describe('chooseHospital', () => {
  const h = (id: string, diversion = false, edCapacity: number | null = null) => ({ id, name: id, location: { lat: 0, lng: 0 }, diversion, edCapacity });
  it('takes the shortest ETA among hospitals accepting patients', () => {
    expect(chooseHospital([h('a'), h('b'), h('c')], [300, 100, 200])).toMatchObject({ hospital: { id: 'b' }, overridden: false });
  });
  it('skips hospitals on diversion or reporting no free beds', () => {
    expect(chooseHospital([h('a', true), h('b', false, 0), h('c', false, 3)], [100, 150, 400])).toMatchObject({ hospital: { id: 'c' }, etaSec: 400 });
  });
  it('falls back to the nearest, flagged, when none accepts', () => {
    expect(chooseHospital([h('a', true), h('b', true)], [500, 100])).toMatchObject({ hospital: { id: 'b' }, overridden: true });
  });
  it('returns null with no hospitals', () => {
    expect(chooseHospital([], [])).toBeNull();
  });
});

describe('calls still waiting and merged duplicates', () => {
  it('counts a call still waiting for a unit against call → assignment, by how long it has waited so far', () => {
    // One call assigned in 30 s, one waiting for 10 minutes at `now`: not "100 % on target".
    const [g] = computeKpis([call({ assignedAt: s(30) }), call({ createdAt: s(0) })], [], undefined, undefined, s(600));
    expect(g!.waiting).toBe(1);
    expect(g!.intervals.callToAssign.n).toBe(2);
    expect(g!.intervals.callToAssign.withinTarget).toBe(0.5);
    expect(g!.intervals.callToAssign.p90Sec).toBe(600);
  });
  it('does not count cancelled, merged or closed calls as waiting', () => {
    const [g] = computeKpis([call({ cancelledAt: s(20) }), call({ cancelledAt: s(20), mergedAt: s(20) }), call({ closedAt: s(50) })], [], undefined, undefined, s(600));
    expect(g!.waiting).toBe(0);
    expect(g!.intervals.callToAssign.n).toBe(0);
  });
  it('counts a merged duplicate as merged, not cancelled, and leaves it out of the completion rate', () => {
    const [g] = computeKpis([call({ assignedAt: s(30), closedAt: s(900) }), call({ cancelledAt: s(40), mergedAt: s(40) }), call({ cancelledAt: s(60) })], [], undefined, undefined, s(1000));
    expect([g!.calls, g!.cancelled, g!.merged]).toEqual([3, 1, 1]);
    expect(g!.completed).toBe(0.5); // 1 closed of the 2 calls that were incidents of their own
  });
  it('puts waiting and merged in the CSV', () => {
    const csv = kpisToCsv(computeKpis([call({ createdAt: s(0) }), call({ cancelledAt: s(1), mergedAt: s(1) })], [], undefined, undefined, s(120)), []);
    expect(csv.split('\n')[0]).toBe('calls,cancelled,merged,waiting,completed,interval,n,mean_s,median_s,p90_s,target_s,within_target');
    expect(csv.split('\n')[1]).toBe('2,0,1,1,0,callToAssign,1,120,120,120,60,0');
  });
});
