import { Type, type Static } from '@sinclair/typebox';
import { LatSchema, LngSchema, VehicleIdSchema } from './common.ts';

/**
 * OwnTracks `_type: "location"` on `owntracks/{user}/{device}` (owntracks.org/booklet/tech/json):
 * `tst` epoch seconds, `vel` km/h, `cog` degrees, `acc` metres. Other `_type`s are ignored.
 */
export const OwnTracksLocationSchema = Type.Object(
  {
    _type: Type.Literal('location'),
    lat: LatSchema,
    lon: LngSchema,
    tst: Type.Integer({ minimum: 0, maximum: 8.64e12 }),
    vel: Type.Optional(Type.Number({ minimum: 0, maximum: 1000 })),
    cog: Type.Optional(Type.Number({ minimum: 0, maximum: 360 })),
    acc: Type.Optional(Type.Number({ minimum: 0 })),
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
