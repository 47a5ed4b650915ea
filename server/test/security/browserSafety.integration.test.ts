import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LifelineServer } from '../../src/server.ts';
import { login, registerUnit, TEST_PASSWORD, TestEnv } from '../helpers.ts';
import { rawRequest } from './rawHttp.ts';

/**
 * Issue 11, item 7: a page of another site cannot use a logged-in browser's cookie to change
 * anything; every answer carries the security headers; the session cookie is Secure over https.
 */
describe('cross-site requests and security headers', () => {
  const env = new TestEnv('embedded');
  let server: LifelineServer;
  let admin = '';
  // The unit is registered up front (credentials are issued to registered units only): what the
  // attacks must not change is its secret.
  const credentials = async () => (await server.db.selectFrom('vehicles').select('mqtt_secret_hash').where('id', '=', 'CSRF-1').executeTakeFirst())?.mqtt_secret_hash ?? undefined;

  beforeAll(async () => {
    await env.setup();
    server = await env.start({ TRUST_PROXY: '127.0.0.1' });
    admin = await login(server, 'admin');
    await registerUnit(server, admin, 'CSRF-1');
  });
  afterAll(async () => {
    await server?.stop();
    await env.teardown();
  });

  it('the issue’s repro: a text/plain POST with an admin cookie issues no credentials (415)', async () => {
    const r = await rawRequest(server.url, 'POST', '/api/vehicles/CSRF-1/credentials', { headers: { cookie: `lifeline_session=${admin}`, 'content-type': 'text/plain' }, body: 'x' });
    expect(r.status).toBe(415);
    expect(await credentials()).toBeUndefined();
  });

  it('refuses state-changing requests from another origin or site (403), whatever the credentials', async () => {
    const attempts: Record<string, string>[] = [
      { cookie: `lifeline_session=${admin}`, origin: 'http://evil.example' },
      { authorization: `Bearer ${admin}`, origin: 'http://evil.example' },
      { cookie: `lifeline_session=${admin}`, origin: 'null' },
      { cookie: `lifeline_session=${admin}`, 'sec-fetch-site': 'cross-site' },
      { cookie: `lifeline_session=${admin}`, 'sec-fetch-site': 'same-site' },
      { cookie: `lifeline_session=${admin}`, origin: server.url.replace('127.0.0.1', 'localhost') },
    ];
    for (const headers of attempts) {
      const r = await rawRequest(server.url, 'POST', '/api/vehicles/CSRF-1/credentials', { headers });
      expect(r.status, JSON.stringify(headers)).toBe(403);
    }
    expect(await credentials()).toBeUndefined();
  });

  it('lets the same origin, and clients that send no Origin (bearer tokens, agents), through', async () => {
    const same = await rawRequest(server.url, 'POST', '/api/vehicles/CSRF-1/credentials', { headers: { cookie: `lifeline_session=${admin}`, origin: server.url, 'sec-fetch-site': 'same-origin' } });
    expect(same.status).toBe(200);
    const script = await rawRequest(server.url, 'POST', '/api/vehicles/CSRF-1/credentials', { headers: { authorization: `Bearer ${admin}` } });
    expect(script.status).toBe(200);
    // GETs are not state-changing: a cross-site image or link still loads the UI.
    expect((await rawRequest(server.url, 'GET', '/api/config', { headers: { origin: 'http://evil.example', 'sec-fetch-site': 'cross-site' } })).status).toBe(200);
  });

  it('puts the security headers on every answer, and no-store on API JSON', async () => {
    for (const path of ['/', '/api/config', '/api/incidents', '/healthz', '/api/no-such-route', '/no-such-file.js']) {
      const r = await rawRequest(server.url, 'GET', path, { headers: { authorization: `Bearer ${admin}` } });
      const csp = String(r.headers['content-security-policy']);
      expect(csp, path).toContain("frame-ancestors 'none'");
      expect(csp, path).toContain("default-src 'self'");
      expect(csp, path).toMatch(/worker-src 'self' blob:/);
      expect(r.headers['x-content-type-options'], path).toBe('nosniff');
      expect(r.headers['referrer-policy'], path).toBe('no-referrer');
    }
    for (const path of ['/api/config', '/api/incidents', '/api/openapi.json']) {
      expect((await rawRequest(server.url, 'GET', path, { headers: { authorization: `Bearer ${admin}` } })).headers['cache-control'], path).toBe('no-store');
    }
    // Tiles choose their own caching (versioned URLs).
    expect((await rawRequest(server.url, 'GET', '/api/basemap/boundaries/0/0/0.pbf')).headers['cache-control']).toMatch(/^public/);
  });

  it('marks the session cookie Secure behind a TLS-terminating proxy, and not over plain http', async () => {
    const body = JSON.stringify({ username: 'test-admin', password: TEST_PASSWORD });
    const headers = { 'content-type': 'application/json' };
    const plain = await rawRequest(server.url, 'POST', '/api/auth/login', { headers, body });
    expect(plain.status).toBe(200);
    expect(String(plain.headers['set-cookie'])).not.toMatch(/Secure/i);
    const proxied = await rawRequest(server.url, 'POST', '/api/auth/login', { headers: { ...headers, 'x-forwarded-proto': 'https' }, body });
    expect(proxied.status).toBe(200);
    expect(String(proxied.headers['set-cookie'])).toMatch(/; Secure/);
    expect(String(proxied.headers['set-cookie'])).toMatch(/HttpOnly/);
    expect(String(proxied.headers['set-cookie'])).toMatch(/SameSite=Strict/);
  });
});
