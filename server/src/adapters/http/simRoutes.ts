import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { ErrorBodySchema, SimRunBodySchema, SimRunSchema, type ErrorBody } from '@lifeline/protocol';
import type { SimRuns } from '../../services/simRuns.ts';

const err = (code: ErrorBody['code'], message: string): ErrorBody => ({ code, message });
const Errors = { 400: ErrorBodySchema, 401: ErrorBodySchema, 403: ErrorBodySchema, 404: ErrorBodySchema, 409: ErrorBodySchema };
const RunParams = Type.Object({ id: Type.String({ format: 'uuid' }) });

/** Supervisor simulation runs (access: review). The run itself happens in a child process. */
export function simRoutes(runs: SimRuns): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.post('/api/sim/runs', { config: { access: 'review' }, schema: { body: SimRunBodySchema, response: { 202: SimRunSchema, ...Errors } } }, async (req, reply) => {
      const r = await runs.start(req.body);
      if (!r.ok) return reply.code(r.code === 'SIM_BUSY' ? 409 : 400).send(err(r.code, r.message));
      return reply.code(202).send(r.run);
    });
    app.get('/api/sim/runs/:id', { config: { access: 'review' }, schema: { params: RunParams, response: { 200: SimRunSchema, ...Errors } } }, async (req, reply) => {
      return runs.get(req.params.id) ?? reply.code(404).send(err('NOT_FOUND', 'no such simulation run'));
    });
    app.get('/api/sim/runs/:id/results.csv', { config: { access: 'review' }, schema: { params: RunParams } }, async (req, reply) => {
      const csv = runs.csv(req.params.id);
      if (csv === null) return reply.code(404).send(err('NOT_FOUND', 'no finished simulation run with this id'));
      return reply.type('text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="lifeline-simulation.csv"').send(csv);
    });
  };
}
