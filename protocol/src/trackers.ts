import { Type, type Static } from '@sinclair/typebox';
import { LatSchema, LngSchema, VehicleIdSchema } from './common.ts';

/**
 * OwnTracks `_type: "location"` on `owntracks/{user}/{device}` (owntracks.org/booklet/tech/json):
 * `tst` epoch seconds, `vel` km/h, `cog` degrees, `acc` metres. The iOS app sends −1 for a value it
 * does not know (vel, cog, alt, acc, vac): the fix is kept with that value unknown. A payload may
 * also be a JSON array of messages, `_type: "lwt"` (the app's last will: offline) or
 * `_type: "encrypted"` (server/src/adapters/mqtt/ownTracks.ts). Other `_type`s are ignored.
 */
export const OwnTracksLocationSchema = Type.Object(
  {
    _type: Type.Literal('location'),
    lat: LatSchema,
    lon: LngSchema,
    tst: Type.Integer({ minimum: 0, maximum: 8.64e12 }),
    vel: Type.Optional(Type.Number({ minimum: -1, maximum: 1000 })),
    cog: Type.Optional(Type.Number({ minimum: -1, maximum: 360 })),
    acc: Type.Optional(Type.Number({ minimum: -1 })),
    alt: Type.Optional(Type.Number()),
    tid: Type.Optional(Type.String({ maxLength: 2 })),
  },
  { additionalProperties: true },
);
export type OwnTracksLocation = Static<typeof OwnTracksLocationSchema>;

/**
 * OsmAnd / Traccar Client, query or form parameters (traccar.org/osmand): `id` or `deviceid`;
 * `timestamp` epoch seconds, epoch milliseconds or ISO 8601; `speed` knots (Traccar's unit for
 * this protocol), negative when unknown; `bearing` or `heading` degrees; `accuracy` metres.
 * Values arrive as strings and are parsed on purpose, not coerced.
 */
export const OsmAndParamsSchema = Type.Object(
  {
    id: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    deviceid: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    lat: Type.String({ maxLength: 40 }),
    lon: Type.String({ maxLength: 40 }),
    timestamp: Type.Optional(Type.String({ maxLength: 40 })),
    speed: Type.Optional(Type.String({ maxLength: 40 })),
    bearing: Type.Optional(Type.String({ maxLength: 40 })),
    heading: Type.Optional(Type.String({ maxLength: 40 })),
    accuracy: Type.Optional(Type.String({ maxLength: 40 })),
    valid: Type.Optional(Type.String({ maxLength: 10 })),
  },
  { additionalProperties: true },
);
export type OsmAndParams = Static<typeof OsmAndParamsSchema>;

/** Traccar Client 9+ JSON body: speed in m/s (-1 unknown), timestamp ISO 8601. */
export const OsmAndJsonSchema = Type.Object(
  {
    device_id: Type.String({ minLength: 1, maxLength: 200 }),
    location: Type.Object(
      {
        timestamp: Type.String({ maxLength: 40 }),
        coords: Type.Object(
          {
            latitude: LatSchema,
            longitude: LngSchema,
            accuracy: Type.Optional(Type.Number()),
            speed: Type.Optional(Type.Number()),
            heading: Type.Optional(Type.Number()),
          },
          { additionalProperties: true },
        ),
      },
      { additionalProperties: true },
    ),
  },
  { additionalProperties: true },
);
export type OsmAndJson = Static<typeof OsmAndJsonSchema>;

export const TRACKER_KINDS = ['owntracks', 'osmand'] as const;
export const TrackerSchema = Type.Object(
  {
    kind: Type.Union(TRACKER_KINDS.map((k) => Type.Literal(k))),
    /** OwnTracks: `user/device` from its topic; OsmAnd: the device id. */
    deviceKey: Type.String({ minLength: 1, maxLength: 200 }),
    vehicleId: VehicleIdSchema,
  },
  { additionalProperties: false },
);
export type Tracker = Static<typeof TrackerSchema>;

/** `POST /api/trackers`: the mapping, and the OwnTracks payload-encryption secret when the phone encrypts. */
export const TrackerInputSchema = Type.Object(
  {
    ...TrackerSchema.properties,
    /** OwnTracks "encryption key" setting (the app uses at most 32 bytes of it); never returned. */
    encryptionKey: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  },
  { additionalProperties: false },
);
export type TrackerInput = Static<typeof TrackerInputSchema>;

/** A tracker as the admin panel shows it: whether it decrypts, and why its last message was refused. */
export const TrackerViewSchema = Type.Object(
  {
    ...TrackerSchema.properties,
    encrypted: Type.Boolean(),
    lastError: Type.Union([Type.String(), Type.Null()]),
    lastErrorAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  },
  { additionalProperties: false },
);
export type TrackerView = Static<typeof TrackerViewSchema>;
