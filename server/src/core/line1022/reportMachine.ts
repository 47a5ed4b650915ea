import type { ReportState } from '@lifeline/protocol';

/** Who acts: the centre (dispatchers, supervisors, admins) or one agency. */
export type ReportActor = { kind: 'centre' } | { kind: 'agency'; agencyId: string };

export type ReportCommand =
  /** Centre: send to an agency (also the override of the rule's choice, with a reason). */
  | { kind: 'forward'; agencyId: string }
  | { kind: 'accept' }
  /** Agency: hand over to another agency. */
  | { kind: 'pass_on'; agencyId: string }
  /** Agency: not ours; back to the centre. */
  | { kind: 'send_back' }
  | { kind: 'answer' }
  | { kind: 'close' }
  | { kind: 'rate' };

export interface ReportFacts {
  state: ReportState;
  agencyId: string | null;
  answered: boolean;
  rated: boolean;
}

export type TransitionResult =
  | { ok: true; state: ReportState; agencyId: string | null; event: string }
  | { ok: false; code: 'NOT_FOUND' | 'INVALID_TRANSITION'; message: string };

const AT_CENTRE: readonly ReportState[] = ['received', 'returned'];
const AT_AGENCY: readonly ReportState[] = ['forwarded', 'accepted'];

const bad = (message: string): TransitionResult => ({ ok: false, code: 'INVALID_TRANSITION', message });

/**
 * The report state machine. An agency acting on a report that is not (or no longer) its own gets
 * NOT_FOUND, the same answer as for a report that does not exist, so ids reveal nothing.
 */
export function transition(r: ReportFacts, actor: ReportActor, cmd: ReportCommand): TransitionResult {
  if (actor.kind === 'agency' && r.agencyId !== actor.agencyId) return { ok: false, code: 'NOT_FOUND', message: 'no such report for this agency' };
  if (cmd.kind === 'rate') {
    if (r.state !== 'closed') return bad('only a closed report can be rated');
    if (r.rated) return bad('this report is already rated');
    return { ok: true, state: 'closed', agencyId: r.agencyId, event: 'ReportRated' };
  }
  if (r.state === 'closed') return bad('the report is closed');
  if (actor.kind === 'centre') {
    switch (cmd.kind) {
      case 'forward':
        if (r.agencyId === cmd.agencyId && AT_AGENCY.includes(r.state)) return bad('the report is already with that agency');
        return { ok: true, state: 'forwarded', agencyId: cmd.agencyId, event: 'ReportForwarded' };
      case 'answer':
        if (!AT_CENTRE.includes(r.state)) return bad('the report is with an agency; it answers');
        return { ok: true, state: r.state, agencyId: null, event: 'ReportAnswered' };
      case 'close':
        if (!AT_CENTRE.includes(r.state)) return bad('the report is with an agency; it closes it');
        if (!r.answered) return bad('answer the citizen before closing');
        return { ok: true, state: 'closed', agencyId: null, event: 'ReportClosed' };
      default:
        return bad(`the centre cannot ${cmd.kind} a report`);
    }
  }
  switch (cmd.kind) {
    case 'accept':
      if (r.state !== 'forwarded') return bad('only a forwarded report can be accepted');
      return { ok: true, state: 'accepted', agencyId: r.agencyId, event: 'ReportAccepted' };
    case 'pass_on':
      if (!AT_AGENCY.includes(r.state)) return bad('the report is not with this agency');
      if (cmd.agencyId === actor.agencyId) return bad('pass it on to another agency');
      return { ok: true, state: 'forwarded', agencyId: cmd.agencyId, event: 'ReportPassedOn' };
    case 'send_back':
      if (!AT_AGENCY.includes(r.state)) return bad('the report is not with this agency');
      return { ok: true, state: 'returned', agencyId: null, event: 'ReportReturned' };
    case 'answer':
      if (r.state !== 'accepted') return bad('accept the report before answering');
      return { ok: true, state: 'accepted', agencyId: r.agencyId, event: 'ReportAnswered' };
    case 'close':
      if (r.state !== 'accepted') return bad('accept the report before closing');
      if (!r.answered) return bad('answer the citizen before closing');
      return { ok: true, state: 'closed', agencyId: r.agencyId, event: 'ReportClosed' };
    default:
      return bad(`an agency cannot ${cmd.kind} a report`);
  }
}

/** When an agency must answer: `hours` after it received the report. */
export function dueAt(forwardedAt: Date, hours: number): Date {
  return new Date(forwardedAt.getTime() + hours * 3600_000);
}

/** Milliseconds left (negative: overdue) — the queue's ticking deadline. */
export function msLeft(due: Date, now: number): number {
  return due.getTime() - now;
}

/** Answered in time: the first answer came no later than the deadline in force then. */
export function answeredInTime(firstAnsweredAt: Date | null, dueAtThen: Date | null): boolean {
  return firstAnsweredAt !== null && dueAtThen !== null && firstAnsweredAt.getTime() <= dueAtThen.getTime();
}
