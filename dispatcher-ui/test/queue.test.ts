import { describe, expect, it } from 'vitest';
import { queueRows, targetLevel, waitingSec, type QueueTargets } from '../src/features/incidents/queue.ts';
import { incident } from './fixtures.ts';

const T0 = Date.parse('2025-01-01T00:00:00.000Z');
const at = (sec: number) => new Date(T0 + sec * 1000).toISOString();
const TARGETS: QueueTargets = { callToAssignSec: 60, responseSec: 900 };
const ASSIGN_ONLY: QueueTargets = { callToAssignSec: 60, responseSec: null };

describe('incident queue', () => {
  it('orders by priority, then the longest waiting; closed and cancelled are not in it', () => {
    const rows = queueRows(
      [
        incident('a', 1, { priority: 2, createdAt: at(10), number: 1 }),
        incident('b', 1, { priority: 1, createdAt: at(30), number: 2 }),
        incident('c', 1, { priority: 2, createdAt: at(5), number: 3 }),
        incident('d', 1, { priority: 1, createdAt: at(20), number: 4 }),
        incident('e', 1, { priority: 1, createdAt: at(0), number: 5, state: 'closed' }),
        incident('f', 1, { priority: 1, createdAt: at(0), number: 6, state: 'cancelled' }),
      ],
      T0 + 60_000,
      TARGETS,
    );
    expect(rows.map((r) => r.incident.id)).toEqual(['d', 'b', 'c', 'a']);
    expect(rows.map((r) => r.waitingSec)).toEqual([40, 30, 55, 50]);
  });

  it('timers count whole seconds from the call and never go negative (client clock behind)', () => {
    expect(waitingSec(incident('a', 1, { createdAt: at(0) }), T0 + 59_999)).toBe(59);
    expect(waitingSec(incident('a', 1, { createdAt: at(10) }), T0)).toBe(0);
  });

  it.each([
    ['triaged', 0, 'ok'],
    ['triaged', 44, 'ok'],
    ['triaged', 45, 'warn'],
    ['triaged', 60, 'warn'],
    ['triaged', 61, 'missed'],
    ['received', 61, 'missed'],
    ['assigned', 600, 'ok'],
    ['en_route', 600, 'ok'],
  ] as const)('call → assignment target 60 s: %s after %i s is %s', (state, sec, level) => {
    expect(targetLevel(incident('a', 1, { state }), sec, ASSIGN_ONLY)).toBe(level);
  });

  it.each([
    ['assigned', 600, 'ok'],
    ['acknowledged', 675, 'warn'],
    ['en_route', 900, 'warn'],
    ['en_route', 901, 'missed'],
    ['assigned', 901, 'missed'],
    // The unit is there: no clock runs, however long ago the call was.
    ['on_scene', 5_000, 'ok'],
    ['transporting', 5_000, 'ok'],
    ['at_hospital', 5_000, 'ok'],
  ] as const)('after assignment the call → on-scene target (900 s) runs: %s after %i s is %s', (state, sec, level) => {
    expect(targetLevel(incident('a', 1, { state }), sec, TARGETS)).toBe(level);
  });

  it('no target configured: never coloured', () => {
    const none = { callToAssignSec: null, responseSec: null };
    expect(targetLevel(incident('a', 1), 10_000, none)).toBe('ok');
    expect(targetLevel(incident('a', 1), 10_000, { callToAssignSec: 0, responseSec: 0 })).toBe('ok');
    expect(targetLevel(incident('a', 1, { state: 'en_route' }), 10_000, none)).toBe('ok');
  });

  it('rows name the clock that runs for their state', () => {
    const rows = queueRows(
      [incident('a', 1, { state: 'triaged', number: 1 }), incident('b', 1, { state: 'en_route', number: 2 }), incident('c', 1, { state: 'on_scene', number: 3 })],
      T0,
      TARGETS,
    );
    expect(Object.fromEntries(rows.map((r) => [r.incident.id, r.target]))).toEqual({ a: 'callToAssign', b: 'response', c: null });
  });

  it('levels follow the clock: the same incident turns warn, then missed', () => {
    const i = [incident('a', 1, { createdAt: at(0) })];
    expect(queueRows(i, T0 + 10_000, TARGETS)[0]!.level).toBe('ok');
    expect(queueRows(i, T0 + 50_000, TARGETS)[0]!.level).toBe('warn');
    expect(queueRows(i, T0 + 61_000, TARGETS)[0]!.level).toBe('missed');
  });
});
