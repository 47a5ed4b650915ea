import { Type, type Static } from '@sinclair/typebox';
import { ChannelSchema, LatLngSchema } from './common.ts';

/**
 * Line 1022 requests that are not emergencies: field reports (phản ánh hiện trường) routed to the
 * agency that fixes them, procedure questions and suggestions. Emergencies stay incidents.
 */
export const REPORT_TYPES = ['field_report', 'procedure_question', 'suggestion'] as const;
export const ReportTypeSchema = Type.Union(REPORT_TYPES.map((t) => Type.Literal(t)));
export type ReportType = (typeof REPORT_TYPES)[number];

/** Where a report is: with the centre (received, returned), at an agency (forwarded, accepted), or done. */
export const REPORT_STATES = ['received', 'forwarded', 'accepted', 'returned', 'closed'] as const;
export const ReportStateSchema = Type.Union(REPORT_STATES.map((s) => Type.Literal(s)));
export type ReportState = (typeof REPORT_STATES)[number];

/** Category and agency ids are data (tables), so they are checked there, not enumerated here. */
export const DataIdSchema = Type.String({ pattern: '^[a-z0-9_-]{1,64}$' });

const Text = (maxLength: number, minLength = 0) => Type.String({ minLength, maxLength, pattern: '^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F]*$' });
const PhoneSchema = Type.String({ minLength: 3, maxLength: 20, pattern: '^\\+?[0-9 ().-]{3,20}$' });
const Nullable = <T extends import('@sinclair/typebox').TSchema>(t: T) => Type.Union([t, Type.Null()]);

/** A report as the centre and agencies see it. */
export const ReportSchema = Type.Object({
  id: Type.String(),
  number: Type.Integer(),
  type: ReportTypeSchema,
  channel: ChannelSchema,
  categoryId: Nullable(Type.String()),
  description: Type.String(),
  location: Nullable(LatLngSchema),
  address: Nullable(Type.String()),
  callerPhone: Type.String(),
  callerName: Nullable(Type.String()),
  /** The caller is flagged as harassing: the report arrives all the same, marked. */
  callerFlagged: Type.Boolean(),
  state: ReportStateSchema,
  agencyId: Nullable(Type.String()),
  agencyName: Nullable(Type.String()),
  /** A field report that no agency's rules cover: it stays with the centre until forwarded by hand. */
  unrouted: Type.Boolean(),
  /** When the current agency must have answered (ISO 8601), null while at the centre. */
  dueAt: Nullable(Type.String()),
  answer: Nullable(Type.String()),
  answeredAt: Nullable(Type.String()),
  rating: Nullable(Type.Union([Type.Literal('satisfied'), Type.Literal('unsatisfied')])),
  media: Type.Array(Type.Object({ id: Type.String(), kind: Type.Union([Type.Literal('citizen'), Type.Literal('agency')]), contentType: Type.String(), bytes: Type.Integer() })),
  createdAt: Type.String(),
  updatedAt: Type.String(),
});
export type Report = Static<typeof ReportSchema>;

/** What a citizen sends from the public page (a multipart field `report`, JSON), or a dispatcher from the intake. */
export const CreateReportBodySchema = Type.Object(
  {
    type: ReportTypeSchema,
    categoryId: Type.Optional(DataIdSchema),
    description: Text(4000, 3),
    location: Type.Optional(LatLngSchema),
    address: Type.Optional(Text(300)),
    callerPhone: PhoneSchema,
    callerName: Type.Optional(Text(120)),
    channel: Type.Optional(ChannelSchema),
  },
  { additionalProperties: false },
);
export type CreateReportBody = Static<typeof CreateReportBodySchema>;

export const CreateReportResponseSchema = Type.Object({
  report: ReportSchema,
  /** Shown to the citizen once; only its hash is stored. */
  trackingCode: Type.String(),
});

