import { describe, expect, it } from 'vitest';
import { buildBoard, needsAttention, unitRow } from '../src/features/board/unitRules.ts';
import { unit } from './fixtures.ts';

const T0 = Date.parse('2025-01-01T00:10:00.000Z');
const ago = (sec: number) => new Date(T0 - sec * 1000).toISOString();
const TH = { stuckDispatchedSec: 120, staleSec: 90 };
const fresh = (id: string, over: Parameters<typeof unit>[1] = {}) =>
  unit(id, { ...over, position: { lat: 10.98, lng: 106.65, recordedAt: ago(5), speedMps: null, headingDeg: null } });

describe('unit status board rules', () => {
  it.each([
    ['dispatched', 120, false],
    ['dispatched', 121, true],
    ['en_route', 600, false],
    ['available', 600, false],
  ] as const)('%s for %i s: stuck=%s (threshold 120 s)', (status, sec, stuck) => {
    expect(unitRow(fresh('a', { status, statusSince: ago(sec) }), T0, TH).stuck).toBe(stuck);
  });

  it('a dispatched unit whose status time is unknown is not called stuck', () => {
    expect(unitRow(fresh('a', { status: 'dispatched', statusSince: null }), T0, TH).stuck).toBe(false);
  });

  it('stale: no position at all, or the last one older than staleSec', () => {
    expect(unitRow(unit('a', {}, null), T0, TH).stale).toBe(true);
    const pos = (sec: number) => ({ lat: 10.98, lng: 106.65, recordedAt: ago(sec), speedMps: null, headingDeg: null });
    expect(unitRow(unit('a', { position: pos(90) }), T0, TH).stale).toBe(false);
    expect(unitRow(unit('a', { position: pos(91) }), T0, TH).stale).toBe(true);
  });

  it('time in status, and offline units filed as offline whatever their last status', () => {
    const r = unitRow(fresh('a', { status: 'on_scene', statusSince: ago(75), online: false }), T0, TH);
    expect(r.inStatusSec).toBe(75);
    expect(r.status).toBe('offline');
  });

  it('a refused fix needs attention', () => {
    const r = unitRow(fresh('a', { fixIssue: 'implausible_jump' }), T0, TH);
    expect(r.fixIssue).toBe('implausible_jump');
    expect(needsAttention(r)).toBe(true);
    expect(needsAttention(unitRow(fresh('b'), T0, TH))).toBe(false);
  });

  it('filters by status, counts the whole fleet, lists units needing attention first', () => {
    const units = [
      fresh('A-2', { callSign: 'A-2' }),
      fresh('A-10', { callSign: 'A-10' }),
      fresh('A-1', { callSign: 'A-1', status: 'dispatched', statusSince: ago(300) }),
      fresh('A-3', { callSign: 'A-3', status: 'dispatched', statusSince: ago(10) }),
      unit('A-4', { callSign: 'A-4' }, null),
    ];
    const all = buildBoard(units, T0, TH, 'all');
    expect(all.rows.map((r) => r.vehicle.id)).toEqual(['A-1', 'A-4', 'A-2', 'A-3', 'A-10']);
    expect(all.counts).toMatchObject({ all: 5, available: 3, dispatched: 2, attention: 2 });
    expect(buildBoard(units, T0, TH, 'dispatched').rows.map((r) => r.vehicle.id)).toEqual(['A-1', 'A-3']);
    expect(buildBoard(units, T0, TH, 'attention').rows.map((r) => r.vehicle.id)).toEqual(['A-1', 'A-4']);
    expect(buildBoard(units, T0, TH, 'on_scene').rows).toEqual([]);
  });
});
