import { describe, expect, it } from 'vitest';
import { queueRows, targetLevel, waitingSec } from '../src/features/incidents/queue.ts';
import { incident } from './fixtures.ts';

const T0 = Date.parse('2025-01-01T00:00:00.000Z');
const at = (sec: number) => new Date(T0 + sec * 1000).toISOString();

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
      60,
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
    expect(targetLevel(incident('a', 1, { state }), sec, 60)).toBe(level);
  });

  it('no target configured: never coloured', () => {
    expect(targetLevel(incident('a', 1), 10_000, null)).toBe('ok');
    expect(targetLevel(incident('a', 1), 10_000, 0)).toBe('ok');
  });

  it('levels follow the clock: the same incident turns warn, then missed', () => {
    const i = [incident('a', 1, { createdAt: at(0) })];
    expect(queueRows(i, T0 + 10_000, 60)[0]!.level).toBe('ok');
    expect(queueRows(i, T0 + 50_000, 60)[0]!.level).toBe('warn');
    expect(queueRows(i, T0 + 61_000, 60)[0]!.level).toBe('missed');
  });
});
