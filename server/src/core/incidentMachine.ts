import type { IncidentState, UnitStatus } from '@lifeline/protocol';

/**
 * The incident life cycle: received → triaged → assigned → acknowledged → en_route → on_scene →
 * transporting → at_hospital → closed, plus cancelled. Going back to `triaged` releases the unit
 * (no ack, unit broke down, reassignment). A unit may skip ahead (on scene without reporting en
 * route) because crews under stress skip buttons; the timeline still records what happened.
 */
export const TRANSITIONS: Readonly<Record<IncidentState, readonly IncidentState[]>> = {
  received: ['triaged', 'assigned', 'cancelled'],
  triaged: ['assigned', 'cancelled'],
  assigned: ['acknowledged', 'en_route', 'on_scene', 'triaged', 'cancelled'],
  acknowledged: ['en_route', 'on_scene', 'triaged', 'cancelled'],
  en_route: ['on_scene', 'triaged', 'cancelled'],
  on_scene: ['transporting', 'closed'],
  transporting: ['at_hospital'],
  at_hospital: ['closed'],
  closed: [],
  cancelled: [],
};

export const OPEN_STATES: readonly IncidentState[] = (Object.keys(TRANSITIONS) as IncidentState[]).filter(
  (s) => s !== 'closed' && s !== 'cancelled',
);

/** States in which a unit holds the incident. */
export const UNIT_HOLDING_STATES: readonly IncidentState[] = [
  'assigned',
  'acknowledged',
  'en_route',
  'on_scene',
  'transporting',
  'at_hospital',
];

export function canTransition(from: IncidentState, to: IncidentState): boolean {
  return TRANSITIONS[from].includes(to);
}

export type TransitionResult =
  | { ok: true; from: IncidentState; to: IncidentState; eventType: string }
  | { ok: false; code: 'INVALID_TRANSITION'; from: IncidentState; to: IncidentState };

/** Timeline event type recorded when an incident enters a state. */
export function eventTypeFor(from: IncidentState, to: IncidentState): string {
  if (to === 'triaged' && from !== 'received') return 'UnitReleased';
  return EVENT_BY_STATE[to];
}

const EVENT_BY_STATE: Record<IncidentState, string> = {
  received: 'IncidentReceived',
  triaged: 'IncidentTriaged',
  assigned: 'UnitAssigned',
  acknowledged: 'AssignmentAcknowledged',
  en_route: 'UnitEnRoute',
  on_scene: 'UnitOnScene',
  transporting: 'PatientTransporting',
  at_hospital: 'UnitAtHospital',
  closed: 'IncidentClosed',
  cancelled: 'IncidentCancelled',
};

export function transition(from: IncidentState, to: IncidentState): TransitionResult {
  return canTransition(from, to)
    ? { ok: true, from, to, eventType: eventTypeFor(from, to) }
    : { ok: false, code: 'INVALID_TRANSITION', from, to };
}

/**
 * What a status reported by the unit holding an incident means for that incident.
 * Null: the status says nothing new (or nothing allowed) about the incident.
 */
export function incidentStateForUnitStatus(current: IncidentState, unit: UnitStatus): IncidentState | null {
  let target: IncidentState | null;
  switch (unit) {
    case 'en_route':
    case 'on_scene':
    case 'transporting':
    case 'at_hospital':
      target = unit;
      break;
    case 'available':
      // Back in service: the job is done if the unit reached the patient, else the call needs a unit.
      // A unit cannot be "available" mid-transport; that report is ignored until it reaches hospital.
      target = current === 'on_scene' || current === 'at_hospital' ? 'closed' : current === 'transporting' ? null : 'triaged';
      break;
    case 'out_of_service':
      target = current === 'on_scene' || current === 'transporting' || current === 'at_hospital' ? null : 'triaged';
      break;
    default:
      target = null;
  }
  if (target === null || target === current) return null;
  return canTransition(current, target) ? target : null;
}

/** A unit status that frees the unit from its incident. */
export function releasesUnit(state: IncidentState): boolean {
  return state === 'closed' || state === 'cancelled' || state === 'triaged';
}
