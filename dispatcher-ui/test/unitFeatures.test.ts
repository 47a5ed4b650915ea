import { describe, expect, it } from 'vitest';
import type { Vehicle } from '@lifeline/protocol';
import { unitCollection, unitProps, unitsDiff } from '../src/map/unitFeatures.ts';
import { unit } from './fixtures.ts';

describe('unit features', () => {
  it('properties: offline or status offline → on=false; unknown heading, or standing still → -1', () => {
    expect(unitProps(unit('a'))).toEqual({ id: 'a', cs: 'CS-a', st: 'available', on: true, hdg: -1 });
    expect(unitProps(unit('a', { online: false })).on).toBe(false);
    expect(unitProps(unit('a', { status: 'offline' })).on).toBe(false);
    const moving = unit('a');
    moving.position!.headingDeg = 270;
    expect(unitProps(moving).hdg).toBe(270);
    moving.position!.speedMps = 0.3;
    expect(unitProps(moving).hdg).toBe(-1);
    moving.position!.speedMps = 12;
    expect(unitProps(moving).hdg).toBe(270);
  });

  it('coordinates go out as [lng, lat]; units without a position are not drawn', () => {
    const { fc, ids } = unitCollection([unit('a', {}, { lat: 11, lng: 106 }), unit('b', {}, null)]);
    expect(fc.features.map((f) => f.geometry.coordinates)).toEqual([[106, 11]]);
    expect([...ids]).toEqual(['a']);
  });

  it('diff: shown units are updated, new ones added, ones that lost their position removed', () => {
    const units = new Map<string, Vehicle>([
      ['a', unit('a', { status: 'en_route' }, { lat: 11, lng: 107 })],
      ['c', unit('c')],
      ['b', unit('b', {}, null)],
    ]);
    const shown = new Set(['a', 'b']);
    const diff = unitsDiff(shown, ['a', 'b', 'c', 'ghost'], (id) => units.get(id));
    expect(diff.remove).toEqual(['b']);
    expect(diff.add?.map((f) => f.properties?.id)).toEqual(['c']);
    expect(diff.update).toEqual([
      {
        id: 'a',
        newGeometry: { type: 'Point', coordinates: [107, 11] },
        addOrUpdateProperties: [
          { key: 'cs', value: 'CS-a' },
          { key: 'st', value: 'en_route' },
          { key: 'on', value: true },
          { key: 'hdg', value: -1 },
        ],
      },
    ]);
    expect([...shown].sort()).toEqual(['a', 'c']);
  });
});
