import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { ErrorBody, User } from '@lifeline/protocol';
import { allowed, type Permission } from '../../core/access.ts';
import type { Db } from '../store/db.ts';
import { userForToken } from '../store/users.ts';

export const SESSION_COOKIE = 'lifeline_session';

declare module 'fastify' {
  interface FastifyRequest {
    user: User | null;
    token: string | null;
  }
  interface FastifyContextConfig {
    /** What the caller must be allowed to do; `public` for routes open to everyone. */
    access?: Permission | 'public';
  }
}

/** The session token from `Authorization: Bearer …` or the session cookie. */
export function tokenFrom(headers: { authorization?: string | string[] | undefined; cookie?: string | string[] | undefined }): string | null {
  const auth = headers.authorization;
  if (typeof auth === 'string' && auth.startsWith('Bearer ')) return auth.slice(7).trim() || null;
  const cookie = typeof headers.cookie === 'string' ? headers.cookie : '';
  for (const part of cookie.split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === SESSION_COOKIE) return decodeURIComponent(v.join('=')) || null;
  }
  return null;
}

/**
 * Authorises every /api route by role: a route without an `access` config is refused (deny by
 * default), so a new route cannot be forgotten open. 401 without a valid session, 403 without the
 * permission.
 */
export const authPlugin = fp(async (app: FastifyInstance, opts: { db: Db }) => {
  app.decorateRequest('user', null);
  app.decorateRequest('token', null);
  app.addHook('onRequest', async (req: FastifyRequest, reply: FastifyReply) => {
    if (!req.url.startsWith('/api/')) return;
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
