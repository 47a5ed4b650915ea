import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import net from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import type { Incident } from '@lifeline/protocol';
import { noRedisServer, REDIS_SERVER_BIN } from '@lifeline/testing';
import type { LifelineServer } from '../src/server.ts';
import { api, connectSocket, externalUnavailable, killChild, tcpOpen, TestEnv, waitFor, type LiveSocket } from './helpers.ts';

const REDIS_SERVER = REDIS_SERVER_BIN ?? 'redis-server';
const unavailable = (await externalUnavailable()) ?? (noRedisServer() ? 'no redis-server' : null);

/** A private Redis (no persistence) that the test can kill and start again on the same port. */
class PrivateRedis {
  private proc: ChildProcess | null = null;
  port = 0;
  async start(): Promise<void> {
    if (!this.port) {
      const srv = net.createServer().listen(0, '127.0.0.1');
      await once(srv, 'listening');
      this.port = (srv.address() as net.AddressInfo).port;
      await new Promise((r) => srv.close(r));
    }
    this.proc = spawn(REDIS_SERVER, ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    await waitFor(() => tcpOpen('127.0.0.1', this.port), 'private Redis listening', 10_000);
  }
  async kill(): Promise<void> {
    const p = this.proc;
    this.proc = null;
    await killChild(p);
  }
}

const call = (phone: string) => ({ line: '115', callerPhone: phone, location: { lat: 10.98, lng: 106.65 }, category: 'trauma', priority: 2 });

describe.skipIf(unavailable !== null)('two instances while Redis is away', () => {
  const env = new TestEnv('external');
  const redis = new PrivateRedis();
  const servers: LifelineServer[] = [];
  let socket: LiveSocket | undefined;
  afterAll(async () => {
    socket?.close();
    for (const s of servers) await s.stop().catch(() => undefined);
    await redis.kill();
    await env.teardown();
  });

  it('keeps serving; when Redis is back, the other instance’s clients get what they missed and new broadcasts', async () => {
    await env.setup();
    await redis.start();
    const REDIS_URL = `redis://127.0.0.1:${redis.port}`;
    const A = await env.start({ REDIS_URL, INSTANCE_ID: `ra-${env.id}` });
    servers.push(A);
    const B = await env.start({ REDIS_URL, INSTANCE_ID: `rb-${env.id}` });
    servers.push(B);
    socket = connectSocket(A.url);
    const incidentsOnA = new Map<string, Incident>();
    socket.on('snapshot', (s) => s.incidents.forEach((i) => incidentsOnA.set(i.id, i)));
    socket.on('incident', (i) => incidentsOnA.set(i.id, i));
    await waitFor(() => socket!.connected, 'socket on A');

    await redis.kill();
    // B still takes calls while Redis is away.
    const during = await api(B.url, 'POST', '/api/incidents', call('0910000011'));
    expect(during.status).toBe(201);
    expect((await api(A.url, 'GET', '/healthz')).status).toBe(200);

    await redis.start();
    await waitFor(() => incidentsOnA.has(during.body.incident.id), 'the incident created during the outage on A', 20_000);
    const after = await api(B.url, 'POST', '/api/incidents', call('0910000012'));
    expect(after.status).toBe(201);
    await waitFor(() => incidentsOnA.has(after.body.incident.id), 'a new incident on A');
  });
});
