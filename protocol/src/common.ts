import { Type, type Static } from '@sinclair/typebox';

/** Unit ids travel in MQTT topics, so they are restricted to topic-safe characters. */
export const VehicleIdSchema = Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$' });
export type VehicleId = Static<typeof VehicleIdSchema>;

export const IncidentIdSchema = Type.String({ pattern: '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$' });
export type IncidentId = Static<typeof IncidentIdSchema>;

/** WGS84 latitude in degrees. */
export const LatSchema = Type.Number({ minimum: -90, maximum: 90 });
/** WGS84 longitude in degrees. */
export const LngSchema = Type.Number({ minimum: -180, maximum: 180 });

/** A point in code and REST bodies: `{lat, lng}` (GeoJSON `[lng, lat]` only at the map edge). */
export const LatLngSchema = Type.Object(
  { lat: LatSchema, lng: LngSchema },
  { additionalProperties: false },
);
export type LatLng = Static<typeof LatLngSchema>;

export const UNIT_STATUSES = [
  'available',
  'dispatched',
  'en_route',
  'on_scene',
  'transporting',
  'at_hospital',
  'out_of_service',
  'offline',
] as const;
export const UnitStatusSchema = Type.Union(UNIT_STATUSES.map((s) => Type.Literal(s)));
export type UnitStatus = (typeof UNIT_STATUSES)[number];

export const INCIDENT_STATES = [
  'received',
  'triaged',
  'assigned',
  'acknowledged',
  'en_route',
  'on_scene',
  'transporting',
  'at_hospital',
  'closed',
  'cancelled',
] as const;
export const IncidentStateSchema = Type.Union(INCIDENT_STATES.map((s) => Type.Literal(s)));
export type IncidentState = (typeof INCIDENT_STATES)[number];

export const LINES = ['115', '1022'] as const;
export const LineSchema = Type.Union(LINES.map((s) => Type.Literal(s)));
export type Line = (typeof LINES)[number];

export const CHANNELS = ['phone', 'sms', 'zalo', 'web', 'email'] as const;
export const ChannelSchema = Type.Union(CHANNELS.map((s) => Type.Literal(s)));
export type Channel = (typeof CHANNELS)[number];

/** 1 is the most urgent, 4 the least. */
export const PrioritySchema = Type.Integer({ minimum: 1, maximum: 4 });

/** One catalog of error codes for every REST error body. */
export const ERROR_CODES = [
  'BAD_REQUEST',
  'NOT_FOUND',
  'UNAUTHORIZED',
  'FORBIDDEN',
  'UNIT_UNAVAILABLE',
  'INVALID_TRANSITION',
  'PAYLOAD_TOO_LARGE',
  /** Too many failed logins for this account or from this address: wait `Retry-After` seconds. */
  'TOO_MANY_ATTEMPTS',
  /** PostgreSQL did not answer in time (down, frozen, overloaded): nothing was done; retry later, with the same Idempotency-Key. */
  'DATABASE_UNAVAILABLE',
  /** The Idempotency-Key was already used for a different request (another route or body). */
  'IDEMPOTENCY_KEY_REUSED',
  /** The first request with this Idempotency-Key has not answered yet: retry later with the same key. */
  'IDEMPOTENCY_KEY_IN_USE',
  /** A simulation is already running (one at a time per server). */
  'SIM_BUSY',
  'INTERNAL',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];
export const ErrorBodySchema = Type.Object({
  code: Type.Union(ERROR_CODES.map((c) => Type.Literal(c))),
  message: Type.String(),
});
export type ErrorBody = Static<typeof ErrorBodySchema>;
