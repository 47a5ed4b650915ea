import { Type, type Static } from '@sinclair/typebox';
import { IncidentIdSchema, LatLngSchema, LatSchema, LineSchema, LngSchema, PrioritySchema, UnitStatusSchema } from './common.ts';

/**
 * `vehicles/{id}/position`, agent → server, QoS 1.
 * `ts` is device time in epoch milliseconds; `seq` a per-vehicle counter that never repeats.
 * Units: `acc` metres (horizontal accuracy), `spd` metres/second, `hdg` degrees clockwise from north.
 */
export const PositionMsgSchema = Type.Object(
  {
    seq: Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER }),
    ts: Type.Integer({ minimum: 0, maximum: 8.64e15 }),
    lat: LatSchema,
    lon: LngSchema,
    acc: Type.Optional(Type.Number({ minimum: 0, maximum: 1e6 })),
    spd: Type.Optional(Type.Number({ minimum: 0, maximum: 1000 })),
    hdg: Type.Optional(Type.Number({ minimum: 0, maximum: 360 })),
  },
  { additionalProperties: true },
);
export type PositionMsg = Static<typeof PositionMsgSchema>;

/**
 * A crew message's number (status or ack), per vehicle, never repeating. When a status or ack
 * carries one, the server answers `stored {mids: [mid]}` once the message is applied and committed
 * (or found to be a duplicate of one that was), and the agent keeps it spooled until then.
 */
export const CrewMessageIdSchema = Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER });

/** `vehicles/{id}/status`, agent → server, retained, QoS 1. The last will carries `offline`. */
export const StatusMsgSchema = Type.Object(
  {
    status: UnitStatusSchema,
    ts: Type.Integer({ minimum: 0, maximum: 8.64e15 }),
    incidentId: Type.Optional(IncidentIdSchema),
    /**
     * The assignment this status answers (its job, or the one it ends). A status naming an
     * assignment that is not the unit's current one changes nothing: a late reply to a cancelled
     * call must not touch the unit's next job. Optional: agents that do not send it keep working.
     */
    assignmentId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    /** With `transporting`: the hospital the crew chose (it becomes the incident's destination). */
    hospitalId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    mid: Type.Optional(CrewMessageIdSchema),
  },
  { additionalProperties: true },
);
export type StatusMsg = Static<typeof StatusMsgSchema>;

export const HospitalSummarySchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  location: LatLngSchema,
});
export type HospitalSummary = Static<typeof HospitalSummarySchema>;

/** `vehicles/{id}/assignment`, server → agent, QoS 1. */
export const AssignmentMsgSchema = Type.Object({
  assignmentId: Type.String({ minLength: 1, maxLength: 64 }),
  incidentId: IncidentIdSchema,
  assignedAt: Type.Integer(),
  incident: Type.Object({
    line: LineSchema,
    category: Type.String(),
    priority: PrioritySchema,
    address: Type.Optional(Type.String()),
    notes: Type.Optional(Type.String()),
    location: LatLngSchema,
  }),
  /** Where the unit should drive first: the scene. */
  destination: LatLngSchema,
  /** Suggested destination hospital (nearest by the same ETA model), when one is known. */
  hospital: Type.Optional(HospitalSummarySchema),
});
export type AssignmentMsg = Static<typeof AssignmentMsgSchema>;

/**
 * `vehicles/{id}/cancel`, server → agent, QoS 1: the assignment is withdrawn (call cancelled, or
 * the incident reassigned to another unit). The unit stops the job and reports its status.
 */
export const CancelMsgSchema = Type.Object({
  assignmentId: Type.String(),
  incidentId: IncidentIdSchema,
  reason: Type.Optional(Type.String()),
  ts: Type.Integer(),
});
export type CancelMsg = Static<typeof CancelMsgSchema>;

/** `vehicles/{id}/ack`, agent → server, QoS 1. */
export const AckMsgSchema = Type.Object(
  { assignmentId: Type.String({ minLength: 1, maxLength: 64 }), ts: Type.Integer({ minimum: 0 }), mid: Type.Optional(CrewMessageIdSchema) },
  { additionalProperties: true },
);
export type AckMsg = Static<typeof AckMsgSchema>;

/**
 * `vehicles/{id}/stored`, server → agent, QoS 1. Two confirmations, either or both present:
 * - `seq`: every position this vehicle published that *this server run* (`boot`) received, up to
 *   and including the one carrying `seq` (in receive order, which is publish order), is committed.
 *   With several server instances a "run" is one instance's uninterrupted stint as the vehicle's
 *   owner: `boot` changes whenever the vehicle moves to another instance and back.
 * - `mids`: these crew messages (status, ack carrying `mid`) are applied and committed.
 */
export const StoredMsgSchema = Type.Object({
  /** Absent when the message only confirms crew messages (only agents that send `mid` get those). */
  seq: Type.Optional(Type.Integer({ minimum: 0 })),
  /**
   * Identifies the server run that committed it. A server killed between acking the broker and
   * committing a batch loses that batch; after it restarts its acks carry a new `boot`, and an
   * agent must not let them confirm positions the old run may have lost (see the agent's
   * Forwarder: it re-anchors its confirmation window and re-sends what is unconfirmed).
   */
  boot: Type.Optional(Type.String({ maxLength: 64 })),
  mids: Type.Optional(Type.Array(CrewMessageIdSchema, { maxItems: 1000 })),
});
export type StoredMsg = Static<typeof StoredMsgSchema>;

/**
 * `servers/{instanceId}`, retained, server → servers, QoS 1: this instance is up, in run `boot`. An
 * empty payload on the same topic (last will, or a clean stop) means it left.
 */
export const ServerPresenceSchema = Type.Object({
  boot: Type.String({ minLength: 1, maxLength: 40 }),
});
export type ServerPresenceMsg = Static<typeof ServerPresenceSchema>;

/** Re-export for agents that speak lat/lng in code. */
export { LatSchema, LngSchema };
