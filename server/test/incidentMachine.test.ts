import { describe, expect, it } from 'vitest';
import { INCIDENT_STATES, UNIT_STATUSES, type IncidentState } from '@lifeline/protocol';
import { canTransition, eventTypeFor, incidentStateForUnitStatus, transition, TRANSITIONS } from '../src/core/incidentMachine.ts';

const ALLOWED: [IncidentState, IncidentState][] = [
  ['received', 'triaged'],
  ['received', 'assigned'],
  ['received', 'cancelled'],
  ['triaged', 'assigned'],
  ['triaged', 'cancelled'],
  ['assigned', 'acknowledged'],
  ['assigned', 'en_route'],
  ['assigned', 'on_scene'],
  ['assigned', 'triaged'],
  ['assigned', 'cancelled'],
  ['acknowledged', 'en_route'],
  ['acknowledged', 'on_scene'],
  ['acknowledged', 'triaged'],
  ['acknowledged', 'cancelled'],
  ['en_route', 'on_scene'],
  ['en_route', 'triaged'],
  ['en_route', 'cancelled'],
  ['on_scene', 'transporting'],
  ['on_scene', 'closed'],
  ['transporting', 'at_hospital'],
  ['at_hospital', 'closed'],
];

describe('incident state machine', () => {
  const allowed = new Set(ALLOWED.map(([a, b]) => `${a}>${b}`));
  const every = INCIDENT_STATES.flatMap((from) => INCIDENT_STATES.map((to) => [from, to] as const));

  it.each(every)('%s → %s', (from, to) => {
    const ok = allowed.has(`${from}>${to}`);
    expect(canTransition(from, to)).toBe(ok);
    const r = transition(from, to);
    expect(r.ok).toBe(ok);
    if (!r.ok) expect(r.code).toBe('INVALID_TRANSITION');
  });

  it('has exactly the documented transitions', () => {
    const table = Object.entries(TRANSITIONS).flatMap(([from, tos]) => tos.map((to) => `${from}>${to}`));
    expect(new Set(table)).toEqual(allowed);
  });

  it('closed and cancelled are terminal', () => {
    expect(TRANSITIONS.closed).toEqual([]);
    expect(TRANSITIONS.cancelled).toEqual([]);
  });

  it('names events in the past tense, and a step back to triaged releases the unit', () => {
    expect(eventTypeFor('triaged', 'assigned')).toBe('UnitAssigned');
    expect(eventTypeFor('en_route', 'on_scene')).toBe('UnitOnScene');
    expect(eventTypeFor('assigned', 'triaged')).toBe('UnitReleased');
    expect(eventTypeFor('received', 'triaged')).toBe('IncidentTriaged');
  });
});

describe('incident state for a unit status', () => {
  const cases: [IncidentState, string, IncidentState | null][] = [
    ['assigned', 'en_route', 'en_route'],
    ['acknowledged', 'en_route', 'en_route'],
    ['acknowledged', 'on_scene', 'on_scene'],
    ['en_route', 'on_scene', 'on_scene'],
    ['on_scene', 'transporting', 'transporting'],
    ['transporting', 'at_hospital', 'at_hospital'],
    ['at_hospital', 'available', 'closed'],
    ['on_scene', 'available', 'closed'],
    ['transporting', 'available', null],
    ['assigned', 'available', 'triaged'],
    ['en_route', 'available', 'triaged'],
    ['en_route', 'out_of_service', 'triaged'],
    ['on_scene', 'out_of_service', null],
    ['en_route', 'en_route', null],
    ['on_scene', 'en_route', null],
    ['closed', 'en_route', null],
    ['cancelled', 'on_scene', null],
    ['assigned', 'offline', null],
    ['assigned', 'dispatched', null],
    ['triaged', 'at_hospital', null],
  ];
  it.each(cases)('incident %s + unit %s → %s', (state, unit, expected) => {
    expect(incidentStateForUnitStatus(state, unit as (typeof UNIT_STATUSES)[number])).toBe(expected);
  });
});
