import { describe, expect, it } from 'vitest';
import type { AssignmentMsg } from '@lifeline/protocol';
import { crewCommand, hospitalChoices, INITIAL_MEMO, receiveAssignment, receiveCancel, type CrewCommand, type CrewMemo } from '../src/core/crew.ts';

const H1 = { id: 'h1', name: 'BV 1', location: { lat: 10.9, lng: 106.6 } };
const H2 = { id: 'h2', name: 'BV 2', location: { lat: 10.95, lng: 106.7 } };
const A: AssignmentMsg = {
  assignmentId: 'a-1',
  incidentId: '00000000-0000-4000-8000-000000000001',
  assignedAt: 1,
  incident: { line: '115', category: 'trauma', priority: 1, location: { lat: 10.99, lng: 106.66 }, address: 'x' },
  destination: { lat: 10.99, lng: 106.66 },
  hospital: H1,
};
const assigned = receiveAssignment(INITIAL_MEMO, A);
const at = (status: CrewMemo['status'], acked = true): CrewMemo => ({ ...assigned, status, acked });

describe('crew commands', () => {
  it.each<[string, CrewMemo, CrewCommand, string, string | null]>([
    ['acknowledge an assignment', assigned, { type: 'acknowledge' }, 'ack', null],
    ['acknowledge without one', INITIAL_MEMO, { type: 'acknowledge' }, 'NoAssignment', null],
    ['acknowledge twice', at('dispatched'), { type: 'acknowledge' }, 'AlreadyAcknowledged', null],
    ['en route', at('dispatched'), { type: 'status', status: 'en_route' }, 'en_route', null],
    ['en route without a job', INITIAL_MEMO, { type: 'status', status: 'en_route' }, 'NeedsAssignment', null],
    ['on scene', at('en_route'), { type: 'status', status: 'on_scene' }, 'on_scene', null],
    ['transporting to the suggested hospital', at('on_scene'), { type: 'status', status: 'transporting' }, 'transporting', 'h1'],
    ['transporting to a chosen hospital', at('on_scene'), { type: 'status', status: 'transporting', hospitalId: 'h2' }, 'transporting', 'h2'],
    ['at hospital', at('transporting'), { type: 'status', status: 'at_hospital' }, 'at_hospital', null],
    ['available ends the job', at('at_hospital'), { type: 'status', status: 'available' }, 'available', null],
    ['out of service while idle', INITIAL_MEMO, { type: 'status', status: 'out_of_service' }, 'out_of_service', null],
    ['the same status twice', at('en_route'), { type: 'status', status: 'en_route' }, 'SameStatus', null],
  ])('%s', (_n, memo, cmd, expected, hospitalId) => {
    const r = crewCommand(memo, cmd, 1234);
    if (!r.ok) return expect(r.code).toBe(expected);
    if (r.publish.kind === 'ack') return expect(['ack', r.publish.msg]).toEqual([expected, { assignmentId: 'a-1', ts: 1234 }]);
    expect(r.publish.msg.status).toBe(expected);
    expect(r.publish.msg.ts).toBe(1234); // the device time of the press, kept however late it is delivered
    expect(r.memo.status).toBe(expected);
    if (hospitalId) expect(r.publish.msg.hospitalId).toBe(hospitalId);
    if (['en_route', 'on_scene', 'transporting', 'at_hospital'].includes(expected)) expect(r.publish.msg.incidentId).toBe(A.incidentId);
    if (expected === 'available') expect(r.memo.assignment).toBeNull();
  });

  it('a redelivered assignment changes nothing; a new one replaces the old', () => {
    expect(receiveAssignment(assigned, A)).toBe(assigned);
    const b = receiveAssignment(at('en_route'), { ...A, assignmentId: 'a-2' });
    expect([b.assignment?.assignmentId, b.status, b.acked]).toEqual(['a-2', 'dispatched', false]);
  });

  it('the same assignment again with another hospital (the dispatcher changed the destination) keeps the job and takes the hospital', () => {
    const r = receiveAssignment(at('en_route'), { ...A, hospital: H2 });
    expect([r.assignment?.assignmentId, r.status, r.acked, r.hospitalId, r.assignment?.hospital?.id]).toEqual(['a-1', 'en_route', true, 'h2', 'h2']);
  });

  it.each<[string, CrewMemo, string, string | null, boolean]>([
    ['cancel on the way: available', at('en_route'), 'a-1', 'available', true],
    ['cancel of an old assignment: ignored', at('en_route'), 'a-0', null, false],
    ['cancel with the patient on board: status kept', at('transporting'), 'a-1', null, true],
  ])('%s', (_n, memo, id, published, cleared) => {
    const r = receiveCancel(memo, id, 99);
    expect(r.publish?.status ?? null).toBe(published);
    // The reply names the assignment it ends, so the server never applies it to the unit's next job.
    if (r.publish) expect(r.publish.assignmentId).toBe(id);
    expect(r.memo.assignment === null).toBe(cleared);
  });

  it('a status on a job names its assignment', () => {
    const r = crewCommand(at('en_route'), { type: 'status', status: 'on_scene' }, 5);
    expect(r.ok && r.publish.kind === 'status' && r.publish.msg.assignmentId).toBe('a-1');
  });

  it('hospital choices put the suggestion first', () => {
    expect(hospitalChoices(assigned, [H2, H1]).map((h) => h.id)).toEqual(['h1', 'h2']);
    expect(hospitalChoices(INITIAL_MEMO, [H2, H1]).map((h) => h.id)).toEqual(['h2', 'h1']);
  });
});
