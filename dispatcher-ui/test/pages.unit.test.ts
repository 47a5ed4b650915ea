import { describe, expect, it } from 'vitest';
import type { TimelineEvent } from '@lifeline/protocol';
import { advance, bearingDeg, eventCursor, lastAtOrBefore, mergeEvents, positionAt, prepareTrack } from '../src/pages/replay/replayMath.ts';
import { recommendationAudit } from '../src/pages/replay/audit.ts';
import { barPx, durationAxis, sharePct, verdict } from '../src/pages/kpi/kpiScale.ts';
import { pagesEn, pagesVi } from '../src/i18n/pages.ts';

const T0 = Date.parse('2026-01-01T00:00:00.000Z');
const at = (s: number) => new Date(T0 + s * 1000).toISOString();
const fix = (s: number, lat: number, lng: number, headingDeg: number | null = null) => ({ t: at(s), lat, lng, speedMps: 10, headingDeg });

describe('replay: position at a time', () => {
  // Out of order on purpose: prepareTrack sorts.
  const track = prepareTrack('BD-01', [fix(10, 10.01, 106.6), fix(0, 10.0, 106.6, 0), fix(20, 10.01, 106.62), fix(400, 10.05, 106.7)]);

  it.each([
    ['before the first fix: not shown', -1, null],
    ['exactly at a fix', 0, { lat: 10.0, lng: 106.6, kind: 'held' }],
    ['halfway between two fixes', 5, { lat: 10.005, lng: 106.6, kind: 'moving' }],
    ['a quarter into the next segment', 12.5, { lat: 10.01, lng: 106.605, kind: 'moving' }],
    ['across a gap longer than 2 minutes: held where last seen', 200, { lat: 10.01, lng: 106.62, kind: 'held' }],
    ['after the last fix: held', 1000, { lat: 10.05, lng: 106.7, kind: 'held' }],
  ] as const)('%s', (_name, s, expected) => {
    const p = positionAt(track, T0 + s * 1000);
    if (expected === null) return expect(p).toBeNull();
    expect(p).not.toBeNull();
    expect(p!.lat).toBeCloseTo(expected.lat, 9);
    expect(p!.lng).toBeCloseTo(expected.lng, 9);
    expect(p!.kind).toBe(expected.kind);
  });

  it('reports the age of a held fix and the direction of travel when moving', () => {
    expect(positionAt(track, T0 + 1000_000)!.ageMs).toBe(600_000);
    expect(positionAt(track, T0 + 5000)!.headingDeg).toBeCloseTo(0, 6); // due north
    expect(positionAt(track, T0 + 15_000)!.headingDeg).toBeCloseTo(90, 1); // due east
  });

  it('bearing is clockwise from north', () => {
    expect(bearingDeg(10, 106, 10, 105.9)).toBeCloseTo(270, 1);
    expect(bearingDeg(10, 106, 9.9, 106)).toBeCloseTo(180, 6);
  });

  it('an empty track has no position', () => {
    expect(positionAt(prepareTrack('X', []), T0)).toBeNull();
  });
});

describe('replay: event cursor', () => {
  const times = [0, 10, 10, 30].map((s) => T0 + s * 1000);
  it.each([
    [-5, -1],
    [0, 0],
    [9.999, 0],
    [10, 2], // equal times: the last of them is current
    [29, 2],
    [30, 3],
    [1e6, 3],
  ])('at %s s → event %s', (s, idx) => {
    expect(eventCursor(times, T0 + s * 1000)).toBe(idx);
  });
  it('lastAtOrBefore on an empty list is -1', () => expect(lastAtOrBefore([], 5)).toBe(-1));

  it('merges several incidents into one clock, stable for equal times', () => {
    const a: TimelineEvent[] = [{ ts: at(5), type: 'A1', actor: 'x', data: {} }, { ts: at(20), type: 'A2', actor: 'x', data: {} }];
    const b: TimelineEvent[] = [{ ts: at(5), type: 'B1', actor: 'x', data: {} }, { ts: at(10), type: 'B2', actor: 'x', data: {} }];
    const m = mergeEvents([{ incidentId: 'a', incidentNumber: 1, events: a }, { incidentId: 'b', incidentNumber: 2, events: b }]);
    expect(m.map((e) => e.type)).toEqual(['A1', 'B1', 'B2', 'A2']);
    expect(m[1]!.incidentNumber).toBe(2);
  });

  it('the clock advances by wall time × speed and stops at the end', () => {
    expect(advance(0, 16, 60, 10_000)).toEqual({ tMs: 960, ended: false });
    expect(advance(9_500, 16, 60, 10_000)).toEqual({ tMs: 10_000, ended: true });
  });
});

