import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import {
  AssignBodySchema,
  AssignResponseSchema,
  RegisterUnitBodySchema,
  CrewAckBodySchema,
  HospitalSummarySchema,
  ChangeDestinationBodySchema,
  CreateIncidentBodySchema,
  CreateIncidentResponseSchema,
  CallerSchema,
  ClientConfigSchema,
  UnitRouteSchema,
  type ClientConfig,
  type CreateIncidentResponse,
  CreateUserBodySchema,
  FlagCallerBodySchema,
  MergeBodySchema,
  ErrorBodySchema,
  HealthSchema,
  HospitalCaseSchema,
  HospitalSchema,
  HospitalStatusBodySchema,
  IncidentParamsSchema,
  IncidentSchema,
  LoginBodySchema,
  LoginResponseSchema,
  ReasonBodySchema,
  RecommendationsResponseSchema,
  TimelineEventSchema,
  TrackerInputSchema,
  TrackerViewSchema,
  UnitStatusSchema,
  UserSchema,
  VehicleIdSchema,
  VehicleSchema,
  type ErrorBody,
  type Hospital,
} from '@lifeline/protocol';
import { allowed } from '../../core/access.ts';
import { computeKpis, kpisToCsv, type GroupBy } from '../../core/kpi.ts';
import { LoginThrottle } from '../../core/loginThrottle.ts';
import type { Counters } from '../../counters.ts';
import type { DispatchService } from '../../services/dispatch.ts';
import type { Fleet } from '../../services/fleet.ts';
import type { SimRuns } from '../../services/simRuns.ts';
import { issueUnitCredentials } from '../store/unitCredentials.ts';
import { DUMMY_HASH, verifyPassword } from '../auth/passwords.ts';
import type { Db } from '../store/db.ts';
import { idempotent } from './idempotency.ts';
import { timeline } from '../store/incidents.ts';
import { callerAccessLog, getCaller, logCallerAccess, setCallerFlag } from '../store/callers.ts';
import type { TrackerRegistry } from '../store/trackers.ts';
import type { HealthVerdict } from '../../core/health.ts';
import { areaReplay, incidentReplay, incidentTimes } from '../store/review.ts';
import { createSession, createUser, deleteSession, disableUser, findUserForLogin, listUsers, sessionKey } from '../store/users.ts';
import type { Revocation } from '../realtime.ts';
import { sessionCookie } from './auth.ts';
import { bearsToken } from './metrics.ts';

export interface RouteDeps {
  db: Db;
  fleet: Fleet;
  dispatch: DispatchService;
  trackers: TrackerRegistry;
  counters: Counters;
  hospitals(): Hospital[];
  refreshHospitals(): Promise<void>;
  /** Answers within 2 s whatever the dependencies do (adapters/store/dbProbe.ts). */
  health(): Promise<HealthVerdict & { db: boolean; mqtt: boolean; cluster?: { instance: string; live: string[] } }>;
  /** Static part of `/api/config`; `serverTime` is added per request. */
  clientConfig: Omit<ClientConfig, 'serverTime'>;
  /** A unit's MQTT credentials were re-issued: end its live broker sessions (embedded broker). */
  unitCredentialsRevoked?(unitId: string): void;
  /** Supervisor simulation runs (services/simRuns.ts); the routes exist only when given. */
  simRuns?: SimRuns;
  /** Applies the auto-assign policy to a created call (services/autoAssign.ts). */
  autoAssign?: { afterCreate(created: CreateIncidentResponse): Promise<CreateIncidentResponse> };
  /** METRICS_TOKEN: its bearer also reads the details of /healthz. */
  metricsToken?: string | null;
  /** A session or a user's sessions ended: end their live sockets and cached sessions everywhere. */
  revoked?(r: Revocation): void;
}

const err = (code: ErrorBody['code'], message: string): ErrorBody => ({ code, message });
const Errors = { 400: ErrorBodySchema, 401: ErrorBodySchema, 403: ErrorBodySchema, 404: ErrorBodySchema, 409: ErrorBodySchema };
/** Commands that take an Idempotency-Key (adapters/http/idempotency.ts). */
const Idempotent = { 422: ErrorBodySchema };
const statusFor = (code: string) => (code === 'NOT_FOUND' ? 404 : code === 'BAD_REQUEST' ? 400 : 409);

const CallerAccessSchema = Type.Object({
  userId: Type.String(),
  username: Type.String(),
  phone: Type.String(),
  action: Type.Union([Type.Literal('history'), Type.Literal('flag')]),
  accessedAt: Type.String({ format: 'date-time' }),
});

