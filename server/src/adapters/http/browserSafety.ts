import helmet from '@fastify/helmet';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { ErrorBody } from '@lifeline/protocol';

const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Is this state-changing request from a page of another site? Browsers say so in
 * `Sec-Fetch-Site` and `Origin`; a request with neither (curl, the vehicle agent, a phone
 * tracker, a script with a bearer token) is not a browser's cross-site request. Total: any header
 * text gives an answer.
 */
export function crossSite(req: Pick<FastifyRequest, 'headers' | 'protocol' | 'host'>): string | null {
  const site = req.headers['sec-fetch-site'];
  if (typeof site === 'string' && site !== 'same-origin' && site !== 'none') return `Sec-Fetch-Site: ${site}`;
  const origin = req.headers.origin;
  if (origin === undefined) return null;
  if (typeof origin !== 'string' || origin !== `${req.protocol}://${req.host}`) return `Origin: ${String(origin).slice(0, 100)}`;
  return null;
}

export interface BrowserSafetyOptions {
  /** Other origins the UI may load from (MAP_STYLE_URL's), for the Content-Security-Policy. */
  extraOrigins: string[];
}

/**
 * What keeps a browser holding a session cookie from being used against us: cross-site
 * state-changing requests are refused (403), bodies must be JSON where JSON is parsed (no
 * text/plain parser, so a cross-site form's body is a 415), security headers on every answer
 * (helmet: CSP, nosniff, Referrer-Policy, frame-ancestors), and API answers are never cached.
 */
export const browserSafetyPlugin = fp(async (app: FastifyInstance, opts: BrowserSafetyOptions) => {
  // A text/plain POST is a "simple" request a page of any site may send with our cookies.
  app.removeContentTypeParser('text/plain');

  await app.register(helmet, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        // MapLibre and React set inline styles on elements.
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:', 'blob:', ...opts.extraOrigins],
        fontSrc: ["'self'", 'data:'],
        // socket.io's websocket and the basemap's tiles and glyphs are same-origin unless MAP_STYLE_URL says otherwise.
        connectSrc: ["'self'", ...opts.extraOrigins],
        // MapLibre runs its workers from the bundle or from blob: URLs.
        workerSrc: ["'self'", 'blob:'],
        childSrc: ["'self'", 'blob:'],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
      },
    },
    // Only a page served over https may ask for https-only; a LAN deployment on http must not be pinned.
    strictTransportSecurity: false,
  });

  app.addHook('onRequest', async (req, reply) => {
    if (!STATE_CHANGING.has(req.method)) return;
    const why = crossSite(req);
    if (why) {
      req.log.warn({ why, route: req.routeOptions.url }, 'cross-site request refused');
      return reply.code(403).send({ code: 'FORBIDDEN', message: 'cross-site requests are refused' } satisfies ErrorBody);
    }
  });

  app.addHook('onSend', async (req, reply, payload) => {
    // On the matched route, not the URL text; a route that chose its own caching (tiles) keeps it.
    if (req.routeOptions.url?.startsWith('/api/') && !reply.hasHeader('cache-control')) void reply.header('cache-control', 'no-store');
    if (reply.getHeader('strict-transport-security') === undefined && req.protocol === 'https') void reply.header('strict-transport-security', 'max-age=31536000');
    return payload;
  });
});
