import { describe, expect, it } from 'vitest';
import type { AssignmentMsg, HospitalSummary } from '@lifeline/protocol';
import {
  chooseHospital,
  IDLE,
  jobFromAssignment,
  jobTarget,
  nextJobState,
  statusMsg,
  type Job,
  type JobEvent,
  type JobState,
} from '../src/core/job.ts';

const cfg = { sceneDwellSec: 120, hospitalDwellSec: 180 };
const scene = { lat: 10.99, lng: 106.66 };
const hosp = { lat: 10.97, lng: 106.68 };
const withHospital: Job = { assignmentId: 'a1', incidentId: '00000000-0000-4000-8000-000000000001', scene, hospital: hosp, hospitalId: 'H1' };
const noHospital: Job = { ...withHospital, assignmentId: 'a2', hospital: null, hospitalId: null };
const other: Job = { ...withHospital, assignmentId: 'a3', incidentId: '00000000-0000-4000-8000-000000000003' };

const S = (status: JobState['status'], job: Job | null, dwellLeftSec = 0): JobState => ({ status, job, dwellLeftSec });
const assigned = (job: Job): JobEvent => ({ type: 'assigned', job });
const arrived: JobEvent = { type: 'arrived' };
const elapsed = (dtSec: number): JobEvent => ({ type: 'elapsed', dtSec });
const cancelled = (assignmentId: string): JobEvent => ({ type: 'cancelled', assignmentId });
/** Available again after `job`: its `available` names the assignment it ends. */
const idleAfter = (job: Job): JobState => ({ ...IDLE, endedAssignmentId: job.assignmentId });

describe('nextJobState: every transition', () => {
  it.each<[string, JobState, JobEvent, JobState]>([
    // available
    ['available + assigned → en_route', IDLE, assigned(withHospital), S('en_route', withHospital)],
    ['available + arrived → unchanged', IDLE, arrived, IDLE],
    ['available + elapsed → unchanged', IDLE, elapsed(10), IDLE],
    // en_route
    ['en_route + arrived → on_scene, scene dwell starts', S('en_route', withHospital), arrived, S('on_scene', withHospital, 120)],
    ['en_route + elapsed → unchanged (driving is movement, not time)', S('en_route', withHospital), elapsed(10), S('en_route', withHospital)],
    ['en_route + assigned (re-tasked) → en_route to the new job', S('en_route', withHospital), assigned(other), S('en_route', other)],
    // on_scene
    ['on_scene + elapsed < dwell → counts down', S('on_scene', withHospital, 120), elapsed(20), S('on_scene', withHospital, 100)],
    ['on_scene + elapsed = dwell, hospital known → transporting', S('on_scene', withHospital, 20), elapsed(20), S('transporting', withHospital)],
    ['on_scene + elapsed > dwell, hospital known → transporting', S('on_scene', withHospital, 5), elapsed(20), S('transporting', withHospital)],
    ['on_scene + dwell over, no hospital → available, job dropped', S('on_scene', noHospital, 5), elapsed(20), idleAfter(noHospital)],
    ['on_scene + arrived → unchanged', S('on_scene', withHospital, 50), arrived, S('on_scene', withHospital, 50)],
    ['on_scene + assigned → en_route to the new job', S('on_scene', withHospital, 50), assigned(other), S('en_route', other)],
    // transporting
    ['transporting + arrived → at_hospital, hospital dwell starts', S('transporting', withHospital), arrived, S('at_hospital', withHospital, 180)],
    ['transporting + elapsed → unchanged', S('transporting', withHospital), elapsed(10), S('transporting', withHospital)],
    ['transporting + assigned → en_route to the new job', S('transporting', withHospital), assigned(other), S('en_route', other)],
    // at_hospital
    ['at_hospital + elapsed < dwell → counts down', S('at_hospital', withHospital, 180), elapsed(30), S('at_hospital', withHospital, 150)],
    ['at_hospital + dwell over → available', S('at_hospital', withHospital, 30), elapsed(30), idleAfter(withHospital)],
    ['at_hospital + arrived → unchanged', S('at_hospital', withHospital, 30), arrived, S('at_hospital', withHospital, 30)],
    ['at_hospital + assigned → en_route to the new job', S('at_hospital', withHospital, 30), assigned(other), S('en_route', other)],
    // cancelled: only the current assignment can be withdrawn
    ['available + cancelled → unchanged', IDLE, cancelled('a1'), IDLE],
    ['en_route + cancelled (current) → available', S('en_route', withHospital), cancelled('a1'), idleAfter(withHospital)],
    ['on_scene + cancelled (current) → available', S('on_scene', withHospital, 50), cancelled('a1'), idleAfter(withHospital)],
    ['transporting + cancelled (current) → available', S('transporting', withHospital), cancelled('a1'), idleAfter(withHospital)],
    ['at_hospital + cancelled (current) → available', S('at_hospital', withHospital, 30), cancelled('a1'), idleAfter(withHospital)],
    ['en_route + cancelled (stale id) → unchanged', S('en_route', other), cancelled('a1'), S('en_route', other)],
  ])('%s', (_name, from, event, to) => {
    expect(nextJobState(from, event, cfg)).toEqual(to);
  });

  it('walks a whole job with transport, one status per step', () => {
    const seen: string[] = [];
    let s: JobState = IDLE;
    const events: JobEvent[] = [assigned(withHospital), elapsed(60), arrived, elapsed(60), elapsed(60), arrived, elapsed(100), elapsed(100)];
    for (const e of events) {
      s = nextJobState(s, e, cfg);
      if (seen.at(-1) !== s.status) seen.push(s.status);
    }
    expect(seen).toEqual(['en_route', 'on_scene', 'transporting', 'at_hospital', 'available']);
  });

  it('zero dwell still passes through on_scene (one status message each)', () => {
    const zero = { sceneDwellSec: 0, hospitalDwellSec: 0 };
    const onScene = nextJobState(S('en_route', withHospital), arrived, zero);
    expect(onScene.status).toBe('on_scene');
    expect(nextJobState(onScene, elapsed(0), zero).status).toBe('transporting');
  });
});

