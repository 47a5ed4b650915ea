import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LifelineServer } from '../../src/server.ts';
import { api, login, TestEnv } from '../helpers.ts';
import { rawRequest } from './rawHttp.ts';

/**
 * Issue 11, item 10 (Decree 13/2023): caller phone numbers appeared in 81 log lines (the URL of
 * /api/callers/:phone). The server's own log output, at the most verbose level, is captured while
 * real requests carry a phone and a name; neither may appear. Reads of a caller's history are
 * recorded, and supervisors can see who read what.
 */
const PHONE = '0907654321';
const NAME = 'Nguyễn Thị Bệnh Nhân';

describe('personal data stays out of logs; reads of callers are recorded', () => {
  const env = new TestEnv('embedded');
  let server: LifelineServer;
  const lines: string[] = [];

  beforeAll(async () => {
    await env.setup();
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
        done();
      },
    });
    server = await env.start({}, { logger: pino({ level: 'trace' }, sink) });
  });
  afterAll(async () => {
    await server?.stop();
    await env.teardown();
  });

  it('no phone number or caller name in any log line of real requests', async () => {
    const call = { line: '115', channel: 'phone', callerPhone: PHONE, callerName: NAME, location: { lat: 10.98, lng: 106.65 }, category: 'trauma', priority: 1 };
    expect((await api(server.url, 'POST', '/api/incidents', call)).status).toBe(201);
    expect((await api(server.url, 'POST', '/api/incidents', { ...call, priority: 'urgent' })).status).toBe(400);
    expect((await api(server.url, 'GET', `/api/callers/${PHONE}`)).status).toBe(200);
    expect((await api(server.url, 'GET', `/api/callers/${PHONE}x`)).status).toBe(400);
    expect((await api(server.url, 'POST', `/api/callers/${encodeURIComponent('0907 654 321')}/flag`, { flagged: true, reason: `calls as ${NAME}` })).status).toBe(200);
    expect((await api(server.url, 'POST', `/api/callers/${PHONE}/flag`, { flagged: 'yes' })).status).toBe(400);
    expect((await rawRequest(server.url, 'GET', `/api/callerz/${PHONE}`)).status).toBe(404);
    expect((await rawRequest(server.url, 'GET', `/api/callers/${PHONE}`)).status).toBe(401);
    expect((await api(server.url, 'GET', `/api/incidents?limit=${PHONE}`)).status).toBe(400);
    // Sanity: the capture works, and rejections are logged (with their route).
    const rejected = lines.filter((l) => l.includes('request rejected'));
    expect(rejected.length).toBeGreaterThanOrEqual(4);
    expect(rejected.some((l) => l.includes('/api/callers/***'))).toBe(true);
    const leaks = lines.filter((l) => l.includes(PHONE) || l.includes('907654321') || l.includes('0907 654 321') || l.includes(NAME) || l.includes('654%20321'));
    expect(leaks).toEqual([]);
  });

  it('records who read a caller’s history; supervisors may read the record, dispatchers may not', async () => {
    const supervisor = await login(server, 'supervisor');
    const r = await api(server.url, 'GET', `/api/audit/caller-access?phone=${encodeURIComponent('+84 907 654 321')}`, undefined, supervisor);
    expect(r.status).toBe(200);
    expect(r.body.length).toBeGreaterThanOrEqual(2);
    for (const row of r.body) expect(row).toMatchObject({ username: 'test-dispatcher', phone: PHONE });
    expect(new Set(r.body.map((x: { action: string }) => x.action))).toEqual(new Set(['history', 'flag']));
    expect((await api(server.url, 'GET', '/api/audit/caller-access')).status).toBe(403);
  });
});