describe('recommendation audit', () => {
  const shown = (ids: string[]): TimelineEvent => ({ ts: at(1), type: 'RecommendationsShown', actor: 'dispatcher:a', data: { units: ids.map((vehicleId, i) => ({ vehicleId, etaSec: 60 * (i + 1), distanceM: 500 })) } });
  const assigned = (vehicleId: string, reason?: string): TimelineEvent => ({ ts: at(2), type: 'UnitAssigned', actor: 'dispatcher:a', data: { vehicleId, ...(reason ? { reason } : {}) } });

  it('the first recommendation needs no reason', () => {
    const [a] = recommendationAudit([shown(['U1', 'U2']), assigned('U1')]);
    expect(a).toMatchObject({ vehicleId: 'U1', rank: 1, overrode: false, reason: null });
  });
  it('another unit: its rank and the reason, against the last list shown before it', () => {
    const [a] = recommendationAudit([shown(['U9']), shown(['U1', 'U2', 'U3']), assigned('U3', 'U1 has no oxygen')]);
    expect(a).toMatchObject({ rank: 3, overrode: true, reason: 'U1 has no oxygen' });
    expect(a!.shown.map((u) => u.vehicleId)).toEqual(['U1', 'U2', 'U3']);
  });
  it('a unit not on the list, and a reassignment', () => {
    const r = recommendationAudit([shown(['U1']), assigned('U1'), shown(['U2']), assigned('U7')]);
    expect(r.map((a) => [a.vehicleId, a.rank, a.overrode])).toEqual([['U1', 1, false], ['U7', null, true]]);
  });
  it('ignores malformed audit data', () => {
    const bad: TimelineEvent = { ts: at(1), type: 'RecommendationsShown', actor: 'x', data: { units: [null, 3, { etaSec: 1 }, { vehicleId: 'U1' }] } };
    expect(recommendationAudit([bad, assigned('U1')])[0]).toMatchObject({ rank: 1 });
  });
});

describe('KPI chart scaling', () => {
  it.each([
    [[45, 60], 60, 10],
    [[61, 60], 75, 15],
    [[250, 240], 300, 60],
    [[1100, 900], 1200, 300],
    [[5000, 1800], 5400, 900],
    [[40000, 900], 43200, 7200],
  ] as [number[], number, number][])('%j → axis to %s step %s', (values, max, step) => {
    const a = durationAxis(values);
    expect(a.max).toBe(max);
    expect(a.step).toBe(step);
    expect(a.ticks[0]).toBe(0);
    expect(a.ticks.at(-1)).toBe(max);
    expect(a.ticks.length - 1).toBeLessThanOrEqual(6);
    for (const v of values) expect(v).toBeLessThanOrEqual(a.max);
  });
  it('no data: a one-minute axis', () => expect(durationAxis([null, null])).toEqual({ max: 60, step: 60, ticks: [0, 60] }));
  it('bar lengths are proportional and clamped', () => {
    expect(barPx(120, 240, 300)).toBe(150);
    expect(barPx(null, 240, 300)).toBe(0);
    expect(barPx(500, 240, 300)).toBe(300);
    expect(barPx(-3, 240, 300)).toBe(0);
  });
  it.each([
    [null, 60, 'none'],
    [60, 60, 'ok'],
    [75, 60, 'near'],
    [76, 60, 'miss'],
  ] as const)('p90 %s vs target %s → %s', (p90, target, v) => expect(verdict(p90, target)).toBe(v));
  it('share as a percentage', () => {
    expect(sharePct(0.8765)).toBe(87.7);
    expect(sharePct(null)).toBe(0);
    expect(sharePct(1.2)).toBe(100);
  });
});

describe('page strings', () => {
  it('English has every Vietnamese key and no empty string', () => {
    expect(Object.keys(pagesEn).sort()).toEqual(Object.keys(pagesVi).sort());
    for (const [k, v] of [...Object.entries(pagesVi), ...Object.entries(pagesEn)]) expect(v, k).not.toBe('');
  });
  it('placeholders match between languages', () => {
    const ph = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    for (const k of Object.keys(pagesVi) as (keyof typeof pagesVi)[]) expect(ph(pagesEn[k]), k).toEqual(ph(pagesVi[k]));
  });
});
