import { describe, expect, it } from 'vitest';
import { FrameBatcher, type FrameBatch } from '../src/realtime/frameBatcher.ts';

/** A manual animation-frame clock. */
function frames() {
  const queue: (() => void)[] = [];
  return {
    schedule: (run: () => void) => void queue.push(run),
    get waiting() {
      return queue.length;
    },
    tick() {
      const runs = queue.splice(0);
      for (const r of runs) r();
    },
  };
}

function setup() {
  const clock = frames();
  const batches: { reset: boolean; keys: string[] }[] = [];
  const b = new FrameBatcher<string>((x: FrameBatch<string>) => batches.push({ reset: x.reset, keys: [...x.keys].sort() }), clock.schedule);
  return { clock, batches, b };
}

describe('FrameBatcher', () => {
  it('many messages within one frame → one flush with each key once', () => {
    const { clock, batches, b } = setup();
    b.add(['u1', 'u2']);
    b.add(['u1']);
    b.add(['u3', 'u2']);
    expect(clock.waiting).toBe(1);
    expect(batches).toEqual([]);
    clock.tick();
    expect(batches).toEqual([{ reset: false, keys: ['u1', 'u2', 'u3'] }]);
  });

  it('schedules nothing when nothing changed, and again after a flush', () => {
    const { clock, batches, b } = setup();
    b.add([]);
    expect(clock.waiting).toBe(0);
    b.add(['a']);
    clock.tick();
    clock.tick();
    expect(batches).toHaveLength(1);
    b.add(['b']);
    expect(clock.waiting).toBe(1);
    clock.tick();
    expect(batches.map((x) => x.keys)).toEqual([['a'], ['b']]);
  });

  it('a reset swallows the keys before and after it within the frame', () => {
    const { clock, batches, b } = setup();
    b.add(['a']);
    b.markReset();
    b.add(['b']);
    clock.tick();
    expect(batches).toEqual([{ reset: true, keys: [] }]);
  });

  it('keys added during a flush go to the next frame', () => {
    const clock = frames();
    const seen: string[][] = [];
    const b: FrameBatcher<string> = new FrameBatcher<string>((x) => {
      seen.push([...x.keys]);
      if (seen.length === 1) b.add(['late']);
    }, clock.schedule);
    b.add(['first']);
    clock.tick();
    expect(seen).toEqual([['first']]);
    clock.tick();
    expect(seen).toEqual([['first'], ['late']]);
  });

  it('does nothing after dispose (a frame already scheduled finds nothing to do)', () => {
    const { clock, batches, b } = setup();
    b.add(['a']);
    b.dispose();
    b.add(['b']);
    clock.tick();
    expect(batches).toEqual([]);
  });

  it('2,000 units reporting at 1 Hz through 4 server frames/s → one map update per animation frame', () => {
    const { clock, batches, b } = setup();
    for (let msg = 0; msg < 4; msg++) b.add(Array.from({ length: 500 }, (_, i) => `u${msg * 500 + i}`));
    clock.tick();
    expect(batches).toHaveLength(1);
    expect(batches[0]!.keys).toHaveLength(2000);
  });
});
