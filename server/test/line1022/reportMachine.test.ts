import { describe, expect, it } from 'vitest';
import { REPORT_STATES, type ReportState } from '@lifeline/protocol';
import { answeredInTime, dueAt, msLeft, transition, type ReportActor, type ReportCommand } from '../../src/core/line1022/reportMachine.ts';

const centre: ReportActor = { kind: 'centre' };
const own: ReportActor = { kind: 'agency', agencyId: 'a' };
const other: ReportActor = { kind: 'agency', agencyId: 'b' };
const agencyOf = (s: ReportState) => (s === 'forwarded' || s === 'accepted' || s === 'closed' ? 'a' : null);

// [from state, actor, command, answered, expected state | error code]
type Row = [ReportState, 'centre' | 'own' | 'other', ReportCommand, boolean, ReportState | 'INVALID_TRANSITION' | 'NOT_FOUND'];
const ROWS: Row[] = [
  ['received', 'centre', { kind: 'forward', agencyId: 'a' }, false, 'forwarded'],
  ['returned', 'centre', { kind: 'forward', agencyId: 'a' }, false, 'forwarded'],
  ['forwarded', 'centre', { kind: 'forward', agencyId: 'b' }, false, 'forwarded'],
  ['accepted', 'centre', { kind: 'forward', agencyId: 'b' }, false, 'forwarded'],
  ['forwarded', 'centre', { kind: 'forward', agencyId: 'a' }, false, 'INVALID_TRANSITION'],
  ['closed', 'centre', { kind: 'forward', agencyId: 'b' }, true, 'INVALID_TRANSITION'],
  ['received', 'centre', { kind: 'answer' }, false, 'received'],
  ['returned', 'centre', { kind: 'answer' }, false, 'returned'],
  ['forwarded', 'centre', { kind: 'answer' }, false, 'INVALID_TRANSITION'],
  ['received', 'centre', { kind: 'close' }, true, 'closed'],
  ['received', 'centre', { kind: 'close' }, false, 'INVALID_TRANSITION'],
  ['accepted', 'centre', { kind: 'close' }, true, 'INVALID_TRANSITION'],
  ['received', 'centre', { kind: 'accept' }, false, 'INVALID_TRANSITION'],
  ['forwarded', 'own', { kind: 'accept' }, false, 'accepted'],
  ['accepted', 'own', { kind: 'accept' }, false, 'INVALID_TRANSITION'],
  ['forwarded', 'other', { kind: 'accept' }, false, 'NOT_FOUND'],
  ['received', 'own', { kind: 'accept' }, false, 'NOT_FOUND'],
  ['forwarded', 'own', { kind: 'pass_on', agencyId: 'c' }, false, 'forwarded'],
  ['accepted', 'own', { kind: 'pass_on', agencyId: 'c' }, false, 'forwarded'],
  ['accepted', 'own', { kind: 'pass_on', agencyId: 'a' }, false, 'INVALID_TRANSITION'],
  ['forwarded', 'own', { kind: 'send_back' }, false, 'returned'],
  ['accepted', 'own', { kind: 'send_back' }, false, 'returned'],
  ['accepted', 'other', { kind: 'send_back' }, false, 'NOT_FOUND'],
  ['forwarded', 'own', { kind: 'answer' }, false, 'INVALID_TRANSITION'],
  ['accepted', 'own', { kind: 'answer' }, false, 'accepted'],
  ['accepted', 'other', { kind: 'answer' }, false, 'NOT_FOUND'],
  ['accepted', 'own', { kind: 'close' }, true, 'closed'],
  ['accepted', 'own', { kind: 'close' }, false, 'INVALID_TRANSITION'],
  ['forwarded', 'own', { kind: 'close' }, true, 'INVALID_TRANSITION'],
  ['closed', 'own', { kind: 'answer' }, true, 'INVALID_TRANSITION'],
  ['closed', 'own', { kind: 'forward', agencyId: 'b' }, true, 'INVALID_TRANSITION'],
];

describe('report state machine', () => {
  it.each(ROWS)('%s, %s, %j (answered %s) → %s', (from, who, cmd, answered, expected) => {
    const actor = who === 'centre' ? centre : who === 'own' ? own : other;
    const r = transition({ state: from, agencyId: agencyOf(from), answered, rated: false }, actor, cmd);
    if (expected === 'INVALID_TRANSITION' || expected === 'NOT_FOUND') {
      expect(r).toMatchObject({ ok: false, code: expected });
    } else {
      expect(r).toMatchObject({ ok: true, state: expected });
    }
  });

  it('moves the report to the named agency, or away from any on send-back', () => {
    expect(transition({ state: 'received', agencyId: null, answered: false, rated: false }, centre, { kind: 'forward', agencyId: 'x' })).toMatchObject({ agencyId: 'x', event: 'ReportForwarded' });
    expect(transition({ state: 'accepted', agencyId: 'a', answered: false, rated: false }, own, { kind: 'pass_on', agencyId: 'c' })).toMatchObject({ agencyId: 'c', event: 'ReportPassedOn' });
    expect(transition({ state: 'accepted', agencyId: 'a', answered: false, rated: false }, own, { kind: 'send_back' })).toMatchObject({ agencyId: null, event: 'ReportReturned' });
  });

  it.each(REPORT_STATES)('rating from %s: only closed, only once', (state) => {
    const r = transition({ state, agencyId: null, answered: true, rated: false }, centre, { kind: 'rate' });
    expect(r.ok).toBe(state === 'closed');
    expect(transition({ state, agencyId: null, answered: true, rated: true }, centre, { kind: 'rate' }).ok).toBe(false);
  });
});

describe('deadlines', () => {
  const t0 = new Date('2026-03-01T08:00:00Z');
  it('due = forwarded + hours', () => expect(dueAt(t0, 48).toISOString()).toBe('2026-03-03T08:00:00.000Z'));
  it('time left ticks down and goes negative when overdue', () => {
    const due = dueAt(t0, 1);
    expect(msLeft(due, t0.getTime())).toBe(3600_000);
    expect(msLeft(due, t0.getTime() + 3600_000 + 1)).toBe(-1);
  });
  it.each([
    ['answered before the deadline', '2026-03-01T08:59:59Z', true],
    ['answered at the deadline exactly', '2026-03-01T09:00:00Z', true],
    ['answered after the deadline', '2026-03-01T09:00:01Z', false],
    ['never answered', null, false],
  ] as const)('%s', (_n, answered, inTime) => {
    expect(answeredInTime(answered ? new Date(answered) : null, dueAt(t0, 1))).toBe(inTime);
  });
});
