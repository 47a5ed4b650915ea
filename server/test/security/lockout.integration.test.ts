import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LifelineServer } from '../../src/server.ts';
import { api, login, TEST_PASSWORD, TestEnv } from '../helpers.ts';
import { rawRequest } from './rawHttp.ts';

/**
 * Issue 11, item 6: 50 requests from one address locked 10/10 dispatcher accounts. Guessing from
 * one address now locks that address (and its pairs) only; the dispatchers still log in from theirs.
 */
describe('lock-out cannot be used to lock dispatchers out', () => {
  const env = new TestEnv('embedded');
  let server: LifelineServer;
  const dispatchers = Array.from({ length: 10 }, (_, i) => `desk-${i}`);

  const attempt = (username: string, password: string, from: string) =>
    rawRequest(server.url, 'POST', '/api/auth/login', { headers: { 'content-type': 'application/json', 'x-forwarded-for': from }, body: JSON.stringify({ username, password }) });

  beforeAll(async () => {
    await env.setup();
    // The test client is 127.0.0.1: named as a proxy, its X-Forwarded-For gives each "client" address.
    server = await env.start({ TRUST_PROXY: '127.0.0.1' });
    for (const u of dispatchers) await login(server, 'dispatcher', { username: u });
  });
  afterAll(async () => {
    await server?.stop();
    await env.teardown();
  });

  it('50 wrong passwords from one address for 10 dispatchers: each still logs in from its own desk', { timeout: 240_000 }, async () => {
    const attacker = '203.0.113.66';
    const statuses: number[] = [];
    for (let i = 0; i < 50; i++) statuses.push((await attempt(dispatchers[i % 10]!, `wrong-${i}`, attacker)).status);
    expect(statuses.filter((s) => s === 429).length + statuses.filter((s) => s === 401).length).toBe(50);
    // The attacker is slowed: by now even the right password is refused from its address.
    expect((await attempt(dispatchers[0]!, TEST_PASSWORD, attacker)).status).toBe(429);
    for (const [i, u] of dispatchers.entries()) {
      const r = await attempt(u, TEST_PASSWORD, `198.51.100.${i + 1}`);
      expect(r.status, u).toBe(200);
    }
    expect((await api(server.url, 'GET', '/api/auth/me')).status).toBe(200);
  });
});
