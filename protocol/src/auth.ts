import { Type, type Static } from '@sinclair/typebox';
import { LatLngSchema, VehicleIdSchema } from './common.ts';

export const ROLES = ['dispatcher', 'supervisor', 'hospital', 'crew', 'admin', 'agency'] as const;
export const RoleSchema = Type.Union(ROLES.map((r) => Type.Literal(r)));
export type Role = (typeof ROLES)[number];

export const UsernameSchema = Type.String({ pattern: '^[a-z0-9._-]{3,40}$' });

export const LoginBodySchema = Type.Object(
  { username: Type.String({ minLength: 1, maxLength: 40 }), password: Type.String({ minLength: 1, maxLength: 200 }) },
  { additionalProperties: false },
);
export type LoginBody = Static<typeof LoginBodySchema>;

export const UserSchema = Type.Object({
  id: Type.String(),
  username: Type.String(),
  displayName: Type.String(),
  role: RoleSchema,
  hospitalId: Type.Union([Type.String(), Type.Null()]),
  vehicleId: Type.Union([VehicleIdSchema, Type.Null()]),
  /** Line 1022: the agency an `agency` user works for. */
  agencyId: Type.Optional(Type.Union([Type.String(), Type.Null()])),
});
export type User = Static<typeof UserSchema>;

export const LoginResponseSchema = Type.Object({ token: Type.String(), user: UserSchema, expiresAt: Type.String() });
export type LoginResponse = Static<typeof LoginResponseSchema>;

export const CreateUserBodySchema = Type.Object(
  {
    username: UsernameSchema,
    displayName: Type.String({ minLength: 1, maxLength: 120 }),
    password: Type.String({ minLength: 10, maxLength: 200 }),
    role: RoleSchema,
    hospitalId: Type.Optional(Type.String({ maxLength: 64 })),
    vehicleId: Type.Optional(VehicleIdSchema),
    agencyId: Type.Optional(Type.String({ maxLength: 64 })),
  },
  { additionalProperties: false },
);
export type CreateUserBody = Static<typeof CreateUserBodySchema>;

/** Emergency-department status a hospital user sets; the destination recommendation uses it. */
export const HospitalStatusBodySchema = Type.Object(
  {
    edCapacity: Type.Optional(Type.Union([Type.Integer({ minimum: 0, maximum: 10_000 }), Type.Null()])),
    diversion: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type HospitalStatusBody = Static<typeof HospitalStatusBodySchema>;

/** One case heading to (or at) a hospital, as hospital staff see it. */
export const HospitalCaseSchema = Type.Object({
  incidentId: Type.String(),
  number: Type.Integer(),
  state: Type.String(),
  category: Type.String(),
  priority: Type.Integer(),
  notes: Type.Union([Type.String(), Type.Null()]),
  vehicleId: Type.Union([Type.String(), Type.Null()]),
  callSign: Type.Union([Type.String(), Type.Null()]),
  unitPosition: Type.Union([LatLngSchema, Type.Null()]),
  /** Live ETA of the unit to the hospital, seconds; null when unknown (no position yet). */
  etaSec: Type.Union([Type.Number(), Type.Null()]),
  /** When hospital staff confirmed arrival / handover (ISO 8601), or null. */
  arrivalConfirmedAt: Type.Union([Type.String(), Type.Null()]),
  handedOverAt: Type.Union([Type.String(), Type.Null()]),
  updatedAt: Type.String(),
});
export type HospitalCase = Static<typeof HospitalCaseSchema>;
