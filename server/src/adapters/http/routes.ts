import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import {
  AssignBodySchema,
  AssignResponseSchema,
  CreateIncidentResponseSchema,
  RecommendationsResponseSchema,
  CreateIncidentBodySchema,
  ErrorBodySchema,
  HealthSchema,
  IncidentParamsSchema,
  IncidentSchema,
  ReasonBodySchema,
  TimelineEventSchema,
  VehicleSchema,
  HospitalSchema,
  type ErrorBody,
} from '@lifeline/protocol';
import type { Counters } from '../../counters.ts';
import type { DispatchService } from '../../services/dispatch.ts';
import type { Fleet } from '../../services/fleet.ts';
import { timeline } from '../store/incidents.ts';
import type { Db } from '../store/db.ts';
import type { Hospital } from '@lifeline/protocol';

export interface RouteDeps {
  db: Db;
  fleet: Fleet;
  dispatch: DispatchService;
  counters: Counters;
  hospitals(): Hospital[];
  health(): Promise<{ db: boolean; mqtt: boolean }>;
  clientConfig: { mapStyleUrl: string | null; center: { lat: number; lng: number } };
}

const err = (code: ErrorBody['code'], message: string): ErrorBody => ({ code, message });
const Errors = { 400: ErrorBodySchema, 404: ErrorBodySchema, 409: ErrorBodySchema };

/** The REST API. Every body is validated against its `protocol/` schema before a handler runs. */
export const apiRoutes =
  (d: RouteDeps): FastifyPluginAsyncTypebox =>
  async (app) => {
    // Until login exists (roles issue), every request acts as the dispatcher console.
    const actor = 'dispatcher';

    app.get('/healthz', { schema: { response: { 200: HealthSchema } } }, async () => {
      const h = await d.health();
      return { status: 'ok' as const, db: h.db, mqtt: h.mqtt, units: d.fleet.index.size, counters: d.counters.snapshot() };
    });

    app.get('/api/config', async () => d.clientConfig);

    app.get('/api/vehicles', { schema: { response: { 200: Type.Array(VehicleSchema) } } }, async () => d.fleet.views());

    app.get('/api/hospitals', { schema: { response: { 200: Type.Array(HospitalSchema) } } }, async () => d.hospitals());

    app.get(
      '/api/incidents',
      { schema: { querystring: Type.Object({ open: Type.Optional(Type.Boolean()) }), response: { 200: Type.Array(IncidentSchema) } } },
      async (req) => d.dispatch.listIncidents(req.query.open ?? false),
    );

    app.post(
      '/api/incidents',
      { schema: { body: CreateIncidentBodySchema, response: { 201: CreateIncidentResponseSchema, ...Errors } } },
      async (req, reply) => {
        const out = await d.dispatch.createIncident(req.body, actor);
        return reply.code(201).send(out);
      },
    );

    app.get('/api/incidents/:id', { schema: { params: IncidentParamsSchema, response: { 200: IncidentSchema, ...Errors } } }, async (req, reply) => {
      const incident = await d.dispatch.getIncident(req.params.id);
      return incident ?? reply.code(404).send(err('NOT_FOUND', 'no such incident'));
    });

    app.get('/api/incidents/:id/recommendations', { schema: { params: IncidentParamsSchema, response: { 200: RecommendationsResponseSchema, ...Errors } } }, async (req, reply) => {
      const incident = await d.dispatch.getIncident(req.params.id);
      if (!incident) return reply.code(404).send(err('NOT_FOUND', 'no such incident'));
      return { recommendations: await d.dispatch.recommendations(incident, actor) };
    });

    app.get(
      '/api/incidents/:id/timeline',
      { schema: { params: IncidentParamsSchema, response: { 200: Type.Array(TimelineEventSchema), ...Errors } } },
      async (req, reply) => {
        const incident = await d.dispatch.getIncident(req.params.id);
        if (!incident) return reply.code(404).send(err('NOT_FOUND', 'no such incident'));
        return timeline(d.db, incident.id);
      },
    );

    app.post(
      '/api/incidents/:id/assign',
      { schema: { params: IncidentParamsSchema, body: AssignBodySchema, response: { 200: AssignResponseSchema, ...Errors } } },
      async (req, reply) => {
        const r = await d.dispatch.assign(req.params.id, req.body.vehicleId, actor, req.body.reason);
        if (r.ok) return { incident: r.incident, assignmentId: r.assignmentId };
        return reply.code(r.code === 'NOT_FOUND' ? 404 : 409).send(err(r.code, r.message));
      },
    );

    app.post(
      '/api/incidents/:id/reassign',
      { schema: { params: IncidentParamsSchema, body: AssignBodySchema, response: { 200: AssignResponseSchema, ...Errors } } },
      async (req, reply) => {
        const r = await d.dispatch.reassign(req.params.id, req.body.vehicleId, actor, req.body.reason);
        if (r.ok) return { incident: r.incident, assignmentId: r.assignmentId };
        return reply.code(r.code === 'NOT_FOUND' ? 404 : 409).send(err(r.code, r.message));
      },
    );

    for (const action of ['cancel', 'close'] as const) {
      app.post(
        `/api/incidents/:id/${action}`,
        { schema: { params: IncidentParamsSchema, body: Type.Optional(ReasonBodySchema), response: { 200: IncidentSchema, ...Errors } } },
        async (req, reply) => {
          const r = await d.dispatch[action](req.params.id, actor, req.body?.reason);
          if (r.ok) return r.incident;
          return reply.code(r.code === 'NOT_FOUND' ? 404 : 409).send(err(r.code, r.message));
        },
      );
    }
  };
