import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { parseCookie, stringifySetCookie } from 'cookie';
import type { ErrorBody, User } from '@lifeline/protocol';
import { allowed, type Permission } from '../../core/access.ts';
import type { Db } from '../store/db.ts';
import { userForToken } from '../store/users.ts';

export const SESSION_COOKIE = 'lifeline_session';

/** Who may call a route: a permission of core/access.ts, or `public` for routes open to everyone. */
export type RouteAccess = Permission | 'public';

declare module 'fastify' {
  interface FastifyRequest {
    user: User | null;
    token: string | null;
  }
  interface FastifyContextConfig {
    /** What the caller must be allowed to do; `public` for routes open to everyone. */
    access?: RouteAccess;
  }
}

/** Session tokens are base64url (adapters/auth/passwords.ts); anything else cannot be one. */
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{16,128}$/;

/**
 * The session token from `Authorization: Bearer …` or the session cookie, or null. Total: any
 * header text (malformed percent-escapes, NULs, arrays, megabytes of cookies) gives a token or
 * null, never an exception — it runs in socket.io middleware, where a throw ends the process.
 */
export function tokenFrom(headers: { authorization?: string | string[] | undefined; cookie?: string | string[] | undefined }): string | null {
  const auth = headers.authorization;
  if (typeof auth === 'string' && auth.startsWith('Bearer ')) return wellFormed(auth.slice(7).trim());
  if (typeof headers.cookie !== 'string') return null;
  // `cookie` wraps decodeURIComponent and returns the raw text when it fails.
  return wellFormed(parseCookie(headers.cookie)[SESSION_COOKIE]);
}

/** A token from a socket.io handshake's `auth` object (any JSON a client sends), or null. */
export function tokenFromAuth(auth: unknown): string | null {
  if (!auth || typeof auth !== 'object') return null;
  return wellFormed((auth as { token?: unknown }).token);
}

/**
 * The session cookie (`value` '' and `maxAgeSec` 0 clear it). `Secure` whenever the client
 * reached us over https — directly or, with TRUST_PROXY, through a proxy that says so.
 */
export function sessionCookie(req: Pick<FastifyRequest, 'protocol'>, value: string, maxAgeSec: number): string {
  return stringifySetCookie({ name: SESSION_COOKIE, value, path: '/', httpOnly: true, sameSite: 'strict', maxAge: maxAgeSec, secure: req.protocol === 'https' });
}

const wellFormed = (t: unknown): string | null => (typeof t === 'string' && TOKEN_SHAPE.test(t) ? t : null);

/**
 * Authorises every request on the route the router matched — never on the URL text, which the
 * router decodes (`/%61pi/users` is `/api/users`). Every route declares `config.access`; a matched
 * route without one is refused (deny by default), so a new route cannot be forgotten open.
 * Unmatched requests go on to the 404 handler. 401 without a valid session, 403 without the permission.
 */
export const authPlugin = fp(async (app: FastifyInstance, opts: { db: Db }) => {
  app.decorateRequest('user', null);
  app.decorateRequest('token', null);
  app.addHook('onRequest', async (req: FastifyRequest, reply: FastifyReply) => {
    if (req.is404) return;
    const access = req.routeOptions.config?.access;
    const token = tokenFrom(req.headers);
    if (token) {
      req.token = token;
      req.user = await userForToken(opts.db, token);
    }
    if (access === 'public') return;
    if (!req.user) return reply.code(401).send({ code: 'UNAUTHORIZED', message: 'log in first' } satisfies ErrorBody);
    if (!access || !allowed(req.user.role, access)) {
      return reply.code(403).send({ code: 'FORBIDDEN', message: `a ${req.user.role} may not do this` } satisfies ErrorBody);
    }
  });
});

/**
 * Declares the access of every route registered in `app` (an encapsulated context) and below,
 * for plugins whose routes cannot carry our config themselves (the static UI files).
 */
export function declareAccess(app: FastifyInstance, access: RouteAccess): void {
  app.addHook('onRoute', (route) => {
    route.config = { ...(route.config as object), access } as typeof route.config;
  });
}
