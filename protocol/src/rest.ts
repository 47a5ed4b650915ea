import { Type, type Static } from '@sinclair/typebox';
import {
  ChannelSchema,
  IncidentIdSchema,
  IncidentStateSchema,
  LatLngSchema,
  LatSchema,
  LineSchema,
  LngSchema,
  PrioritySchema,
  UnitStatusSchema,
  VehicleIdSchema,
} from './common.ts';

export const CATEGORIES = [
  'cardiac',
  'respiratory',
  'stroke',
  'trauma',
  'traffic_accident',
  'fall',
  'burn',
  'poisoning',
  'obstetric',
  'unconscious',
  'psychiatric',
  'other',
] as const;
export const CategorySchema = Type.Union(CATEGORIES.map((c) => Type.Literal(c)));
export type Category = (typeof CATEGORIES)[number];

/** Printable text without control characters (newlines and tabs allowed in notes). */
const Text = (maxLength: number) => Type.String({ maxLength, pattern: '^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F]*$' });

/** `POST /api/incidents` */
export const CreateIncidentBodySchema = Type.Object(
  {
    line: LineSchema,
    channel: Type.Optional(ChannelSchema),
    callerPhone: Type.String({ minLength: 3, maxLength: 20, pattern: '^\\+?[0-9 ().-]{3,20}$' }),
    callerName: Type.Optional(Text(120)),
    location: LatLngSchema,
    address: Type.Optional(Text(300)),
    category: CategorySchema,
    priority: PrioritySchema,
    notes: Type.Optional(Text(2000)),
  },
  { additionalProperties: false },
);
export type CreateIncidentBody = Static<typeof CreateIncidentBodySchema>;

export const IncidentSchema = Type.Object({
  id: IncidentIdSchema,
  /** Human-friendly running number, for the radio. */
  number: Type.Integer(),
  line: LineSchema,
  channel: ChannelSchema,
  callerPhone: Type.String(),
  callerName: Type.Union([Type.String(), Type.Null()]),
  location: LatLngSchema,
  address: Type.Union([Type.String(), Type.Null()]),
  category: CategorySchema,
  priority: PrioritySchema,
  notes: Type.Union([Type.String(), Type.Null()]),
  state: IncidentStateSchema,
  vehicleId: Type.Union([VehicleIdSchema, Type.Null()]),
  assignmentId: Type.Union([Type.String(), Type.Null()]),
  /** Destination hospital, chosen at assignment (nearest capable, not on diversion). */
  hospitalId: Type.Union([Type.String(), Type.Null()]),
  /** ISO 8601 server times. */
  createdAt: Type.String(),
  updatedAt: Type.String(),
  /** Increments on every change, so clients can keep the newest copy. */
  version: Type.Integer(),
});
export type Incident = Static<typeof IncidentSchema>;

export const ETA_SOURCES = ['straight_line', 'road', 'osrm'] as const;
export const EtaSourceSchema = Type.Union(ETA_SOURCES.map((s) => Type.Literal(s)));
export type EtaSource = (typeof ETA_SOURCES)[number];

export const RecommendationSchema = Type.Object({
  vehicleId: VehicleIdSchema,
  callSign: Type.String(),
  /** Estimated travel time to the scene, seconds. */
  etaSec: Type.Number(),
  /** Travel distance to the scene, metres (road distance when a router is used). */
  distanceM: Type.Number(),
  /** Great-circle distance, metres. */
  straightLineM: Type.Number(),
  etaSource: EtaSourceSchema,
});
export type Recommendation = Static<typeof RecommendationSchema>;

/** An open incident that a new call may duplicate (same category, near, recent). */
export const PossibleDuplicateSchema = Type.Object({
  incidentId: IncidentIdSchema,
  number: Type.Integer(),
  state: IncidentStateSchema,
  distanceM: Type.Number(),
  minutesAgo: Type.Number(),
});
export type PossibleDuplicate = Static<typeof PossibleDuplicateSchema>;

export const CallerSchema = Type.Object({
  phone: Type.String(),
  flagged: Type.Boolean(),
  flagReason: Type.Union([Type.String(), Type.Null()]),
  /** Calls from this number, ever. */
  calls: Type.Integer(),
  /** The most recent incidents from this number, newest first. */
  recent: Type.Array(IncidentSchema),
});
export type Caller = Static<typeof CallerSchema>;

