import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LifelineServer } from '../src/server.ts';
import { loadConfig } from '../src/config.ts';
import { login, TEST_PASSWORD, TestEnv } from './helpers.ts';

/** POST /api/auth/login with an optional X-Forwarded-For; returns status, body and Retry-After. */
async function attempt(server: LifelineServer, username: string, password: string, forwardedFor?: string) {
  const res = await fetch(`${server.url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(forwardedFor ? { 'x-forwarded-for': forwardedFor } : {}) },
    body: JSON.stringify({ username, password }),
  });
  return { status: res.status, body: (await res.json()) as { code?: string; message?: string }, retryAfter: res.headers.get('retry-after') };
}

describe('login throttling (real server, embedded PostgreSQL)', () => {
  const env = new TestEnv('embedded');
  let server: LifelineServer;

  beforeAll(async () => {
    await env.setup();
    // The test client is 127.0.0.1: named as a proxy, its X-Forwarded-For gives each "client" address.
    server = await env.start({ TRUST_PROXY: '127.0.0.1' });
    await login(server, 'dispatcher', { username: 'alice' });
    await login(server, 'dispatcher', { username: 'bob' });
  });
  afterAll(async () => {
    await server?.stop();
    await env.teardown();
  });

  it('locks an account on an address after 5 wrong passwords, even against the right one, with Retry-After; other accounts and addresses still log in', async () => {
    for (let i = 0; i < 5; i++) expect((await attempt(server, 'alice', 'wrong password', '192.0.2.10')).status).toBe(401);
    const locked = await attempt(server, 'alice', TEST_PASSWORD, '192.0.2.10');
    expect(locked.status).toBe(429);
    expect(locked.body.code).toBe('TOO_MANY_ATTEMPTS');
    expect(Number(locked.retryAfter)).toBeGreaterThan(0);
    expect(Number(locked.retryAfter)).toBeLessThanOrEqual(30);
    // Same address (a call centre behind one NAT), another account: not locked.
    expect((await attempt(server, 'bob', TEST_PASSWORD, '192.0.2.10')).status).toBe(200);
    // The account itself, from an address with no failures (its user's desk): not locked (ASVS 2.2.1).
    expect((await attempt(server, 'alice', TEST_PASSWORD, '192.0.2.11')).status).toBe(200);
    const health = await fetch(`${server.url}/healthz`, { headers: { authorization: `Bearer ${await login(server, 'supervisor')}` } }).then((r) => r.json() as Promise<{ counters: Record<string, number> }>);
    expect(health.counters.logins_throttled).toBeGreaterThanOrEqual(1);
    expect(health.counters.login_failures).toBeGreaterThanOrEqual(5);
  });

  it('locks an address that sprays many accounts, and only that address', async () => {
    for (let i = 0; i < 50; i++) expect((await attempt(server, `nobody-${i}`, 'x', '198.51.100.7')).status).toBe(401);
    expect((await attempt(server, 'bob', TEST_PASSWORD, '198.51.100.7')).status).toBe(429);
    expect((await attempt(server, 'bob', TEST_PASSWORD, '198.51.100.8')).status).toBe(200);
  });
});

describe('TRUST_PROXY', () => {
  it('takes addresses and CIDRs, and names a bad entry', () => {
    expect(loadConfig({ TRUST_PROXY: '127.0.0.1, 10.0.0.0/8,::1' }).trustProxy).toEqual(['127.0.0.1', '10.0.0.0/8', '::1']);
    expect(loadConfig({}).trustProxy).toEqual([]);
    expect(() => loadConfig({ TRUST_PROXY: 'proxy.local' })).toThrow(/TRUST_PROXY: "proxy.local" is not an IP address or CIDR/);
  });
});
