import type { AssignmentMsg, HospitalSummary, StatusMsg, UnitStatus } from '@lifeline/protocol';

/** Statuses the crew can set from the panel (dispatched comes from the server; offline from the last will). */
export const CREW_STATUSES = ['en_route', 'on_scene', 'transporting', 'at_hospital', 'available', 'out_of_service'] as const;
export type CrewStatus = (typeof CREW_STATUSES)[number];
export const isCrewStatus = (s: string): s is CrewStatus => (CREW_STATUSES as readonly string[]).includes(s);

/** What the agent remembers across restarts (kept in the spool as a memo record). */
export interface CrewMemo {
  assignment: AssignmentMsg | null;
  /** The crew acknowledged `assignment`. */
  acked: boolean;
  /** Current unit status as the crew sees it ('dispatched' once an assignment arrived). */
  status: UnitStatus;
  /** The last status message this agent published, re-published retained on every reconnect. */
  lastStatus: StatusMsg | null;
  /** Hospital chosen for transport. */
  hospitalId: string | null;
}

export const INITIAL_MEMO: CrewMemo = { assignment: null, acked: false, status: 'available', lastStatus: null, hospitalId: null };

export type CrewCommand =
  | { type: 'acknowledge' }
  | { type: 'status'; status: CrewStatus; hospitalId?: string };

export type CrewOutcome =
  | { ok: true; memo: CrewMemo; publish: { kind: 'status'; msg: StatusMsg & { hospitalId?: string } } | { kind: 'ack'; msg: { assignmentId: string; ts: number } } }
  | { ok: false; code: 'NoAssignment' | 'AlreadyAcknowledged' | 'NeedsAssignment' | 'SameStatus' };

/** Statuses that belong to an incident: they need an assignment and carry its id. */
const JOB_STATUSES: ReadonlySet<UnitStatus> = new Set(['en_route', 'on_scene', 'transporting', 'at_hospital']);

/**
 * A crew button press → the message to publish and the new memo. Pure; `ts` is the device time of
 * the press, which the message keeps however late it is delivered (the server applies a status
 * only if it is newer than the last applied one).
 */
export function crewCommand(memo: CrewMemo, cmd: CrewCommand, ts: number): CrewOutcome {
  const a = memo.assignment;
  if (cmd.type === 'acknowledge') {
    if (!a) return { ok: false, code: 'NoAssignment' };
    if (memo.acked) return { ok: false, code: 'AlreadyAcknowledged' };
    return { ok: true, memo: { ...memo, acked: true }, publish: { kind: 'ack', msg: { assignmentId: a.assignmentId, ts } } };
  }
  const { status } = cmd;
  if (JOB_STATUSES.has(status) && !a) return { ok: false, code: 'NeedsAssignment' };
  if (status === memo.status && status !== 'transporting') return { ok: false, code: 'SameStatus' };
  const hospitalId = status === 'transporting' ? (cmd.hospitalId ?? memo.hospitalId ?? a?.hospital?.id ?? null) : memo.hospitalId;
  const msg: StatusMsg & { hospitalId?: string } = {
    status,
    ts,
    ...(a && status !== 'available' && status !== 'out_of_service' ? { incidentId: a.incidentId } : {}),
    // The assignment it answers (also the one an `available` ends), so the server never applies it to a newer job.
    ...(a ? { assignmentId: a.assignmentId } : {}),
    ...(status === 'transporting' && hospitalId ? { hospitalId } : {}),
  };
  // Back in service ends the job; out of service before reaching the patient hands it back.
  const ends = status === 'available' || (status === 'out_of_service' && (memo.status === 'dispatched' || memo.status === 'en_route'));
  const next: CrewMemo = ends
    ? { assignment: null, acked: false, status, lastStatus: msg, hospitalId: null }
    : { ...memo, status, lastStatus: msg, hospitalId, acked: memo.acked || status !== 'out_of_service' };
  return { ok: true, memo: next, publish: { kind: 'status', msg } };
}

/**
 * A new assignment from the server replaces any current one (the dispatcher re-tasked the unit).
 * The same assignment again is a QoS 1 redelivery, or the dispatcher's new destination hospital:
 * the job, its status and its ack stay, the hospital is taken.
 */
export function receiveAssignment(memo: CrewMemo, a: AssignmentMsg): CrewMemo {
  if (memo.assignment?.assignmentId === a.assignmentId) {
    const hospitalId = a.hospital?.id ?? null;
    return hospitalId === null || memo.assignment.hospital?.id === hospitalId ? memo : { ...memo, assignment: a, hospitalId };
  }
  return { ...memo, assignment: a, acked: false, status: 'dispatched', hospitalId: a.hospital?.id ?? null };
}

/**
 * The server withdrew an assignment. Only the current one counts; a unit still on its way becomes
 * available (it publishes that), one already with the patient keeps its status.
 */
export function receiveCancel(memo: CrewMemo, assignmentId: string, ts: number): { memo: CrewMemo; publish: StatusMsg | null } {
  if (memo.assignment?.assignmentId !== assignmentId) return { memo, publish: null };
  if (memo.status === 'dispatched' || memo.status === 'en_route') {
    const msg: StatusMsg = { status: 'available', ts, assignmentId };
    return { memo: { ...INITIAL_MEMO, lastStatus: msg }, publish: msg };
  }
  return { memo: { ...memo, assignment: null, acked: false }, publish: null };
}

/** Hospitals to offer for transport: the assignment's suggestion first, then the known list. */
export function hospitalChoices(memo: CrewMemo, known: readonly HospitalSummary[]): HospitalSummary[] {
  const first = memo.assignment?.hospital;
  return first ? [first, ...known.filter((h) => h.id !== first.id)] : [...known];
}