export const FlagCallerBodySchema = Type.Object(
  { flagged: Type.Boolean(), reason: Type.Optional(Text(300)) },
  { additionalProperties: false },
);

export const MergeBodySchema = Type.Object({ intoIncidentId: IncidentIdSchema }, { additionalProperties: false });

/**
 * Why the auto-assign policy left a call to the dispatcher: not_open (assigned, merged or
 * cancelled first), possible_duplicate, caller_flagged, no_unit, eta_too_long (best unit beyond
 * the configured ETA), fallback_eta (the best ETA is from a fallback source: the router failed),
 * units_taken (every eligible unit was taken meanwhile), attempts_exhausted (after no ack),
 * missed_ack (every eligible unit missed an acknowledgement recently: AUTO_ASSIGN_ACK_COOLDOWN_SEC).
 */
export const AUTO_ASSIGN_SKIPS = [
  'not_open',
  'possible_duplicate',
  'caller_flagged',
  'no_unit',
  'eta_too_long',
  'fallback_eta',
  'units_taken',
  'attempts_exhausted',
  'missed_ack',
] as const;
export const AutoAssignSkipSchema = Type.Union(AUTO_ASSIGN_SKIPS.map((s) => Type.Literal(s)));
export type AutoAssignSkip = (typeof AUTO_ASSIGN_SKIPS)[number];

/** What the auto-assign policy did with a new call (only for a priority it covers). */
export const AutoAssignOutcomeSchema = Type.Object({
  /** The system assigned `vehicleId` itself; the response's incident is already assigned. */
  assigned: Type.Boolean(),
  vehicleId: Type.Union([VehicleIdSchema, Type.Null()]),
  callSign: Type.Union([Type.String(), Type.Null()]),
  /** The assigned unit's ETA to the scene, seconds. */
  etaSec: Type.Union([Type.Number(), Type.Null()]),
  /** Why not, when not assigned. */
  skip: Type.Union([AutoAssignSkipSchema, Type.Null()]),
});
export type AutoAssignOutcome = Static<typeof AutoAssignOutcomeSchema>;

/** The timeline actor of what the auto-assign policy does. */
export const AUTO_ASSIGN_ACTOR = 'system:auto';

export const CreateIncidentResponseSchema = Type.Object({
  incident: IncidentSchema,
  recommendations: Type.Array(RecommendationSchema),
  possibleDuplicates: Type.Array(PossibleDuplicateSchema),
  caller: CallerSchema,
  /** Present when the server's auto-assign policy covers the call's priority. */
  autoAssign: Type.Optional(AutoAssignOutcomeSchema),
});
export type CreateIncidentResponse = Static<typeof CreateIncidentResponseSchema>;

export const RecommendationsResponseSchema = Type.Object({
  recommendations: Type.Array(RecommendationSchema),
});
export type RecommendationsResponse = Static<typeof RecommendationsResponseSchema>;

/** `POST /api/incidents/:id/assign` */
export const AssignBodySchema = Type.Object(
  {
    vehicleId: VehicleIdSchema,
    /** Why a unit other than the first recommendation was chosen. */
    reason: Type.Optional(Text(500)),
  },
  { additionalProperties: false },
);
export type AssignBody = Static<typeof AssignBodySchema>;

export const AssignResponseSchema = Type.Object({
  incident: IncidentSchema,
  assignmentId: Type.String(),
});
export type AssignResponse = Static<typeof AssignResponseSchema>;

/**
 * Vector tile paths of the offline basemap (`{z}/{x}/{y}` appended, Mapbox Vector Tile, 204 when
 * empty). Roads: layer `roads` from the loaded road graph. Boundaries: layers `land` and
 * `borders` (Natural Earth 1:10m countries).
 */
export const BASEMAP_TILES = { roads: '/api/basemap/roads', boundaries: '/api/basemap/boundaries' } as const;

