import { describe, expect, it } from 'vitest';
import type { HospitalCase } from '@lifeline/protocol';
import { afterList, markSeen, unseen, type SeenCases } from '../src/pages/hospital/newCases.ts';

const c = (incidentId: string) => ({ incidentId }) as HospitalCase;

describe('new incoming cases at the hospital', () => {
  it('what was there when the screen opened is seen; later cases are new until marked', () => {
    let s: SeenCases = { seen: null };
    expect(unseen(s, [c('a')])).toEqual([]); // before the first list: nothing to flag
    s = afterList(s, [c('a'), c('b')]);
    expect(unseen(s, [c('a'), c('b')])).toEqual([]);
    s = afterList(s, [c('a'), c('b'), c('x'), c('y')]);
    expect(unseen(s, [c('a'), c('b'), c('x'), c('y')])).toEqual(['x', 'y']);
    s = markSeen(s, 'x');
    expect(unseen(s, [c('a'), c('b'), c('x'), c('y')])).toEqual(['y']);
    // A case that left (handed over) is simply gone; one that comes back later is still seen.
    expect(unseen(s, [c('y')])).toEqual(['y']);
    expect(unseen(s, [c('x')])).toEqual([]);
  });

  it('an empty first list still starts the count: the first case after it is new', () => {
    const s = afterList({ seen: null }, []);
    expect(unseen(afterList(s, [c('n')]), [c('n')])).toEqual(['n']);
  });
});
