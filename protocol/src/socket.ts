import { Type, type Static } from '@sinclair/typebox';
import { IncidentIdSchema, UnitStatusSchema, VehicleIdSchema } from './common.ts';
import { HospitalCaseSchema } from './auth.ts';
import { IncidentSchema, VehicleSchema } from './rest.ts';

/**
 * Live map contract. The handshake carries the session token (`auth: {token}`, or the session
 * cookie); dispatchers, supervisors and admins get the live map, hospital staff only their own
 * hospital's cases, a crew only its own unit's incident. A client is joined to the live rooms *before* its snapshot is built, so no
 * change can fall between the two. Unit deltas carry `seq`; a client ignores deltas whose `seq` is
 * not above its snapshot's. Incidents carry `version`; a client keeps the higher one.
 */
export const SnapshotEventSchema = Type.Object({
  seq: Type.Integer(),
  units: Type.Array(VehicleSchema),
  incidents: Type.Array(IncidentSchema),
});
export type SnapshotEvent = Static<typeof SnapshotEventSchema>;

/** Changed units since the previous frame (a few frames per second at most). */
export const UnitsDeltaEventSchema = Type.Object({
  seq: Type.Integer(),
  units: Type.Array(VehicleSchema),
});
export type UnitsDeltaEvent = Static<typeof UnitsDeltaEventSchema>;

/**
 * Something a dispatcher must act on now. `ack_timeout`: the unit did not acknowledge its
 * assignment in time. `unit_released`: the unit handed the call back by its own report (back in
 * service, out of service) before reaching the patient, so the call is waiting for a unit again.
 */
export const AlertEventSchema = Type.Object({
  type: Type.Union([Type.Literal('ack_timeout'), Type.Literal('unit_released')]),
  incidentId: IncidentIdSchema,
  vehicleId: VehicleIdSchema,
  ts: Type.String(),
  /** The auto-assign policy already gave the incident to this unit (the alert informs, it stays until dismissed). */
  autoReassignedTo: Type.Optional(VehicleIdSchema),
  /** `unit_released`: the status the unit reported (the reason the call came back). */
  unitStatus: Type.Optional(UnitStatusSchema),
});
export type AlertEvent = Static<typeof AlertEventSchema>;

/**
 * An event was added to an incident's timeline without changing the incident itself (e.g. the
 * assignment reached the broker, the unit did not ack in time, a duplicate was merged into it):
 * a client showing that timeline re-reads it. Changes of state arrive as `incident` instead.
 */
export const TimelineAppendedEventSchema = Type.Object({ incidentId: IncidentIdSchema, type: Type.String() });
export type TimelineAppendedEvent = Static<typeof TimelineAppendedEventSchema>;

/** To hospital staff: every case heading to their hospital, with live ETA (sent on change and every few seconds). */
export const HospitalCasesEventSchema = Type.Object({ hospitalId: Type.String(), cases: Type.Array(HospitalCaseSchema) });
export type HospitalCasesEvent = Static<typeof HospitalCasesEventSchema>;

export interface ServerToClientEvents {
  snapshot: (e: SnapshotEvent) => void;
  hospitalCases: (e: HospitalCasesEvent) => void;
  units: (e: UnitsDeltaEvent) => void;
  incident: (e: Static<typeof IncidentSchema>) => void;
  alert: (e: AlertEvent) => void;
  timeline: (e: TimelineAppendedEvent) => void;
}
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface ClientToServerEvents {}

export const SOCKET_EVENTS = { snapshot: 'snapshot', units: 'units', incident: 'incident', alert: 'alert', hospitalCases: 'hospitalCases', timeline: 'timeline' } as const;
