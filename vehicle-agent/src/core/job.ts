import type { AssignmentMsg, HospitalSummary, LatLng, StatusMsg } from '@lifeline/protocol';
import { distanceM } from './geo.ts';

/** The statuses this simulator moves through on its own (offline comes from the last will). */
export type JobStatus = 'available' | 'en_route' | 'on_scene' | 'transporting' | 'at_hospital';

export interface Job {
  assignmentId: string;
  incidentId: string;
  scene: LatLng;
  /** Where to take the patient; null = no hospital known, so the job ends on scene. */
  hospital: LatLng | null;
  hospitalId: string | null;
}

export interface JobState {
  status: JobStatus;
  job: Job | null;
  /** Simulated seconds left on scene or at hospital; 0 otherwise. */
  dwellLeftSec: number;
  /** Available again: the assignment that just ended, named in the `available` status it answers with. */
  endedAssignmentId?: string;
}

export type JobEvent =
  | { type: 'assigned'; job: Job }
  /** The vehicle reached the current target (scene or hospital). */
  | { type: 'arrived' }
  /** Simulated time passed. */
  | { type: 'elapsed'; dtSec: number }
  /** The server withdrew this assignment (call cancelled, or the incident given to another unit). */
  | { type: 'cancelled'; assignmentId: string };

export interface JobConfig {
  /** Simulated seconds spent on scene before transport. */
  sceneDwellSec: number;
  /** Simulated seconds spent at the hospital before becoming available. */
  hospitalDwellSec: number;
}

export const DEFAULT_JOB_CONFIG: JobConfig = { sceneDwellSec: 120, hospitalDwellSec: 180 };

export const IDLE: JobState = { status: 'available', job: null, dwellLeftSec: 0 };

/**
 * The job state machine. available → en_route → on_scene → (transporting → at_hospital →)
 * available. A new assignment replaces whatever the unit was doing (the dispatcher re-tasked it);
 * a cancel of the current assignment makes it available at once.
 * Events that do not apply in the current status leave it unchanged (same object).
 */
export function nextJobState(state: JobState, event: JobEvent, cfg: JobConfig): JobState {
  if (event.type === 'assigned') return { status: 'en_route', job: event.job, dwellLeftSec: 0 };
  // Only the current job can be withdrawn: a cancel for an older (replaced or finished) one is stale.
  if (event.type === 'cancelled') return state.job?.assignmentId === event.assignmentId ? idleAfter(state) : state;
  switch (state.status) {
    case 'en_route':
      if (event.type === 'arrived') return { status: 'on_scene', job: state.job, dwellLeftSec: cfg.sceneDwellSec };
      return state;
    case 'on_scene': {
      if (event.type !== 'elapsed') return state;
      const left = state.dwellLeftSec - event.dtSec;
      if (left > 0) return { ...state, dwellLeftSec: left };
      return state.job?.hospital ? { status: 'transporting', job: state.job, dwellLeftSec: 0 } : idleAfter(state);
    }
    case 'transporting':
      if (event.type === 'arrived') return { status: 'at_hospital', job: state.job, dwellLeftSec: cfg.hospitalDwellSec };
      return state;
    case 'at_hospital': {
      if (event.type !== 'elapsed') return state;
      const left = state.dwellLeftSec - event.dtSec;
      return left > 0 ? { ...state, dwellLeftSec: left } : idleAfter(state);
    }
    case 'available':
      return state;
  }
}

const idleAfter = (state: JobState): JobState => (state.job ? { ...IDLE, endedAssignmentId: state.job.assignmentId } : IDLE);

/** Where the unit should be driving in this state, or null when the job does not say. */
export function jobTarget(state: JobState): LatLng | null {
  if (state.status === 'en_route') return state.job?.scene ?? null;
  if (state.status === 'transporting') return state.job?.hospital ?? null;
  return null;
}

/** The retained status payload for this state; `incidentId` only while on a job. */
export function statusMsg(state: JobState, ts: number): StatusMsg {
  if (state.job && state.status !== 'available') return { status: state.status, ts, incidentId: state.job.incidentId, assignmentId: state.job.assignmentId };
  return state.endedAssignmentId ? { status: state.status, ts, assignmentId: state.endedAssignmentId } : { status: state.status, ts };
}

/** The assignment's suggested hospital, else the one nearest the scene from `known`, else none. */
export function chooseHospital(
  assignment: Pick<AssignmentMsg, 'destination' | 'hospital'>,
  known: readonly HospitalSummary[],
): HospitalSummary | null {
  if (assignment.hospital) return assignment.hospital;
  let best: HospitalSummary | null = null;
  let bestM = Infinity;
  for (const h of known) {
    const d = distanceM(assignment.destination, h.location);
    if (d < bestM) [best, bestM] = [h, d];
  }
  return best;
}

/** Turns a validated assignment message into a job, resolving the hospital. */
export function jobFromAssignment(a: AssignmentMsg, known: readonly HospitalSummary[]): Job {
  const h = chooseHospital(a, known);
  return {
    assignmentId: a.assignmentId,
    incidentId: a.incidentId,
    scene: { lat: a.destination.lat, lng: a.destination.lng },
    hospital: h ? { lat: h.location.lat, lng: h.location.lng } : null,
    hospitalId: h?.id ?? null,
  };
}
