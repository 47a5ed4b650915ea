import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LifelineServer } from '../../src/server.ts';
import { api, TestEnv } from '../helpers.ts';
import { operations, rawRequest, type Operation } from './rawHttp.ts';

/**
 * Issue 11, item 1: authorisation is decided on the route the router matched. Every protected
 * operation of the published OpenAPI document is sent anonymously in every spelling a router may
 * take for the same route; each must be refused (401), or not be a route at all (404).
 */

/** A sample value for each path parameter (the router matches any segment). */
const fill = (path: string) => path.replace(/\{([^}]+)\}/g, (_m, name: string) => (name === 'phone' ? '0901234567' : name === 'id' ? '00000000-0000-4000-8000-000000000000' : '1'));

const hex = (c: string) => c.charCodeAt(0).toString(16).padStart(2, '0');

/** The same path as a router may read it: escapes (each character, both hex cases), slashes, case, dot segments. */
export function pathForms(path: string): string[] {
  const forms = new Set<string>([path]);
  for (let i = 1; i < path.length; i++) {
    if (path[i] === '/') continue;
    forms.add(`${path.slice(0, i)}%${hex(path[i]!)}${path.slice(i + 1)}`);
    forms.add(`${path.slice(0, i)}%${hex(path[i]!).toUpperCase()}${path.slice(i + 1)}`);
  }
  forms.add(path.replace(/[^/]/g, (c) => `%${hex(c)}`));
  forms.add(`/${path}`);
  forms.add(path.replace(/\//g, '//'));
  forms.add(`${path}/`);
  forms.add(path.toUpperCase());
  forms.add(path.replace(/\/(\w)/g, (_m, c: string) => `/${c.toUpperCase()}`));
  forms.add(`/x/..${path}`);
  forms.add(`/x/%2e%2e${path}`);
  forms.add(path.replace(/^\/(\w+)\//, '/$1/x/../'));
  forms.add(path.replace(/^\/(\w+)\//, '/$1/./'));
  forms.add(path.replace(/^\/(\w+)\//, '/$1/%2e/'));
  forms.add(`${path};x`);
  return [...forms];
}

const PUBLIC_BY_DESIGN = new Set(['GET /metrics']); // loopback-or-token, checked in its handler (metrics tests)

describe('every protected route refuses anonymous callers, however its path is spelt', () => {
  const env = new TestEnv('embedded');
  let server: LifelineServer;
  let protectedOps: Operation[] = [];

  beforeAll(async () => {
    await env.setup();
    server = await env.start();
    const doc = (await api(server.url, 'GET', '/api/openapi.json', undefined, null)).body;
    protectedOps = operations(doc).filter((o) => !PUBLIC_BY_DESIGN.has(`${o.method} ${o.path}`) && (o.op.security ?? doc.security).length > 0);
  });
  afterAll(async () => {
    await server?.stop();
    await env.teardown();
  });

  const counts = async () => {
    const n = async (t: 'users' | 'incidents' | 'vehicles' | 'trackers' | 'sessions') => Number((await server.db.selectFrom(t).select(server.db.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
    return { users: await n('users'), incidents: await n('incidents'), vehicles: await n('vehicles'), trackers: await n('trackers'), sessions: await n('sessions') };
  };

  it('the document lists the protected operations (sanity: the matrix is not empty)', () => {
    expect(protectedOps.length).toBeGreaterThan(25);
    expect(protectedOps.map((o) => `${o.method} ${o.path}`)).toContain('POST /api/users');
  });

  it('401 (or 404 where no route matches) for every form of every protected operation, and no handler runs', async () => {
    const before = await counts();
    const leaks: string[] = [];
    let sent = 0;
    for (const o of protectedOps) {
      const body = o.method === 'GET' ? undefined : JSON.stringify({ username: 'x-admin', displayName: 'x', password: 'abcdefghijk1', role: 'admin', vehicleId: 'X-1', deviceKey: 'k', kind: 'osmand', location: { lat: 10, lng: 106 } });
      for (const form of pathForms(fill(o.path))) {
        const r = await rawRequest(server.url, o.method, form, { headers: body ? { 'content-type': 'application/json' } : {}, body });
        sent++;
        if (r.status !== 401 && r.status !== 404) leaks.push(`${o.method} ${form} → ${r.status} ${r.body.slice(0, 80)}`);
      }
    }
    expect(sent).toBeGreaterThan(500);
    expect(leaks).toEqual([]);
    expect(await counts()).toEqual(before);
  });

  it('HEAD (added by fastify for every GET) is refused alike', async () => {
    for (const o of protectedOps.filter((x) => x.method === 'GET')) {
      for (const form of [fill(o.path), fill(o.path).replace('/api/', '/%61pi/')]) expect((await rawRequest(server.url, 'HEAD', form)).status, form).toBe(401);
    }
  });

  it('the issue’s repro: POST /%61pi/users creates no admin', async () => {
    const r = await rawRequest(server.url, 'POST', '/%61pi/users', {
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'x-admin', displayName: 'x', password: 'abcdefghijk1', role: 'admin' }),
    });
    expect(r.status).toBe(401);
    expect(await server.db.selectFrom('users').select('id').where('username', '=', 'x-admin').executeTakeFirst()).toBeUndefined();
  });

  it('an unmatched path is a plain 404 that says nothing about routes', async () => {
    const r = await rawRequest(server.url, 'POST', '/api/no-such-thing');
    expect(r.status).toBe(404);
    expect(r.body).not.toMatch(/access|permission|log in/i);
  });
});
