import type { FastifyInstance } from 'fastify';
import type { ErrorBody } from '@lifeline/protocol';

/**
 * Rules every request input keeps, whatever its route's schema says: PostgreSQL refuses U+0000 in
 * text, and JSON Schema's `number` (and ajv's coercion of "Infinity" and 1e999) lets infinities
 * through to a database that stores them or to arithmetic that turns them into NaN. Checked once,
 * after validation and coercion, so no handler ever sees such a value.
 */
export function inputProblem(value: unknown, at = '', depth = 0): string | null {
  if (typeof value === 'string') return value.includes('\u0000') ? `${at || 'input'} contains a NUL character` : null;
  if (typeof value === 'number') return Number.isFinite(value) ? null : `${at || 'input'} must be a finite number`;
  if (value === null || typeof value !== 'object') return null;
  // Bodies are at most BODY_LIMIT_BYTES, so this is bounded; the depth guard is for pathological nesting.
  if (depth > 64) return `${at || 'input'} is nested too deeply`;
  for (const [k, v] of Object.entries(value)) {
    const problem = inputProblem(k, at, depth + 1) ?? inputProblem(v, at ? `${at}.${k}` : k, depth + 1);
    if (problem) return problem;
  }
  return null;
}

/** Registers the rules for every route of `app` (call before the routes are added). */
export function enforceInputRules(app: FastifyInstance): void {
  app.addHook('preHandler', async (req, reply) => {
    const problem = inputProblem(req.params, 'params') ?? inputProblem(req.query, 'query') ?? inputProblem(req.body, 'body');
    if (problem) return reply.code(400).send({ code: 'BAD_REQUEST', message: problem } satisfies ErrorBody);
  });
}