/** What the server's offline basemap offers (see {@link BASEMAP_TILES}). */
export const BasemapInfoSchema = Type.Object({
  /** Road tiles of the loaded OSM road graph; null without one. */
  roads: Type.Union([
    Type.Object({
      /** [west, south, east, north] of the graph, degrees. */
      bounds: Type.Tuple([Type.Number(), Type.Number(), Type.Number(), Type.Number()]),
      minzoom: Type.Integer(),
      maxzoom: Type.Integer(),
      attribution: Type.String(),
      /** Changes with every import: appended to tile URLs (`?v=`) so browsers may cache tiles for good. */
      version: Type.String(),
    }),
    Type.Null(),
  ]),
  boundaries: Type.Object({ maxzoom: Type.Integer(), attribution: Type.String() }),
});
export type BasemapInfo = Static<typeof BasemapInfoSchema>;

/** `GET /api/config` (public): what the browser needs before login. */
export const ClientConfigSchema = Type.Object({
  mapStyleUrl: Type.Union([Type.String(), Type.Null()]),
  center: LatLngSchema,
  /** The ETA sources in the order they are asked, e.g. ['osrm', 'road', 'straight_line']. */
  etaSources: Type.Array(EtaSourceSchema),
  /** Credit to show on the map when OSM-derived data is used; null otherwise. */
  attribution: Type.Union([Type.String(), Type.Null()]),
  /** The offline basemap (drawn when mapStyleUrl is null). */
  basemap: BasemapInfoSchema,
  unitThresholds: Type.Object({ stuckDispatchedSec: Type.Integer(), staleSec: Type.Integer() }),
  /** KPI targets, seconds: callToAssign, turnout, travel, response, sceneToHospital. */
  targets: Type.Record(Type.String(), Type.Number()),
  /** The server's clock when this answer was made (ISO 8601): timers are shown in server time, whatever the browser's clock says. */
  serverTime: Type.String(),
  /** The auto-assign policy; absent or no priorities = every call waits for the dispatcher. */
  autoAssign: Type.Optional(
    Type.Object({
      priorities: Type.Array(PrioritySchema),
      /** Only when the best unit arrives within this, seconds. */
      maxEtaSec: Type.Integer(),
      /** Units the system tries on one incident (the first, then the next after no ack). */
      maxAttempts: Type.Integer(),
    }),
  ),
});
export type ClientConfig = Static<typeof ClientConfigSchema>;

/** `GET /api/incidents/:id/route`: the assigned unit's route line ([lng, lat] pairs). */
export const UnitRouteSchema = Type.Object({
  vehicleId: VehicleIdSchema,
  to: Type.Union([Type.Literal('scene'), Type.Literal('hospital')]),
  coordinates: Type.Array(Type.Tuple([Type.Number(), Type.Number()])),
  etaSec: Type.Number(),
  distanceM: Type.Number(),
  source: EtaSourceSchema,
});
export type UnitRoute = Static<typeof UnitRouteSchema>;

/** `POST /api/incidents/:id/cancel` and `/close` */
export const ReasonBodySchema = Type.Object(
  { reason: Type.Optional(Text(500)) },
  { additionalProperties: false },
);

export const IncidentParamsSchema = Type.Object({ id: IncidentIdSchema });

/**
 * `POST /api/incidents/:id/destination`: the dispatcher sends the patient to another hospital
 * than the one the server chose (a specialty, a hospital's phone call). The reason is required:
 * it goes on the timeline, and the unit gets its assignment again with the new hospital.
 */
export const ChangeDestinationBodySchema = Type.Object(
  { hospitalId: Type.String({ minLength: 1, maxLength: 64 }), reason: Type.String({ minLength: 1, maxLength: 500, pattern: '\\S' }) },
  { additionalProperties: false },
);
export type ChangeDestinationBody = Static<typeof ChangeDestinationBodySchema>;

/**
 * `POST /api/vehicles` (admin): registers a unit, which then appears on the board (offline until
 * it reports). Credentials and trackers are given only to registered units, so a typo never
 * becomes a phantom unit.
 */
export const RegisterUnitBodySchema = Type.Object(
  { id: VehicleIdSchema, callSign: Type.String({ minLength: 1, maxLength: 40, pattern: '\\S' }) },
  { additionalProperties: false },
);
export type RegisterUnitBody = Static<typeof RegisterUnitBodySchema>;

/** `POST /api/crew/ack`: the crew acknowledges its unit's current assignment from the crew page. */
export const CrewAckBodySchema = Type.Object({ assignmentId: Type.String({ minLength: 1, maxLength: 64 }) }, { additionalProperties: false });
export type CrewAckBody = Static<typeof CrewAckBodySchema>;

