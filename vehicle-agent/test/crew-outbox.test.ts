import { describe, expect, it } from 'vitest';
import { CrewOutbox } from '../src/core/crewOutbox.ts';
import { SpoolState, type SpooledMessage } from '../src/core/spool.ts';

const status = (id: number, s: 'en_route' | 'on_scene' | 'transporting'): SpooledMessage => ({ id, kind: 'status', msg: { status: s, ts: 1000 + id } });
const withMessages = (...ms: SpooledMessage[]) => {
  const st = new SpoolState();
  for (const m of ms) st.apply({ t: 'msg', m });
  return st;
};
const RESEND_MS = 30_000;

describe('CrewOutbox: one crew message at a time, until the server confirms it', () => {
  it('sends the head once, and the next only after the head is confirmed', () => {
    const st = withMessages(status(1, 'en_route'), status(2, 'on_scene'));
    const o = new CrewOutbox();
    expect(o.next(st, 0, RESEND_MS)?.id).toBe(1);
    expect(o.next(st, 10, RESEND_MS)).toBeNull(); // waiting: on_scene must not overtake en_route
    for (const r of o.confirm(st, [1])) st.apply(r);
    expect(st.messages.map((m) => m.id)).toEqual([2]);
    expect(o.next(st, 20, RESEND_MS)?.id).toBe(2);
    for (const r of o.confirm(st, [2])) st.apply(r);
    expect(o.next(st, 30, RESEND_MS)).toBeNull();
  });

  it.each<[string, (o: CrewOutbox) => number]>([
    ['no confirmation within resendAfterMs', () => RESEND_MS],
    ['a new connection or a server restart (resend)', (o) => (o.resend(), 1)],
  ])('sends the head again after %s', (_n, event) => {
    const st = withMessages(status(1, 'en_route'));
    const o = new CrewOutbox();
    expect(o.next(st, 0, RESEND_MS)?.id).toBe(1);
    expect(o.next(st, RESEND_MS - 1, RESEND_MS)).toBeNull();
    const t = event(o);
    expect(o.next(st, t, RESEND_MS)?.id).toBe(1);
  });

  it('a late or repeated confirmation drops only spooled messages it names', () => {
    const st = withMessages(status(5, 'en_route'), status(6, 'on_scene'));
    const o = new CrewOutbox();
    expect(o.confirm(st, [3, 4])).toEqual([]); // ids already gone (a repeat of an old confirmation)
    expect(o.confirm(st, [6, 7])).toEqual([{ t: 'drop', ids: [6] }]);
  });

  it('message ids never repeat: kept across compaction and raised to the clock', () => {
    const st = withMessages(status(41, 'en_route'));
    st.apply({ t: 'drop', ids: [41] });
    const again = new SpoolState();
    for (const r of st.snapshot()) again.apply(r); // compaction forgets the delivered message…
    expect(again.nextMessageId).toBe(42); // …but not how far ids went
    again.raiseMessageIds(1_700_000_000_000);
    expect(again.nextMessageId).toBe(1_700_000_000_000);
    again.raiseMessageIds(5);
    expect(again.nextMessageId).toBe(1_700_000_000_000);
  });
});
