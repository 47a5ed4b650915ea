import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { authPlugin } from '../../src/adapters/http/auth.ts';
import type { Db } from '../../src/adapters/store/db.ts';

/** Issue 11, item 1: a matched route without an access rule is refused, whatever its path. */
describe('deny by default', () => {
  it('refuses a route that declares no access, inside or outside /api, and lets declared public ones through', async () => {
    const app = Fastify();
    // No token is sent, so the database is never asked.
    await app.register(authPlugin, { db: null as unknown as Db });
    let reached = 0;
    app.get('/healthz', async () => ++reached);
    app.get('/api/thing', async () => ++reached);
    app.get('/open', { config: { access: 'public' } }, async () => 'ok');
    expect((await app.inject({ url: '/healthz' })).statusCode).toBe(401);
    expect((await app.inject({ url: '/%61pi/thing' })).statusCode).toBe(401);
    expect((await app.inject({ url: '/open' })).statusCode).toBe(200);
    expect((await app.inject({ url: '/nothing' })).statusCode).toBe(404);
    expect(reached).toBe(0);
    await app.close();
  });
});