export const PositionSchema = Type.Object({
  lat: LatSchema,
  lng: LngSchema,
  /** Device time, ISO 8601. */
  recordedAt: Type.String(),
  speedMps: Type.Union([Type.Number(), Type.Null()]),
  headingDeg: Type.Union([Type.Number(), Type.Null()]),
});
export type Position = Static<typeof PositionSchema>;

/** One unit as the REST API and the live map see it. */
export const VehicleSchema = Type.Object({
  id: VehicleIdSchema,
  callSign: Type.String(),
  status: UnitStatusSchema,
  /** False after the unit's last will or a long silence. */
  online: Type.Boolean(),
  incidentId: Type.Union([IncidentIdSchema, Type.Null()]),
  /** When the unit entered its current status (server time, ISO 8601); null when unknown. */
  statusSince: Type.Union([Type.String(), Type.Null()]),
  position: Type.Union([PositionSchema, Type.Null()]),
  /** Why the unit's latest fix was not taken as its live position (it is stored all the same). */
  fixIssue: Type.Union([Type.Literal('null_island'), Type.Literal('future_time'), Type.Literal('implausible_jump'), Type.Null()]),
});
export type Vehicle = Static<typeof VehicleSchema>;

export const HospitalSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  location: LatLngSchema,
  /** Free emergency-department beds as last reported by the hospital; null when never reported. */
  edCapacity: Type.Union([Type.Integer(), Type.Null()]),
  /** On diversion: the hospital asks not to receive ambulances now. */
  diversion: Type.Boolean(),
});
export type Hospital = Static<typeof HospitalSchema>;

export const TimelineEventSchema = Type.Object({
  ts: Type.String(),
  type: Type.String(),
  actor: Type.String(),
  data: Type.Record(Type.String(), Type.Unknown()),
});
export type TimelineEvent = Static<typeof TimelineEventSchema>;

export const HealthSchema = Type.Object({
  /** `degraded`: something below is wrong, named in `reasons` (server/src/core/health.ts). */
  status: Type.Union([Type.Literal('ok'), Type.Literal('degraded')]),
  reasons: Type.Array(Type.String()),
  db: Type.Boolean(),
  mqtt: Type.Boolean(),
  units: Type.Integer(),
  counters: Type.Record(Type.String(), Type.Number()),
  /** Several instances (REDIS_URL): this one, and the live ones it shares the units with. */
  cluster: Type.Optional(Type.Object({ instance: Type.String(), live: Type.Array(Type.String()) })),
});

/** Longest `q` of `GET /api/geocode`. */
export const GEOCODE_MAX_QUERY = 100;
/** Most results of `GET /api/geocode`. */
export const GEOCODE_LIMIT = 10;

/**
 * `GET /api/geocode?q=…&near=lat,lng`: streets of the loaded road graph and hospitals whose name
 * matches what was typed (accents and case ignored, each word a prefix), best first; `near`
 * (the map centre) ranks nearer places higher.
 */
export const GeocodeQuerySchema = Type.Object(
  {
    q: Type.String({ minLength: 1, maxLength: GEOCODE_MAX_QUERY }),
    /** "lat,lng", decimal degrees. */
    near: Type.Optional(Type.String({ maxLength: 40 })),
  },
  { additionalProperties: false },
);

export const GeocodeResultSchema = Type.Object({
  name: Type.String(),
  kind: Type.Union([Type.Literal('street'), Type.Literal('hospital')]),
  /** A point on the street (on the road) or the hospital. */
  location: LatLngSchema,
  /** [west, south, east, north] of the street, degrees. */
  bbox: Type.Optional(Type.Tuple([Type.Number(), Type.Number(), Type.Number(), Type.Number()])),
  /** OSM `highway` class of the street's most important piece. */
  roadClass: Type.Optional(Type.String()),
});
export type GeocodeResult = Static<typeof GeocodeResultSchema>;

/** Best first, at most {@link GEOCODE_LIMIT}; without a road graph only hospitals (`/api/config` `basemap.roads` is null then). */
export const GeocodeResponseSchema = Type.Array(GeocodeResultSchema);
export type GeocodeResponse = Static<typeof GeocodeResponseSchema>;