/** What the citizen sees with the tracking code: no phone, no internal notes. */
export const PublicReportSchema = Type.Object({
  number: Type.Integer(),
  type: ReportTypeSchema,
  categoryId: Nullable(Type.String()),
  description: Type.String(),
  state: ReportStateSchema,
  agencyName: Nullable(Type.String()),
  answer: Nullable(Type.String()),
  answeredAt: Nullable(Type.String()),
  rating: Nullable(Type.Union([Type.Literal('satisfied'), Type.Literal('unsatisfied')])),
  media: Type.Array(Type.Object({ id: Type.String(), kind: Type.Union([Type.Literal('citizen'), Type.Literal('agency')]), contentType: Type.String() })),
  createdAt: Type.String(),
});
export type PublicReport = Static<typeof PublicReportSchema>;

export const TrackingCodeSchema = Type.String({ minLength: 10, maxLength: 40, pattern: '^[0-9A-Za-z-]+$' });
export const TrackBodySchema = Type.Object({ code: TrackingCodeSchema }, { additionalProperties: false });
export const RateBodySchema = Type.Object({ code: TrackingCodeSchema, rating: Type.Union([Type.Literal('satisfied'), Type.Literal('unsatisfied')]) }, { additionalProperties: false });

export const ForwardBodySchema = Type.Object({ agencyId: DataIdSchema, reason: Text(500, 3) }, { additionalProperties: false });
export const ReasonOnlyBodySchema = Type.Object({ reason: Text(500, 3) }, { additionalProperties: false });
export const AnswerBodySchema = Type.Object({ text: Text(4000, 1) }, { additionalProperties: false });

export const ReportCategorySchema = Type.Object(
  {
    id: DataIdSchema,
    nameVi: Text(120, 1),
    nameEn: Text(120, 1),
    defaultAgencyId: Type.Optional(Nullable(DataIdSchema)),
    deadlineHours: Type.Integer({ minimum: 1, maximum: 24 * 90 }),
  },
  { additionalProperties: false },
);
export type ReportCategory = Static<typeof ReportCategorySchema>;

/** An agency's area: a GeoJSON Polygon or MultiPolygon (holes allowed), or null for "everywhere". */
export const AreaSchema = Type.Union([
  Type.Object({ type: Type.Literal('Polygon'), coordinates: Type.Array(Type.Array(Type.Tuple([Type.Number(), Type.Number()]), { minItems: 4 }), { minItems: 1, maxItems: 100 }) }),
  Type.Object({
    type: Type.Literal('MultiPolygon'),
    coordinates: Type.Array(Type.Array(Type.Array(Type.Tuple([Type.Number(), Type.Number()]), { minItems: 4 }), { minItems: 1 }), { minItems: 1, maxItems: 100 }),
  }),
  Type.Null(),
]);

export const AgencySchema = Type.Object(
  {
    id: DataIdSchema,
    name: Text(200, 1),
    area: AreaSchema,
    /** Category id → response deadline in hours (null: the category's default). */
    categories: Type.Record(Type.String({ pattern: '^[a-z0-9_-]{1,64}$' }), Nullable(Type.Integer({ minimum: 1, maximum: 24 * 90 }))),
  },
  { additionalProperties: false },
);
export type Agency = Static<typeof AgencySchema>;

/** `POST /api/line1022/import` (JSON); the CSV form has the same columns per kind. */
export const Line1022ImportSchema = Type.Object(
  {
    categories: Type.Optional(Type.Array(ReportCategorySchema, { maxItems: 200 })),
    agencies: Type.Optional(Type.Array(AgencySchema, { maxItems: 500 })),
  },
  { additionalProperties: false },
);
export type Line1022Import = Static<typeof Line1022ImportSchema>;

export const ReportTimelineEventSchema = Type.Object({ ts: Type.String(), type: Type.String(), actor: Type.String(), data: Type.Any() });

export { PhoneSchema as ReportPhoneSchema };
