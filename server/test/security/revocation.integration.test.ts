import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LifelineServer } from '../../src/server.ts';
import { api, connectSocket, externalUnavailable, login, tcpOpen, TestEnv, type LiveSocket } from '../helpers.ts';

/**
 * Issue 11, item 5 (HTTP part): logging out or disabling a user ends its live sockets at once (7
 * events arrived after a logout), on every instance; the token stops working at once (it was
 * cached for 5 s).
 */

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const clusterSkip = (await externalUnavailable()) ?? ((await tcpOpen(new URL(REDIS_URL).hostname, Number(new URL(REDIS_URL).port || 6379))) ? null : 'no Redis');

/** A connected live-map socket that counts the incident events it receives. */
async function liveSocket(url: string, token: string): Promise<{ socket: LiveSocket; incidents: string[]; disconnected: Promise<string> }> {
  const socket = connectSocket(url, token);
  const incidents: string[] = [];
  socket.on('incident', (i) => incidents.push(i.id));
  const disconnected = new Promise<string>((resolve) => socket.once('disconnect', (reason) => resolve(reason)));
  await new Promise<void>((resolve, reject) => {
    socket.once('snapshot', () => resolve());
    socket.once('connect_error', reject);
  });
  return { socket, incidents, disconnected };
}

const CALL = { line: '115', channel: 'phone', callerPhone: '0901234567', location: { lat: 10.98, lng: 106.65 }, category: 'trauma', priority: 1 };

/** Creates an incident and waits until a control socket has seen it (so any other socket would have too). */
async function incidentSeenBy(server: LifelineServer, control: { incidents: string[] }): Promise<string> {
  const r = await api(server.url, 'POST', '/api/incidents', CALL);
  expect(r.status).toBe(201);
  const id = r.body.incident.id as string;
  await new Promise<void>((resolve, reject) => {
    const t0 = Date.now();
    const poll = () => (control.incidents.includes(id) ? resolve() : Date.now() - t0 > 15_000 ? reject(new Error('control socket saw no incident')) : setImmediate(poll));
    poll();
  });
  return id;
}

describe('revocation ends live sessions (one instance)', () => {
  const env = new TestEnv('embedded');
  let server: LifelineServer;
  let control: Awaited<ReturnType<typeof liveSocket>>;

  beforeAll(async () => {
    await env.setup();
    server = await env.start();
    control = await liveSocket(server.url, await login(server, 'supervisor'));
  });
  afterAll(async () => {
    control?.socket.close();
    await server?.stop();
    await env.teardown();
  });

  it('logout disconnects the session’s sockets at once; no event arrives after it', async () => {
    const token = await login(server, 'dispatcher', { username: 'rev-logout' });
    const live = await liveSocket(server.url, token);
    await incidentSeenBy(server, live);
    expect((await api(server.url, 'POST', '/api/auth/logout', undefined, token)).status).toBe(204);
    expect(await live.disconnected).toBe('io server disconnect');
    const before = live.incidents.length;
    await incidentSeenBy(server, control);
    expect(live.incidents.length).toBe(before);
    expect(live.socket.connected).toBe(false);
    expect((await api(server.url, 'GET', '/api/auth/me', undefined, token)).status).toBe(401);
  });

  it('disabling a user ends its sockets and its token at once; it cannot log in again', async () => {
    const admin = await login(server, 'admin');
    const token = await login(server, 'dispatcher', { username: 'rev-disabled' });
    // The token is in the session cache now.
    expect((await api(server.url, 'GET', '/api/auth/me', undefined, token)).status).toBe(200);
    const live = await liveSocket(server.url, token);
    const id = (await api(server.url, 'GET', '/api/auth/me', undefined, token)).body.id as string;
    expect((await api(server.url, 'POST', `/api/users/${id}/disable`, undefined, admin)).status).toBe(204);
    expect(await live.disconnected).toBe('io server disconnect');
    expect((await api(server.url, 'GET', '/api/auth/me', undefined, token)).status).toBe(401);
    expect((await api(server.url, 'POST', '/api/auth/login', { username: 'rev-disabled', password: 'correct horse battery staple' }, null)).status).toBe(401);
    // A new socket with the old token is refused.
    const again = connectSocket(server.url, token);
    expect(await new Promise((resolve) => again.once('connect_error', (e) => resolve(e.message)))).toBe('UNAUTHORIZED');
    again.close();
  });
});

describe.skipIf(clusterSkip !== null)('revocation ends live sessions on every instance (REDIS_URL)', () => {
  const env = new TestEnv('external');
  let a: LifelineServer;
  let b: LifelineServer;

  beforeAll(async () => {
    await env.setup();
    a = await env.start({ REDIS_URL, INSTANCE_ID: `a-${env.id}` });
    b = await env.start({ REDIS_URL, INSTANCE_ID: `b-${env.id}` });
  });
  afterAll(async () => {
    await b?.stop();
    await a?.stop();
    await env.teardown();
  });

  it('logout on instance A disconnects the socket held by instance B, and B refuses the token at once', async () => {
    const token = await login(a, 'dispatcher', { username: 'rev-cluster' });
    // B has the session cached.
    expect((await api(b.url, 'GET', '/api/auth/me', undefined, token)).status).toBe(200);
    const live = await liveSocket(b.url, token);
    expect((await api(a.url, 'POST', '/api/auth/logout', undefined, token)).status).toBe(204);
    expect(await live.disconnected).toBe('io server disconnect');
    expect((await api(b.url, 'GET', '/api/auth/me', undefined, token)).status).toBe(401);
  });
});
