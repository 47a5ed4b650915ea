import { describe, expect, it } from 'vitest';
import { Ownership } from '../src/core/ownership.ts';

const vehicles = Array.from({ length: 600 }, (_, i) => `V-${i}`);

/** Three instances that saw the same presence messages, in the same order. */
function cluster(ids: string[]): Map<string, Ownership> {
  const all = new Map(ids.map((id) => [id, new Ownership(id, `boot-${id}`)]));
  for (const o of all.values()) for (const id of ids) o.apply(id, `boot-${id}`);
  return all;
}

describe('Ownership (rendezvous over live instances)', () => {
  it('gives every vehicle exactly one owner, about evenly', () => {
    const all = cluster(['a', 'b', 'c']);
    const counts = new Map<string, number>();
    for (const v of vehicles) {
      const owners = [...all.values()].filter((o) => o.owns(v) !== null).map((o) => o.self);
      expect(owners).toHaveLength(1);
      counts.set(owners[0]!, (counts.get(owners[0]!) ?? 0) + 1);
    }
    for (const n of counts.values()) expect(n).toBeGreaterThan(120);
  });

  it('moves only the leaving instance’s vehicles, and they start a new stint elsewhere', () => {
    const all = cluster(['a', 'b', 'c']);
    const before = new Map(vehicles.map((v) => [v, [...all.values()].find((o) => o.owns(v))!.self]));
    const tokens = new Map(vehicles.map((v) => [v, all.get(before.get(v)!)!.owns(v)]));
    for (const o of all.values()) expect(o.apply('c', null)).toBe(true);
    for (const v of vehicles) {
      const owner = [...all.values()].filter((o) => o.self !== 'c' && o.owns(v) !== null);
      expect(owner).toHaveLength(1);
      if (before.get(v) !== 'c') {
        expect(owner[0]!.self).toBe(before.get(v));
        expect(owner[0]!.owns(v)).toBe(tokens.get(v)); // same stint: no re-send for the agent
      } else {
        expect(owner[0]!.owns(v)).not.toBe(tokens.get(v));
      }
    }
  });

  it('a vehicle that leaves and comes back gets a new boot (the stint in between was another instance’s)', () => {
    const a = new Ownership('a', 'run1');
    a.apply('a', 'run1');
    a.apply('b', 'runb');
    const v = vehicles.find((x) => a.ownerOf(x) === 'a')!;
    const first = a.owns(v);
    a.apply('a', null); // e.g. our presence was emptied by a broker-side will
    expect(a.owns(v)).toBeNull();
    a.apply('a', 'run1');
    expect(a.owns(v)).not.toBeNull();
    expect(a.owns(v)).not.toBe(first);
  });

  it('owns nothing before its own presence of this run arrives; an old run’s presence does not count', () => {
    const a = new Ownership('a', 'run2');
    expect(a.owns('V-1')).toBeNull();
    expect(a.apply('a', 'run1')).toBe(false);
    expect(a.owns('V-1')).toBeNull();
    expect(a.ownerOf('V-1')).toBeNull();
    expect(a.apply('a', 'run2')).toBe(true);
    expect(a.owns('V-1')).toMatch(/^run2\./);
    expect(a.liveInstances()).toEqual(['a']);
  });

  it('an instance restarting under the same id (new boot) is still one member for the others', () => {
    const b = new Ownership('b', 'runb');
    b.apply('b', 'runb');
    b.apply('a', 'run1');
    const owned = vehicles.filter((v) => b.owns(v) !== null);
    expect(b.apply('a', 'run2')).toBe(false);
    expect(vehicles.filter((v) => b.owns(v) !== null)).toEqual(owned);
  });
});
