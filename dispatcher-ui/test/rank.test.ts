import { describe, expect, it } from 'vitest';
import type { Recommendation } from '@lifeline/protocol';
import { needsReason, rankWhy } from '../src/features/incidents/rank.ts';
import { translate } from '../src/i18n/format.ts';
import { actorKey, timelineKey } from '../src/i18n/dict.ts';

const rec = (over: Partial<Recommendation>): Recommendation => ({
  vehicleId: 'A',
  callSign: 'A',
  etaSec: 300,
  distanceM: 3000,
  straightLineM: 2500,
  etaSource: 'road',
  ...over,
});
const en = (r: Recommendation, i: number, best: Recommendation) => rankWhy(r, i, best).map((m) => translate('en', m.key, m.params));

describe('why a unit ranks where it does', () => {
  it('the first is the fastest; the others say by how much they are slower, and the ETA source', () => {
    const best = rec({});
    expect(en(best, 0, best)).toEqual(['fastest to arrive', 'by road map']);
    expect(en(rec({ etaSec: 378.4, etaSource: 'osrm' }), 1, best)).toEqual(['78 s slower', 'routed by OSRM']);
    expect(en(rec({ etaSource: 'straight_line' }), 2, best)).toEqual(['0 s slower', 'straight-line estimate']);
  });

  it('a road distance far above the straight line is called a detour (a river, one-way streets)', () => {
    const best = rec({});
    expect(en(rec({ distanceM: 6000, straightLineM: 2000 }), 1, best)).toContain('long detour by road');
    // Short trips: a few hundred metres of difference is not a detour.
    expect(en(rec({ distanceM: 500, straightLineM: 300 }), 1, best)).not.toContain('long detour by road');
    // A straight-line estimate has no road distance to compare.
    expect(en(rec({ distanceM: 6000, straightLineM: 2000, etaSource: 'straight_line' }), 1, best)).not.toContain('long detour by road');
  });

  it('only a unit other than the first needs a reason', () => {
    expect(needsReason(0)).toBe(false);
    expect(needsReason(1)).toBe(true);
    expect(needsReason(4)).toBe(true);
  });

  it('timeline event types this client knows are translated; unknown ones are shown as they are', () => {
    expect(translate('vi', timelineKey('AssignmentAcknowledged')!)).toBe('Xe xác nhận');
    expect(timelineKey('SomethingNew')).toBeNull();
  });

  it('timeline actors: role translated, name kept', () => {
    const show = (actor: string) => {
      const a = actorKey(actor);
      return a ? translate('vi', a.key, { name: a.name }).trim() : actor;
    };
    expect(show('dispatcher:lan')).toBe('Điều phối viên lan');
    expect(show('unit:BD-01')).toBe('Xe BD-01');
    expect(show('system')).toBe('Hệ thống');
    expect(show('robot:x')).toBe('robot:x');
  });
});
