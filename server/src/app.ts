import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { LogController, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { DEFAULT_TOPIC_PREFIX, type ErrorBody } from '@lifeline/protocol';
import { authPlugin, declareAccess } from './adapters/http/auth.ts';
import { browserSafetyPlugin } from './adapters/http/browserSafety.ts';
import { isDatabaseUnavailable } from './adapters/store/dbErrors.ts';
import { contractsPlugin } from './adapters/http/contracts.ts';
import { enforceInputRules } from './adapters/http/inputRules.ts';
import { loggedUrl, requestSerializer } from './adapters/http/logRedaction.ts';
import { metricsPlugin, type MetricsPluginOptions } from './adapters/http/metrics.ts';
import { apiRoutes, type RouteDeps } from './adapters/http/routes.ts';
import { simRoutes } from './adapters/http/simRoutes.ts';

export const UI_DIST = fileURLToPath(new URL('../../dispatcher-ui/dist/', import.meta.url));

/** Largest accepted REST body. An incident with 2,000 characters of notes is ~3 kB. */
export const BODY_LIMIT_BYTES = 64 * 1024;

/**
 * Composition of the HTTP side: API routes, the built dispatcher UI, one error handler.
 * No listen here (tests use `inject` or listen on port 0).
 */
export interface BuildAppOptions {
  logger: FastifyServerOptions['loggerInstance'];
  uiDir?: string;
  /** Reverse proxies whose X-Forwarded-For is believed (TRUST_PROXY); none by default. */
  trustProxy?: string[];
  /** GET /metrics and the request-duration histograms (adapters/http/metrics.ts). */
  metrics?: MetricsPluginOptions;
  /** MQTT_PREFIX, for the topics in /api/schemas/mqtt.json. */
  mqttPrefix?: string;
  /** MAP_STYLE_URL: its origin is allowed by the Content-Security-Policy. */
  mapStyleUrl?: string | null;
}

export function buildApp(deps: RouteDeps, opts: BuildAppOptions): FastifyInstance {
  const app = Fastify({
    loggerInstance: opts.logger,
    bodyLimit: BODY_LIMIT_BYTES,
    // Behind a balancer every request comes from its address: `req.ip` (login throttling, logs)
    // is the client's only when the proxy is named.
    trustProxy: opts.trustProxy && opts.trustProxy.length > 0 ? opts.trustProxy : false,
    // Unknown fields are an error, not silently dropped: a misspelt field must not lose data.
    ajv: { customOptions: { removeAdditional: false } },
    // One line per request is noise at dispatch-centre rates; rejections and failures are logged below.
    logController: new LogController({ disableRequestLogging: true }),
    // Whatever logs a request logs it without personal data (caller phones in URLs, bodies).
    childLoggerFactory: (logger, bindings, childOpts) => logger.child(bindings, { ...childOpts, serializers: { ...childOpts.serializers, req: requestSerializer } }),
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.setErrorHandler((error: Error & { statusCode?: number; code?: string; validation?: unknown }, req, reply) => {
    const status = error.statusCode ?? 500;
    let body: ErrorBody;
    if (error.validation) body = { code: 'BAD_REQUEST', message: error.message };
    else if (status === 413) body = { code: 'PAYLOAD_TOO_LARGE', message: `request body is larger than ${BODY_LIMIT_BYTES} bytes` };
    else if (status === 404) body = { code: 'NOT_FOUND', message: error.message };
    else if (status >= 400 && status < 500) body = { code: 'BAD_REQUEST', message: error.message };
    else if (isDatabaseUnavailable(error)) {
      req.log.warn({ err: error, url: req.routeOptions.url }, 'database unavailable');
      void reply.header('retry-after', '5').code(503).send({ code: 'DATABASE_UNAVAILABLE', message: 'the database is not answering; retry shortly' } satisfies ErrorBody);
      return;
    } else {
      // 5xx details stay in the log, never in the response.
      // Message, code and stack only: a database error's detail quotes the refused values.
      req.log.error({ err: { type: error.name, message: error.message, code: error.code, stack: error.stack }, url: loggedUrl(req) }, 'request failed');
      body = { code: 'INTERNAL', message: 'internal error' };
    }
    if (status < 500) req.log.info({ status, code: body.code, url: loggedUrl(req) }, 'request rejected');
    void reply.code(status >= 400 ? status : 500).send(body);
  });

  // Every route, including those registered later (osmand, basemap, geocode).
  enforceInputRules(app);
  void app.register(browserSafetyPlugin, { extraOrigins: opts.mapStyleUrl ? [new URL(opts.mapStyleUrl).origin] : [] });

  // First: it documents only the routes added after it (/api/openapi.json, /api/schemas/*.json).
  void app.register(contractsPlugin, { mqttPrefix: opts.mqttPrefix ?? DEFAULT_TOPIC_PREFIX });
  void app.register(authPlugin, { db: deps.db });
  // Before the API routes: its onResponse hook times them.
  if (opts.metrics) void app.register(metricsPlugin, opts.metrics);
  void app.register(apiRoutes(deps));
  if (deps.simRuns) void app.register(simRoutes(deps.simRuns));

  // The built UI is public: it holds no data, and the login page is part of it.
  const uiDir = opts.uiDir ?? UI_DIST;
  void app.register(async (ui) => {
    declareAccess(ui, 'public');
    if (existsSync(uiDir)) {
      await ui.register(fastifyStatic, { root: uiDir, prefix: '/' });
    } else {
      ui.get('/', async (_req, reply) =>
        reply.type('text/html').send('<!doctype html><meta charset="utf-8"><title>Lifeline</title><p>The dispatcher UI is not built. Run <code>pnpm build</code>.</p>'),
      );
    }
  });
  return app;
}