const WindowQuery = Type.Object({
  from: Type.String({ format: 'date-time' }),
  to: Type.String({ format: 'date-time' }),
});
const KpiQuery = Type.Object({
  from: Type.String({ format: 'date-time' }),
  to: Type.String({ format: 'date-time' }),
  groupBy: Type.Optional(Type.String({ pattern: '^(line|category|priority|day)(,(line|category|priority|day))*$' })),
});

/**
 * The REST API. Every body is validated against its `protocol/` schema before a handler runs,
 * and every route names who may call it (`config.access`, enforced by the auth plugin).
 */
export const apiRoutes =
  (d: RouteDeps): FastifyPluginAsyncTypebox =>
  async (app) => {
    const actorOf = (req: { user: { username: string; role: string } | null }) => (req.user ? `${req.user.role}:${req.user.username}` : 'anonymous');

    // Public: up or degraded, for load balancers. A logged-in user also gets the reason codes
    // when degraded (the console's connection indicator shows them); the details (counters,
    // instances) only for METRICS_TOKEN or a supervisor or admin: they tell an outsider too much
    // about the deployment.
    const HealthSummarySchema = Type.Object({
      status: Type.Union([Type.Literal('ok'), Type.Literal('degraded')]),
      reasons: Type.Optional(Type.Array(Type.String())),
    });
    app.get(
      '/healthz',
      { config: { access: 'public' }, schema: { description: 'Public: `{status}` only; a logged-in user also gets `reasons` when degraded. With METRICS_TOKEN or a supervisor/admin session: the details.', response: { 200: Type.Union([HealthSchema, HealthSummarySchema]) } } },
      async (req) => {
        const h = await d.health();
        const detailed = bearsToken(req, d.metricsToken ?? null) || (req.user !== null && allowed(req.user.role, 'review'));
        if (detailed) return { status: h.status, reasons: h.reasons, db: h.db, mqtt: h.mqtt, units: d.fleet.index.size, counters: d.counters.snapshot(), ...(h.cluster ? { cluster: h.cluster } : {}) };
        if (req.user !== null && h.status !== 'ok') return { status: h.status, reasons: h.reasons };
        return { status: h.status };
      },
    );

    app.get('/api/config', { config: { access: 'public' }, schema: { response: { 200: ClientConfigSchema } } }, async () => ({ ...d.clientConfig, serverTime: new Date().toISOString() }));

    // --- sessions -------------------------------------------------------------------------
    // Password guessing is slowed per account and per address (core/loginThrottle.ts).
    const throttle = new LoginThrottle();
    app.post('/api/auth/login', { config: { access: 'public' }, schema: { body: LoginBodySchema, response: { 200: LoginResponseSchema, ...Errors, 429: ErrorBodySchema } } }, async (req, reply) => {
      const username = req.body.username.toLowerCase();
      const verdict = throttle.check(username, req.ip, Date.now());
      if (!verdict.allowed) {
        d.counters.inc('logins_throttled');
        req.log.warn({ username, ip: req.ip, retryAfterSec: verdict.retryAfterSec }, 'login refused: too many failed attempts');
        return reply
          .code(429)
          .header('retry-after', String(verdict.retryAfterSec))
          .send(err('TOO_MANY_ATTEMPTS', `too many failed logins; try again in ${verdict.retryAfterSec} s`));
      }
      const row = await findUserForLogin(d.db, username);
      // Verify against a dummy hash for unknown users, so timing does not reveal which exist.
      const ok = await verifyPassword(req.body.password, row?.password_hash ?? DUMMY_HASH);
      if (!row || !ok) {
        d.counters.inc('login_failures');
        throttle.failed(username, req.ip, Date.now());
        req.log.info({ username, ip: req.ip }, 'login failed');
        return reply.code(401).send(err('UNAUTHORIZED', 'wrong username or password'));
      }
      throttle.succeeded(username, req.ip);
      const session = await createSession(d.db, row.id);
      void reply.header('set-cookie', sessionCookie(req, session.token, Math.floor((session.expiresAt.getTime() - Date.now()) / 1000)));
      return {
        token: session.token,
        expiresAt: session.expiresAt.toISOString(),
        user: { id: row.id, username: row.username, displayName: row.display_name, role: row.role as 'admin', hospitalId: row.hospital_id, vehicleId: row.vehicle_id, agencyId: row.agency_id },
      };
    });
    app.post('/api/auth/logout', { config: { access: 'anyone' } }, async (req, reply) => {
      if (req.token) {
        await deleteSession(d.db, req.token);
        d.revoked?.({ userId: req.user!.id, sessionKey: sessionKey(req.token) });
      }
      return reply.header('set-cookie', sessionCookie(req, '', 0)).code(204).send();
    });
    app.get('/api/auth/me', { config: { access: 'anyone' }, schema: { response: { 200: UserSchema } } }, async (req) => req.user!);

    // --- administration -------------------------------------------------------------------
    app.get('/api/users', { config: { access: 'administer' }, schema: { response: { 200: Type.Array(UserSchema) } } }, async () => listUsers(d.db));
    app.post('/api/users', { config: { access: 'administer' }, schema: { body: CreateUserBodySchema, response: { 201: UserSchema, ...Errors } } }, async (req, reply) => {
      const r = await createUser(d.db, req.body);
      return r.ok ? reply.code(201).send(r.user) : reply.code(400).send(err(r.code, r.message));
    });

    const unitExists = async (id: string) => (await d.db.selectFrom('vehicles').select('id').where('id', '=', id).executeTakeFirst()) !== undefined;
    const notRegistered = (id: string) => err('NOT_FOUND', `unit ${id} is not registered; register it first (POST /api/vehicles)`);
    app.post('/api/vehicles', { config: { access: 'administer' }, schema: { body: RegisterUnitBodySchema, response: { 201: VehicleSchema, ...Errors } } }, async (req, reply) => {
      if (await unitExists(req.body.id)) return reply.code(409).send(err('INVALID_TRANSITION', `unit ${req.body.id} is already registered`));
      await d.dispatch.ensureUnit(req.body.id, req.body.callSign.trim());
      return reply.code(201).send(d.fleet.view(req.body.id)!);
    });
    app.post(
      '/api/users/:id/disable',
      { config: { access: 'administer' }, schema: { description: 'Disables a user: it can no longer log in, and its sessions and live connections end at once.', params: Type.Object({ id: Type.String({ format: 'uuid' }) }), response: { 204: Type.Null(), ...Errors } } },
      async (req, reply) => {
        if (req.params.id === req.user!.id) return reply.code(400).send(err('BAD_REQUEST', 'you cannot disable yourself'));
        if (!(await disableUser(d.db, req.params.id))) return reply.code(404).send(err('NOT_FOUND', 'no such user'));
        d.revoked?.({ userId: req.params.id });
        return reply.code(204).send(null);
      },
    );

    app.post(
      '/api/vehicles/:id/credentials',
      {
        config: { access: 'administer' },
        schema: { params: Type.Object({ id: VehicleIdSchema }), response: { 200: Type.Object({ username: Type.String(), password: Type.String() }), ...Errors } },
      },
      async (req, reply) => {
        // Only for a registered unit: a mistyped id must not become a unit on the board.
        if (!(await unitExists(req.params.id))) return reply.code(404).send(notRegistered(req.params.id));
        const issued = await issueUnitCredentials(d.db, req.params.id);
        d.unitCredentialsRevoked?.(req.params.id);
        return issued;
      },
    );

    app.get('/api/trackers', { config: { access: 'administer' }, schema: { response: { 200: Type.Array(TrackerViewSchema) } } }, async () => d.trackers.list());
    app.post('/api/trackers', { config: { access: 'administer' }, schema: { body: TrackerInputSchema, response: { 201: TrackerViewSchema, ...Errors } } }, async (req, reply) => {
      if (!(await unitExists(req.body.vehicleId))) return reply.code(404).send(notRegistered(req.body.vehicleId));
      return reply.code(201).send(await d.trackers.add(d.db, req.body));
    });

    // --- operations (dispatchers, supervisors) ----------------------------------------------
    app.get('/api/vehicles', { config: { access: 'viewOperations' }, schema: { response: { 200: Type.Array(VehicleSchema) } } }, async () => d.fleet.views());
    app.get('/api/hospitals', { config: { access: 'viewOperations' }, schema: { response: { 200: Type.Array(HospitalSchema) } } }, async () => d.hospitals());

    app.get(
      '/api/incidents',
      {
        config: { access: 'viewOperations' },
        schema: {
          querystring: Type.Object({
            open: Type.Optional(Type.Boolean()),
            since: Type.Optional(Type.String({ format: 'date-time' })),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 5000 })),
          }),
          response: { 200: Type.Array(IncidentSchema) },
        },
      },
      async (req) => d.dispatch.listIncidents(req.query.open ?? false, { limit: req.query.limit, since: req.query.since ? new Date(req.query.since) : undefined }),
    );
    app.post(
      '/api/incidents',
      { config: { access: 'dispatch' }, schema: { body: CreateIncidentBodySchema, response: { 201: CreateIncidentResponseSchema, ...Errors, ...Idempotent } } },
      async (req, reply) => {
        const answer = async (created: CreateIncidentResponse) => ({ status: 201, body: d.autoAssign ? await d.autoAssign.afterCreate(created) : created });
        return idempotent(d.db, req, reply, {
          run: async (claim) => {
            const created = await d.dispatch.createIncident(req.body, actorOf(req), claim ?? undefined);
            return created ? answer(created) : null;
          },
          rebuild: async (incidentId) => {
            const incident = await d.dispatch.getIncident(incidentId);
            if (!incident) return { status: 404, body: err('NOT_FOUND', 'the incident created under this key no longer exists') };
            return answer(await d.dispatch.createdResponse(incident, actorOf(req)));
          },
        });
      },
    );
    app.get('/api/incidents/:id', { config: { access: 'viewOperations' }, schema: { params: IncidentParamsSchema, response: { 200: IncidentSchema, ...Errors } } }, async (req, reply) => {
      const incident = await d.dispatch.getIncident(req.params.id);
      return incident ?? reply.code(404).send(err('NOT_FOUND', 'no such incident'));
    });
    app.get(
      '/api/incidents/:id/recommendations',
      { config: { access: 'dispatch' }, schema: { params: IncidentParamsSchema, response: { 200: RecommendationsResponseSchema, ...Errors } } },
      async (req, reply) => {
        const incident = await d.dispatch.getIncident(req.params.id);
        if (!incident) return reply.code(404).send(err('NOT_FOUND', 'no such incident'));
        return { recommendations: await d.dispatch.recommendations(incident, actorOf(req)) };
      },
    );
    app.get(
      '/api/incidents/:id/route',
      { config: { access: 'viewOperations' }, schema: { params: IncidentParamsSchema, response: { 200: UnitRouteSchema, ...Errors } } },
      async (req, reply) => {
        const r = await d.dispatch.routeOfUnit(req.params.id);
        return r ?? reply.code(404).send(err('NOT_FOUND', 'no unit is on its way for this incident'));
      },
    );
    app.get(
      '/api/incidents/:id/timeline',
      { config: { access: 'viewOperations' }, schema: { params: IncidentParamsSchema, response: { 200: Type.Array(TimelineEventSchema), ...Errors } } },
      async (req, reply) => {
        const incident = await d.dispatch.getIncident(req.params.id);
        if (!incident) return reply.code(404).send(err('NOT_FOUND', 'no such incident'));
        return timeline(d.db, incident.id);
      },
    );
    for (const action of ['assign', 'reassign'] as const) {
      app.post(
        `/api/incidents/:id/${action}`,
        { config: { access: 'dispatch' }, schema: { params: IncidentParamsSchema, body: AssignBodySchema, response: { 200: AssignResponseSchema, ...Errors, ...Idempotent } } },
        async (req, reply) =>
          idempotent(d.db, req, reply, {
            run: async () => {
              const r = await d.dispatch[action](req.params.id, req.body.vehicleId, actorOf(req), req.body.reason);
              return r.ok ? { status: 200, body: { incident: r.incident, assignmentId: r.assignmentId } } : { status: statusFor(r.code), body: err(r.code, r.message) };
            },
          }),
      );
    }
    app.post(
      '/api/incidents/:id/destination',
      { config: { access: 'dispatch' }, schema: { params: IncidentParamsSchema, body: ChangeDestinationBodySchema, response: { 200: IncidentSchema, ...Errors } } },
      async (req, reply) => {
        const r = await d.dispatch.changeDestination(req.params.id, req.body.hospitalId, actorOf(req), req.body.reason.trim());
        if (r.ok) return r.incident;
        return reply.code(statusFor(r.code)).send(err(r.code, r.message));
      },
    );
    app.post(
      '/api/incidents/:id/merge',
      { config: { access: 'dispatch' }, schema: { params: IncidentParamsSchema, body: MergeBodySchema, response: { 200: IncidentSchema, ...Errors } } },
      async (req, reply) => {
        const r = await d.dispatch.merge(req.params.id, req.body.intoIncidentId, actorOf(req));
        if (r.ok) return r.incident;
        return reply.code(statusFor(r.code)).send(err(r.code, r.message));
      },
    );

    const PhoneParams = Type.Object({ phone: Type.String({ pattern: '^\\+?[0-9 ().-]{3,20}$' }) });
    // Every read of a caller's history is recorded (sql/009), for GET /api/audit/caller-access.
    app.get('/api/callers/:phone', { config: { access: 'dispatch' }, schema: { params: PhoneParams, response: { 200: CallerSchema, ...Errors } } }, async (req) => {
      await logCallerAccess(d.db, req.user!.id, req.params.phone, 'history');
      return getCaller(d.db, req.params.phone);
    });
    app.get(
      '/api/audit/caller-access',
      {
        config: { access: 'review' },
        schema: {
          description: 'Who read which caller’s history, newest first.',
          querystring: Type.Object({ phone: Type.Optional(PhoneParams.properties.phone), limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 5000 })) }),
          response: { 200: Type.Array(CallerAccessSchema) },
        },
      },
      async (req) => callerAccessLog(d.db, { ...(req.query.phone !== undefined ? { phone: req.query.phone } : {}), limit: req.query.limit ?? 500 }),
    );
    app.post(
      '/api/callers/:phone/flag',
      { config: { access: 'dispatch' }, schema: { params: PhoneParams, body: FlagCallerBodySchema, response: { 200: CallerSchema, ...Errors } } },
      async (req) => {
        await logCallerAccess(d.db, req.user!.id, req.params.phone, 'flag');
        await setCallerFlag(d.db, req.params.phone, req.body.flagged, req.body.reason ?? null, actorOf(req));
        return getCaller(d.db, req.params.phone);
      },
    );

    for (const action of ['cancel', 'close'] as const) {
      app.post(
        `/api/incidents/:id/${action}`,
        { config: { access: 'dispatch' }, schema: { params: IncidentParamsSchema, body: Type.Optional(ReasonBodySchema), response: { 200: IncidentSchema, ...Errors, ...Idempotent } } },
        async (req, reply) =>
          idempotent(d.db, req, reply, {
            run: async () => {
              const r = await d.dispatch[action](req.params.id, actorOf(req), req.body?.reason);
              return r.ok ? { status: 200, body: r.incident } : { status: statusFor(r.code), body: err(r.code, r.message) };
            },
          }),
      );
    }

    // --- review (supervisors) ---------------------------------------------------------------
    app.get('/api/incidents/:id/replay', { config: { access: 'review' }, schema: { params: IncidentParamsSchema, response: { 200: Type.Any(), ...Errors } } }, async (req, reply) => {
      const r = await incidentReplay(d.db, req.params.id);
      return r ?? reply.code(404).send(err('NOT_FOUND', 'no such incident'));
    });
    app.get(
      '/api/replay',
      {
        config: { access: 'review' },
        schema: {
          querystring: Type.Intersect([
            WindowQuery,
            Type.Object({ south: Type.Number({ minimum: -90, maximum: 90 }), west: Type.Number({ minimum: -180, maximum: 180 }), north: Type.Number({ minimum: -90, maximum: 90 }), east: Type.Number({ minimum: -180, maximum: 180 }) }),
          ]),
          response: { 200: Type.Any(), ...Errors },
        },
      },
      async (req, reply) => {
        const { from, to, south, west, north, east } = req.query;
        const span = Date.parse(to) - Date.parse(from);
        if (!(span > 0) || span > 24 * 3600 * 1000) return reply.code(400).send(err('BAD_REQUEST', 'the window must be positive and at most 24 hours'));
        if (south > north || west > east) return reply.code(400).send(err('BAD_REQUEST', 'south ≤ north and west ≤ east'));
        return areaReplay(d.db, new Date(from), new Date(to), { south, west, north, east });
      },
    );
    const kpis = async (q: { from: string; to: string; groupBy?: string }) => {
      const groupBy = (q.groupBy ? q.groupBy.split(',') : []) as GroupBy[];
      return { groupBy, groups: computeKpis(await incidentTimes(d.db, new Date(q.from), new Date(q.to)), groupBy, undefined, undefined, Date.now()) };
    };
    app.get('/api/kpis', { config: { access: 'review' }, schema: { querystring: KpiQuery, response: { 200: Type.Any(), ...Errors } } }, async (req) => kpis(req.query));
    app.get('/api/kpis.csv', { config: { access: 'review' }, schema: { querystring: KpiQuery } }, async (req, reply) => {
      const { groupBy, groups } = await kpis(req.query);
      return reply.type('text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="lifeline-kpis.csv"').send(kpisToCsv(groups, groupBy));
    });

    // --- hospital staff (scoped to their own hospital) ----------------------------------------
    app.get('/api/hospital', { config: { access: 'hospital' }, schema: { response: { 200: HospitalSchema, ...Errors } } }, async (req, reply) => {
      const h = d.hospitals().find((x) => x.id === req.user!.hospitalId);
      return h ?? reply.code(404).send(err('NOT_FOUND', 'your hospital is not configured'));
    });
    app.get('/api/hospital/cases', { config: { access: 'hospital' }, schema: { response: { 200: Type.Array(HospitalCaseSchema) } } }, async (req) =>
      d.dispatch.hospitalCases(req.user!.hospitalId!),
    );
    app.post('/api/hospital/status', { config: { access: 'hospital' }, schema: { body: HospitalStatusBodySchema, response: { 200: HospitalSchema, ...Errors } } }, async (req) => {
      const id = req.user!.hospitalId!;
      await d.db
        .updateTable('hospitals')
        .set({
          ...(req.body.edCapacity !== undefined ? { ed_capacity: req.body.edCapacity } : {}),
          ...(req.body.diversion !== undefined ? { diversion: req.body.diversion } : {}),
          status_updated_at: new Date(),
        })
        .where('id', '=', id)
        .execute();
      await d.refreshHospitals();
      return d.hospitals().find((h) => h.id === id)!;
    });
    for (const [path, type] of [
      ['arrival', 'ArrivalConfirmed'],
      ['handover', 'PatientHandedOver'],
    ] as const) {
      app.post(`/api/hospital/cases/:id/${path}`, { config: { access: 'hospital' }, schema: { params: IncidentParamsSchema, response: { 204: Type.Null(), ...Errors } } }, async (req, reply) => {
        const r = await d.dispatch.hospitalEvent(req.user!.hospitalId!, req.params.id, type, actorOf(req));
        return r.ok ? reply.code(204).send(null) : reply.code(statusFor(r.code)).send(err(r.code, r.message));
      });
    }

    // --- crew (scoped to their own unit) -------------------------------------------------------
    // The destination hospital comes with the job: a crew cannot list hospitals (viewOperations).
    app.get(
      '/api/crew/assignment',
      { config: { access: 'crew' }, schema: { response: { 200: Type.Object({ incident: Type.Union([IncidentSchema, Type.Null()]), hospital: Type.Union([HospitalSummarySchema, Type.Null()]) }) } } },
      async (req) => {
        const unit = d.fleet.view(req.user!.vehicleId!);
        const incident = unit?.incidentId ? await d.dispatch.getIncident(unit.incidentId) : null;
        const h = incident?.hospitalId ? d.hospitals().find((x) => x.id === incident.hospitalId) : undefined;
        return { incident, hospital: h ? { id: h.id, name: h.name, location: h.location } : null };
      },
    );
    // A crew with only a phone (OwnTracks as its tracker) acknowledges here, as the cab panel does over MQTT.
    app.post(
      '/api/crew/ack',
      { config: { access: 'crew' }, schema: { body: CrewAckBodySchema, response: { 204: Type.Null(), ...Errors } } },
      async (req, reply) => {
        const vehicleId = req.user!.vehicleId!;
        const unit = d.fleet.view(vehicleId);
        const incident = unit?.incidentId ? await d.dispatch.getIncident(unit.incidentId) : null;
        if (!incident || incident.assignmentId !== req.body.assignmentId) return reply.code(409).send(err('INVALID_TRANSITION', 'this is not your unit’s current assignment'));
        await d.dispatch.inOrder(vehicleId, () => d.dispatch.onAck(vehicleId, { assignmentId: req.body.assignmentId, ts: Date.now() }));
        return reply.code(204).send(null);
      },
    );
    app.post(
      '/api/crew/status',
      { config: { access: 'crew' }, schema: { body: Type.Object({ status: UnitStatusSchema }, { additionalProperties: false }), response: { 204: Type.Null(), ...Errors } } },
      async (req, reply) => {
        const vehicleId = req.user!.vehicleId!;
        await d.dispatch.inOrder(vehicleId, async () => {
          await d.dispatch.ensureUnit(vehicleId);
          await d.dispatch.onUnitStatus(vehicleId, { status: req.body.status, ts: Date.now() });
        });
        return reply.code(204).send(null);
      },
    );
  };