describe('jobTarget', () => {
  it.each<[JobState, unknown]>([
    [IDLE, null],
    [S('en_route', withHospital), scene],
    [S('on_scene', withHospital, 10), null],
    [S('transporting', withHospital), hosp],
    [S('at_hospital', withHospital, 10), null],
  ])('%j', (state, expected) => expect(jobTarget(state)).toEqual(expected));
});

describe('statusMsg', () => {
  it('carries the incident and assignment while on a job, the ended assignment when available after one, and none before', () => {
    expect(statusMsg(S('en_route', withHospital), 5)).toEqual({ status: 'en_route', ts: 5, incidentId: withHospital.incidentId, assignmentId: 'a1' });
    expect(statusMsg(S('at_hospital', withHospital, 1), 6)).toEqual({ status: 'at_hospital', ts: 6, incidentId: withHospital.incidentId, assignmentId: 'a1' });
    expect(statusMsg(idleAfter(withHospital), 7)).toEqual({ status: 'available', ts: 7, assignmentId: 'a1' });
    expect(statusMsg(IDLE, 8)).toEqual({ status: 'available', ts: 8 });
  });
});

describe('chooseHospital / jobFromAssignment', () => {
  const near: HospitalSummary = { id: 'near', name: 'Near', location: { lat: 10.991, lng: 106.661 } };
  const far: HospitalSummary = { id: 'far', name: 'Far', location: { lat: 11.2, lng: 106.9 } };
  const suggested: HospitalSummary = { id: 'sugg', name: 'Suggested', location: { lat: 11.0, lng: 106.7 } };
  const base: AssignmentMsg = {
    assignmentId: 'as-1',
    incidentId: '00000000-0000-4000-8000-000000000009',
    assignedAt: 1,
    incident: { line: '115', category: 'cardiac', priority: 1, location: scene },
    destination: scene,
  };
  it.each<[string, AssignmentMsg, HospitalSummary[], string | null]>([
    ['the assignment’s hospital wins over the list', { ...base, hospital: suggested }, [near, far], 'sugg'],
    ['else the nearest to the scene from the list', base, [far, near], 'near'],
    ['else none', base, [], null],
  ])('%s', (_name, a, list, expectedId) => {
    expect(chooseHospital(a, list)?.id ?? null).toBe(expectedId);
    const job = jobFromAssignment(a, list);
    expect(job.hospitalId).toBe(expectedId);
    expect(job.scene).toEqual(scene);
    expect(job.hospital === null).toBe(expectedId === null);
  });
});
