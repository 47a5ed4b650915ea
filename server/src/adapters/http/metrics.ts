import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { ErrorBody } from '@lifeline/protocol';

export interface MetricsPluginOptions {
  /** The exposition text and its content type. */
  metrics: { text(): Promise<string>; readonly contentType: string; incidentCreated(seconds: number): void };
  /** METRICS_TOKEN: when set, a scrape must send `Authorization: Bearer <token>`, from anywhere. */
  token: string | null;
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|::ffff:127\.\d+\.\d+\.\d+)$/;
/** Headers a reverse proxy adds: a request carrying one came from elsewhere, whatever the socket says. */
const PROXIED = ['x-forwarded-for', 'forwarded', 'x-real-ip'];

const sha256 = (s: string) => createHash('sha256').update(s).digest();

/** Does the request carry `Authorization: Bearer <token>`? Compared in constant time. */
export function bearsToken(req: Pick<FastifyRequest, 'headers'>, token: string | null): boolean {
  if (!token) return false;
  const auth = req.headers.authorization;
  const given = typeof auth === 'string' && auth.startsWith('Bearer ') ? auth.slice(7).trim() : '';
  return given !== '' && timingSafeEqual(sha256(given), sha256(token));
}

/**
 * Who may read /metrics. With METRICS_TOKEN: whoever sends it (compared in constant time).
 * Without: only a direct connection from this machine (the socket's address, not `req.ip`, which
 * TRUST_PROXY rewrites), and not one relayed by a local reverse proxy.
 */
export function metricsAccess(req: Pick<FastifyRequest, 'headers'> & { socket: { remoteAddress?: string | undefined } }, token: string | null): { ok: true } | { ok: false; status: 401 | 403; body: ErrorBody } {
  if (token) {
    if (bearsToken(req, token)) return { ok: true };
    return { ok: false, status: 401, body: { code: 'UNAUTHORIZED', message: 'send Authorization: Bearer <METRICS_TOKEN>' } };
  }
  const direct = LOOPBACK.test(req.socket.remoteAddress ?? '') && !PROXIED.some((h) => h in req.headers);
  if (direct) return { ok: true };
  return { ok: false, status: 403, body: { code: 'FORBIDDEN', message: '/metrics answers only direct connections from this machine; set METRICS_TOKEN to scrape from elsewhere' } };
}

/**
 * GET /metrics (Prometheus text format) and the POST /api/incidents duration histogram. Shared
 * with `fastify-plugin` on purpose: its onResponse hook must see the API routes, so it is
 * registered before them.
 */
export const metricsPlugin = fp(async (app: FastifyInstance, opts: MetricsPluginOptions) => {
  // Public to the router: the handler itself lets in only METRICS_TOKEN or a direct local connection.
  app.get('/metrics', { config: { access: 'public' } }, async (req, reply) => {
    const access = metricsAccess(req, opts.token);
    if (!access.ok) return reply.code(access.status).send(access.body);
    return reply.type(opts.metrics.contentType).send(await opts.metrics.text());
  });
  app.addHook('onResponse', async (req, reply) => {
    if (req.method === 'POST' && req.routeOptions.url === '/api/incidents' && reply.statusCode < 300) opts.metrics.incidentCreated(reply.elapsedTime / 1000);
  });
});
